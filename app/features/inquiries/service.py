"""Inquiry use cases: send one about a published listing, read the two inboxes, mark read."""

from collections.abc import Callable
from datetime import datetime
from uuid import UUID

from result import Err, Ok, Result

from app.core.errors.catalogue import InvalidCursor
from app.features.idempotency.response import StoredResponse
from app.features.idempotency.service import Idempotency, KeyedRequest, KeyProblem
from app.features.inquiries.commands import NewInquiry
from app.features.inquiries.exceptions import InquiryExists, InquiryNotFound, OwnListing
from app.features.inquiries.model import Inquiry
from app.features.inquiries.repository import AddError, InquiryFilters, InquiryRepository
from app.features.real_estates.access import visible_to
from app.features.real_estates.exceptions import RealEstateNotFound
from app.features.real_estates.model import ListingStatus
from app.features.real_estates.repository import RealEstateRepository
from app.features.shared.pagination import CursorCodec, Page, page_scope
from app.features.shared.unit_of_work import UnitOfWork
from app.features.users.model import User

SendError = AddError | OwnListing | KeyProblem


def _position(inquiry: Inquiry) -> tuple[datetime, UUID]:
    return inquiry.created_at, inquiry.id


class InquiryService:
    """Inquiry use cases. Every successful write commits once, as its last step."""

    def __init__(
        self,
        *,
        uow: UnitOfWork,
        inquiries: InquiryRepository,
        listings: RealEstateRepository,
        cursors: CursorCodec,
        idempotency: Idempotency,
    ) -> None:
        self._uow = uow
        self._inquiries = inquiries
        self._listings = listings
        self._cursors = cursors
        self._idempotency = idempotency

    async def send(
        self,
        sender: User,
        listing_id: UUID,
        inquiry: NewInquiry,
        *,
        respond: Callable[[Inquiry], StoredResponse],
        request: KeyedRequest | None = None,
    ) -> Result[StoredResponse, SendError]:
        """Send `inquiry` about a published listing to its collector, once per idempotency key.

        A listing the sender may not see, or that is not published, is RealEstateNotFound
        (as it is to them elsewhere); their own listing is OwnListing; a second inquiry
        about the same listing is InquiryExists, naming the first. `respond` turns the
        new inquiry into the answer a retry of `request` gets back.
        """

        async def deliver() -> Result[StoredResponse, AddError | OwnListing]:
            found = await self._listings.get(listing_id)
            if isinstance(found, Err) or not visible_to(found.ok_value, sender):
                return Err(RealEstateNotFound())
            listing = found.ok_value
            if listing.owner_id == sender.id:
                return Err(OwnListing())
            if listing.status is not ListingStatus.PUBLISHED:
                return Err(RealEstateNotFound())
            earlier = await self._inquiries.sent_about(sender.id, listing.id)
            if earlier is not None:
                return Err(InquiryExists(inquiry_id=str(earlier)))
            added = await self._inquiries.add(
                Inquiry(
                    sender_id=sender.id,
                    recipient_id=listing.owner_id,
                    listing_id=listing.id,
                    listing_title=listing.title,
                    listing_city=listing.city,
                    sender_name=sender.name,
                    message=inquiry.message,
                    phone=inquiry.phone,
                    preferred_contact_time=inquiry.preferred_contact_time,
                )
            )
            return added.map(respond)

        return await self._idempotency.once(sender.id, request, deliver)

    async def list_received(
        self, recipient: User, filters: InquiryFilters, *, limit: int, cursor: str | None
    ) -> Result[Page[Inquiry], InvalidCursor]:
        """The inquiries sent to the recipient's listings, newest first."""
        scope = page_scope(
            "received_inquiries",
            user=str(recipient.id),
            listing_id=filters.listing_id,
            unread=filters.unread,
        )
        after = self._cursors.resume_after(cursor, scope=scope, parse_key=datetime.fromisoformat)
        if isinstance(after, Err):
            return after
        rows = await self._inquiries.received(
            recipient.id, filters, after=after.ok_value, limit=limit + 1
        )
        return Ok(self._cursors.page(rows, limit=limit, scope=scope, key=_position))

    async def list_sent(
        self, sender: User, filters: InquiryFilters, *, limit: int, cursor: str | None
    ) -> Result[Page[Inquiry], InvalidCursor]:
        """The inquiries the sender sent, newest first (`filters.unread` is not used)."""
        scope = page_scope("sent_inquiries", user=str(sender.id), listing_id=filters.listing_id)
        after = self._cursors.resume_after(cursor, scope=scope, parse_key=datetime.fromisoformat)
        if isinstance(after, Err):
            return after
        rows = await self._inquiries.sent(
            sender.id,
            InquiryFilters(listing_id=filters.listing_id),
            after=after.ok_value,
            limit=limit + 1,
        )
        return Ok(self._cursors.page(rows, limit=limit, scope=scope, key=_position))

    async def mark_read(
        self, recipient: User, inquiry_id: UUID
    ) -> Result[Inquiry, InquiryNotFound]:
        """Mark an inquiry the recipient received read; again changes nothing.

        Anyone else's inquiry is InquiryNotFound, as if it did not exist.
        """
        marked = await self._inquiries.mark_read(recipient.id, inquiry_id)
        if marked is None:
            return Err(InquiryNotFound())
        await self._uow.commit()
        return Ok(marked)
