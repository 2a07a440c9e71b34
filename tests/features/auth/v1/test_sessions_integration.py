"""HTTP behaviour of session management, end to end."""

from typing import Any
from uuid import uuid4

import httpx
import pytest

from app.features.users.model import Role, User
from tests.conftest import PASSWORD, MakeUser, assert_problem, bearer

MINE = "/api/v1/users/me/sessions"
ME = "/api/v1/users/me"


async def _device(client: httpx.AsyncClient, user: User, agent: str) -> dict[str, str]:
    """Authorization headers of a new session of `user`, signed in with `agent`."""
    response = await client.post(
        "/api/v1/sign-in",
        json={"cpf": user.cpf, "password": PASSWORD},
        headers={"User-Agent": agent},
    )
    assert response.status_code == 200, response.text
    return bearer(response.json()["access_token"])


async def _session_ids(client: httpx.AsyncClient, headers: dict[str, str]) -> list[str]:
    response = await client.get(MINE, headers=headers)
    assert response.status_code == 200, response.text
    return [item["id"] for item in response.json()["items"]]


@pytest.fixture
async def user(make_user: MakeUser) -> User:
    return await make_user()


async def test_my_sessions_show_where_and_when_and_which_is_this_one(
    client: httpx.AsyncClient, user: User
) -> None:
    await _device(client, user, "Phone/1.0")
    laptop = await _device(client, user, "Laptop/2.0")

    response = await client.get(MINE, headers=laptop)

    assert response.status_code == 200
    body: dict[str, Any] = response.json()
    assert body["next_cursor"] is None
    assert [item["user_agent"] for item in body["items"]] == ["Laptop/2.0", "Phone/1.0"]
    assert [item["current"] for item in body["items"]] == [True, False]
    first = body["items"][0]
    assert set(first) == {
        "id",
        "created_at",
        "last_used_at",
        "client_address",
        "user_agent",
        "current",
    }
    assert first["client_address"] == "127.0.0.1"
    assert first["last_used_at"] >= first["created_at"]


async def test_my_sessions_come_a_page_at_a_time(client: httpx.AsyncClient, user: User) -> None:
    headers = [await _device(client, user, f"Device/{n}") for n in range(3)]

    first = (await client.get(MINE, params={"limit": 2}, headers=headers[0])).json()
    cursor = first["next_cursor"]
    second = await client.get(MINE, params={"limit": 2, "cursor": cursor}, headers=headers[0])

    agents = [item["user_agent"] for item in first["items"] + second.json()["items"]]
    assert agents == ["Device/2", "Device/1", "Device/0"]
    assert second.json()["next_cursor"] is None


async def test_ending_one_session_signs_that_device_out(
    client: httpx.AsyncClient, user: User, make_user: MakeUser
) -> None:
    phone = await _device(client, user, "Phone")
    laptop = await _device(client, user, "Laptop")
    phone_id = (await _session_ids(client, laptop))[1]
    stranger = await _device(client, await make_user(), "Other")

    ended = await client.delete(f"{MINE}/{phone_id}", headers=laptop)
    again = await client.delete(f"{MINE}/{phone_id}", headers=laptop)
    foreign = await client.delete(
        f"{MINE}/{(await _session_ids(client, laptop))[0]}", headers=stranger
    )

    assert ended.status_code == 204
    assert ended.content == b""
    assert_problem(await client.get(ME, headers=phone), 401, "INVALID_TOKEN", ME)
    assert (await client.get(ME, headers=laptop)).status_code == 200
    assert_problem(again, 404, "SESSION_NOT_FOUND", f"{MINE}/{phone_id}")
    assert foreign.status_code == 404
    assert (await client.get(ME, headers=laptop)).status_code == 200


async def test_ending_all_my_other_sessions_keeps_this_one(
    client: httpx.AsyncClient, user: User
) -> None:
    others = [await _device(client, user, f"Old/{n}") for n in range(2)]
    mine = await _device(client, user, "Current")

    response = await client.delete(MINE, headers=mine)

    assert response.status_code == 204
    assert len(await _session_ids(client, mine)) == 1
    for headers in others:
        assert (await client.get(ME, headers=headers)).status_code == 401


async def test_an_admin_signs_a_user_out_everywhere(
    client: httpx.AsyncClient, user: User, make_user: MakeUser
) -> None:
    devices = [await _device(client, user, f"Device/{n}") for n in range(2)]
    admin = await _device(client, await make_user(name="Root Admin", role=Role.ADMIN), "Admin")
    path = f"/api/v1/users/{user.id}/sessions"

    by_user = await client.delete(path, headers=devices[0])
    by_admin = await client.delete(path, headers=admin)
    missing = await client.delete(f"/api/v1/users/{uuid4()}/sessions", headers=admin)

    assert_problem(by_user, 403, "FORBIDDEN", path)
    assert by_admin.status_code == 204
    for headers in devices:
        assert (await client.get(ME, headers=headers)).status_code == 401
    assert missing.status_code == 404
    assert missing.json()["code"] == "USER_NOT_FOUND"
    assert (await client.get(ME, headers=admin)).status_code == 200


async def test_session_routes_need_a_token(client: httpx.AsyncClient) -> None:
    for method, path in [("GET", MINE), ("DELETE", MINE), ("DELETE", f"{MINE}/{uuid4()}")]:
        response = await client.request(method, path)

        assert_problem(response, 401, "NOT_AUTHENTICATED", path)
