"""Decoding an uploaded image, by content alone, into the renditions that are stored.

What is checked, in order, before a byte is written (docs/security.md, "Uploaded
images"):

- the type, from the content: only Pillow's JPEG (MPO, the multi-picture JPEG of phone
  cameras, included), PNG and WebP readers are tried;
- the dimensions the header declares, before any pixel is decoded (decompression bombs);
- data appended after the image's end (polyglots), beyond `TRAILING_BYTES_TOLERANCE`;
- every pixel of the first frame decodes (truncated or corrupt files).

The renditions are re-encoded from the pixels alone: EXIF orientation is applied, the
colours are converted to sRGB with the embedded ICC profile, and nothing else of the
upload (EXIF, GPS, XMP, ICC profile, comments, text chunks, other frames, appended data)
reaches storage. Animated images keep their first frame.
"""

import asyncio
import io
import os
import secrets
import struct
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from PIL import Image, ImageCms, ImageOps, UnidentifiedImageError

from app.features.photos.image_trailers import bytes_after_image

MAX_PIXELS = 40_000_000
MAX_SIDE = 12_000
WEB_SIDE = 1600
THUMBNAIL_SIDE = 400
TRAILING_BYTES_TOLERANCE = 32

_READERS = ("JPEG", "PNG", "WEBP")
_ACCEPTED_FORMATS = {"JPEG": "JPEG", "MPO": "JPEG", "PNG": "PNG", "WEBP": "WEBP"}
_DECODE_ERRORS = (
    OSError,
    SyntaxError,
    ValueError,
    EOFError,
    struct.error,
    Image.DecompressionBombError,
    Image.DecompressionBombWarning,
)
_SRGB = ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB"))
_WHITE = (255, 255, 255)


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


@dataclass(frozen=True)
class _Encoding:
    """How one output format is written."""

    pillow_format: str
    content_type: str
    extension: str
    options: dict[str, Any]


_ENCODINGS = {
    "JPEG": _Encoding("JPEG", "image/jpeg", "jpg", {"quality": 90, "optimize": True}),
    "PNG": _Encoding("PNG", "image/png", "png", {"optimize": True}),
    "WEBP": _Encoding("WEBP", "image/webp", "webp", {"quality": 90}),
}
# The web size and the thumbnail: WebP has alpha, every current browser shows it, and
# it is smaller than JPEG at the same quality.
_SMALL = _Encoding("WEBP", "image/webp", "webp", {"quality": 80})


def process_image(source: Path, workdir: Path) -> ProcessedImage:
    """Check an uploaded file and write its renditions into `workdir`.

    CPU-bound and synchronous: call it from a worker thread (see `ImageProcessor`).
    Nothing is written unless every check passes. The files get fresh random names.

    Args:
        source: the uploaded file, whatever its name says.
        workdir: an existing folder for the renditions.

    Returns:
        The original (full size, the upload's format), web (at most `WEB_SIDE` on
        the long side) and thumbnail (at most `THUMBNAIL_SIDE`) renditions.

    Raises:
        ImageRejectedError: the file is not an image this service accepts.
    """
    data = source.read_bytes()
    image = _open(data)
    _check_dimensions(*image.size)
    _check_trailing_bytes(data, image.format or "")
    pixels = _clean_pixels(image)
    stem = secrets.token_hex(16)
    original = _write(pixels, _ENCODINGS[_ACCEPTED_FORMATS[image.format or ""]], workdir, stem)
    web_pixels = _fit(pixels, WEB_SIDE)
    return ProcessedImage(
        original=original,
        web=_write(web_pixels, _SMALL, workdir, f"{stem}-web"),
        thumbnail=_write(_fit(web_pixels, THUMBNAIL_SIDE), _SMALL, workdir, f"{stem}-thumbnail"),
    )


class ImageProcessor:
    """Runs `process_image` in worker threads, at most `max_concurrency` at once.

    Decoding a large photo keeps a core busy and holds its pixels in memory, so a
    burst of uploads waits its turn instead of all decoding together. Pillow releases
    the GIL while decoding and resizing, so the threads do run in parallel.
    """

    def __init__(self, max_concurrency: int | None = None) -> None:
        self.max_concurrency = max_concurrency or os.cpu_count() or 1
        self._slots = asyncio.Semaphore(self.max_concurrency)

    async def process(self, source: Path, workdir: Path) -> ProcessedImage:
        """`process_image` off the event loop, once a slot is free.

        Raises:
            ImageRejectedError: the file is not an image this service accepts.
        """
        async with self._slots:
            return await asyncio.to_thread(self._process_now, source, workdir)

    def _process_now(self, source: Path, workdir: Path) -> ProcessedImage:
        """The work of one call, in its worker thread."""
        return process_image(source, workdir)


