"""Inquiries when accounts go, and the per-user rate limit of sending."""

from typing import Any

import httpx
import pytest
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from app.core.config.settings import Settings
from app.features.inquiries.model import Inquiry
from app.features.real_estates.model import RealEstate
from app.features.users.model import User
from app.wiring import Components
from tests.conftest import MakeToken, MakeUser, assert_problem, bearer
from tests.features.inquiries.v1.conftest import SENT, add_listing, inquiries_of, send

ME = "/api/v1/users/me"


async def inquiries_sent_by(session: AsyncSession, user: User) -> int:
    query = select(func.count()).select_from(Inquiry).where(Inquiry.sender_id == user.id)
    return int(await session.scalar(query) or 0)


async def test_deleting_the_sender_deletes_what_they_sent(
    client: httpx.AsyncClient,
    session: AsyncSession,
    searcher: User,
    searcher_token: str,
    collector_token: str,
    listing: RealEstate,
) -> None:
    await send(client, searcher_token, listing.id, phone="11912345678")

    deleted = await client.delete(ME, headers=bearer(searcher_token))
    received = await client.get(
        "/api/v1/users/me/inquiries/received", headers=bearer(collector_token)
    )

    assert deleted.status_code == 204, deleted.text
    assert await inquiries_sent_by(session, searcher) == 0
    assert received.json()["items"] == []


async def test_deleting_the_collector_leaves_the_inquiry_to_its_sender_flagged(
    client: httpx.AsyncClient,
    session: AsyncSession,
    searcher: User,
    searcher_token: str,
    collector_token: str,
    listing: RealEstate,
) -> None:
    inquiry_id = (await send(client, searcher_token, listing.id)).json()["id"]

    deleted = await client.delete(ME, headers=bearer(collector_token))
    sent = await client.get(SENT, headers=bearer(searcher_token))

    assert deleted.status_code == 204, deleted.text
    [item] = sent.json()["items"]
    assert item["id"] == inquiry_id
    assert item["collector_deleted"] is True
    assert item["listing"] == {"id": None, "title": "Casa com quintal", "city": "Campinas"}
    assert await inquiries_sent_by(session, searcher) == 1


@pytest.fixture
def limited(app: Any, settings: Settings) -> Settings:
    """Turn the app's limits on, with two inquiries an hour."""
    limits = settings.model_copy(update={"rate_limit_enabled": True, "inquiries_per_hour": 2})
    app.state.components = Components.from_settings(limits)
    return limits


@pytest.mark.usefixtures("limited")
async def test_past_the_hourly_limit_a_user_gets_429_others_do_not(
    client: httpx.AsyncClient,
    session: AsyncSession,
    make_user: MakeUser,
    sign_in: MakeToken,
    collector: User,
    searcher_token: str,
) -> None:
    listings = [await add_listing(session, collector, title=f"Imóvel {n}") for n in range(3)]
    other_token = await sign_in(await make_user(name="Other Searcher"))

    answers = [await send(client, searcher_token, listing.id) for listing in listings]
    elsewhere = await send(client, other_token, listings[2].id)

    assert [answer.status_code for answer in answers] == [201, 201, 429]
    assert answers[0].headers["ratelimit-policy"] == '"inquiries";q=2;w=3600'
    assert answers[0].headers["ratelimit"].startswith('"inquiries";r=1;t=')
    assert_problem(answers[2], 429, "TOO_MANY_REQUESTS", inquiries_of(listings[2].id))
    assert 1 <= int(answers[2].headers["retry-after"]) <= 3600
    assert elsewhere.status_code == 201, elsewhere.text
    assert await session.scalar(select(func.count()).select_from(Inquiry)) == 3
