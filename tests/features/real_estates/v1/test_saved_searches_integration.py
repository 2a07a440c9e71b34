"""Saved searches through the API: keep, list with new counts, run, rename, drop."""

from typing import Any

import httpx
import pytest
from sqlalchemy import func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from app.features.saved_searches import service as saved_search_service
from app.features.saved_searches.model import SavedSearch
from tests.conftest import PASSWORD, assert_problem, bearer
from tests.features.real_estates.v1.conftest import BASE, create_listing

SAVED = "/api/v1/users/me/saved-searches"
PINHEIROS: dict[str, str | int] = {
    "city": "sao paulo",
    "neighborhood": "Pinheiros",
    "min_bedrooms": 2,
}


async def save(client: httpx.AsyncClient, token: str, **search: Any) -> httpx.Response:
    body = {"name": "Pinheiros, 2+ quartos", "search": search or PINHEIROS}
    return await client.post(SAVED, headers=bearer(token), json=body)


async def in_pinheiros(client: httpx.AsyncClient, token: str, **extra: Any) -> dict[str, Any]:
    address = {
        "street": "Rua dos Pinheiros",
        "number": "10",
        "neighborhood": "Pinheiros",
        "city": "São Paulo",
        "state": "SP",
        "postal_code": "05422-000",
    }
    return await create_listing(client, token, "publish", address=address, bedrooms=3, **extra)


async def seen_an_hour_ago(session: AsyncSession, search_id: str) -> None:
    await session.execute(
        update(SavedSearch)
        .where(SavedSearch.id == search_id)
        .values(last_seen_at=func.now() - func.make_interval(0, 0, 0, 0, 1))
    )


async def test_a_saved_search_counts_what_was_published_since_it_was_last_run(
    client: httpx.AsyncClient, session: AsyncSession, re_owner_token: str
) -> None:
    saved = await save(client, re_owner_token)
    assert saved.status_code == 201, saved.text
    search = saved.json()
    assert saved.headers["location"] == f"{SAVED}/{search['id']}"
    assert search["new_count"] == 0
    assert search["search"] == {**PINHEIROS, "sort": "-published_at"}
    await seen_an_hour_ago(session, search["id"])
    first = await in_pinheiros(client, re_owner_token)
    second = await in_pinheiros(client, re_owner_token)
    await create_listing(client, re_owner_token, "publish")  # elsewhere: not counted

    listed = (await client.get(SAVED, headers=bearer(re_owner_token))).json()
    matches = await client.get(f"{SAVED}/{search['id']}/matches", headers=bearer(re_owner_token))
    after = (await client.get(SAVED, headers=bearer(re_owner_token))).json()

    assert [item["new_count"] for item in listed["items"]] == [2]
    assert matches.status_code == 200
    assert [item["id"] for item in matches.json()["items"]] == [second["id"], first["id"]]
    direct = await client.get(BASE, params={**PINHEIROS})
    assert [item["id"] for item in direct.json()["items"]] == [second["id"], first["id"]]
    assert [item["new_count"] for item in after["items"]] == [0]


async def test_matches_page_like_the_search_and_only_the_first_page_marks_seen(
    client: httpx.AsyncClient, session: AsyncSession, re_owner_token: str
) -> None:
    search = (await save(client, re_owner_token)).json()
    await seen_an_hour_ago(session, search["id"])
    made = [await in_pinheiros(client, re_owner_token) for _ in range(3)]
    path = f"{SAVED}/{search['id']}/matches"

    first = (await client.get(path, params={"limit": 2}, headers=bearer(re_owner_token))).json()
    await seen_an_hour_ago(session, search["id"])
    second = await client.get(
        path, params={"limit": 2, "cursor": first["next_cursor"]}, headers=bearer(re_owner_token)
    )
    listed = (await client.get(SAVED, headers=bearer(re_owner_token))).json()

    ids = [item["id"] for item in [*first["items"], *second.json()["items"]]]
    assert sorted(ids) == sorted(listing["id"] for listing in made)
    assert second.json()["next_cursor"] is None
    assert listed["items"][0]["new_count"] == 3  # the second page did not mark anything seen


