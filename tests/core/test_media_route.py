"""GET /media/{key}: the local backend's files, served by the API and nothing else."""

import dataclasses
from pathlib import Path
from typing import Any

import httpx
import pytest

from app.core.storage.base import new_key
from app.core.storage.local import LocalStorage
from app.core.storage.s3 import S3Options, S3Storage
from app.wiring import Components
from tests.conftest import PROBLEM, assert_problem
from tests.processes import free_port

IMMUTABLE = "public, max-age=31536000, immutable"
HEX = "0123456789abcdef" * 2
SECRET = b"not a photo of the store"


@pytest.fixture
def storage(app: Any, components: Components, tmp_path: Path) -> LocalStorage:
    """The app's storage: a local backend over a directory of this test."""
    local = LocalStorage(tmp_path / "photos")
    (local.root / "listings").mkdir(parents=True)  # `..` can climb out of what exists
    app.state.components = dataclasses.replace(components, storage=local)
    return local


async def stored(storage: LocalStorage, tmp_path: Path, extension: str, content: bytes) -> str:
    upload = tmp_path / f"upload.{extension}"
    upload.write_bytes(content)
    key = new_key("listings/3/photos", extension)
    await storage.put_file(key, upload, content_type="application/octet-stream")
    return key


@pytest.mark.parametrize(
    ("extension", "media_type"),
    [("jpg", "image/jpeg"), ("jpeg", "image/jpeg"), ("png", "image/png"), ("webp", "image/webp")],
)
async def test_a_stored_photo_is_served_with_its_type_and_cached_for_good(
    client: httpx.AsyncClient,
    storage: LocalStorage,
    tmp_path: Path,
    extension: str,
    media_type: str,
) -> None:
    content = b"photo bytes " * 1000
    key = await stored(storage, tmp_path, extension, content)

    response = await client.get(storage.url(key))

    assert response.status_code == 200
    assert response.content == content
    assert response.headers["content-type"] == media_type
    assert response.headers["cache-control"] == IMMUTABLE
    assert response.headers["x-content-type-options"] == "nosniff"
    assert response.headers["content-length"] == str(len(content))


async def test_a_stored_file_of_another_type_is_not_served(
    client: httpx.AsyncClient, storage: LocalStorage, tmp_path: Path
) -> None:
    key = await stored(storage, tmp_path, "html", b"<script>alert(1)</script>")

    response = await client.get(f"/media/{key}")

    assert_problem(response, 404, "NOT_FOUND", f"/media/{key}")


@pytest.fixture
def outside(tmp_path: Path) -> Path:
    """A photo next to the storage root (`../secret.png` from it), which must stay unserved."""
    path = tmp_path / "secret.png"
    path.write_bytes(SECRET)
    return path


@pytest.mark.parametrize(
    "path",
    [
        f"/media/listings/3/photos/{HEX}.jpg",  # a key that holds nothing
        "/media/listings/3/photos/photo.jpg",  # not a key
        "/media/%2E%2E/secret.png",  # encoded traversal
        "/media/..%2Fsecret.png",
        "/media/listings/%2E%2E/%2E%2E/secret.png",
        "/media/%2E%2E%2F%2E%2E%2Fetc%2Fpasswd",
        "/media/{outside}",  # an absolute path
        "/media/%2F{outside}",
        "/media/",
    ],
)
async def test_anything_but_a_stored_key_is_a_404_problem(
    client: httpx.AsyncClient, storage: LocalStorage, outside: Path, path: str
) -> None:
    response = await client.get(path.format(outside=outside.as_posix().lstrip("/")))

    assert response.status_code == 404
    assert response.headers["content-type"] == PROBLEM
    assert response.json()["code"] == "NOT_FOUND"
    assert SECRET.decode() not in response.text


async def asgi_get(app: Any, raw_path: str) -> tuple[int, dict[str, str], bytes]:
    """A GET with its path exactly as written: HTTP clients resolve `..` before sending."""
    messages: list[dict[str, Any]] = []
    sent = False

    async def receive() -> dict[str, Any]:
        nonlocal sent
        if sent:
            return {"type": "http.disconnect"}
        sent = True
        return {"type": "http.request", "body": b"", "more_body": False}

    async def send(message: dict[str, Any]) -> None:
        messages.append(message)

    scope = {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": "GET",
        "scheme": "http",
        "path": raw_path,
        "raw_path": raw_path.encode(),
        "query_string": b"",
        "root_path": "",
        "headers": [(b"host", b"test")],
        "client": ("127.0.0.1", 50000),
        "server": ("test", 80),
    }
    await app(scope, receive, send)
    start = next(message for message in messages if message["type"] == "http.response.start")
    headers = {name.decode(): value.decode() for name, value in start["headers"]}
    body = b"".join(m.get("body", b"") for m in messages if m["type"] == "http.response.body")
    return start["status"], headers, body


@pytest.mark.parametrize(
    "raw_path",
    [
        "/media/../secret.png",
        "/media/listings/../../secret.png",
        "/media/listings/3/photos/../../../../secret.png",
        "/media/../../../etc/passwd",
        "/media/{outside}",
    ],
)
async def test_dot_segments_sent_as_is_are_a_404_problem(
    app: Any, storage: LocalStorage, outside: Path, raw_path: str
) -> None:
    status, headers, body = await asgi_get(app, raw_path.format(outside=outside.as_posix()))

    assert status == 404
    assert headers["content-type"] == PROBLEM
    assert b"NOT_FOUND" in body
    assert SECRET not in body


async def test_a_link_out_of_the_root_is_not_followed(
    client: httpx.AsyncClient, storage: LocalStorage, outside: Path
) -> None:
    key = f"listings/3/photos/{HEX}.png"
    link = storage.root / key
    link.parent.mkdir(parents=True, exist_ok=True)
    link.symlink_to(outside)

    response = await client.get(f"/media/{key}")

    assert_problem(response, 404, "NOT_FOUND", f"/media/{key}")


async def test_with_an_s3_bucket_the_api_serves_no_media(
    app: Any, client: httpx.AsyncClient, components: Components, tmp_path: Path
) -> None:
    local = LocalStorage(tmp_path / "photos")
    key = await stored(local, tmp_path, "png", b"a png")
    # The S3 backend is never called: nothing needs to listen at its endpoint.
    bucket = S3Storage(S3Options(bucket="photos", endpoint_url=f"http://127.0.0.1:{free_port()}"))
    app.state.components = dataclasses.replace(components, storage=bucket)

    response = await client.get(local.url(key))

    assert_problem(response, 404, "NOT_FOUND", f"/media/{key}")
