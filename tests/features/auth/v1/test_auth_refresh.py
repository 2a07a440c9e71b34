"""Refresh tokens and sign-out in AuthService: rotation, reuse, lifetimes, against PostgreSQL."""

import asyncio
import hashlib
from collections.abc import AsyncIterator, Iterator
from dataclasses import replace
from datetime import timedelta

import pytest
from result import Err, Ok
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, create_async_engine
from sqlalchemy.pool import NullPool

from app.core.config.db.database import Database
from app.core.errors.catalogue import InvalidToken
from app.features.auth.exceptions import InvalidRefreshToken
from app.features.auth.model import AuthSession, RefreshToken
from app.features.auth.service import AuthService, Client, TokenPair
from app.features.users.model import User
from app.wiring import Components, build_auth_service, build_user_service
from tests.conftest import PASSWORD, MakeUser, cpf_from_seed
from tests.database import migrated_database

NEW_PASSWORD = "another quite long phrase"


def _service(session: AsyncSession, components: Components, **lifetimes: timedelta) -> AuthService:
    changed = replace(components, lifetimes=replace(components.lifetimes, **lifetimes))
    return build_auth_service(Database.over(session), changed)


@pytest.fixture
def auth(session: AsyncSession, components: Components) -> AuthService:
    return _service(session, components)


async def _pair(auth: AuthService, user: User, client: Client | None = None) -> TokenPair:
    result = await auth.sign_in(cpf=user.cpf, password=PASSWORD, client=client or Client())
    assert isinstance(result, Ok), result
    return result.ok_value


async def _refreshed(auth: AuthService, refresh_token: str) -> TokenPair:
    result = await auth.refresh(refresh_token)
    assert isinstance(result, Ok), result
    return result.ok_value


async def _session_of(auth: AuthService, session: AsyncSession, pair: TokenPair) -> AuthSession:
    principal = await auth.authenticate(pair.access.token)
    assert isinstance(principal, Ok), principal
    auth_session = await session.get(AuthSession, principal.ok_value.session_id)
    assert auth_session is not None
    return auth_session


async def _ended(auth: AuthService, access_token: str) -> bool:
    return isinstance(await auth.authenticate(access_token), Err)


async def test_sign_in_stores_only_the_digest_of_a_long_random_refresh_token(
    auth: AuthService, session: AsyncSession, make_user: MakeUser
) -> None:
    user = await make_user()

    pair = await _pair(auth, user, Client(address="203.0.113.9", user_agent="Phone/1.0 " * 40))

    assert len(pair.refresh_token) >= 43  # 32 random bytes, URL-safe base64
    auth_session = await _session_of(auth, session, pair)
    [token] = (
        await session.scalars(
            select(RefreshToken).where(RefreshToken.session_id == auth_session.id)
        )
    ).all()
    assert token.digest == hashlib.sha256(pair.refresh_token.encode()).digest()
    assert token.spent_at is None
    assert auth_session.client_address == "203.0.113.9"
    assert auth_session.user_agent is not None
    assert len(auth_session.user_agent) == 200


async def test_a_refresh_spends_the_token_and_continues_the_same_session(
    auth: AuthService, session: AsyncSession, make_user: MakeUser
) -> None:
    user = await make_user()
    first = await _pair(auth, user)
    before = await _session_of(auth, session, first)

    second = await _refreshed(auth, first.refresh_token)

    assert second.refresh_token != first.refresh_token
    assert (await _session_of(auth, session, second)).id == before.id
    spent = await session.get(RefreshToken, hashlib.sha256(first.refresh_token.encode()).digest())
    assert spent is not None
    assert spent.spent_at is not None
    third = await _refreshed(auth, second.refresh_token)
    assert not await _ended(auth, third.access.token)


async def test_a_spent_token_presented_again_ends_the_whole_session(
    session: AsyncSession, components: Components, make_user: MakeUser
) -> None:
    auth = _service(session, components, retry=timedelta(0))
    user = await make_user()
    first = await _pair(auth, user)
    second = await _refreshed(auth, first.refresh_token)

    replayed = await auth.refresh(first.refresh_token)

    assert isinstance(replayed, Err)
    assert isinstance(replayed.err_value, InvalidRefreshToken)
    assert "ended" in replayed.err_value.detail
    assert await _ended(auth, second.access.token)
    newest = await auth.refresh(second.refresh_token)
    assert isinstance(newest, Err)


async def test_a_spent_token_retried_at_once_is_refused_but_the_session_goes_on(
    auth: AuthService, make_user: MakeUser
) -> None:
    user = await make_user()
    first = await _pair(auth, user)
    second = await _refreshed(auth, first.refresh_token)

    retried = await auth.refresh(first.refresh_token)

    assert isinstance(retried, Err)
    assert isinstance(retried.err_value, InvalidRefreshToken)
    assert not await _ended(auth, second.access.token)
    await _refreshed(auth, second.refresh_token)


