"""Small units of app/core: logging, settings and the database URL."""

import json
import logging

import pytest
from asyncpg import InternalClientError
from asyncpg.exceptions import ConnectionDoesNotExistError, QueryCanceledError
from asyncpg.exceptions._base import DataError as ArgumentError
from pydantic import SecretStr
from pydantic import ValidationError as SettingsError
from sqlalchemy.dialects.postgresql.asyncpg import AsyncAdapt_asyncpg_dbapi
from sqlalchemy.exc import DBAPIError

from app.core.config.db.engine import async_database_url
from app.core.config.db.errors import is_connection_lost, is_database_unavailable
from app.core.config.logging import configure_logging, mask_cpf
from app.core.config.request_context import request_id_var
from app.core.config.settings import DEFAULT_JWT_SECRET, Environment, Settings
from app.core.errors.outage import OutageLog

PRODUCTION_URL = SecretStr("postgresql://app:pw@db:5432/app")
STRONG_SECRET = "a-production-secret-that-is-long-enough-0123456789"


@pytest.mark.usefixtures("restore_logging")
def test_production_logs_are_one_json_object_per_line_with_the_request_id(
    capsys: pytest.CaptureFixture[str],
) -> None:
    configure_logging(
        Settings(
            _env_file=None,
            environment=Environment.PRODUCTION,
            jwt_secret=SecretStr(STRONG_SECRET),
            database_url=PRODUCTION_URL,
        )
    )
    token = request_id_var.set("req-123")
    try:
        logging.getLogger("app.test").warning("signed in %s", "ok", extra={"status": 200})
    finally:
        request_id_var.reset(token)

    [line] = capsys.readouterr().out.splitlines()
    record = json.loads(line)
    assert record["message"] == "signed in ok"
    assert record["request_id"] == "req-123"
    assert record["level"] == "warning"
    assert record["logger"] == "app.test"
    assert record["status"] == 200


@pytest.mark.usefixtures("restore_logging")
@pytest.mark.parametrize(
    ("message", "args"),
    [
        pytest.param("sign-in attempt for 529.982.247-25", (), id="in-the-message"),
        pytest.param("sign-in attempt for %s", ("529.982.247-25",), id="as-an-argument"),
        pytest.param("sign-in attempt for %s", ("52998224725",), id="digits-argument"),
    ],
)
def test_logged_cpfs_are_masked(
    capsys: pytest.CaptureFixture[str], message: str, args: tuple[str, ...]
) -> None:
    configure_logging(Settings(_env_file=None, environment=Environment.TEST))

    logging.getLogger("app.test").warning(message, *args)

    output = capsys.readouterr().out
    assert "529.982.247-25" not in output
    assert "52998224725" not in output
    assert "***.982.***-**" in output


@pytest.mark.usefixtures("restore_logging")
def test_cpfs_in_logged_exceptions_are_masked(capsys: pytest.CaptureFixture[str]) -> None:
    configure_logging(Settings(_env_file=None, environment=Environment.TEST))

    try:
        raise RuntimeError("Key (cpf)=(52998224725) already exists.")
    except RuntimeError:
        logging.getLogger("app.test").exception("unhandled error")

    output = capsys.readouterr().out
    assert "unhandled error" in output
    assert "52998224725" not in output


@pytest.mark.parametrize("cpf", ["529.982.247-25", "52998224725"])
def test_mask_cpf_hides_the_middle_digits(cpf: str) -> None:
    masked = mask_cpf(f"user {cpf} signed in")

    assert masked == "user ***.982.***-** signed in"


@pytest.mark.parametrize("secret", [DEFAULT_JWT_SECRET, "short12345"], ids=["default", "short"])
def test_production_refuses_a_weak_jwt_secret_without_revealing_it(secret: str) -> None:
    with pytest.raises(SettingsError) as refused:
        Settings(
            _env_file=None,
            environment=Environment.PRODUCTION,
            jwt_secret=SecretStr(secret),
            database_url=PRODUCTION_URL,
        )

    assert "JWT_SECRET" in str(refused.value)
    assert secret not in str(refused.value)


def test_production_accepts_a_strong_secret() -> None:
    settings = Settings(
        _env_file=None,
        environment=Environment.PRODUCTION,
        jwt_secret=SecretStr(STRONG_SECRET),
        database_url=PRODUCTION_URL,
    )

    assert settings.is_production


def test_cors_origins_are_read_as_a_comma_separated_list(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CORS_ALLOW_ORIGINS", "https://a.example, https://b.example,,")

    settings = Settings(_env_file=None)

    assert settings.cors_allow_origins == ["https://a.example", "https://b.example"]


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("postgresql://u:p@h:5432/db", "postgresql+asyncpg://u:p@h:5432/db"),
        ("postgres://u:p@h/db", "postgresql+asyncpg://u:p@h/db"),
        ("postgresql+asyncpg://u:p@h/db", "postgresql+asyncpg://u:p@h/db"),
    ],
)
def test_database_urls_are_given_the_asyncpg_driver(url: str, expected: str) -> None:
    assert async_database_url(url) == expected


def test_an_outage_is_summarised_at_most_once_per_interval(
    caplog: pytest.LogCaptureFixture,
) -> None:
    now = [0.0]
    outage = OutageLog(interval_seconds=10, clock=lambda: now[0])

    with caplog.at_level(logging.ERROR, logger="app.errors"):
        for second in (0, 1, 2, 9, 10, 11):
            now[0] = second
            outage.refused("ConnectionRefusedError")

    assert [record.getMessage() for record in caplog.records] == [
        "database outage: 1 request(s) refused since the last report "
        "(last error: ConnectionRefusedError)",
        "database outage: 4 request(s) refused since the last report "
        "(last error: ConnectionRefusedError)",
    ]


def test_a_connection_the_server_is_closing_counts_as_an_unavailable_database() -> None:
    # What asyncpg raises for a query on a pooled connection whose server said goodbye
    # (a stop, a restart) when the socket's close is not processed yet: a 503, not a 500.
    closing = InternalClientError("cannot switch to state 12; another operation (2) is in progress")
    # As the ORM's asyncpg adapter reports it: an error of its own, the driver's as cause.
    adapted = AsyncAdapt_asyncpg_dbapi.InternalClientError(str(closing))
    adapted.__cause__ = closing

    assert is_database_unavailable(closing)
    assert is_database_unavailable(DBAPIError("SELECT 1", None, closing))
    assert is_database_unavailable(DBAPIError("SELECT 1", None, adapted))


def test_bad_query_arguments_are_a_mistake_not_an_outage() -> None:
    refused = ArgumentError("invalid input for query argument $1: 'x' (an integer is required)")

    assert not is_database_unavailable(refused)
    assert not is_database_unavailable(DBAPIError("SELECT $1", None, refused))


@pytest.mark.parametrize(
    ("error", "lost"),
    [
        (ConnectionDoesNotExistError("connection was closed in the middle of operation"), True),
        (ConnectionRefusedError(111, "refused"), True),
        (TimeoutError(), False),
        (QueryCanceledError("canceling statement due to statement timeout"), False),
        (ArgumentError("invalid input for query argument $1"), False),
    ],
)
def test_only_a_failed_connection_is_worth_a_retry_elsewhere(error: Exception, lost: bool) -> None:
    assert is_connection_lost(error) is lost
