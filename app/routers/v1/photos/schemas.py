"""How photos are shown: in their own routes and inside listing documents."""

from collections.abc import Callable, Mapping
from typing import Any
from uuid import UUID

from fastapi import UploadFile
from pydantic import BaseModel, Field

PhotoUrl = Callable[[str], str]
"""Where a browser loads a stored object, by its key."""


class PhotoRead(BaseModel):
    """A photo of a listing: its place (position 0 is the cover), size and where to load it."""

    id: UUID
    position: int = Field(ge=0, description="Display order, from 0; the photo at 0 is the cover.")
    cover: bool
    width: int = Field(description="Width of the full-size image, in pixels.")
    height: int = Field(description="Height of the full-size image, in pixels.")
    content_type: str = Field(examples=["image/jpeg"])
    url: str = Field(description="The web rendition (at most 1600 px on its long side).")
    thumbnail_url: str = Field(description="The thumbnail (at most 400 px on its long side).")


class PhotoUpload(BaseModel):
    """The multipart form of an upload."""

    model_config = {"extra": "forbid"}

    file: UploadFile = Field(description="A JPEG, PNG or WebP image (10 MiB at most).")


class PhotoUpdate(BaseModel):
    """Move a photo: to a position, or to the front as the listing's cover."""

    model_config = {
        "extra": "forbid",
        "json_schema_extra": {"examples": [{"cover": True}, {"position": 2}]},
    }

    position: int | None = Field(default=None, ge=0, le=29)
    cover: bool = Field(default=False, description="True makes this photo the cover (position 0).")


def photo_document(entry: Mapping[str, Any], url: PhotoUrl) -> dict[str, Any]:
    """A photo as `PhotoRead` shows it, from its entry in the listing's `photos`."""
    return {
        "id": str(entry["id"]),
        "position": entry["position"],
        "cover": entry["position"] == 0,
        "width": entry["width"],
        "height": entry["height"],
        "content_type": entry["content_type"],
        "url": url(entry["web_key"]),
        "thumbnail_url": url(entry["thumbnail_key"]),
    }
