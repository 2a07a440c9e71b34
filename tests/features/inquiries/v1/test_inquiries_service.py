"""The inquiry use cases: who may write about which listing, inboxes, marking read."""

from uuid import UUID

import pytest
from result import Err, Ok
from sqlalchemy.ext.asyncio import AsyncSession

from app.core.errors.catalogue import InvalidCursor
from app.features.idempotency.response import StoredResponse
from app.features.inquiries.commands import NewInquiry
from app.features.inquiries.exceptions import InquiryExists, InquiryNotFound, OwnListing
from app.features.inquiries.model import ContactTime, Inquiry
from app.features.inquiries.repository import InquiryFilters
from app.features.inquiries.service import InquiryService
from app.features.real_estates.exceptions import RealEstateNotFound
from app.features.real_estates.model import ListingStatus, RealEstate
from app.features.users.model import Role, User
from tests.conftest import MakeUser
from tests.features.inquiries.v1.conftest import MESSAGE, add_listing, stored_inquiry

NEW = NewInquiry(
    message=MESSAGE, phone="+5511912345678", preferred_contact_time=ContactTime.EVENING
)


def answer_with_id(inquiry: Inquiry) -> StoredResponse:
    return StoredResponse(status_code=201, headers={}, body=str(inquiry.id).encode())


async def test_sending_stores_the_inquiry_with_the_listing_snapshot_and_recipient(
    session: AsyncSession,
    inquiry_service: InquiryService,
    searcher: User,
    collector: User,
    listing: RealEstate,
) -> None:
    sent = await inquiry_service.send(searcher, listing.id, NEW, respond=answer_with_id)

    assert isinstance(sent, Ok)
    inquiry = await stored_inquiry(session, sent.ok_value.body.decode())
    assert inquiry is not None
    assert (inquiry.sender_id, inquiry.recipient_id) == (searcher.id, collector.id)
    assert (inquiry.listing_id, inquiry.listing_title, inquiry.listing_city) == (
        listing.id,
        "Casa com quintal",
        "Campinas",
    )
    assert inquiry.sender_name == "Sam Searcher"
    assert (inquiry.phone, inquiry.preferred_contact_time) == (
        "+5511912345678",
        ContactTime.EVENING,
    )
    assert inquiry.read_at is None


@pytest.mark.parametrize("status", [ListingStatus.DRAFT, ListingStatus.ARCHIVED])
async def test_only_published_listings_take_inquiries_even_from_admins(
    session: AsyncSession,
    inquiry_service: InquiryService,
    make_user: MakeUser,
    collector: User,
    status: ListingStatus,
) -> None:
    hidden = await add_listing(session, collector, status=status)
    admin = await make_user(name="Site Admin", role=Role.ADMIN)
    searcher = await make_user(name="Some Searcher")

    for sender in (admin, searcher):
        refused = await inquiry_service.send(sender, hidden.id, NEW, respond=answer_with_id)
        assert refused == Err(RealEstateNotFound())


async def test_a_collector_cannot_write_about_their_own_listing_published_or_not(
    session: AsyncSession, inquiry_service: InquiryService, collector: User, listing: RealEstate
) -> None:
    draft = await add_listing(session, collector, status=ListingStatus.DRAFT)

    for own in (listing, draft):
        refused = await inquiry_service.send(collector, own.id, NEW, respond=answer_with_id)
        assert refused == Err(OwnListing())


async def test_a_second_inquiry_about_the_same_listing_names_the_first(
    inquiry_service: InquiryService, searcher: User, listing: RealEstate
) -> None:
    first = await inquiry_service.send(searcher, listing.id, NEW, respond=answer_with_id)
    second = await inquiry_service.send(searcher, listing.id, NEW, respond=answer_with_id)

    assert isinstance(second, Err)
    assert isinstance(second.err_value, InquiryExists)
    assert second.err_value.extensions == {"inquiry_id": first.unwrap().body.decode()}


async def test_only_the_recipient_marks_an_inquiry_read(
    inquiry_service: InquiryService,
    make_user: MakeUser,
    searcher: User,
    collector: User,
    listing: RealEstate,
) -> None:
    inquiry_id = (
        (await inquiry_service.send(searcher, listing.id, NEW, respond=answer_with_id))
        .unwrap()
        .body.decode()
    )
    stranger = await make_user(name="Nosy Stranger")

    for someone_else in (searcher, stranger):
        refused = await inquiry_service.mark_read(someone_else, UUID(inquiry_id))
        assert refused == Err(InquiryNotFound())
    marked = await inquiry_service.mark_read(collector, UUID(inquiry_id))
    assert isinstance(marked, Ok)
    assert marked.ok_value.read_at is not None


async def test_a_cursor_is_bound_to_its_inbox_and_filters(
    session: AsyncSession,
    inquiry_service: InquiryService,
    make_user: MakeUser,
    collector: User,
    listing: RealEstate,
) -> None:
    for n in range(2):
        sender = await make_user(name=f"Sender {n}")
        await inquiry_service.send(sender, listing.id, NEW, respond=answer_with_id)
    page = (
        await inquiry_service.list_received(collector, InquiryFilters(), limit=1, cursor=None)
    ).unwrap()
    assert page.next_cursor is not None

    following = await inquiry_service.list_received(
        collector, InquiryFilters(), limit=1, cursor=page.next_cursor
    )
    unread_only = await inquiry_service.list_received(
        collector, InquiryFilters(unread=True), limit=1, cursor=page.next_cursor
    )
    sent_box = await inquiry_service.list_sent(
        collector, InquiryFilters(), limit=1, cursor=page.next_cursor
    )

    assert len(following.unwrap().items) == 1
    assert following.unwrap().next_cursor is None
    assert isinstance(unread_only, Err)
    assert isinstance(unread_only.err_value, InvalidCursor)
    assert isinstance(sent_box, Err)
    assert isinstance(sent_box.err_value, InvalidCursor)
