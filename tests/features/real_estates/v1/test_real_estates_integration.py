"""HTTP behaviour of the listing routes (all but the public search), end to end."""

from datetime import datetime
from typing import Any
from uuid import UUID, uuid4

import httpx
import pytest
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from app.features.real_estates.model import ListingStatus, RealEstate
from app.features.users.model import Role, User
from tests.conftest import MakeToken, MakeUser, bearer

BASE = "/api/v1/real-estates"
MINE = "/api/v1/users/me/real-estates"
PROBLEM = "application/problem+json"

ADDRESS: dict[str, Any] = {
    "street": "Avenida Paulista",
    "number": "1578",
    "complement": "Apto 12",
    "neighborhood": "Bela Vista",
    "city": "São Paulo",
    "state": "SP",
    "postal_code": "01310-100",
}
LISTING: dict[str, Any] = {
    "title": "Apartamento com varanda perto do metrô",
    "description": "Sala ampla, dois quartos, sol da manhã.",
    "kind": "apartment",
    "purpose": "sale",
    "price_cents": 85_000_000,
    "condo_fee_cents": 95_000,
    "iptu_cents": 240_000,
    "area_m2": 72.5,
    "bedrooms": 2,
    "bathrooms": 2,
    "parking_spaces": 1,
    "address": ADDRESS,
    "location": {"lat": -23.5613, "lng": -46.6565},
}


async def create_listing(client: httpx.AsyncClient, token: str, **overrides: Any) -> dict[str, Any]:
    """Register a valid listing (LISTING with `overrides`) through the API; its body."""
    response = await client.post(BASE, headers=bearer(token), json={**LISTING, **overrides})
    assert response.status_code == 201, response.text
    body: dict[str, Any] = response.json()
    return body


async def act(
    client: httpx.AsyncClient, token: str, listing_id: str, *actions: str
) -> dict[str, Any]:
    """Apply workflow `actions` (publish, archive, draft) in order; the last body."""
    body: dict[str, Any] = {}
    for action in actions:
        response = await client.post(f"{BASE}/{listing_id}/{action}", headers=bearer(token))
        assert response.status_code == 200, response.text
        body = response.json()
    return body


async def publish(client: httpx.AsyncClient, token: str, listing_id: str) -> dict[str, Any]:
    """Publish a draft through the API; the published body."""
    return await act(client, token, listing_id, "publish")


def assert_problem(
    response: httpx.Response, status: int, code: str, instance: str
) -> dict[str, Any]:
    """Check that `response` is the problem document `code`, answering `instance`."""
    assert response.status_code == status, response.text
    assert response.headers["content-type"] == PROBLEM
    body: dict[str, Any] = response.json()
    assert body["code"] == code
    assert body["status"] == status
    assert body["instance"] == instance
    return body


async def stored(session: AsyncSession, listing_id: str | UUID) -> RealEstate | None:
    """The listing's row as the database holds it now; None when there is no row."""
    session.expunge_all()
    row: RealEstate | None = await session.scalar(
        select(RealEstate).where(RealEstate.id == UUID(str(listing_id)))
    )
    return row


@pytest.fixture
async def owner(make_user: MakeUser) -> User:
    """The collector who registers the listings."""
    return await make_user(name="Olga Owner")


@pytest.fixture
async def owner_token(owner: User, sign_in: MakeToken) -> str:
    """The owner's access token."""
    return await sign_in(owner)


@pytest.fixture
async def other_token(make_user: MakeUser, sign_in: MakeToken) -> str:
    """The access token of a collector who owns none of the listings."""
    return await sign_in(await make_user(name="Otto Other"))


@pytest.fixture
async def admin_token(make_user: MakeUser, sign_in: MakeToken) -> str:
    """An admin's access token."""
    return await sign_in(await make_user(name="Root Admin", role=Role.ADMIN))


# --- POST /real-estates ---------------------------------------------------------------------


async def test_create_registers_a_draft_owned_by_the_caller(
    client: httpx.AsyncClient, session: AsyncSession, owner: User, owner_token: str
) -> None:
    response = await client.post(BASE, headers=bearer(owner_token), json=LISTING)

    assert response.status_code == 201, response.text
    body = response.json()
    assert response.headers["location"] == f"{BASE}/{body['id']}"
    assert response.headers["etag"] == '"1"'
    assert (body["status"], body["owner_id"], body["version"]) == ("draft", str(owner.id), 1)
    assert body["published_at"] is None
    assert body["address"] == {**ADDRESS, "postal_code": "01310100"}
    assert body["location"] == {"lat": -23.5613, "lng": -46.6565}
    assert body["area_m2"] == 72.5
    assert (body["title"], body["price_cents"], body["built_area_m2"]) == (
        LISTING["title"],
        85_000_000,
        None,
    )
    row = await stored(session, body["id"])
    assert row is not None
    assert (row.status, row.owner_id, row.version) == (ListingStatus.DRAFT, owner.id, 1)
    assert (row.postal_code, row.city, row.city_key) == ("01310100", "São Paulo", "sao paulo")
    assert (row.lat, row.lng, row.published_at) == (-23.5613, -46.6565, None)


async def test_create_answers_the_same_representation_a_read_of_that_etag_answers(
    client: httpx.AsyncClient, owner_token: str
) -> None:
    created = await client.post(
        BASE, headers=bearer(owner_token), json={**LISTING, "area_m2": 72.25, "built_area_m2": 60}
    )

    read = await client.get(created.headers["location"], headers=bearer(owner_token))

    assert created.status_code == 201, created.text
    assert read.headers["etag"] == created.headers["etag"] == '"1"'
    assert read.json() == created.json()


async def test_areas_are_json_numbers_that_keep_their_two_decimals(
    client: httpx.AsyncClient, owner_token: str
) -> None:
    created = await client.post(
        BASE,
        headers=bearer(owner_token),
        json={**LISTING, "area_m2": 999_999_999.99, "built_area_m2": 0.01},
    )

    read = await client.get(created.headers["location"], headers=bearer(owner_token))

    assert created.status_code == 201, created.text
    assert '"area_m2":999999999.99' in read.text
    assert '"built_area_m2":0.01' in read.text
    assert (read.json()["area_m2"], read.json()["built_area_m2"]) == (999_999_999.99, 0.01)


async def test_create_accepts_a_minimal_body_with_defaults(
    client: httpx.AsyncClient, owner_token: str
) -> None:
    minimal = {key: LISTING[key] for key in ("title", "kind", "purpose", "price_cents", "area_m2")}
    address = {key: value for key, value in ADDRESS.items() if key != "complement"}

    response = await client.post(
        BASE, headers=bearer(owner_token), json={**minimal, "address": address}
    )

    assert response.status_code == 201, response.text
    body = response.json()
    assert (body["description"], body["bedrooms"], body["parking_spaces"]) == ("", 0, 0)
    assert (body["location"], body["condo_fee_cents"], body["address"]["complement"]) == (
        None,
        None,
        None,
    )


async def test_create_needs_a_bearer_token(
    client: httpx.AsyncClient, session: AsyncSession
) -> None:
    response = await client.post(BASE, json=LISTING)

    assert_problem(response, 401, "NOT_AUTHENTICATED", BASE)
    assert response.headers["www-authenticate"] == "Bearer"
    assert await session.scalar(select(RealEstate.id)) is None


WITHOUT_ADDRESS = {key: value for key, value in LISTING.items() if key != "address"}


@pytest.mark.parametrize(
    ("body", "loc"),
    [
        ({**LISTING, "address": {**ADDRESS, "state": "XX"}}, ["body", "address", "state"]),
        (
            {**LISTING, "address": {**ADDRESS, "postal_code": "1234"}},
            ["body", "address", "postal_code"],
        ),
        ({**LISTING, "kind": "castle"}, ["body", "kind"]),
        ({**LISTING, "purpose": "swap"}, ["body", "purpose"]),
        ({**LISTING, "price_cents": -1}, ["body", "price_cents"]),
        ({**LISTING, "area_m2": 0}, ["body", "area_m2"]),
        ({**LISTING, "area_m2": 72.505}, ["body", "area_m2"]),
        ({**LISTING, "built_area_m2": "60"}, ["body", "built_area_m2"]),
        ({**LISTING, "parking_spaces": 51}, ["body", "parking_spaces"]),
        ({**LISTING, "title": "ab"}, ["body", "title"]),
        ({**LISTING, "description": "x" * 5001}, ["body", "description"]),
        ({**LISTING, "location": {"lat": 91, "lng": 0}}, ["body", "location", "lat"]),
        ({**LISTING, "swimming_pool": True}, ["body", "swimming_pool"]),
        (WITHOUT_ADDRESS, ["body", "address"]),
    ],
    ids=[
        "unknown-state",
        "short-postal-code",
        "unknown-kind",
        "unknown-purpose",
        "negative-price",
        "zero-area",
        "area-with-three-decimals",
        "area-as-text",
        "too-many-parking-spaces",
        "short-title",
        "long-description",
        "latitude-out-of-range",
        "unknown-field",
        "missing-address",
    ],
)
async def test_create_refuses_invalid_fields(
    client: httpx.AsyncClient,
    session: AsyncSession,
    owner_token: str,
    body: dict[str, Any],
    loc: list[str],
) -> None:
    response = await client.post(BASE, headers=bearer(owner_token), json=body)

    problem = assert_problem(response, 422, "VALIDATION_ERROR", BASE)
    assert [error["loc"] for error in problem["errors"]] == [loc]
    assert await session.scalar(select(RealEstate.id)) is None


# --- GET /real-estates/{id} -----------------------------------------------------------------


async def test_get_shows_a_published_listing_to_anyone_with_its_etag(
    client: httpx.AsyncClient, owner_token: str
) -> None:
    listing = await create_listing(client, owner_token)
    published = await publish(client, owner_token, listing["id"])

    response = await client.get(f"{BASE}/{listing['id']}")

    assert response.status_code == 200, response.text
    assert response.headers["etag"] == '"2"'
    assert response.json() == published
    assert (response.json()["status"], response.json()["version"]) == ("published", 2)


@pytest.mark.parametrize("viewer", ["anonymous", "another collector"])
@pytest.mark.parametrize("actions", [(), ("publish", "archive")], ids=["draft", "archived"])
async def test_get_hides_an_unpublished_listing_from_everyone_else_as_not_found(
    client: httpx.AsyncClient,
    owner_token: str,
    other_token: str,
    viewer: str,
    actions: tuple[str, ...],
) -> None:
    listing = await create_listing(client, owner_token)
    await act(client, owner_token, listing["id"], *actions)
    headers = bearer(other_token) if viewer == "another collector" else {}
    path = f"{BASE}/{listing['id']}"

    response = await client.get(path, headers=headers)

    assert_problem(response, 404, "REAL_ESTATE_NOT_FOUND", path)


@pytest.mark.parametrize("viewer", ["owner", "admin"])
async def test_get_shows_a_draft_to_its_owner_and_to_admins(
    client: httpx.AsyncClient, owner_token: str, admin_token: str, viewer: str
) -> None:
    listing = await create_listing(client, owner_token)
    token = owner_token if viewer == "owner" else admin_token

    response = await client.get(f"{BASE}/{listing['id']}", headers=bearer(token))

    assert response.status_code == 200, response.text
    assert response.headers["etag"] == '"1"'
    assert response.json() == listing


async def test_get_answers_not_found_for_an_unknown_id(client: httpx.AsyncClient) -> None:
    path = f"{BASE}/{uuid4()}"

    response = await client.get(path)

    assert_problem(response, 404, "REAL_ESTATE_NOT_FOUND", path)


async def test_get_refuses_an_invalid_token_although_anonymous_callers_are_welcome(
    client: httpx.AsyncClient, owner_token: str
) -> None:
    listing = await create_listing(client, owner_token)
    await publish(client, owner_token, listing["id"])
    path = f"{BASE}/{listing['id']}"

    response = await client.get(path, headers=bearer("not-a-real-token"))

    assert_problem(response, 401, "INVALID_TOKEN", path)
    assert response.headers["www-authenticate"] == "Bearer"


@pytest.mark.parametrize("method", ["GET", "PATCH", "DELETE"])
async def test_listing_routes_refuse_an_id_that_is_not_a_uuid(
    client: httpx.AsyncClient, owner_token: str, method: str
) -> None:
    path = f"{BASE}/42"

    response = await client.request(
        method, path, headers=bearer(owner_token), json={"title": "New title"}
    )

    problem = assert_problem(response, 422, "VALIDATION_ERROR", path)
    assert [error["loc"] for error in problem["errors"]] == [["path", "listing_id"]]


# --- PATCH /real-estates/{id} ---------------------------------------------------------------


