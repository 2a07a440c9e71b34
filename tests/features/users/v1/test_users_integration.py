"""HTTP behaviour of the user routes, end to end over a real PostgreSQL."""

from typing import Any
from uuid import uuid4

import httpx
import pytest
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from app.features.users.model import Role, User
from tests.conftest import MakeUser, assert_problem, cpf_from_seed
from tests.features.users.v1.conftest import stored_user

SIGN_UP = {"name": "Ana Lima", "cpf": "529.982.247-25", "password": "a long odd phrase"}


async def test_sign_up_creates_a_collector_and_stores_the_cpf_as_digits(
    client: httpx.AsyncClient, session: AsyncSession
) -> None:
    response = await client.post("/api/v1/users", json=SIGN_UP)

    assert response.status_code == 201
    body = response.json()
    assert response.headers["location"] == f"/api/v1/users/{body['id']}"
    assert body["role"] == "collector"
    assert body["cpf"] == "52998224725"
    assert "password" not in body
    assert "password_hash" not in body
    stored = await session.scalar(select(User).where(User.cpf == "52998224725"))
    assert stored is not None
    assert stored.password_hash.startswith("$argon2id$")


async def test_sign_up_refuses_a_second_account_for_the_same_cpf(
    client: httpx.AsyncClient,
) -> None:
    created = await client.post("/api/v1/users", json=SIGN_UP)

    again = await client.post("/api/v1/users", json={**SIGN_UP, "cpf": "52998224725"})

    assert created.status_code == 201
    assert again.status_code == 409
    assert again.headers["content-type"] == "application/problem+json"
    assert again.json()["code"] == "USER_ALREADY_EXISTS"
    assert again.json()["instance"] == "/api/v1/users"


async def test_sign_up_answers_the_new_user_and_lowercases_the_email(
    client: httpx.AsyncClient, session: AsyncSession
) -> None:
    body = {**SIGN_UP, "name": "  Ana Lima  ", "email": "Ana.Lima@Example.COM"}

    response = await client.post("/api/v1/users", json=body)

    assert response.status_code == 201
    created = response.json()
    assert set(created) == {"id", "name", "cpf", "email", "role", "created_at", "updated_at"}
    assert (created["name"], created["email"]) == ("Ana Lima", "ana.lima@example.com")
    stored = await stored_user(session, created["id"], User.name, User.email)
    assert stored == ("Ana Lima", "ana.lima@example.com")


@pytest.mark.parametrize(
    ("changes", "loc"),
    [
        ({"cpf": "123.456.789-00"}, ["body", "cpf"]),
        ({"cpf": "111.111.111-11"}, ["body", "cpf"]),
        ({"name": "Ana"}, ["body", "name"]),
        ({"email": "not-an-email"}, ["body", "email"]),
        ({"nickname": "Aninha"}, ["body", "nickname"]),
    ],
    ids=["bad-check-digits", "all-digits-equal", "short-name", "bad-email", "extra-field"],
)
async def test_sign_up_refuses_invalid_fields(
    client: httpx.AsyncClient, session: AsyncSession, changes: dict[str, str], loc: list[str]
) -> None:
    response = await client.post("/api/v1/users", json={**SIGN_UP, **changes})

    body = assert_problem(response, 422, "VALIDATION_ERROR", "/api/v1/users")
    assert [error["loc"] for error in body["errors"]] == [loc]
    assert await session.scalar(select(User.id)) is None


@pytest.mark.parametrize("password", ["short", "password123", "senha123", "52998224725"])
async def test_sign_up_refuses_weak_passwords(client: httpx.AsyncClient, password: str) -> None:
    response = await client.post("/api/v1/users", json={**SIGN_UP, "password": password})

    assert_problem(response, 422, "PASSWORD_REJECTED", "/api/v1/users")
    assert password not in response.text


async def test_sign_up_refuses_a_taken_email(client: httpx.AsyncClient) -> None:
    await client.post("/api/v1/users", json={**SIGN_UP, "email": "ana@example.com"})
    other = {**SIGN_UP, "cpf": cpf_from_seed(1), "email": "ANA@example.com"}

    response = await client.post("/api/v1/users", json=other)

    body = assert_problem(response, 409, "USER_ALREADY_EXISTS", "/api/v1/users")
    assert "e-mail" in body["detail"]


async def test_me_answers_the_signed_in_profile(
    client: httpx.AsyncClient, collector: User, as_collector: dict[str, str]
) -> None:
    response = await client.get("/api/v1/users/me", headers=as_collector)

    assert response.status_code == 200
    body = response.json()
    assert body["id"] == str(collector.id)
    assert body["cpf"] == collector.cpf
    assert (body["name"], body["email"], body["role"]) == (
        "Ana Lima",
        "ana@example.com",
        "collector",
    )


