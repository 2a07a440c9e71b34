"""Data access for inquiries. Never commits."""

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from uuid import UUID

from result import Err, Ok, Result
from sqlalchemy import ColumnElement, func, select, tuple_, update
from sqlalchemy.exc import IntegrityError

from app.core.config.db.errors import violated_constraint
from app.core.config.db.keyset import keyset
from app.core.errors.catalogue import UserNotFound
from app.features.inquiries.exceptions import InquiryExists
from app.features.inquiries.model import Inquiry
from app.features.real_estates.exceptions import RealEstateNotFound
from app.features.shared.repository import Repository

ONE_PER_LISTING = "uq_inquiries_sender_listing"
SENDER_CONSTRAINT = "fk_inquiries_sender_id_users"
AddError = InquiryExists | RealEstateNotFound | UserNotFound


@dataclass(frozen=True)
class InquiryFilters:
    """Which inquiries of an inbox to list; None means any.

    `unread` True keeps those the collector has not read, False those they have.
    """

    listing_id: UUID | None = None
    unread: bool | None = None


class InquiryRepository(Repository):
    """Reads and writes `inquiries`. Never commits."""

    async def add(self, inquiry: Inquiry) -> Result[Inquiry, AddError]:
        """Insert an inquiry; a second one of the sender about the listing is InquiryExists."""
        try:
            async with self._session.begin_nested():
                self._session.add(inquiry)
                await self._session.flush()
        except IntegrityError as exc:
            constraint = violated_constraint(exc)
            if constraint == ONE_PER_LISTING and inquiry.listing_id is not None:
                earlier = await self.sent_about(inquiry.sender_id, inquiry.listing_id)
                return Err(_exists(earlier))
            if constraint == SENDER_CONSTRAINT:
                return Err(UserNotFound("Your account no longer exists."))
            if constraint is not None and constraint.startswith("fk_inquiries_"):
                return Err(RealEstateNotFound())  # the listing (or its collector) just went
            raise
        return Ok(inquiry)

    async def sent_about(self, sender_id: UUID, listing_id: UUID) -> UUID | None:
        """The id of the inquiry `sender_id` sent about `listing_id`, if any."""
        found: UUID | None = await self._session.scalar(
            select(Inquiry.id).where(
                Inquiry.sender_id == sender_id, Inquiry.listing_id == listing_id
            )
        )
        return found

    async def received(
        self,
        recipient_id: UUID,
        filters: InquiryFilters,
        *,
        after: tuple[datetime, UUID] | None,
        limit: int,
    ) -> Sequence[Inquiry]:
        """Up to `limit` inquiries sent to `recipient_id`, newest first, after a position."""
        return await self._page(Inquiry.recipient_id == recipient_id, filters, after, limit)

    async def sent(
        self,
        sender_id: UUID,
        filters: InquiryFilters,
        *,
        after: tuple[datetime, UUID] | None,
        limit: int,
    ) -> Sequence[Inquiry]:
        """Up to `limit` inquiries `sender_id` sent, newest first, after a position."""
        return await self._page(Inquiry.sender_id == sender_id, filters, after, limit)

    async def mark_read(self, recipient_id: UUID, inquiry_id: UUID) -> Inquiry | None:
        """Mark an inquiry sent to `recipient_id` read (keeping the first time); None if none."""
        marked: Inquiry | None = await self._session.scalar(
            update(Inquiry)
            .where(Inquiry.id == inquiry_id, Inquiry.recipient_id == recipient_id)
            .values(read_at=func.coalesce(Inquiry.read_at, func.now()))
            .returning(Inquiry)
            .execution_options(populate_existing=True, synchronize_session=False)
        )
        return marked

    async def _page(
        self,
        owner: ColumnElement[bool],
        filters: InquiryFilters,
        after: tuple[datetime, UUID] | None,
        limit: int,
    ) -> Sequence[Inquiry]:
        key = (Inquiry.created_at, Inquiry.id)
        query = select(Inquiry).where(owner)
        if filters.listing_id is not None:
            query = query.where(Inquiry.listing_id == filters.listing_id)
        if filters.unread is not None:
            unread = Inquiry.read_at.is_(None)
            query = query.where(unread if filters.unread else ~unread)
        if after is not None:
            query = query.where(tuple_(*key) < keyset(after))
        ordered = query.order_by(*(column.desc() for column in key)).limit(limit)
        rows = await self._session.scalars(ordered)
        return rows.all()


def _exists(inquiry_id: UUID | None) -> InquiryExists:
    return InquiryExists(inquiry_id=str(inquiry_id) if inquiry_id is not None else None)
