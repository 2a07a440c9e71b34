"""New migrations come out formatted, whichever virtualenv runs Alembic."""

import shutil
import subprocess
import sys
from pathlib import Path

from alembic import command
from alembic.config import Config

from app.core.config.db.migrations import ALEMBIC_INI, PROJECT_ROOT


def _formatted(script: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(  # noqa: S603 - ruff of our own interpreter, on our own file
        [sys.executable, "-m", "ruff", "format", "--check", str(script)],
        capture_output=True,
        text=True,
        check=False,
    )


def test_the_post_write_hook_formats_a_new_revision_without_a_project_venv(
    tmp_path: Path,
) -> None:
    # alembic.ini copied out of the project: no `.venv/` next to it, as in any other venv.
    shutil.copy(ALEMBIC_INI, tmp_path / "alembic.ini")
    versions = tmp_path / "versions"
    versions.mkdir()
    config = Config(str(tmp_path / "alembic.ini"))
    config.set_main_option("script_location", str(PROJECT_ROOT / "migrations"))
    config.set_main_option("version_locations", str(versions))

    command.revision(config, message="probe")

    [script] = versions.glob("*_probe.py")
    check = _formatted(script)
    assert check.returncode == 0, check.stdout + check.stderr


def test_the_revision_template_alone_is_not_formatted(tmp_path: Path) -> None:
    config = Config(str(ALEMBIC_INI))
    config.set_main_option("version_locations", str(tmp_path))
    config.set_section_option("post_write_hooks", "hooks", "")

    command.revision(config, message="probe")

    [script] = tmp_path.glob("*_probe.py")
    assert _formatted(script).returncode == 1
