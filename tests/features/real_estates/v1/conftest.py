"""Fixtures and factories of the real-estate tests (names prefixed `re_` to stay distinct).

The first part builds listings in the database, for the service and repository tests; the
second drives the HTTP API, for the integration modules.
"""

from collections.abc import AsyncIterator, Awaitable, Callable
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any
from uuid import UUID

import httpx
import pytest
from sqlalchemy import delete, event, select
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine, AsyncSession

from app.core.config.db.database import Database
from app.features.idempotency.response import StoredResponse
from app.features.real_estates.commands import ADDRESS_FIELDS, Address, NewListing
from app.features.real_estates.model import (
    ListingStatus,
    PropertyKind,
    Purpose,
    RealEstate,
    State,
)
from app.features.real_estates.repository import RealEstateRepository
from app.features.real_estates.search import ListingSort
from app.features.real_estates.service import RealEstateService
from app.features.users.model import Role, User
from app.wiring import Components, build_real_estate_service
from tests.conftest import MakeToken, MakeUser, bearer, cpf_from_seed

START = datetime(2024, 1, 1, tzinfo=UTC)


def listing_values(**overrides: Any) -> dict[str, Any]:
    """Valid column values of a listing (as a client would send them), with `overrides`."""
    values: dict[str, Any] = {
        "title": "Apartamento com varanda",
        "description": "Sala ampla, dois quartos e vaga coberta.",
        "kind": PropertyKind.APARTMENT,
        "purpose": Purpose.SALE,
        "price_cents": 50_000_000,
        "area_m2": Decimal("80.00"),
        "bedrooms": 2,
        "street": "Rua Augusta",
        "number": "100",
        "neighborhood": "Consolação",
        "city": "São Paulo",
        "state": State.SP,
        "postal_code": "01310100",
    }
    return {**values, **overrides}


def listing_command(**overrides: Any) -> NewListing:
    """A valid registration, as the service takes it; `overrides` may name address fields."""
    values = listing_values(**overrides)
    address = Address(**{name: values.pop(name) for name in ADDRESS_FIELDS if name in values})
    return NewListing(**values, address=address)


def new_listing(
    owner_id: UUID, *, status: ListingStatus = ListingStatus.PUBLISHED, **overrides: Any
) -> RealEstate:
    """An unsaved listing, published at START unless told otherwise, with its search keys."""
    values = listing_values(**overrides)
    if status is ListingStatus.PUBLISHED:
        values.setdefault("published_at", START)
    address = Address(**{name: values.pop(name) for name in ADDRESS_FIELDS if name in values})
    return RealEstate(owner_id=owner_id, status=status, **values, **address.columns())


async def stored(session: AsyncSession, listing_id: UUID, *columns: Any) -> tuple[Any, ...] | None:
    """`columns` of a listing's row as the database holds it now; None when there is no row."""
    query = select(*(columns or (RealEstate.id,))).where(RealEstate.id == listing_id)
    row = (await session.execute(query)).one_or_none()
    return None if row is None else tuple(row)


def answer_with_id(listing: RealEstate) -> StoredResponse:
    """A `respond` for the service's `create`: the new listing's id as the body."""
    return StoredResponse(status_code=201, headers={}, body=str(listing.id).encode())


# The sorts on a column of the listing (`distance` needs a point: see the map search tests).
COLUMN_SORTS = [sort for sort in ListingSort if sort is not ListingSort.DISTANCE]


def in_order(listings: list[RealEstate], sort: ListingSort) -> list[UUID]:
    """Ids of `listings` in `sort` order, ties broken by id in the same direction."""
    ordered = sorted(listings, key=lambda item: (getattr(item, sort.column), item.id))
    return [item.id for item in (reversed(ordered) if sort.descending else ordered)]


MakeListing = Callable[..., Awaitable[RealEstate]]
Actor = Callable[[str], Awaitable[User | None]]


@pytest.fixture
async def re_owner(make_user: MakeUser) -> User:
    """A collector who owns the listings the factories make."""
    return await make_user(name="Listing Owner")


@pytest.fixture
def re_repository(session: AsyncSession) -> RealEstateRepository:
    """The listing repository over the test session."""
    return RealEstateRepository(Database.over(session))


@pytest.fixture
def re_service(session: AsyncSession, components: Components) -> RealEstateService:
    """The listing service, wired by the composition root."""
    return build_real_estate_service(Database.over(session), components)


@pytest.fixture
def re_make_listing(session: AsyncSession, re_owner: User) -> MakeListing:
    """Insert a listing (published by default) owned by `re_owner` unless `owner_id` is given."""

    async def _make_listing(**overrides: Any) -> RealEstate:
        owner_id = overrides.pop("owner_id", re_owner.id)
        listing = new_listing(owner_id, **overrides)
        session.add(listing)
        await session.flush()
        return listing

    return _make_listing


@pytest.fixture
def re_actor(re_owner: User, make_user: MakeUser) -> Actor:
    """The listings' owner, an admin, another collector or nobody, by "owner", "admin"..."""

    async def _actor(kind: str) -> User | None:
        if kind == "owner":
            return re_owner
        if kind == "admin":
            return await make_user(name="Site Admin", role=Role.ADMIN)
        return await make_user(name="Someone Else") if kind == "other" else None

    return _actor


