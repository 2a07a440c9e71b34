"""Problem documents for every failure, request ids, the error catalogue and the API docs."""

import json
import re
import uuid
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from fastapi import FastAPI

from app.core.config.settings import Settings

ERRORS_JSON = Path(__file__).resolve().parents[2] / "errors.json"
PROBLEM = "application/problem+json"
HTTP_METHODS = {"get", "put", "post", "delete", "patch", "head", "options", "trace"}


def _assert_problem(response: httpx.Response, *, status: int, code: str) -> dict[str, Any]:
    assert response.status_code == status, response.text
    assert response.headers["content-type"] == PROBLEM
    body: dict[str, Any] = response.json()
    assert body["status"] == status
    assert body["code"] == code
    assert body["type"] == "/errors/" + code.lower().replace("_", "-")
    assert body["title"]
    assert body["detail"]
    assert body["instance"] == response.request.url.path
    assert body["request_id"] == response.headers["x-request-id"]
    return body


async def test_an_unknown_path_is_a_404_problem(client: httpx.AsyncClient) -> None:
    response = await client.get("/no/such/place")

    body = _assert_problem(response, status=404, code="NOT_FOUND")
    assert body["instance"] == "/no/such/place"
    assert body["type"] == "/errors/not-found"
    assert body["request_id"]


async def test_a_wrong_method_is_a_405_problem_with_allow(client: httpx.AsyncClient) -> None:
    response = await client.get("/api/v1/sign-in")

    _assert_problem(response, status=405, code="METHOD_NOT_ALLOWED")
    assert response.headers["allow"] == "POST"


@pytest.mark.parametrize(
    ("method", "path", "allowed"),
    [
        ("PUT", "/api/v1/real-estates", "GET, HEAD, POST"),
        ("PUT", "/api/v1/users/me", "DELETE, GET, HEAD, PATCH"),
        ("POST", f"/api/v1/real-estates/{uuid.uuid4()}", "DELETE, GET, HEAD, PATCH"),
        ("PATCH", "/api/v1/users/me/sessions", "DELETE, GET, HEAD"),
    ],
)
async def test_allow_names_every_method_of_the_path(
    client: httpx.AsyncClient, method: str, path: str, allowed: str
) -> None:
    response = await client.request(method, path)

    _assert_problem(response, status=405, code="METHOD_NOT_ALLOWED")
    assert response.headers["allow"] == allowed


async def test_a_malformed_json_body_is_a_validation_problem(client: httpx.AsyncClient) -> None:
    response = await client.post(
        "/api/v1/sign-in",
        content=b'{"cpf": "529.982.247-25", "password": ',
        headers={"content-type": "application/json"},
    )

    body = _assert_problem(response, status=422, code="VALIDATION_ERROR")
    assert body["errors"][0]["type"] == "json_invalid"
    assert body["errors"][0]["loc"][0] == "body"


async def test_validation_problems_never_echo_the_submitted_password(
    client: httpx.AsyncClient,
) -> None:
    response = await client.post(
        "/api/v1/users", json={"name": "x", "cpf": "123", "password": "secret-pass-123"}
    )

    body = _assert_problem(response, status=422, code="VALIDATION_ERROR")
    assert {tuple(error["loc"]) for error in body["errors"]} >= {("body", "name"), ("body", "cpf")}
    assert "secret-pass-123" not in response.text


async def test_a_declared_body_over_the_limit_is_a_413_problem(
    client: httpx.AsyncClient, settings: Settings
) -> None:
    oversized = b"x" * (settings.max_request_body_bytes + 1)

    response = await client.post(
        "/api/v1/sign-in", content=oversized, headers={"content-type": "application/json"}
    )

    body = _assert_problem(response, status=413, code="PAYLOAD_TOO_LARGE")
    assert str(settings.max_request_body_bytes) in body["detail"]


async def test_a_streamed_body_over_the_limit_is_a_413_problem(
    client: httpx.AsyncClient, settings: Settings
) -> None:
    chunk = b" " * 64 * 1024
    chunks = settings.max_request_body_bytes // len(chunk) + 2

    async def stream() -> AsyncIterator[bytes]:
        for _ in range(chunks):
            yield chunk

    response = await client.post(
        "/api/v1/sign-in", content=stream(), headers={"content-type": "application/json"}
    )

    assert "content-length" not in response.request.headers
    body = _assert_problem(response, status=413, code="PAYLOAD_TOO_LARGE")
    assert str(settings.max_request_body_bytes) in body["detail"]


async def test_an_unhandled_exception_is_a_500_problem_without_internals(app: FastAPI) -> None:
    @app.get("/boom")
    async def boom() -> None:
        raise RuntimeError("secret internals at /srv/app/db.py: password=hunter2")

    transport = httpx.ASGITransport(app=app, raise_app_exceptions=False)
    async with httpx.AsyncClient(transport=transport, base_url="http://test") as client:
        response = await client.get("/boom", headers={"X-Request-ID": "trace-me-500"})

    body = _assert_problem(response, status=500, code="INTERNAL_ERROR")
    assert body["request_id"] == "trace-me-500"
    assert response.headers.get_list("x-request-id") == ["trace-me-500"]
    for leak in ("Traceback", "RuntimeError", "hunter2", "db.py", "File "):
        assert leak not in response.text


async def test_a_safe_request_id_is_echoed(client: httpx.AsyncClient) -> None:
    response = await client.get("/errors", headers={"X-Request-ID": "client-id_42:a.b"})

    assert response.status_code == 200
    assert response.headers.get_list("x-request-id") == ["client-id_42:a.b"]


