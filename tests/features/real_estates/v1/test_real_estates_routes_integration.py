"""What the listing routes share: bearer tokens when signed in, UUID ids, documented problems."""

from typing import Any

import httpx
import pytest
from sqlalchemy.ext.asyncio import AsyncSession

from tests.conftest import PROBLEM, assert_problem, bearer
from tests.features.real_estates.v1.conftest import BASE, LISTING, MINE, editing, stored_listing


@pytest.mark.parametrize(
    ("method", "route"),
    [
        ("PATCH", f"{BASE}/{{id}}"),
        ("DELETE", f"{BASE}/{{id}}"),
        ("POST", f"{BASE}/{{id}}/publish"),
        ("POST", f"{BASE}/{{id}}/archive"),
        ("POST", f"{BASE}/{{id}}/draft"),
        ("GET", MINE),
    ],
)
async def test_signed_in_listing_routes_need_a_bearer_token(
    client: httpx.AsyncClient,
    session: AsyncSession,
    re_draft: dict[str, Any],
    method: str,
    route: str,
) -> None:
    path = route.format(id=re_draft["id"])

    response = await client.request(method, path, json={"title": "Anonymous edit"})

    assert_problem(response, 401, "NOT_AUTHENTICATED", path)
    assert response.headers["www-authenticate"] == "Bearer"
    row = await stored_listing(session, re_draft["id"])
    assert row is not None
    assert (row.title, row.version) == (LISTING["title"], 1)


@pytest.mark.parametrize("method", ["GET", "PATCH", "DELETE"])
async def test_listing_routes_refuse_an_id_that_is_not_a_uuid(
    client: httpx.AsyncClient, re_owner_token: str, method: str
) -> None:
    path = f"{BASE}/42"

    response = await client.request(
        method, path, headers=editing(re_owner_token, "*"), json={"title": "New title"}
    )

    problem = assert_problem(response, 422, "VALIDATION_ERROR", path)
    assert [error["loc"] for error in problem["errors"]] == [["path", "listing_id"]]


async def test_a_patch_with_a_bad_id_and_no_if_match_lists_both_faults(
    client: httpx.AsyncClient, re_owner_token: str
) -> None:
    path = f"{BASE}/42"

    response = await client.patch(path, headers=bearer(re_owner_token), json={"title": "Tidy"})

    problem = assert_problem(response, 422, "VALIDATION_ERROR", path)
    locations = sorted(error["loc"] for error in problem["errors"])
    assert locations == [["header", "if-match"], ["path", "listing_id"]]


def problem_codes(operation: dict[str, Any], status: str) -> set[str]:
    """The problem codes an OpenAPI operation documents for `status`."""
    content = operation["responses"][status]["content"][PROBLEM]
    return set(content["examples"])


async def test_openapi_documents_the_problems_of_publish_and_search(
    client: httpx.AsyncClient,
) -> None:
    response = await client.get("/openapi.json")

    assert response.status_code == 200
    paths = response.json()["paths"]
    publish_operation = paths[f"{BASE}/{{listing_id}}/publish"]["post"]
    assert "STALE_VERSION" in problem_codes(publish_operation, "412")
    assert "INVALID_STATUS_TRANSITION" in problem_codes(publish_operation, "409")
    assert "REAL_ESTATE_NOT_FOUND" in problem_codes(publish_operation, "404")
    assert "STALE_VERSION" in problem_codes(paths[f"{BASE}/{{listing_id}}"]["patch"], "412")
    search_codes = problem_codes(paths[BASE]["get"], "422")
    assert {"INVALID_CURSOR", "VALIDATION_ERROR"} <= search_codes
