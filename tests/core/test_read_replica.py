"""DATABASE_READ_URL: anonymous reads go to the replica, writes and signed-in reads to the primary.

The "replica" here is a second database with the same schema and different rows, so
every answer shows which database it came from (and a replica that lags behind).
"""

from collections.abc import AsyncIterator, Iterator, Sequence
from dataclasses import dataclass
from typing import Any
from uuid import UUID

import httpx
import pytest
from pydantic import SecretStr
from sqlalchemy import delete, select
from sqlalchemy.ext.asyncio import AsyncSession, create_async_engine
from sqlalchemy.pool import NullPool

from app.core.config.settings import Settings
from app.features.real_estates.model import RealEstate
from app.features.users.model import User
from app.main import create_app
from tests.conftest import PASSWORD, bearer, cpf_from_seed
from tests.database import migrated_database
from tests.features.real_estates.v1.conftest import BASE, LISTING, new_listing


@dataclass
class Databases:
    """The two databases, and the id of a published listing only the replica holds."""

    primary_url: str
    replica_url: str
    replica_only: UUID


@pytest.fixture(scope="module")
def replica_url(server_url: str) -> Iterator[str]:
    """A second migrated database standing in for the replica."""
    with migrated_database(server_url) as url:
        yield url


async def _write(url: str, *rows: Any) -> None:
    engine = create_async_engine(url, poolclass=NullPool)
    try:
        async with AsyncSession(engine, expire_on_commit=False) as session:
            for row in rows:
                session.add(row)
                await session.flush()
            await session.commit()
    finally:
        await engine.dispose()


async def _rows(url: str, model: Any, *conditions: Any) -> list[Any]:
    engine = create_async_engine(url, poolclass=NullPool)
    try:
        async with AsyncSession(engine) as session:
            return list((await session.scalars(select(model).where(*conditions))).all())
    finally:
        await engine.dispose()


async def _delete_users(url: str, cpfs: Sequence[str]) -> None:
    engine = create_async_engine(url, poolclass=NullPool)
    try:
        async with AsyncSession(engine) as session:
            await session.execute(delete(User).where(User.cpf.in_(cpfs)))  # cascades to listings
            await session.commit()
    finally:
        await engine.dispose()


CPFS = [cpf_from_seed(seed) for seed in (811_001, 811_002)]


@pytest.fixture
async def databases(database_url: str, replica_url: str) -> AsyncIterator[Databases]:
    """Committed rows in both databases, removed afterwards."""
    owner = User(name="Replica Owner", cpf=CPFS[0], password_hash="not-a-real-hash")
    listing = new_listing(owner.id, title="Só na réplica")
    await _write(replica_url, owner, listing)
    try:
        yield Databases(database_url, replica_url, listing.id)
    finally:
        for url in (database_url, replica_url):
            await _delete_users(url, CPFS)


@pytest.fixture
async def client(settings: Settings, databases: Databases) -> AsyncIterator[httpx.AsyncClient]:
    """The app with its real lifespan over the primary and the replica."""
    app = create_app(
        settings.model_copy(update={"database_read_url": SecretStr(databases.replica_url)})
    )
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://test") as http:
            yield http


async def _signed_in_owner_listing(client: httpx.AsyncClient) -> tuple[str, str]:
    """Sign up on the primary, register and publish a listing; its id and the token."""
    signed_up = {"name": "Primary Owner", "cpf": CPFS[1], "password": PASSWORD}
    assert (await client.post("/api/v1/users", json=signed_up)).status_code == 201
    credentials = {"cpf": CPFS[1], "password": PASSWORD}
    token = (await client.post("/api/v1/sign-in", json=credentials)).json()["access_token"]
    created = await client.post(BASE, json=LISTING, headers=bearer(token))
    assert created.status_code == 201, created.text
    listing_id = created.json()["id"]
    published = await client.post(
        f"{BASE}/{listing_id}/publish", headers={**bearer(token), "If-Match": '"1"'}
    )
    assert published.status_code == 200, published.text
    return listing_id, token


async def test_anonymous_reads_come_from_the_replica(
    client: httpx.AsyncClient, databases: Databases
) -> None:
    replica_only = databases.replica_only

    by_id = await client.get(f"{BASE}/{replica_only}")
    search = await client.get(BASE, params={"q": "réplica"})

    assert by_id.status_code == 200, by_id.text
    assert by_id.json()["title"] == "Só na réplica"
    assert [item["id"] for item in search.json()["items"]] == [str(replica_only)]


async def test_writes_go_to_the_primary_and_the_writer_reads_them_at_once(
    client: httpx.AsyncClient, databases: Databases
) -> None:
    listing_id, token = await _signed_in_owner_listing(client)

    own_read = await client.get(f"{BASE}/{listing_id}", headers=bearer(token))
    anonymous_read = await client.get(f"{BASE}/{listing_id}")

    assert own_read.status_code == 200, own_read.text
    assert own_read.json()["status"] == "published"
    # The "replica" never receives it (as one lagging behind would not yet have it).
    assert anonymous_read.status_code == 404
    primary_rows = await _rows(databases.primary_url, RealEstate, RealEstate.id == UUID(listing_id))
    replica_rows = await _rows(databases.replica_url, RealEstate, RealEstate.id == UUID(listing_id))
    assert [row.title for row in primary_rows] == [LISTING["title"]]
    assert replica_rows == []


async def test_signed_in_reads_come_from_the_primary(
    client: httpx.AsyncClient, databases: Databases
) -> None:
    _, token = await _signed_in_owner_listing(client)

    response = await client.get(f"{BASE}/{databases.replica_only}", headers=bearer(token))

    assert response.status_code == 404
    assert response.headers["content-type"] == "application/problem+json"
