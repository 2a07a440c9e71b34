"""RealEstateService: drafts, visibility, versioned edits, workflow, search pages and races."""

import asyncio
from collections.abc import Callable, Collection, Mapping
from datetime import timedelta
from decimal import Decimal
from typing import Any
from uuid import UUID

import pytest
from result import Err, Ok
from sqlalchemy import delete
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession

from app.core.errors.catalogue import Forbidden, InvalidCursor
from app.features.real_estates.commands import ListingChanges
from app.features.real_estates.exceptions import (
    InvalidStatusTransition,
    RealEstateNotFound,
    StaleVersion,
)
from app.features.real_estates.model import ListingStatus, RealEstate
from app.features.real_estates.repository import RealEstateRepository
from app.features.real_estates.search import ListingFilters, ListingSort
from app.features.real_estates.service import RealEstateService
from app.features.shared.pagination import CursorCodec
from app.features.shared.unit_of_work import UnitOfWork
from app.features.users.model import User
from app.wiring import Components
from tests.features.real_estates.v1.conftest import (
    START,
    Actor,
    MakeListing,
    in_order,
    listing_command,
    stored,
)

STATE = (RealEstate.status, RealEstate.version, RealEstate.published_at, RealEstate.title)


async def test_create_registers_a_draft_owned_by_the_owner_with_search_keys(
    re_service: RealEstateService, re_owner: User, session: AsyncSession
) -> None:
    command = listing_command(city="  São   PAULO", neighborhood="Jardim Paulistânia")

    listing = (await re_service.create(re_owner, command)).unwrap()

    assert await stored(session, listing.id, RealEstate.owner_id) == (re_owner.id,)
    assert await stored(session, listing.id, *STATE) == (
        ListingStatus.DRAFT,
        1,
        None,
        command.title,
    )
    keys = await stored(session, listing.id, RealEstate.city_key, RealEstate.neighborhood_key)
    assert keys == ("sao paulo", "jardim paulistania")


@pytest.mark.parametrize("status", list(ListingStatus))
@pytest.mark.parametrize("viewer", ["owner", "admin", "other", "nobody"])
async def test_get_shows_published_listings_to_anyone_and_others_to_managers_only(
    re_service: RealEstateService,
    re_make_listing: MakeListing,
    re_actor: Actor,
    status: ListingStatus,
    viewer: str,
) -> None:
    listing = await re_make_listing(status=status)
    who = await re_actor(viewer)

    found = await re_service.get(listing.id, who)

    visible = status is ListingStatus.PUBLISHED or viewer in ("owner", "admin")
    assert found == (Ok(listing) if visible else Err(RealEstateNotFound()))


@pytest.mark.parametrize(
    ("who", "status", "error"),
    [
        ("owner", ListingStatus.DRAFT, None),
        ("admin", ListingStatus.PUBLISHED, None),
        ("other", ListingStatus.PUBLISHED, Forbidden),
        ("other", ListingStatus.DRAFT, RealEstateNotFound),
    ],
)
async def test_update_changes_fields_keys_and_version_only_for_managers(
    re_service: RealEstateService,
    re_make_listing: MakeListing,
    re_actor: Actor,
    session: AsyncSession,
    who: str,
    status: ListingStatus,
    error: type[Exception] | None,
) -> None:
    listing = await re_make_listing(status=status)
    editor = await re_actor(who)
    assert editor is not None
    changes = ListingChanges(title="Casa nova", address=listing_command(city="Niterói").address)

    result = await re_service.update(listing.id, editor, changes, expected_versions={1})

    row = await stored(
        session, listing.id, RealEstate.title, RealEstate.city_key, RealEstate.version
    )
    if error is None:
        assert isinstance(result, Ok)
        assert row == ("Casa nova", "niteroi", 2)
    else:
        assert isinstance(result, Err)
        assert isinstance(result.err_value, error)
        assert row == ("Apartamento com varanda", "sao paulo", 1)


async def test_update_with_a_stale_version_is_stale_version_and_changes_nothing(
    re_service: RealEstateService,
    re_make_listing: MakeListing,
    re_owner: User,
    session: AsyncSession,
) -> None:
    listing = await re_make_listing(version=2)
    before = await stored(session, listing.id, *STATE, RealEstate.updated_at)

    result = await re_service.update(
        listing.id, re_owner, ListingChanges(title="Outra"), expected_versions={1}
    )

    assert result == Err(StaleVersion())
    assert await stored(session, listing.id, *STATE, RealEstate.updated_at) == before


MOVES = {
    "publish": RealEstateService.publish,
    "archive": RealEstateService.archive,
    "draft": RealEstateService.draft,
}
ALLOWED = {
    (ListingStatus.DRAFT, "publish"): ListingStatus.PUBLISHED,
    (ListingStatus.PUBLISHED, "archive"): ListingStatus.ARCHIVED,
    (ListingStatus.ARCHIVED, "draft"): ListingStatus.DRAFT,
}