async def test_rename_and_delete(client: httpx.AsyncClient, re_owner_token: str) -> None:
    search = (await save(client, re_owner_token)).json()

    renamed = await client.patch(
        f"{SAVED}/{search['id']}", headers=bearer(re_owner_token), json={"name": "Casa"}
    )
    deleted = await client.delete(f"{SAVED}/{search['id']}", headers=bearer(re_owner_token))
    again = await client.delete(f"{SAVED}/{search['id']}", headers=bearer(re_owner_token))

    assert (renamed.status_code, renamed.json()["name"]) == (200, "Casa")
    assert renamed.json()["search"] == search["search"]
    assert deleted.status_code == 204
    assert_problem(again, 404, "SAVED_SEARCH_NOT_FOUND", f"{SAVED}/{search['id']}")
    assert (await client.get(SAVED, headers=bearer(re_owner_token))).json()["items"] == []


async def test_nobody_reaches_another_users_saved_searches(
    client: httpx.AsyncClient, re_owner_token: str, re_other_token: str
) -> None:
    search = (await save(client, re_owner_token)).json()
    one = f"{SAVED}/{search['id']}"

    listed = await client.get(SAVED, headers=bearer(re_other_token))
    matches = await client.get(f"{one}/matches", headers=bearer(re_other_token))
    renamed = await client.patch(one, headers=bearer(re_other_token), json={"name": "Minha"})
    deleted = await client.delete(one, headers=bearer(re_other_token))

    assert listed.json()["items"] == []
    assert_problem(matches, 404, "SAVED_SEARCH_NOT_FOUND", f"{one}/matches")
    assert_problem(renamed, 404, "SAVED_SEARCH_NOT_FOUND", one)
    assert_problem(deleted, 404, "SAVED_SEARCH_NOT_FOUND", one)
    mine = (await client.get(SAVED, headers=bearer(re_owner_token))).json()
    assert [item["name"] for item in mine["items"]] == ["Pinheiros, 2+ quartos"]


@pytest.mark.parametrize(
    "search",
    [
        {"min_price": 100, "max_price": 10},
        {"sort": "distance"},
        {"colour": "blue"},
        {"limit": 5},
        {"bbox": "-46.6,-23.5,-46.7,-23.6"},
    ],
    ids=["range-out-of-order", "distance-without-near", "unknown-filter", "pagination", "box"],
)
async def test_a_saved_search_holds_only_what_the_search_accepts(
    client: httpx.AsyncClient, re_owner_token: str, search: dict[str, Any]
) -> None:
    response = await save(client, re_owner_token, **search)

    assert_problem(response, 422, "VALIDATION_ERROR", SAVED)


async def test_map_criteria_round_trip_and_run(
    client: httpx.AsyncClient, re_owner_token: str
) -> None:
    near = {"near": "-23.5613,-46.6565", "radius_km": 2, "sort": "distance"}
    listing = await create_listing(client, re_owner_token, "publish")
    search = (await save(client, re_owner_token, **near)).json()

    matches = await client.get(f"{SAVED}/{search['id']}/matches", headers=bearer(re_owner_token))

    assert search["search"] == near
    assert [item["id"] for item in matches.json()["items"]] == [listing["id"]]
    assert matches.json()["items"][0]["distance_km"] == 0


async def test_at_most_the_limit_of_saved_searches(
    client: httpx.AsyncClient, re_owner_token: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(saved_search_service, "MAX_SAVED_SEARCHES", 2)
    for _ in range(2):
        assert (await save(client, re_owner_token)).status_code == 201

    refused = await save(client, re_owner_token)

    assert_problem(refused, 409, "TOO_MANY_SAVED_SEARCHES", SAVED)


async def test_saved_searches_go_with_their_users_account(
    client: httpx.AsyncClient, session: AsyncSession, re_owner_token: str
) -> None:
    await save(client, re_owner_token)

    deleted = await client.request(
        "DELETE",
        "/api/v1/users/me",
        headers=bearer(re_owner_token),
        json={"password": PASSWORD},
    )

    assert deleted.status_code == 204, deleted.text
    assert await session.scalar(select(func.count()).select_from(SavedSearch)) == 0
