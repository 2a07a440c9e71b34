"""Wait for PostgreSQL, take an advisory lock, and upgrade the schema to head.

Used by dockerfiles/migrate.Dockerfile as a one-shot job before the servers start.
Replicas started together are safe: the lock makes them run one after another,
and every one after the first finds the schema already at head.

Environment:
    DATABASE_URL                 the database to migrate (required)
    MIGRATE_MAX_WAIT_SECONDS     give up waiting for the database after this long (60)
"""

import asyncio
import os
import sys
import time
from pathlib import Path

from alembic import command
from alembic.runtime.migration import MigrationContext
from sqlalchemy import text
from sqlalchemy.engine import Connection
from sqlalchemy.exc import DBAPIError, OperationalError
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine, create_async_engine

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from app.core.config.db.engine import async_database_url
from app.core.config.db.health import latest_revision
from app.core.config.db.migrations import alembic_config

# An arbitrary, fixed key: every migrator of this service contends for the same lock.
MIGRATION_LOCK_KEY = 7_240_115_203
FIRST_DELAY_SECONDS = 0.5
MAX_DELAY_SECONDS = 8.0


def log(message: str) -> None:
    """One line on stderr, flushed at once (container logs)."""
    print(f"migrate: {message}", file=sys.stderr, flush=True)


async def wait_for_database(engine: AsyncEngine, max_wait_seconds: float) -> AsyncConnection:
    """Connect, retrying with exponential backoff until `max_wait_seconds` have passed."""
    deadline = time.monotonic() + max_wait_seconds
    delay = FIRST_DELAY_SECONDS
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
            delay = min(delay * 2, MAX_DELAY_SECONDS)


def _current_revision(connection: Connection) -> str | None:
    return MigrationContext.configure(connection).get_current_revision()


def _upgrade(connection: Connection, url: str) -> None:
    config = alembic_config(url)
    config.attributes["connection"] = connection
    command.upgrade(config, "head")


async def migrate(url: str, max_wait_seconds: float) -> str:
    """Upgrade to head under the advisory lock; return what happened."""
    engine = create_async_engine(async_database_url(url))
    try:
        connection = await wait_for_database(engine, max_wait_seconds)
        try:
            log("waiting for the migration lock")
            await connection.execute(text(f"SELECT pg_advisory_lock({MIGRATION_LOCK_KEY})"))
            await connection.commit()
            before = await connection.run_sync(_current_revision)
            head = latest_revision()
            if before == head:
                return f"already at head ({head}); nothing to do"
            await connection.run_sync(_upgrade, url)
            await connection.commit()
            return f"upgraded {before or 'empty database'} -> {head}"
        finally:
            await connection.execute(text(f"SELECT pg_advisory_unlock({MIGRATION_LOCK_KEY})"))
            await connection.commit()
            await connection.close()
    finally:
        await engine.dispose()


def main() -> int:
    """Run the migration; exit 1 with a clear message on failure."""
    url = os.environ.get("DATABASE_URL")
    if not url:
        log("DATABASE_URL is not set")
        return 1
    max_wait = float(os.environ.get("MIGRATE_MAX_WAIT_SECONDS", "60"))
    try:
        log(asyncio.run(migrate(url, max_wait)))
    except Exception as error:  # report any failure in one line, then fail the job
        log(f"failed: {type(error).__name__}: {error}")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