async def test_patch_changes_the_given_fields_and_keeps_the_others(
    client: httpx.AsyncClient, session: AsyncSession, owner_token: str
) -> None:
    listing = await create_listing(client, owner_token)
    changes = {"title": "Cobertura com vista", "price_cents": 99_000_000, "condo_fee_cents": None}

    response = await client.patch(
        f"{BASE}/{listing['id']}", headers=bearer(owner_token), json=changes
    )

    assert response.status_code == 200, response.text
    assert response.headers["etag"] == '"2"'
    body = response.json()
    assert body == {
        **listing,
        **changes,
        "version": 2,
        "updated_at": body["updated_at"],
    }
    assert datetime.fromisoformat(body["updated_at"]) > datetime.fromisoformat(
        listing["updated_at"]
    )
    row = await stored(session, listing["id"])
    assert row is not None
    assert (row.title, row.price_cents, row.condo_fee_cents, row.version) == (
        "Cobertura com vista",
        99_000_000,
        None,
        2,
    )
    assert (row.iptu_cents, row.bedrooms, row.city, row.lat) == (240_000, 2, "São Paulo", -23.5613)


async def test_patch_replaces_the_whole_address(
    client: httpx.AsyncClient, session: AsyncSession, owner_token: str
) -> None:
    listing = await create_listing(client, owner_token)
    address = {
        "street": "Rua Barata Ribeiro",
        "number": "200",
        "neighborhood": "Copacabana",
        "city": "Rio de Janeiro",
        "state": "RJ",
        "postal_code": "22040-002",
    }

    response = await client.patch(
        f"{BASE}/{listing['id']}", headers=bearer(owner_token), json={"address": address}
    )

    assert response.status_code == 200, response.text
    assert response.json()["address"] == {
        **address,
        "complement": None,
        "postal_code": "22040002",
    }
    assert response.json()["title"] == listing["title"]
    row = await stored(session, listing["id"])
    assert row is not None
    assert (row.city, row.city_key, row.neighborhood_key, row.complement, row.postal_code) == (
        "Rio de Janeiro",
        "rio de janeiro",
        "copacabana",
        None,
        "22040002",
    )


async def test_patch_with_location_null_clears_the_location(
    client: httpx.AsyncClient, session: AsyncSession, owner_token: str
) -> None:
    listing = await create_listing(client, owner_token)

    response = await client.patch(
        f"{BASE}/{listing['id']}", headers=bearer(owner_token), json={"location": None}
    )

    assert response.status_code == 200, response.text
    assert response.json()["location"] is None
    row = await stored(session, listing["id"])
    assert row is not None
    assert (row.lat, row.lng) == (None, None)


@pytest.mark.parametrize("if_match", ['"1"', "*"])
async def test_patch_with_a_matching_if_match_answers_the_next_etag(
    client: httpx.AsyncClient, owner_token: str, if_match: str
) -> None:
    listing = await create_listing(client, owner_token)

    response = await client.patch(
        f"{BASE}/{listing['id']}",
        headers={**bearer(owner_token), "If-Match": if_match},
        json={"bedrooms": 3},
    )

    assert response.status_code == 200, response.text
    assert response.headers["etag"] == '"2"'
    assert (response.json()["bedrooms"], response.json()["version"]) == (3, 2)


async def test_patch_accepts_an_if_match_list_that_holds_the_current_etag(
    client: httpx.AsyncClient, session: AsyncSession, owner_token: str
) -> None:
    listing = await create_listing(client, owner_token)

    response = await client.patch(
        f"{BASE}/{listing['id']}",
        headers={**bearer(owner_token), "If-Match": '"7", "1"'},
        json={"bedrooms": 3},
    )

    assert response.status_code == 200, response.text
    assert response.headers["etag"] == '"2"'
    row = await stored(session, listing["id"])
    assert row is not None
    assert (row.bedrooms, row.version) == (3, 2)


@pytest.mark.parametrize("if_match", ['"1"', '"3"', "garbage"])
async def test_patch_with_a_stale_if_match_changes_nothing(
    client: httpx.AsyncClient, session: AsyncSession, owner_token: str, if_match: str
) -> None:
    listing = await create_listing(client, owner_token)
    path = f"{BASE}/{listing['id']}"
    first = await client.patch(path, headers=bearer(owner_token), json={"title": "First edit"})
    assert first.headers["etag"] == '"2"'

    response = await client.patch(
        path, headers={**bearer(owner_token), "If-Match": if_match}, json={"title": "Lost edit"}
    )

    assert_problem(response, 412, "STALE_VERSION", path)
    row = await stored(session, listing["id"])
    assert row is not None
    assert (row.title, row.version) == ("First edit", 2)


