"""HTTP behaviour of sign-in, bearer tokens and password changes, end to end."""

from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import jwt
import pytest

from app.core.config.settings import Settings
from app.features.users.model import User
from tests.conftest import (
    PASSWORD,
    TEST_JWT_SECRET,
    MakeToken,
    MakeUser,
    assert_problem,
    bearer,
    cpf_from_seed,
)

NEW_PASSWORD = "another quite long phrase"


@pytest.fixture
async def user(make_user: MakeUser) -> User:
    """A signed-up collector."""
    return await make_user()


@pytest.fixture
async def token(user: User, sign_in: MakeToken) -> str:
    """An access token of `user`, from signing in through the API."""
    return await sign_in(user)


def _formatted(cpf: str) -> str:
    return f"{cpf[:3]}.{cpf[3:6]}.{cpf[6:9]}-{cpf[9:]}"


def _claims_of(token: str) -> dict[str, Any]:
    claims: dict[str, Any] = jwt.decode(token, options={"verify_signature": False})
    return claims


def _assert_invalid_token(response: httpx.Response) -> None:
    assert_problem(response, 401, "INVALID_TOKEN", "/api/v1/users/me")
    assert response.headers["www-authenticate"] == "Bearer"


async def _change_password(
    client: httpx.AsyncClient, token: str, current: str, new: str
) -> httpx.Response:
    return await client.put(
        "/api/v1/users/me/password",
        json={"current_password": current, "new_password": new},
        headers=bearer(token),
    )


@pytest.mark.parametrize("shape", ["digits", "formatted"])
async def test_sign_in_returns_a_bearer_token_for_the_cpf_in_either_shape(
    client: httpx.AsyncClient, user: User, shape: str
) -> None:
    cpf = user.cpf if shape == "digits" else _formatted(user.cpf)

    response = await client.post("/api/v1/sign-in", json={"cpf": cpf, "password": PASSWORD})

    assert response.status_code == 200
    body = response.json()
    assert body["token_type"] == "bearer"
    assert body["expires_in"] == 900
    assert _claims_of(body["access_token"])["sub"] == str(user.id)
    me = await client.get("/api/v1/users/me", headers=bearer(body["access_token"]))
    assert me.json()["cpf"] == user.cpf


async def test_unknown_cpf_and_wrong_password_get_the_same_401(
    client: httpx.AsyncClient, user: User
) -> None:
    unknown = await client.post(
        "/api/v1/sign-in", json={"cpf": cpf_from_seed(888_888), "password": PASSWORD}
    )
    wrong = await client.post(
        "/api/v1/sign-in", json={"cpf": user.cpf, "password": "not the right password"}
    )

    assert unknown.status_code == wrong.status_code == 401
    assert unknown.headers["content-type"] == wrong.headers["content-type"]
    assert unknown.headers["content-type"] == "application/problem+json"
    members = ("type", "title", "status", "detail", "code")
    assert {key: unknown.json()[key] for key in members} == {
        key: wrong.json()[key] for key in members
    }
    assert wrong.json()["code"] == "INVALID_CREDENTIALS"
    assert "access_token" not in wrong.json()


async def test_oauth2_token_endpoint_signs_in_with_the_cpf_as_username(
    client: httpx.AsyncClient, make_user: MakeUser
) -> None:
    user = await make_user(name="Form User")

    response = await client.post(
        "/api/v1/auth/token", data={"username": _formatted(user.cpf), "password": PASSWORD}
    )

    assert response.status_code == 200
    assert response.json()["token_type"] == "bearer"
    me = await client.get("/api/v1/users/me", headers=bearer(response.json()["access_token"]))
    assert me.status_code == 200
    assert me.json()["id"] == str(user.id)
    assert me.json()["name"] == "Form User"


async def test_oauth2_token_endpoint_refuses_a_wrong_password(
    client: httpx.AsyncClient, user: User
) -> None:
    response = await client.post(
        "/api/v1/auth/token", data={"username": user.cpf, "password": "nope nope nope"}
    )

    assert response.status_code == 401
    assert response.json()["code"] == "INVALID_CREDENTIALS"


async def test_a_request_without_a_token_is_not_authenticated(client: httpx.AsyncClient) -> None:
    response = await client.get("/api/v1/users/me")

    assert response.status_code == 401
    assert response.headers["www-authenticate"] == "Bearer"
    assert response.json()["code"] == "NOT_AUTHENTICATED"


OTHER_SECRET = "another-secret-that-is-long-enough-0123456789"


