"""The operators' account commands: reset-password and purge-sessions."""

import asyncio
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from uuid import uuid4

import pytest
from argon2 import PasswordHasher
from sqlalchemy import delete, select
from sqlalchemy.ext.asyncio import AsyncSession, create_async_engine
from sqlalchemy.pool import NullPool
from typer.testing import CliRunner

from app.__main__ import cli
from app.core.storage.base import new_key
from app.core.storage.local import LocalStorage
from app.features.audit.model import AuditEvent
from app.features.auth.model import AuthSession
from app.features.idempotency.model import IdempotencyRecord
from app.features.photos.model import StorageDeletion
from app.features.users.model import User
from tests.conftest import PASSWORD, cpf_from_seed

pytestmark = pytest.mark.usefixtures("restore_logging")

CPF = cpf_from_seed(900_077)
NEW_PASSWORD = "an operator's fresh passphrase"


@pytest.fixture
def cli_env(database_url: str) -> dict[str, str | None]:
    """An environment pointing the CLI at the test database, free of the caller's settings."""
    return {
        "DATABASE_URL": database_url,
        "JWT_SECRET": "cli-test-secret-that-is-long-enough-0123456789",
        "ENVIRONMENT": "test",
        "NEW_PASSWORD": NEW_PASSWORD,
    }


async def _run(database_url: str, work: Any) -> Any:
    engine = create_async_engine(database_url, poolclass=NullPool)
    try:
        async with AsyncSession(engine, expire_on_commit=False) as session:
            result = await work(session)
            await session.commit()
            return result
    finally:
        await engine.dispose()


@pytest.fixture
def account(database_url: str) -> Iterator[User]:
    """A committed collector with a live and an ended session; removed afterwards."""
    user = User(name="Collector Lima", cpf=CPF, password_hash=PasswordHasher().hash(PASSWORD))

    async def add(session: AsyncSession) -> None:
        session.add(user)
        await session.flush()
        ended = datetime.now(UTC)
        session.add_all(
            [AuthSession(user_id=user.id), AuthSession(user_id=user.id, revoked_at=ended)]
        )

    asyncio.run(_run(database_url, add))
    yield user
    asyncio.run(
        _run(database_url, lambda session: session.execute(delete(User).where(User.cpf == CPF)))
    )


def _stored(database_url: str, user: User) -> tuple[str, list[datetime | None]]:
    async def read(session: AsyncSession) -> tuple[str, list[datetime | None]]:
        password_hash = await session.scalar(select(User.password_hash).where(User.id == user.id))
        ends = await session.scalars(
            select(AuthSession.revoked_at).where(AuthSession.user_id == user.id)
        )
        return str(password_hash), list(ends)

    result: tuple[str, list[datetime | None]] = asyncio.run(_run(database_url, read))
    return result


def test_reset_password_sets_the_new_password_and_ends_every_session(
    runner: CliRunner, cli_env: dict[str, str | None], database_url: str, account: User
) -> None:
    result = runner.invoke(cli, ["reset-password", "--cpf", account.cpf], env=cli_env)

    assert result.exit_code == 0, result.output
    assert result.stdout == (
        "Password of the user with CPF ***.900.***-** reset; 1 session(s) ended.\n"
    )
    password_hash, ends = _stored(database_url, account)
    assert PasswordHasher().verify(password_hash, NEW_PASSWORD)
    assert None not in ends
    assert NEW_PASSWORD not in result.output


@pytest.mark.parametrize(
    ("cpf", "env", "message"),
    [
        (cpf_from_seed(900_078), {}, "Error: not reset: No account has this CPF.\n"),
        (CPF, {"NEW_PASSWORD": "password"}, "Error: not reset:"),
        (CPF, {"NEW_PASSWORD": None}, "Error: a new password is needed: set NEW_PASSWORD\n"),
    ],
    ids=["unknown-cpf", "weak-password", "no-password"],
)
def test_reset_password_refuses_and_changes_nothing(
    runner: CliRunner,
    cli_env: dict[str, str | None],
    database_url: str,
    account: User,
    cpf: str,
    env: dict[str, str | None],
    message: str,
) -> None:
    before = _stored(database_url, account)

    result = runner.invoke(cli, ["reset-password", "--cpf", cpf], env={**cli_env, **env})

    assert result.exit_code == 2
    assert result.stderr.startswith(message)
    assert "Traceback" not in result.output
    assert _stored(database_url, account) == before


