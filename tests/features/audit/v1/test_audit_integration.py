"""The audit trail end to end: each recorded action, the admin's view, append-only, purge."""

from dataclasses import replace
from datetime import UTC, datetime, timedelta
from typing import Any
from uuid import UUID

import httpx
import pytest
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError
from sqlalchemy.ext.asyncio import AsyncSession

from app.core.config.db.database import Database
from app.core.config.settings import Settings
from app.features.audit.model import AuditEvent
from app.features.users.model import Role, User
from app.wiring import Components, build_audit_service, build_auth_service
from tests.conftest import PASSWORD, MakeToken, MakeUser, assert_problem, bearer
from tests.features.real_estates.v1.conftest import LISTING

EVENTS = "/api/v1/admin/audit-events"
NEW_PASSWORD = "another quite long phrase"


@pytest.fixture
async def admin(make_user: MakeUser) -> User:
    return await make_user(name="Root Admin", role=Role.ADMIN)


@pytest.fixture
async def as_admin(admin: User, sign_in: MakeToken) -> dict[str, str]:
    return bearer(await sign_in(admin))


async def _events(
    client: httpx.AsyncClient, headers: dict[str, str], **params: Any
) -> list[dict[str, Any]]:
    response = await client.get(EVENTS, params=params, headers=headers)
    assert response.status_code == 200, response.text
    items: list[dict[str, Any]] = response.json()["items"]
    return items


async def test_a_password_change_is_recorded_with_the_request_it_came_from(
    client: httpx.AsyncClient, make_user: MakeUser, sign_in: MakeToken, as_admin: dict[str, str]
) -> None:
    user = await make_user()
    changed = await client.put(
        "/api/v1/users/me/password",
        json={"current_password": PASSWORD, "new_password": NEW_PASSWORD},
        headers=bearer(await sign_in(user)),
    )

    [event] = await _events(client, as_admin, target=f"user:{user.id}")

    assert changed.status_code == 204
    assert event["action"] == "password.changed"
    assert event["actor_id"] == str(user.id)
    assert event["outcome"] == "success"
    assert event["request_id"] == changed.headers["x-request-id"]
    assert event["client_address"] == "127.0.0.1"
    assert NEW_PASSWORD not in str(event)
    assert PASSWORD not in str(event)


async def test_role_changes_and_deletions_by_an_admin_name_the_admin(
    client: httpx.AsyncClient, make_user: MakeUser, admin: User, as_admin: dict[str, str]
) -> None:
    user = await make_user()
    promoted = await client.patch(
        f"/api/v1/users/{user.id}", json={"role": "admin"}, headers=as_admin
    )
    renamed = await client.patch(
        f"/api/v1/users/{user.id}", json={"name": "New Name"}, headers=as_admin
    )
    deleted = await client.delete(f"/api/v1/users/{user.id}", headers=as_admin)

    events = await _events(client, as_admin, target=f"user:{user.id}")

    assert [promoted.status_code, renamed.status_code, deleted.status_code] == [200, 200, 204]
    assert [event["action"] for event in events] == ["user.deleted", "user.role_changed"]
    assert {event["actor_id"] for event in events} == {str(admin.id)}
    assert events[1]["details"] == {"from": "collector", "to": "admin"}


async def test_an_admin_ending_someones_sessions_is_recorded(
    client: httpx.AsyncClient,
    make_user: MakeUser,
    sign_in: MakeToken,
    admin: User,
    as_admin: dict[str, str],
) -> None:
    user = await make_user()
    await sign_in(user)

    ended = await client.delete(f"/api/v1/users/{user.id}/sessions", headers=as_admin)

    [event] = await _events(client, as_admin, target=f"user:{user.id}")
    assert ended.status_code == 204
    assert event["action"] == "sessions.ended_by_admin"
    assert event["actor_id"] == str(admin.id)
    assert event["details"] == {"sessions_ended": 1}


async def test_admin_changes_to_other_peoples_listings_are_recorded_not_owners(
    client: httpx.AsyncClient,
    make_user: MakeUser,
    sign_in: MakeToken,
    admin: User,
    as_admin: dict[str, str],
) -> None:
    owner = bearer(await sign_in(await make_user()))
    created = await client.post("/api/v1/real-estates", json=LISTING, headers=owner)
    location = created.headers["location"]
    by_owner = await client.post(f"{location}/publish", headers=owner)
    by_admin = await client.post(f"{location}/archive", headers=as_admin)
    removed = await client.delete(location, headers=as_admin)

    events = await _events(client, as_admin, actor_id=str(admin.id))

    assert [by_owner.status_code, by_admin.status_code, removed.status_code] == [200, 200, 204]
    listing_id = created.json()["id"]
    assert [(event["action"], event["target"], event["details"]["change"]) for event in events] == [
        ("listing.changed_by_admin", f"listing:{listing_id}", "delete"),
        ("listing.changed_by_admin", f"listing:{listing_id}", "archived"),
    ]
    assert events[0]["details"]["owner_id"] == created.json()["owner_id"]


