"""HTTP behaviour of reading listings: one by id, and the caller's own (GET /users/me/...)."""

from typing import Any
from uuid import uuid4

import httpx
import pytest

from tests.conftest import assert_problem, bearer
from tests.features.real_estates.v1.conftest import BASE, MINE, create_listing


async def test_get_shows_a_published_listing_to_anyone_with_its_etag(
    client: httpx.AsyncClient, re_owner_token: str
) -> None:
    published = await create_listing(client, re_owner_token, "publish")

    response = await client.get(f"{BASE}/{published['id']}")

    assert response.status_code == 200, response.text
    assert response.headers["etag"] == '"2"'
    # The same document, but for the count of favourites: shown to its managers only.
    assert response.json() == {**published, "favorite_count": None}
    assert published["favorite_count"] == 0
    assert (response.json()["status"], response.json()["version"]) == ("published", 2)


@pytest.mark.parametrize("viewer", ["anonymous", "another collector"])
@pytest.mark.parametrize("actions", [(), ("publish", "archive")], ids=["draft", "archived"])
async def test_get_hides_an_unpublished_listing_from_everyone_else_as_not_found(
    client: httpx.AsyncClient,
    re_owner_token: str,
    re_other_token: str,
    viewer: str,
    actions: tuple[str, ...],
) -> None:
    listing = await create_listing(client, re_owner_token, *actions)
    headers = bearer(re_other_token) if viewer == "another collector" else {}
    path = f"{BASE}/{listing['id']}"

    response = await client.get(path, headers=headers)

    assert_problem(response, 404, "REAL_ESTATE_NOT_FOUND", path)


@pytest.mark.parametrize("viewer", ["owner", "admin"])
async def test_get_shows_a_draft_to_its_owner_and_to_admins(
    client: httpx.AsyncClient,
    re_owner_token: str,
    re_admin_token: str,
    re_draft: dict[str, Any],
    viewer: str,
) -> None:
    token = re_owner_token if viewer == "owner" else re_admin_token

    response = await client.get(f"{BASE}/{re_draft['id']}", headers=bearer(token))

    assert response.status_code == 200, response.text
    assert response.headers["etag"] == '"1"'
    assert response.json() == re_draft


async def test_get_answers_not_found_for_an_unknown_id(client: httpx.AsyncClient) -> None:
    path = f"{BASE}/{uuid4()}"

    response = await client.get(path)

    assert_problem(response, 404, "REAL_ESTATE_NOT_FOUND", path)


async def test_get_refuses_an_invalid_token_although_anonymous_callers_are_welcome(
    client: httpx.AsyncClient, re_owner_token: str
) -> None:
    listing = await create_listing(client, re_owner_token, "publish")
    path = f"{BASE}/{listing['id']}"

    response = await client.get(path, headers=bearer("not-a-real-token"))

    assert_problem(response, 401, "INVALID_TOKEN", path)
    assert response.headers["www-authenticate"] == "Bearer"


async def test_my_listings_are_every_own_listing_of_any_status_newest_first(
    client: httpx.AsyncClient, re_owner_token: str, re_other_token: str
) -> None:
    histories: list[tuple[str, ...]] = [(), ("publish",), ("publish", "archive"), (), ("publish",)]
    mine = []
    for number, history in enumerate(histories):
        listing = await create_listing(
            client, re_owner_token, *history, title=f"Listing number {number}"
        )
        mine.append(listing["id"])
    await create_listing(client, re_other_token, title="Not mine")
    seen: list[dict[str, Any]] = []
    params: dict[str, str | int] = {"limit": 2}

    while True:
        page = await client.get(MINE, headers=bearer(re_owner_token), params=params)
        assert page.status_code == 200, page.text
        assert set(page.json()) == {"items", "next_cursor"}
        seen.extend(page.json()["items"])
        if (cursor := page.json()["next_cursor"]) is None:
            break
        params["cursor"] = cursor

    assert [item["id"] for item in seen] == mine[::-1]
    assert [item["status"] for item in seen] == [
        "published",
        "draft",
        "archived",
        "published",
        "draft",
    ]


@pytest.mark.usefixtures("re_draft")
async def test_my_listings_is_empty_for_a_newcomer(
    client: httpx.AsyncClient, re_other_token: str
) -> None:
    response = await client.get(MINE, headers=bearer(re_other_token))

    assert response.status_code == 200
    assert response.json() == {"items": [], "next_cursor": None}


async def test_my_listings_refuses_a_cursor_of_someone_else(
    client: httpx.AsyncClient, re_owner_token: str, re_other_token: str
) -> None:
    for _ in range(2):
        await create_listing(client, re_owner_token)
    first = await client.get(MINE, headers=bearer(re_owner_token), params={"limit": 1})
    cursor = first.json()["next_cursor"]
    assert cursor is not None

    response = await client.get(MINE, headers=bearer(re_other_token), params={"cursor": cursor})

    assert_problem(response, 422, "INVALID_CURSOR", MINE)
