"""One audited action: who did what to whom, from where, with what outcome."""

from datetime import datetime
from enum import StrEnum
from typing import Any
from uuid import UUID, uuid4

from sqlalchemy import DateTime, Index, String, func
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import Mapped, mapped_column

from app.core.config.db.base import Base
from app.features.shared.timestamps import utcnow


class AuditAction(StrEnum):
    """What is recorded."""

    SIGN_IN_FAILURES = "sign_in.failure_limit_reached"
    REFRESH_TOKEN_REUSED = "refresh_token.reused"  # noqa: S105 - action names, not secrets
    PASSWORD_CHANGED = "password.changed"  # noqa: S105
    PASSWORD_RESET = "password.reset"  # noqa: S105
    ROLE_CHANGED = "user.role_changed"
    ACCOUNT_DELETED = "user.deleted"
    SESSIONS_ENDED_BY_ADMIN = "sessions.ended_by_admin"
    LISTING_CHANGED_BY_ADMIN = "listing.changed_by_admin"
    LISTING_UNPUBLISHED_BY_ADMIN = "listing.unpublished_by_admin"


class AuditEvent(Base):
    """A row of the append-only `audit_events` table (the database refuses updates).

    Ids of actors and targets are kept as plain values, not foreign keys: deleting
    an account must not rewrite what it did or what was done to it.
    """

    __tablename__ = "audit_events"
    __table_args__ = (
        Index("ix_audit_events_occurred_at_id", "occurred_at", "id"),
        Index("ix_audit_events_actor_id", "actor_id"),
        Index("ix_audit_events_target", "target"),
    )

    action: Mapped[str] = mapped_column(String(64))
    target: Mapped[str] = mapped_column(String(80))
    outcome: Mapped[str] = mapped_column(String(16))
    id: Mapped[UUID] = mapped_column(primary_key=True, default_factory=uuid4)
    occurred_at: Mapped[datetime] = mapped_column(
        DateTime(timezone=True), default_factory=utcnow, server_default=func.now()
    )
    actor_id: Mapped[UUID | None] = mapped_column(default=None)
    request_id: Mapped[str | None] = mapped_column(String(128), default=None)
    client_address: Mapped[str | None] = mapped_column(String(45), default=None)
    details: Mapped[dict[str, Any]] = mapped_column(JSONB, default_factory=dict)
