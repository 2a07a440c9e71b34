"""Listing use cases: registration, edits with optimistic concurrency, workflow, search."""

from collections.abc import Callable, Collection, Mapping
from datetime import datetime
from decimal import Decimal
from typing import Any
from uuid import UUID

from result import Err, Ok, Result

from app.features.real_estates.exceptions import (
    Forbidden,
    InvalidCursor,
    InvalidStatusTransition,
    RealEstateNotFound,
    StaleVersion,
)
from app.features.real_estates.model import ListingStatus, RealEstate
from app.features.real_estates.repository import RealEstateRepository
from app.features.real_estates.search import ListingFilters, ListingSort
from app.features.shared.pagination import CursorCodec, Keyset, Page, page_scope
from app.features.shared.text import search_key
from app.features.shared.timestamps import utcnow
from app.features.shared.unit_of_work import UnitOfWork
from app.features.users.model import Role, User

# Allowed workflow moves: action -> (required current status, resulting status).
TRANSITIONS = {
    "publish": (ListingStatus.DRAFT, ListingStatus.PUBLISHED),
    "archive": (ListingStatus.PUBLISHED, ListingStatus.ARCHIVED),
    "draft": (ListingStatus.ARCHIVED, ListingStatus.DRAFT),
}

EditError = RealEstateNotFound | Forbidden | StaleVersion

# How a cursor's serialised sort key is read back, by the column it sorts on.
_KEY_PARSERS: dict[str, Any] = {
    "published_at": datetime.fromisoformat,
    "created_at": datetime.fromisoformat,
    "price_cents": int,
    "area_m2": Decimal,
}


def _keyset(column: str) -> Callable[[RealEstate], Keyset]:
    return lambda listing: (getattr(listing, column), listing.id)


def _matches(listing: RealEstate, expected_versions: Collection[int] | None) -> bool:
    """Whether the listing satisfies the client's If-Match (None: any version)."""
    return expected_versions is None or listing.version in expected_versions


def _manages(user: User | None, listing: RealEstate) -> bool:
    return user is not None and (user.role is Role.ADMIN or user.id == listing.owner_id)


def with_search_keys(values: Mapping[str, Any]) -> dict[str, Any]:
    """Listing column values plus the normalised keys the city/neighbourhood filters use."""
    completed = dict(values)
    if "city" in values:
        completed["city_key"] = search_key(values["city"])
    if "neighborhood" in values:
        completed["neighborhood_key"] = search_key(values["neighborhood"])
    return completed


