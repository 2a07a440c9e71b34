"""The local storage backend's files, served by the API (S3 URLs point at the store)."""

from typing import Annotated, Any

from fastapi import APIRouter, Path, Request
from fastapi.responses import FileResponse

from app.core.errors.catalogue import NotFound
from app.core.errors.openapi import problem_responses
from app.core.openapi import merge_responses
from app.core.storage.local import LocalStorage
from app.routers.dependencies import components_of

router = APIRouter(prefix="/media", tags=["media"])

# Only the image types photos are stored as; any other extension is not served.
MEDIA_TYPES = {"jpg": "image/jpeg", "jpeg": "image/jpeg", "png": "image/png", "webp": "image/webp"}
# Keys are never reused for other content, so caches may keep a file forever.
IMMUTABLE = "public, max-age=31536000, immutable"

_FILE: dict[int | str, dict[str, Any]] = {
    200: {
        "description": "The file's bytes.",
        "content": {
            media_type: {"schema": {"type": "string", "format": "binary"}}
            for media_type in dict.fromkeys(MEDIA_TYPES.values())
        },
    }
}


@router.get(
    "/{key:path}",
    operation_id="getMediaFile",
    summary="Download a stored photo",
    response_class=FileResponse,
    responses=merge_responses(_FILE, problem_responses(NotFound)),
)
async def get_media_file(
    key: Annotated[str, Path(description="The photo's storage key, e.g. `listings/…/….jpg`.")],
    request: Request,
) -> FileResponse:
    """A file of the local photo storage, by the key in its URL (cacheable forever).

    404 for a key that holds nothing, one that is not a storage key, and every key
    when photos are kept in an S3 bucket (their URLs point at the bucket).
    """
    storage = components_of(request).storage
    media_type = MEDIA_TYPES.get(key.rpartition(".")[2])
    path = None
    if isinstance(storage, LocalStorage) and media_type is not None:
        path = await storage.file(key)
    if path is None or media_type is None:
        raise NotFound("No stored file at this path.")
    return FileResponse(path, media_type=media_type, headers={"Cache-Control": IMMUTABLE})
