"""Twin requests with one key, on connections of their own: one runs, the other waits."""

import asyncio
from collections.abc import AsyncIterator, Awaitable, Callable
from datetime import timedelta
from uuid import UUID, uuid4

import pytest
from result import Err, Ok, Result
from sqlalchemy import delete, func, select
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession

from app.core.config.db.database import Database
from app.core.errors.catalogue import IdempotencyKeyInUse, NotFound
from app.features.idempotency.model import IdempotencyRecord
from app.features.idempotency.repository import IdempotencyRepository
from app.features.idempotency.response import StoredResponse
from app.features.idempotency.service import Idempotency, KeyedRequest, KeyProblem
from app.features.shared.unit_of_work import UnitOfWork

REQUEST = KeyedRequest.of("twin", "createThing", {"name": "x"})
Perform = Callable[[], Awaitable[Result[StoredResponse, NotFound]]]


@pytest.fixture
async def user_id(engine: AsyncEngine) -> AsyncIterator[UUID]:
    """A user id whose records are committed for real, and deleted afterwards."""
    user = uuid4()
    yield user
    async with AsyncSession(engine) as cleanup:
        await cleanup.execute(delete(IdempotencyRecord).where(IdempotencyRecord.user_id == user))
        await cleanup.commit()


async def once(
    engine: AsyncEngine, user: UUID, perform: Perform, *, wait: float = 5.0
) -> Result[StoredResponse, NotFound | KeyProblem]:
    async with AsyncSession(engine, expire_on_commit=False) as session:
        database = Database.over(session)
        idempotency = Idempotency(
            uow=UnitOfWork(database),
            records=IdempotencyRepository(database),
            lifetime=timedelta(hours=1),
            twin_wait_seconds=wait,
        )
        return await idempotency.once(user, REQUEST, perform)


class Gate:
    """Holds a write inside its transaction (key claimed) until released."""

    def __init__(self) -> None:
        self.entered = asyncio.Event()
        self.released = asyncio.Event()


def answering(body: bytes, *, runs: list[bytes], gate: Gate | None = None) -> Perform:
    async def perform() -> Result[StoredResponse, NotFound]:
        runs.append(body)
        if gate is not None:
            gate.entered.set()
            await gate.released.wait()
        return Ok(StoredResponse(201, {"Location": "/things/1"}, body))

    return perform


async def test_a_twin_waits_for_the_first_and_gets_its_answer(
    engine: AsyncEngine, user_id: UUID
) -> None:
    runs: list[bytes] = []
    gate = Gate()
    first = asyncio.create_task(once(engine, user_id, answering(b"first", runs=runs, gate=gate)))
    await gate.entered.wait()
    twin = asyncio.create_task(once(engine, user_id, answering(b"twin", runs=runs)))
    await asyncio.sleep(0.3)
    assert not twin.done()

    gate.released.set()
    async with asyncio.timeout(30):
        results = await asyncio.gather(first, twin)

    assert runs == [b"first"]
    assert [result.unwrap().body for result in results] == [b"first", b"first"]
    assert [result.unwrap().replayed for result in results] == [False, True]
    assert results[1].unwrap().headers == {"Location": "/things/1"}


async def test_a_twin_that_waits_too_long_is_told_to_retry_and_the_first_still_lands(
    engine: AsyncEngine, user_id: UUID
) -> None:
    runs: list[bytes] = []
    gate = Gate()
    first = asyncio.create_task(once(engine, user_id, answering(b"first", runs=runs, gate=gate)))
    await gate.entered.wait()

    async with asyncio.timeout(30):
        twin = await once(engine, user_id, answering(b"twin", runs=runs), wait=0.2)
    gate.released.set()
    async with asyncio.timeout(30):
        landed = await first

    assert isinstance(twin, Err)
    assert isinstance(twin.err_value, IdempotencyKeyInUse)
    assert twin.err_value.headers == {"Retry-After": "1"}
    assert landed.unwrap().body == b"first"
    assert runs == [b"first"]
    async with asyncio.timeout(30):
        retry = await once(engine, user_id, answering(b"retry", runs=runs))
    assert (retry.unwrap().body, retry.unwrap().replayed) == (b"first", True)


async def test_a_failed_write_releases_its_key(engine: AsyncEngine, user_id: UUID) -> None:
    async def fail() -> Result[StoredResponse, NotFound]:
        return Err(NotFound())

    refused = await once(engine, user_id, fail)
    runs: list[bytes] = []
    accepted = await once(engine, user_id, answering(b"later", runs=runs))

    assert refused == Err(NotFound())
    assert (accepted.unwrap().body, accepted.unwrap().replayed) == (b"later", False)
    async with AsyncSession(engine) as check:
        count = select(func.count()).where(IdempotencyRecord.user_id == user_id)
        assert await check.scalar(count) == 1


def test_the_fingerprint_tells_operations_and_bodies_apart() -> None:
    same = KeyedRequest.of("k", "createThing", {"b": 1, "a": [1, 2]})
    reordered = KeyedRequest.of("k", "createThing", {"a": [1, 2], "b": 1})
    other_body = KeyedRequest.of("k", "createThing", {"a": [2, 1], "b": 1})
    other_operation = KeyedRequest.of("k", "createOther", {"b": 1, "a": [1, 2]})

    assert same.fingerprint == reordered.fingerprint
    assert len({same.fingerprint, other_body.fingerprint, other_operation.fingerprint}) == 3
