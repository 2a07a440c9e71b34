"""POST /real-estates with an Idempotency-Key: retries answer once, create once."""

from typing import Any

import httpx
import pytest
from sqlalchemy import func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from app.features.idempotency.model import IdempotencyRecord
from app.features.real_estates.model import RealEstate
from app.features.users.model import User
from tests.conftest import MakeToken, MakeUser, assert_problem, bearer
from tests.features.real_estates.v1.conftest import BASE, LISTING


def keyed(token: str, key: str) -> dict[str, str]:
    return {**bearer(token), "Idempotency-Key": key}


async def listings_of(session: AsyncSession, owner: User) -> int:
    count = select(func.count()).select_from(RealEstate).where(RealEstate.owner_id == owner.id)
    return int(await session.scalar(count) or 0)


async def test_a_retry_with_the_same_key_and_body_gets_the_first_answer_and_creates_nothing(
    client: httpx.AsyncClient, session: AsyncSession, re_owner: User, re_owner_token: str
) -> None:
    first = await client.post(BASE, headers=keyed(re_owner_token, "order-1"), json=LISTING)
    retry = await client.post(BASE, headers=keyed(re_owner_token, "order-1"), json=LISTING)

    assert first.status_code == retry.status_code == 201, retry.text
    assert retry.content == first.content
    for header in ("location", "etag", "content-type"):
        assert retry.headers[header] == first.headers[header]
    assert "idempotent-replayed" not in first.headers
    assert retry.headers["idempotent-replayed"] == "true"
    assert retry.headers["x-request-id"] != first.headers["x-request-id"]
    assert await listings_of(session, re_owner) == 1


async def test_the_replay_is_the_answer_of_then_not_the_listing_of_now(
    client: httpx.AsyncClient, re_owner_token: str
) -> None:
    first = await client.post(BASE, headers=keyed(re_owner_token, "k"), json=LISTING)
    listing = first.json()
    edited = await client.patch(
        f"{BASE}/{listing['id']}",
        headers={**bearer(re_owner_token), "If-Match": '"1"'},
        json={"title": "Título novo depois do cadastro"},
    )
    assert edited.status_code == 200, edited.text

    retry = await client.post(BASE, headers=keyed(re_owner_token, "k"), json=LISTING)

    assert retry.json() == listing
    assert retry.headers["etag"] == '"1"'


async def test_the_same_key_with_another_body_is_refused_and_changes_nothing(
    client: httpx.AsyncClient, session: AsyncSession, re_owner: User, re_owner_token: str
) -> None:
    first = await client.post(BASE, headers=keyed(re_owner_token, "k"), json=LISTING)
    other = {**LISTING, "price_cents": LISTING["price_cents"] + 1}

    refused = await client.post(BASE, headers=keyed(re_owner_token, "k"), json=other)

    assert_problem(refused, 422, "IDEMPOTENCY_KEY_REUSED", BASE)
    assert await listings_of(session, re_owner) == 1
    again = await client.post(BASE, headers=keyed(re_owner_token, "k"), json=LISTING)
    assert again.content == first.content


async def test_keys_belong_to_their_user(
    client: httpx.AsyncClient,
    session: AsyncSession,
    re_owner: User,
    re_owner_token: str,
    make_user: MakeUser,
    sign_in: MakeToken,
) -> None:
    other = await make_user(name="Other Collector")
    other_token = await sign_in(other)

    mine = await client.post(BASE, headers=keyed(re_owner_token, "shared"), json=LISTING)
    theirs = await client.post(BASE, headers=keyed(other_token, "shared"), json=LISTING)

    assert mine.status_code == theirs.status_code == 201
    assert "idempotent-replayed" not in theirs.headers
    assert mine.json()["id"] != theirs.json()["id"]
    assert (await listings_of(session, re_owner), await listings_of(session, other)) == (1, 1)


async def test_without_a_key_every_request_creates(
    client: httpx.AsyncClient, session: AsyncSession, re_owner: User, re_owner_token: str
) -> None:
    for _ in range(2):
        response = await client.post(BASE, headers=bearer(re_owner_token), json=LISTING)
        assert response.status_code == 201
    assert await listings_of(session, re_owner) == 2
    assert await session.scalar(select(func.count()).select_from(IdempotencyRecord)) == 0


async def test_an_expired_key_creates_again(
    client: httpx.AsyncClient, session: AsyncSession, re_owner: User, re_owner_token: str
) -> None:
    first = await client.post(BASE, headers=keyed(re_owner_token, "old"), json=LISTING)
    await session.execute(
        update(IdempotencyRecord)
        .where(IdempotencyRecord.user_id == re_owner.id)
        .values(expires_at=func.now() - func.make_interval(0, 0, 0, 0, 1))
    )

    later = await client.post(BASE, headers=keyed(re_owner_token, "old"), json=LISTING)

    assert later.status_code == 201
    assert "idempotent-replayed" not in later.headers
    assert later.json()["id"] != first.json()["id"]
    assert await listings_of(session, re_owner) == 2


async def test_the_key_is_remembered_for_the_configured_time(
    client: httpx.AsyncClient, session: AsyncSession, re_owner: User, re_owner_token: str
) -> None:
    await client.post(BASE, headers=keyed(re_owner_token, "ttl"), json=LISTING)

    row = (
        await session.execute(
            select(IdempotencyRecord.created_at, IdempotencyRecord.expires_at).where(
                IdempotencyRecord.user_id == re_owner.id
            )
        )
    ).one()

    assert round((row.expires_at - row.created_at).total_seconds() / 3600) == 24


async def test_a_refused_request_does_not_use_up_its_key(
    client: httpx.AsyncClient, session: AsyncSession, re_owner: User, re_owner_token: str
) -> None:
    invalid = await client.post(
        BASE, headers=keyed(re_owner_token, "k"), json={**LISTING, "price_cents": -1}
    )
    assert_problem(invalid, 422, "VALIDATION_ERROR", BASE)

    valid = await client.post(BASE, headers=keyed(re_owner_token, "k"), json=LISTING)

    assert valid.status_code == 201
    assert "idempotent-replayed" not in valid.headers
    assert await listings_of(session, re_owner) == 1


@pytest.mark.parametrize(
    ("key", "why"),
    [
        ("", "empty"),
        ("x" * 256, "longer than 255"),
        ("café", "not visible ASCII"),
        ("a b", "space"),
    ],
)
async def test_a_malformed_key_is_a_validation_error(
    client: httpx.AsyncClient,
    session: AsyncSession,
    re_owner: User,
    re_owner_token: str,
    key: str,
    why: str,
) -> None:
    headers: dict[str, Any] = {**bearer(re_owner_token), "Idempotency-Key": key.encode()}

    response = await client.post(BASE, headers=headers, json=LISTING)

    body = assert_problem(response, 422, "VALIDATION_ERROR", BASE)
    assert any(error["loc"] == ["header", "Idempotency-Key"] for error in body["errors"]), why
    assert await listings_of(session, re_owner) == 0


async def test_the_openapi_document_describes_the_key_and_the_replay(
    client: httpx.AsyncClient,
) -> None:
    document = (await client.get("/openapi.json")).json()
    operation = document["paths"]["/api/v1/real-estates"]["post"]
    header = next(p for p in operation["parameters"] if p["name"] == "Idempotency-Key")
    assert header["in"] == "header"
    assert header["required"] is False
    assert "IDEMPOTENCY_KEY_IN_USE" in header["description"]
    assert "Idempotent-Replayed" in operation["responses"]["201"]["headers"]
    assert {"409", "422"} <= set(operation["responses"])
