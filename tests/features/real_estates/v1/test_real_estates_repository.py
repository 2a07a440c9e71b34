"""RealEstateRepository against a real PostgreSQL: writes, versioned updates, search and pages."""

import asyncio
from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any
from uuid import UUID, uuid4

import pytest
from result import Err, Ok
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from app.core.errors.catalogue import UserNotFound
from app.features.real_estates.exceptions import RealEstateNotFound
from app.features.real_estates.model import ListingStatus, PropertyKind, Purpose, RealEstate, State
from app.features.real_estates.repository import RealEstateRepository
from app.features.real_estates.search import ListingFilters, ListingSort
from app.features.users.model import User
from tests.conftest import MakeUser
from tests.features.real_estates.v1.conftest import (
    COLUMN_SORTS,
    START,
    MakeListing,
    in_order,
    new_listing,
    stored,
)


def sort_key(listing: RealEstate, sort: ListingSort) -> Any:
    """The value `sort` orders `listing` by."""
    return getattr(listing, sort.column)


async def test_add_inserts_the_listing_and_get_returns_it(
    re_repository: RealEstateRepository, session: AsyncSession, re_owner: User
) -> None:
    listing = (
        await re_repository.add(new_listing(re_owner.id, status=ListingStatus.DRAFT))
    ).unwrap()

    found = await re_repository.get(listing.id)

    assert found == Ok(listing)
    columns = (RealEstate.owner_id, RealEstate.status, RealEstate.version, RealEstate.city_key)
    assert await stored(session, listing.id, *columns) == (
        re_owner.id,
        ListingStatus.DRAFT,
        1,
        "sao paulo",
    )


async def test_get_of_an_unknown_id_is_real_estate_not_found(
    re_repository: RealEstateRepository,
) -> None:
    found = await re_repository.get(uuid4())

    assert found == Err(RealEstateNotFound())


async def test_update_versioned_applies_values_and_bumps_version_and_updated_at_in_one_statement(
    re_repository: RealEstateRepository,
    re_make_listing: MakeListing,
    session: AsyncSession,
    re_statements: list[tuple[str, Any]],
) -> None:
    listing = await re_make_listing(updated_at=START)
    re_statements.clear()

    updated = await re_repository.update_versioned(
        listing.id, {"title": "Novo título"}, expected_versions={1}
    )
    await asyncio.sleep(0)  # the driver reports statements on the next loop turn

    assert len(re_statements) == 1
    assert re_statements[0][0].startswith("UPDATE real_estates")
    assert updated is not None
    assert (updated.title, updated.version) == ("Novo título", 2)
    row = await stored(session, listing.id, RealEstate.title, RealEstate.version)
    assert row == ("Novo título", 2)
    updated_at = await session.scalar(
        select(RealEstate.updated_at).where(RealEstate.id == listing.id)
    )
    assert updated_at is not None
    assert updated_at > START


async def test_update_versioned_with_a_stale_version_returns_none_and_changes_nothing(
    re_repository: RealEstateRepository, re_make_listing: MakeListing, session: AsyncSession
) -> None:
    listing = await re_make_listing(updated_at=START, version=3)

    updated = await re_repository.update_versioned(
        listing.id, {"title": "Novo título"}, expected_versions={2}
    )

    assert updated is None
    columns = (RealEstate.title, RealEstate.version, RealEstate.updated_at)
    assert await stored(session, listing.id, *columns) == ("Apartamento com varanda", 3, START)


async def test_update_versioned_without_expected_versions_always_applies(
    re_repository: RealEstateRepository, re_make_listing: MakeListing, session: AsyncSession
) -> None:
    listing = await re_make_listing(version=7)

    first = await re_repository.update_versioned(
        listing.id, {"bedrooms": 4}, expected_versions=None
    )
    second = await re_repository.update_versioned(
        listing.id, {"bedrooms": 5}, expected_versions=None
    )

    assert first is not None
    assert second is not None
    assert await stored(session, listing.id, RealEstate.bedrooms, RealEstate.version) == (5, 9)


