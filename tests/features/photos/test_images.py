"""Accepted uploads: the renditions written, their sizes and types, what they no longer carry."""

from pathlib import Path

import pytest
from PIL import ExifTags, Image

from app.features.photos.images import (
    THUMBNAIL_SIDE,
    WEB_SIDE,
    ProcessedImage,
    Rendition,
    process_image,
)
from tests.features.photos.samples import HTML, camera_jpeg, encode, picture, png_chunk, write

RED = (255, 0, 0)
BLUE = (0, 0, 255)


def _renditions(result: ProcessedImage) -> list[Rendition]:
    return [result.original, result.web, result.thumbnail]


def _pixel(image: Image.Image, xy: tuple[int, int]) -> tuple[int, ...]:
    value = image.convert("RGBA").getpixel(xy)
    assert isinstance(value, tuple)
    return value


def _close(actual: tuple[int, ...], expected: tuple[int, ...], tolerance: int = 40) -> bool:
    return all(abs(a - e) <= tolerance for a, e in zip(actual, expected, strict=False))


def _assert_decodes_as_recorded(rendition: Rendition, workdir: Path) -> None:
    assert rendition.path.parent == workdir
    with Image.open(rendition.path) as stored:
        stored.load()
        assert stored.size == (rendition.width, rendition.height)
        assert Image.MIME[stored.format or ""] == rendition.content_type
    assert rendition.path.suffix == f".{rendition.extension}"


@pytest.mark.parametrize(
    ("mode", "image_format", "content_type", "extension"),
    [
        ("RGB", "JPEG", "image/jpeg", "jpg"),
        ("L", "JPEG", "image/jpeg", "jpg"),
        ("CMYK", "JPEG", "image/jpeg", "jpg"),
        ("RGB", "PNG", "image/png", "png"),
        ("RGBA", "PNG", "image/png", "png"),
        ("P", "PNG", "image/png", "png"),
        ("LA", "PNG", "image/png", "png"),
        ("L", "PNG", "image/png", "png"),
        ("I;16", "PNG", "image/png", "png"),
        ("RGB", "WEBP", "image/webp", "webp"),
        ("RGBA", "WEBP", "image/webp", "webp"),
    ],
)
def test_each_accepted_format_and_mode_gives_three_renditions(
    tmp_path: Path, mode: str, image_format: str, content_type: str, extension: str
) -> None:
    source = write(tmp_path, encode(picture((2400, 1800), mode), image_format), "photo.bin")

    result = process_image(source, tmp_path)

    assert (result.original.content_type, result.original.extension) == (content_type, extension)
    assert (result.original.width, result.original.height) == (2400, 1800)
    assert (result.web.width, result.web.height) == (1600, 1200)
    assert (result.thumbnail.width, result.thumbnail.height) == (400, 300)
    for small in (result.web, result.thumbnail):
        assert (small.content_type, small.extension) == ("image/webp", "webp")
    for rendition in _renditions(result):
        _assert_decodes_as_recorded(rendition, tmp_path)


def test_a_jpeg_original_never_carries_alpha_and_keeps_its_colours(tmp_path: Path) -> None:
    result = process_image(write(tmp_path, encode(picture((600, 400)), "JPEG")), tmp_path)

    with Image.open(result.original.path) as original:
        assert original.mode == "RGB"
        assert _close(_pixel(original, (10, 200)), RED)
        assert _close(_pixel(original, (590, 200)), BLUE)


def test_transparency_survives_in_png_and_webp_renditions(tmp_path: Path) -> None:
    result = process_image(write(tmp_path, encode(picture((800, 600), "RGBA"), "PNG")), tmp_path)

    for rendition in _renditions(result):
        with Image.open(rendition.path) as stored:
            assert _pixel(stored, (1, 1))[3] == pytest.approx(128, abs=2)