async def test_patch_me_changes_name_and_email(
    client: httpx.AsyncClient, session: AsyncSession, collector: User, as_collector: dict[str, str]
) -> None:
    changes = {"name": "Bia Souza", "email": "Bia@X.com"}

    response = await client.patch("/api/v1/users/me", headers=as_collector, json=changes)

    assert response.status_code == 200
    assert (response.json()["name"], response.json()["email"]) == ("Bia Souza", "bia@x.com")
    stored = await stored_user(session, collector.id, User.name, User.email)
    assert stored == ("Bia Souza", "bia@x.com")


async def test_patch_me_with_email_null_removes_the_email(
    client: httpx.AsyncClient, session: AsyncSession, collector: User, as_collector: dict[str, str]
) -> None:
    response = await client.patch("/api/v1/users/me", headers=as_collector, json={"email": None})

    assert response.status_code == 200
    assert response.json()["email"] is None
    assert await stored_user(session, collector.id, User.name, User.email) == ("Ana Lima", None)


@pytest.mark.parametrize(
    ("body", "loc"),
    [({"role": "admin"}, ["body", "role"]), ({"name": None}, ["body", "name"])],
    ids=["role-is-not-yours-to-change", "name-may-not-be-null"],
)
async def test_patch_me_refuses_invalid_changes(
    client: httpx.AsyncClient,
    session: AsyncSession,
    collector: User,
    as_collector: dict[str, str],
    body: dict[str, Any],
    loc: list[str],
) -> None:
    response = await client.patch("/api/v1/users/me", headers=as_collector, json=body)

    problem = assert_problem(response, 422, "VALIDATION_ERROR", "/api/v1/users/me")
    assert [error["loc"] for error in problem["errors"]] == [loc]
    stored = await stored_user(session, collector.id, User.name, User.role)
    assert stored == ("Ana Lima", Role.COLLECTOR)


async def test_patch_me_refuses_an_email_taken_by_someone_else(
    client: httpx.AsyncClient, make_user: MakeUser, as_collector: dict[str, str]
) -> None:
    await make_user(email="taken@example.com")

    response = await client.patch(
        "/api/v1/users/me", headers=as_collector, json={"email": "taken@example.com"}
    )

    assert_problem(response, 409, "USER_ALREADY_EXISTS", "/api/v1/users/me")


async def test_delete_me_removes_the_account_and_its_token_stops_working(
    client: httpx.AsyncClient, session: AsyncSession, collector: User, as_collector: dict[str, str]
) -> None:
    deleted = await client.delete("/api/v1/users/me", headers=as_collector)
    after = await client.get("/api/v1/users/me", headers=as_collector)

    assert deleted.status_code == 204
    assert deleted.content == b""
    assert_problem(after, 401, "INVALID_TOKEN", "/api/v1/users/me")
    assert after.headers["www-authenticate"] == "Bearer"
    assert await stored_user(session, collector.id) is None


async def test_delete_me_refuses_to_remove_the_only_admin(
    client: httpx.AsyncClient, session: AsyncSession, admin: User, as_admin: dict[str, str]
) -> None:
    response = await client.delete("/api/v1/users/me", headers=as_admin)

    assert_problem(response, 409, "LAST_ADMIN", "/api/v1/users/me")
    assert await stored_user(session, admin.id) is not None


async def test_list_users_pages_through_everyone_in_sign_up_order(
    client: httpx.AsyncClient, admin: User, as_admin: dict[str, str], make_user: MakeUser
) -> None:
    users = [admin, *[await make_user() for _ in range(4)]]
    seen: list[str] = []
    params: dict[str, str | int] = {"limit": 2}

    while True:
        page = await client.get("/api/v1/users", headers=as_admin, params=params)
        assert page.status_code == 200
        seen.extend(item["id"] for item in page.json()["items"])
        if (cursor := page.json()["next_cursor"]) is None:
            break
        params["cursor"] = cursor

    assert seen == [str(user.id) for user in users]


async def test_list_users_filters_by_role(
    client: httpx.AsyncClient, as_admin: dict[str, str], make_user: MakeUser
) -> None:
    collectors = [await make_user() for _ in range(2)]

    response = await client.get("/api/v1/users", headers=as_admin, params={"role": "collector"})

    assert response.status_code == 200
    assert [item["id"] for item in response.json()["items"]] == [str(u.id) for u in collectors]
    assert response.json()["next_cursor"] is None


async def test_list_users_refuses_a_cursor_made_for_another_role(
    client: httpx.AsyncClient, as_admin: dict[str, str], make_user: MakeUser
) -> None:
    await make_user(role=Role.ADMIN)
    admins = await client.get(
        "/api/v1/users", headers=as_admin, params={"role": "admin", "limit": 1}
    )
    cursor = admins.json()["next_cursor"]
    assert cursor is not None

    response = await client.get(
        "/api/v1/users", headers=as_admin, params={"role": "collector", "cursor": cursor}
    )

    assert_problem(response, 422, "INVALID_CURSOR", "/api/v1/users")


