"""HTTP behaviour of editing a listing (PATCH /real-estates/{id}) and its If-Match/ETag checks."""

from datetime import datetime
from typing import Any

import httpx
import pytest
from sqlalchemy.ext.asyncio import AsyncSession

from app.features.real_estates.model import ListingStatus
from app.features.users.model import User
from tests.conftest import assert_problem, bearer
from tests.features.real_estates.v1.conftest import (
    BASE,
    LISTING,
    create_listing,
    editing,
    stored_listing,
)


async def test_patch_changes_the_given_fields_and_keeps_the_others(
    client: httpx.AsyncClient,
    session: AsyncSession,
    re_owner_token: str,
    re_draft: dict[str, Any],
) -> None:
    changes = {"title": "Cobertura com vista", "price_cents": 99_000_000, "condo_fee_cents": None}

    response = await client.patch(
        f"{BASE}/{re_draft['id']}", headers=editing(re_owner_token), json=changes
    )

    assert response.status_code == 200, response.text
    assert response.headers["etag"] == '"2"'
    body = response.json()
    assert body == {
        **re_draft,
        **changes,
        "version": 2,
        "updated_at": body["updated_at"],
    }
    assert datetime.fromisoformat(body["updated_at"]) > datetime.fromisoformat(
        re_draft["updated_at"]
    )
    row = await stored_listing(session, re_draft["id"])
    assert row is not None
    assert (row.title, row.price_cents, row.condo_fee_cents, row.version) == (
        "Cobertura com vista",
        99_000_000,
        None,
        2,
    )
    assert (row.iptu_cents, row.bedrooms, row.city, row.lat) == (240_000, 2, "São Paulo", -23.5613)


async def test_patch_replaces_the_whole_address(
    client: httpx.AsyncClient,
    session: AsyncSession,
    re_owner_token: str,
    re_draft: dict[str, Any],
) -> None:
    address = {
        "street": "Rua Barata Ribeiro",
        "number": "200",
        "neighborhood": "Copacabana",
        "city": "Rio de Janeiro",
        "state": "RJ",
        "postal_code": "22040-002",
    }

    response = await client.patch(
        f"{BASE}/{re_draft['id']}", headers=editing(re_owner_token), json={"address": address}
    )

    assert response.status_code == 200, response.text
    assert response.json()["address"] == {
        **address,
        "complement": None,
        "postal_code": "22040002",
    }
    assert response.json()["title"] == re_draft["title"]
    row = await stored_listing(session, re_draft["id"])
    assert row is not None
    assert (row.city, row.city_key, row.neighborhood_key, row.complement, row.postal_code) == (
        "Rio de Janeiro",
        "rio de janeiro",
        "copacabana",
        None,
        "22040002",
    )


async def test_patch_with_location_null_clears_the_location(
    client: httpx.AsyncClient,
    session: AsyncSession,
    re_owner_token: str,
    re_draft: dict[str, Any],
) -> None:
    response = await client.patch(
        f"{BASE}/{re_draft['id']}", headers=editing(re_owner_token), json={"location": None}
    )

    assert response.status_code == 200, response.text
    assert response.json()["location"] is None
    row = await stored_listing(session, re_draft["id"])
    assert row is not None
    assert (row.lat, row.lng) == (None, None)


@pytest.mark.parametrize(
    "if_match", ['"1"', "*", '"7", "1"'], ids=["current", "any", "list-holding-current"]
)
async def test_patch_with_a_matching_if_match_answers_the_next_etag(
    client: httpx.AsyncClient,
    session: AsyncSession,
    re_owner_token: str,
    re_draft: dict[str, Any],
    if_match: str,
) -> None:
    response = await client.patch(
        f"{BASE}/{re_draft['id']}",
        headers=editing(re_owner_token, if_match),
        json={"bedrooms": 3},
    )

    assert response.status_code == 200, response.text
    assert response.headers["etag"] == '"2"'
    assert (response.json()["bedrooms"], response.json()["version"]) == (3, 2)
    row = await stored_listing(session, re_draft["id"])
    assert row is not None
    assert (row.bedrooms, row.version) == (3, 2)


