"""Session management in SessionService and AuthService, against a real PostgreSQL."""

from dataclasses import replace
from datetime import timedelta
from uuid import uuid4

import pytest
from result import Err, Ok
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from app.core.config.db.database import Database
from app.features.auth.exceptions import SessionNotFound
from app.features.auth.model import AuthSession, RefreshToken
from app.features.auth.service import AuthService, Principal, TokenPair
from app.features.auth.sessions import SessionService
from app.features.users.exceptions import PasswordRejected, UserNotFound
from app.features.users.model import User
from app.wiring import Components, build_auth_service, build_session_service
from tests.conftest import PASSWORD, MakeUser, cpf_from_seed

NEW_PASSWORD = "another quite long phrase"


def _components(components: Components, **lifetimes: timedelta) -> Components:
    return replace(components, lifetimes=replace(components.lifetimes, **lifetimes))


@pytest.fixture
def auth(session: AsyncSession, components: Components) -> AuthService:
    return build_auth_service(Database.over(session), components)


@pytest.fixture
def sessions(session: AsyncSession, components: Components) -> SessionService:
    return build_session_service(Database.over(session), components)


async def _pair(auth: AuthService, user: User, password: str = PASSWORD) -> TokenPair:
    result = await auth.sign_in(cpf=user.cpf, password=password)
    assert isinstance(result, Ok), result
    return result.ok_value


async def _principal(auth: AuthService, pair: TokenPair) -> Principal:
    return (await auth.authenticate(pair.access.token)).unwrap()


async def _live(auth: AuthService, pair: TokenPair) -> bool:
    return isinstance(await auth.authenticate(pair.access.token), Ok)


async def test_my_sessions_are_the_live_ones_newest_first_a_page_at_a_time(
    auth: AuthService, sessions: SessionService, make_user: MakeUser
) -> None:
    user, stranger = await make_user(), await make_user()
    pairs = [await _pair(auth, user) for _ in range(3)]
    ended = await _pair(auth, user)
    await auth.sign_out(ended.refresh_token)
    await _pair(auth, stranger)
    me = await _principal(auth, pairs[-1])

    first = (await sessions.list_mine(me, limit=2, cursor=None)).unwrap()
    second = (await sessions.list_mine(me, limit=2, cursor=first.next_cursor)).unwrap()

    expected = [(await _principal(auth, pair)).session_id for pair in reversed(pairs)]
    assert [item.id for item in first.items + second.items] == expected
    assert first.next_cursor is not None
    assert second.next_cursor is None


async def test_expired_sessions_are_not_listed(
    auth: AuthService, session: AsyncSession, components: Components, make_user: MakeUser
) -> None:
    me = await _principal(auth, await _pair(auth, await make_user()))
    expired = build_session_service(
        Database.over(session), _components(components, idle=timedelta(0))
    )

    page = (await expired.list_mine(me, limit=10, cursor=None)).unwrap()

    assert page.items == []


async def test_a_cursor_of_another_user_is_refused(
    auth: AuthService, sessions: SessionService, make_user: MakeUser
) -> None:
    mine = [await _pair(auth, await make_user()) for _ in range(1)]
    user = await make_user()
    theirs = [await _pair(auth, user) for _ in range(2)]
    their_page = await sessions.list_mine(await _principal(auth, theirs[0]), limit=1, cursor=None)

    result = await sessions.list_mine(
        await _principal(auth, mine[0]), limit=1, cursor=their_page.unwrap().next_cursor
    )

    assert isinstance(result, Err)


async def test_ending_one_of_my_sessions_signs_that_device_out_only(
    auth: AuthService, sessions: SessionService, make_user: MakeUser
) -> None:
    user = await make_user()
    phone, laptop = await _pair(auth, user), await _pair(auth, user)
    me = await _principal(auth, laptop)
    phone_id = (await _principal(auth, phone)).session_id

    assert await sessions.end_mine(me, phone_id) == Ok(None)

    assert not await _live(auth, phone)
    assert await _live(auth, laptop)
    again = await sessions.end_mine(me, phone_id)
    assert isinstance(again, Err)
    assert isinstance(again.err_value, SessionNotFound)


