"""Photo use cases: upload (checked by content, stored, then recorded), list, reorder, delete.

An upload never holds a database connection while it copies, decodes or stores: it
checks what it may, lets the connection go, does the slow work, and then records the
photo in one short transaction that locks the listing (so the limit of photos holds
under concurrent uploads). Objects are queued for removal before they are stored and
taken off the queue in the transaction that records them, so a failure anywhere in
between leaves nothing behind that the cleanup will not remove.
"""

import asyncio
import contextlib
import hashlib
import tempfile
from collections.abc import Callable, Sequence
from datetime import datetime, timedelta
from pathlib import Path
from typing import BinaryIO
from uuid import UUID

from result import Err, Ok, Result

from app.core.errors.catalogue import Forbidden, PayloadTooLarge, StorageUnavailable
from app.core.storage.base import ObjectStorage, StorageUnavailableError, new_key
from app.features.idempotency.response import StoredResponse
from app.features.idempotency.service import Idempotency, KeyedRequest, KeyProblem
from app.features.photos.exceptions import PhotoNotFound, PhotoRejected, TooManyPhotos
from app.features.photos.images import ImageProcessor, ImageRejectedError, ProcessedImage
from app.features.photos.model import ListingPhoto
from app.features.photos.repository import PhotoRepository
from app.features.real_estates.access import manages, visible_to
from app.features.real_estates.exceptions import RealEstateNotFound
from app.features.real_estates.model import RealEstate
from app.features.real_estates.repository import RealEstateRepository
from app.features.shared.timestamps import utcnow
from app.features.shared.unit_of_work import UnitOfWork
from app.features.users.model import User

MAX_PHOTOS = 30
# An upload's objects are queued for removal this far ahead; recording the photo takes
# them back long before. Only an upload cut short (a crash) lets the removal happen.
PENDING_GRACE = timedelta(minutes=30)
STORAGE_RETRY_AFTER_SECONDS = 5
_COPY_CHUNK = 1024 * 1024

SeeError = RealEstateNotFound
ChangeError = RealEstateNotFound | Forbidden
UploadError = (
    ChangeError | TooManyPhotos | PayloadTooLarge | PhotoRejected | StorageUnavailable | KeyProblem
)
EditError = ChangeError | PhotoNotFound


def _copy_bounded(source: BinaryIO, target: Path, max_bytes: int) -> str | None:
    """Copy `source` to `target` in chunks; the SHA-256 of its bytes, or None past `max_bytes`."""
    copied = 0
    digest = hashlib.sha256()
    with target.open("wb") as out:
        while chunk := source.read(_COPY_CHUNK):
            copied += len(chunk)
            if copied > max_bytes:
                return None
            digest.update(chunk)
            out.write(chunk)
    hexdigest: str = digest.hexdigest()
    return hexdigest


def _keys_of(listing_id: UUID, image: ProcessedImage) -> dict[str, str]:
    prefix = f"listings/{listing_id}/photos"
    renditions = {"original": image.original, "web": image.web, "thumbnail": image.thumbnail}
    return {name: new_key(prefix, rendition.extension) for name, rendition in renditions.items()}