@pytest.mark.parametrize(
    "field", ["title", "kind", "purpose", "price_cents", "area_m2", "bedrooms", "address"]
)
async def test_patch_refuses_null_for_a_required_field(
    client: httpx.AsyncClient, session: AsyncSession, owner_token: str, field: str
) -> None:
    listing = await create_listing(client, owner_token)
    path = f"{BASE}/{listing['id']}"

    response = await client.patch(path, headers=bearer(owner_token), json={field: None})

    problem = assert_problem(response, 422, "VALIDATION_ERROR", path)
    assert [error["loc"] for error in problem["errors"]] == [["body", field]]
    row = await stored(session, listing["id"])
    assert row is not None
    assert (row.title, row.version) == (LISTING["title"], 1)


async def test_patch_refuses_an_unknown_field(
    client: httpx.AsyncClient, session: AsyncSession, owner_token: str
) -> None:
    listing = await create_listing(client, owner_token)
    path = f"{BASE}/{listing['id']}"

    response = await client.patch(path, headers=bearer(owner_token), json={"status": "published"})

    problem = assert_problem(response, 422, "VALIDATION_ERROR", path)
    assert [error["loc"] for error in problem["errors"]] == [["body", "status"]]
    row = await stored(session, listing["id"])
    assert row is not None
    assert (row.status, row.version) == (ListingStatus.DRAFT, 1)


async def test_patch_by_another_collector_is_forbidden_on_a_published_listing(
    client: httpx.AsyncClient, session: AsyncSession, owner_token: str, other_token: str
) -> None:
    listing = await create_listing(client, owner_token)
    await publish(client, owner_token, listing["id"])
    path = f"{BASE}/{listing['id']}"

    response = await client.patch(path, headers=bearer(other_token), json={"title": "Mine now"})

    assert_problem(response, 403, "FORBIDDEN", path)
    row = await stored(session, listing["id"])
    assert row is not None
    assert (row.title, row.version) == (LISTING["title"], 2)


async def test_patch_by_another_collector_is_not_found_on_a_draft(
    client: httpx.AsyncClient, session: AsyncSession, owner_token: str, other_token: str
) -> None:
    listing = await create_listing(client, owner_token)
    path = f"{BASE}/{listing['id']}"

    response = await client.patch(path, headers=bearer(other_token), json={"title": "Mine now"})

    assert_problem(response, 404, "REAL_ESTATE_NOT_FOUND", path)
    row = await stored(session, listing["id"])
    assert row is not None
    assert (row.title, row.version) == (LISTING["title"], 1)


async def test_admin_may_edit_anyones_listing(
    client: httpx.AsyncClient,
    session: AsyncSession,
    owner: User,
    owner_token: str,
    admin_token: str,
) -> None:
    listing = await create_listing(client, owner_token)

    response = await client.patch(
        f"{BASE}/{listing['id']}", headers=bearer(admin_token), json={"title": "Moderated title"}
    )

    assert response.status_code == 200, response.text
    assert (response.json()["title"], response.json()["owner_id"]) == (
        "Moderated title",
        str(owner.id),
    )
    row = await stored(session, listing["id"])
    assert row is not None
    assert (row.title, row.owner_id, row.version) == ("Moderated title", owner.id, 2)


# --- POST /real-estates/{id}/publish, /archive, /draft --------------------------------------


async def test_a_listing_moves_from_draft_to_published_to_archived_and_back_to_draft(
    client: httpx.AsyncClient, session: AsyncSession, owner_token: str
) -> None:
    listing = await create_listing(client, owner_token)
    path = f"{BASE}/{listing['id']}"
    steps: list[httpx.Response] = []

    for version, action in enumerate(["publish", "archive", "draft"], start=1):
        steps.append(
            await client.post(
                f"{path}/{action}", headers={**bearer(owner_token), "If-Match": f'"{version}"'}
            )
        )

    published, archived, drafted = steps
    assert [step.status_code for step in steps] == [200, 200, 200]
    assert [step.headers["etag"] for step in steps] == ['"2"', '"3"', '"4"']
    assert [step.json()["status"] for step in steps] == ["published", "archived", "draft"]
    assert published.json()["published_at"] is not None
    published_at = datetime.fromisoformat(published.json()["published_at"])
    assert published_at >= datetime.fromisoformat(listing["created_at"])
    assert archived.json()["published_at"] is None
    assert drafted.json()["published_at"] is None
    row = await stored(session, listing["id"])
    assert row is not None
    assert (row.status, row.version, row.published_at) == (ListingStatus.DRAFT, 4, None)


