"""What a client sees for requests it got wrong: clear words, the right status, nothing lost."""

from typing import Any

import httpx
import pytest

from tests.conftest import PASSWORD, MakeUser

PROBLEM = "application/problem+json"
SIGN_UP = {"name": "Bia Souza", "cpf": "390.533.447-05", "password": PASSWORD}


def problem(response: httpx.Response, status: int, code: str) -> dict[str, Any]:
    assert response.status_code == status, response.text
    assert response.headers["content-type"] == PROBLEM
    body: dict[str, Any] = response.json()
    assert body["code"] == code
    return body


async def test_a_json_body_sent_as_a_form_is_415_and_says_how_to_send_it(
    client: httpx.AsyncClient,
) -> None:
    # What `curl -d '{"cpf": ...}' URL` sends: no content type given, so a form.
    response = await client.post(
        "/api/v1/sign-in",
        content=b'{"cpf": "52998224725", "password": "a long odd phrase"}',
        headers={"Content-Type": "application/x-www-form-urlencoded"},
    )

    body = problem(response, 415, "UNSUPPORTED_MEDIA_TYPE")
    assert "application/json" in body["detail"]
    assert "Content-Type: application/json" in body["detail"]


async def test_the_oauth2_form_endpoint_still_reads_forms(
    client: httpx.AsyncClient, make_user: MakeUser
) -> None:
    user = await make_user()

    response = await client.post(
        "/api/v1/auth/token", data={"username": user.cpf, "password": PASSWORD}
    )

    assert response.status_code == 200
    assert response.json()["token_type"] == "bearer"


async def test_a_form_missing_fields_names_them_instead_of_asking_for_json(
    client: httpx.AsyncClient,
) -> None:
    response = await client.post("/api/v1/auth/token", data={"username": "52998224725"})

    body = problem(response, 422, "VALIDATION_ERROR")
    assert [error["loc"] for error in body["errors"]] == [["body", "password"]]


async def test_validation_messages_carry_no_pydantic_prefix(client: httpx.AsyncClient) -> None:
    response = await client.post("/api/v1/users", json={**SIGN_UP, "cpf": "111.111.111-11"})

    body = problem(response, 422, "VALIDATION_ERROR")
    messages = [error["msg"] for error in body["errors"]]
    assert messages == ["not a valid CPF (11 digits with valid check digits)"]
    assert "Value error" not in body["detail"]


@pytest.mark.parametrize(
    ("raw", "reason"),
    [
        (b'{"cpf": "52998224725", "password": }', "Expecting value"),
        (b'{"cpf": "52998224725" "password": "x"}', "Expecting ',' delimiter"),
    ],
)
async def test_broken_json_says_where_and_why(
    client: httpx.AsyncClient, raw: bytes, reason: str
) -> None:
    response = await client.post(
        "/api/v1/sign-in", content=raw, headers={"Content-Type": "application/json"}
    )

    body = problem(response, 422, "VALIDATION_ERROR")
    (error,) = body["errors"]
    assert error["type"] == "json_invalid"
    assert error["msg"] == f"Invalid JSON at character {error['loc'][1]}: {reason}."
    assert body["detail"] == error["msg"]


async def test_the_root_sends_browsers_to_the_docs_and_lists_the_entry_points(
    client: httpx.AsyncClient,
) -> None:
    response = await client.get("/")

    assert response.status_code == 307
    assert response.headers["location"] == "/docs"
    assert response.json()["openapi"] == "/openapi.json"
    assert response.headers["x-request-id"]


async def test_a_trailing_slash_is_redirected_with_a_body_that_says_why(
    client: httpx.AsyncClient,
) -> None:
    response = await client.get("/api/v1/real-estates/?limit=5")

    assert response.status_code == 307
    assert response.headers["location"] == "/api/v1/real-estates?limit=5"
    assert response.json()["location"] == "/api/v1/real-estates?limit=5"
    assert "trailing slash" in response.json()["detail"]
    assert response.headers["x-request-id"]


async def test_an_unknown_path_with_a_trailing_slash_is_still_a_404_problem(
    client: httpx.AsyncClient,
) -> None:
    response = await client.get("/api/v1/nothing-here/")

    body = problem(response, 404, "NOT_FOUND")
    assert body["instance"] == "/api/v1/nothing-here/"
