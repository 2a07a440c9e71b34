"""HTTP behaviour of favourites (/users/me/favorites), end to end."""

from typing import Any
from uuid import uuid4

import httpx
import pytest
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from app.features.favorites.model import Favorite
from app.features.users.model import Role
from tests.conftest import MakeToken, MakeUser, assert_problem, bearer
from tests.features.favorites.v1.conftest import FAVORITES
from tests.features.real_estates.v1.conftest import BASE, act, create_listing


@pytest.fixture
async def owner_token(make_user: MakeUser, sign_in: MakeToken) -> str:
    """A collector who registers listings."""
    return await sign_in(await make_user(name="Olga Owner"))


@pytest.fixture
async def saver_token(make_user: MakeUser, sign_in: MakeToken) -> str:
    """A collector who saves listings."""
    return await sign_in(await make_user(name="Sara Saver"))


async def _mine(client: httpx.AsyncClient, token: str, **params: Any) -> dict[str, Any]:
    response = await client.get(FAVORITES, headers=bearer(token), params=params)
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    return body


async def _save(client: httpx.AsyncClient, token: str, listing_id: str) -> httpx.Response:
    return await client.put(f"{FAVORITES}/{listing_id}", headers=bearer(token))


async def test_saving_a_published_listing_shows_it_with_its_summary(
    client: httpx.AsyncClient, owner_token: str, saver_token: str
) -> None:
    listing = await create_listing(client, owner_token, "publish")

    first = await _save(client, saver_token, listing["id"])
    again = await _save(client, saver_token, listing["id"])
    body = await _mine(client, saver_token)

    assert (first.status_code, first.content) == (204, b"")
    assert (again.status_code, again.content) == (204, b"")
    [item] = body["items"]
    assert set(item) == {"listing_id", "available", "favorited_at", "listing"}
    assert (item["listing_id"], item["available"]) == (listing["id"], True)
    hidden = ("photos", "favorite_count")
    expected = {key: value for key, value in listing.items() if key not in hidden}
    assert item["listing"] == expected
    assert body["next_cursor"] is None


@pytest.mark.parametrize("actions", [(), ("publish", "archive")], ids=["draft", "archived"])
async def test_someone_elses_unpublished_or_an_unknown_listing_cannot_be_saved(
    client: httpx.AsyncClient,
    session: AsyncSession,
    owner_token: str,
    saver_token: str,
    actions: tuple[str, ...],
) -> None:
    listing = await create_listing(client, owner_token, *actions)
    unknown = str(uuid4())

    hidden = await _save(client, saver_token, listing["id"])
    missing = await _save(client, saver_token, unknown)

    assert_problem(hidden, 404, "REAL_ESTATE_NOT_FOUND", f"{FAVORITES}/{listing['id']}")
    assert_problem(missing, 404, "REAL_ESTATE_NOT_FOUND", f"{FAVORITES}/{unknown}")
    assert (await session.scalars(select(Favorite))).all() == []


async def test_the_owner_may_save_their_own_draft(
    client: httpx.AsyncClient, owner_token: str
) -> None:
    draft = await create_listing(client, owner_token)

    assert (await _save(client, owner_token, draft["id"])).status_code == 204
    [item] = (await _mine(client, owner_token))["items"]
    assert item["available"] is True
    assert item["listing"]["status"] == "draft"


async def test_removing_is_idempotent_and_also_204_for_a_listing_never_saved(
    client: httpx.AsyncClient, owner_token: str, saver_token: str
) -> None:
    listing = await create_listing(client, owner_token, "publish")
    await _save(client, saver_token, listing["id"])
    path = f"{FAVORITES}/{listing['id']}"

    responses = [await client.delete(path, headers=bearer(saver_token)) for _ in range(2)]
    never = await client.delete(f"{FAVORITES}/{uuid4()}", headers=bearer(saver_token))

    assert [(r.status_code, r.content) for r in (*responses, never)] == [(204, b"")] * 3
    assert (await _mine(client, saver_token))["items"] == []


