"""Favourite use cases: save a listing, forget it, list what one saved."""

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from uuid import UUID

from result import Err, Ok, Result

from app.core.errors.catalogue import InvalidCursor
from app.features.favorites.repository import FavoriteRepository
from app.features.real_estates.access import visible_to
from app.features.real_estates.exceptions import RealEstateNotFound
from app.features.real_estates.model import RealEstate
from app.features.real_estates.repository import RealEstateRepository
from app.features.shared.pagination import CursorCodec, Page, page_scope
from app.features.shared.unit_of_work import UnitOfWork
from app.features.users.model import User


@dataclass(frozen=True)
class SavedListing:
    """One of a user's favourites, and the listing when the user may still see it.

    `listing` is None when the listing was deleted, or unpublished (draft or archived)
    by someone else: the favourite stays, shown as unavailable, and nothing of a
    listing the user may not see is shown.
    """

    listing_id: UUID
    favorited_at: datetime
    listing: RealEstate | None


class FavoriteService:
    """Favourite use cases. Every successful write commits once, as its last step."""

    def __init__(
        self,
        *,
        uow: UnitOfWork,
        favorites: FavoriteRepository,
        listings: RealEstateRepository,
        cursors: CursorCodec,
        photo_url: Callable[[str], str],
    ) -> None:
        self.photo_url = photo_url
        self._uow = uow
        self._favorites = favorites
        self._listings = listings
        self._cursors = cursors

    async def add(self, user: User, listing_id: UUID) -> Result[None, RealEstateNotFound]:
        """Save a listing the user may see; saving it twice changes nothing."""
        found = await self._listings.get(listing_id)
        if isinstance(found, Err) or not visible_to(found.ok_value, user):
            return Err(RealEstateNotFound())
        await self._favorites.add(user.id, listing_id)
        await self._uow.commit()
        return Ok(None)

    async def remove(self, user: User, listing_id: UUID) -> None:
        """Forget a favourite; forgetting one that was never saved changes nothing."""
        await self._favorites.remove(user.id, listing_id)
        await self._uow.commit()

    async def list_mine(
        self, user: User, *, limit: int, cursor: str | None
    ) -> Result[Page[SavedListing], InvalidCursor]:
        """The user's favourites, the most recently saved first."""
        scope = page_scope("my_favorites", user=str(user.id))
        after = self._cursors.resume_after(cursor, scope=scope, parse_key=datetime.fromisoformat)
        if isinstance(after, Err):
            return after
        rows = await self._favorites.list_page(user.id, after=after.ok_value, limit=limit + 1)
        page = self._cursors.page(
            rows, limit=limit, scope=scope, key=lambda row: (row.created_at, row.listing_id)
        )
        found = await self._listings.summaries([row.listing_id for row in page.items])
        shown = {listing.id: listing for listing in found if visible_to(listing, user)}
        items = [
            SavedListing(row.listing_id, row.created_at, shown.get(row.listing_id))
            for row in page.items
        ]
        return Ok(Page(items=items, next_cursor=page.next_cursor))
