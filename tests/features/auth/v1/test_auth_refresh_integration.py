"""HTTP behaviour of refresh tokens and sign-out, end to end."""

from dataclasses import replace
from ipaddress import ip_network
from typing import Any

import httpx
import pytest
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from app.core.config.client import ClientAddresses
from app.features.auth.model import AuthSession
from app.features.users.model import User
from app.wiring import Components
from tests.conftest import PASSWORD, MakeUser, assert_problem, bearer

REFRESH = "/api/v1/auth/refresh"
SIGN_OUT = "/api/v1/sign-out"


@pytest.fixture
async def user(make_user: MakeUser) -> User:
    """A signed-up collector."""
    return await make_user()


async def _signed_in(client: httpx.AsyncClient, user: User, **headers: str) -> dict[str, Any]:
    credentials = {"cpf": user.cpf, "password": PASSWORD}
    response = await client.post("/api/v1/sign-in", json=credentials, headers=headers)
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    return body


async def _me(client: httpx.AsyncClient, tokens: dict[str, Any]) -> httpx.Response:
    return await client.get("/api/v1/users/me", headers=bearer(tokens["access_token"]))


async def test_both_sign_ins_return_a_refresh_token_that_is_never_cached(
    client: httpx.AsyncClient, user: User
) -> None:
    json_sign_in = await client.post(
        "/api/v1/sign-in", json={"cpf": user.cpf, "password": PASSWORD}
    )
    form_sign_in = await client.post(
        "/api/v1/auth/token", data={"username": user.cpf, "password": PASSWORD}
    )

    for response in (json_sign_in, form_sign_in):
        assert response.status_code == 200
        assert response.headers["cache-control"] == "no-store"
        body = response.json()
        assert set(body) == {"access_token", "refresh_token", "token_type", "expires_in"}
        assert len(body["refresh_token"]) >= 43
        assert body["refresh_token"] != body["access_token"]
    assert json_sign_in.json()["refresh_token"] != form_sign_in.json()["refresh_token"]


async def test_a_refresh_returns_a_new_pair_and_spends_the_old_token(
    client: httpx.AsyncClient, user: User
) -> None:
    first = await _signed_in(client, user)

    refreshed = await client.post(REFRESH, json={"refresh_token": first["refresh_token"]})
    again = await client.post(REFRESH, json={"refresh_token": first["refresh_token"]})

    assert refreshed.status_code == 200, refreshed.text
    assert refreshed.headers["cache-control"] == "no-store"
    second = refreshed.json()
    assert second["token_type"] == "bearer"
    assert second["refresh_token"] != first["refresh_token"]
    assert (await _me(client, second)).json()["id"] == str(user.id)
    body = assert_problem(again, 401, "INVALID_REFRESH_TOKEN", REFRESH)
    assert first["refresh_token"] not in again.text
    assert body["detail"]


async def test_an_access_token_is_not_a_refresh_token(
    client: httpx.AsyncClient, user: User
) -> None:
    tokens = await _signed_in(client, user)

    response = await client.post(REFRESH, json={"refresh_token": tokens["access_token"][:128]})
    as_bearer = await client.get("/api/v1/users/me", headers=bearer(tokens["refresh_token"]))

    assert_problem(response, 401, "INVALID_REFRESH_TOKEN", REFRESH)
    assert_problem(as_bearer, 401, "INVALID_TOKEN", "/api/v1/users/me")


@pytest.mark.parametrize(
    "body",
    [{}, {"refresh_token": ""}, {"refresh_token": "x" * 129}, {"refresh_token": "a", "more": 1}],
    ids=["missing", "empty", "too-long", "extra-field"],
)
async def test_a_malformed_refresh_request_is_a_422(
    client: httpx.AsyncClient, body: dict[str, Any]
) -> None:
    for path in (REFRESH, SIGN_OUT):
        response = await client.post(path, json=body)

        assert_problem(response, 422, "VALIDATION_ERROR", path)


async def test_sign_out_ends_that_session_only_and_can_be_repeated(
    client: httpx.AsyncClient, user: User
) -> None:
    phone = await _signed_in(client, user)
    laptop = await _signed_in(client, user)

    first = await client.post(SIGN_OUT, json={"refresh_token": phone["refresh_token"]})
    second = await client.post(SIGN_OUT, json={"refresh_token": phone["refresh_token"]})
    unknown = await client.post(SIGN_OUT, json={"refresh_token": "never issued"})

    assert [first.status_code, second.status_code, unknown.status_code] == [204, 204, 204]
    assert first.content == b""
    assert_problem(await _me(client, phone), 401, "INVALID_TOKEN", "/api/v1/users/me")
    gone = await client.post(REFRESH, json={"refresh_token": phone["refresh_token"]})
    assert_problem(gone, 401, "INVALID_REFRESH_TOKEN", REFRESH)
    assert (await _me(client, laptop)).status_code == 200


async def test_a_password_change_keeps_the_callers_refresh_token_and_ends_the_others(
    client: httpx.AsyncClient, user: User
) -> None:
    mine = await _signed_in(client, user)
    other = await _signed_in(client, user)

    changed = await client.put(
        "/api/v1/users/me/password",
        json={"current_password": PASSWORD, "new_password": "another quite long phrase"},
        headers=bearer(mine["access_token"]),
    )

    assert changed.status_code == 204
    kept = await client.post(REFRESH, json={"refresh_token": mine["refresh_token"]})
    ended = await client.post(REFRESH, json={"refresh_token": other["refresh_token"]})
    assert kept.status_code == 200
    assert_problem(ended, 401, "INVALID_REFRESH_TOKEN", REFRESH)


async def _stored_session(session: AsyncSession, user: User) -> AuthSession:
    [stored] = (
        await session.scalars(select(AuthSession).where(AuthSession.user_id == user.id))
    ).all()
    return stored


async def test_the_session_records_the_peer_and_ignores_an_untrusted_forwarded_for(
    client: httpx.AsyncClient, user: User, session: AsyncSession
) -> None:
    await _signed_in(client, user, **{"X-Forwarded-For": "198.51.100.7", "User-Agent": "Phone"})

    stored = await _stored_session(session, user)
    assert stored.client_address == "127.0.0.1"
    assert stored.user_agent == "Phone"


async def test_behind_a_trusted_proxy_the_forwarded_client_is_recorded(
    app: Any,
    client: httpx.AsyncClient,
    components: Components,
    user: User,
    session: AsyncSession,
) -> None:
    trusting = ClientAddresses([ip_network("127.0.0.0/8")])
    app.state.components = replace(components, addresses=trusting)

    await _signed_in(client, user, **{"X-Forwarded-For": "6.6.6.6, 198.51.100.7"})

    assert (await _stored_session(session, user)).client_address == "198.51.100.7"
