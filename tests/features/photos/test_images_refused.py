"""Refused uploads: other types, decompression bombs, truncation, appended payloads."""

from pathlib import Path

import pytest
from PIL import Image

from app.features.photos.images import ImageRejectedError, process_image
from tests.features.photos.samples import (
    HTML,
    PDF,
    encode,
    picture,
    png_declaring,
    write,
    zip_archive,
)

NOT_ACCEPTED = "not a JPEG, PNG or WebP image"
CORRUPT = "the image is truncated or corrupt"


def _refusal(tmp_path: Path, data: bytes, name: str = "photo.jpg") -> str:
    source = write(tmp_path, data, name)
    with pytest.raises(ImageRejectedError) as refused:
        process_image(source, tmp_path)
    assert list(tmp_path.iterdir()) == [source], "nothing is written for a refused file"
    return refused.value.reason


def _jpeg() -> bytes:
    return encode(picture((400, 300)), "JPEG")


@pytest.mark.parametrize(
    "data",
    [
        pytest.param(PDF, id="pdf"),
        pytest.param(encode(picture((40, 30)), "GIF"), id="gif"),
        pytest.param(encode(picture((40, 30)), "BMP"), id="bmp"),
        pytest.param(encode(picture((40, 30)), "TIFF"), id="tiff"),
        pytest.param(encode(picture((32, 32)), "ICO"), id="ico"),
        pytest.param(encode(picture((40, 30)), "PPM"), id="ppm"),
        pytest.param(b'<svg xmlns="http://www.w3.org/2000/svg"><script/></svg>', id="svg"),
        pytest.param(b"\x00\x00\x00\x18ftypheic\x00\x00\x00\x00mif1heic" + bytes(64), id="heic"),
        pytest.param(HTML, id="html"),
        pytest.param(b"", id="empty"),
    ],
)
def test_anything_but_jpeg_png_and_webp_is_refused_whatever_its_name(
    tmp_path: Path, data: bytes
) -> None:
    assert _refusal(tmp_path, data, "photo.jpg") == NOT_ACCEPTED


@pytest.mark.parametrize(
    ("width", "height"),
    [(100_000, 100_000), (10_000, 5_000), (12_001, 10), (10, 12_001)],
)
def test_a_decompression_bomb_is_refused_on_its_declared_size(
    tmp_path: Path, width: int, height: int
) -> None:
    bomb = png_declaring(width, height)
    assert len(bomb) < 200

    reason = _refusal(tmp_path, bomb, "bomb.png")

    assert "pixels; at most 40,000,000 pixels and 12,000 on a side are accepted" in reason


def test_the_declared_size_is_named_in_the_refusal(tmp_path: Path) -> None:
    assert _refusal(tmp_path, png_declaring(10_000, 5_000)).startswith(
        "the image is 10000x5000 pixels"
    )


@pytest.mark.filterwarnings("error::PIL.Image.DecompressionBombWarning")
def test_pillows_own_bomb_warning_is_a_refusal_even_when_warnings_are_errors(
    tmp_path: Path,
) -> None:
    declared = 12_000 * 9_000
    assert Image.MAX_IMAGE_PIXELS is not None
    assert Image.MAX_IMAGE_PIXELS < declared < 2 * Image.MAX_IMAGE_PIXELS

    assert "at most 40,000,000 pixels" in _refusal(tmp_path, png_declaring(12_000, 9_000))


@pytest.mark.parametrize("image_format", ["JPEG", "PNG", "WEBP"])
def test_a_file_cut_in_half_is_refused(tmp_path: Path, image_format: str) -> None:
    data = encode(picture((400, 300)), image_format)

    assert _refusal(tmp_path, data[: len(data) // 2]) == CORRUPT


@pytest.mark.parametrize("image_format", ["JPEG", "WEBP"])
def test_a_corrupt_pixel_stream_is_refused(tmp_path: Path, image_format: str) -> None:
    data = bytearray(encode(picture((400, 300)), image_format))
    data[len(data) // 2 : len(data) // 2 + 32] = b"\xff" * 32

    assert _refusal(tmp_path, bytes(data)) == CORRUPT


def test_a_jpeg_missing_its_middle_but_ending_in_an_end_marker_is_stored_re_encoded(
    tmp_path: Path,
) -> None:
    # libjpeg fills the missing scan lines with grey and only warns, which Pillow does
    # not report: such a file is a damaged picture, but harmless once re-encoded.
    data = _jpeg()

    result = process_image(write(tmp_path, data[: len(data) // 2] + b"\xff\xd9"), tmp_path)

    assert (result.original.width, result.original.height) == (400, 300)


def test_a_png_with_a_corrupt_pixel_stream_is_refused(tmp_path: Path) -> None:
    data = bytearray(encode(picture((400, 300)), "PNG"))
    idat = data.index(b"IDAT") + 8
    data[idat : idat + 16] = bytes(16)

    assert _refusal(tmp_path, bytes(data), "photo.png") == CORRUPT


@pytest.mark.parametrize(
    ("image_format", "payload"),
    [
        pytest.param("JPEG", zip_archive(), id="jpeg+zip"),
        pytest.param("JPEG", HTML, id="jpeg+html"),
        pytest.param("JPEG", PDF, id="jpeg+pdf"),
        pytest.param("PNG", zip_archive(), id="png+zip"),
        pytest.param("PNG", HTML, id="png+html"),
        pytest.param("WEBP", HTML, id="webp+html"),
    ],
)
def test_a_polyglot_with_data_after_the_image_is_refused(
    tmp_path: Path, image_format: str, payload: bytes
) -> None:
    polyglot = encode(picture((200, 100)), image_format) + payload

    assert _refusal(tmp_path, polyglot).startswith("the file carries ")


@pytest.mark.parametrize(
    "padding", [bytes(4096), b"\r\n", b"0123456789abcdef"], ids=["nul", "newline", "short"]
)
def test_nul_padding_and_a_few_stray_bytes_after_the_image_are_tolerated(
    tmp_path: Path, padding: bytes
) -> None:
    result = process_image(write(tmp_path, _jpeg() + padding), tmp_path)

    assert result.original.path.read_bytes().endswith(b"\xff\xd9"), "the padding is not stored"


def test_a_png_without_its_end_chunk_is_refused(tmp_path: Path) -> None:
    data = encode(picture((40, 30)), "PNG")

    assert _refusal(tmp_path, data[: data.rindex(b"IEND") - 4], "photo.png") == CORRUPT
