"""`python -m app seed`: realistic demo listings, committed for real (and removed afterwards)."""

import asyncio
import math
import re
from collections.abc import Iterator, Sequence
from typing import Any

import pytest
from sqlalchemy import delete, func, select
from sqlalchemy.ext.asyncio import AsyncSession, create_async_engine
from sqlalchemy.pool import NullPool
from typer.testing import CliRunner, Result

import app.__main__ as app_cli
from app.__main__ import cli
from app.core.config.db.database import Database
from app.features.real_estates.model import ListingStatus, PropertyKind, RealEstate, State
from app.features.real_estates.repository import RealEstateRepository
from app.features.real_estates.search import ListingFilters, ListingSort
from app.features.real_estates.seed import seed_owner_cpfs
from app.features.real_estates.seed_data import CITIES
from app.features.shared.text import search_key
from app.features.users.model import User
from app.wiring import Components

pytestmark = pytest.mark.usefixtures("restore_logging")

SEED_CPF_PREFIX = "9000000"
LISTINGS = 300
OWNERS = 3
SEED_SECRET = "seed-test-secret-that-is-long-enough-0123456789"
OWNER_PASSWORD = "demo owners' passphrase"


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
                RealEstate.lat,
                RealEstate.lng,
                RealEstate.kind,
                RealEstate.area_m2,
                RealEstate.bedrooms,
            ).where(RealEstate.owner_id.in_(owners))
            rows = list((await session.execute(query)).all())
            owner_count = await session.scalar(select(func.count()).select_from(owners.subquery()))
            found = await RealEstateRepository(Database.over(session)).search(
                ListingFilters(q="apartamento"), sort=ListingSort.NEWEST, after=None, limit=50
            )
            return rows, owner_count or 0, found
    finally:
        await engine.dispose()


@pytest.fixture
def env(database_url: str) -> dict[str, str | None]:
    """The CLI's environment: the test database, no owner password unless a test sets one."""
    return {
        "DATABASE_URL": database_url,
        "JWT_SECRET": SEED_SECRET,
        "ENVIRONMENT": "test",
        "SEED_OWNER_PASSWORD": None,
    }


@pytest.mark.usefixtures("seeded_rows_removed")
def test_seed_inserts_realistic_listings_that_the_search_finds(
    database_url: str, env: dict[str, str | None]
) -> None:
    result = CliRunner().invoke(
        cli, ["seed", "--listings", str(LISTINGS), "--owners", str(OWNERS)], env=env
    )

    assert result.exit_code == 0, result.output
    assert f"Inserted {LISTINGS} listings (seed 42).\n" in result.stdout
    rows, owner_count, found = asyncio.run(_seeded(database_url))
    assert len(rows) == LISTINGS
    assert owner_count == OWNERS
    assert {row.status for row in rows} == set(ListingStatus)
    assert all(row.state in set(State) for row in rows)
    assert all(re.fullmatch(r"\d{8}", row.postal_code) for row in rows)
    assert all(row.price_cents >= 0 for row in rows)
    assert all(row.city_key == search_key(row.city) for row in rows)
    assert all(_near_its_city(row) for row in rows)
    assert all(_plausible_area(row) for row in rows)
    seeded_ids = {row.id for row in rows}
    found_seeded = [listing for listing in found if listing.id in seeded_ids]
    assert found_seeded
    assert all(listing.status is ListingStatus.PUBLISHED for listing in found_seeded)
    assert any("apartamento" in listing.title.lower() for listing in found_seeded)


CENTRES = {name: centre for name, _state, centre, _neighborhoods in CITIES}


def _near_its_city(row: Any) -> bool:
    """Within the seed's radius of the city centre (a little more for rural land)."""
    lat, lng = CENTRES[row.city]
    reach = 0.45 if row.kind is PropertyKind.RURAL else 0.09
    east_west = (row.lng - lng) * math.cos(math.radians(lat))
    return math.hypot(row.lat - lat, east_west) <= reach


def _plausible_area(row: Any) -> bool:
    """Homes have room for their bedrooms: at least 12 m² each, at most 60."""
    area, bedrooms = float(row.area_m2), int(row.bedrooms)
    if row.kind not in (PropertyKind.APARTMENT, PropertyKind.HOUSE):
        return area > 0
    return 12 * bedrooms < area < 60 + 60 * bedrooms


async def _owner_hashes(database_url: str) -> dict[str, str]:
    engine = create_async_engine(database_url, poolclass=NullPool)
    try:
        async with engine.connect() as connection:
            query = select(User.cpf, User.password_hash).where(User.cpf.startswith(SEED_CPF_PREFIX))
            return {cpf: password_hash for cpf, password_hash in await connection.execute(query)}
    finally:
        await engine.dispose()


