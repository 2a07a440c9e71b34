"""Hostile or odd input gets a clear problem, never a 500, and changes nothing."""

from typing import Any

import httpx
import pytest
from sqlalchemy.ext.asyncio import AsyncSession

from app.features.real_estates.model import RealEstate
from tests.conftest import MakeToken, MakeUser, bearer
from tests.features.real_estates.v1.test_real_estates_integration import (
    ADDRESS,
    BASE,
    assert_problem,
    create_listing,
)


@pytest.mark.parametrize(
    "if_match",
    [
        '"²"',
        '"' + "9" * 5000 + '"',
        '"99999999999"',
        'W/"1"',
        '"1',
        "garbage",
        '""',
    ],
    ids=["unicode-digit", "huge", "beyond-int4", "weak", "unclosed", "unquoted", "empty"],
)
async def test_an_if_match_that_matches_nothing_is_412_and_changes_nothing(
    client: httpx.AsyncClient,
    session: AsyncSession,
    make_user: MakeUser,
    sign_in: MakeToken,
    if_match: str,
) -> None:
    token = await sign_in(await make_user())
    listing = await create_listing(client, token)

    response = await client.patch(
        f"{BASE}/{listing['id']}",
        # Bytes, so a non-ASCII tag travels as Latin-1, the way HTTP/1.1 carries it.
        headers={
            name.encode(): value.encode("latin-1")
            for name, value in {**bearer(token), "If-Match": if_match}.items()
        },
        json={"title": "Outro título"},
    )

    assert_problem(response, 412, "STALE_VERSION", f"{BASE}/{listing['id']}")
    session.expunge_all()
    stored = await session.get(RealEstate, listing["id"])
    assert stored is not None
    assert (stored.title, stored.version) == (listing["title"], 1)


@pytest.mark.parametrize(
    "overrides",
    [
        {"title": "Casa\u0000 com quintal"},
        {"description": "linha\u0000quebrada"},
        {"address": {**ADDRESS, "street": "Rua\u0000 A"}},
    ],
    ids=["title", "description", "street"],
)
async def test_a_nul_character_is_a_validation_problem_not_a_500(
    client: httpx.AsyncClient, make_user: MakeUser, sign_in: MakeToken, overrides: dict[str, Any]
) -> None:
    token = await sign_in(await make_user())
    listing = await create_listing(client, token)

    response = await client.patch(f"{BASE}/{listing['id']}", headers=bearer(token), json=overrides)

    assert_problem(response, 422, "VALIDATION_ERROR", f"{BASE}/{listing['id']}")
    assert "\u0000" not in response.text


async def test_a_nul_character_in_a_search_is_a_validation_problem(
    client: httpx.AsyncClient,
) -> None:
    response = await client.get(BASE, params={"q": "casa\u0000"})

    assert_problem(response, 422, "VALIDATION_ERROR", BASE)


@pytest.mark.parametrize(
    "params",
    [
        {"min_price": str(2**70)},
        {"max_price": "-1"},
        {"min_area": "1e-20000"},
        {"max_area": "1e300000"},
        {"min_area": "NaN"},
        {"limit": "1e3"},
    ],
    ids=["huge-price", "negative-price", "tiny-area", "huge-area", "nan-area", "float-limit"],
)
async def test_out_of_range_search_numbers_are_field_level_problems(
    client: httpx.AsyncClient, params: dict[str, str]
) -> None:
    response = await client.get(BASE, params=params)

    body = assert_problem(response, 422, "VALIDATION_ERROR", BASE)
    assert [error["loc"] for error in body["errors"]] == [["query", next(iter(params))]]


async def test_an_over_long_cursor_is_an_invalid_cursor(client: httpx.AsyncClient) -> None:
    response = await client.get(BASE, params={"cursor": "a" * 5000})

    assert_problem(response, 422, "INVALID_CURSOR", BASE)


async def test_a_city_whose_search_key_grows_when_normalised_is_stored_and_found(
    client: httpx.AsyncClient, make_user: MakeUser, sign_in: MakeToken
) -> None:
    token = await sign_in(await make_user())
    city = "ß" * 120
    listing = await create_listing(client, token, address={**ADDRESS, "city": city})
    await client.post(f"{BASE}/{listing['id']}/publish", headers=bearer(token))

    found = await client.get(BASE, params={"city": "ß" * 120})

    assert found.status_code == 200
    assert [item["id"] for item in found.json()["items"]] == [listing["id"]]


@pytest.mark.parametrize(
    "field", ["price_cents", "bedrooms", "parking_spaces", "iptu_cents", "area_m2", "built_area_m2"]
)
@pytest.mark.parametrize("value", [True, "100"], ids=["boolean", "string"])
async def test_numbers_in_a_body_must_be_json_numbers(
    client: httpx.AsyncClient, make_user: MakeUser, sign_in: MakeToken, field: str, value: object
) -> None:
    token = await sign_in(await make_user())
    listing = await create_listing(client, token)

    response = await client.patch(
        f"{BASE}/{listing['id']}", headers=bearer(token), json={field: value}
    )

    body = assert_problem(response, 422, "VALIDATION_ERROR", f"{BASE}/{listing['id']}")
    assert body["errors"][0]["loc"] == ["body", field]


async def test_the_state_is_accepted_in_any_case(
    client: httpx.AsyncClient, make_user: MakeUser, sign_in: MakeToken
) -> None:
    token = await sign_in(await make_user())

    listing = await create_listing(client, token, address={**ADDRESS, "state": "rj"})
    await client.post(f"{BASE}/{listing['id']}/publish", headers=bearer(token))
    found = await client.get(BASE, params={"state": "rj"})

    assert listing["address"]["state"] == "RJ"
    assert [item["id"] for item in found.json()["items"]] == [listing["id"]]


async def test_an_empty_patch_changes_nothing_and_keeps_the_etag(
    client: httpx.AsyncClient, make_user: MakeUser, sign_in: MakeToken
) -> None:
    token = await sign_in(await make_user())
    listing = await create_listing(client, token)
    url = f"{BASE}/{listing['id']}"

    same = await client.patch(url, headers={**bearer(token), "If-Match": '"1"'}, json={})
    stale = await client.patch(url, headers={**bearer(token), "If-Match": '"7"'}, json={})

    assert same.status_code == 200
    assert same.headers["etag"] == '"1"'
    assert same.json()["version"] == 1
    assert_problem(stale, 412, "STALE_VERSION", url)
