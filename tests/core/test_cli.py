"""The command line (`python -m app`): configuration, admins, migrations and serving."""

import asyncio
import json
import os
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import uvicorn
from sqlalchemy import delete, select
from sqlalchemy.ext.asyncio import AsyncSession, create_async_engine
from sqlalchemy.pool import NullPool
from typer.testing import CliRunner

import app.__main__ as app_cli
from app.__main__ import cli
from app.core.config.http_protocol import BoundedHttpToolsProtocol
from app.core.config.settings import DEFAULT_JWT_SECRET
from app.core.errors.cli import database_address
from app.features.shared.cpf import normalize_cpf
from app.features.users.model import Role, User
from app.routers.v1.users.schemas import UserCreate
from app.wiring import Components
from tests.conftest import PASSWORD, cpf_from_seed
from tests.database import scratch_database

pytestmark = pytest.mark.usefixtures("restore_logging")

ADMIN_CPF = cpf_from_seed(900_001)
ADMIN_PASSWORD = "an admin's long passphrase"
CLI_SECRET = "cli-test-secret-that-is-long-enough-0123456789"


@pytest.fixture
def cli_env(database_url: str) -> dict[str, str | None]:
    """An environment pointing the CLI at the test database, free of the caller's settings."""
    return {
        "DATABASE_URL": database_url,
        "JWT_SECRET": CLI_SECRET,
        "ENVIRONMENT": "test",
        "ADMIN_PASSWORD": ADMIN_PASSWORD,
        "CORS_ALLOW_ORIGINS": None,
    }


async def _rows_with_cpf(database_url: str, cpf: str, *, remove: bool = False) -> list[Any]:
    """The (role, name, password_hash) of users with `cpf`, read or deleted with a fresh engine."""
    engine = create_async_engine(database_url, poolclass=NullPool)
    try:
        async with engine.begin() as connection:
            if remove:
                await connection.execute(delete(User).where(User.cpf == cpf))
                return []
            query = select(User.role, User.name, User.password_hash).where(User.cpf == cpf)
            return list((await connection.execute(query)).all())
    finally:
        await engine.dispose()


async def _add_collector(database_url: str, cpf: str, password_hash: str) -> None:
    engine = create_async_engine(database_url, poolclass=NullPool)
    try:
        async with AsyncSession(engine) as session:
            session.add(User(name="Collector Lima", cpf=cpf, password_hash=password_hash))
            await session.commit()
    finally:
        await engine.dispose()


@pytest.fixture
def admin_cpf(database_url: str) -> Iterator[str]:
    """A CPF whose account the test may commit for real; removed afterwards."""
    yield ADMIN_CPF
    asyncio.run(_rows_with_cpf(database_url, ADMIN_CPF, remove=True))


def test_help_lists_the_commands(runner: CliRunner) -> None:
    result = runner.invoke(cli, ["--help"])

    assert result.exit_code == 0
    for command in ("serve", "migrate", "create-admin", "check-config"):
        assert command in result.output


def test_check_config_prints_the_settings_with_secrets_redacted(
    runner: CliRunner, cli_env: dict[str, str | None]
) -> None:
    result = runner.invoke(cli, ["check-config"], env=cli_env)

    assert result.exit_code == 0, result.output
    printed = json.loads(result.stdout)
    assert printed["jwt_secret"] == "**********"
    assert printed["database_url"] == "**********"
    assert printed["environment"] == "test"
    assert CLI_SECRET not in result.output


def test_check_config_refuses_production_with_the_default_secret(
    runner: CliRunner, cli_env: dict[str, str | None]
) -> None:
    env = {**cli_env, "ENVIRONMENT": "production", "JWT_SECRET": None}

    result = runner.invoke(cli, ["check-config"], env=env)

    assert result.exit_code == 2
    assert "Invalid configuration" in result.output
    assert "JWT_SECRET is the development default" in result.output
    assert DEFAULT_JWT_SECRET not in result.output
    assert "Traceback" not in result.output


def test_create_admin_creates_the_account_then_says_it_already_is_one(
    runner: CliRunner, cli_env: dict[str, str | None], database_url: str, admin_cpf: str
) -> None:
    args = ["create-admin", "--cpf", admin_cpf, "--name", "  Root Admin  "]

    created = runner.invoke(cli, args, env=cli_env)
    [(_, _, first_hash)] = asyncio.run(_rows_with_cpf(database_url, admin_cpf))
    again = runner.invoke(cli, args, env={**cli_env, "ADMIN_PASSWORD": "a different passphrase"})
    quiet = runner.invoke(cli, args, env={**cli_env, "ADMIN_PASSWORD": None})

    assert created.exit_code == 0, created.output
    assert created.stdout == "User with CPF ***.900.***-** created as admin.\n"
    assert admin_cpf not in created.output
    assert ADMIN_PASSWORD not in created.output
    assert again.exit_code == 0, again.output
    assert again.stdout == (
        "User with CPF ***.900.***-** is already an admin; nothing changed (ADMIN_PASSWORD "
        "was not used: it only sets the password of a new account).\n"
    )
    assert quiet.exit_code == 0, quiet.output
    assert quiet.stdout == "User with CPF ***.900.***-** is already an admin; nothing changed.\n"
    [(role, name, password_hash)] = asyncio.run(_rows_with_cpf(database_url, admin_cpf))
    assert role is Role.ADMIN
    assert name == "Root Admin"
    assert password_hash == first_hash
    assert password_hash.startswith("$argon2id$")
    assert ADMIN_PASSWORD not in password_hash