async def test_delete_removes_only_that_listing(
    re_repository: RealEstateRepository, re_make_listing: MakeListing, session: AsyncSession
) -> None:
    kept = await re_make_listing()
    gone = await re_make_listing()

    await re_repository.delete(gone.id)

    assert (await session.scalars(select(RealEstate.id))).all() == [kept.id]


async def test_search_returns_only_published_listings(
    re_repository: RealEstateRepository, re_make_listing: MakeListing
) -> None:
    published = await re_make_listing()
    await re_make_listing(status=ListingStatus.DRAFT)
    await re_make_listing(status=ListingStatus.ARCHIVED)

    found = await re_repository.search(
        ListingFilters(), sort=ListingSort.NEWEST, after=None, limit=10
    )

    assert [listing.id for listing in found] == [published.id]


CATALOGUE: dict[str, dict[str, Any]] = {
    "a": {"city": "São Paulo", "neighborhood": "Consolação", "state": State.SP},
    "b": {
        "city": "Rio de Janeiro",
        "neighborhood": "Copacabana",
        "state": State.RJ,
        "kind": PropertyKind.HOUSE,
        "purpose": Purpose.RENT,
        "price_cents": 300_000,
        "bedrooms": 3,
        "area_m2": Decimal("120.00"),
    },
    "c": {
        "city": "Campinas",
        "neighborhood": "Cambuí",
        "state": State.SP,
        "kind": PropertyKind.LAND,
        "price_cents": 20_000_000,
        "bedrooms": 0,
        "area_m2": Decimal("300.00"),
    },
    "d": {
        "city": "Belo Horizonte",
        "neighborhood": "Savassi",
        "state": State.MG,
        "kind": PropertyKind.COMMERCIAL,
        "purpose": Purpose.RENT,
        "price_cents": 800_000,
        "bedrooms": 0,
        "area_m2": Decimal("45.50"),
    },
}


@pytest.mark.parametrize(
    ("filters", "expected"),
    [
        (ListingFilters(city="SAO PAULO"), "a"),
        (ListingFilters(city="  são   paulo "), "a"),
        (ListingFilters(neighborhood="consolacao"), "a"),
        (ListingFilters(neighborhood="CAMBUÍ"), "c"),
        (ListingFilters(state=State.SP), "ac"),
        (ListingFilters(kind=PropertyKind.HOUSE), "b"),
        (ListingFilters(purpose=Purpose.RENT), "bd"),
        (ListingFilters(min_price=20_000_000), "ac"),
        (ListingFilters(max_price=800_000), "bd"),
        (ListingFilters(min_bedrooms=2), "ab"),
        (ListingFilters(min_area=Decimal("120")), "bc"),
        (ListingFilters(max_area=Decimal("80")), "ad"),
    ],
    ids=[
        "city-upper-case",
        "city-accents-and-spaces",
        "neighborhood-no-accent",
        "neighborhood-upper-case",
        "state",
        "kind",
        "purpose",
        "min-price-inclusive",
        "max-price-inclusive",
        "min-bedrooms",
        "min-area-inclusive",
        "max-area",
    ],
)
async def test_search_applies_each_filter_alone(
    re_repository: RealEstateRepository,
    re_make_listing: MakeListing,
    filters: ListingFilters,
    expected: str,
) -> None:
    made = {label: await re_make_listing(**values) for label, values in CATALOGUE.items()}

    found = await re_repository.search(filters, sort=ListingSort.PRICE_ASC, after=None, limit=10)

    assert sorted(listing.id for listing in found) == sorted(made[label].id for label in expected)


@pytest.mark.parametrize(
    ("q", "expected"),
    [
        ("sao paulo", "apartment"),
        ("APARTAMENTO", "apartment"),
        ("casas", "house"),
        ("metro", "apartment"),
        ("copacabana", "house"),
        ("casa -quintal", ""),
    ],
)
async def test_search_q_is_portuguese_full_text_ignoring_case_and_accents(
    re_repository: RealEstateRepository, re_make_listing: MakeListing, q: str, expected: str
) -> None:
    made = {
        "apartment": await re_make_listing(description="Perto do metrô."),
        "house": await re_make_listing(
            title="Casa térrea com quintal",
            description="Rua tranquila.",
            city="Rio de Janeiro",
            neighborhood="Copacabana",
        ),
    }

    found = await re_repository.search(
        ListingFilters(q=q), sort=ListingSort.NEWEST, after=None, limit=10
    )

    assert [listing.id for listing in found] == ([made[expected].id] if expected else [])


