"""The OpenAPI document's response headers, and the headers the API really sends."""

from typing import Any

import httpx

from app.core.config.settings import Settings
from app.core.openapi import operations
from app.wiring import Components
from tests.conftest import PASSWORD, MakeUser, bearer
from tests.core.test_openapi import by_id, resolve, response_headers


def test_every_response_declares_the_request_id_and_every_header_resolves(
    document: dict[str, Any],
) -> None:
    responses = [
        (operation["operationId"], status, response)
        for _, _, operation in operations(document)
        for status, response in operation["responses"].items()
    ]

    assert len(responses) > 100
    for operation_id, status, response in responses:
        headers = response.get("headers", {})
        assert "X-Request-ID" in headers, f"{operation_id} {status}"
        for name, header in headers.items():
            assert resolve(document, header["$ref"])["schema"], f"{operation_id} {status} {name}"


def test_listing_and_account_answers_declare_etag_location_and_no_store(
    document: dict[str, Any],
) -> None:
    schema = by_id(document)

    limited = {"RateLimit", "RateLimit-Policy"}
    assert response_headers(schema["signUp"], "201") == {"Location", "X-Request-ID", *limited}
    assert response_headers(schema["createRealEstate"], "201") == {
        "ETag",
        "Idempotent-Replayed",
        "Location",
        "X-Request-ID",
    }
    for operation_id in ("getRealEstate", "updateRealEstate", "publishRealEstate"):
        assert response_headers(schema[operation_id], "200") == {"ETag", "X-Request-ID"}
    for operation_id in ("archiveRealEstate", "draftRealEstate"):
        assert "ETag" in response_headers(schema[operation_id], "200")
    for operation_id in ("searchRealEstates", "listMyRealEstates", "deleteRealEstate"):
        success = next(status for status in schema[operation_id]["responses"] if status < "300")
        assert "ETag" not in response_headers(schema[operation_id], success)
    for operation_id in ("signIn", "issueToken", "refreshToken"):
        expected = {"Cache-Control", "X-Request-ID", *limited}
        assert response_headers(schema[operation_id], "200") == expected
    for operation_id in ("signUp", "signIn", "issueToken", "refreshToken"):
        assert response_headers(schema[operation_id], "429") == {
            "Retry-After",
            "X-Request-ID",
            *limited,
        }
    no_store = document["components"]["headers"]["Cache-Control"]["schema"]
    assert no_store == {"type": "string", "const": "no-store"}


def test_401_problems_of_operations_with_a_token_declare_the_bearer_challenge(
    document: dict[str, Any],
) -> None:
    schema = by_id(document)

    assert "WWW-Authenticate" in response_headers(schema["getMyProfile"], "401")
    assert "WWW-Authenticate" in response_headers(schema["searchRealEstates"], "401")
    assert "WWW-Authenticate" not in response_headers(schema["signIn"], "401")
    assert "Retry-After" in response_headers(schema["checkReadiness"], "503")


def _declared(document: dict[str, Any], method: str, path: str, status: int) -> set[str]:
    operation = document["paths"][path][method]
    return {name.lower() for name in operation["responses"][str(status)]["headers"]}


async def test_the_declared_headers_are_the_ones_sent(
    app: Any, settings: Settings, client: httpx.AsyncClient
) -> None:
    limits_on = settings.model_copy(update={"rate_limit_enabled": True})
    app.state.components = Components.from_settings(limits_on)
    document = (await client.get("/openapi.json")).json()
    sign_up = await client.post(
        "/api/v1/users",
        json={"name": "Ana Lima", "cpf": "529.982.247-25", "password": PASSWORD},
    )
    signed_in = await client.post(
        "/api/v1/sign-in", json={"cpf": "52998224725", "password": PASSWORD}
    )
    token = signed_in.json()["access_token"]
    listing = {
        "title": "Casa com quintal",
        "kind": "house",
        "purpose": "sale",
        "price_cents": 50_000_000,
        "area_m2": 120,
        "address": {
            "street": "Rua A",
            "number": "1",
            "neighborhood": "Centro",
            "city": "Campinas",
            "state": "SP",
            "postal_code": "13010-000",
        },
    }
    keyed = {**bearer(token), "Idempotency-Key": "declared-headers"}
    await client.post("/api/v1/real-estates", headers=keyed, json=listing)
    created = await client.post("/api/v1/real-estates", headers=keyed, json=listing)  # a replay
    published = await client.post(f"{created.headers['location']}/publish", headers=bearer(token))
    read = await client.get(created.headers["location"])
    unauthenticated = await client.get("/api/v1/users/me")

    answers = [
        (sign_up, "post", "/api/v1/users", 201),
        (signed_in, "post", "/api/v1/sign-in", 200),
        (created, "post", "/api/v1/real-estates", 201),
        (published, "post", "/api/v1/real-estates/{listing_id}/publish", 200),
        (read, "get", "/api/v1/real-estates/{listing_id}", 200),
        (unauthenticated, "get", "/api/v1/users/me", 401),
    ]
    for response, method, path, status in answers:
        assert response.status_code == status, response.text
        declared = _declared(document, method, path, status)
        assert declared <= set(response.headers), f"{method} {path} {status}"
    assert signed_in.headers["cache-control"] == "no-store"
    assert read.headers["etag"] == published.headers["etag"] == '"2"'


async def test_the_oauth2_form_as_swagger_ui_posts_it_gets_an_uncacheable_token(
    client: httpx.AsyncClient, make_user: MakeUser
) -> None:
    user = await make_user()
    # Swagger UI's password flow, with the (hidden) client credentials left empty.
    response = await client.post(
        "/api/v1/auth/token",
        data={"grant_type": "password", "username": user.cpf, "password": PASSWORD, "scope": ""},
        headers={"Authorization": "Basic Og=="},
    )

    assert response.status_code == 200, response.text
    assert response.headers["cache-control"] == "no-store"
    me = await client.get("/api/v1/users/me", headers=bearer(response.json()["access_token"]))
    assert me.json()["id"] == str(user.id)


async def test_the_oauth2_form_refuses_another_grant_type(
    client: httpx.AsyncClient, make_user: MakeUser
) -> None:
    user = await make_user()

    response = await client.post(
        "/api/v1/auth/token",
        data={"grant_type": "client_credentials", "username": user.cpf, "password": PASSWORD},
    )

    assert response.status_code == 422
    assert [error["loc"] for error in response.json()["errors"]] == [["body", "grant_type"]]
    assert "access_token" not in response.text
