"""Data access of sign-in sessions, against a real PostgreSQL."""

from datetime import datetime
from uuid import UUID, uuid4

import pytest
from result import Err, Ok
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from app.core.config.db.database import Database
from app.core.errors.catalogue import InvalidToken
from app.features.auth.model import AuthSession
from app.features.auth.repository import AuthSessionRepository
from tests.conftest import MakeUser


@pytest.fixture
def sessions(session: AsyncSession) -> AuthSessionRepository:
    return AuthSessionRepository(Database.over(session))


async def _revoked_at(session: AsyncSession, session_id: UUID) -> datetime | None:
    return await session.scalar(select(AuthSession.revoked_at).where(AuthSession.id == session_id))


async def test_add_stores_a_live_session_for_the_user(
    sessions: AuthSessionRepository, session: AsyncSession, make_user: MakeUser
) -> None:
    user = await make_user()

    added = await sessions.add(AuthSession(user_id=user.id))

    row = (
        await session.execute(
            select(AuthSession.user_id, AuthSession.created_at, AuthSession.revoked_at).where(
                AuthSession.id == added.id
            )
        )
    ).one()
    assert row.user_id == user.id
    assert row.created_at.tzinfo is not None
    assert row.revoked_at is None


async def test_active_user_returns_the_owner_of_a_live_session(
    sessions: AuthSessionRepository, make_user: MakeUser
) -> None:
    user = await make_user(name="Session Owner")
    live = await sessions.add(AuthSession(user_id=user.id))

    found = await sessions.active_user(user_id=user.id, session_id=live.id)

    assert isinstance(found, Ok)
    assert found.ok_value.id == user.id
    assert found.ok_value.name == "Session Owner"


async def test_active_user_refuses_a_revoked_session(
    sessions: AuthSessionRepository, make_user: MakeUser
) -> None:
    user = await make_user()
    ended = await sessions.add(AuthSession(user_id=user.id))
    await sessions.revoke_all(user.id)

    found = await sessions.active_user(user_id=user.id, session_id=ended.id)

    assert isinstance(found, Err)
    assert isinstance(found.err_value, InvalidToken)
    assert "ended" in found.err_value.detail


async def test_active_user_refuses_an_unknown_session(
    sessions: AuthSessionRepository, make_user: MakeUser
) -> None:
    user = await make_user()
    await sessions.add(AuthSession(user_id=user.id))

    found = await sessions.active_user(user_id=user.id, session_id=uuid4())

    assert isinstance(found, Err)
    assert isinstance(found.err_value, InvalidToken)


async def test_active_user_refuses_the_session_of_another_user(
    sessions: AuthSessionRepository, make_user: MakeUser
) -> None:
    owner = await make_user(name="The Owner")
    intruder = await make_user(name="The Intruder")
    owners_session = await sessions.add(AuthSession(user_id=owner.id))

    found = await sessions.active_user(user_id=intruder.id, session_id=owners_session.id)

    assert isinstance(found, Err)
    assert isinstance(found.err_value, InvalidToken)


async def test_revoke_all_ends_every_live_session_and_counts_them(
    sessions: AuthSessionRepository, session: AsyncSession, make_user: MakeUser
) -> None:
    user = await make_user()
    bystander = await make_user(name="Bystander")
    first = await sessions.add(AuthSession(user_id=user.id))
    second = await sessions.add(AuthSession(user_id=user.id))
    untouched = await sessions.add(AuthSession(user_id=bystander.id))

    ended = await sessions.revoke_all(user.id)

    assert ended == 2
    assert await _revoked_at(session, first.id) is not None
    assert await _revoked_at(session, second.id) is not None
    assert await _revoked_at(session, untouched.id) is None


async def test_revoke_all_spares_the_excepted_session(
    sessions: AuthSessionRepository, session: AsyncSession, make_user: MakeUser
) -> None:
    user = await make_user()
    current = await sessions.add(AuthSession(user_id=user.id))
    others = [await sessions.add(AuthSession(user_id=user.id)) for _ in range(3)]

    ended = await sessions.revoke_all(user.id, except_id=current.id)

    assert ended == 3
    assert await _revoked_at(session, current.id) is None
    for other in others:
        assert await _revoked_at(session, other.id) is not None
    still_active = await sessions.active_user(user_id=user.id, session_id=current.id)
    assert isinstance(still_active, Ok)


async def test_revoke_all_does_not_count_sessions_that_had_already_ended(
    sessions: AuthSessionRepository, make_user: MakeUser
) -> None:
    user = await make_user()
    await sessions.add(AuthSession(user_id=user.id))
    await sessions.revoke_all(user.id)
    await sessions.add(AuthSession(user_id=user.id))

    ended = await sessions.revoke_all(user.id)

    assert ended == 1
    assert await sessions.revoke_all(user.id) == 0
