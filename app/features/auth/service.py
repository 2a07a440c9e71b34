"""Credential use cases: sign-in, token authentication and password changes."""

from dataclasses import dataclass
from uuid import UUID

from result import Err, Ok, Result

from app.core.config.auth.jwt import AccessToken, AccessTokenCodec
from app.core.errors.catalogue import InvalidToken
from app.features.auth.exceptions import InvalidCredentials, InvalidCurrentPassword
from app.features.auth.model import AuthSession
from app.features.auth.repository import AuthSessionRepository
from app.features.shared.cpf import normalize_cpf
from app.features.shared.unit_of_work import UnitOfWork
from app.features.shared.utils.password_hasher import PasswordHasher
from app.features.users.exceptions import PasswordRejected
from app.features.users.model import User
from app.features.users.passwords import PasswordPolicy
from app.features.users.repository import UserRepository


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
    ) -> None:
        self._uow = uow
        self._users = users
        self._sessions = sessions
        self._hasher = hasher
        self._passwords = passwords
        self._tokens = tokens

    async def sign_in(self, *, cpf: str, password: str) -> Result[AccessToken, InvalidCredentials]:
        """Open a session for the holder of `cpf` and `password`.

        `cpf` is taken as typed: a malformed one cannot belong to an account, so it
        gets the same 401 `INVALID_CREDENTIALS` as an unknown CPF or a wrong password
        (not a 422). One answer, in about the same time, for every failed sign-in
        tells a guesser nothing, and OAuth2 clients expect `invalid_grant` there.
        Unknown CPFs still spend a password verification for the same reason.
        """
        digits = normalize_cpf(cpf)
        found = await self._users.get_by_cpf(digits) if digits else None
        # The hash takes tens of milliseconds: no pooled connection waits on it meanwhile.
        await self._uow.end_reads()
        if found is None or isinstance(found, Err):
            await self._hasher.verify_nothing(password)
            return Err(InvalidCredentials())
        user = found.ok_value
        if not await self._hasher.verify(user.password_hash, password):
            return Err(InvalidCredentials())
        if self._hasher.needs_rehash(user.password_hash):
            user.password_hash = await self._hasher.hash(password)
        auth_session = await self._sessions.add(AuthSession(user_id=user.id))
        await self._uow.commit()
        return Ok(self._tokens.issue(user_id=user.id, session_id=auth_session.id))

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
        await self._sessions.revoke_all(user.id, except_id=principal.session_id)
        await self._uow.commit()
        return Ok(None)
