"""HTTP behaviour of removing a listing (DELETE /real-estates/{id}), end to end."""

from typing import Any
from uuid import uuid4

import httpx
import pytest
from sqlalchemy.ext.asyncio import AsyncSession

from tests.conftest import assert_problem, bearer
from tests.features.real_estates.v1.conftest import BASE, create_listing, stored_listing


@pytest.mark.parametrize("deleter", ["owner", "admin"])
async def test_the_owner_or_an_admin_deletes_a_listing(
    client: httpx.AsyncClient,
    session: AsyncSession,
    re_owner_token: str,
    re_admin_token: str,
    re_draft: dict[str, Any],
    deleter: str,
) -> None:
    token = re_owner_token if deleter == "owner" else re_admin_token
    path = f"{BASE}/{re_draft['id']}"

    response = await client.delete(path, headers=bearer(token))

    assert response.status_code == 204
    assert response.content == b""
    assert await stored_listing(session, re_draft["id"]) is None
    assert_problem(
        await client.get(path, headers=bearer(token)), 404, "REAL_ESTATE_NOT_FOUND", path
    )


@pytest.mark.parametrize(
    ("actions", "status", "code"),
    [(("publish",), 403, "FORBIDDEN"), ((), 404, "REAL_ESTATE_NOT_FOUND")],
    ids=["published", "draft"],
)
async def test_another_collector_may_not_delete_a_listing(
    client: httpx.AsyncClient,
    session: AsyncSession,
    re_owner_token: str,
    re_other_token: str,
    actions: tuple[str, ...],
    status: int,
    code: str,
) -> None:
    listing = await create_listing(client, re_owner_token, *actions)
    path = f"{BASE}/{listing['id']}"

    response = await client.delete(path, headers=bearer(re_other_token))

    assert_problem(response, status, code, path)
    assert await stored_listing(session, listing["id"]) is not None


async def test_delete_answers_not_found_for_an_unknown_id(
    client: httpx.AsyncClient, re_owner_token: str
) -> None:
    path = f"{BASE}/{uuid4()}"

    response = await client.delete(path, headers=bearer(re_owner_token))

    assert_problem(response, 404, "REAL_ESTATE_NOT_FOUND", path)
