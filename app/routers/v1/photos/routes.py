"""Photo routes: upload (multipart), list, move or make cover, delete."""

from functools import partial
from typing import Annotated
from uuid import UUID

from fastapi import APIRouter, Form, Response, status

from app.core.errors.catalogue import (
    Forbidden,
    IdempotencyKeyInUse,
    IdempotencyKeyReused,
    PayloadTooLarge,
    StorageUnavailable,
)
from app.core.errors.openapi import problem_responses
from app.core.errors.results import ok_or_raise
from app.core.openapi import IDEMPOTENT_REPLAYED, LOCATION, OPTIONAL_SIGN_IN, merge_responses, sends
from app.features.idempotency.response import StoredResponse
from app.features.photos.exceptions import PhotoNotFound, PhotoRejected, TooManyPhotos
from app.features.photos.model import ListingPhoto
from app.features.photos.repository import photo_entry
from app.features.real_estates.exceptions import RealEstateNotFound
from app.routers.responses import JSONDocument
from app.routers.v1.auth.dependencies import SIGNED_IN_PROBLEMS, CurrentUserDep, OptionalUserDep
from app.routers.v1.idempotency import IdempotencyKeyHeader, send, stored
from app.routers.v1.photos.dependencies import PhotoServiceDep
from app.routers.v1.photos.schemas import (
    PhotoRead,
    PhotoUpdate,
    PhotoUpload,
    PhotoUrl,
    photo_document,
)

router = APIRouter(tags=["photos"])

PHOTOS = "/real-estates/{listing_id}/photos"
PHOTO = f"{PHOTOS}/{{photo_id}}"
CHANGE_PROBLEMS = (*SIGNED_IN_PROBLEMS, Forbidden, RealEstateNotFound)


def _created(photo: ListingPhoto, *, url: PhotoUrl) -> StoredResponse:
    location = f"/api/v1/real-estates/{photo.listing_id}/photos/{photo.id}"
    document = photo_document(photo_entry(photo), url)
    return stored(document, status_code=status.HTTP_201_CREATED, headers={"Location": location})


@router.post(
    PHOTOS,
    status_code=status.HTTP_201_CREATED,
    response_model=PhotoRead,
    operation_id="uploadPhoto",
    summary="Add a photo to a listing",
    responses=merge_responses(
        problem_responses(
            *CHANGE_PROBLEMS,
            TooManyPhotos,
            PayloadTooLarge,
            PhotoRejected,
            StorageUnavailable,
            IdempotencyKeyReused,
            IdempotencyKeyInUse,
        ),
        sends(201, LOCATION, IDEMPOTENT_REPLAYED),
    ),
)
async def upload_photo(
    listing_id: UUID,
    form: Annotated[PhotoUpload, Form(media_type="multipart/form-data")],
    user: CurrentUserDep,
    photos: PhotoServiceDep,
    idempotency_key: IdempotencyKeyHeader = None,
) -> Response:
    """Add a photo at the end (the first one becomes the cover). Owner or admin.

    The type is decided by decoding the image, never by its name or declared type;
    metadata (EXIF, GPS) is removed; a web size and a thumbnail are made. At most 30
    photos per listing. Send an `Idempotency-Key` to make retries safe.
    """
    respond = partial(_created, url=photos.url)
    uploaded = await photos.upload(
        listing_id, user, form.file.file, respond=respond, idempotency_key=idempotency_key
    )
    return send(ok_or_raise(uploaded))


@router.get(
    PHOTOS,
    response_model=list[PhotoRead],
    operation_id="listPhotos",
    summary="List a listing's photos",
    responses=problem_responses(*SIGNED_IN_PROBLEMS, RealEstateNotFound),
    openapi_extra=OPTIONAL_SIGN_IN,
)
async def list_photos(
    listing_id: UUID, viewer: OptionalUserDep, photos: PhotoServiceDep
) -> JSONDocument:
    """The photos in display order, the cover first (anyone who may see the listing)."""
    found = ok_or_raise(await photos.photos_of(listing_id, viewer))
    return JSONDocument([photo_document(photo_entry(photo), photos.url) for photo in found])


@router.patch(
    PHOTO,
    response_model=PhotoRead,
    operation_id="updatePhoto",
    summary="Move a photo, or make it the cover",
    responses=problem_responses(*CHANGE_PROBLEMS, PhotoNotFound),
)
async def update_photo(
    listing_id: UUID,
    photo_id: UUID,
    body: PhotoUpdate,
    user: CurrentUserDep,
    photos: PhotoServiceDep,
) -> JSONDocument:
    """Move the photo to `position`, or with `cover: true` to the front (owner or admin).

    A position past the last puts it last; the others shift to make room, and the
    listing gets a new version (and `ETag`).
    """
    moved = await photos.update(
        listing_id, photo_id, user, position=body.position, cover=body.cover
    )
    return JSONDocument(photo_document(photo_entry(ok_or_raise(moved)), photos.url))


@router.delete(
    PHOTO,
    status_code=status.HTTP_204_NO_CONTENT,
    operation_id="deletePhoto",
    summary="Delete a photo",
    responses=problem_responses(*CHANGE_PROBLEMS, PhotoNotFound),
)
async def delete_photo(
    listing_id: UUID, photo_id: UUID, user: CurrentUserDep, photos: PhotoServiceDep
) -> Response:
    """Remove the photo and its stored files; the next one moves up (and may become the cover)."""
    ok_or_raise(await photos.delete(listing_id, photo_id, user))
    return Response(status_code=status.HTTP_204_NO_CONTENT)