class RealEstateService:
    """Listing use cases. Every successful write commits once, as its last step."""

    def __init__(
        self, *, uow: UnitOfWork, listings: RealEstateRepository, cursors: CursorCodec
    ) -> None:
        self._uow = uow
        self._listings = listings
        self._cursors = cursors

    async def create(self, owner: User, values: Mapping[str, Any]) -> RealEstate:
        """Register a draft listing owned by `owner`."""
        listing = RealEstate(owner_id=owner.id, **with_search_keys(values))
        await self._listings.add(listing)
        await self._uow.commit()
        return listing

    async def get(
        self, listing_id: UUID, viewer: User | None
    ) -> Result[RealEstate, RealEstateNotFound]:
        """A listing, if `viewer` may see it: published ones, or their own, or any for admins."""
        found = await self._listings.get(listing_id)
        if isinstance(found, Ok) and not self._visible(found.ok_value, viewer):
            return Err(RealEstateNotFound())
        return found

    async def update(
        self,
        listing_id: UUID,
        actor: User,
        values: Mapping[str, Any],
        *,
        expected_versions: Collection[int] | None,
    ) -> Result[RealEstate, EditError]:
        """Change fields of a listing the actor manages; a stale version changes nothing."""
        found = await self._managed(listing_id, actor)
        if isinstance(found, Err):
            return found
        if not values:
            # Nothing to change: no new version, so the client's ETag stays valid.
            if not _matches(found.ok_value, expected_versions):
                return Err(StaleVersion())
            return found
        return await self._write(
            listing_id, with_search_keys(values), expected_versions=expected_versions
        )

    async def transition(
        self,
        listing_id: UUID,
        actor: User,
        action: str,
        *,
        expected_versions: Collection[int] | None,
    ) -> Result[RealEstate, EditError | InvalidStatusTransition]:
        """Move a listing along its workflow (publish, archive, back to draft)."""
        found = await self._managed(listing_id, actor)
        if isinstance(found, Err):
            return found
        listing = found.ok_value
        required, target = TRANSITIONS[action]
        if not _matches(listing, expected_versions):
            return Err(StaleVersion())  # preconditions are judged before the state (RFC 9110)
        if listing.status is not required:
            return Err(
                InvalidStatusTransition(
                    f"Cannot {action} a listing that is {listing.status.value}; "
                    f"only a {required.value} listing can be {target.value}."
                )
            )
        values: dict[str, Any] = {"status": target}
        values["published_at"] = utcnow() if target is ListingStatus.PUBLISHED else None
        # Pin the version the status was checked on, so a concurrent move cannot slip between.
        moved = await self._write(listing_id, values, expected_versions={listing.version})
        if isinstance(moved, Err) and expected_versions is None:
            return Err(InvalidStatusTransition("The listing changed meanwhile; read it again."))
        return moved

    async def delete(self, listing_id: UUID, actor: User) -> Result[None, EditError]:
        """Remove a listing the actor manages."""
        found = await self._managed(listing_id, actor)
        if isinstance(found, Err):
            return found
        await self._listings.delete(listing_id)
        await self._uow.commit()
        return Ok(None)

    async def search(
        self, filters: ListingFilters, *, sort: ListingSort, limit: int, cursor: str | None
    ) -> Result[Page[RealEstate], InvalidCursor]:
        """A page of published listings matching `filters`, in `sort` order."""
        scope = page_scope("real_estates", sort=sort.value, **filters.fingerprint())
        after = self._cursors.resume_after(cursor, scope=scope, parse_key=_KEY_PARSERS[sort.column])
        if isinstance(after, Err):
            return after
        rows = await self._listings.search(
            filters, sort=sort, after=after.ok_value, limit=limit + 1
        )
        return Ok(self._cursors.page(rows, limit=limit, scope=scope, key=_keyset(sort.column)))

    async def list_own(
        self, owner: User, *, limit: int, cursor: str | None
    ) -> Result[Page[RealEstate], InvalidCursor]:
        """The owner's listings of any status, newest first."""
        scope = page_scope("my_real_estates", owner=str(owner.id))
        after = self._cursors.resume_after(cursor, scope=scope, parse_key=datetime.fromisoformat)
        if isinstance(after, Err):
            return after
        rows = await self._listings.list_by_owner(owner.id, after=after.ok_value, limit=limit + 1)
        return Ok(self._cursors.page(rows, limit=limit, scope=scope, key=_keyset("created_at")))

    @staticmethod
    def _visible(listing: RealEstate, viewer: User | None) -> bool:
        return listing.status is ListingStatus.PUBLISHED or _manages(viewer, listing)

    async def _managed(self, listing_id: UUID, actor: User) -> Result[RealEstate, EditError]:
        found = await self.get(listing_id, actor)
        if isinstance(found, Ok) and not _manages(actor, found.ok_value):
            return Err(Forbidden("Only the listing's owner or an admin may change it."))
        return found

    async def _write(
        self,
        listing_id: UUID,
        values: Mapping[str, Any],
        *,
        expected_versions: Collection[int] | None,
    ) -> Result[RealEstate, StaleVersion | RealEstateNotFound]:
        updated = await self._listings.update_versioned(
            listing_id, values, expected_versions=expected_versions
        )
        if updated is None:
            # Deleted since it was read, or changed: tell the two apart for the client.
            if not await self._listings.exists(listing_id):
                return Err(RealEstateNotFound())
            return Err(StaleVersion())
        await self._uow.commit()
        return Ok(updated)
