"""The command line's error boundary: which sentence each kind of failure becomes."""

import socket

import asyncpg
import pytest
from pydantic import SecretStr, ValidationError
from sqlalchemy.exc import OperationalError
from sqlalchemy.exc import TimeoutError as PoolTimeout

from app.core.config.settings import Settings
from app.core.errors.cli import database_address, describe_failure

WHERE = "db.internal:6543"


def _caused_by(error: BaseException, cause: BaseException) -> BaseException:
    error.__cause__ = cause
    return error


@pytest.mark.parametrize(
    ("error", "sentence"),
    [
        pytest.param(
            ConnectionRefusedError(111, "Connect call failed"),
            f"cannot reach the database at {WHERE} (connection refused)",
            id="refused",
        ),
        pytest.param(
            socket.gaierror(-2, "Name or service not known"),
            f"cannot reach the database at {WHERE} (unknown host)",
            id="unknown-host",
        ),
        pytest.param(
            TimeoutError(),
            f"cannot reach the database at {WHERE} (no answer in time)",
            id="timeout",
        ),
        pytest.param(
            ConnectionResetError(104, "Connection reset by peer"),
            f"cannot reach the database at {WHERE} (connection lost)",
            id="reset",
        ),
        pytest.param(
            FileNotFoundError(2, "No such file or directory"),
            f"cannot reach the database at {WHERE} (no server socket there)",
            id="no-socket",
        ),
        pytest.param(
            OSError(113, "No route to host"),
            f"cannot reach the database at {WHERE} (no route to host)",
            id="no-route",
        ),
        pytest.param(
            _caused_by(
                TimeoutError("the database did not answer within 60 s"),
                ConnectionRefusedError(111, "Connect call failed"),
            ),
            f"cannot reach the database at {WHERE} (connection refused)",
            id="migrate-gave-up",
        ),
        pytest.param(
            asyncpg.InvalidPasswordError('password authentication failed for user "app"'),
            f"cannot connect to the database at {WHERE}: "
            'password authentication failed for user "app"',
            id="bad-password",
        ),
        pytest.param(
            asyncpg.TooManyConnectionsError("sorry, too many clients already"),
            f"cannot connect to the database at {WHERE}: sorry, too many clients already",
            id="too-many-clients",
        ),
        pytest.param(
            OperationalError(
                "SELECT 1",
                None,
                _caused_by(
                    Exception("adapted"),
                    asyncpg.CannotConnectNowError("the database system is starting up"),
                ),
            ),
            f"cannot connect to the database at {WHERE}: the database system is starting up",
            id="wrapped-by-sqlalchemy",
        ),
        pytest.param(
            asyncpg.UniqueViolationError('duplicate key value violates unique constraint "pk"'),
            f'database error at {WHERE}: duplicate key value violates unique constraint "pk"',
            id="other-database-error",
        ),
        pytest.param(
            PoolTimeout("QueuePool limit of size 10 overflow 10 reached\nmore"),
            f"database error at {WHERE}: QueuePool limit of size 10 overflow 10 reached",
            id="pool-timeout",
        ),
        pytest.param(
            PermissionError(13, "Permission denied", "/srv/data"),
            "unexpected PermissionError: [Errno 13] Permission denied: '/srv/data' "
            "(LOG_LEVEL=DEBUG shows the traceback)",
            id="a-file-is-not-the-database",
        ),
    ],
)
def test_describe_failure_names_the_database_and_the_reason(
    error: BaseException, sentence: str
) -> None:
    assert describe_failure(error, WHERE) == sentence


def test_describe_failure_without_a_known_database_leaves_the_place_out() -> None:
    error = ConnectionRefusedError(111, "Connect call failed")

    assert describe_failure(error, None) == "cannot reach the database (connection refused)"


@pytest.mark.parametrize(
    ("url", "address"),
    [
        ("postgresql://app:secret@db.internal:6543/app", "db.internal:6543"),
        ("postgresql+asyncpg://app:secret@db.internal/app", "db.internal:5432"),
        ("postgresql+asyncpg://postgres:@/postgres?host=/tmp/pg", "the socket in /tmp/pg"),
        ("postgresql:///app", "localhost:5432"),
    ],
)
def test_database_address_has_host_and_port_but_no_credentials(url: str, address: str) -> None:
    assert database_address(url) == address


@pytest.mark.parametrize(
    "url",
    [
        "postgresql://app:pw@db:5432/app",
        "postgresql+asyncpg://app:pw@db:5432/app",
        "postgres://app@db/app",
        "postgresql:///app?host=/var/run/postgresql",
    ],
)
def test_settings_accept_postgres_urls(url: str) -> None:
    settings = Settings(_env_file=None, database_url=SecretStr(url))

    assert settings.database_url is not None
    assert settings.database_url.get_secret_value() == url


@pytest.mark.parametrize(
    ("url", "problem"),
    [
        ("nonsense", "not a database URL"),
        ("postgresql://app:hunter2@db:notaport/app", "the port is not a number"),
        ("postgresql://app:hunter2@db:0/app", "the port must be between 1 and 65535"),
        ("sqlite:///app.db", "scheme 'sqlite' is not PostgreSQL"),
    ],
)
def test_settings_refuse_other_database_urls_without_repeating_them(url: str, problem: str) -> None:
    with pytest.raises(ValidationError) as caught:
        Settings(_env_file=None, database_url=SecretStr(url))

    [error] = caught.value.errors()
    assert error["loc"] == ("database_url",)
    assert problem in error["msg"]
    assert "hunter2" not in str(caught.value)
