"""HTTP behaviour of registering a listing (POST /real-estates), end to end."""

from typing import Any

import httpx
import pytest
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from app.features.real_estates.model import ListingStatus, RealEstate
from app.features.users.model import User
from tests.conftest import assert_problem, bearer
from tests.features.real_estates.v1.conftest import ADDRESS, BASE, LISTING, stored_listing


async def test_create_registers_a_draft_owned_by_the_caller(
    client: httpx.AsyncClient, session: AsyncSession, re_owner: User, re_owner_token: str
) -> None:
    response = await client.post(BASE, headers=bearer(re_owner_token), json=LISTING)

    assert response.status_code == 201, response.text
    body = response.json()
    assert response.headers["location"] == f"{BASE}/{body['id']}"
    assert response.headers["etag"] == '"1"'
    assert (body["status"], body["owner_id"], body["version"]) == ("draft", str(re_owner.id), 1)
    assert body["published_at"] is None
    assert body["address"] == {**ADDRESS, "postal_code": "01310100"}
    assert body["location"] == {"lat": -23.5613, "lng": -46.6565}
    assert body["area_m2"] == 72.5
    assert (body["title"], body["price_cents"], body["built_area_m2"]) == (
        LISTING["title"],
        85_000_000,
        None,
    )
    row = await stored_listing(session, body["id"])
    assert row is not None
    assert (row.status, row.owner_id, row.version) == (ListingStatus.DRAFT, re_owner.id, 1)
    assert (row.postal_code, row.city, row.city_key) == ("01310100", "São Paulo", "sao paulo")
    assert (row.lat, row.lng, row.published_at) == (-23.5613, -46.6565, None)


async def test_create_answers_the_same_representation_a_read_of_that_etag_answers(
    client: httpx.AsyncClient, re_owner_token: str
) -> None:
    created = await client.post(
        BASE,
        headers=bearer(re_owner_token),
        json={**LISTING, "area_m2": 72.25, "built_area_m2": 60},
    )

    read = await client.get(created.headers["location"], headers=bearer(re_owner_token))

    assert created.status_code == 201, created.text
    assert read.headers["etag"] == created.headers["etag"] == '"1"'
    assert read.json() == created.json()


async def test_areas_are_json_numbers_that_keep_their_two_decimals(
    client: httpx.AsyncClient, re_owner_token: str
) -> None:
    created = await client.post(
        BASE,
        headers=bearer(re_owner_token),
        json={**LISTING, "area_m2": 999_999_999.99, "built_area_m2": 0.01},
    )

    read = await client.get(created.headers["location"], headers=bearer(re_owner_token))

    assert created.status_code == 201, created.text
    assert '"area_m2":999999999.99' in read.text
    assert '"built_area_m2":0.01' in read.text
    assert (read.json()["area_m2"], read.json()["built_area_m2"]) == (999_999_999.99, 0.01)


async def test_create_accepts_a_minimal_body_with_defaults(
    client: httpx.AsyncClient, re_owner_token: str
) -> None:
    minimal = {key: LISTING[key] for key in ("title", "kind", "purpose", "price_cents", "area_m2")}
    address = {key: value for key, value in ADDRESS.items() if key != "complement"}

    response = await client.post(
        BASE, headers=bearer(re_owner_token), json={**minimal, "address": address}
    )

    assert response.status_code == 201, response.text
    body = response.json()
    assert (body["description"], body["bedrooms"], body["parking_spaces"]) == ("", 0, 0)
    assert (body["location"], body["condo_fee_cents"], body["address"]["complement"]) == (
        None,
        None,
        None,
    )


async def test_create_needs_a_bearer_token(
    client: httpx.AsyncClient, session: AsyncSession
) -> None:
    response = await client.post(BASE, json=LISTING)

    assert_problem(response, 401, "NOT_AUTHENTICATED", BASE)
    assert response.headers["www-authenticate"] == "Bearer"
    assert await session.scalar(select(RealEstate.id)) is None


WITHOUT_ADDRESS = {key: value for key, value in LISTING.items() if key != "address"}


@pytest.mark.parametrize(
    ("body", "loc"),
    [
        ({**LISTING, "address": {**ADDRESS, "state": "XX"}}, ["body", "address", "state"]),
        (
            {**LISTING, "address": {**ADDRESS, "postal_code": "1234"}},
            ["body", "address", "postal_code"],
        ),
        ({**LISTING, "kind": "castle"}, ["body", "kind"]),
        ({**LISTING, "purpose": "swap"}, ["body", "purpose"]),
        ({**LISTING, "price_cents": -1}, ["body", "price_cents"]),
        ({**LISTING, "area_m2": 0}, ["body", "area_m2"]),
        ({**LISTING, "area_m2": 72.505}, ["body", "area_m2"]),
        ({**LISTING, "built_area_m2": "60"}, ["body", "built_area_m2"]),
        ({**LISTING, "parking_spaces": 51}, ["body", "parking_spaces"]),
        ({**LISTING, "title": "ab"}, ["body", "title"]),
        ({**LISTING, "description": "x" * 5001}, ["body", "description"]),
        ({**LISTING, "location": {"lat": 91, "lng": 0}}, ["body", "location", "lat"]),
        ({**LISTING, "swimming_pool": True}, ["body", "swimming_pool"]),
        (WITHOUT_ADDRESS, ["body", "address"]),
    ],
    ids=[
        "unknown-state",
        "short-postal-code",
        "unknown-kind",
        "unknown-purpose",
        "negative-price",
        "zero-area",
        "area-with-three-decimals",
        "area-as-text",
        "too-many-parking-spaces",
        "short-title",
        "long-description",
        "latitude-out-of-range",
        "unknown-field",
        "missing-address",
    ],
)
async def test_create_refuses_invalid_fields(
    client: httpx.AsyncClient,
    session: AsyncSession,
    re_owner_token: str,
    body: dict[str, Any],
    loc: list[str],
) -> None:
    response = await client.post(BASE, headers=bearer(re_owner_token), json=body)

    problem = assert_problem(response, 422, "VALIDATION_ERROR", BASE)
    assert [error["loc"] for error in problem["errors"]] == [loc]
    assert await session.scalar(select(RealEstate.id)) is None
