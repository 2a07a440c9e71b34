"""Data access for the audit trail: append, read a page, purge the old."""

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from uuid import UUID

from sqlalchemy import delete, select, tuple_

from app.core.config.client import ClientAddresses
from app.core.config.db.database import Database
from app.core.config.db.keyset import keyset
from app.core.config.request_context import request_id_var, request_scope_var
from app.features.audit.model import AuditAction, AuditEvent
from app.features.shared.repository import Repository


@dataclass(frozen=True)
class AuditFilters:
    """Which events to list; None means any."""

    actor_id: UUID | None = None
    target: str | None = None
    action: str | None = None
    since: datetime | None = None
    until: datetime | None = None


class AuditRepository(Repository):
    """Appends audit events to the caller's transaction (they commit with the action)."""

    def __init__(self, database: Database, addresses: ClientAddresses) -> None:
        """Record into `database`; the client's address is found with `addresses`."""
        super().__init__(database)
        self._addresses = addresses

    async def record(
        self,
        action: AuditAction,
        *,
        target: str,
        outcome: str = "success",
        details: dict[str, Any] | None = None,
        actor_id: UUID | None = None,
    ) -> None:
        """Add an event; the actor, request id and address come from the request, if any.

        `details` must hold no secrets (and CPFs masked): it is shown to admins.
        """
        scope = request_scope_var.get()
        signed_in = scope.get("state", {}).get("user_id") if scope is not None else None
        self._session.add(
            AuditEvent(
                action=action.value,
                target=target,
                outcome=outcome,
                actor_id=actor_id or (UUID(signed_in) if signed_in else None),
                request_id=request_id_var.get(),
                client_address=self._addresses.of(scope) if scope is not None else None,
                details=details or {},
            )
        )
        await self._session.flush()

    async def list_page(
        self, filters: AuditFilters, *, after: tuple[datetime, UUID] | None, limit: int
    ) -> Sequence[AuditEvent]:
        """Up to `limit` events matching `filters`, newest first, after an `(occurred_at, id)`."""
        query = select(AuditEvent).order_by(AuditEvent.occurred_at.desc(), AuditEvent.id.desc())
        if filters.actor_id is not None:
            query = query.where(AuditEvent.actor_id == filters.actor_id)
        if filters.target is not None:
            query = query.where(AuditEvent.target == filters.target)
        if filters.action is not None:
            query = query.where(AuditEvent.action == filters.action)
        if filters.since is not None:
            query = query.where(AuditEvent.occurred_at >= filters.since)
        if filters.until is not None:
            query = query.where(AuditEvent.occurred_at < filters.until)
        if after is not None:
            query = query.where(tuple_(AuditEvent.occurred_at, AuditEvent.id) < keyset(after))
        return (await self._session.scalars(query.limit(limit))).all()

    async def purge_before(self, cutoff: datetime) -> int:
        """Delete the events older than `cutoff` (retention); return how many went."""
        result = await self._session.execute(
            delete(AuditEvent).where(AuditEvent.occurred_at < cutoff)
        )
        return int(getattr(result, "rowcount", 0))
