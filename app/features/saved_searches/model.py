"""A search a user keeps: its criteria, and when its results were last looked at."""

from datetime import datetime
from typing import Any
from uuid import UUID, uuid4

from sqlalchemy import DateTime, ForeignKey, Index, String, func
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import Mapped, mapped_column

from app.core.config.db.base import Base
from app.features.shared.timestamps import utcnow


class SavedSearch(Base):
    """A row of `saved_searches`; it goes with its user's account."""

    __tablename__ = "saved_searches"
    __table_args__ = (Index("ix_saved_searches_user_created", "user_id", "created_at", "id"),)

    user_id: Mapped[UUID] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    name: Mapped[str] = mapped_column(String(80))
    criteria: Mapped[dict[str, Any]] = mapped_column(JSONB)
    sort: Mapped[str] = mapped_column(String(20))
    id: Mapped[UUID] = mapped_column(primary_key=True, default_factory=uuid4)
    created_at: Mapped[datetime] = mapped_column(
        DateTime(timezone=True), default_factory=utcnow, server_default=func.now()
    )
    last_seen_at: Mapped[datetime] = mapped_column(
        DateTime(timezone=True), default_factory=utcnow, server_default=func.now()
    )
