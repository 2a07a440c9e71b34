"""Credential use cases of AuthService, against a real PostgreSQL."""

from collections.abc import Callable
from dataclasses import replace
from datetime import UTC, datetime, timedelta

import argon2
import pytest
from result import Err, Ok
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from app.core.config.auth.jwt import AccessTokenCodec
from app.core.config.db.database import Database
from app.core.config.settings import Settings
from app.core.errors.catalogue import InvalidToken
from app.features.auth.exceptions import InvalidCredentials, InvalidCurrentPassword
from app.features.auth.model import AuthSession
from app.features.auth.repository import AuthSessionRepository
from app.features.auth.service import AuthService, Principal
from app.features.shared.utils.password_hasher import CorruptPasswordHash, PasswordHasher
from app.features.users.exceptions import PasswordRejected
from app.features.users.model import User
from app.wiring import Components, build_auth_service
from tests.conftest import PASSWORD, TEST_JWT_SECRET, MakeUser, cpf_from_seed

NEW_PASSWORD = "another quite long phrase"


@pytest.fixture
def auth_service(session: AsyncSession, components: Components) -> AuthService:
    return build_auth_service(Database.over(session), components)


def _codec(
    settings: Settings, *, secret: str = TEST_JWT_SECRET, hours_ago: int = 0
) -> AccessTokenCodec:
    """A codec like the app's, optionally with another secret or a clock in the past."""
    return AccessTokenCodec(
        secret=secret,
        algorithm=settings.jwt_algorithm,
        issuer=settings.jwt_issuer,
        audience=settings.jwt_audience,
        ttl=timedelta(seconds=settings.access_token_ttl_seconds),
        clock=lambda: datetime.now(UTC) - timedelta(hours=hours_ago),
    )


async def _signed_in(auth_service: AuthService, user: User, password: str = PASSWORD) -> str:
    result = await auth_service.sign_in(cpf=user.cpf, password=password)
    assert isinstance(result, Ok), result
    return result.ok_value.access.token


async def _principal(auth_service: AuthService, token: str) -> Principal:
    result = await auth_service.authenticate(token)
    assert isinstance(result, Ok), result
    return result.ok_value


async def test_sign_in_issues_a_token_bound_to_a_new_session_of_the_user(
    auth_service: AuthService, components: Components, session: AsyncSession, make_user: MakeUser
) -> None:
    user = await make_user()

    result = await auth_service.sign_in(cpf=user.cpf, password=PASSWORD)

    assert isinstance(result, Ok)
    assert result.ok_value.access.expires_in == 900
    claims = components.tokens.decode(result.ok_value.access.token)
    assert isinstance(claims, Ok)
    assert claims.ok_value.user_id == user.id
    owner = await session.scalar(
        select(AuthSession.user_id).where(AuthSession.id == claims.ok_value.session_id)
    )
    assert owner == user.id


async def test_sign_in_accepts_a_formatted_cpf(
    auth_service: AuthService, make_user: MakeUser
) -> None:
    user = await make_user()
    formatted = f"{user.cpf[:3]}.{user.cpf[3:6]}.{user.cpf[6:9]}-{user.cpf[9:]}"

    result = await auth_service.sign_in(cpf=formatted, password=PASSWORD)

    assert isinstance(result, Ok)


@pytest.mark.parametrize(
    ("cpf", "password"),
    [
        pytest.param(cpf_from_seed(777_777), PASSWORD, id="unknown-cpf"),
        pytest.param(None, "not the right password", id="wrong-password"),
        pytest.param("123.456", PASSWORD, id="malformed-cpf"),
    ],
)
async def test_sign_in_refuses_bad_credentials_with_one_answer(
    auth_service: AuthService, make_user: MakeUser, cpf: str | None, password: str
) -> None:
    user = await make_user()

    result = await auth_service.sign_in(cpf=cpf or user.cpf, password=password)

    assert result == Err(InvalidCredentials())


async def test_sign_in_rehashes_a_password_stored_with_weaker_parameters(
    auth_service: AuthService, session: AsyncSession, make_user: MakeUser
) -> None:
    user = await make_user()
    weak_hash = argon2.PasswordHasher(memory_cost=8192, time_cost=1).hash(PASSWORD)
    user.password_hash = weak_hash
    await session.flush()

    result = await auth_service.sign_in(cpf=user.cpf, password=PASSWORD)

    assert isinstance(result, Ok)
    stored = await session.scalar(select(User.password_hash).where(User.id == user.id))
    assert stored is not None
    assert stored != weak_hash
    assert "m=19456,t=2" in stored
    assert argon2.PasswordHasher().verify(stored, PASSWORD)


@pytest.mark.parametrize("known", [True, False], ids=["known-cpf", "unknown-cpf"])
async def test_sign_in_holds_no_transaction_while_the_password_is_checked(
    session: AsyncSession, components: Components, make_user: MakeUser, known: bool
) -> None:
    user = await make_user()
    in_transaction_during_verify: list[bool] = []

    class Watching(PasswordHasher):
        async def verify(self, password_hash: str, password: str) -> bool:
            in_transaction_during_verify.append(session.in_transaction())
            return await super().verify(password_hash, password)

    hasher = Watching(memory_kib=19_456, time_cost=2, parallelism=1)
    auth = build_auth_service(Database.over(session), replace(components, hasher=hasher))

    result = await auth.sign_in(cpf=user.cpf if known else cpf_from_seed(4242), password=PASSWORD)

    assert isinstance(result, Ok) is known
    assert in_transaction_during_verify == [False]