def _seed(env: dict[str, str | None], *args: str) -> Result:
    return CliRunner().invoke(cli, ["seed", "--owners", str(OWNERS), *args], env=env)


@pytest.mark.usefixtures("seeded_rows_removed")
def test_seed_again_with_the_same_seed_finds_its_listings_and_reuses_the_owners(
    database_url: str, env: dict[str, str | None]
) -> None:
    first = _seed(env, "--listings", "40")
    first_rows, _, _ = asyncio.run(_seeded(database_url))
    again = _seed(env, "--listings", "40")
    more = _seed(env, "--listings", "50")

    assert first.exit_code == 0, first.output
    assert again.exit_code == 0, again.output
    assert "Inserted 40 listings (seed 42).\n" in first.stdout
    assert (
        "All 40 listings of seed 42 are already in the database; nothing inserted. "
        "Use another --seed to add different ones.\n"
    ) in again.stdout
    assert f"{OWNERS} demo owners (none new) kept their passwords" in again.stdout
    assert more.exit_code == 0, more.output
    assert (
        "Inserted 10 listings of seed 42; the other 40 were already in the database.\n"
    ) in more.stdout
    rows, owner_count, _ = asyncio.run(_seeded(database_url))
    assert len(rows) == 50
    assert {row.id for row in first_rows} < {row.id for row in rows}
    assert owner_count == OWNERS


@pytest.mark.usefixtures("seeded_rows_removed")
def test_seed_in_several_batches_inserts_only_the_missing_ones(
    database_url: str, env: dict[str, str | None], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(app_cli, "SEED_BATCH_SIZE", 10)
    first = _seed(env, "--listings", "15")

    more = _seed(env, "--listings", "35")

    assert first.exit_code == 0, first.output
    assert more.exit_code == 0, more.output
    assert (
        "Inserted 20 listings of seed 42; the other 15 were already in the database.\n"
    ) in more.stdout
    rows, _, _ = asyncio.run(_seeded(database_url))
    assert len({row.id for row in rows}) == 35


@pytest.mark.usefixtures("seeded_rows_removed")
def test_seed_with_another_seed_adds_different_listings_for_the_same_owners(
    database_url: str, env: dict[str, str | None]
) -> None:
    first = _seed(env, "--listings", "30")
    other = _seed(env, "--listings", "30", "--seed", "7")

    assert first.exit_code == 0, first.output
    assert other.exit_code == 0, other.output
    assert "Inserted 30 listings (seed 7).\n" in other.stdout
    assert f"{OWNERS} demo owners (none new)" in other.stdout
    rows, owner_count, _ = asyncio.run(_seeded(database_url))
    assert len({row.id for row in rows}) == 60
    assert owner_count == OWNERS


@pytest.mark.usefixtures("seeded_rows_removed")
def test_seed_without_an_owner_password_says_the_owners_cannot_sign_in(
    database_url: str, env: dict[str, str | None]
) -> None:
    result = _seed(env, "--listings", "5")

    assert result.exit_code == 0, result.output
    assert (
        f"{OWNERS} demo owners ({OWNERS} new): the new ones got a random password, so nobody "
        "can sign in as them; set SEED_OWNER_PASSWORD and re-run to give them all one.\n"
    ) in result.stdout


@pytest.mark.usefixtures("seeded_rows_removed")
def test_seed_owner_password_lets_every_owner_sign_in_and_prints_their_cpfs(
    database_url: str, env: dict[str, str | None], components: Components
) -> None:
    _seed(env, "--listings", "5", "--owners", "1")  # one owner made without a password

    result = _seed({**env, "SEED_OWNER_PASSWORD": OWNER_PASSWORD}, "--listings", "5")

    assert result.exit_code == 0, result.output
    hashes = asyncio.run(_owner_hashes(database_url))
    cpfs = seed_owner_cpfs(OWNERS)
    assert sorted(hashes) == sorted(cpfs)
    assert (
        f"{OWNERS} demo owners ({OWNERS - 1} new) sign in with SEED_OWNER_PASSWORD and CPF "
        f"{', '.join(cpfs)}.\n"
    ) in result.stdout
    assert OWNER_PASSWORD not in result.output
    for password_hash in hashes.values():
        assert asyncio.run(components.hasher.verify(password_hash, OWNER_PASSWORD))


@pytest.mark.usefixtures("seeded_rows_removed")
def test_seed_refuses_a_weak_owner_password_before_inserting_anything(
    database_url: str, env: dict[str, str | None]
) -> None:
    result = _seed({**env, "SEED_OWNER_PASSWORD": "password123"}, "--listings", "5")

    assert result.exit_code == 2
    assert result.stderr == (
        "Error: SEED_OWNER_PASSWORD refused: This password is too common; choose another one.\n"
    )
    assert asyncio.run(_owner_hashes(database_url)) == {}
