"""Listing use cases: registration, edits with optimistic concurrency, workflow, search."""

from collections.abc import Callable, Collection, Mapping
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import Any, Protocol
from uuid import UUID

from result import Err, Ok, Result

from app.core.errors.catalogue import Forbidden, InvalidCursor, UserNotFound
from app.features.audit.model import AuditAction
from app.features.audit.repository import AuditRepository
from app.features.idempotency.response import StoredResponse
from app.features.idempotency.service import Idempotency, KeyedRequest, KeyProblem
from app.features.real_estates.access import manages, visible_to
from app.features.real_estates.commands import ListingChanges, NewListing, change_columns
from app.features.real_estates.exceptions import (
    InvalidStatusTransition,
    RealEstateNotFound,
    StaleVersion,
)
from app.features.real_estates.model import ListingStatus, RealEstate
from app.features.real_estates.repository import RealEstateRepository
from app.features.real_estates.search import AdminListingFilters, ListingFilters, ListingSort
from app.features.shared.pagination import CursorCodec, Keyset, Page, page_scope
from app.features.shared.timestamps import utcnow
from app.features.shared.unit_of_work import UnitOfWork
from app.features.users.model import Role, User

CreateError = UserNotFound | KeyProblem
EditError = RealEstateNotFound | Forbidden | StaleVersion
MoveError = EditError | InvalidStatusTransition


class FavoriteCounts(Protocol):
    """How many users saved a listing (the favourites feature answers)."""

    async def count(self, listing_id: UUID) -> int:
        """The number of users who saved `listing_id`."""
        ...


@dataclass(frozen=True)
class ListingView:
    """A listing as one viewer is shown it.

    `favorite_count` (how many users saved it) is for its owner and admins only: None
    for anyone else, and then never counted, so anonymous reads pay no extra query.
    """

    listing: RealEstate
    favorite_count: int | None


@dataclass(frozen=True)
class _Move:
    """One workflow move: what it does, the status it needs and the status it leads to."""

    done: str
    source: ListingStatus
    target: ListingStatus


_PUBLISH = _Move("published", ListingStatus.DRAFT, ListingStatus.PUBLISHED)
_ARCHIVE = _Move("archived", ListingStatus.PUBLISHED, ListingStatus.ARCHIVED)
_DRAFT = _Move("returned to draft", ListingStatus.ARCHIVED, ListingStatus.DRAFT)
_UNPUBLISH = _Move("unpublished", ListingStatus.PUBLISHED, ListingStatus.DRAFT)

# How a cursor's serialised sort key is read back, by the column it sorts on.
_KEY_PARSERS: dict[str, Callable[[str], Any]] = {
    "published_at": datetime.fromisoformat,
    "created_at": datetime.fromisoformat,
    "price_cents": int,
    "area_m2": Decimal,
    "distance_m": float,
}


def _keyset(column: str) -> Callable[[RealEstate], Keyset]:
    return lambda listing: (getattr(listing, column), listing.id)


def _matches(listing: RealEstate, expected_versions: Collection[int] | None) -> bool:
    """Whether the listing satisfies the client's If-Match (None: any version)."""
    return expected_versions is None or listing.version in expected_versions


