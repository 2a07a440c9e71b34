"""Readiness of the database: it answers in time and its schema is at the latest migration."""

import asyncio
import logging

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine

logger = logging.getLogger(__name__)


async def database_problem(
    engine: AsyncEngine, *, expected_head: str | None, within_seconds: float
) -> str | None:
    """Why the database cannot serve traffic, or None when it can."""
    try:
        async with asyncio.timeout(within_seconds), engine.connect() as connection:
            revision = await connection.scalar(text("SELECT version_num FROM alembic_version"))
    except TimeoutError:
        return f"The database did not answer within {within_seconds:g} s."
    except Exception as error:
        # Refused, starting up, shutting down, no schema: all mean "not ready", never a 500.
        logger.warning("readiness check failed: %s", type(error).__name__)
        return "The database is unreachable, starting or stopping, or has no schema."
    if revision != expected_head:
        return f"The schema is at revision {revision}, not at {expected_head}: run the migrations."
    return None


async def warm_pool(engine: AsyncEngine, *, connections: int, within_seconds: float) -> None:
    """Open `connections` pooled connections up front, so first requests do not pay for them."""

    async def open_one() -> None:
        async with engine.connect() as connection:
            await connection.execute(text("SELECT 1"))
            await asyncio.sleep(0.05)  # hold it, so the next one opens a new connection

    try:
        async with asyncio.timeout(within_seconds):
            await asyncio.gather(*(open_one() for _ in range(connections)))
    except Exception as error:
        logger.warning("could not warm the connection pool: %s", type(error).__name__)
