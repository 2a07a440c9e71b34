"""HTTP behaviour of moderation: GET /admin/real-estates and POST .../unpublish."""

from typing import Any
from uuid import uuid4

import httpx
import pytest

from tests.conftest import assert_problem, bearer
from tests.features.real_estates.v1.conftest import BASE, MINE, act, create_listing

ADMIN_LIST = "/api/v1/admin/real-estates"
REASON = "  As fotos mostram outro imóvel; envie fotos deste.  "


def _unpublish_path(listing_id: str) -> str:
    return f"{ADMIN_LIST}/{listing_id}/unpublish"


async def _unpublish(
    client: httpx.AsyncClient, token: str, listing_id: str, reason: str = REASON
) -> httpx.Response:
    return await client.post(
        _unpublish_path(listing_id), headers=bearer(token), json={"reason": reason}
    )


async def test_an_admin_unpublishes_a_listing_the_owner_sees_why_and_publishes_again(
    client: httpx.AsyncClient, re_owner_token: str, re_admin_token: str, re_other_token: str
) -> None:
    listing = await create_listing(client, re_owner_token, "publish")

    response = await _unpublish(client, re_admin_token, listing["id"])

    assert response.status_code == 200, response.text
    body = response.json()
    assert response.headers["etag"] == '"3"'
    assert (body["status"], body["version"], body["published_at"]) == ("draft", 3, None)
    assert body["moderation_reason"] == REASON.strip()
    owners = await client.get(f"{BASE}/{listing['id']}", headers=bearer(re_owner_token))
    assert owners.json()["moderation_reason"] == REASON.strip()
    mine = await client.get(MINE, headers=bearer(re_owner_token))
    assert mine.json()["items"][0]["moderation_reason"] == REASON.strip()
    hidden = await client.get(f"{BASE}/{listing['id']}", headers=bearer(re_other_token))
    assert_problem(hidden, 404, "REAL_ESTATE_NOT_FOUND", f"{BASE}/{listing['id']}")
    search = await client.get(BASE)
    assert listing["id"] not in [item["id"] for item in search.json()["items"]]

    again = await act(client, re_owner_token, listing["id"], "publish")

    assert (again["status"], again["moderation_reason"]) == ("published", None)


async def test_the_unpublishing_is_in_the_audit_trail_with_the_reason(
    client: httpx.AsyncClient, re_owner_token: str, re_admin_token: str
) -> None:
    listing = await create_listing(client, re_owner_token, "publish")
    await _unpublish(client, re_admin_token, listing["id"])

    events = await client.get(
        "/api/v1/admin/audit-events",
        headers=bearer(re_admin_token),
        params={"action": "listing.unpublished_by_admin"},
    )

    [event] = events.json()["items"]
    assert event["target"] == f"listing:{listing['id']}"
    assert event["details"] == {"owner_id": listing["owner_id"], "reason": REASON.strip()}


@pytest.mark.parametrize("actions", [(), ("publish", "archive")], ids=["draft", "archived"])
async def test_only_a_published_listing_can_be_unpublished(
    client: httpx.AsyncClient, re_owner_token: str, re_admin_token: str, actions: tuple[str, ...]
) -> None:
    listing = await create_listing(client, re_owner_token, *actions)

    response = await _unpublish(client, re_admin_token, listing["id"])

    assert_problem(response, 409, "INVALID_STATUS_TRANSITION", _unpublish_path(listing["id"]))


async def test_unpublishing_needs_an_admin_an_existing_listing_and_a_reason(
    client: httpx.AsyncClient, re_owner_token: str, re_admin_token: str
) -> None:
    listing = await create_listing(client, re_owner_token, "publish")
    path = _unpublish_path(listing["id"])
    unknown = str(uuid4())

    by_owner = await _unpublish(client, re_owner_token, listing["id"])
    missing = await _unpublish(client, re_admin_token, unknown)
    short = await _unpublish(client, re_admin_token, listing["id"], "   curta   ")
    long = await _unpublish(client, re_admin_token, listing["id"], "x" * 501)

    assert_problem(by_owner, 403, "FORBIDDEN", path)
    assert_problem(missing, 404, "REAL_ESTATE_NOT_FOUND", _unpublish_path(unknown))
    assert_problem(short, 422, "VALIDATION_ERROR", path)
    assert_problem(long, 422, "VALIDATION_ERROR", path)
    still = await client.get(f"{BASE}/{listing['id']}")
    assert (still.json()["status"], still.json()["version"]) == ("published", 2)


async def test_a_stale_if_match_changes_nothing(
    client: httpx.AsyncClient, re_owner_token: str, re_admin_token: str
) -> None:
    listing = await create_listing(client, re_owner_token, "publish")

    response = await client.post(
        _unpublish_path(listing["id"]),
        headers={**bearer(re_admin_token), "If-Match": '"1"'},
        json={"reason": REASON},
    )

    assert_problem(response, 412, "STALE_VERSION", _unpublish_path(listing["id"]))


async def test_the_admins_list_shows_every_status_with_filters(
    client: httpx.AsyncClient, re_owner_token: str, re_other_token: str, re_admin_token: str
) -> None:
    draft = await create_listing(client, re_owner_token, title="Rascunho com piscina")
    archived = await create_listing(client, re_other_token, "publish", "archive")
    published = await create_listing(client, re_owner_token, "publish")

    async def ids(**params: Any) -> list[str]:
        response = await client.get(ADMIN_LIST, headers=bearer(re_admin_token), params=params)
        assert response.status_code == 200, response.text
        assert "favorite_count" not in response.json()["items"][0]
        return [item["id"] for item in response.json()["items"]]

    assert await ids() == [published["id"], archived["id"], draft["id"]]
    assert await ids(status="archived") == [archived["id"]]
    assert await ids(owner_id=draft["owner_id"]) == [published["id"], draft["id"]]
    assert await ids(q="piscinas") == [draft["id"]]
    first = await client.get(ADMIN_LIST, headers=bearer(re_admin_token), params={"limit": 2})
    rest = await client.get(
        ADMIN_LIST,
        headers=bearer(re_admin_token),
        params={"limit": 2, "cursor": first.json()["next_cursor"]},
    )
    assert [item["id"] for item in rest.json()["items"]] == [draft["id"]]


async def test_the_admins_list_is_for_admins_and_refuses_a_reversed_window(
    client: httpx.AsyncClient, re_owner_token: str, re_admin_token: str
) -> None:
    refused = await client.get(ADMIN_LIST, headers=bearer(re_owner_token))
    reversed_window = await client.get(
        ADMIN_LIST,
        headers=bearer(re_admin_token),
        params={"created_from": "2025-02-01T00:00:00Z", "created_until": "2025-01-01T00:00:00Z"},
    )

    assert_problem(refused, 403, "FORBIDDEN", ADMIN_LIST)
    assert_problem(reversed_window, 422, "VALIDATION_ERROR", ADMIN_LIST)