def _open(data: bytes) -> Image.Image:
    """Read the header with the accepted readers only; no pixel is decoded yet."""
    try:
        image = Image.open(io.BytesIO(data), formats=_READERS)
    except UnidentifiedImageError as error:
        raise ImageRejectedError("not a JPEG, PNG or WebP image") from error
    except (Image.DecompressionBombError, Image.DecompressionBombWarning) as error:
        raise _too_large() from error
    except _DECODE_ERRORS as error:
        raise ImageRejectedError("the image is truncated or corrupt") from error
    if image.format not in _ACCEPTED_FORMATS:
        raise ImageRejectedError("not a JPEG, PNG or WebP image")
    return image


def _too_large(size: str = "far too many") -> ImageRejectedError:
    return ImageRejectedError(
        f"the image is {size} pixels; at most {MAX_PIXELS:,} pixels and "
        f"{MAX_SIDE:,} on a side are accepted"
    )


def _check_dimensions(width: int, height: int) -> None:
    """Refuse decompression bombs on the size the header declares."""
    if width < 1 or height < 1:
        raise ImageRejectedError("the image is truncated or corrupt")
    if width * height > MAX_PIXELS or max(width, height) > MAX_SIDE:
        raise _too_large(f"{width}x{height}")


def _check_trailing_bytes(data: bytes, image_format: str) -> None:
    """Refuse files carrying other data after the image (NUL padding is let through)."""
    after = bytes_after_image(data, image_format)
    if after is None:
        raise ImageRejectedError("the image is truncated or corrupt")
    extra = len(data[len(data) - after :].strip(b"\x00")) if after else 0
    if extra > TRAILING_BYTES_TOLERANCE:
        raise ImageRejectedError(f"the file carries {extra:,} bytes of other data after the image")


def _clean_pixels(image: Image.Image) -> Image.Image:
    """The first frame, decoded, upright, in sRGB, in mode L, RGB or RGBA, with no metadata."""
    try:
        image.load()
        upright = ImageOps.exif_transpose(image)
    except _DECODE_ERRORS as error:
        raise ImageRejectedError("the image is truncated or corrupt") from error
    pixels = _working_mode(_to_srgb(upright))
    pixels.info = {}
    return pixels


def _to_srgb(image: Image.Image) -> Image.Image:
    """Convert colour with the embedded ICC profile, so the stored copy needs none.

    A profile that cannot be read is ignored: the pixels are taken as sRGB already.
    """
    profile = image.info.get("icc_profile")
    if not profile or image.mode not in ("RGB", "RGBA", "CMYK"):
        return image
    output_mode = "RGBA" if image.mode == "RGBA" else "RGB"
    try:
        embedded = ImageCms.ImageCmsProfile(io.BytesIO(profile))
        converted = ImageCms.profileToProfile(image, embedded, _SRGB, outputMode=output_mode)
    except (ImageCms.PyCMSError, OSError, ValueError, TypeError):
        return image
    return converted if converted is not None else image


def _working_mode(image: Image.Image) -> Image.Image:
    """The image in mode L, RGB or RGBA, which every encoder and resampler handles."""
    if image.mode in ("L", "RGB", "RGBA"):
        return image
    if image.mode.startswith("I"):  # 16-bit greyscale PNG: scale, do not clip, to 8 bits
        return image.convert("I").point(lambda value: value * (1 / 256)).convert("L")
    return image.convert("RGBA" if image.has_transparency_data else "RGB")


def _fit(image: Image.Image, side: int) -> Image.Image:
    """The image scaled to at most `side` on its long side, never enlarged."""
    width, height = image.size
    scale = side / max(width, height)
    if scale >= 1:
        return image
    size = (max(1, round(width * scale)), max(1, round(height * scale)))
    return image.resize(size, Image.Resampling.LANCZOS, reducing_gap=3.0)


def _write(image: Image.Image, encoding: _Encoding, workdir: Path, stem: str) -> Rendition:
    """Encode `image` into a new file of `workdir`; only the given options, no metadata."""
    if encoding.pillow_format == "JPEG" and image.mode == "RGBA":
        image = _flatten(image)
    path = workdir / f"{stem}.{encoding.extension}"
    with path.open("xb") as file:
        image.save(file, format=encoding.pillow_format, **encoding.options)
    return Rendition(path, encoding.content_type, encoding.extension, *image.size)


def _flatten(image: Image.Image) -> Image.Image:
    """An RGBA image over white, for JPEG, which has no alpha."""
    background = Image.new("RGB", image.size, _WHITE)
    background.paste(image, mask=image.getchannel("A"))
    return background
