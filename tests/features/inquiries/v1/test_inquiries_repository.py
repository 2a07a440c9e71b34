"""The inquiry repository against PostgreSQL: one per listing, the inboxes, deletions."""

from datetime import timedelta

from result import Err, Ok
from sqlalchemy import delete
from sqlalchemy.ext.asyncio import AsyncSession

from app.features.inquiries.exceptions import InquiryExists
from app.features.inquiries.repository import InquiryFilters, InquiryRepository
from app.features.real_estates.model import RealEstate
from app.features.users.model import User
from tests.conftest import MakeUser
from tests.features.inquiries.v1.conftest import add_listing, new_inquiry, stored_inquiry
from tests.features.real_estates.v1.conftest import START


async def test_a_second_inquiry_of_the_sender_about_the_listing_names_the_first(
    inquiry_repository: InquiryRepository, searcher: User, listing: RealEstate
) -> None:
    first = await inquiry_repository.add(new_inquiry(searcher, listing))
    second = await inquiry_repository.add(new_inquiry(searcher, listing))

    assert isinstance(first, Ok)
    assert isinstance(second, Err)
    assert isinstance(second.err_value, InquiryExists)
    assert second.err_value.extensions == {"inquiry_id": str(first.ok_value.id)}
    assert await inquiry_repository.sent_about(searcher.id, listing.id) == first.ok_value.id


async def test_the_inboxes_are_newest_first_filtered_and_keyset_paginated(
    session: AsyncSession,
    inquiry_repository: InquiryRepository,
    make_user: MakeUser,
    collector: User,
    listing: RealEstate,
) -> None:
    other_listing = await add_listing(session, collector, title="Outro imóvel")
    senders = [await make_user(name=f"Sender {n}") for n in range(3)]
    made = []
    for n, sender in enumerate(senders):
        about = listing if n < 2 else other_listing
        inquiry = new_inquiry(sender, about, created_at=START + timedelta(minutes=n))
        made.append((await inquiry_repository.add(inquiry)).unwrap())
    await inquiry_repository.mark_read(collector.id, made[0].id)

    everything = await inquiry_repository.received(
        collector.id, InquiryFilters(), after=None, limit=10
    )
    after_first = await inquiry_repository.received(
        collector.id, InquiryFilters(), after=(made[2].created_at, made[2].id), limit=10
    )
    about_listing = await inquiry_repository.received(
        collector.id, InquiryFilters(listing_id=listing.id), after=None, limit=10
    )
    unread = await inquiry_repository.received(
        collector.id, InquiryFilters(unread=True), after=None, limit=10
    )
    read = await inquiry_repository.received(
        collector.id, InquiryFilters(unread=False), after=None, limit=10
    )
    sent = await inquiry_repository.sent(senders[0].id, InquiryFilters(), after=None, limit=10)

    assert [item.id for item in everything] == [made[2].id, made[1].id, made[0].id]
    assert [item.id for item in after_first] == [made[1].id, made[0].id]
    assert [item.id for item in about_listing] == [made[1].id, made[0].id]
    assert [item.id for item in unread] == [made[2].id, made[1].id]
    assert [item.id for item in read] == [made[0].id]
    assert [item.id for item in sent] == [made[0].id]


async def test_marking_read_keeps_the_first_time_and_only_for_the_recipient(
    inquiry_repository: InquiryRepository, searcher: User, collector: User, listing: RealEstate
) -> None:
    inquiry = (await inquiry_repository.add(new_inquiry(searcher, listing))).unwrap()

    first = await inquiry_repository.mark_read(collector.id, inquiry.id)
    again = await inquiry_repository.mark_read(collector.id, inquiry.id)
    by_sender = await inquiry_repository.mark_read(searcher.id, inquiry.id)

    assert first is not None
    assert again is not None
    assert first.read_at is not None
    assert again.read_at == first.read_at
    assert by_sender is None


async def test_a_deleted_listing_leaves_the_inquiry_with_its_snapshot(
    session: AsyncSession,
    inquiry_repository: InquiryRepository,
    searcher: User,
    collector: User,
    listing: RealEstate,
) -> None:
    inquiry = (await inquiry_repository.add(new_inquiry(searcher, listing))).unwrap()

    await session.execute(delete(RealEstate).where(RealEstate.id == listing.id))
    kept = await stored_inquiry(session, inquiry.id)

    assert kept is not None
    assert kept.listing_id is None
    assert (kept.listing_title, kept.listing_city) == ("Casa com quintal", "Campinas")
    assert kept.recipient_id == collector.id


async def test_deleting_the_collector_keeps_the_inquiry_for_the_sender_without_a_recipient(
    session: AsyncSession,
    inquiry_repository: InquiryRepository,
    searcher: User,
    collector: User,
    listing: RealEstate,
) -> None:
    inquiry = (await inquiry_repository.add(new_inquiry(searcher, listing))).unwrap()

    await session.execute(delete(User).where(User.id == collector.id))
    kept = await stored_inquiry(session, inquiry.id)

    assert kept is not None
    assert (kept.recipient_id, kept.listing_id) == (None, None)
    assert kept.sender_id == searcher.id


async def test_deleting_the_sender_deletes_their_inquiries(
    session: AsyncSession,
    inquiry_repository: InquiryRepository,
    searcher: User,
    listing: RealEstate,
) -> None:
    inquiry = (await inquiry_repository.add(new_inquiry(searcher, listing))).unwrap()

    await session.execute(delete(User).where(User.id == searcher.id))

    assert await stored_inquiry(session, inquiry.id) is None