@pytest.mark.parametrize(
    ("expires_in", "overrides", "key", "algorithm"),
    [
        pytest.param(-60, {}, TEST_JWT_SECRET, "HS256", id="expired"),
        pytest.param(300, {}, OTHER_SECRET, "HS256", id="forged"),
        pytest.param(300, {}, "", "none", id="alg-none"),  # pyjwt sends no key for "none"
        pytest.param(300, {"aud": "someone-else"}, TEST_JWT_SECRET, "HS256", id="wrong-audience"),
        pytest.param(300, {"iss": "someone-else"}, TEST_JWT_SECRET, "HS256", id="wrong-issuer"),
    ],
)
async def test_a_tampered_token_is_refused(
    client: httpx.AsyncClient,
    settings: Settings,
    token: str,
    expires_in: int,
    overrides: dict[str, str],
    key: str,
    algorithm: str,
) -> None:
    real = _claims_of(token)
    now = datetime.now(UTC)
    claims = {
        "sub": real["sub"],
        "sid": real["sid"],
        "iat": int((now - timedelta(minutes=20)).timestamp()),
        "exp": int((now + timedelta(seconds=expires_in)).timestamp()),
        "iss": settings.jwt_issuer,
        "aud": settings.jwt_audience,
        "jti": "test-jti",
        **overrides,
    }
    tampered = jwt.encode(claims, key=key, algorithm=algorithm)

    response = await client.get("/api/v1/users/me", headers=bearer(tampered))

    _assert_invalid_token(response)


async def test_the_same_claims_signed_properly_are_accepted(
    client: httpx.AsyncClient, user: User, token: str
) -> None:
    claims = {**_claims_of(token), "jti": "rebuilt"}
    rebuilt = jwt.encode(claims, TEST_JWT_SECRET, algorithm="HS256")

    response = await client.get("/api/v1/users/me", headers=bearer(rebuilt))

    assert response.status_code == 200
    assert response.json()["id"] == str(user.id)


async def test_a_garbage_token_is_refused(client: httpx.AsyncClient) -> None:
    response = await client.get("/api/v1/users/me", headers=bearer("not-a-jwt-at-all"))

    _assert_invalid_token(response)


async def test_the_token_of_a_deleted_user_is_refused(
    client: httpx.AsyncClient, token: str
) -> None:
    deleted = await client.delete("/api/v1/users/me", headers=bearer(token))

    response = await client.get("/api/v1/users/me", headers=bearer(token))

    assert deleted.status_code == 204
    _assert_invalid_token(response)


async def test_changing_the_password_ends_the_other_sessions_only(
    client: httpx.AsyncClient, user: User, token: str, sign_in: MakeToken
) -> None:
    other = await sign_in(user)

    changed = await _change_password(client, token, PASSWORD, NEW_PASSWORD)

    assert changed.status_code == 204
    assert changed.content == b""
    _assert_invalid_token(await client.get("/api/v1/users/me", headers=bearer(other)))
    still = await client.get("/api/v1/users/me", headers=bearer(token))
    assert still.status_code == 200
    assert still.json()["id"] == str(user.id)


async def test_after_a_password_change_only_the_new_password_signs_in(
    client: httpx.AsyncClient, user: User, token: str
) -> None:
    await _change_password(client, token, PASSWORD, NEW_PASSWORD)

    old = await client.post("/api/v1/sign-in", json={"cpf": user.cpf, "password": PASSWORD})
    new = await client.post("/api/v1/sign-in", json={"cpf": user.cpf, "password": NEW_PASSWORD})

    assert old.status_code == 401
    assert old.json()["code"] == "INVALID_CREDENTIALS"
    assert new.status_code == 200
    assert new.json()["access_token"]


async def test_changing_the_password_needs_the_current_one(
    client: httpx.AsyncClient, user: User, token: str
) -> None:
    response = await _change_password(client, token, "not my password", NEW_PASSWORD)

    assert response.status_code == 403
    assert response.headers["content-type"] == "application/problem+json"
    assert response.json()["code"] == "INVALID_CURRENT_PASSWORD"
    still = await client.post("/api/v1/sign-in", json={"cpf": user.cpf, "password": PASSWORD})
    assert still.status_code == 200


async def test_changing_to_a_weak_password_is_rejected(
    client: httpx.AsyncClient, token: str
) -> None:
    response = await _change_password(client, token, PASSWORD, "password")

    assert response.status_code == 422
    assert response.headers["content-type"] == "application/problem+json"
    assert response.json()["code"] == "PASSWORD_REJECTED"
    assert "common" in response.json()["detail"]