@pytest.mark.parametrize("limit", [0, 101])
async def test_list_users_refuses_a_limit_out_of_range(
    client: httpx.AsyncClient, as_admin: dict[str, str], limit: int
) -> None:
    response = await client.get("/api/v1/users", headers=as_admin, params={"limit": limit})

    body = assert_problem(response, 422, "VALIDATION_ERROR", "/api/v1/users")
    assert [error["loc"] for error in body["errors"]] == [["query", "limit"]]


async def test_get_user_answers_that_user(
    client: httpx.AsyncClient, as_admin: dict[str, str], collector: User
) -> None:
    response = await client.get(f"/api/v1/users/{collector.id}", headers=as_admin)

    assert response.status_code == 200
    assert response.json()["id"] == str(collector.id)
    assert response.json()["name"] == "Ana Lima"


@pytest.mark.parametrize("method", ["GET", "PATCH", "DELETE"])
async def test_admin_user_routes_answer_not_found_for_an_unknown_id(
    client: httpx.AsyncClient, as_admin: dict[str, str], method: str
) -> None:
    path = f"/api/v1/users/{uuid4()}"

    response = await client.request(method, path, headers=as_admin, json={"name": "New Name"})

    assert_problem(response, 404, "USER_NOT_FOUND", path)


@pytest.mark.parametrize("method", ["GET", "PATCH", "DELETE"])
async def test_admin_user_routes_refuse_an_id_that_is_not_a_uuid(
    client: httpx.AsyncClient, as_admin: dict[str, str], method: str
) -> None:
    response = await client.request(
        method, "/api/v1/users/42", headers=as_admin, json={"name": "New Name"}
    )

    body = assert_problem(response, 422, "VALIDATION_ERROR", "/api/v1/users/42")
    assert [error["loc"] for error in body["errors"]] == [["path", "user_id"]]


async def test_patch_user_changes_the_role(
    client: httpx.AsyncClient, session: AsyncSession, as_admin: dict[str, str], collector: User
) -> None:
    path = f"/api/v1/users/{collector.id}"

    response = await client.patch(
        path, headers=as_admin, json={"role": "admin", "name": "Bia Souza"}
    )

    assert response.status_code == 200
    assert (response.json()["role"], response.json()["name"]) == ("admin", "Bia Souza")
    stored = await stored_user(session, collector.id, User.role, User.name)
    assert stored == (Role.ADMIN, "Bia Souza")


async def test_patch_user_refuses_to_demote_the_last_admin(
    client: httpx.AsyncClient, session: AsyncSession, admin: User, as_admin: dict[str, str]
) -> None:
    path = f"/api/v1/users/{admin.id}"

    response = await client.patch(path, headers=as_admin, json={"role": "collector"})

    assert_problem(response, 409, "LAST_ADMIN", path)
    assert await stored_user(session, admin.id, User.role) == (Role.ADMIN,)


async def test_delete_user_removes_the_account(
    client: httpx.AsyncClient, session: AsyncSession, as_admin: dict[str, str], collector: User
) -> None:
    response = await client.delete(f"/api/v1/users/{collector.id}", headers=as_admin)

    assert response.status_code == 204
    assert await stored_user(session, collector.id) is None


ADMIN_ROUTES = [
    ("GET", "/api/v1/users"),
    ("GET", "/api/v1/users/{id}"),
    ("PATCH", "/api/v1/users/{id}"),
    ("DELETE", "/api/v1/users/{id}"),
]
ME_ROUTES = [
    ("GET", "/api/v1/users/me"),
    ("PATCH", "/api/v1/users/me"),
    ("DELETE", "/api/v1/users/me"),
]


@pytest.mark.parametrize(("method", "route"), ADMIN_ROUTES)
async def test_admin_routes_forbid_collectors(
    client: httpx.AsyncClient,
    session: AsyncSession,
    collector: User,
    as_collector: dict[str, str],
    method: str,
    route: str,
) -> None:
    path = route.format(id=collector.id)

    response = await client.request(method, path, headers=as_collector, json={"role": "admin"})

    assert_problem(response, 403, "FORBIDDEN", path)
    assert await stored_user(session, collector.id, User.role) == (Role.COLLECTOR,)


@pytest.mark.parametrize(("method", "route"), ADMIN_ROUTES + ME_ROUTES)
async def test_signed_in_routes_need_a_bearer_token(
    client: httpx.AsyncClient, method: str, route: str
) -> None:
    path = route.format(id=uuid4())

    response = await client.request(method, path, json={"name": "New Name"})

    assert_problem(response, 401, "NOT_AUTHENTICATED", path)
    assert response.headers["www-authenticate"] == "Bearer"