@pytest.mark.parametrize("ending", ["archive", "draft-by-admin", "delete"])
async def test_a_listing_unpublished_or_deleted_stays_as_unavailable_without_its_data(
    client: httpx.AsyncClient,
    make_user: MakeUser,
    sign_in: MakeToken,
    owner_token: str,
    saver_token: str,
    ending: str,
) -> None:
    listing = await create_listing(client, owner_token, "publish")
    await _save(client, saver_token, listing["id"])
    if ending == "archive":
        await act(client, owner_token, listing["id"], "archive")
    elif ending == "draft-by-admin":
        admin = await sign_in(await make_user(name="Ada Admin", role=Role.ADMIN))
        await act(client, admin, listing["id"], "archive", "draft")
    else:
        deleted = await client.delete(f"{BASE}/{listing['id']}", headers=bearer(owner_token))
        assert deleted.status_code == 204

    [item] = (await _mine(client, saver_token))["items"]

    assert set(item) == {"listing_id", "available", "favorited_at"}
    assert (item["listing_id"], item["available"]) == (listing["id"], False)


async def test_a_favourite_of_one_user_never_appears_for_another(
    client: httpx.AsyncClient, owner_token: str, saver_token: str
) -> None:
    listing = await create_listing(client, owner_token, "publish")
    await _save(client, saver_token, listing["id"])

    others = await _mine(client, owner_token)
    removed_by_other = await client.delete(
        f"{FAVORITES}/{listing['id']}", headers=bearer(owner_token)
    )

    assert others["items"] == []
    assert removed_by_other.status_code == 204
    assert [item["listing_id"] for item in (await _mine(client, saver_token))["items"]] == [
        listing["id"]
    ]


async def test_pages_walk_every_favourite_newest_first(
    client: httpx.AsyncClient, owner_token: str, saver_token: str
) -> None:
    listings = [await create_listing(client, owner_token, "publish") for _ in range(3)]
    for listing in listings:
        await _save(client, saver_token, listing["id"])

    first = await _mine(client, saver_token, limit=2)
    second = await _mine(client, saver_token, limit=2, cursor=first["next_cursor"])

    items = first["items"] + second["items"]
    assert sorted(item["listing_id"] for item in items) == sorted(x["id"] for x in listings)
    times = [item["favorited_at"] for item in items]
    assert times == sorted(times, reverse=True)
    assert second["next_cursor"] is None


@pytest.mark.parametrize(
    ("method", "path"),
    [("get", FAVORITES), ("put", f"{FAVORITES}/{uuid4()}"), ("delete", f"{FAVORITES}/{uuid4()}")],
)
async def test_favourites_need_a_signed_in_user(
    client: httpx.AsyncClient, method: str, path: str
) -> None:
    response = await client.request(method, path)

    assert_problem(response, 401, "NOT_AUTHENTICATED", path)


@pytest.mark.parametrize("viewer", ["owner", "admin", "other", "anonymous"])
async def test_the_favourite_count_is_shown_to_the_owner_and_admins_only(
    client: httpx.AsyncClient,
    make_user: MakeUser,
    sign_in: MakeToken,
    owner_token: str,
    saver_token: str,
    viewer: str,
) -> None:
    listing = await create_listing(client, owner_token, "publish")
    admin = await sign_in(await make_user(name="Ada Admin", role=Role.ADMIN))
    for token in (saver_token, admin):
        await _save(client, token, listing["id"])
    tokens = {"owner": owner_token, "admin": admin, "other": saver_token}
    headers = bearer(tokens[viewer]) if viewer in tokens else {}

    read = await client.get(f"{BASE}/{listing['id']}", headers=headers)

    assert read.status_code == 200
    assert read.json()["favorite_count"] == (2 if viewer in ("owner", "admin") else None)


async def test_writes_answer_the_count_to_the_manager(
    client: httpx.AsyncClient, owner_token: str, saver_token: str
) -> None:
    listing = await create_listing(client, owner_token, "publish")
    await _save(client, saver_token, listing["id"])

    archived = await act(client, owner_token, listing["id"], "archive")

    assert listing["favorite_count"] == 0
    assert archived["favorite_count"] == 1