async def test_sign_in_with_a_corrupt_stored_hash_raises_instead_of_refusing_quietly(
    auth_service: AuthService, session: AsyncSession, make_user: MakeUser
) -> None:
    user = await make_user()
    user.password_hash = "$argon2id$v=19$m=19456,t=2,p=1$truncated"
    await session.flush()

    with pytest.raises(CorruptPasswordHash):
        await auth_service.sign_in(cpf=user.cpf, password=PASSWORD)

    sessions = await session.scalars(select(AuthSession).where(AuthSession.user_id == user.id))
    assert sessions.all() == []


async def test_authenticate_returns_the_user_and_session_of_a_valid_token(
    auth_service: AuthService, components: Components, make_user: MakeUser
) -> None:
    user = await make_user()
    token = await _signed_in(auth_service, user)

    result = await auth_service.authenticate(token)

    assert isinstance(result, Ok)
    claims = components.tokens.decode(token)
    assert isinstance(claims, Ok)
    assert result.ok_value.user.id == user.id
    assert result.ok_value.session_id == claims.ok_value.session_id


async def test_authenticate_refuses_an_expired_token(
    auth_service: AuthService, settings: Settings, make_user: MakeUser
) -> None:
    user = await make_user()
    live = await _principal(auth_service, await _signed_in(auth_service, user))
    expired = _codec(settings, hours_ago=2).issue(user_id=user.id, session_id=live.session_id)

    result = await auth_service.authenticate(expired.token)

    assert isinstance(result, Err)
    assert isinstance(result.err_value, InvalidToken)
    assert "expired" in result.err_value.detail


async def test_authenticate_refuses_a_token_signed_with_another_secret(
    auth_service: AuthService, settings: Settings, make_user: MakeUser
) -> None:
    user = await make_user()
    live = await _principal(auth_service, await _signed_in(auth_service, user))
    forged = _codec(settings, secret="x" * 48).issue(user_id=user.id, session_id=live.session_id)

    result = await auth_service.authenticate(forged.token)

    assert result == Err(InvalidToken())


async def test_authenticate_refuses_a_token_of_a_revoked_session(
    auth_service: AuthService, session: AsyncSession, make_user: MakeUser
) -> None:
    user = await make_user()
    token = await _signed_in(auth_service, user)
    await AuthSessionRepository(Database.over(session)).revoke_all(user.id)

    result = await auth_service.authenticate(token)

    assert isinstance(result, Err)
    assert isinstance(result.err_value, InvalidToken)
    assert "session" in result.err_value.detail


async def test_change_password_needs_the_current_password(
    auth_service: AuthService, session: AsyncSession, make_user: MakeUser
) -> None:
    user = await make_user()
    principal = await _principal(auth_service, await _signed_in(auth_service, user))
    before = user.password_hash

    result = await auth_service.change_password(
        principal, current_password="not my password", new_password=NEW_PASSWORD
    )

    assert result == Err(InvalidCurrentPassword())
    stored = await session.scalar(select(User.password_hash).where(User.id == user.id))
    assert stored == before


@pytest.mark.parametrize(
    "new_password",
    [
        pytest.param(lambda user: "short", id="too-short"),
        pytest.param(lambda user: "password", id="common"),
        pytest.param(lambda user: user.cpf, id="the-cpf"),
    ],
)
async def test_change_password_refuses_a_password_the_policy_rejects(
    auth_service: AuthService, make_user: MakeUser, new_password: Callable[[User], str]
) -> None:
    user = await make_user()
    principal = await _principal(auth_service, await _signed_in(auth_service, user))

    result = await auth_service.change_password(
        principal, current_password=PASSWORD, new_password=new_password(user)
    )

    assert isinstance(result, Err)
    assert isinstance(result.err_value, PasswordRejected)
    assert await _signed_in(auth_service, user)


async def test_change_password_ends_the_other_sessions_but_keeps_the_current_one(
    auth_service: AuthService, make_user: MakeUser
) -> None:
    user = await make_user()
    current_token = await _signed_in(auth_service, user)
    other_token = await _signed_in(auth_service, user)
    principal = await _principal(auth_service, current_token)

    result = await auth_service.change_password(
        principal, current_password=PASSWORD, new_password=NEW_PASSWORD
    )

    assert result == Ok(None)
    assert isinstance(await auth_service.authenticate(current_token), Ok)
    assert await auth_service.authenticate(other_token) == Err(
        InvalidToken("The session of this token has ended; sign in again.")
    )


async def test_change_password_makes_only_the_new_password_work_for_sign_in(
    auth_service: AuthService, make_user: MakeUser
) -> None:
    user = await make_user()
    principal = await _principal(auth_service, await _signed_in(auth_service, user))

    await auth_service.change_password(
        principal, current_password=PASSWORD, new_password=NEW_PASSWORD
    )

    with_new = await auth_service.sign_in(cpf=user.cpf, password=NEW_PASSWORD)
    with_old = await auth_service.sign_in(cpf=user.cpf, password=PASSWORD)
    assert isinstance(with_new, Ok)
    assert with_old == Err(InvalidCredentials())
