"""Decoding an uploaded image, by content alone, into the renditions that are stored."""

from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class Rendition:
    """One stored file of a photo: where it was written, its type and its size in pixels."""

    path: Path
    content_type: str
    extension: str
    width: int
    height: int


@dataclass(frozen=True)
class ProcessedImage:
    """An accepted image: the full-size copy without metadata, a web size and a thumbnail."""

    original: Rendition
    web: Rendition
    thumbnail: Rendition


class ImageRejectedError(Exception):
    """The file is not an image this service accepts; `reason` says why, for the client."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason
