"""Sign-in sessions and the refresh tokens that keep them going."""

from datetime import datetime
from uuid import UUID, uuid4

from sqlalchemy import DateTime, ForeignKey, LargeBinary, String, func
from sqlalchemy.orm import Mapped, mapped_column

from app.core.config.db.base import Base
from app.features.shared.timestamps import utcnow

MAX_USER_AGENT_LENGTH = 200


class AuthSession(Base):
    """One sign-in of a user (one device). Ending it invalidates every token issued within it.

    Its refresh tokens form one family: each refresh spends the current token and
    issues the next, and `refreshed_at` (when the last one was issued) is how
    recently the session was used.
    """

    __tablename__ = "auth_sessions"

    user_id: Mapped[UUID] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    id: Mapped[UUID] = mapped_column(primary_key=True, default_factory=uuid4)
    client_address: Mapped[str | None] = mapped_column(String(45), default=None)
    user_agent: Mapped[str | None] = mapped_column(String(MAX_USER_AGENT_LENGTH), default=None)
    created_at: Mapped[datetime] = mapped_column(
        DateTime(timezone=True), default_factory=utcnow, server_default=func.now()
    )
    refreshed_at: Mapped[datetime] = mapped_column(
        DateTime(timezone=True), default_factory=utcnow, server_default=func.now()
    )
    revoked_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), default=None)


class RefreshToken(Base):
    """A refresh token of a session, known only by its SHA-256 digest.

    `spent_at` is set when it is exchanged for the next one; a spent token presented
    again means it was copied, and ends its session.
    """

    __tablename__ = "refresh_tokens"

    digest: Mapped[bytes] = mapped_column(LargeBinary(32), primary_key=True)
    session_id: Mapped[UUID] = mapped_column(
        ForeignKey("auth_sessions.id", ondelete="CASCADE"), index=True
    )
    created_at: Mapped[datetime] = mapped_column(
        DateTime(timezone=True), default_factory=utcnow, server_default=func.now()
    )
    spent_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), default=None)