def test_create_admin_promotes_a_collector_and_says_its_password_is_unchanged(
    runner: CliRunner,
    cli_env: dict[str, str | None],
    database_url: str,
    admin_cpf: str,
    components: Components,
) -> None:
    collector_hash = asyncio.run(components.hasher.hash(PASSWORD))
    asyncio.run(_add_collector(database_url, admin_cpf, collector_hash))

    result = runner.invoke(
        cli, ["create-admin", "--cpf", admin_cpf, "--name", "Another Name"], env=cli_env
    )

    assert result.exit_code == 0, result.output
    assert result.stdout == (
        "User with CPF ***.900.***-** promoted to admin; its name and password are unchanged "
        "(ADMIN_PASSWORD was not used: it only sets the password of a new account).\n"
    )
    [(role, name, password_hash)] = asyncio.run(_rows_with_cpf(database_url, admin_cpf))
    assert (role, name, password_hash) == (Role.ADMIN, "Collector Lima", collector_hash)


def test_create_admin_without_a_password_or_a_terminal_says_what_to_set(
    runner: CliRunner, cli_env: dict[str, str | None], database_url: str, admin_cpf: str
) -> None:
    env = {**cli_env, "ADMIN_PASSWORD": None}

    result = runner.invoke(cli, ["create-admin", "--cpf", admin_cpf, "--name", "Root"], env=env)

    assert result.exit_code == 2
    assert result.stderr == "Error: a new admin needs a password: set ADMIN_PASSWORD\n"
    assert asyncio.run(_rows_with_cpf(database_url, admin_cpf)) == []


def test_create_admin_refuses_a_weak_password_in_one_line(
    runner: CliRunner, cli_env: dict[str, str | None], database_url: str, admin_cpf: str
) -> None:
    env = {**cli_env, "ADMIN_PASSWORD": "short"}

    result = runner.invoke(cli, ["create-admin", "--cpf", admin_cpf, "--name", "Root"], env=env)

    assert result.exit_code == 2
    assert result.stderr == "Error: password refused: Use at least 8 characters.\n"
    assert asyncio.run(_rows_with_cpf(database_url, admin_cpf)) == []


@pytest.mark.parametrize("cpf", ["111.111.111-11", "529.982.247-26", "not-a-cpf"])
def test_create_admin_refuses_an_invalid_cpf(
    runner: CliRunner, cli_env: dict[str, str | None], database_url: str, cpf: str
) -> None:
    result = runner.invoke(cli, ["create-admin", "--cpf", cpf, "--name", "Root Admin"], env=cli_env)

    assert result.exit_code != 0
    assert "CPF" in result.output
    digits = "".join(char for char in cpf if char.isdigit())
    assert asyncio.run(_rows_with_cpf(database_url, digits)) == []


def test_migrate_upgrades_the_database_to_head(
    runner: CliRunner, cli_env: dict[str, str | None]
) -> None:
    result = runner.invoke(cli, ["migrate"], env=cli_env)

    assert result.exit_code == 0, result.output
    assert "head" in result.output


def test_serve_runs_uvicorn_with_the_app_factory(
    runner: CliRunner, cli_env: dict[str, str | None], monkeypatch: pytest.MonkeyPatch
) -> None:
    calls: list[tuple[tuple[Any, ...], dict[str, Any]]] = []
    monkeypatch.setattr(uvicorn, "run", lambda *args, **kwargs: calls.append((args, kwargs)))
    # `serve` points several workers at a shared metrics directory; undo that afterwards.
    monkeypatch.delenv("PROMETHEUS_MULTIPROC_DIR", raising=False)

    result = runner.invoke(
        cli, ["serve", "--host", "10.1.2.3", "--port", "9123", "--workers", "3"], env=cli_env
    )

    assert result.exit_code == 0, result.output
    assert "http://10.1.2.3:9123" in result.output
    [(args, kwargs)] = calls
    assert args == ("app.main:create_app",)
    assert kwargs["factory"] is True
    assert kwargs["host"] == "10.1.2.3"
    assert kwargs["port"] == 9123
    assert kwargs["workers"] == 3
    assert kwargs["reload"] is False
    assert kwargs["proxy_headers"] is False
    assert kwargs["timeout_keep_alive"] == 5
    assert kwargs["http"] is BoundedHttpToolsProtocol  # with the connection and header limits
    assert kwargs["server_header"] is False
    assert kwargs["timeout_graceful_shutdown"] == 10
    assert Path(os.environ["PROMETHEUS_MULTIPROC_DIR"]).is_dir()


