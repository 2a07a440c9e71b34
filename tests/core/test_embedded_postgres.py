"""The embedded PostgreSQL of the test suite stops before its directory is removed."""

from pathlib import Path

import psutil
import pytest
from sqlalchemy.engine import make_url

from tests import database
from tests.database import postgres_server


def test_the_embedded_server_is_stopped_before_its_directory_goes(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.delenv("TEST_DATABASE_URL", raising=False)
    monkeypatch.setattr(database, "_docker_answers", lambda: False)

    with postgres_server() as url:
        data_dir = Path(str(make_url(url).query["host"]))  # its socket lives in its data dir
        postmaster = psutil.Process(int((data_dir / "postmaster.pid").read_text().split()[0]))
        assert postmaster.is_running()

    assert not data_dir.exists()
    assert not postmaster.is_running()
