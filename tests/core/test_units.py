"""Small units: CPF normalisation, pagination cursors, logging and settings."""

import json
import logging

import pytest
from pydantic import SecretStr
from pydantic import ValidationError as SettingsError
from result import Err, Ok

from app.core.config.db.engine import async_database_url
from app.core.config.logging import configure_logging, mask_cpf, request_id_var
from app.core.config.settings import DEFAULT_JWT_SECRET, Environment, Settings
from app.core.errors.catalogue import InvalidCursor
from app.features.shared.cpf import normalize_cpf
from app.features.shared.pagination import CursorCodec

PRODUCTION_URL = SecretStr("postgresql://app:pw@db:5432/app")
STRONG_SECRET = "a-production-secret-that-is-long-enough-0123456789"


@pytest.mark.parametrize("raw", ["529.982.247-25", "52998224725", "  529.982.247-25 \n"])
def test_normalize_cpf_accepts_formatted_digits_and_surrounding_whitespace(raw: str) -> None:
    assert normalize_cpf(raw) == "52998224725"


@pytest.mark.parametrize(
    "raw",
    [
        "529.982.247-26",
        "52998224715",
        "111.111.111-11",
        "00000000000",
        "529.982.247-2X",
        "abc.def.ghi-jk",
        "529 982 247 25",
        "5299822472",
        "529982247250",
        "529.982247-25",
        "",
    ],
)
def test_normalize_cpf_refuses_invalid_numbers(raw: str) -> None:
    assert normalize_cpf(raw) is None


class _Clock:
    def __init__(self, now: float) -> None:
        self.now = now

    def __call__(self) -> float:
        return self.now


def test_a_cursor_round_trips_its_position() -> None:
    codec = CursorCodec(b"k" * 32)
    position = ["2025-01-02T03:04:05+00:00", "6f1c0a4e-1111-4222-8333-444455556666", 42]

    cursor = codec.encode(scope="users", position=position)

    assert codec.decode(cursor, scope="users") == Ok(position)


def test_a_cursor_altered_in_one_character_is_refused() -> None:
    codec = CursorCodec(b"k" * 32)
    cursor = codec.encode(scope="users", position=["a", 1])
    index = 5
    tampered = cursor[:index] + ("B" if cursor[index] != "B" else "C") + cursor[index + 1 :]

    result = codec.decode(tampered, scope="users")

    assert isinstance(result, Err)
    assert isinstance(result.err_value, InvalidCursor)


def test_a_cursor_from_another_key_is_refused() -> None:
    cursor = CursorCodec(b"k" * 32).encode(scope="users", position=["a"])

    result = CursorCodec(b"z" * 32).decode(cursor, scope="users")

    assert result == Err(InvalidCursor("The cursor was not issued by this service."))


def test_a_cursor_made_for_another_scope_is_refused() -> None:
    codec = CursorCodec(b"k" * 32)
    cursor = codec.encode(scope="users?role=admin", position=["a"])

    result = codec.decode(cursor, scope="users?role=collector")

    assert result == Err(InvalidCursor("The cursor was made for another sort or filter set."))


def test_an_expired_cursor_is_refused() -> None:
    clock = _Clock(1_700_000_000.0)
    codec = CursorCodec(b"k" * 32, ttl_seconds=60, clock=clock)
    cursor = codec.encode(scope="users", position=["a"])
    clock.now += 61

    result = codec.decode(cursor, scope="users")

    assert result == Err(InvalidCursor("The cursor has expired; restart from the first page."))


@pytest.mark.parametrize("cursor", ["", "no-dot", "a.b.c", "%%%.***", "é.é", "abc.def"])
def test_a_malformed_cursor_is_refused(cursor: str) -> None:
    result = CursorCodec(b"k" * 32).decode(cursor, scope="users")

    assert isinstance(result, Err)
    assert isinstance(result.err_value, InvalidCursor)


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
