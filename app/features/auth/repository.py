"""Data access for sign-in sessions."""

from collections.abc import Sequence
from datetime import datetime
from uuid import UUID

from result import Err, Ok, Result
from sqlalchemy import ColumnElement, bindparam, delete, or_, select, tuple_, update

from app.core.config.db.database import Query
from app.core.config.db.keyset import keyset
from app.core.errors.catalogue import InvalidToken
from app.features.auth.model import AuthSession, RefreshToken
from app.features.shared.repository import Repository
from app.features.shared.timestamps import utcnow
from app.features.users.model import User


class AuthSessionRepository(Repository):
    """Reads and writes sign-in sessions. Never commits."""

    async def add(self, auth_session: AuthSession) -> AuthSession:
        """Insert a session."""
        self._session.add(auth_session)
        await self._session.flush()
        return auth_session

    async def get(self, session_id: UUID) -> AuthSession | None:
        """A session, ended or not."""
        return await self._session.get(AuthSession, session_id, populate_existing=True)

    async def add_refresh_token(self, *, digest: bytes, session_id: UUID) -> None:
        """Record a refresh token (by digest) issued within a session."""
        self._session.add(RefreshToken(digest=digest, session_id=session_id))
        await self._session.flush()

    async def spend_refresh_token(self, digest: bytes, *, at: datetime) -> UUID | None:
        """Mark an unspent refresh token spent; return its session, or None if it was not.

        One statement: of two requests spending the same token at once, the second
        waits for the first to finish and then finds it spent.
        """
        spent = await self._session.execute(
            update(RefreshToken)
            .where(RefreshToken.digest == digest, RefreshToken.spent_at.is_(None))
            .values(spent_at=at)
            .returning(RefreshToken.session_id)
        )
        return spent.scalar_one_or_none()

    async def refresh_token(self, digest: bytes) -> RefreshToken | None:
        """A refresh token by digest, spent or not."""
        return await self._session.get(RefreshToken, digest, populate_existing=True)

    async def revoke(self, session_id: UUID, *, at: datetime) -> bool:
        """End a session; False when it had already ended."""
        result = await self._session.execute(
            update(AuthSession)
            .where(AuthSession.id == session_id, AuthSession.revoked_at.is_(None))
            .values(revoked_at=at)
        )
        return bool(getattr(result, "rowcount", 0))

    async def list_live(
        self,
        user_id: UUID,
        *,
        refreshed_after: datetime,
        created_after: datetime,
        after: tuple[datetime, UUID] | None,
        limit: int,
    ) -> Sequence[AuthSession]:
        """Up to `limit` live sessions of a user, newest first, after a `(created_at, id)` key.

        Live: not ended, refreshed after `refreshed_after` and begun after `created_after`.
        """
        query = (
            select(AuthSession)
            .where(
                AuthSession.user_id == user_id,
                AuthSession.revoked_at.is_(None),
                AuthSession.refreshed_at > refreshed_after,
                AuthSession.created_at > created_after,
            )
            .order_by(AuthSession.created_at.desc(), AuthSession.id.desc())
            .limit(limit)
        )
        if after is not None:
            query = query.where(tuple_(AuthSession.created_at, AuthSession.id) < keyset(after))
        return (await self._session.scalars(query)).all()

    async def revoke_owned(self, session_id: UUID, *, user_id: UUID, at: datetime) -> bool:
        """End a live session of `user_id`; False when there is none with that id."""
        result = await self._session.execute(
            update(AuthSession)
            .where(
                AuthSession.id == session_id,
                AuthSession.user_id == user_id,
                AuthSession.revoked_at.is_(None),
            )
            .values(revoked_at=at)
        )
        return bool(getattr(result, "rowcount", 0))

    async def purge_ended(
        self,
        *,
        refreshed_before: datetime,
        created_before: datetime,
        user_id: UUID | None = None,
    ) -> int:
        """Delete ended and expired sessions (of one user, or all) with their tokens.

        Returns how many went.
        """
        ended: ColumnElement[bool] = or_(
            AuthSession.revoked_at.is_not(None),
            AuthSession.refreshed_at <= refreshed_before,
            AuthSession.created_at <= created_before,
        )
        query = delete(AuthSession).where(ended)
        if user_id is not None:
            query = query.where(AuthSession.user_id == user_id)
        result = await self._session.execute(query)
        return int(getattr(result, "rowcount", 0))

    async def active_user(self, *, user_id: UUID, session_id: UUID) -> Result[User, InvalidToken]:
        """The user owning a live session, in one query; ended sessions are an Err."""
        values = {"user_id": user_id, "session_id": session_id}
        user = await self._database.fetch_one(_ACTIVE_USER, values)
        if user is None:
            return Err(InvalidToken("The session of this token has ended; sign in again."))
        return Ok(user)

    async def revoke_all(self, user_id: UUID, *, except_id: UUID | None = None) -> int:
        """End every live session of a user but `except_id`; return how many ended."""
        query = (
            update(AuthSession)
            .where(AuthSession.user_id == user_id, AuthSession.revoked_at.is_(None))
            .values(revoked_at=utcnow())
        )
        if except_id is not None:
            query = query.where(AuthSession.id != except_id)
        result = await self._session.execute(query)
        return int(getattr(result, "rowcount", 0))


_ACTIVE_USER = Query.of(
    select(*User.__table__.columns)
    .join(AuthSession, AuthSession.user_id == User.id)
    .where(
        User.id == bindparam("user_id"),
        AuthSession.id == bindparam("session_id"),
        AuthSession.revoked_at.is_(None),
    ),
    User,
)
