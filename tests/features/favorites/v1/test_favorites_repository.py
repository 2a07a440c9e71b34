"""The favourite repository against the real PostgreSQL."""

from datetime import UTC, datetime, timedelta
from uuid import uuid4

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from app.features.favorites.model import Favorite
from app.features.favorites.repository import FavoriteRepository
from app.features.users.model import User
from tests.conftest import MakeUser

T0 = datetime(2025, 3, 1, tzinfo=UTC)


async def _saved(session: AsyncSession, user: User) -> list[tuple[object, ...]]:
    rows = await session.execute(
        select(Favorite.listing_id, Favorite.created_at).where(Favorite.user_id == user.id)
    )
    return [tuple(row) for row in rows]


async def test_adding_twice_keeps_one_row_and_the_first_time(
    fav_repository: FavoriteRepository, fav_user: User, session: AsyncSession
) -> None:
    listing_id = uuid4()  # no foreign key: any id is kept as it is
    await fav_repository.add(fav_user.id, listing_id)
    await session.execute(update(Favorite).values(created_at=T0))

    await fav_repository.add(fav_user.id, listing_id)

    assert await _saved(session, fav_user) == [(listing_id, T0)]


async def test_remove_deletes_only_that_users_row_and_tolerates_absence(
    fav_repository: FavoriteRepository, fav_user: User, make_user: MakeUser, session: AsyncSession
) -> None:
    other = await make_user(name="Other Saver")
    listing_id = uuid4()
    await fav_repository.add(fav_user.id, listing_id)
    await fav_repository.add(other.id, listing_id)

    await fav_repository.remove(fav_user.id, listing_id)
    await fav_repository.remove(fav_user.id, uuid4())

    assert await _saved(session, fav_user) == []
    assert [row[0] for row in await _saved(session, other)] == [listing_id]


async def test_count_counts_the_listings_savers(
    fav_repository: FavoriteRepository, fav_user: User, make_user: MakeUser
) -> None:
    listing_id = uuid4()
    for user in (fav_user, await make_user(name="Second Saver"), await make_user(name="Third")):
        await fav_repository.add(user.id, listing_id)
    await fav_repository.add(fav_user.id, uuid4())

    assert await fav_repository.count(listing_id) == 3
    assert await fav_repository.count(uuid4()) == 0


async def test_list_page_is_newest_first_and_resumes_after_a_keyset(
    fav_repository: FavoriteRepository, fav_user: User, make_user: MakeUser, session: AsyncSession
) -> None:
    ids = [uuid4() for _ in range(4)]
    for index, listing_id in enumerate(ids):
        await fav_repository.add(fav_user.id, listing_id)
        await session.execute(
            update(Favorite)
            .where(Favorite.listing_id == listing_id)
            .values(created_at=T0 + timedelta(minutes=index))
        )
    other = await make_user(name="Not Mine")
    await fav_repository.add(other.id, ids[0])

    first = await fav_repository.list_page(fav_user.id, after=None, limit=2)
    rest = await fav_repository.list_page(
        fav_user.id, after=(first[-1].created_at, first[-1].listing_id), limit=5
    )

    assert [row.listing_id for row in first] == [ids[3], ids[2]]
    assert [row.listing_id for row in rest] == [ids[1], ids[0]]
    assert {row.user_id for row in first + rest} == {fav_user.id}
    assert rest[-1].created_at == T0