@pytest.mark.parametrize("start", list(ListingStatus))
@pytest.mark.parametrize("action", ["publish", "archive", "draft"])
async def test_transition_follows_the_workflow_and_refuses_every_other_move(
    re_service: RealEstateService,
    re_make_listing: MakeListing,
    re_owner: User,
    session: AsyncSession,
    start: ListingStatus,
    action: str,
) -> None:
    listing = await re_make_listing(status=start)
    before = await stored(session, listing.id, *STATE)

    result = await MOVES[action](re_service, listing.id, re_owner, expected_versions={1})

    after = await stored(session, listing.id, *STATE)
    if (target := ALLOWED.get((start, action))) is not None:
        assert isinstance(result, Ok)
        assert after is not None
        status, version, published_at, _ = after
        assert (status, version) == (target, 2)
        assert (published_at is not None) is (target is ListingStatus.PUBLISHED)
        assert published_at != START
    else:
        assert isinstance(result, Err)
        assert isinstance(result.err_value, InvalidStatusTransition)
        assert after == before


@pytest.mark.parametrize("expected_versions", [None, {1}], ids=["no-if-match", "if-match"])
@pytest.mark.parametrize("action", ["publish", "archive", "draft"])
async def test_a_listing_deleted_during_a_move_is_not_found_not_a_conflict(
    re_service: RealEstateService,
    re_make_listing: MakeListing,
    re_owner: User,
    session: AsyncSession,
    action: str,
    expected_versions: set[int] | None,
) -> None:
    start = {"publish": ListingStatus.DRAFT, "archive": ListingStatus.PUBLISHED}
    listing = await re_make_listing(status=start.get(action, ListingStatus.ARCHIVED))
    # Gone from the table, still in the session's identity map: the move reads it, then
    # finds nothing to update, as when another request deletes it in between.
    await session.execute(
        delete(RealEstate)
        .where(RealEstate.id == listing.id)
        .execution_options(synchronize_session=False)
    )

    result = await MOVES[action](
        re_service, listing.id, re_owner, expected_versions=expected_versions
    )

    assert result == Err(RealEstateNotFound())


@pytest.mark.parametrize(
    ("who", "status", "error"),
    [
        ("owner", ListingStatus.DRAFT, None),
        ("admin", ListingStatus.PUBLISHED, None),
        ("other", ListingStatus.PUBLISHED, Forbidden),
        ("other", ListingStatus.ARCHIVED, RealEstateNotFound),
    ],
)
async def test_delete_removes_the_listing_only_for_its_managers(
    re_service: RealEstateService,
    re_make_listing: MakeListing,
    re_actor: Actor,
    session: AsyncSession,
    who: str,
    status: ListingStatus,
    error: type[Exception] | None,
) -> None:
    listing = await re_make_listing(status=status)
    deleter = await re_actor(who)
    assert deleter is not None

    result = await re_service.delete(listing.id, deleter)

    if error is None:
        assert result == Ok(None)
        assert await stored(session, listing.id) is None
    else:
        assert isinstance(result, Err)
        assert isinstance(result.err_value, error)
        assert await stored(session, listing.id) == (listing.id,)


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


@pytest.mark.parametrize("sort", list(ListingSort))
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
    assert other_spelling == first_spelling


async def test_search_refuses_an_expired_cursor(
    session: AsyncSession, re_make_listing: MakeListing
) -> None:
    now = [1_000_000.0]
    service = RealEstateService(
        uow=UnitOfWork(session),
        listings=RealEstateRepository(session),
        cursors=CursorCodec(b"test-secret", ttl_seconds=60, clock=lambda: now[0]),
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


class WritesAfterBothRead(RealEstateRepository):
    """Holds each writer at its UPDATE until every writer has read the listing."""

    def __init__(self, session: AsyncSession, barrier: asyncio.Barrier) -> None:
        super().__init__(session)
        self._barrier = barrier

    async def update_versioned(
        self,
        listing_id: UUID,
        values: Mapping[str, Any],
        *,
        expected_versions: Collection[int] | None,
    ) -> RealEstate | None:
        await self._barrier.wait()
        return await super().update_versioned(
            listing_id, values, expected_versions=expected_versions
        )


async def test_concurrent_updates_with_the_same_version_let_exactly_one_win(
    engine: AsyncEngine, components: Components, re_committed_listing: tuple[User, RealEstate]
) -> None:
    owner, listing = re_committed_listing
    barrier = asyncio.Barrier(2)

    async def edit(title: str) -> Any:
        async with AsyncSession(engine, expire_on_commit=False) as own_session:
            service = RealEstateService(
                uow=UnitOfWork(own_session),
                listings=WritesAfterBothRead(own_session, barrier),
                cursors=components.cursors,
            )
            return await service.update(listing.id, owner, {"title": title}, expected_versions={1})

    async with asyncio.timeout(60):
        results = await asyncio.gather(edit("Alpha"), edit("Beta"))

    winners = [result.ok_value.title for result in results if isinstance(result, Ok)]
    assert len(winners) == 1
    assert [result for result in results if isinstance(result, Err)] == [Err(StaleVersion())]
    async with AsyncSession(engine) as check:
        row = await stored(check, listing.id, RealEstate.title, RealEstate.version)
    assert row == (winners[0], 2)
