"""RealEstateService lists: public search pages, their cursors, and the owner's own listings."""

from collections.abc import Callable
from datetime import timedelta
from decimal import Decimal
from uuid import UUID

import pytest
from result import Err, Ok
from sqlalchemy.ext.asyncio import AsyncSession

from app.core.config.client import ClientAddresses
from app.core.config.db.database import Database
from app.core.errors.catalogue import InvalidCursor
from app.features.audit.repository import AuditRepository
from app.features.favorites.repository import FavoriteRepository
from app.features.real_estates.model import ListingStatus, RealEstate
from app.features.real_estates.repository import RealEstateRepository
from app.features.real_estates.search import ListingFilters, ListingSort
from app.features.real_estates.service import RealEstateService
from app.features.shared.pagination import CursorCodec
from app.features.shared.unit_of_work import UnitOfWork
from app.features.users.model import User
from app.wiring import Components, build_idempotency
from tests.features.real_estates.v1.conftest import (
    COLUMN_SORTS,
    START,
    Actor,
    MakeListing,
    in_order,
)


async def search_catalogue(make: MakeListing) -> list[RealEstate]:
    """Published listings (25 in São Paulo) with repeated prices, areas and dates, and a draft."""
    await make(status=ListingStatus.DRAFT)
    rio = await make(city="Rio de Janeiro", price_cents=100)
    return [rio] + [
        await make(
            price_cents=(i % 5) * 10_000_000,
            area_m2=Decimal(40 + (i % 4) * 15),
            published_at=START + timedelta(hours=i % 6),
        )
        for i in range(25)
    ]


SEARCHES: dict[str, tuple[ListingFilters, Callable[[RealEstate], bool]]] = {
    "unfiltered": (ListingFilters(), lambda item: True),
    "city": (ListingFilters(city="sao paulo"), lambda item: item.city == "São Paulo"),
    "min-price": (ListingFilters(min_price=1), lambda item: item.price_cents >= 1),
}


@pytest.mark.parametrize("sort", COLUMN_SORTS)
@pytest.mark.parametrize("search", list(SEARCHES))
async def test_search_pages_return_every_match_exactly_once_in_order(
    re_service: RealEstateService, re_make_listing: MakeListing, sort: ListingSort, search: str
) -> None:
    filters, matches = SEARCHES[search]
    listings = [item for item in await search_catalogue(re_make_listing) if matches(item)]
    seen: list[UUID] = []
    cursor: str | None = None

    while True:
        page = (await re_service.search(filters, sort=sort, limit=4, cursor=cursor)).unwrap()
        assert len(page.items) <= 4
        seen.extend(item.id for item in page.items)
        if (cursor := page.next_cursor) is None:
            break

    assert seen == in_order(listings, sort)


async def price_cursor(service: RealEstateService, make: MakeListing) -> str:
    """A next-page cursor of the search sorted by price in São Paulo."""
    await search_catalogue(make)
    filters = ListingFilters(city="São Paulo")
    page = (
        await service.search(filters, sort=ListingSort.PRICE_ASC, limit=2, cursor=None)
    ).unwrap()
    assert page.next_cursor is not None
    return page.next_cursor


def tampered(cursor: str) -> str:
    """`cursor` with one payload character changed, keeping its signature."""
    payload, signature = cursor.split(".")
    swapped = "B" if payload[4] != "B" else "C"
    return f"{payload[:4]}{swapped}{payload[5:]}.{signature}"


@pytest.mark.parametrize(
    "kind", ["other-sort", "other-city", "no-city", "tampered", "garbage", "dots", "non-ascii"]
)
async def test_search_refuses_cursors_of_other_queries_and_forged_ones(
    re_service: RealEstateService, re_make_listing: MakeListing, kind: str
) -> None:
    valid = await price_cursor(re_service, re_make_listing)
    forged = {"tampered": tampered(valid), "garbage": "not-a-cursor", "dots": "a.b.c"}
    cursor = {**forged, "non-ascii": "çã.ü"}.get(kind, valid)
    sort = ListingSort.PRICE_DESC if kind == "other-sort" else ListingSort.PRICE_ASC
    filters = ListingFilters(
        city={"other-city": "Campinas", "no-city": None}.get(kind, "São Paulo")
    )

    result = await re_service.search(filters, sort=sort, limit=2, cursor=cursor)

    assert isinstance(result, Err)
    assert isinstance(result.err_value, InvalidCursor)


@pytest.mark.parametrize("spelling", ["são paulo", "SAO  PAULO", " Sao Paulo "])
async def test_a_cursor_serves_every_spelling_of_the_same_city(
    re_service: RealEstateService, re_make_listing: MakeListing, spelling: str
) -> None:
    cursor = await price_cursor(re_service, re_make_listing)
    first_spelling = await re_service.search(
        ListingFilters(city="São Paulo"), sort=ListingSort.PRICE_ASC, limit=2, cursor=cursor
    )

    other_spelling = await re_service.search(
        ListingFilters(city=spelling), sort=ListingSort.PRICE_ASC, limit=2, cursor=cursor
    )

    assert isinstance(other_spelling, Ok)
    assert isinstance(first_spelling, Ok)
    ids = [[item.id for item in page.ok_value.items] for page in (first_spelling, other_spelling)]
    assert ids[0] == ids[1]
    assert len(ids[0]) == 2


async def test_search_refuses_an_expired_cursor(
    session: AsyncSession, components: Components, re_make_listing: MakeListing
) -> None:
    now = [1_000_000.0]
    service = RealEstateService(
        uow=UnitOfWork(Database.over(session)),
        listings=RealEstateRepository(Database.over(session)),
        cursors=CursorCodec(b"test-secret", ttl_seconds=60, clock=lambda: now[0]),
        audit=AuditRepository(Database.over(session), ClientAddresses()),
        idempotency=build_idempotency(Database.over(session), components),
        photo_url=components.storage.url,
        favorites=FavoriteRepository(Database.over(session)),
    )
    cursor = await price_cursor(service, re_make_listing)
    now[0] += 61

    result = await service.search(
        ListingFilters(city="São Paulo"), sort=ListingSort.PRICE_ASC, limit=2, cursor=cursor
    )

    assert isinstance(result, Err)
    assert isinstance(result.err_value, InvalidCursor)


async def test_list_own_pages_through_the_owners_listings_of_any_status(
    re_service: RealEstateService, re_make_listing: MakeListing, re_owner: User, re_actor: Actor
) -> None:
    other = await re_actor("other")
    assert other is not None
    await re_make_listing(owner_id=other.id)
    own = [
        await re_make_listing(status=status, created_at=START + timedelta(days=i % 3))
        for i, status in enumerate(list(ListingStatus) * 2)
    ]
    ordered = sorted(own, key=lambda item: (item.created_at, item.id), reverse=True)
    seen: list[UUID] = []
    cursor: str | None = None

    while True:
        page = (await re_service.list_own(re_owner, limit=4, cursor=cursor)).unwrap()
        seen.extend(item.id for item in page.items)
        if (cursor := page.next_cursor) is None:
            break

    assert seen == [item.id for item in ordered]