async def test_nobody_ends_someone_elses_session_through_their_own(
    auth: AuthService, sessions: SessionService, make_user: MakeUser
) -> None:
    victim = await _pair(auth, await make_user())
    attacker = await _principal(auth, await _pair(auth, await make_user()))

    result = await sessions.end_mine(attacker, (await _principal(auth, victim)).session_id)
    unknown = await sessions.end_mine(attacker, uuid4())

    assert isinstance(result, Err)
    assert isinstance(unknown, Err)
    assert await _live(auth, victim)


async def test_ending_my_other_sessions_keeps_this_one(
    auth: AuthService, sessions: SessionService, make_user: MakeUser
) -> None:
    user = await make_user()
    others = [await _pair(auth, user) for _ in range(2)]
    mine = await _pair(auth, user)

    assert await sessions.end_others(await _principal(auth, mine)) == Ok(2)

    assert await _live(auth, mine)
    assert not any([await _live(auth, pair) for pair in others])


async def test_an_admin_ends_every_session_of_a_user(
    auth: AuthService, sessions: SessionService, make_user: MakeUser
) -> None:
    user = await make_user()
    pairs = [await _pair(auth, user) for _ in range(2)]

    assert await sessions.end_all_of(user.id) == Ok(2)
    missing = await sessions.end_all_of(uuid4())

    assert not any([await _live(auth, pair) for pair in pairs])
    assert isinstance(missing, Err)
    assert isinstance(missing.err_value, UserNotFound)


async def _count(session: AsyncSession, model: type[AuthSession] | type[RefreshToken]) -> int:
    return int(await session.scalar(select(func.count()).select_from(model)) or 0)


async def test_purge_deletes_ended_and_expired_sessions_with_their_tokens(
    auth: AuthService, session: AsyncSession, components: Components, make_user: MakeUser
) -> None:
    live, ended = await make_user(), await make_user()
    kept = await _pair(auth, live)
    gone = await _pair(auth, ended)
    await auth.refresh(gone.refresh_token)
    await auth.sign_out(gone.refresh_token)
    before = await _count(session, AuthSession), await _count(session, RefreshToken)

    purged = await build_session_service(Database.over(session), components).purge()

    assert purged >= 1
    after = await _count(session, AuthSession), await _count(session, RefreshToken)
    assert after[0] == before[0] - purged
    assert after[1] <= before[1] - 2  # both tokens of the ended session
    assert await _live(auth, kept)
    expiring = build_session_service(
        Database.over(session), _components(components, absolute=timedelta(0))
    )
    assert await expiring.purge() >= 1
    assert not await _live(auth, kept)


async def test_a_sign_in_clears_away_the_users_ended_sessions(
    auth: AuthService, session: AsyncSession, make_user: MakeUser
) -> None:
    user = await make_user()
    ended = await _pair(auth, user)
    await auth.sign_out(ended.refresh_token)

    await _pair(auth, user)

    rows = (await session.scalars(select(AuthSession).where(AuthSession.user_id == user.id))).all()
    assert [row.revoked_at for row in rows] == [None]


async def test_an_operator_reset_sets_the_password_and_ends_every_session(
    auth: AuthService, make_user: MakeUser
) -> None:
    user = await make_user()
    pairs = [await _pair(auth, user) for _ in range(2)]

    assert await auth.reset_password(cpf=user.cpf, new_password=NEW_PASSWORD) == Ok(2)

    assert not any([await _live(auth, pair) for pair in pairs])
    assert isinstance(await auth.sign_in(cpf=user.cpf, password=PASSWORD), Err)
    await _pair(auth, user, NEW_PASSWORD)


@pytest.mark.parametrize(
    ("known", "password", "error"),
    [(False, NEW_PASSWORD, UserNotFound), (True, "password", PasswordRejected)],
    ids=["unknown-cpf", "weak-password"],
)
async def test_a_reset_is_refused_for_an_unknown_cpf_or_a_weak_password(
    auth: AuthService, make_user: MakeUser, known: bool, password: str, error: type[Exception]
) -> None:
    user = await make_user()
    pair = await _pair(auth, user)

    result = await auth.reset_password(
        cpf=user.cpf if known else cpf_from_seed(8181), new_password=password
    )

    assert isinstance(result, Err)
    assert isinstance(result.err_value, error)
    assert await _live(auth, pair)
