"""Credential use cases: sign-in, token authentication and password changes."""

import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Never
from uuid import UUID

from result import Err, Ok, Result

from app.core.config.auth.jwt import AccessToken, AccessTokenCodec
from app.core.config.logging import mask_cpf
from app.core.config.ratelimit import Policy, RateLimiter
from app.core.errors.catalogue import InvalidToken, TooManyRequests
from app.features.audit.model import AuditAction
from app.features.audit.repository import AuditRepository
from app.features.auth.exceptions import (
    InvalidCredentials,
    InvalidCurrentPassword,
    InvalidRefreshToken,
)
from app.features.auth.model import MAX_USER_AGENT_LENGTH, AuthSession
from app.features.auth.refresh import SessionLifetimes, digest_of, new_refresh_token
from app.features.auth.repository import AuthSessionRepository
from app.features.shared.cpf import normalize_cpf
from app.features.shared.timestamps import utcnow
from app.features.shared.unit_of_work import UnitOfWork
from app.features.shared.utils.password_hasher import PasswordHasher
from app.features.users.exceptions import PasswordRejected, UserNotFound
from app.features.users.model import User
from app.features.users.passwords import PasswordPolicy
from app.features.users.repository import UserRepository

security_logger = logging.getLogger("app.security")

_TOO_MANY_FAILURES = (
    "Too many failed sign-ins for this CPF from this address; retry after `Retry-After` seconds."
)


@dataclass(frozen=True)
class Client:
    """Where a sign-in comes from, as the sessions list shows it."""

    address: str | None = None
    user_agent: str | None = None


@dataclass(frozen=True)
class TokenPair:
    """What a sign-in or a refresh hands out: an access token and the next refresh token."""

    access: AccessToken
    refresh_token: str


@dataclass(frozen=True)
class Principal:
    """Who is calling: the user and the sign-in session their token belongs to."""

    user: User
    session_id: UUID


