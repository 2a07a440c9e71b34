"""Data access for saved searches. Never commits."""

from collections.abc import Sequence
from datetime import datetime
from uuid import UUID

from sqlalchemy import delete, func, select, tuple_

from app.core.config.db.keyset import keyset
from app.features.saved_searches.model import SavedSearch
from app.features.shared.repository import Repository


class SavedSearchRepository(Repository):
    """A user's saved searches; every read is scoped to its owner."""

    async def add(self, search: SavedSearch) -> None:
        """Insert a saved search."""
        self._session.add(search)
        await self._session.flush()

    async def count(self, user_id: UUID) -> int:
        """How many searches the user keeps."""
        total = await self._session.scalar(
            select(func.count()).where(SavedSearch.user_id == user_id)
        )
        return int(total or 0)

    async def get(self, user_id: UUID, search_id: UUID) -> SavedSearch | None:
        """The user's saved search with this id (another user's is none)."""
        found: SavedSearch | None = await self._session.scalar(
            select(SavedSearch).where(SavedSearch.id == search_id, SavedSearch.user_id == user_id)
        )
        return found

    async def page(
        self, user_id: UUID, *, after: tuple[datetime, UUID] | None, limit: int
    ) -> Sequence[SavedSearch]:
        """Up to `limit` of the user's searches, newest first, after a keyset position."""
        key = (SavedSearch.created_at, SavedSearch.id)
        query = select(SavedSearch).where(SavedSearch.user_id == user_id)
        if after is not None:
            query = query.where(tuple_(*key) < keyset(after))
        query = query.order_by(*(column.desc() for column in key)).limit(limit)
        return (await self._session.scalars(query)).all()

    async def remove(self, search: SavedSearch) -> None:
        """Delete a saved search."""
        await self._session.execute(delete(SavedSearch).where(SavedSearch.id == search.id))
