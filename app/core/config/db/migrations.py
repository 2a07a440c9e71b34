"""Applying Alembic migrations from inside the application."""

import asyncio
import time
from collections.abc import Callable
from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import text
from sqlalchemy.engine import Connection
from sqlalchemy.exc import DBAPIError, OperationalError
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine, create_async_engine

from app.core.config.db.engine import async_database_url

PROJECT_ROOT = Path(__file__).resolve().parents[4]
ALEMBIC_INI = PROJECT_ROOT / "alembic.ini"
# An arbitrary, fixed key: every migrator of this service contends for the same lock.
MIGRATION_LOCK_KEY = 7_240_115_203
FIRST_RETRY_DELAY_SECONDS = 0.5
MAX_RETRY_DELAY_SECONDS = 8.0


def alembic_config(database_url: str) -> Config:
    """Alembic configuration targeting `database_url`."""
    config = Config(str(ALEMBIC_INI))
    config.attributes["database_url"] = database_url
    config.attributes["configure_logger"] = False
    return config


def latest_revision() -> str | None:
    """The head revision of the migrations shipped with this code."""
    return ScriptDirectory.from_config(alembic_config("unused://")).get_current_head()


def upgrade_to_head(database_url: str) -> None:
    """Bring the database schema to the latest revision (blocking, no lock)."""
    command.upgrade(alembic_config(database_url), "head")


async def migrate_to_head(
    database_url: str, *, max_wait_seconds: float, log: Callable[[str], None]
) -> str:
    """Wait for the database, then upgrade to head under an advisory lock.

    Migrators started together run one after the other: every one after the first
    finds the schema at head and does nothing. Returns what happened.
    """
    engine = create_async_engine(async_database_url(database_url))
    try:
        connection = await _wait_for_database(engine, max_wait_seconds, log)
        try:
            log("waiting for the migration lock")
            await connection.execute(text(f"SELECT pg_advisory_lock({MIGRATION_LOCK_KEY})"))
            await connection.commit()
            before = await connection.run_sync(_current_revision)
            head = latest_revision()
            if before == head:
                return f"already at head ({head}); nothing to do"
            await connection.run_sync(_upgrade, database_url)
            await connection.commit()
            return f"upgraded {before or 'empty database'} -> {head}"
        finally:
            if connection.in_transaction():
                await connection.rollback()  # a failed migration leaves it aborted
            await connection.execute(text(f"SELECT pg_advisory_unlock({MIGRATION_LOCK_KEY})"))
            await connection.commit()
            await connection.close()
    finally:
        await engine.dispose()


async def _wait_for_database(
    engine: AsyncEngine, max_wait_seconds: float, log: Callable[[str], None]
) -> AsyncConnection:
    deadline = time.monotonic() + max_wait_seconds
    delay = FIRST_RETRY_DELAY_SECONDS
    while True:
        try:
            return await engine.connect()
        except (OSError, OperationalError, DBAPIError) as error:
            if time.monotonic() + delay > deadline:
                raise TimeoutError(
                    f"the database did not answer within {max_wait_seconds:g} s "
                    f"({type(error).__name__})"
                ) from error
            log(f"database not ready ({type(error).__name__}); retrying in {delay:g} s")
            await asyncio.sleep(delay)
            delay = min(delay * 2, MAX_RETRY_DELAY_SECONDS)


def _current_revision(connection: Connection) -> str | None:
    return MigrationContext.configure(connection).get_current_revision()


def _upgrade(connection: Connection, database_url: str) -> None:
    config = alembic_config(database_url)
    config.attributes["connection"] = connection
    command.upgrade(config, "head")