class AuthService:
    """Credential use cases. Every successful write commits once, as its last step."""

    def __init__(
        self,
        *,
        uow: UnitOfWork,
        users: UserRepository,
        sessions: AuthSessionRepository,
        hasher: PasswordHasher,
        passwords: PasswordPolicy,
        tokens: AccessTokenCodec,
        lifetimes: SessionLifetimes,
        limiter: RateLimiter,
        failure_limit: Policy,
        audit: AuditRepository,
        clock: Callable[[], datetime] = utcnow,
    ) -> None:
        self._audit = audit
        self._uow = uow
        self._users = users
        self._sessions = sessions
        self._hasher = hasher
        self._passwords = passwords
        self._tokens = tokens
        self._lifetimes = lifetimes
        self._limiter = limiter
        self._failure_limit = failure_limit
        self._clock = clock

    async def sign_in(
        self, *, cpf: str, password: str, client: Client = Client()
    ) -> Result[TokenPair, InvalidCredentials | TooManyRequests]:
        """Open a session for the holder of `cpf` and `password`, on `client`'s device.

        `cpf` is taken as typed: a malformed one cannot belong to an account, so it
        gets the same 401 `INVALID_CREDENTIALS` as an unknown CPF or a wrong password
        (not a 422). One answer, in about the same time, for every failed sign-in
        tells a guesser nothing, and OAuth2 clients expect `invalid_grant` there.
        Unknown CPFs still spend a password verification for the same reason.

        Failures count per CPF and client address: past the failure limit, that
        address gets 429 for that CPF, without a verification, until a window has room.
        Other addresses (the owner's) are not affected.
        """
        attempt = (normalize_cpf(cpf) or "malformed", client.address or "unknown")
        throttled = await self._limiter.check(self._failure_limit, *attempt)
        if not throttled.allowed:
            return Err(TooManyRequests(_TOO_MANY_FAILURES, headers=throttled.headers))
        user = await self._verified_user(cpf, password)
        if user is None:
            counted = await self._limiter.hit(self._failure_limit, *attempt)
            if counted.known and counted.remaining == 0:
                await self._record_failure_limit(attempt[0])
            return Err(InvalidCredentials())
        return Ok(await self._open_session(user, client))

    async def refresh(self, refresh_token: str) -> Result[TokenPair, InvalidRefreshToken]:
        """Spend a refresh token for a new pair, within the same session.

        A token that was already spent is either a client's retry (within the retry
        window: refused, nothing else happens) or a copy in someone else's hands: then
        the whole session ends, whoever holds its current token, and a security event
        is logged.
        """
        digest = digest_of(refresh_token)
        now = self._clock()
        session_id = await self._sessions.spend_refresh_token(digest, at=now)
        if session_id is None:
            return await self._refuse_refresh(digest, now)
        auth_session = await self._sessions.get(session_id)
        if auth_session is None or auth_session.revoked_at is not None:
            return Err(InvalidRefreshToken("The session has ended; sign in again."))
        if self._lifetimes.expired(auth_session, now):
            await self._sessions.revoke(session_id, at=now)
            await self._uow.commit()
            return Err(InvalidRefreshToken("The session has expired; sign in again."))
        auth_session.refreshed_at = now
        pair = await self._issue(auth_session)
        await self._uow.commit()
        return Ok(pair)

    async def sign_out(self, refresh_token: str) -> Result[None, Never]:
        """End the session of a refresh token, spent or not; nothing happens for others."""
        token = await self._sessions.refresh_token(digest_of(refresh_token))
        if token is not None and await self._sessions.revoke(token.session_id, at=self._clock()):
            await self._uow.commit()
        return Ok(None)

    async def authenticate(self, token: str) -> Result[Principal, InvalidToken]:
        """The principal behind an access token, if the token and its session are valid."""
        claims = self._tokens.decode(token)
        if isinstance(claims, Err):
            return claims
        session_id = claims.ok_value.session_id
        user = await self._sessions.active_user(
            user_id=claims.ok_value.user_id, session_id=session_id
        )
        if isinstance(user, Err):
            return user
        return Ok(Principal(user=user.ok_value, session_id=session_id))

    async def reset_password(
        self, *, cpf: str, new_password: str
    ) -> Result[int, UserNotFound | PasswordRejected]:
        """Set a new password for the account of `cpf` (operators) and end all its sessions.

        Returns how many sessions ended.
        """
        digits = normalize_cpf(cpf)
        found = await self._users.get_by_cpf(digits) if digits else None
        if found is None or isinstance(found, Err):
            return Err(UserNotFound("No account has this CPF."))
        user = found.ok_value
        if (refusal := self._passwords.refusal_for(new_password, cpf=user.cpf)) is not None:
            return Err(refusal)
        user.password_hash = await self._hasher.hash(new_password)
        ended = await self._sessions.revoke_all(user.id)
        await self._audit.record(
            AuditAction.PASSWORD_RESET,
            target=f"user:{user.id}",
            details={"by": "operator", "sessions_ended": ended},
        )
        await self._uow.commit()
        return Ok(ended)

    async def _record_failure_limit(self, cpf: str) -> None:
        masked = mask_cpf(cpf)  # leaves the word `malformed` as it is
        security_logger.warning(
            "sign-in failure limit reached", extra={"event": "sign_in_failures", "cpf": masked}
        )
        await self._audit.record(
            AuditAction.SIGN_IN_FAILURES, target=f"cpf:{masked}", outcome="limit_reached"
        )
        await self._uow.commit()

    async def _verified_user(self, cpf: str, password: str) -> User | None:
        digits = normalize_cpf(cpf)
        found = await self._users.get_by_cpf(digits) if digits else None
        # The hash takes tens of milliseconds: no pooled connection waits on it meanwhile.
        await self._uow.end_reads()
        if found is None or isinstance(found, Err):
            await self._hasher.verify_nothing(password)
            return None
        user = found.ok_value
        if not await self._hasher.verify(user.password_hash, password):
            return None
        if self._hasher.needs_rehash(user.password_hash):
            user.password_hash = await self._hasher.hash(password)
        return user

    async def _open_session(self, user: User, client: Client) -> TokenPair:
        now = self._clock()
        # Each sign-in clears away the user's ended sessions: the table keeps live ones.
        await self._sessions.purge_ended(
            refreshed_before=self._lifetimes.idle_cutoff(now),
            created_before=self._lifetimes.absolute_cutoff(now),
            user_id=user.id,
        )
        auth_session = await self._sessions.add(
            AuthSession(
                user_id=user.id,
                client_address=client.address,
                user_agent=(client.user_agent or "")[:MAX_USER_AGENT_LENGTH] or None,
                created_at=now,
                refreshed_at=now,
            )
        )
        pair = await self._issue(auth_session)
        await self._uow.commit()
        return pair

    async def _issue(self, auth_session: AuthSession) -> TokenPair:
        refresh_token = new_refresh_token()
        await self._sessions.add_refresh_token(
            digest=digest_of(refresh_token), session_id=auth_session.id
        )
        access = self._tokens.issue(user_id=auth_session.user_id, session_id=auth_session.id)
        return TokenPair(access=access, refresh_token=refresh_token)

    async def _refuse_refresh(
        self, digest: bytes, now: datetime
    ) -> Result[TokenPair, InvalidRefreshToken]:
        token = await self._sessions.refresh_token(digest)
        if token is None or token.spent_at is None:
            return Err(InvalidRefreshToken("The refresh token is not valid; sign in again."))
        if self._lifetimes.retried(token.spent_at, now):
            return Err(InvalidRefreshToken("The refresh token was just spent; use its answer."))
        auth_session = await self._sessions.get(token.session_id)
        if auth_session is not None and await self._sessions.revoke(auth_session.id, at=now):
            await self._audit.record(
                AuditAction.REFRESH_TOKEN_REUSED,
                target=f"user:{auth_session.user_id}",
                outcome="session_ended",
                details={"session_id": str(auth_session.id)},
            )
            await self._uow.commit()
            security_logger.warning(
                "refresh token reused; session ended",
                extra={"event": "refresh_token_reused", "session_id": str(auth_session.id)},
            )
        return Err(
            InvalidRefreshToken("The refresh token was already spent; its session has ended.")
        )

    async def change_password(
        self, principal: Principal, *, current_password: str, new_password: str
    ) -> Result[None, InvalidCurrentPassword | PasswordRejected]:
        """Replace the caller's password and end all their other sessions."""
        user = principal.user
        if not await self._hasher.verify(user.password_hash, current_password):
            return Err(InvalidCurrentPassword())
        if (refusal := self._passwords.refusal_for(new_password, cpf=user.cpf)) is not None:
            return Err(refusal)
        user.password_hash = await self._hasher.hash(new_password)
        ended = await self._sessions.revoke_all(user.id, except_id=principal.session_id)
        await self._audit.record(
            AuditAction.PASSWORD_CHANGED,
            target=f"user:{user.id}",
            actor_id=user.id,
            details={"other_sessions_ended": ended},
        )
        await self._uow.commit()
        return Ok(None)
