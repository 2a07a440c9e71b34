"""Engine and session factory built from settings."""

from typing import Any

from sqlalchemy import event
from sqlalchemy.engine import make_url
from sqlalchemy.exc import DisconnectionError
from sqlalchemy.ext.asyncio import (
    AsyncEngine,
    AsyncSession,
    async_sessionmaker,
    create_async_engine,
)
from sqlalchemy.pool import ConnectionPoolEntry, PoolProxiedConnection

from app.core.config.db.fair_pool import FairAsyncAdaptedQueuePool
from app.core.config.settings import Settings


def async_database_url(url: str) -> str:
    """Return `url` with the asyncpg driver, accepting plain `postgresql://` URLs too."""
    parsed = make_url(url)
    if parsed.drivername in {"postgresql", "postgres", "postgresql+psycopg2", "postgresql+psycopg"}:
        parsed = parsed.set(drivername="postgresql+asyncpg")
    return parsed.render_as_string(hide_password=False)


def driver_connect_args(settings: Settings) -> dict[str, object]:
    """Arguments for each new asyncpg connection: its timeouts, and PgBouncer's needs.

    In transaction pooling mode each transaction of a client may run on another
    server connection, so a prepared statement is gone, or another client's, in
    the next one. Behind PgBouncer no statement is cached, neither by asyncpg
    (whose cache raw driver queries use too) nor by SQLAlchemy, and every one is
    unnamed: asyncpg then parses it again in the round trip that executes it.
    Unique names would only stop collisions: an autocommit read prepares and
    executes in two round trips, which may reach two server connections.

    Args:
        settings: Whether `DATABASE_URL` points at PgBouncer (`DATABASE_PGBOUNCER`).

    Returns:
        The `connect_args` of `create_async_engine`.
    """
    bounded: dict[str, object] = {
        "timeout": settings.database_connect_timeout_seconds,
        "command_timeout": settings.database_statement_timeout_seconds,
    }
    if not settings.database_pgbouncer:
        return bounded
    return {
        **bounded,
        "statement_cache_size": 0,
        "prepared_statement_cache_size": 0,
        "prepared_statement_name_func": lambda: "",
    }


def create_engine(settings: Settings, url: str) -> AsyncEngine:
    """Create the process' connection pool, sized from settings."""
    engine = create_async_engine(
        async_database_url(url),
        poolclass=FairAsyncAdaptedQueuePool,
        pool_size=settings.database_pool_size,
        max_overflow=settings.database_max_overflow,
        pool_timeout=settings.database_pool_timeout_seconds,
        pool_pre_ping=settings.database_pool_pre_ping,
        pool_recycle=settings.database_pool_recycle_seconds,
        echo=settings.database_echo,
        # Errors and logs must not carry values (password hashes, personal data).
        hide_parameters=True,
        connect_args=driver_connect_args(settings),
    )
    event.listen(engine.sync_engine.pool, "checkout", refuse_closed_connection)
    return engine


def refuse_closed_connection(
    dbapi_connection: Any, _record: ConnectionPoolEntry, _proxy: PoolProxiedConnection
) -> None:
    """Never lend a pooled connection the server already closed; the pool opens another.

    When PostgreSQL restarts or fails over it closes its connections, and the driver
    of each idle pooled one sees the socket close. Checking that costs nothing (no
    round trip, unlike pre-ping), so the first request after a restart gets a live
    connection; only connections cut without notice (a crash, a partition) are
    found by the query that uses them (see `Database.fetch_all`).

    Raises:
        DisconnectionError: the connection is closed (SQLAlchemy then checks out another).
    """
    if dbapi_connection.driver_connection.is_closed():
        raise DisconnectionError("the server closed this pooled connection")


def create_sessionmaker(engine: AsyncEngine) -> async_sessionmaker[AsyncSession]:
    """Sessions that keep loaded objects usable after commit."""
    return async_sessionmaker(engine, expire_on_commit=False, autoflush=False)


def create_read_sessionmaker(engine: AsyncEngine) -> async_sessionmaker[AsyncSession]:
    """Sessions for requests that only read: each statement runs on its own, in autocommit.

    A read needs no transaction around it, and opening one costs two round trips
    (BEGIN, then ROLLBACK when the session closes) on every request.
    """
    return create_sessionmaker(engine.execution_options(isolation_level="AUTOCOMMIT"))
