"""An inquiry: a signed-in searcher's message to the collector of a listing."""

from datetime import datetime
from enum import StrEnum
from uuid import UUID, uuid4

from sqlalchemy import (
    CheckConstraint,
    DateTime,
    Enum,
    ForeignKey,
    Index,
    String,
    Text,
    UniqueConstraint,
    func,
)
from sqlalchemy.orm import Mapped, mapped_column

from app.core.config.db.base import Base
from app.features.shared.timestamps import utcnow

MESSAGE_MIN_LENGTH = 10
MESSAGE_MAX_LENGTH = 2000


class ContactTime(StrEnum):
    """When the sender prefers to be called back."""

    MORNING = "morning"
    AFTERNOON = "afternoon"
    EVENING = "evening"
    ANY = "any"


class Inquiry(Base):
    """A row of `inquiries`: who wrote to whom about which listing, and what.

    The listing's title and city are copied when it is sent, so the inquiry stays
    readable after the listing is archived or deleted (`listing_id` becomes null).
    Deleting the sender's account deletes the inquiry (its message and phone are the
    sender's data); deleting the collector's leaves it to the sender, with
    `recipient_id` null.
    """

    __tablename__ = "inquiries"
    __table_args__ = (
        CheckConstraint(
            f"char_length(message) BETWEEN {MESSAGE_MIN_LENGTH} AND {MESSAGE_MAX_LENGTH}",
            name="message_length",
        ),
        CheckConstraint(r"phone ~ '^\+55[0-9]{10,11}$'", name="phone_e164"),
        # One inquiry per sender and listing (a deleted listing's null ids never clash).
        UniqueConstraint("sender_id", "listing_id", name="uq_inquiries_sender_listing"),
        # The two inboxes, newest first (keyset pagination).
        Index("ix_inquiries_recipient_created", "recipient_id", "created_at", "id"),
        Index("ix_inquiries_sender_created", "sender_id", "created_at", "id"),
    )

    sender_id: Mapped[UUID] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    recipient_id: Mapped[UUID | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    listing_id: Mapped[UUID | None] = mapped_column(
        ForeignKey("real_estates.id", ondelete="SET NULL")
    )
    listing_title: Mapped[str] = mapped_column(String(120))
    listing_city: Mapped[str] = mapped_column(String(120))
    sender_name: Mapped[str] = mapped_column(String(120))
    message: Mapped[str] = mapped_column(Text)
    phone: Mapped[str | None] = mapped_column(String(16), default=None)
    preferred_contact_time: Mapped[ContactTime | None] = mapped_column(
        Enum(
            ContactTime,
            name="contact_time",
            values_callable=lambda members: [member.value for member in members],
        ),
        default=None,
    )
    read_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), default=None)
    id: Mapped[UUID] = mapped_column(primary_key=True, default_factory=uuid4)
    created_at: Mapped[datetime] = mapped_column(
        DateTime(timezone=True), default_factory=utcnow, server_default=func.now()
    )
