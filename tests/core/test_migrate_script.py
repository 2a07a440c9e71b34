"""scripts/migrate.py: waits for the database, and replicas never migrate concurrently."""

import asyncio
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import asyncpg
import pytest

from app.core.config.db.migrations import latest_revision
from tests.database import asyncpg_dsn, scratch_database

PROJECT_ROOT = Path(__file__).resolve().parents[2]
SCRIPT = PROJECT_ROOT / "scripts" / "migrate.py"
UNREACHABLE_URL = "postgresql://postgres@127.0.0.1:1/none"
SUBPROCESS_TIMEOUT_SECONDS = 120


@pytest.fixture
def empty_database_url(server_url: str) -> Iterator[str]:
    with scratch_database(server_url) as url:
        yield url


def _environment(**overrides: str | None) -> dict[str, str]:
    """This process' environment with `overrides` applied (None removes a variable)."""
    env = dict(os.environ)
    for name, value in overrides.items():
        env.pop(name, None)
        if value is not None:
            env[name] = value
    return env


def _start(env: dict[str, str]) -> subprocess.Popen[str]:
    return subprocess.Popen(  # noqa: S603 - our own script, with our interpreter
        [sys.executable, str(SCRIPT)],
        cwd=PROJECT_ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def _finish(process: subprocess.Popen[str]) -> tuple[int, str]:
    """Wait for `process`; its exit code and stderr."""
    _, stderr = process.communicate(timeout=SUBPROCESS_TIMEOUT_SECONDS)
    return process.returncode, stderr


def _stored_revisions(url: str) -> list[str]:
    async def fetch() -> list[str]:
        connection = await asyncpg.connect(asyncpg_dsn(url))
        try:
            rows = await connection.fetch("SELECT version_num FROM alembic_version")
            return [row["version_num"] for row in rows]
        finally:
            await connection.close()

    return asyncio.run(fetch())


def test_two_migrators_started_together_upgrade_once_and_both_succeed(
    empty_database_url: str,
) -> None:
    env = _environment(DATABASE_URL=empty_database_url)

    processes = [_start(env), _start(env)]
    outcomes = [_finish(process) for process in processes]

    assert [code for code, _ in outcomes] == [0, 0], outcomes
    stderrs = [stderr for _, stderr in outcomes]
    assert sum("upgraded" in stderr for stderr in stderrs) == 1, stderrs
    assert sum("already at head" in stderr for stderr in stderrs) == 1, stderrs
    assert _stored_revisions(empty_database_url) == [latest_revision()]


def test_migrator_gives_up_on_an_unreachable_database_after_the_wait() -> None:
    env = _environment(DATABASE_URL=UNREACHABLE_URL, MIGRATE_MAX_WAIT_SECONDS="2")

    code, stderr = _finish(_start(env))

    assert code == 1
    assert "did not answer" in stderr
    assert "retrying" in stderr
    assert "Traceback" not in stderr


def test_migrator_refuses_to_run_without_a_database_url() -> None:
    env = _environment(DATABASE_URL=None)

    code, stderr = _finish(_start(env))

    assert code == 1
    assert "DATABASE_URL is not set" in stderr