@pytest.mark.parametrize("if_match", ['"1"', '"3"', 'W/"2"'])
async def test_patch_with_a_stale_if_match_changes_nothing(
    client: httpx.AsyncClient,
    session: AsyncSession,
    re_owner_token: str,
    re_draft: dict[str, Any],
    if_match: str,
) -> None:
    path = f"{BASE}/{re_draft['id']}"
    first = await client.patch(path, headers=editing(re_owner_token), json={"title": "First edit"})
    assert first.headers["etag"] == '"2"'

    response = await client.patch(
        path, headers=editing(re_owner_token, if_match), json={"title": "Lost edit"}
    )

    assert_problem(response, 412, "STALE_VERSION", path)
    row = await stored_listing(session, re_draft["id"])
    assert row is not None
    assert (row.title, row.version) == ("First edit", 2)


REQUIRED_FIELDS = ["title", "kind", "purpose", "price_cents", "area_m2", "bedrooms", "address"]


@pytest.mark.parametrize(
    ("changes", "field"),
    [*(({field: None}, field) for field in REQUIRED_FIELDS), ({"status": "published"}, "status")],
    ids=[*(f"null-{field}" for field in REQUIRED_FIELDS), "unknown-field"],
)
async def test_patch_refuses_null_for_a_required_field_or_an_unknown_field(
    client: httpx.AsyncClient,
    session: AsyncSession,
    re_owner_token: str,
    re_draft: dict[str, Any],
    changes: dict[str, Any],
    field: str,
) -> None:
    path = f"{BASE}/{re_draft['id']}"

    response = await client.patch(path, headers=editing(re_owner_token), json=changes)

    problem = assert_problem(response, 422, "VALIDATION_ERROR", path)
    assert [error["loc"] for error in problem["errors"]] == [["body", field]]
    row = await stored_listing(session, re_draft["id"])
    assert row is not None
    assert (row.title, row.status, row.version) == (LISTING["title"], ListingStatus.DRAFT, 1)


@pytest.mark.parametrize(
    ("actions", "status", "code", "version"),
    [(("publish",), 403, "FORBIDDEN", 2), ((), 404, "REAL_ESTATE_NOT_FOUND", 1)],
    ids=["published", "draft"],
)
async def test_another_collector_may_not_patch_a_listing(
    client: httpx.AsyncClient,
    session: AsyncSession,
    re_owner_token: str,
    re_other_token: str,
    actions: tuple[str, ...],
    status: int,
    code: str,
    version: int,
) -> None:
    listing = await create_listing(client, re_owner_token, *actions)
    path = f"{BASE}/{listing['id']}"

    response = await client.patch(
        path, headers=editing(re_other_token, "*"), json={"title": "Mine now"}
    )

    assert_problem(response, status, code, path)
    row = await stored_listing(session, listing["id"])
    assert row is not None
    assert (row.title, row.version) == (LISTING["title"], version)


async def test_patch_without_if_match_is_428_and_changes_nothing(
    client: httpx.AsyncClient,
    session: AsyncSession,
    re_owner_token: str,
    re_draft: dict[str, Any],
) -> None:
    path = f"{BASE}/{re_draft['id']}"

    response = await client.patch(path, headers=bearer(re_owner_token), json={"title": "Blind"})

    problem = assert_problem(response, 428, "PRECONDITION_REQUIRED", path)
    assert 'If-Match: "3"' in problem["detail"]
    row = await stored_listing(session, re_draft["id"])
    assert row is not None
    assert (row.title, row.version) == (LISTING["title"], 1)


async def test_patch_with_if_match_star_changes_whatever_the_version(
    client: httpx.AsyncClient, re_owner_token: str, re_draft: dict[str, Any]
) -> None:
    path = f"{BASE}/{re_draft['id']}"
    await client.patch(path, headers=editing(re_owner_token), json={"title": "First"})

    response = await client.patch(path, headers=editing(re_owner_token, "*"), json={"bedrooms": 4})

    assert response.status_code == 200, response.text
    assert (response.json()["title"], response.json()["bedrooms"]) == ("First", 4)
    assert response.headers["etag"] == '"3"'


async def test_admin_may_edit_anyones_listing(
    client: httpx.AsyncClient,
    session: AsyncSession,
    re_owner: User,
    re_admin_token: str,
    re_draft: dict[str, Any],
) -> None:
    response = await client.patch(
        f"{BASE}/{re_draft['id']}",
        headers=editing(re_admin_token),
        json={"title": "Moderated title"},
    )

    assert response.status_code == 200, response.text
    assert (response.json()["title"], response.json()["owner_id"]) == (
        "Moderated title",
        str(re_owner.id),
    )
    row = await stored_listing(session, re_draft["id"])
    assert row is not None
    assert (row.title, row.owner_id, row.version) == ("Moderated title", re_owner.id, 2)