class PhotoService:
    """The photos of listings. Every successful change commits once, as its last step."""

    def __init__(
        self,
        *,
        uow: UnitOfWork,
        photos: PhotoRepository,
        listings: RealEstateRepository,
        storage: ObjectStorage,
        images: ImageProcessor,
        idempotency: Idempotency,
        max_bytes: int,
        clock: Callable[[], datetime] = utcnow,
    ) -> None:
        self._uow = uow
        self._photos = photos
        self._listings = listings
        self._storage = storage
        self._images = images
        self._idempotency = idempotency
        self._max_bytes = max_bytes
        self._clock = clock

    def url(self, key: str) -> str:
        """Where a browser loads the object stored under `key`."""
        return self._storage.url(key)

    async def photos_of(
        self, listing_id: UUID, viewer: User | None
    ) -> Result[Sequence[ListingPhoto], SeeError]:
        """The photos of a listing `viewer` may see, cover first."""
        found = await self._listings.get(listing_id)
        if isinstance(found, Err) or not visible_to(found.ok_value, viewer):
            return Err(RealEstateNotFound())
        return Ok(await self._photos.in_order(listing_id))

    async def upload(
        self,
        listing_id: UUID,
        actor: User,
        upload: BinaryIO,
        *,
        respond: Callable[[ListingPhoto], StoredResponse],
        idempotency_key: str | None = None,
    ) -> Result[StoredResponse, UploadError]:
        """Check, store and record a photo of a listing `actor` manages.

        `respond` turns the new photo into the caller's answer, which a retry with the
        same `idempotency_key` and the same file gets back instead of a second photo.
        """
        allowed = await self._changeable(listing_id, actor)
        if isinstance(allowed, Err):
            return allowed
        if await self._photos.count(listing_id) >= MAX_PHOTOS:
            return Err(TooManyPhotos())
        await self._uow.end_reads()
        with tempfile.TemporaryDirectory(prefix="photo-") as directory:
            workdir = Path(directory)
            processed = await self._process(upload, workdir)
            if isinstance(processed, Err):
                return processed
            image, digest = processed.ok_value
            original_bytes = image.original.path.stat().st_size
            keys = _keys_of(listing_id, image)
            stored = await self._store(image, keys)
            if isinstance(stored, Err):
                return stored

        async def record() -> Result[StoredResponse, ChangeError | TooManyPhotos]:
            listing = await self._photos.lock_listing(listing_id)
            if listing is None:
                return Err(RealEstateNotFound())
            ordered = list(await self._photos.in_order(listing_id))
            if len(ordered) >= MAX_PHOTOS:
                return Err(TooManyPhotos())
            photo = ListingPhoto(
                listing_id=listing_id,
                position=len(ordered),
                width=image.original.width,
                height=image.original.height,
                content_type=image.original.content_type,
                size_bytes=original_bytes,
                original_key=keys["original"],
                web_key=keys["web"],
                thumbnail_key=keys["thumbnail"],
            )
            await self._photos.add(photo)
            await self._photos.save_order(listing_id, [*ordered, photo])
            await self._photos.unqueue(list(keys.values()))
            return Ok(respond(photo))

        request = None
        if idempotency_key is not None:
            request = KeyedRequest.of(idempotency_key, f"uploadPhoto {listing_id}", digest)
        outcome = await self._idempotency.once(actor.id, request, record)
        if isinstance(outcome, Err) or outcome.ok_value.replayed:
            await self._discard(list(keys.values()))
        return outcome

    async def update(
        self,
        listing_id: UUID,
        photo_id: UUID,
        actor: User,
        *,
        position: int | None = None,
        cover: bool = False,
    ) -> Result[ListingPhoto, EditError]:
        """Move a photo to `position` (clamped to the last), or to the front as the cover."""
        found = await self._locked_photo(listing_id, photo_id, actor)
        if isinstance(found, Err):
            return found
        ordered, photo = found.ok_value
        target = 0 if cover else position
        if target is not None and target != photo.position:
            ordered.remove(photo)
            ordered.insert(min(target, len(ordered)), photo)
            await self._photos.save_order(listing_id, ordered)
            await self._uow.commit()
        return Ok(photo)

    async def delete(
        self, listing_id: UUID, photo_id: UUID, actor: User
    ) -> Result[None, EditError]:
        """Remove a photo and, at once or by the cleanup, its stored objects."""
        found = await self._locked_photo(listing_id, photo_id, actor)
        if isinstance(found, Err):
            return found
        ordered, photo = found.ok_value
        await self._photos.remove(photo)
        ordered.remove(photo)
        await self._photos.save_order(listing_id, ordered)
        await self._uow.commit()
        await self._remove_now([photo.original_key, photo.web_key, photo.thumbnail_key])
        return Ok(None)

    async def purge_due(self, *, batch: int = 500) -> int:
        """Remove from storage the queued objects that are due; how many went.

        Safe from several processes at once (each takes keys the others skip). A store
        that fails leaves the keys queued for the next run.
        """
        removed = 0
        while keys := await self._photos.take_due(batch):
            try:
                await self._storage.delete(keys)
            except StorageUnavailableError:  # logged by the storage; the keys stay queued
                await self._uow.end_reads()  # releases the locks: the keys stay queued
                break
            await self._photos.unqueue(keys)
            await self._uow.commit()
            removed += len(keys)
            if len(keys) < batch:
                break
        return removed

    async def _changeable(self, listing_id: UUID, actor: User) -> Result[RealEstate, ChangeError]:
        found = await self._listings.get(listing_id)
        if isinstance(found, Err) or not visible_to(found.ok_value, actor):
            return Err(RealEstateNotFound())
        if not manages(actor, found.ok_value):
            return Err(Forbidden("Only the listing's owner or an admin may change its photos."))
        return found

    async def _locked_photo(
        self, listing_id: UUID, photo_id: UUID, actor: User
    ) -> Result[tuple[list[ListingPhoto], ListingPhoto], EditError]:
        """The listing's photos in order and the one asked for, the listing locked."""
        listing = await self._photos.lock_listing(listing_id)
        if listing is None or not visible_to(listing, actor):
            return Err(RealEstateNotFound())
        if not manages(actor, listing):
            return Err(Forbidden("Only the listing's owner or an admin may change its photos."))
        ordered = list(await self._photos.in_order(listing_id))
        photo = next((photo for photo in ordered if photo.id == photo_id), None)
        return Ok((ordered, photo)) if photo is not None else Err(PhotoNotFound())

    async def _process(
        self, upload: BinaryIO, workdir: Path
    ) -> Result[tuple[ProcessedImage, str], PayloadTooLarge | PhotoRejected]:
        """The renditions of the upload, and the digest of its bytes."""
        source = workdir / "upload"
        digest = await asyncio.to_thread(_copy_bounded, upload, source, self._max_bytes)
        if digest is None:
            return Err(PayloadTooLarge(f"Photos are limited to {self._max_bytes} bytes."))
        try:
            return Ok((await self._images.process(source, workdir), digest))
        except ImageRejectedError as rejected:
            return Err(PhotoRejected(rejected.reason))

    async def _store(
        self, image: ProcessedImage, keys: dict[str, str]
    ) -> Result[None, StorageUnavailable]:
        await self._photos.queue_removal(
            list(keys.values()), not_before=self._clock() + PENDING_GRACE
        )
        await self._uow.commit()
        renditions = {"original": image.original, "web": image.web, "thumbnail": image.thumbnail}
        try:
            for name, rendition in renditions.items():
                await self._storage.put_file(
                    keys[name], rendition.path, content_type=rendition.content_type
                )
        except StorageUnavailableError:  # logged by the storage
            await self._discard(list(keys.values()))
            retry = {"Retry-After": str(STORAGE_RETRY_AFTER_SECONDS)}
            return Err(StorageUnavailable(headers=retry))
        return Ok(None)

    async def _remove_now(self, keys: list[str]) -> None:
        """Remove a deleted photo's objects at once; if the store fails, the queue keeps them.

        Only these keys: draining the rest of the queue is the background job's work.
        """
        try:
            await self._storage.delete(keys)
        except StorageUnavailableError:  # logged by the storage
            return
        await self._photos.unqueue(keys)
        await self._uow.commit()

    async def _discard(self, keys: list[str]) -> None:
        """Remove objects no row will use; if the store fails, the queue still has them."""
        with contextlib.suppress(StorageUnavailableError):  # logged by the storage
            await self._storage.delete(keys)
