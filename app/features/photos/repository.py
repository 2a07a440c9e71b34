"""Data access for listing photos and the queue of stored objects to remove. Never commits."""

from collections.abc import Sequence
from datetime import datetime
from typing import Any
from uuid import UUID

from sqlalchemy import delete, func, select, update
from sqlalchemy.dialects.postgresql import insert

from app.features.photos.model import ListingPhoto, StorageDeletion
from app.features.real_estates.model import RealEstate
from app.features.shared.repository import Repository
from app.features.shared.timestamps import utcnow


def photo_entry(photo: ListingPhoto) -> dict[str, Any]:
    """How a photo is kept in its listing's `photos` (what listing documents show)."""
    return {
        "id": str(photo.id),
        "position": photo.position,
        "width": photo.width,
        "height": photo.height,
        "content_type": photo.content_type,
        "web_key": photo.web_key,
        "thumbnail_key": photo.thumbnail_key,
    }


class PhotoRepository(Repository):
    """Photos live in `listing_photos`; their listing's row carries the ordered summary."""

    async def lock_listing(self, listing_id: UUID) -> RealEstate | None:
        """The listing, locked until the transaction ends: photo changes run one at a time."""
        listing: RealEstate | None = await self._session.scalar(
            select(RealEstate)
            .where(RealEstate.id == listing_id)
            .with_for_update()
            .execution_options(populate_existing=True)
        )
        return listing

    async def in_order(self, listing_id: UUID) -> Sequence[ListingPhoto]:
        """The listing's photos in display order (the cover first)."""
        photos = await self._session.scalars(
            select(ListingPhoto)
            .where(ListingPhoto.listing_id == listing_id)
            .order_by(ListingPhoto.position)
        )
        return photos.all()

    async def add(self, photo: ListingPhoto) -> None:
        """Insert a photo row."""
        self._session.add(photo)
        await self._session.flush()

    async def remove(self, photo: ListingPhoto) -> None:
        """Delete a photo row (the database queues its objects for removal)."""
        await self._session.execute(delete(ListingPhoto).where(ListingPhoto.id == photo.id))

    async def save_order(self, listing_id: UUID, ordered: Sequence[ListingPhoto]) -> RealEstate:
        """Number `ordered` 0, 1, 2... and write the listing's summary; a new listing version."""
        for position, photo in enumerate(ordered):
            if photo.position != position:
                photo.position = position
        await self._session.flush()
        entries = [photo_entry(photo) for photo in ordered]
        cover = ordered[0].thumbnail_key if ordered else None
        listing = await self._session.scalar(
            update(RealEstate)
            .where(RealEstate.id == listing_id)
            .values(
                photos=entries,
                cover_thumbnail_key=cover,
                version=RealEstate.version + 1,
                updated_at=utcnow(),
            )
            .returning(RealEstate)
            .execution_options(populate_existing=True, synchronize_session=False)
        )
        assert listing is not None  # noqa: S101 - locked by lock_listing in this transaction
        return listing

    async def queue_removal(self, keys: Sequence[str], *, not_before: datetime) -> None:
        """Queue `keys` for removal from storage once `not_before` has passed."""
        statement = insert(StorageDeletion).values(
            [{"key": key, "not_before": not_before} for key in keys]
        )
        await self._session.execute(
            statement.on_conflict_do_update(
                index_elements=[StorageDeletion.key], set_={"not_before": not_before}
            )
        )

    async def unqueue(self, keys: Sequence[str]) -> None:
        """Take `keys` off the removal queue (their row committed: they are in use)."""
        await self._session.execute(delete(StorageDeletion).where(StorageDeletion.key.in_(keys)))

    async def take_due(self, limit: int) -> list[str]:
        """Up to `limit` keys due for removal, locked for this transaction (others skip them)."""
        keys = await self._session.scalars(
            select(StorageDeletion.key)
            .where(StorageDeletion.not_before <= func.now())
            .order_by(StorageDeletion.not_before)
            .limit(limit)
            .with_for_update(skip_locked=True)
        )
        return list(keys)

    async def count(self, listing_id: UUID) -> int:
        """How many photos the listing has."""
        total = await self._session.scalar(
            select(func.count()).where(ListingPhoto.listing_id == listing_id)
        )
        return int(total or 0)
