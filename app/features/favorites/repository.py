"""Data access for favourites. Never commits."""

from datetime import datetime
from typing import Any
from uuid import UUID

from sqlalchemy import bindparam, delete, func, select, tuple_
from sqlalchemy.dialects.postgresql import insert

from app.core.config.db.database import Query
from app.core.config.db.keyset import keyset_after
from app.features.favorites.model import Favorite
from app.features.shared.repository import Repository


class FavoriteRepository(Repository):
    """Reads and writes `favorites` rows."""

    async def add(self, user_id: UUID, listing_id: UUID) -> None:
        """Save the listing for the user; saving it again keeps the first time it was saved."""
        await self._session.execute(
            insert(Favorite)
            .values(user_id=user_id, listing_id=listing_id)
            .on_conflict_do_nothing(index_elements=[Favorite.user_id, Favorite.listing_id])
        )

    async def remove(self, user_id: UUID, listing_id: UUID) -> None:
        """Forget the listing for the user (nothing happens if it was not saved)."""
        await self._session.execute(
            delete(Favorite).where(Favorite.user_id == user_id, Favorite.listing_id == listing_id)
        )

    async def count(self, listing_id: UUID) -> int:
        """How many users saved the listing (one indexed COUNT)."""
        total = await self._session.scalar(
            select(func.count()).select_from(Favorite).where(Favorite.listing_id == listing_id)
        )
        return int(total or 0)

    async def list_page(
        self, user_id: UUID, *, after: tuple[datetime, UUID] | None, limit: int
    ) -> list[Favorite]:
        """Up to `limit` of the user's favourites, newest first, after a keyset position.

        The position is `(created_at, listing_id)`, as the previous page ended.
        """
        values: dict[str, Any] = {"user_id": user_id, "limit": limit}
        if after is not None:
            values["after_key"], values["after_id"] = after
        query = _MINE_AFTER if after is not None else _MINE_FIRST
        return await self._database.fetch_all(query, values)


def _mine(*, after: bool) -> Query[Favorite]:
    key = (Favorite.created_at, Favorite.listing_id)
    query = select(Favorite.user_id, Favorite.listing_id, Favorite.created_at).where(
        Favorite.user_id == bindparam("user_id")
    )
    if after:
        query = query.where(tuple_(*key) < keyset_after(key))
    ordered = query.order_by(*(column.desc() for column in key)).limit(bindparam("limit"))
    return Query.of(ordered, Favorite)


_MINE_FIRST, _MINE_AFTER = _mine(after=False), _mine(after=True)
