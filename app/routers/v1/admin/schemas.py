"""Bodies of the audit-trail route."""

import re
from datetime import datetime
from typing import Annotated, Any, Self
from uuid import UUID

from pydantic import (
    AwareDatetime,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    StringConstraints,
    model_validator,
)

from app.features.audit.model import AuditAction, AuditEvent
from app.features.audit.repository import AuditFilters
from app.features.real_estates.model import ListingStatus
from app.features.real_estates.search import AdminListingFilters
from app.features.shared.pagination import DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE, Page
from app.routers.v1.validation import CURSOR_DESCRIPTION, Cursor, trimmed

_RFC3339 = re.compile(
    r"[0-9]{4}-[0-9]{2}-[0-9]{2}[Tt][0-9]{2}:[0-9]{2}:[0-9]{2}(\.[0-9]+)?([Zz]|[+-][0-9]{2}:[0-9]{2})"
)


def _rfc3339(value: object) -> object:
    # What `format: date-time` says: pydantic alone would also read `0.5` or `1700000000`
    # as Unix times, and a date or a time without offset in the server's time zone.
    if isinstance(value, str) and not _RFC3339.fullmatch(value):
        raise ValueError("must be an RFC 3339 date-time with an offset, e.g. 2025-01-31T12:00:00Z")
    return value


Instant = Annotated[AwareDatetime, BeforeValidator(_rfc3339)]


class AuditQuery(BaseModel):
    """Filters and page of the audit trail; every filter is optional."""

    model_config = ConfigDict(extra="forbid")

    actor_id: UUID | None = Field(default=None, description="Who acted (a user id).")
    target: str | None = Field(
        default=None, max_length=80, description="What was acted on, e.g. `user:<id>`."
    )
    action: AuditAction | None = None
    since: Instant | None = Field(default=None, description="At or after this instant.")
    until: Instant | None = Field(default=None, description="Before this instant.")
    limit: int = Field(default=DEFAULT_PAGE_SIZE, ge=1, le=MAX_PAGE_SIZE)
    cursor: Cursor | None = Field(default=None, description=CURSOR_DESCRIPTION)

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


class AdminListingQuery(BaseModel):
    """Filters and page of the admins' list of every listing; every filter is optional."""

    model_config = ConfigDict(extra="forbid")

    owner_id: UUID | None = Field(default=None, description="Only this user's listings.")
    status: ListingStatus | None = Field(default=None, description="Only listings in this status.")
    q: str | None = Field(
        default=None,
        max_length=200,
        description="Full text over title, description, neighbourhood and city, as the "
        "public search's `q` (Portuguese; case- and accent-insensitive), over any status.",
    )
    created_from: Instant | None = Field(
        default=None, description="Registered at or after this instant."
    )
    created_until: Instant | None = Field(
        default=None, description="Registered before this instant."
    )
    limit: int = Field(default=DEFAULT_PAGE_SIZE, ge=1, le=MAX_PAGE_SIZE)
    cursor: Cursor | None = Field(default=None, description=CURSOR_DESCRIPTION)

    @model_validator(mode="after")
    def _range_in_order(self) -> Self:
        if None not in (self.created_from, self.created_until) and (
            self.created_from >= self.created_until  # type: ignore[operator]
        ):
            raise ValueError("created_from must be before created_until")
        return self

    def filters(self) -> AdminListingFilters:
        """The filters, without the page."""
        return AdminListingFilters(
            **self.model_dump(exclude={"limit", "cursor"}, exclude_none=True)
        )


class UnpublishRequest(BaseModel):
    """Why an admin takes a listing down: its owner reads it on the draft."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [{"reason": "As fotos mostram outro imóvel; envie fotos deste."}]
        },
    )

    reason: Annotated[
        str,
        StringConstraints(strip_whitespace=True, min_length=10, max_length=500),
        trimmed(10),
        Field(
            description="10 to 500 characters, shown to the owner and recorded in the audit trail."
        ),
    ]