class RealEstateService:
    """Listing use cases. Every successful write commits once, as its last step."""

    def __init__(
        self,
        *,
        uow: UnitOfWork,
        listings: RealEstateRepository,
        cursors: CursorCodec,
        audit: AuditRepository,
        idempotency: Idempotency,
        photo_url: Callable[[str], str],
        favorites: FavoriteCounts,
    ) -> None:
        self.photo_url = photo_url
        self._favorites = favorites
        self._uow = uow
        self._idempotency = idempotency
        self._listings = listings
        self._cursors = cursors
        self._audit = audit

    async def create(
        self,
        owner: User,
        listing: NewListing,
        *,
        respond: Callable[[RealEstate], StoredResponse],
        request: KeyedRequest | None = None,
    ) -> Result[StoredResponse, CreateError]:
        """Register a draft listing owned by `owner`, once per idempotency key.

        `respond` turns the new listing into the caller's answer, which is stored
        with the key so that a retry of `request` gets it back instead of a twin.
        """

        async def register() -> Result[StoredResponse, UserNotFound]:
            added = await self._listings.add(RealEstate(owner_id=owner.id, **listing.columns()))
            return added.map(respond)

        return await self._idempotency.once(owner.id, request, register)

    async def get(
        self, listing_id: UUID, viewer: User | None
    ) -> Result[ListingView, RealEstateNotFound]:
        """A listing, if `viewer` may see it: published ones, or their own, or any for admins."""
        found = await self._visible(listing_id, viewer)
        if isinstance(found, Err):
            return found
        return Ok(await self._view(found.ok_value, viewer))

    async def update(
        self,
        listing_id: UUID,
        actor: User,
        changes: ListingChanges,
        *,
        expected_versions: Collection[int] | None,
    ) -> Result[ListingView, EditError]:
        """Change fields of a listing the actor manages; a stale version changes nothing."""
        found = await self._managed(listing_id, actor)
        if isinstance(found, Err):
            return found
        if not changes:
            # Nothing to change: no new version, so the client's ETag stays valid.
            if not _matches(found.ok_value, expected_versions):
                return Err(StaleVersion())
            return Ok(await self._view(found.ok_value, actor))
        return await self._write(
            found.ok_value,
            actor,
            change_columns(changes),
            change="update",
            expected_versions=expected_versions,
        )

    async def publish(
        self, listing_id: UUID, actor: User, *, expected_versions: Collection[int] | None
    ) -> Result[ListingView, MoveError]:
        """Publish a draft: it becomes public and gets `published_at`."""
        return await self._move(listing_id, actor, _PUBLISH, expected_versions=expected_versions)

    async def archive(
        self, listing_id: UUID, actor: User, *, expected_versions: Collection[int] | None
    ) -> Result[ListingView, MoveError]:
        """Archive a published listing: it leaves the public search."""
        return await self._move(listing_id, actor, _ARCHIVE, expected_versions=expected_versions)

    async def draft(
        self, listing_id: UUID, actor: User, *, expected_versions: Collection[int] | None
    ) -> Result[ListingView, MoveError]:
        """Return an archived listing to draft, to edit and publish it again."""
        return await self._move(listing_id, actor, _DRAFT, expected_versions=expected_versions)

    async def unpublish(
        self,
        listing_id: UUID,
        admin: User,
        reason: str,
        *,
        expected_versions: Collection[int] | None,
    ) -> Result[ListingView, MoveError]:
        """Send a published listing back to draft, with the admin's reason (admins only).

        The reason is kept on the draft, shown to its owner and admins, and recorded in
        the audit trail; publishing the listing again clears it.
        """
        if admin.role is not Role.ADMIN:
            return Err(Forbidden("Only admins unpublish listings."))
        return await self._move(
            listing_id, admin, _UNPUBLISH, expected_versions=expected_versions, reason=reason
        )

    async def delete(self, listing_id: UUID, actor: User) -> Result[None, EditError]:
        """Remove a listing the actor manages."""
        found = await self._managed(listing_id, actor)
        if isinstance(found, Err):
            return found
        await self._listings.delete(listing_id)
        await self._audit_admin_action(actor, found.ok_value, "delete")
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

    async def list_all(
        self, filters: AdminListingFilters, *, limit: int, cursor: str | None
    ) -> Result[Page[RealEstate], InvalidCursor]:
        """Listings of any status and owner matching `filters`, newest first (for admins)."""
        scope = page_scope("all_real_estates", **filters.fingerprint())
        after = self._cursors.resume_after(cursor, scope=scope, parse_key=datetime.fromisoformat)
        if isinstance(after, Err):
            return after
        rows = await self._listings.list_all(filters, after=after.ok_value, limit=limit + 1)
        return Ok(self._cursors.page(rows, limit=limit, scope=scope, key=_keyset("created_at")))

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

    async def _visible(
        self, listing_id: UUID, viewer: User | None
    ) -> Result[RealEstate, RealEstateNotFound]:
        found = await self._listings.get(listing_id)
        if isinstance(found, Ok) and not visible_to(found.ok_value, viewer):
            return Err(RealEstateNotFound())
        return found

    async def _view(self, listing: RealEstate, viewer: User | None) -> ListingView:
        # Counted only for those who manage the listing: nobody else is shown the count.
        if not manages(viewer, listing):
            return ListingView(listing, None)
        return ListingView(listing, await self._favorites.count(listing.id))

    async def _managed(self, listing_id: UUID, actor: User) -> Result[RealEstate, EditError]:
        found = await self._visible(listing_id, actor)
        if isinstance(found, Ok) and not manages(actor, found.ok_value):
            return Err(Forbidden("Only the listing's owner or an admin may change it."))
        return found

    async def _move(
        self,
        listing_id: UUID,
        actor: User,
        move: _Move,
        *,
        expected_versions: Collection[int] | None,
        reason: str | None = None,
    ) -> Result[ListingView, MoveError]:
        found = await self._managed(listing_id, actor)
        if isinstance(found, Err):
            return found
        listing = found.ok_value
        if not _matches(listing, expected_versions):
            return Err(StaleVersion())  # preconditions are judged before the state (RFC 9110)
        if listing.status is not move.source:
            return Err(
                InvalidStatusTransition(
                    f"This listing is {listing.status.value}: only {move.source.value} "
                    f"listings can be {move.done}."
                )
            )
        published_at = utcnow() if move.target is ListingStatus.PUBLISHED else None
        # Every move sets the moderation reason: an unpublishing admin's, or none (so
        # publishing again clears it).
        columns = {"status": move.target, "published_at": published_at, "moderation_reason": reason}
        # Pin the version the status was checked on, so a concurrent move cannot slip between.
        moved = await self._write(
            listing,
            actor,
            columns,
            change=move.target.value if reason is None else move.done,
            expected_versions={listing.version},
            reason=reason,
        )
        raced = isinstance(moved, Err) and isinstance(moved.err_value, StaleVersion)
        if raced and expected_versions is None:
            # No precondition was sent, so the client's conflict is with the new status.
            return Err(InvalidStatusTransition("The listing changed meanwhile; read it again."))
        return moved

    async def _write(
        self,
        listing: RealEstate,
        actor: User,
        columns: Mapping[str, Any],
        *,
        change: str,
        expected_versions: Collection[int] | None,
        reason: str | None = None,
    ) -> Result[ListingView, StaleVersion | RealEstateNotFound]:
        updated = await self._listings.update_versioned(
            listing.id, columns, expected_versions=expected_versions
        )
        if updated is None:
            # Deleted since it was read, or changed: tell the two apart for the client.
            if not await self._listings.exists(listing.id):
                return Err(RealEstateNotFound())
            return Err(StaleVersion())
        if reason is not None:
            await self._audit.record(
                AuditAction.LISTING_UNPUBLISHED_BY_ADMIN,
                target=f"listing:{listing.id}",
                actor_id=actor.id,
                details={"owner_id": str(listing.owner_id), "reason": reason},
            )
        else:
            await self._audit_admin_action(actor, listing, change)
        view = await self._view(updated, actor)
        await self._uow.commit()
        return Ok(view)

    async def _audit_admin_action(self, actor: User, listing: RealEstate, change: str) -> None:
        """Record a change an admin makes to someone else's listing."""
        if actor.role is Role.ADMIN and listing.owner_id != actor.id:
            await self._audit.record(
                AuditAction.LISTING_CHANGED_BY_ADMIN,
                target=f"listing:{listing.id}",
                actor_id=actor.id,
                details={"owner_id": str(listing.owner_id), "change": change},
            )