@pytest.mark.parametrize(
    ("size", "web", "thumbnail"),
    [
        ((800, 600), (800, 600), (400, 300)),
        ((300, 200), (300, 200), (300, 200)),
        ((1, 1), (1, 1), (1, 1)),
        ((1600, 1600), (1600, 1600), (400, 400)),
        ((1000, 3000), (533, 1600), (133, 400)),
        ((12000, 10), (1600, 1), (400, 1)),
    ],
)
def test_renditions_are_bounded_never_enlarged_and_keep_the_aspect(
    tmp_path: Path, size: tuple[int, int], web: tuple[int, int], thumbnail: tuple[int, int]
) -> None:
    result = process_image(write(tmp_path, encode(picture(size), "PNG")), tmp_path)

    assert (result.original.width, result.original.height) == size
    assert (result.web.width, result.web.height) == web
    assert (result.thumbnail.width, result.thumbnail.height) == thumbnail
    assert max(web) <= WEB_SIDE
    assert max(thumbnail) <= THUMBNAIL_SIDE


def test_orientation_is_applied_and_camera_metadata_is_gone(tmp_path: Path) -> None:
    result = process_image(write(tmp_path, camera_jpeg((300, 100), orientation=6)), tmp_path)

    assert (result.original.width, result.original.height) == (100, 300)
    assert (result.thumbnail.width, result.thumbnail.height) == (100, 300)
    for rendition in _renditions(result):
        with Image.open(rendition.path) as stored:
            assert len(stored.getexif()) == 0
            assert not stored.getexif().get_ifd(ExifTags.IFD.GPSInfo)
            assert not {"exif", "xmp", "XML:com.adobe.xmp", "comment", "icc_profile"} & set(
                stored.info
            )
            # Orientation 6 turns the picture a quarter clockwise: its red left half is on top.
            assert _close(_pixel(stored, (50, 10)), RED)
            assert _close(_pixel(stored, (50, 290)), BLUE)
        data = rendition.path.read_bytes()
        assert b"Exif" not in data
        assert b"GPSLatitude" not in data
        assert HTML not in data


def test_text_chunks_of_a_png_are_not_stored(tmp_path: Path) -> None:
    clean = encode(picture((64, 64)), "PNG")
    iend = clean.rindex(b"IEND") - 4
    with_text = clean[:iend] + png_chunk(b"tEXt", b"Comment\x00" + HTML) + clean[iend:]

    result = process_image(write(tmp_path, with_text, "photo.png"), tmp_path)

    for rendition in _renditions(result):
        assert HTML not in rendition.path.read_bytes()
        with Image.open(rendition.path) as stored:
            assert "Comment" not in stored.info


@pytest.mark.parametrize("image_format", ["PNG", "WEBP", "MPO"])
def test_an_animated_or_multi_picture_file_keeps_its_first_frame(
    tmp_path: Path, image_format: str
) -> None:
    frames = [Image.new("RGB", (120, 80), colour) for colour in (RED, BLUE, BLUE)]
    data = encode(frames[0], image_format, save_all=True, append_images=frames[1:], duration=100)

    result = process_image(write(tmp_path, data), tmp_path)

    assert result.original.content_type == (
        "image/jpeg" if image_format == "MPO" else f"image/{image_format.lower()}"
    )
    for rendition in _renditions(result):
        with Image.open(rendition.path) as stored:
            assert getattr(stored, "n_frames", 1) == 1
            assert _close(_pixel(stored, (5, 5)), RED)


def test_files_get_fresh_names_of_their_own(tmp_path: Path) -> None:
    source = write(tmp_path, encode(picture((50, 50)), "JPEG"), "evil.php")

    first = process_image(source, tmp_path)
    second = process_image(source, tmp_path)

    paths = {rendition.path for rendition in _renditions(first) + _renditions(second)}
    assert len(paths) == 6
    assert all("evil" not in path.name for path in paths)
    assert all(path.exists() for path in paths)
