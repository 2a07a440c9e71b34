"""A listing's photo, and the stored objects waiting to be removed."""

from datetime import datetime
from uuid import UUID, uuid4

from sqlalchemy import DateTime, ForeignKey, Index, Integer, SmallInteger, String, func
from sqlalchemy.orm import Mapped, mapped_column

from app.core.config.db.base import Base
from app.features.shared.timestamps import utcnow

KEY_LENGTH = 200


class ListingPhoto(Base):
    """A row of `listing_photos`: one uploaded image, its renditions' keys and its place.

    Positions run 0, 1, 2... in display order; position 0 is the cover. Deleting a row
    (directly or with its listing) queues its three objects in `storage_deletions`
    (a database trigger), so no object outlives its row.
    """

    __tablename__ = "listing_photos"
    __table_args__ = (Index("ix_listing_photos_listing_position", "listing_id", "position"),)

    listing_id: Mapped[UUID] = mapped_column(ForeignKey("real_estates.id", ondelete="CASCADE"))
    position: Mapped[int] = mapped_column(SmallInteger)
    width: Mapped[int] = mapped_column(Integer)
    height: Mapped[int] = mapped_column(Integer)
    content_type: Mapped[str] = mapped_column(String(32))
    size_bytes: Mapped[int] = mapped_column(Integer)
    original_key: Mapped[str] = mapped_column(String(KEY_LENGTH))
    web_key: Mapped[str] = mapped_column(String(KEY_LENGTH))
    thumbnail_key: Mapped[str] = mapped_column(String(KEY_LENGTH))
    id: Mapped[UUID] = mapped_column(primary_key=True, default_factory=uuid4)
    created_at: Mapped[datetime] = mapped_column(
        DateTime(timezone=True), default_factory=utcnow, server_default=func.now()
    )


class StorageDeletion(Base):
    """An object to remove from storage once `not_before` has passed.

    Queued by the trigger on `listing_photos` when a photo goes, and by an upload for
    the objects it is about to store (a little in the future, and taken back when its
    row commits): an upload cut short by a crash leaves its objects here, not orphaned.
    """

    __tablename__ = "storage_deletions"
    __table_args__ = (Index("ix_storage_deletions_not_before", "not_before"),)

    key: Mapped[str] = mapped_column(String(KEY_LENGTH), primary_key=True)
    not_before: Mapped[datetime] = mapped_column(
        DateTime(timezone=True), default_factory=utcnow, server_default=func.now()
    )