@pytest.mark.parametrize("lifetime", ["idle", "absolute"])
async def test_a_session_past_its_lifetime_cannot_be_refreshed_and_ends(
    session: AsyncSession, components: Components, make_user: MakeUser, lifetime: str
) -> None:
    signing_in = _service(session, components)
    pair = await _pair(signing_in, await make_user())
    expired = _service(session, components, **{lifetime: timedelta(0)})

    result = await expired.refresh(pair.refresh_token)

    assert isinstance(result, Err)
    assert "expired" in result.err_value.detail
    assert await _ended(signing_in, pair.access.token)


async def test_tokens_are_not_interchangeable(auth: AuthService, make_user: MakeUser) -> None:
    pair = await _pair(auth, await make_user())

    as_access = await auth.authenticate(pair.refresh_token)
    as_refresh = await auth.refresh(pair.access.token)

    assert isinstance(as_access, Err)
    assert isinstance(as_access.err_value, InvalidToken)
    assert isinstance(as_refresh, Err)
    assert isinstance(as_refresh.err_value, InvalidRefreshToken)
    assert not await _ended(auth, pair.access.token)


async def test_sign_out_ends_the_session_and_is_idempotent(
    auth: AuthService, make_user: MakeUser
) -> None:
    user = await make_user()
    pair = await _pair(auth, user)
    other = await _pair(auth, user)

    assert await auth.sign_out(pair.refresh_token) == Ok(None)
    assert await auth.sign_out(pair.refresh_token) == Ok(None)
    assert await auth.sign_out("never issued") == Ok(None)

    assert await _ended(auth, pair.access.token)
    assert isinstance(await auth.refresh(pair.refresh_token), Err)
    assert not await _ended(auth, other.access.token)


async def test_a_password_change_ends_the_other_sessions_refresh_tokens_too(
    auth: AuthService, make_user: MakeUser
) -> None:
    user = await make_user()
    mine = await _pair(auth, user)
    other = await _pair(auth, user)
    principal = (await auth.authenticate(mine.access.token)).unwrap()

    changed = await auth.change_password(
        principal, current_password=PASSWORD, new_password=NEW_PASSWORD
    )

    assert changed == Ok(None)
    assert isinstance(await auth.refresh(other.refresh_token), Err)
    await _refreshed(auth, mine.refresh_token)


async def test_a_deleted_account_cannot_refresh(
    auth: AuthService, session: AsyncSession, components: Components, make_user: MakeUser
) -> None:
    user = await make_user()
    pair = await _pair(auth, user)

    deleted = await build_user_service(Database.over(session), components).delete(user.id)

    assert isinstance(deleted, Ok)
    assert isinstance(await auth.refresh(pair.refresh_token), Err)


# --- two requests at once, on two connections ------------------------------------------------


@pytest.fixture
def scratch_url(server_url: str) -> Iterator[str]:
    with migrated_database(server_url) as url:
        yield url


@pytest.fixture
async def sessions(scratch_url: str) -> AsyncIterator[tuple[AsyncSession, AsyncSession]]:
    engine = create_async_engine(scratch_url, poolclass=NullPool)
    try:
        async with (
            AsyncSession(engine, expire_on_commit=False) as first,
            AsyncSession(engine, expire_on_commit=False) as second,
        ):
            yield first, second
    finally:
        await engine.dispose()


async def test_two_concurrent_refreshes_with_one_token_give_exactly_one_pair(
    sessions: tuple[AsyncSession, AsyncSession], components: Components
) -> None:
    first, second = sessions
    users = build_user_service(Database.over(first), components)
    signed_up = await users.sign_up(name="Ana Lima", cpf=cpf_from_seed(77), password=PASSWORD)
    user = signed_up.unwrap()
    pair = await _pair(build_auth_service(Database.over(first), components), user)

    results = await asyncio.gather(
        build_auth_service(Database.over(first), components).refresh(pair.refresh_token),
        build_auth_service(Database.over(second), components).refresh(pair.refresh_token),
    )

    winners = [result.ok_value for result in results if isinstance(result, Ok)]
    assert len(winners) == 1, results
    assert sum(isinstance(result, Err) for result in results) == 1
    # The loser was a retry, not a theft: the winner's tokens go on working.
    await second.rollback()
    follow_up = build_auth_service(Database.over(second), components)
    assert isinstance(await follow_up.authenticate(winners[0].access.token), Ok)
    assert isinstance(await follow_up.refresh(winners[0].refresh_token), Ok)
