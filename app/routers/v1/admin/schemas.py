"""Bodies of the audit-trail route."""

from datetime import datetime
from typing import Any, Self
from uuid import UUID

from pydantic import BaseModel, ConfigDict, Field

from app.features.audit.model import AuditAction, AuditEvent
from app.features.audit.repository import AuditFilters
from app.features.shared.pagination import DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE, Page


class AuditQuery(BaseModel):
    """Filters and page of the audit trail; every filter is optional."""

    model_config = ConfigDict(extra="forbid")

    actor_id: UUID | None = Field(default=None, description="Who acted (a user id).")
    target: str | None = Field(
        default=None, max_length=80, description="What was acted on, e.g. `user:<id>`."
    )
    action: AuditAction | None = None
    since: datetime | None = Field(default=None, description="At or after this instant.")
    until: datetime | None = Field(default=None, description="Before this instant.")
    limit: int = Field(default=DEFAULT_PAGE_SIZE, ge=1, le=MAX_PAGE_SIZE)
    cursor: str | None = Field(default=None, description="`next_cursor` of the previous page.")

    def filters(self) -> AuditFilters:
        """The filters, without the page."""
        action = None if self.action is None else self.action.value
        return AuditFilters(self.actor_id, self.target, action, self.since, self.until)


class AuditEventRead(BaseModel):
    """One audited action."""

    id: UUID
    occurred_at: datetime
    action: str
    actor_id: UUID | None = Field(description="Who acted; null for operators' commands.")
    target: str = Field(
        description="What was acted on: `user:<id>`, `listing:<id>`, `cpf:<masked>`."
    )
    outcome: str
    request_id: str | None
    client_address: str | None
    details: dict[str, Any]

    @classmethod
    def of(cls, event: AuditEvent) -> Self:
        """The view of a stored event."""
        return cls(
            id=event.id,
            occurred_at=event.occurred_at,
            action=event.action,
            actor_id=event.actor_id,
            target=event.target,
            outcome=event.outcome,
            request_id=event.request_id,
            client_address=event.client_address,
            details=event.details,
        )


class AuditEventPage(BaseModel):
    """One page of audit events, newest first, and the cursor of the next page."""

    items: list[AuditEventRead]
    next_cursor: str | None

    @classmethod
    def of(cls, page: Page[AuditEvent]) -> Self:
        """The view of a page of stored events."""
        return cls(items=[AuditEventRead.of(e) for e in page.items], next_cursor=page.next_cursor)
