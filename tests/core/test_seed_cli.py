"""`python -m app seed`: realistic demo listings, committed for real (and removed afterwards)."""

import asyncio
import re
from collections.abc import Iterator, Sequence
from typing import Any

import pytest
from sqlalchemy import delete, func, select
from sqlalchemy.ext.asyncio import AsyncSession, create_async_engine
from sqlalchemy.pool import NullPool
from typer.testing import CliRunner

from app.__main__ import cli
from app.features.real_estates.model import ListingStatus, RealEstate, State
from app.features.real_estates.repository import RealEstateRepository
from app.features.real_estates.search import ListingFilters, ListingSort
from app.features.shared.text import search_key
from app.features.users.model import User

pytestmark = pytest.mark.usefixtures("restore_logging")

SEED_CPF_PREFIX = "9000000"
LISTINGS = 300
OWNERS = 3
SEED_SECRET = "seed-test-secret-that-is-long-enough-0123456789"


async def _remove_seeded(database_url: str) -> None:
    engine = create_async_engine(database_url, poolclass=NullPool)
    try:
        async with engine.begin() as connection:
            owners = select(User.id).where(User.cpf.startswith(SEED_CPF_PREFIX))
            await connection.execute(delete(RealEstate).where(RealEstate.owner_id.in_(owners)))
            await connection.execute(delete(User).where(User.cpf.startswith(SEED_CPF_PREFIX)))
    finally:
        await engine.dispose()


@pytest.fixture
def seeded_rows_removed(database_url: str) -> Iterator[None]:
    """Whatever the seed commits, under the seed owners' CPFs, is deleted afterwards."""
    asyncio.run(_remove_seeded(database_url))
    try:
        yield
    finally:
        asyncio.run(_remove_seeded(database_url))


async def _seeded(database_url: str) -> tuple[list[Any], int, Sequence[RealEstate]]:
    """The seeded listings' columns, the seed owners' count and a search for "apartamento"."""
    engine = create_async_engine(database_url, poolclass=NullPool)
    try:
        async with AsyncSession(engine) as session:
            owners = select(User.id).where(User.cpf.startswith(SEED_CPF_PREFIX))
            query = select(
                RealEstate.id,
                RealEstate.status,
                RealEstate.state,
                RealEstate.postal_code,
                RealEstate.price_cents,
                RealEstate.city,
                RealEstate.city_key,
            ).where(RealEstate.owner_id.in_(owners))
            rows = list((await session.execute(query)).all())
            owner_count = await session.scalar(select(func.count()).select_from(owners.subquery()))
            found = await RealEstateRepository(session).search(
                ListingFilters(q="apartamento"), sort=ListingSort.NEWEST, after=None, limit=50
            )
            return rows, owner_count or 0, found
    finally:
        await engine.dispose()


@pytest.mark.usefixtures("seeded_rows_removed")
def test_seed_inserts_realistic_listings_that_the_search_finds(database_url: str) -> None:
    env = {"DATABASE_URL": database_url, "JWT_SECRET": SEED_SECRET, "ENVIRONMENT": "test"}

    result = CliRunner().invoke(
        cli, ["seed", "--listings", str(LISTINGS), "--owners", str(OWNERS)], env=env
    )

    assert result.exit_code == 0, result.output
    assert f"Inserted {LISTINGS} listings." in result.output
    rows, owner_count, found = asyncio.run(_seeded(database_url))
    assert len(rows) == LISTINGS
    assert owner_count == OWNERS
    assert {row.status for row in rows} == set(ListingStatus)
    assert all(row.state in set(State) for row in rows)
    assert all(re.fullmatch(r"\d{8}", row.postal_code) for row in rows)
    assert all(row.price_cents >= 0 for row in rows)
    assert all(row.city_key == search_key(row.city) for row in rows)
    seeded_ids = {row.id for row in rows}
    found_seeded = [listing for listing in found if listing.id in seeded_ids]
    assert found_seeded
    assert all(listing.status is ListingStatus.PUBLISHED for listing in found_seeded)
    assert any("apartamento" in listing.title.lower() for listing in found_seeded)
