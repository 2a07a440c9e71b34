"""Properties of image processing: bounds and aspect for any size, only refusals for any bytes."""

import contextlib
import tempfile
from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st

from app.features.photos.images import (
    THUMBNAIL_SIDE,
    WEB_SIDE,
    ImageRejectedError,
    Rendition,
    process_image,
)
from tests.features.photos.samples import encode, picture
from tests.property import PROPERTY

IMAGE_PROPERTY = settings(PROPERTY, max_examples=30)

sides = st.integers(min_value=1, max_value=2600)
formats = st.sampled_from(["JPEG", "PNG", "WEBP"])
MAGIC = [b"", b"\xff\xd8\xff\xe0", b"\x89PNG\r\n\x1a\n", b"RIFF\x00\x01\x00\x00WEBPVP8 ", b"GIF89a"]
SEEDS = [
    encode(picture((48, 32), mode), image_format)
    for mode, image_format in [("RGB", "JPEG"), ("RGBA", "PNG"), ("RGBA", "WEBP")]
]


def _process(data: bytes) -> None:
    with tempfile.TemporaryDirectory() as folder:
        source = Path(folder) / "upload.jpg"
        source.write_bytes(data)
        with contextlib.suppress(ImageRejectedError):
            process_image(source, Path(folder))


def _assert_fits(rendition: Rendition, size: tuple[int, int], side: int) -> None:
    width, height = size
    assert max(rendition.width, rendition.height) == min(side, max(width, height))
    assert rendition.width <= width
    assert rendition.height <= height
    # Aspect kept: the short side is within 1 px of its exact scaled length.
    assert abs(rendition.width * height - rendition.height * width) <= max(width, height)


@IMAGE_PROPERTY
@given(width=sides, height=sides, image_format=formats)
def test_renditions_fit_their_bounds_and_keep_the_aspect(
    width: int, height: int, image_format: str
) -> None:
    with tempfile.TemporaryDirectory() as folder:
        source = Path(folder) / "upload"
        source.write_bytes(encode(picture((width, height)), image_format))

        result = process_image(source, Path(folder))

        assert (result.original.width, result.original.height) == (width, height)
        _assert_fits(result.web, (width, height), WEB_SIDE)
        _assert_fits(result.thumbnail, (width, height), THUMBNAIL_SIDE)


@IMAGE_PROPERTY
@given(magic=st.sampled_from(MAGIC), body=st.binary(max_size=4096))
def test_arbitrary_bytes_are_processed_or_refused_never_anything_else(
    magic: bytes, body: bytes
) -> None:
    _process(magic + body)


@IMAGE_PROPERTY
@given(
    seed=st.sampled_from(SEEDS),
    edits=st.lists(st.tuples(st.integers(min_value=0), st.integers(0, 255)), max_size=8),
    cut=st.integers(min_value=0),
)
def test_damaged_real_images_are_processed_or_refused_never_anything_else(
    seed: bytes, edits: list[tuple[int, int]], cut: int
) -> None:
    damaged = bytearray(seed)
    for position, value in edits:
        damaged[position % len(damaged)] = value
    _process(bytes(damaged[: len(damaged) - cut % 64]))
