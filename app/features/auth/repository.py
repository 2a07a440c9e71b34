"""Data access for sign-in sessions."""

from uuid import UUID

from result import Err, Ok, Result
from sqlalchemy import bindparam, select, update

from app.core.config.db.database import Query
from app.core.errors.catalogue import InvalidToken
from app.features.auth.model import AuthSession
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