# What asyncpg sends on its own the first time a connection meets a type (enums).
_DRIVER_INTROSPECTION = ("typeinfo_tree", "set_config('jit'", "current_setting('jit')")


@pytest.fixture
async def re_statements(session: AsyncSession) -> AsyncIterator[list[tuple[str, Any]]]:
    """The SQL statements, with their parameters, the test's connection sends during the test.

    ORM statements are recorded by SQLAlchemy; the reads that skip the ORM by the
    driver, which reports them on the next turn of the event loop.
    """
    assert isinstance(session.bind, AsyncConnection)
    driver = (await session.bind.get_raw_connection()).driver_connection
    assert driver is not None
    sent: list[tuple[str, Any]] = []

    def record_orm(*args: Any) -> None:
        sent.append((args[2], args[3]))

    def record_driver(query: Any) -> None:
        if not any(marker in query.query.lower() for marker in _DRIVER_INTROSPECTION):
            sent.append((query.query, query.args))

    event.listen(session.bind.sync_connection, "before_cursor_execute", record_orm)
    driver.add_query_logger(record_driver)
    yield sent
    driver.remove_query_logger(record_driver)
    event.remove(session.bind.sync_connection, "before_cursor_execute", record_orm)


@pytest.fixture
async def re_committed_listing(engine: AsyncEngine) -> AsyncIterator[tuple[User, RealEstate]]:
    """An owner and their published listing committed for real, outside the test transaction.

    For tests that need several connections; deleting the owner afterwards cascades to the
    listing, so nothing is left for the next test.
    """
    owner = User(name="Race Owner", cpf=cpf_from_seed(987_654), password_hash="not-a-real-hash")
    listing = new_listing(owner.id, title="Original")
    async with AsyncSession(engine, expire_on_commit=False) as setup:
        setup.add(owner)
        await setup.flush()
        setup.add(listing)
        await setup.commit()
    try:
        yield owner, listing
    finally:
        async with AsyncSession(engine) as cleanup:
            await cleanup.execute(delete(User).where(User.id == owner.id))
            await cleanup.commit()


# --- Through the HTTP API -------------------------------------------------------------------

BASE = "/api/v1/real-estates"
MINE = "/api/v1/users/me/real-estates"

ADDRESS: dict[str, Any] = {
    "street": "Avenida Paulista",
    "number": "1578",
    "complement": "Apto 12",
    "neighborhood": "Bela Vista",
    "city": "São Paulo",
    "state": "SP",
    "postal_code": "01310-100",
}
LISTING: dict[str, Any] = {
    "title": "Apartamento com varanda perto do metrô",
    "description": "Sala ampla, dois quartos, sol da manhã.",
    "kind": "apartment",
    "purpose": "sale",
    "price_cents": 85_000_000,
    "condo_fee_cents": 95_000,
    "iptu_cents": 240_000,
    "area_m2": 72.5,
    "bedrooms": 2,
    "bathrooms": 2,
    "parking_spaces": 1,
    "address": ADDRESS,
    "location": {"lat": -23.5613, "lng": -46.6565},
}


async def act(
    client: httpx.AsyncClient, token: str, listing_id: str, *actions: str
) -> dict[str, Any]:
    """Apply workflow `actions` (publish, archive, draft) in order; the last body."""
    body: dict[str, Any] = {}
    for action in actions:
        response = await client.post(f"{BASE}/{listing_id}/{action}", headers=bearer(token))
        assert response.status_code == 200, response.text
        body = response.json()
    return body


async def create_listing(
    client: httpx.AsyncClient, token: str, *actions: str, **overrides: Any
) -> dict[str, Any]:
    """Register a valid listing (LISTING with `overrides`), then apply `actions`; the last body."""
    response = await client.post(BASE, headers=bearer(token), json={**LISTING, **overrides})
    assert response.status_code == 201, response.text
    body: dict[str, Any] = response.json()
    return await act(client, token, body["id"], *actions) if actions else body


async def stored_listing(session: AsyncSession, listing_id: str | UUID) -> RealEstate | None:
    """The listing's row as the database holds it now; None when there is no row."""
    session.expunge_all()
    row: RealEstate | None = await session.scalar(
        select(RealEstate).where(RealEstate.id == UUID(str(listing_id)))
    )
    return row


@pytest.fixture
async def re_owner_token(re_owner: User, sign_in: MakeToken) -> str:
    """The access token of `re_owner`, who registers the listings."""
    return await sign_in(re_owner)


@pytest.fixture
async def re_other_token(make_user: MakeUser, sign_in: MakeToken) -> str:
    """The access token of a collector who owns none of the listings."""
    return await sign_in(await make_user(name="Otto Other"))


@pytest.fixture
async def re_admin_token(make_user: MakeUser, sign_in: MakeToken) -> str:
    """An admin's access token."""
    return await sign_in(await make_user(name="Root Admin", role=Role.ADMIN))


@pytest.fixture
async def re_draft(client: httpx.AsyncClient, re_owner_token: str) -> dict[str, Any]:
    """A draft of LISTING that `re_owner` registered through the API: the answered body."""
    return await create_listing(client, re_owner_token)


def editing(token: str, if_match: str = '"1"') -> dict[str, str]:
    """Headers of a signed-in edit: the bearer token and the `If-Match` a PATCH requires."""
    return {**bearer(token), "If-Match": if_match}
