"""The favourite use cases, over the real PostgreSQL."""

from uuid import uuid4

import pytest
from result import Err, Ok
from sqlalchemy import delete, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from app.core.errors.catalogue import InvalidCursor
from app.features.favorites.model import Favorite
from app.features.favorites.service import FavoriteService
from app.features.real_estates.exceptions import RealEstateNotFound
from app.features.real_estates.model import ListingStatus, RealEstate
from app.features.users.model import Role, User
from tests.conftest import MakeUser
from tests.features.real_estates.v1.conftest import MakeListing


async def _saved_ids(session: AsyncSession, user: User) -> set[object]:
    query = select(Favorite.listing_id).where(Favorite.user_id == user.id)
    return set(await session.scalars(query))


@pytest.mark.parametrize(
    ("saver", "status", "allowed"),
    [
        ("user", ListingStatus.PUBLISHED, True),
        ("user", ListingStatus.DRAFT, False),
        ("user", ListingStatus.ARCHIVED, False),
        ("owner", ListingStatus.DRAFT, True),
        ("admin", ListingStatus.ARCHIVED, True),
    ],
)
async def test_add_saves_only_listings_the_caller_may_see(
    fav_service: FavoriteService,
    fav_make_listing: MakeListing,
    fav_user: User,
    fav_owner: User,
    make_user: MakeUser,
    session: AsyncSession,
    saver: str,
    status: ListingStatus,
    allowed: bool,
) -> None:
    listing = await fav_make_listing(status=status)
    who = {"user": fav_user, "owner": fav_owner}.get(saver) or await make_user(
        name="Site Admin", role=Role.ADMIN
    )

    result = await fav_service.add(who, listing.id)

    assert result == (Ok(None) if allowed else Err(RealEstateNotFound()))
    assert await _saved_ids(session, who) == ({listing.id} if allowed else set())


async def test_add_of_an_unknown_listing_is_not_found(
    fav_service: FavoriteService, fav_user: User, session: AsyncSession
) -> None:
    assert await fav_service.add(fav_user, uuid4()) == Err(RealEstateNotFound())
    assert await _saved_ids(session, fav_user) == set()


async def test_add_and_remove_are_idempotent(
    fav_service: FavoriteService,
    fav_make_listing: MakeListing,
    fav_user: User,
    session: AsyncSession,
) -> None:
    listing = await fav_make_listing()

    assert await fav_service.add(fav_user, listing.id) == Ok(None)
    assert await fav_service.add(fav_user, listing.id) == Ok(None)
    assert await _saved_ids(session, fav_user) == {listing.id}

    await fav_service.remove(fav_user, listing.id)
    await fav_service.remove(fav_user, listing.id)
    assert await _saved_ids(session, fav_user) == set()


async def test_list_mine_shows_visible_listings_and_marks_the_others_unavailable(
    fav_service: FavoriteService,
    fav_make_listing: MakeListing,
    fav_user: User,
    session: AsyncSession,
) -> None:
    shown = await fav_make_listing(title="Casa que continua")
    unpublished = await fav_make_listing(title="Casa que saiu")
    deleted = await fav_make_listing(title="Casa apagada")
    for listing in (shown, unpublished, deleted):
        assert await fav_service.add(fav_user, listing.id) == Ok(None)
    await session.execute(
        update(RealEstate)
        .where(RealEstate.id == unpublished.id)
        .values(status=ListingStatus.DRAFT, published_at=None)
    )
    await session.execute(delete(RealEstate).where(RealEstate.id == deleted.id))
    session.expunge_all()

    page = (await fav_service.list_mine(fav_user, limit=10, cursor=None)).unwrap()

    by_id = {item.listing_id: item.listing for item in page.items}
    assert set(by_id) == {shown.id, unpublished.id, deleted.id}
    still = by_id[shown.id]
    assert still is not None
    assert still.title == "Casa que continua"
    assert by_id[unpublished.id] is None
    assert by_id[deleted.id] is None
    assert page.next_cursor is None


async def test_list_mine_pages_with_cursors_bound_to_the_user(
    fav_service: FavoriteService,
    fav_make_listing: MakeListing,
    fav_user: User,
    make_user: MakeUser,
) -> None:
    listings = [await fav_make_listing() for _ in range(3)]
    for listing in listings:
        await fav_service.add(fav_user, listing.id)

    first = (await fav_service.list_mine(fav_user, limit=2, cursor=None)).unwrap()
    second = (await fav_service.list_mine(fav_user, limit=2, cursor=first.next_cursor)).unwrap()
    someone = await make_user(name="Cursor Thief")
    stolen = await fav_service.list_mine(someone, limit=2, cursor=first.next_cursor)

    seen = [item.listing_id for item in first.items + second.items]
    assert sorted(seen) == sorted(listing.id for listing in listings)
    assert len(first.items) == 2
    assert second.next_cursor is None
    assert isinstance(stolen, Err)
    assert isinstance(stolen.err_value, InvalidCursor)