async def tied_listings(make: MakeListing) -> list[RealEstate]:
    """Eight published listings whose prices, areas and publication times repeat."""
    prices = [300, 100, 200, 100, 300, 100, 200, 400]
    areas = ["50", "70", "50", "70", "90", "50", "70", "50"]
    minutes = [0, 1, 0, 2, 1, 0, 2, 1]
    return [
        await make(
            price_cents=price * 100_000,
            area_m2=Decimal(area),
            published_at=START + timedelta(minutes=minute),
        )
        for price, area, minute in zip(prices, areas, minutes, strict=True)
    ]


@pytest.mark.parametrize("sort", COLUMN_SORTS)
async def test_search_orders_by_each_sort_breaking_ties_by_id_in_the_same_direction(
    re_repository: RealEstateRepository, re_make_listing: MakeListing, sort: ListingSort
) -> None:
    listings = await tied_listings(re_make_listing)

    found = await re_repository.search(ListingFilters(), sort=sort, after=None, limit=20)

    assert [listing.id for listing in found] == in_order(listings, sort)


@pytest.mark.parametrize("sort", COLUMN_SORTS)
@pytest.mark.parametrize("index", [0, 2, 3, 6])
async def test_search_resumes_exactly_after_the_keyset_position(
    re_repository: RealEstateRepository, re_make_listing: MakeListing, sort: ListingSort, index: int
) -> None:
    listings = {listing.id: listing for listing in await tied_listings(re_make_listing)}
    expected = in_order(list(listings.values()), sort)
    anchor = listings[expected[index]]

    found = await re_repository.search(
        ListingFilters(), sort=sort, after=(sort_key(anchor, sort), anchor.id), limit=3
    )

    assert [listing.id for listing in found] == expected[index + 1 : index + 4]


async def test_list_by_owner_returns_every_status_newest_first_with_a_keyset(
    re_repository: RealEstateRepository, re_make_listing: MakeListing, make_user: MakeUser
) -> None:
    other = await make_user(name="Other Owner")
    await re_make_listing(owner_id=other.id, created_at=START + timedelta(days=9))
    statuses = list(ListingStatus) * 2
    days = [0, 3, 1, 3, 2, 3]
    own = [
        await re_make_listing(status=status, created_at=START + timedelta(days=day))
        for status, day in zip(statuses, days, strict=True)
    ]
    ordered = sorted(own, key=lambda item: (item.created_at, item.id), reverse=True)
    owner_id = own[0].owner_id

    first = await re_repository.list_by_owner(owner_id, after=None, limit=3)
    position: tuple[datetime, UUID] = (first[-1].created_at, first[-1].id)
    rest = await re_repository.list_by_owner(owner_id, after=position, limit=10)

    assert [item.id for item in [*first, *rest]] == [item.id for item in ordered]
    assert {item.status for item in first} | {item.status for item in rest} == set(ListingStatus)


async def test_add_for_an_owner_whose_account_is_gone_is_user_not_found(
    re_repository: RealEstateRepository, session: AsyncSession
) -> None:
    vanished_owner = uuid4()

    added = await re_repository.add(new_listing(vanished_owner, status=ListingStatus.DRAFT))

    assert isinstance(added, Err)
    assert isinstance(added.err_value, UserNotFound)
    count = await session.scalar(select(func.count()).select_from(RealEstate))
    assert count == 0


async def test_exists_reads_the_database_not_the_session_cache(
    re_repository: RealEstateRepository, session: AsyncSession, re_owner: User
) -> None:
    listing = (
        await re_repository.add(new_listing(re_owner.id, status=ListingStatus.DRAFT))
    ).unwrap()
    before = await re_repository.exists(listing.id)

    await re_repository.delete(listing.id)

    assert before is True
    assert await re_repository.exists(listing.id) is False
    assert await re_repository.exists(uuid4()) is False
