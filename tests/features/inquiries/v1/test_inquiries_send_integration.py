"""POST /real-estates/{id}/inquiries: validation, who may write, one per listing, retries."""

from uuid import uuid4

import httpx
import pytest
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from app.features.inquiries.model import Inquiry
from app.features.real_estates.model import ListingStatus, RealEstate
from app.features.users.model import Role, User
from tests.conftest import MakeToken, MakeUser, assert_problem, bearer
from tests.features.inquiries.v1.conftest import (
    MESSAGE,
    SENT,
    add_listing,
    inquiries_of,
    send,
    stored_inquiry,
)


async def count_inquiries(session: AsyncSession) -> int:
    return int(await session.scalar(select(func.count()).select_from(Inquiry)) or 0)


async def test_an_inquiry_is_created_with_location_and_no_personal_data_of_either_side(
    client: httpx.AsyncClient,
    session: AsyncSession,
    searcher: User,
    searcher_token: str,
    listing: RealEstate,
) -> None:
    response = await send(
        client,
        searcher_token,
        listing.id,
        message=f"  {MESSAGE}  ",
        phone="(11) 91234-5678",
        preferred_contact_time="morning",
    )

    assert response.status_code == 201, response.text
    body = response.json()
    assert response.headers["location"] == f"{SENT}?listing_id={listing.id}"
    assert body["listing"] == {
        "id": str(listing.id),
        "title": "Casa com quintal",
        "city": "Campinas",
    }
    assert body["sender_name"] == "Sam Searcher"
    assert body["message"] == MESSAGE
    assert body["preferred_contact_time"] == "morning"
    assert body["collector_deleted"] is False
    assert "phone" not in body
    for secret in (searcher.cpf, "sam@example.com", "carla@example.com", "cpf", "email"):
        assert secret not in response.text
    stored = await stored_inquiry(session, body["id"])
    assert stored is not None
    assert stored.phone == "+5511912345678"


@pytest.mark.parametrize(
    ("written", "e164"),
    [
        ("(11) 91234-5678", "+5511912345678"),
        ("11912345678", "+5511912345678"),
        ("+55 11 91234-5678", "+5511912345678"),
        ("+5521987654321", "+5521987654321"),
        ("(11) 3123-4567", "+551131234567"),
        ("1131234567", "+551131234567"),
    ],
)
async def test_brazilian_phones_are_stored_in_e164(
    client: httpx.AsyncClient,
    session: AsyncSession,
    searcher_token: str,
    listing: RealEstate,
    written: str,
    e164: str,
) -> None:
    response = await send(client, searcher_token, listing.id, phone=written)

    assert response.status_code == 201, response.text
    stored = await stored_inquiry(session, response.json()["id"])
    assert stored is not None
    assert stored.phone == e164


@pytest.mark.parametrize(
    "body",
    [
        {"phone": "912345678"},  # no area code
        {"phone": "(01) 91234-5678"},  # no area code has a zero
        {"phone": "(11) 81234-5678"},  # nine digits must start with 9
        {"phone": "(11) 1123-4567"},  # landlines start with 2 to 5
        {"phone": "+1 415 555 0100"},
        {"phone": "(11) ٩١٢٣٤-٥٦٧٨"},  # not ASCII digits
        {"message": "   curta    "},  # under 10 characters once trimmed
        {"message": "x" * 2001},
        {"preferred_contact_time": "midnight"},
        {"surprise": "field"},
    ],
)
async def test_invalid_bodies_are_422_and_create_nothing(
    client: httpx.AsyncClient,
    session: AsyncSession,
    searcher_token: str,
    listing: RealEstate,
    body: dict[str, str],
) -> None:
    response = await send(client, searcher_token, listing.id, **body)

    assert_problem(response, 422, "VALIDATION_ERROR", inquiries_of(listing.id))
    assert await count_inquiries(session) == 0


