"""Hostile or odd input gets a clear problem, never a 500, and changes nothing."""

from typing import Any

import httpx
import pytest
from sqlalchemy.ext.asyncio import AsyncSession

from tests.conftest import assert_problem
from tests.features.real_estates.v1.conftest import (
    ADDRESS,
    BASE,
    create_listing,
    editing,
    stored_listing,
)


async def patch_title(
    client: httpx.AsyncClient, token: str, listing_id: str, if_match: str
) -> httpx.Response:
    """PATCH a new title with this `If-Match`, sent as Latin-1 bytes the way HTTP/1.1 does."""
    headers = editing(token, if_match)
    return await client.patch(
        f"{BASE}/{listing_id}",
        headers={name.encode(): value.encode("latin-1") for name, value in headers.items()},
        json={"title": "Outro título"},
    )


async def assert_unchanged(session: AsyncSession, listing: dict[str, Any]) -> None:
    """The listing's row still has the title and version it was created with."""
    stored = await stored_listing(session, listing["id"])
    assert stored is not None
    assert (stored.title, stored.version) == (listing["title"], 1)


@pytest.mark.parametrize(
    "if_match",
    [
        '"²"',
        '"' + "9" * 5000 + '"',
        '"99999999999"',
        'W/"1"',
        '""',
        '"abc"',
    ],
    ids=["unicode-digit", "huge", "beyond-int4", "weak", "empty", "not-ours"],
)
async def test_an_if_match_that_matches_nothing_is_412_and_changes_nothing(
    client: httpx.AsyncClient,
    session: AsyncSession,
    re_owner_token: str,
    re_draft: dict[str, Any],
    if_match: str,
) -> None:
    response = await patch_title(client, re_owner_token, re_draft["id"], if_match)

    assert_problem(response, 412, "STALE_VERSION", f"{BASE}/{re_draft['id']}")
    await assert_unchanged(session, re_draft)


@pytest.mark.parametrize("if_match", ["2", "abc", '"1', '"1", 2'])
async def test_an_if_match_that_is_no_entity_tag_is_refused_with_the_expected_form(
    client: httpx.AsyncClient,
    session: AsyncSession,
    re_owner_token: str,
    re_draft: dict[str, Any],
    if_match: str,
) -> None:
    response = await patch_title(client, re_owner_token, re_draft["id"], if_match)

    body = assert_problem(response, 422, "VALIDATION_ERROR", f"{BASE}/{re_draft['id']}")
    assert body["errors"][0]["loc"] == ["header", "if-match"]
    assert 'If-Match: "3"' in body["errors"][0]["msg"]
    assert "changed" not in body["detail"]
    await assert_unchanged(session, re_draft)


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
    client: httpx.AsyncClient,
    re_owner_token: str,
    re_draft: dict[str, Any],
    overrides: dict[str, Any],
) -> None:
    path = f"{BASE}/{re_draft['id']}"

    response = await client.patch(path, headers=editing(re_owner_token), json=overrides)

    assert_problem(response, 422, "VALIDATION_ERROR", path)
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
    client: httpx.AsyncClient, re_owner_token: str
) -> None:
    city = "ß" * 120
    listing = await create_listing(
        client, re_owner_token, "publish", address={**ADDRESS, "city": city}
    )

    found = await client.get(BASE, params={"city": "ß" * 120})

    assert found.status_code == 200
    assert [item["id"] for item in found.json()["items"]] == [listing["id"]]


@pytest.mark.parametrize(
    "field", ["price_cents", "bedrooms", "parking_spaces", "iptu_cents", "area_m2", "built_area_m2"]
)
@pytest.mark.parametrize("value", [True, "100"], ids=["boolean", "string"])
async def test_numbers_in_a_body_must_be_json_numbers(
    client: httpx.AsyncClient,
    re_owner_token: str,
    re_draft: dict[str, Any],
    field: str,
    value: object,
) -> None:
    path = f"{BASE}/{re_draft['id']}"

    response = await client.patch(path, headers=editing(re_owner_token), json={field: value})

    body = assert_problem(response, 422, "VALIDATION_ERROR", path)
    assert body["errors"][0]["loc"] == ["body", field]


async def test_the_state_is_accepted_in_any_case(
    client: httpx.AsyncClient, re_owner_token: str
) -> None:
    listing = await create_listing(
        client, re_owner_token, "publish", address={**ADDRESS, "state": "rj"}
    )
    found = await client.get(BASE, params={"state": "rj"})

    assert listing["address"]["state"] == "RJ"
    assert [item["id"] for item in found.json()["items"]] == [listing["id"]]


async def test_an_empty_patch_changes_nothing_and_keeps_the_etag(
    client: httpx.AsyncClient, re_owner_token: str, re_draft: dict[str, Any]
) -> None:
    url = f"{BASE}/{re_draft['id']}"

    same = await client.patch(url, headers=editing(re_owner_token, '"1"'), json={})
    stale = await client.patch(url, headers=editing(re_owner_token, '"7"'), json={})

    assert same.status_code == 200
    assert same.headers["etag"] == '"1"'
    assert same.json()["version"] == 1
    assert_problem(stale, 412, "STALE_VERSION", url)
