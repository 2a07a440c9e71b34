"""The connection pool serves waiting requests in the order they asked."""

import asyncio
from collections.abc import AsyncIterator

import pytest
from sqlalchemy.exc import TimeoutError as PoolTimeout
from sqlalchemy.ext.asyncio import AsyncEngine, create_async_engine
from sqlalchemy.pool import AsyncAdaptedQueuePool, Pool
from sqlalchemy.util import greenlet_spawn

from app.core.config.db.engine import async_database_url
from app.core.config.db.fair_pool import FairAsyncAdaptedQueuePool


def _single_connection_engine(
    database_url: str, pool_class: type[Pool] = FairAsyncAdaptedQueuePool, timeout: float = 5
) -> AsyncEngine:
    """An engine whose pool holds a single connection."""
    return create_async_engine(
        async_database_url(database_url),
        poolclass=pool_class,
        pool_size=1,
        max_overflow=0,
        pool_timeout=timeout,
    )


@pytest.fixture(params=[FairAsyncAdaptedQueuePool, AsyncAdaptedQueuePool], ids=["fair", "stock"])
async def one_connection(
    database_url: str, request: pytest.FixtureRequest
) -> AsyncIterator[AsyncEngine]:
    """A single-connection engine with the fair pool, and one with SQLAlchemy's own."""
    engine = _single_connection_engine(database_url, request.param)
    yield engine
    await engine.dispose()


async def _served_order(engine: AsyncEngine) -> list[str]:
    """Who gets the connection when its holder gives it back and at once asks again."""
    served: list[str] = []
    holder = await engine.raw_connection()

    async def wait_turn(name: str) -> None:
        connection = await engine.raw_connection()
        served.append(name)
        await greenlet_spawn(connection.close)

    waiters = [asyncio.create_task(wait_turn(name)) for name in ("first", "second")]
    await asyncio.sleep(0.05)  # both are now waiting, in this order
    await greenlet_spawn(holder.close)
    await wait_turn("newcomer")  # asks in the same step that gave the connection back
    await asyncio.gather(*waiters)
    return served


async def test_waiting_checkouts_are_served_before_a_newcomer(one_connection: AsyncEngine) -> None:
    served = await _served_order(one_connection)

    if isinstance(one_connection.pool, FairAsyncAdaptedQueuePool):
        assert served == ["first", "second", "newcomer"]
    else:  # what the fair pool fixes: the newcomer takes the connection from the waiters
        assert served[0] == "newcomer"


async def test_a_checkout_that_waits_too_long_times_out(database_url: str) -> None:
    engine = _single_connection_engine(database_url, timeout=0.2)
    try:
        holder = await engine.raw_connection()
        with pytest.raises(PoolTimeout, match="QueuePool limit"):
            await engine.raw_connection()
        await greenlet_spawn(holder.close)
        again = await engine.raw_connection()  # the pool still works afterwards
        await greenlet_spawn(again.close)
    finally:
        await engine.dispose()


async def test_an_abandoned_checkout_does_not_take_the_connection_with_it(
    database_url: str,
) -> None:
    engine = _single_connection_engine(database_url)
    try:
        holder = await engine.raw_connection()
        abandoned = asyncio.create_task(engine.raw_connection())
        await asyncio.sleep(0.05)  # it waits for the connection
        abandoned.cancel()  # e.g. its client went away
        await asyncio.gather(abandoned, return_exceptions=True)
        await greenlet_spawn(holder.close)

        next_one = await asyncio.wait_for(engine.raw_connection(), timeout=1)

        assert abandoned.cancelled()
        await greenlet_spawn(next_one.close)
    finally:
        await engine.dispose()
