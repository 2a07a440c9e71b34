"""Saved-search use cases: keep a search, rename or drop it, run it, count what is new."""

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from uuid import UUID

from result import Err, Ok, Result

from app.core.errors.catalogue import InvalidCursor
from app.features.real_estates.model import RealEstate
from app.features.real_estates.repository import RealEstateRepository
from app.features.real_estates.search import ListingFilters, ListingSort
from app.features.real_estates.service import RealEstateService
from app.features.saved_searches.exceptions import SavedSearchNotFound, TooManySavedSearches
from app.features.saved_searches.model import SavedSearch
from app.features.saved_searches.repository import SavedSearchRepository
from app.features.shared.pagination import CursorCodec, Page, page_scope
from app.features.shared.timestamps import utcnow
from app.features.shared.unit_of_work import UnitOfWork
from app.features.users.model import User

MAX_SAVED_SEARCHES = 50


@dataclass(frozen=True)
class SavedSearchView:
    """A saved search with how many listings were published for it since it was last run."""

    search: SavedSearch
    new_count: int


class SavedSearchService:
    """A user's saved searches. Every successful write commits once, as its last step."""

    def __init__(
        self,
        *,
        uow: UnitOfWork,
        searches: SavedSearchRepository,
        listings: RealEstateRepository,
        listing_search: RealEstateService,
        cursors: CursorCodec,
        clock: Callable[[], datetime] = utcnow,
    ) -> None:
        self._uow = uow
        self._searches = searches
        self._listings = listings
        self._listing_search = listing_search
        self.photo_url = listing_search.photo_url
        self._cursors = cursors
        self._clock = clock

    async def create(
        self, user: User, name: str, filters: ListingFilters, sort: ListingSort
    ) -> Result[SavedSearchView, TooManySavedSearches]:
        """Keep a search; what is published from now on counts as new."""
        if await self._searches.count(user.id) >= MAX_SAVED_SEARCHES:
            return Err(TooManySavedSearches())
        search = SavedSearch(
            user_id=user.id, name=name, criteria=filters.criteria(), sort=sort.value
        )
        await self._searches.add(search)
        await self._uow.commit()
        return Ok(SavedSearchView(search, new_count=0))

    async def page(
        self, user: User, *, limit: int, cursor: str | None
    ) -> Result[Page[SavedSearchView], InvalidCursor]:
        """The user's saved searches, newest first, each with its `new_count`."""
        scope = page_scope("saved_searches", user=str(user.id))
        after = self._cursors.resume_after(cursor, scope=scope, parse_key=datetime.fromisoformat)
        if isinstance(after, Err):
            return after
        rows = await self._searches.page(user.id, after=after.ok_value, limit=limit + 1)
        page = self._cursors.page(
            rows, limit=limit, scope=scope, key=lambda row: (row.created_at, row.id)
        )
        return Ok(
            Page(items=[await self._view(row) for row in page.items], next_cursor=page.next_cursor)
        )

    async def get(
        self, user: User, search_id: UUID
    ) -> Result[SavedSearchView, SavedSearchNotFound]:
        """One of the user's saved searches."""
        search = await self._searches.get(user.id, search_id)
        if search is None:
            return Err(SavedSearchNotFound())
        return Ok(await self._view(search))

    async def rename(
        self, user: User, search_id: UUID, name: str
    ) -> Result[SavedSearchView, SavedSearchNotFound]:
        """Give a saved search another name."""
        search = await self._searches.get(user.id, search_id)
        if search is None:
            return Err(SavedSearchNotFound())
        search.name = name
        await self._uow.commit()
        return Ok(await self._view(search))

    async def delete(self, user: User, search_id: UUID) -> Result[None, SavedSearchNotFound]:
        """Drop a saved search."""
        search = await self._searches.get(user.id, search_id)
        if search is None:
            return Err(SavedSearchNotFound())
        await self._searches.remove(search)
        await self._uow.commit()
        return Ok(None)

    async def matches(
        self, user: User, search_id: UUID, *, limit: int, cursor: str | None
    ) -> Result[Page[RealEstate], SavedSearchNotFound | InvalidCursor]:
        """Run a saved search, a page at a time; its first page marks everything seen."""
        search = await self._searches.get(user.id, search_id)
        if search is None:
            return Err(SavedSearchNotFound())
        filters, sort = _criteria(search)
        page = await self._listing_search.search(filters, sort=sort, limit=limit, cursor=cursor)
        if isinstance(page, Ok) and cursor is None:
            search.last_seen_at = self._clock()
            await self._uow.commit()
        return page

    async def _view(self, search: SavedSearch) -> SavedSearchView:
        filters, _ = _criteria(search)
        new = await self._listings.count_published_since(filters, search.last_seen_at)
        return SavedSearchView(search, new_count=new)


def _criteria(search: SavedSearch) -> tuple[ListingFilters, ListingSort]:
    return ListingFilters.from_criteria(search.criteria), ListingSort(search.sort)