UNREACHABLE_URL = "postgresql://postgres:do-not-print-me@127.0.0.1:1/x"


@pytest.mark.parametrize(
    "args",
    [
        pytest.param(
            ["create-admin", "--cpf", ADMIN_CPF, "--name", "Root Admin"], id="create-admin"
        ),
        pytest.param(["migrate", "--max-wait-seconds", "0"], id="migrate"),
        pytest.param(["seed", "--listings", "5"], id="seed"),
    ],
)
def test_an_unreachable_database_is_one_line_without_the_password(
    runner: CliRunner, cli_env: dict[str, str | None], args: list[str]
) -> None:
    result = runner.invoke(cli, args, env={**cli_env, "DATABASE_URL": UNREACHABLE_URL})

    assert result.exit_code == 1
    assert result.stderr == (
        "Error: cannot reach the database at 127.0.0.1:1 (connection refused).\n"
    )
    assert "do-not-print-me" not in result.output
    assert "Traceback" not in result.output


@pytest.mark.parametrize(
    ("url", "problem"),
    [
        ("nonsense", "not a database URL"),
        ("postgresql://app:do-not-print-me@db:notaport/app", "the port is not a number"),
        ("mysql://app:do-not-print-me@db/app", "scheme 'mysql' is not PostgreSQL"),
        ("postgresql://app:do-not-print-me@db:70000/app", "the port must be between 1 and 65535"),
    ],
)
@pytest.mark.parametrize("command", ["check-config", "seed"])
def test_a_malformed_database_url_is_refused_in_one_line_naming_it(
    runner: CliRunner, cli_env: dict[str, str | None], url: str, problem: str, command: str
) -> None:
    result = runner.invoke(cli, [command], env={**cli_env, "DATABASE_URL": url})

    assert result.exit_code == 2
    assert result.stderr.startswith(f"Invalid configuration: DATABASE_URL: {problem}")
    assert result.stderr.count("\n") == 1
    assert result.stdout == ""
    assert "do-not-print-me" not in result.output


@pytest.mark.parametrize("scheme", ["postgresql", "postgresql+asyncpg"])
def test_check_config_accepts_both_forms_of_postgres_url(
    runner: CliRunner, cli_env: dict[str, str | None], scheme: str
) -> None:
    env = {**cli_env, "DATABASE_URL": f"{scheme}://app:secret@db.internal:6543/app"}

    result = runner.invoke(cli, ["check-config"], env=env)

    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["database_url"] == "**********"


def test_a_database_without_the_schema_says_to_migrate_it(
    runner: CliRunner, cli_env: dict[str, str | None], server_url: str
) -> None:
    with scratch_database(server_url) as empty_url:
        result = runner.invoke(
            cli,
            ["create-admin", "--cpf", ADMIN_CPF, "--name", "Root Admin"],
            env={**cli_env, "DATABASE_URL": empty_url},
        )

    assert result.exit_code == 1
    assert result.stderr == (
        f"Error: the database at {database_address(empty_url)} is not migrated "
        '(relation "users" does not exist); run `python -m app migrate` first.\n'
    )


def test_an_unexpected_failure_is_one_line_naming_the_error(
    runner: CliRunner, cli_env: dict[str, str | None], monkeypatch: pytest.MonkeyPatch
) -> None:
    async def broken_migration(*args: Any, **kwargs: Any) -> str:
        raise RuntimeError("disk on fire\nand more detail")

    monkeypatch.setattr(app_cli, "migrate_to_head", broken_migration)

    result = runner.invoke(cli, ["migrate"], env=cli_env)

    assert result.exit_code == 1
    assert result.stderr == (
        "Error: unexpected RuntimeError: disk on fire (LOG_LEVEL=DEBUG shows the traceback).\n"
    )


def test_the_sign_up_example_is_valid_and_is_not_the_readme_admin() -> None:
    readme = (Path(__file__).parents[2] / "README.md").read_text(encoding="utf-8")
    readme_admin_cpfs = {
        normalize_cpf(match) for match in re.findall(r"create-admin --cpf (\S+)", readme)
    }
    [example] = UserCreate.model_json_schema()["examples"]

    sign_up = UserCreate.model_validate(example)

    assert readme_admin_cpfs
    assert sign_up.cpf not in readme_admin_cpfs
