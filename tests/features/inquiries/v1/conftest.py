"""Fixtures of the inquiry tests: a collector with a published listing, and a searcher."""

from datetime import datetime
from typing import Any
from uuid import UUID

import httpx
import pytest
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from app.core.config.db.database import Database
from app.features.inquiries.model import Inquiry
from app.features.inquiries.repository import InquiryRepository
from app.features.inquiries.service import InquiryService
from app.features.real_estates.model import ListingStatus, RealEstate
from app.features.users.model import User
from app.wiring import Components, build_inquiry_service
from tests.conftest import MakeToken, MakeUser, bearer
from tests.features.real_estates.v1.conftest import new_listing

MESSAGE = "Olá! O imóvel ainda está disponível para visita?"


def inquiries_of(listing_id: UUID | str) -> str:
    """The path that sends an inquiry about a listing."""
    return f"/api/v1/real-estates/{listing_id}/inquiries"


RECEIVED = "/api/v1/users/me/inquiries/received"
SENT = "/api/v1/users/me/inquiries/sent"


@pytest.fixture
async def collector(make_user: MakeUser) -> User:
    """The collector who owns the listings (with an e-mail that must never be shown)."""
    return await make_user(name="Carla Collector", email="carla@example.com")


@pytest.fixture
async def searcher(make_user: MakeUser) -> User:
    """A signed-up searcher who writes inquiries (with an e-mail never shown either)."""
    return await make_user(name="Sam Searcher", email="sam@example.com")


async def add_listing(
    session: AsyncSession,
    owner: User,
    *,
    status: ListingStatus = ListingStatus.PUBLISHED,
    **values: Any,
) -> RealEstate:
    """Insert a listing of `owner` (published unless told otherwise)."""
    listing = new_listing(owner.id, status=status, **values)
    session.add(listing)
    await session.flush()
    return listing


@pytest.fixture
async def listing(session: AsyncSession, collector: User) -> RealEstate:
    """A published listing of `collector`."""
    return await add_listing(session, collector, title="Casa com quintal", city="Campinas")


@pytest.fixture
def inquiry_repository(session: AsyncSession) -> InquiryRepository:
    """The inquiry repository over the test session."""
    return InquiryRepository(Database.over(session))


@pytest.fixture
def inquiry_service(session: AsyncSession, components: Components) -> InquiryService:
    """The inquiry service, wired by the composition root."""
    return build_inquiry_service(Database.over(session), components)


def new_inquiry(
    sender: User, listing: RealEstate, *, created_at: datetime | None = None, **values: Any
) -> Inquiry:
    """An unsaved inquiry of `sender` about `listing`."""
    inquiry = Inquiry(
        sender_id=sender.id,
        recipient_id=listing.owner_id,
        listing_id=listing.id,
        listing_title=listing.title,
        listing_city=listing.city,
        sender_name=sender.name,
        message=values.pop("message", MESSAGE),
        **values,
    )
    if created_at is not None:
        inquiry.created_at = created_at
    return inquiry


async def stored_inquiry(session: AsyncSession, inquiry_id: UUID | str) -> Inquiry | None:
    """The inquiry's row as the database holds it now; None when there is no row."""
    session.expunge_all()
    row: Inquiry | None = await session.scalar(
        select(Inquiry).where(Inquiry.id == UUID(str(inquiry_id)))
    )
    return row


@pytest.fixture
async def collector_token(collector: User, sign_in: MakeToken) -> str:
    """The collector's access token."""
    return await sign_in(collector)


@pytest.fixture
async def searcher_token(searcher: User, sign_in: MakeToken) -> str:
    """The searcher's access token."""
    return await sign_in(searcher)


async def send(
    client: httpx.AsyncClient, token: str, listing_id: UUID | str, **body: Any
) -> httpx.Response:
    """POST an inquiry (MESSAGE unless `body` says otherwise)."""
    return await client.post(
        inquiries_of(listing_id), headers=bearer(token), json={"message": MESSAGE, **body}
    )