async def test_publish_records_when_the_listing_was_published(
    client: httpx.AsyncClient, session: AsyncSession, owner_token: str
) -> None:
    listing = await create_listing(client, owner_token)

    response = await client.post(f"{BASE}/{listing['id']}/publish", headers=bearer(owner_token))

    assert response.status_code == 200, response.text
    row = await stored(session, listing["id"])
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
    owner_token: str,
    history: tuple[str, ...],
    action: str,
) -> None:
    listing = await create_listing(client, owner_token)
    await act(client, owner_token, listing["id"], *history)
    before = await stored(session, listing["id"])
    assert before is not None
    path = f"{BASE}/{listing['id']}/{action}"

    response = await client.post(path, headers=bearer(owner_token))

    assert_problem(response, 409, "INVALID_STATUS_TRANSITION", path)
    after = await stored(session, listing["id"])
    assert after is not None
    assert (after.status, after.version, after.published_at, after.updated_at) == (
        before.status,
        before.version,
        before.published_at,
        before.updated_at,
    )


async def test_publish_with_a_stale_if_match_changes_nothing(
    client: httpx.AsyncClient, session: AsyncSession, owner_token: str
) -> None:
    listing = await create_listing(client, owner_token)
    await client.patch(
        f"{BASE}/{listing['id']}", headers=bearer(owner_token), json={"title": "Edited"}
    )
    path = f"{BASE}/{listing['id']}/publish"

    response = await client.post(path, headers={**bearer(owner_token), "If-Match": '"1"'})

    assert_problem(response, 412, "STALE_VERSION", path)
    row = await stored(session, listing["id"])
    assert row is not None
    assert (row.status, row.version, row.published_at) == (ListingStatus.DRAFT, 2, None)


async def test_another_collector_may_not_archive_a_published_listing(
    client: httpx.AsyncClient, session: AsyncSession, owner_token: str, other_token: str
) -> None:
    listing = await create_listing(client, owner_token)
    await publish(client, owner_token, listing["id"])
    path = f"{BASE}/{listing['id']}/archive"

    response = await client.post(path, headers=bearer(other_token))

    assert_problem(response, 403, "FORBIDDEN", path)
    row = await stored(session, listing["id"])
    assert row is not None
    assert (row.status, row.version) == (ListingStatus.PUBLISHED, 2)


async def test_another_collector_may_not_publish_a_draft_it_cannot_see(
    client: httpx.AsyncClient, session: AsyncSession, owner_token: str, other_token: str
) -> None:
    listing = await create_listing(client, owner_token)
    path = f"{BASE}/{listing['id']}/publish"

    response = await client.post(path, headers=bearer(other_token))

    assert_problem(response, 404, "REAL_ESTATE_NOT_FOUND", path)
    row = await stored(session, listing["id"])
    assert row is not None
    assert (row.status, row.version) == (ListingStatus.DRAFT, 1)


async def test_admin_may_publish_and_archive_anyones_listing(
    client: httpx.AsyncClient, session: AsyncSession, owner_token: str, admin_token: str
) -> None:
    listing = await create_listing(client, owner_token)

    archived = await act(client, admin_token, listing["id"], "publish", "archive")

    assert (archived["status"], archived["version"]) == ("archived", 3)
    row = await stored(session, listing["id"])
    assert row is not None
    assert row.status is ListingStatus.ARCHIVED


# --- DELETE /real-estates/{id} --------------------------------------------------------------


async def test_owner_deletes_a_listing(
    client: httpx.AsyncClient, session: AsyncSession, owner_token: str
) -> None:
    listing = await create_listing(client, owner_token)
    path = f"{BASE}/{listing['id']}"

    response = await client.delete(path, headers=bearer(owner_token))

    assert response.status_code == 204
    assert response.content == b""
    assert await stored(session, listing["id"]) is None
    assert_problem(
        await client.get(path, headers=bearer(owner_token)), 404, "REAL_ESTATE_NOT_FOUND", path
    )


