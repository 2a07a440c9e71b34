"""Session management: a user's own devices, an admin's cut-off, and the clean-up."""

from collections.abc import Callable
from datetime import datetime
from typing import Never
from uuid import UUID

from result import Err, Ok, Result

from app.core.errors.catalogue import InvalidCursor
from app.features.audit.model import AuditAction
from app.features.audit.repository import AuditRepository
from app.features.auth.exceptions import SessionNotFound
from app.features.auth.model import AuthSession
from app.features.auth.refresh import SessionLifetimes
from app.features.auth.repository import AuthSessionRepository
from app.features.auth.service import Principal
from app.features.shared.pagination import CursorCodec, Page, page_scope
from app.features.shared.timestamps import utcnow
from app.features.shared.unit_of_work import UnitOfWork
from app.features.users.exceptions import UserNotFound
from app.features.users.repository import UserRepository


class SessionService:
    """Lists and ends sign-in sessions. Every successful write commits once, as its last step."""

    def __init__(
        self,
        *,
        uow: UnitOfWork,
        sessions: AuthSessionRepository,
        users: UserRepository,
        cursors: CursorCodec,
        lifetimes: SessionLifetimes,
        audit: AuditRepository,
        clock: Callable[[], datetime] = utcnow,
    ) -> None:
        self._audit = audit
        self._uow = uow
        self._sessions = sessions
        self._users = users
        self._cursors = cursors
        self._lifetimes = lifetimes
        self._clock = clock

    async def list_mine(
        self, principal: Principal, *, limit: int, cursor: str | None
    ) -> Result[Page[AuthSession], InvalidCursor]:
        """The caller's live sessions, newest first."""
        scope = page_scope("my_sessions", user=str(principal.user.id))
        after = self._cursors.resume_after(cursor, scope=scope, parse_key=datetime.fromisoformat)
        if isinstance(after, Err):
            return after
        now = self._clock()
        rows = await self._sessions.list_live(
            principal.user.id,
            refreshed_after=self._lifetimes.idle_cutoff(now),
            created_after=self._lifetimes.absolute_cutoff(now),
            after=after.ok_value,
            limit=limit + 1,
        )
        page = self._cursors.page(rows, limit=limit, scope=scope, key=_created_and_id)
        return Ok(page)

    async def end_mine(
        self, principal: Principal, session_id: UUID
    ) -> Result[None, SessionNotFound]:
        """End one of the caller's sessions (the current one too: that is signing out)."""
        ended = await self._sessions.revoke_owned(
            session_id, user_id=principal.user.id, at=self._clock()
        )
        if not ended:
            return Err(SessionNotFound())
        await self._uow.commit()
        return Ok(None)

    async def end_others(self, principal: Principal) -> Result[int, Never]:
        """End every session of the caller but the current one; return how many ended."""
        ended = await self._sessions.revoke_all(principal.user.id, except_id=principal.session_id)
        await self._uow.commit()
        return Ok(ended)

    async def end_all_of(self, user_id: UUID) -> Result[int, UserNotFound]:
        """End every session of a user (an admin's cut-off); return how many ended."""
        found = await self._users.get(user_id)
        if isinstance(found, Err):
            return found
        ended = await self._sessions.revoke_all(user_id)
        await self._audit.record(
            AuditAction.SESSIONS_ENDED_BY_ADMIN,
            target=f"user:{user_id}",
            details={"sessions_ended": ended},
        )
        await self._uow.commit()
        return Ok(ended)

    async def purge(self) -> int:
        """Delete every ended or expired session, with its refresh tokens; return how many."""
        now = self._clock()
        purged = await self._sessions.purge_ended(
            refreshed_before=self._lifetimes.idle_cutoff(now),
            created_before=self._lifetimes.absolute_cutoff(now),
        )
        await self._uow.commit()
        return purged


def _created_and_id(auth_session: AuthSession) -> tuple[datetime, UUID]:
    return auth_session.created_at, auth_session.id