@pytest.mark.parametrize("status", [ListingStatus.DRAFT, ListingStatus.ARCHIVED])
async def test_unpublished_and_unknown_listings_are_not_found(
    client: httpx.AsyncClient,
    session: AsyncSession,
    searcher_token: str,
    collector: User,
    status: ListingStatus,
) -> None:
    hidden = await add_listing(session, collector, status=status)

    for listing_id in (hidden.id, uuid4()):
        response = await send(client, searcher_token, listing_id)
        assert_problem(response, 404, "REAL_ESTATE_NOT_FOUND", inquiries_of(listing_id))
    assert await count_inquiries(session) == 0


async def test_a_collector_cannot_write_about_their_own_listing(
    client: httpx.AsyncClient, collector_token: str, listing: RealEstate
) -> None:
    response = await send(client, collector_token, listing.id)

    assert_problem(response, 409, "OWN_LISTING", inquiries_of(listing.id))


async def test_a_second_inquiry_is_409_naming_the_first(
    client: httpx.AsyncClient, session: AsyncSession, searcher_token: str, listing: RealEstate
) -> None:
    first = await send(client, searcher_token, listing.id)
    second = await send(client, searcher_token, listing.id, message="Outra pergunta sobre o imóvel")

    problem = assert_problem(second, 409, "INQUIRY_EXISTS", inquiries_of(listing.id))
    assert problem["inquiry_id"] == first.json()["id"]
    assert await count_inquiries(session) == 1


async def test_signing_in_is_required(client: httpx.AsyncClient, listing: RealEstate) -> None:
    response = await client.post(inquiries_of(listing.id), json={"message": MESSAGE})

    assert_problem(response, 401, "NOT_AUTHENTICATED", inquiries_of(listing.id))


async def test_a_retry_with_the_same_key_gets_the_first_answer_not_a_409(
    client: httpx.AsyncClient, session: AsyncSession, searcher_token: str, listing: RealEstate
) -> None:
    keyed = {**bearer(searcher_token), "Idempotency-Key": "inquiry-1"}
    body = {"message": MESSAGE, "phone": "11912345678"}

    first = await client.post(inquiries_of(listing.id), headers=keyed, json=body)
    retry = await client.post(inquiries_of(listing.id), headers=keyed, json=body)
    changed = await client.post(
        inquiries_of(listing.id), headers=keyed, json={**body, "message": "Mudei de ideia agora"}
    )

    assert first.status_code == retry.status_code == 201, retry.text
    assert retry.content == first.content
    assert retry.headers["location"] == first.headers["location"]
    assert "idempotent-replayed" not in first.headers
    assert retry.headers["idempotent-replayed"] == "true"
    assert_problem(changed, 422, "IDEMPOTENCY_KEY_REUSED", inquiries_of(listing.id))
    assert await count_inquiries(session) == 1


async def test_the_same_key_about_another_listing_is_refused(
    client: httpx.AsyncClient,
    session: AsyncSession,
    searcher_token: str,
    collector: User,
    listing: RealEstate,
) -> None:
    other = await add_listing(session, collector, title="Outro imóvel")
    keyed = {**bearer(searcher_token), "Idempotency-Key": "inquiry-2"}

    first = await client.post(inquiries_of(listing.id), headers=keyed, json={"message": MESSAGE})
    elsewhere = await client.post(inquiries_of(other.id), headers=keyed, json={"message": MESSAGE})

    assert first.status_code == 201, first.text
    assert_problem(elsewhere, 422, "IDEMPOTENCY_KEY_REUSED", inquiries_of(other.id))


async def test_admins_write_like_anyone_else(
    client: httpx.AsyncClient,
    make_user: MakeUser,
    sign_in: MakeToken,
    listing: RealEstate,
) -> None:
    admin_token = await sign_in(await make_user(name="Site Admin", role=Role.ADMIN))

    response = await send(client, admin_token, listing.id)

    assert response.status_code == 201, response.text