@pytest.mark.parametrize(
    "unsafe",
    ["has spaces in it", "x" * 500, "line\tbreak", "<script>"],
    ids=["spaces", "too-long", "tab", "markup"],
)
async def test_an_unsafe_request_id_is_replaced(client: httpx.AsyncClient, unsafe: str) -> None:
    response = await client.get("/errors", headers={"X-Request-ID": unsafe})

    assert response.status_code == 200
    [request_id] = response.headers.get_list("x-request-id")
    assert request_id != unsafe
    assert re.fullmatch(r"[0-9a-f]{32}", request_id)


async def test_a_request_id_is_generated_when_none_is_sent(client: httpx.AsyncClient) -> None:
    first = await client.get("/errors")
    second = await client.get("/errors")

    assert re.fullmatch(r"[0-9a-f]{32}", first.headers["x-request-id"])
    assert first.headers["x-request-id"] != second.headers["x-request-id"]


async def test_problem_responses_carry_exactly_one_request_id(client: httpx.AsyncClient) -> None:
    response = await client.get("/nowhere", headers={"X-Request-ID": "only-once"})

    assert response.status_code == 404
    assert response.headers.get_list("x-request-id") == ["only-once"]
    assert response.json()["request_id"] == "only-once"


async def test_the_error_index_lists_every_catalogue_code(client: httpx.AsyncClient) -> None:
    catalogue = json.loads(ERRORS_JSON.read_text(encoding="utf-8"))["errors"]

    response = await client.get("/errors")

    assert response.status_code == 200
    listed = {entry["code"]: entry for entry in response.json()}
    assert set(listed) == {entry["code"] for entry in catalogue}
    for entry in catalogue:
        assert listed[entry["code"]]["status"] == entry["status"]
        assert listed[entry["code"]]["title"] == entry["title"]


async def test_an_error_page_describes_its_code(client: httpx.AsyncClient) -> None:
    response = await client.get("/errors/user-not-found")

    assert response.status_code == 200
    assert response.json() == {
        "code": "USER_NOT_FOUND",
        "status": 404,
        "title": "User not found",
        "description": "No user has this id.",
    }


async def test_an_unknown_error_slug_is_a_404_problem(client: httpx.AsyncClient) -> None:
    response = await client.get("/errors/no-such-error")

    body = _assert_problem(response, status=404, code="NOT_FOUND")
    assert body["instance"] == "/errors/no-such-error"


async def _openapi(client: httpx.AsyncClient) -> dict[str, Any]:
    response = await client.get("/openapi.json")
    assert response.status_code == 200
    schema: dict[str, Any] = response.json()
    return schema


async def test_every_operation_documents_the_500_problem(client: httpx.AsyncClient) -> None:
    schema = await _openapi(client)

    operations = [
        (path, method, operation)
        for path, item in schema["paths"].items()
        for method, operation in item.items()
        if method in HTTP_METHODS
    ]

    assert len(operations) >= 10
    for path, method, operation in operations:
        internal = operation["responses"].get("500")
        assert internal is not None, f"{method.upper()} {path} has no 500 response"
        assert "INTERNAL_ERROR" in internal["content"][PROBLEM]["examples"]


async def test_sign_up_documents_its_conflict_and_validation_problems(
    client: httpx.AsyncClient,
) -> None:
    schema = await _openapi(client)

    responses = schema["paths"]["/api/v1/users"]["post"]["responses"]

    conflict = responses["409"]["content"][PROBLEM]
    invalid = responses["422"]["content"][PROBLEM]
    assert set(conflict["examples"]) == {"USER_ALREADY_EXISTS"}
    assert set(invalid["examples"]) == {"PASSWORD_REJECTED", "VALIDATION_ERROR"}
    assert invalid["schema"] == {"$ref": "#/components/schemas/Problem"}
    assert "application/json" not in responses["422"]["content"]
    assert "Problem" in schema["components"]["schemas"]


async def test_the_openapi_schema_has_no_fastapi_validation_schema(
    client: httpx.AsyncClient,
) -> None:
    response = await client.get("/openapi.json")

    assert response.status_code == 200
    assert "HTTPValidationError" not in response.text


async def test_the_oauth2_password_flow_points_at_the_token_endpoint(
    client: httpx.AsyncClient,
) -> None:
    schema = await _openapi(client)

    schemes = schema["components"]["securitySchemes"].values()

    token_urls = [scheme["flows"]["password"]["tokenUrl"] for scheme in schemes]
    assert token_urls == ["/api/v1/auth/token"]


def _asset_urls(html: str) -> list[str]:
    return re.findall(r"""(?:src|href)\s*=\s*["']([^"']+)["']""", html)


@pytest.mark.parametrize(
    ("page", "script"),
    [("/docs", "swagger-ui-bundle.js"), ("/redoc", "redoc.standalone.js")],
)
async def test_the_docs_pages_load_their_assets_from_the_service(
    client: httpx.AsyncClient, page: str, script: str
) -> None:
    response = await client.get(page)

    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/html")
    assert "cdn" not in response.text.lower()
    urls = _asset_urls(response.text)
    assert f"/docs-assets/{script}" in urls
    for url in urls:
        assert url.startswith("/"), f"{page} loads {url} from elsewhere"
    for url in urls:
        asset = await client.get(url)
        assert asset.status_code == 200, url
        assert asset.content