@pytest.mark.parametrize(
    ("actions", "status", "code"),
    [(("publish",), 403, "FORBIDDEN"), ((), 404, "REAL_ESTATE_NOT_FOUND")],
    ids=["published", "draft"],
)
async def test_another_collector_may_not_delete_a_listing(
    client: httpx.AsyncClient,
    session: AsyncSession,
    owner_token: str,
    other_token: str,
    actions: tuple[str, ...],
    status: int,
    code: str,
) -> None:
    listing = await create_listing(client, owner_token)
    await act(client, owner_token, listing["id"], *actions)
    path = f"{BASE}/{listing['id']}"

    response = await client.delete(path, headers=bearer(other_token))

    assert_problem(response, status, code, path)
    assert await stored(session, listing["id"]) is not None


async def test_admin_deletes_anyones_listing(
    client: httpx.AsyncClient, session: AsyncSession, owner_token: str, admin_token: str
) -> None:
    listing = await create_listing(client, owner_token)

    response = await client.delete(f"{BASE}/{listing['id']}", headers=bearer(admin_token))

    assert response.status_code == 204
    assert await stored(session, listing["id"]) is None


async def test_delete_answers_not_found_for_an_unknown_id(
    client: httpx.AsyncClient, owner_token: str
) -> None:
    path = f"{BASE}/{uuid4()}"

    response = await client.delete(path, headers=bearer(owner_token))

    assert_problem(response, 404, "REAL_ESTATE_NOT_FOUND", path)


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
    client: httpx.AsyncClient, session: AsyncSession, owner_token: str, method: str, route: str
) -> None:
    listing = await create_listing(client, owner_token)
    path = route.format(id=listing["id"])

    response = await client.request(method, path, json={"title": "Anonymous edit"})

    assert_problem(response, 401, "NOT_AUTHENTICATED", path)
    assert response.headers["www-authenticate"] == "Bearer"
    row = await stored(session, listing["id"])
    assert row is not None
    assert (row.title, row.version) == (LISTING["title"], 1)


# --- GET /users/me/real-estates -------------------------------------------------------------


async def test_my_listings_are_every_own_listing_of_any_status_newest_first(
    client: httpx.AsyncClient, owner_token: str, other_token: str
) -> None:
    histories: list[tuple[str, ...]] = [(), ("publish",), ("publish", "archive"), (), ("publish",)]
    mine = []
    for number, history in enumerate(histories):
        listing = await create_listing(client, owner_token, title=f"Listing number {number}")
        await act(client, owner_token, listing["id"], *history)
        mine.append(listing["id"])
    await create_listing(client, other_token, title="Not mine")
    seen: list[dict[str, Any]] = []
    params: dict[str, str | int] = {"limit": 2}

    while True:
        page = await client.get(MINE, headers=bearer(owner_token), params=params)
        assert page.status_code == 200, page.text
        assert set(page.json()) == {"items", "next_cursor"}
        seen.extend(page.json()["items"])
        if (cursor := page.json()["next_cursor"]) is None:
            break
        params["cursor"] = cursor

    assert [item["id"] for item in seen] == mine[::-1]
    assert [item["status"] for item in seen] == [
        "published",
        "draft",
        "archived",
        "published",
        "draft",
    ]


async def test_my_listings_is_empty_for_a_newcomer(
    client: httpx.AsyncClient, owner_token: str, other_token: str
) -> None:
    await create_listing(client, owner_token)

    response = await client.get(MINE, headers=bearer(other_token))

    assert response.status_code == 200
    assert response.json() == {"items": [], "next_cursor": None}


async def test_my_listings_refuses_a_cursor_of_someone_else(
    client: httpx.AsyncClient, owner_token: str, other_token: str
) -> None:
    for _ in range(2):
        await create_listing(client, owner_token)
    first = await client.get(MINE, headers=bearer(owner_token), params={"limit": 1})
    cursor = first.json()["next_cursor"]
    assert cursor is not None

    response = await client.get(MINE, headers=bearer(other_token), params={"cursor": cursor})

    assert_problem(response, 422, "INVALID_CURSOR", MINE)


# --- OpenAPI ---------------------------------------------------------------------------------


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
