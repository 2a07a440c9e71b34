"""HTTP behaviour of the listing workflow: POST /real-estates/{id}/publish, /archive, /draft."""

from datetime import datetime
from typing import Any

import httpx
import pytest
from sqlalchemy.ext.asyncio import AsyncSession

from app.features.real_estates.model import ListingStatus
from tests.conftest import assert_problem, bearer
from tests.features.real_estates.v1.conftest import (
    BASE,
    act,
    create_listing,
    editing,
    stored_listing,
)


async def test_a_listing_moves_from_draft_to_published_to_archived_and_back_to_draft(
    client: httpx.AsyncClient,
    session: AsyncSession,
    re_owner_token: str,
    re_draft: dict[str, Any],
) -> None:
    path = f"{BASE}/{re_draft['id']}"
    steps: list[httpx.Response] = []

    for version, action in enumerate(["publish", "archive", "draft"], start=1):
        steps.append(
            await client.post(f"{path}/{action}", headers=editing(re_owner_token, f'"{version}"'))
        )

    published, archived, drafted = steps
    assert [step.status_code for step in steps] == [200, 200, 200]
    assert [step.headers["etag"] for step in steps] == ['"2"', '"3"', '"4"']
    assert [step.json()["status"] for step in steps] == ["published", "archived", "draft"]
    assert published.json()["published_at"] is not None
    published_at = datetime.fromisoformat(published.json()["published_at"])
    assert published_at >= datetime.fromisoformat(re_draft["created_at"])
    assert archived.json()["published_at"] is None
    assert drafted.json()["published_at"] is None
    row = await stored_listing(session, re_draft["id"])
    assert row is not None
    assert (row.status, row.version, row.published_at) == (ListingStatus.DRAFT, 4, None)


async def test_publish_records_when_the_listing_was_published(
    client: httpx.AsyncClient,
    session: AsyncSession,
    re_owner_token: str,
    re_draft: dict[str, Any],
) -> None:
    response = await client.post(f"{BASE}/{re_draft['id']}/publish", headers=bearer(re_owner_token))

    assert response.status_code == 200, response.text
    row = await stored_listing(session, re_draft["id"])
    assert row is not None
    assert (row.status, row.version) == (ListingStatus.PUBLISHED, 2)
    assert row.published_at is not None
    assert row.published_at == datetime.fromisoformat(response.json()["published_at"])


@pytest.mark.parametrize(
    ("history", "action"),
    [
        ((), "archive"),
        ((), "draft"),
        (("publish",), "publish"),
        (("publish",), "draft"),
        (("publish", "archive"), "publish"),
        (("publish", "archive"), "archive"),
    ],
    ids=[
        "archive-a-draft",
        "draft-a-draft",
        "publish-a-published",
        "draft-a-published",
        "publish-an-archived",
        "archive-an-archived",
    ],
)
async def test_an_invalid_status_move_conflicts_and_changes_nothing(
    client: httpx.AsyncClient,
    session: AsyncSession,
    re_owner_token: str,
    history: tuple[str, ...],
    action: str,
) -> None:
    listing = await create_listing(client, re_owner_token, *history)
    before = await stored_listing(session, listing["id"])
    assert before is not None
    path = f"{BASE}/{listing['id']}/{action}"

    response = await client.post(path, headers=bearer(re_owner_token))

    assert_problem(response, 409, "INVALID_STATUS_TRANSITION", path)
    after = await stored_listing(session, listing["id"])
    assert after is not None
    assert (after.status, after.version, after.published_at, after.updated_at) == (
        before.status,
        before.version,
        before.published_at,
        before.updated_at,
    )


async def test_publish_with_a_stale_if_match_changes_nothing(
    client: httpx.AsyncClient,
    session: AsyncSession,
    re_owner_token: str,
    re_draft: dict[str, Any],
) -> None:
    await client.patch(
        f"{BASE}/{re_draft['id']}", headers=editing(re_owner_token), json={"title": "Edited"}
    )
    path = f"{BASE}/{re_draft['id']}/publish"

    response = await client.post(path, headers=editing(re_owner_token, '"1"'))

    assert_problem(response, 412, "STALE_VERSION", path)
    row = await stored_listing(session, re_draft["id"])
    assert row is not None
    assert (row.status, row.version, row.published_at) == (ListingStatus.DRAFT, 2, None)


@pytest.mark.parametrize(
    ("history", "action", "status", "code", "unchanged"),
    [
        (("publish",), "archive", 403, "FORBIDDEN", (ListingStatus.PUBLISHED, 2)),
        ((), "publish", 404, "REAL_ESTATE_NOT_FOUND", (ListingStatus.DRAFT, 1)),
    ],
    ids=["archive-a-published-listing", "publish-a-draft-it-cannot-see"],
)
async def test_another_collector_may_not_move_a_listing(
    client: httpx.AsyncClient,
    session: AsyncSession,
    re_owner_token: str,
    re_other_token: str,
    history: tuple[str, ...],
    action: str,
    status: int,
    code: str,
    unchanged: tuple[ListingStatus, int],
) -> None:
    listing = await create_listing(client, re_owner_token, *history)
    path = f"{BASE}/{listing['id']}/{action}"

    response = await client.post(path, headers=bearer(re_other_token))

    assert_problem(response, status, code, path)
    row = await stored_listing(session, listing["id"])
    assert row is not None
    assert (row.status, row.version) == unchanged


async def test_admin_may_publish_and_archive_anyones_listing(
    client: httpx.AsyncClient,
    session: AsyncSession,
    re_admin_token: str,
    re_draft: dict[str, Any],
) -> None:
    archived = await act(client, re_admin_token, re_draft["id"], "publish", "archive")

    assert (archived["status"], archived["version"]) == ("archived", 3)
    row = await stored_listing(session, re_draft["id"])
    assert row is not None
    assert row.status is ListingStatus.ARCHIVED
