"""Alembic environment: runs migrations over an async engine."""

import asyncio
from logging.config import fileConfig

from alembic import context
from sqlalchemy.engine import Connection
from sqlalchemy.ext.asyncio import create_async_engine

from app.core.config.db.engine import async_database_url
from app.core.config.settings import Settings
from migrations.models import Base

config = context.config
if config.config_file_name is not None and config.attributes.get("configure_logger", True):
    fileConfig(config.config_file_name, disable_existing_loggers=False)

target_metadata = Base.metadata


def database_url() -> str:
    """The URL given by the caller, else DATABASE_URL from the settings."""
    if url := config.attributes.get("database_url"):
        return async_database_url(str(url))
    settings = Settings()
    if settings.database_url is None:
        raise SystemExit("DATABASE_URL is not set; nothing to migrate.")
    return async_database_url(settings.database_url.get_secret_value())


def run_migrations_offline() -> None:
    """Emit SQL to stdout instead of running it."""
    context.configure(
        url=database_url(),
        target_metadata=target_metadata,
        literal_binds=True,
        dialect_opts={"paramstyle": "named"},
        compare_type=True,
    )
    with context.begin_transaction():
        context.run_migrations()


def _run(connection: Connection) -> None:
    context.configure(connection=connection, target_metadata=target_metadata, compare_type=True)
    with context.begin_transaction():
        context.run_migrations()


async def run_migrations_online() -> None:
    """Run migrations on a connection opened here."""
    engine = create_async_engine(database_url())
    async with engine.connect() as connection:
        await connection.run_sync(_run)
    await engine.dispose()


if context.is_offline_mode():
    run_migrations_offline()
elif (given := config.attributes.get("connection")) is not None:
    # The caller holds a connection (e.g. scripts/migrate.py, under its advisory lock).
    _run(given)
else:
    asyncio.run(run_migrations_online())
