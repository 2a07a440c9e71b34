"""Where an image file's own data ends, to find bytes appended after it (polyglots).

Each function reads only the container's framing, never the pixels, and answers how
many bytes follow the end of the image, or None when no end is found.
"""

import struct

_PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
_JPEG_END = b"\xff\xd9"


def bytes_after_image(data: bytes, image_format: str) -> int | None:
    """How many bytes of `data` follow the end of its image.

    Args:
        data: the whole file.
        image_format: the format Pillow identified: "JPEG", "MPO", "PNG" or "WEBP".

    Returns:
        The count of trailing bytes, or None when the end of the image is not found.
    """
    if image_format == "PNG":
        return _after_png(data)
    if image_format == "WEBP":
        return _after_webp(data)
    return _after_jpeg(data)


def _after_jpeg(data: bytes) -> int | None:
    """Bytes after the file's last EOI marker.

    The last marker, not the first image's: multi-picture JPEGs (MPF depth and gain
    maps of phone cameras) append further complete JPEGs, which end with EOI too.
    """
    end = data.rfind(_JPEG_END)
    return None if end < 0 else len(data) - end - len(_JPEG_END)


def _after_png(data: bytes) -> int | None:
    """Bytes after the IEND chunk, found by walking the chunks from the signature."""
    position = len(_PNG_SIGNATURE)
    while position + 8 <= len(data):
        length, chunk_type = struct.unpack_from(">I4s", data, position)
        position += 12 + length  # length, type, data, CRC
        if chunk_type == b"IEND":
            return len(data) - position if position <= len(data) else None
    return None


def _after_webp(data: bytes) -> int | None:
    """Bytes after the RIFF container, whose header states its size."""
    if len(data) < 12:
        return None
    (size,) = struct.unpack_from("<I", data, 4)
    end = 8 + size + (size & 1)  # RIFF pads odd sizes with one byte
    return len(data) - end if end <= len(data) else None