def test_purge_sessions_deletes_the_ended_ones(
    runner: CliRunner, cli_env: dict[str, str | None], database_url: str, account: User
) -> None:
    result = runner.invoke(cli, ["purge-sessions"], env=cli_env)

    assert result.exit_code == 0, result.output
    assert result.stdout.startswith("Purged ")
    assert result.stdout.endswith(" ended or expired session(s).\n")
    assert int(result.stdout.split()[1]) >= 1
    assert _stored(database_url, account)[1] == [None]


def test_purge_audit_events_deletes_those_past_the_retention(
    runner: CliRunner, cli_env: dict[str, str | None], database_url: str
) -> None:
    old = AuditEvent(
        action="user.deleted",
        target="user:cli-old",
        outcome="success",
        occurred_at=datetime.now(UTC) - timedelta(days=30),
    )

    async def add(session: AsyncSession) -> None:
        session.add(old)

    async def still_there(session: AsyncSession) -> bool:
        return await session.get(AuditEvent, old.id) is not None

    asyncio.run(_run(database_url, add))
    result = runner.invoke(
        cli, ["purge-audit-events"], env={**cli_env, "AUDIT_RETENTION_DAYS": "7"}
    )

    assert result.exit_code == 0, result.output
    assert result.stdout.endswith(" audit event(s) older than 7 days.\n")
    assert int(result.stdout.split()[1]) >= 1
    assert not asyncio.run(_run(database_url, still_there))


def test_purge_idempotency_keys_deletes_the_expired_and_keeps_the_live(
    runner: CliRunner, cli_env: dict[str, str | None], database_url: str
) -> None:
    now = datetime.now(UTC)
    owner = uuid4()
    expired, live = (
        IdempotencyRecord(
            user_id=owner, key=key, fingerprint=b"f" * 32, expires_at=now + offset, status_code=201
        )
        for key, offset in (("expired", -timedelta(minutes=1)), ("live", timedelta(hours=1)))
    )

    async def add(session: AsyncSession) -> None:
        session.add_all([expired, live])

    async def keys_left(session: AsyncSession) -> list[str]:
        rows = await session.scalars(
            select(IdempotencyRecord.key).where(IdempotencyRecord.user_id == owner)
        )
        await session.execute(delete(IdempotencyRecord).where(IdempotencyRecord.user_id == owner))
        return list(rows)

    asyncio.run(_run(database_url, add))
    result = runner.invoke(cli, ["purge-idempotency-keys"], env=cli_env)

    assert result.exit_code == 0, result.output
    assert result.stdout.endswith(" expired idempotency key(s).\n")
    assert int(result.stdout.split()[1]) >= 1
    assert asyncio.run(_run(database_url, keys_left)) == ["live"]


def test_purge_orphans_removes_the_due_objects_and_keeps_the_others(
    runner: CliRunner, cli_env: dict[str, str | None], database_url: str, tmp_path: Path
) -> None:
    storage = LocalStorage(tmp_path)
    due, later = new_key("listings/cli/photos", "jpg"), new_key("listings/cli/photos", "jpg")
    source = tmp_path / "source.jpg"
    source.write_bytes(b"bytes")

    async def stored() -> None:
        for key in (due, later):
            await storage.put_file(key, source, content_type="image/jpeg")

    async def queue(session: AsyncSession) -> None:
        now = datetime.now(UTC)
        session.add_all(
            [
                StorageDeletion(key=due, not_before=now - timedelta(minutes=1)),
                StorageDeletion(key=later, not_before=now + timedelta(hours=1)),
            ]
        )

    async def queued(session: AsyncSession) -> list[str]:
        keys = await session.scalars(
            select(StorageDeletion.key).where(StorageDeletion.key.in_([due, later]))
        )
        await session.execute(delete(StorageDeletion).where(StorageDeletion.key == later))
        return list(keys)

    asyncio.run(stored())
    asyncio.run(_run(database_url, queue))
    result = runner.invoke(
        cli, ["purge-orphans"], env={**cli_env, "PHOTO_STORAGE_DIR": str(tmp_path)}
    )

    assert result.exit_code == 0, result.output
    assert result.stdout.startswith("Removed ")
    assert int(result.stdout.split()[1]) >= 1
    assert asyncio.run(_run(database_url, queued)) == [later]
    assert not asyncio.run(storage.exists(due))
    assert asyncio.run(storage.exists(later))
