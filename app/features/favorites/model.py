"""A user's favourite: one saved listing."""

from datetime import datetime
from uuid import UUID

from sqlalchemy import DateTime, ForeignKey, Index, func
from sqlalchemy.orm import Mapped, mapped_column

from app.core.config.db.base import Base
from app.features.shared.timestamps import utcnow


class Favorite(Base):
    """A row of `favorites`: `user_id` saved `listing_id` at `created_at`.

    `listing_id` is deliberately not a foreign key: a listing that is deleted (or
    unpublished) leaves its favourites behind, and the owner of the favourite sees it
    as unavailable instead of watching it vanish. The user's own favourites go with
    their account (ON DELETE CASCADE).
    """

    __tablename__ = "favorites"
    __table_args__ = (
        # A user's favourites, newest first (the keyset of their list).
        Index("ix_favorites_user_created", "user_id", "created_at", "listing_id"),
        # How many users saved a listing (its owner sees the count).
        Index("ix_favorites_listing_id", "listing_id"),
    )

    user_id: Mapped[UUID] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), primary_key=True
    )
    listing_id: Mapped[UUID] = mapped_column(primary_key=True)
    created_at: Mapped[datetime] = mapped_column(
        DateTime(timezone=True), default_factory=utcnow, server_default=func.now()
    )