async def test_a_reused_refresh_token_and_the_failure_limit_are_recorded(
    app: Any,
    client: httpx.AsyncClient,
    settings: Settings,
    make_user: MakeUser,
    as_admin: dict[str, str],
) -> None:
    limits = settings.model_copy(
        update={"rate_limit_enabled": True, "sign_in_failure_limit_per_cpf": "2/minute"}
    )
    components = Components.from_settings(limits)
    app.state.components = replace(
        components, lifetimes=replace(components.lifetimes, retry=timedelta(0))
    )
    user = await make_user()
    credentials = {"cpf": user.cpf, "password": PASSWORD}
    tokens = (await client.post("/api/v1/sign-in", json=credentials)).json()
    await client.post("/api/v1/auth/refresh", json={"refresh_token": tokens["refresh_token"]})
    await client.post("/api/v1/auth/refresh", json={"refresh_token": tokens["refresh_token"]})
    for _ in range(2):
        await client.post("/api/v1/sign-in", json={**credentials, "password": "wrong guess"})

    masked = f"cpf:***.{user.cpf[3:6]}.***-**"
    reused = await _events(client, as_admin, target=f"user:{user.id}")
    limited = await _events(client, as_admin, action="sign_in.failure_limit_reached", target=masked)

    assert [(event["action"], event["outcome"]) for event in reused] == [
        ("refresh_token.reused", "session_ended")
    ]
    assert [(event["target"], event["actor_id"]) for event in limited] == [(masked, None)]
    assert user.cpf not in str(limited)


async def test_an_operator_reset_is_recorded_without_an_actor(
    client: httpx.AsyncClient,
    session: AsyncSession,
    components: Components,
    make_user: MakeUser,
    as_admin: dict[str, str],
) -> None:
    user = await make_user()
    auth = build_auth_service(Database.over(session), components)

    await auth.reset_password(cpf=user.cpf, new_password=NEW_PASSWORD)

    [event] = await _events(client, as_admin, target=f"user:{user.id}")
    assert event["action"] == "password.reset"
    assert event["actor_id"] is None
    assert event["details"] == {"by": "operator", "sessions_ended": 0}


async def test_the_trail_filters_by_time_and_comes_a_page_at_a_time(
    client: httpx.AsyncClient, make_user: MakeUser, as_admin: dict[str, str]
) -> None:
    start = datetime.now(UTC).isoformat()
    users = [await make_user() for _ in range(3)]
    for user in users:
        await client.delete(f"/api/v1/users/{user.id}", headers=as_admin)

    mine: dict[str, str | int] = {"since": start, "action": "user.deleted", "limit": 2}
    first = (await client.get(EVENTS, params=mine, headers=as_admin)).json()
    more = {**mine, "cursor": first["next_cursor"]}
    second = (await client.get(EVENTS, params=more, headers=as_admin)).json()
    future = await _events(
        client, as_admin, since=(datetime.now(UTC) + timedelta(hours=1)).isoformat()
    )
    past = await _events(client, as_admin, until="2000-01-01T00:00:00Z")

    targets = [event["target"] for event in first["items"] + second["items"]]
    assert targets == [f"user:{user.id}" for user in reversed(users)]
    assert second["next_cursor"] is None
    assert future == past == []


async def test_only_admins_read_the_trail_and_bad_filters_are_422(
    client: httpx.AsyncClient, make_user: MakeUser, sign_in: MakeToken, as_admin: dict[str, str]
) -> None:
    collector = bearer(await sign_in(await make_user()))

    forbidden = await client.get(EVENTS, headers=collector)
    anonymous = await client.get(EVENTS)
    bad_action = await client.get(EVENTS, params={"action": "nope"}, headers=as_admin)

    assert_problem(forbidden, 403, "FORBIDDEN", EVENTS)
    assert_problem(anonymous, 401, "NOT_AUTHENTICATED", EVENTS)
    assert_problem(bad_action, 422, "VALIDATION_ERROR", EVENTS)


async def test_the_database_refuses_to_change_an_event(session: AsyncSession) -> None:
    event = AuditEvent(action="user.deleted", target="user:x", outcome="success")
    session.add(event)
    await session.flush()

    with pytest.raises(DBAPIError, match="append-only"):
        async with session.begin_nested():
            await session.execute(text("UPDATE audit_events SET outcome = 'forged'"))


async def test_purge_removes_only_events_past_the_retention(
    session: AsyncSession, components: Components
) -> None:
    old = AuditEvent(
        action="user.deleted",
        target="user:old",
        outcome="success",
        occurred_at=datetime.now(UTC) - timedelta(days=400),
    )
    recent = AuditEvent(action="user.deleted", target="user:recent", outcome="success")
    session.add_all([old, recent])
    await session.flush()

    purged = await build_audit_service(Database.over(session), components).purge()

    assert purged >= 1
    assert await session.get(AuditEvent, old.id, populate_existing=True) is None
    assert await session.get(AuditEvent, recent.id) is not None
    assert isinstance(recent.id, UUID)
