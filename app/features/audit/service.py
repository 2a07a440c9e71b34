"""Reading and trimming the audit trail (admins and operators)."""

from collections.abc import Callable
from datetime import datetime, timedelta

from result import Err, Ok, Result

from app.core.errors.catalogue import InvalidCursor
from app.features.audit.model import AuditEvent
from app.features.audit.repository import AuditFilters, AuditRepository
from app.features.shared.pagination import CursorCodec, Page, page_scope
from app.features.shared.timestamps import utcnow
from app.features.shared.unit_of_work import UnitOfWork


class AuditService:
    """Lists audit events and applies the retention period."""

    def __init__(
        self,
        *,
        uow: UnitOfWork,
        events: AuditRepository,
        cursors: CursorCodec,
        retention: timedelta,
        clock: Callable[[], datetime] = utcnow,
    ) -> None:
        self._uow = uow
        self._events = events
        self._cursors = cursors
        self._retention = retention
        self._clock = clock

    async def list_events(
        self, filters: AuditFilters, *, limit: int, cursor: str | None
    ) -> Result[Page[AuditEvent], InvalidCursor]:
        """A page of events matching `filters`, newest first."""
        scope = page_scope(
            "audit_events",
            actor_id=filters.actor_id,
            target=filters.target,
            action=filters.action,
            since=filters.since,
            until=filters.until,
        )
        after = self._cursors.resume_after(cursor, scope=scope, parse_key=datetime.fromisoformat)
        if isinstance(after, Err):
            return after
        rows = await self._events.list_page(filters, after=after.ok_value, limit=limit + 1)
        page = self._cursors.page(
            rows, limit=limit, scope=scope, key=lambda event: (event.occurred_at, event.id)
        )
        return Ok(page)

    async def purge(self) -> int:
        """Delete the events older than the retention period; return how many went."""
        purged = await self._events.purge_before(self._clock() - self._retention)
        await self._uow.commit()
        return purged
