"""Both object-storage backends pass the same tests of the interface the photos use.

The local backend writes to a temporary directory; the S3 backend talks to a real S3
API (moto's server) over HTTP, and what it stores is fetched through its presigned URLs.
"""

import asyncio
import dataclasses
import hashlib
import os
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from app.core.storage.base import ObjectStorage, StorageUnavailableError, new_key
from app.core.storage.local import LocalStorage
from app.core.storage.s3 import IMMUTABLE, S3Options, S3Storage
from tests.processes import free_port
from tests.s3_server import S3Server

PNG = b"\x89PNG\r\n\x1a\n" + b"not really an image, but bytes all the same" * 10
BIG_BYTES = 12 * 1024 * 1024  # above the 8 MiB multipart threshold: two parts
GUARD_SECONDS = 30  # a call to an unreachable store must end long before this

INVALID_KEYS = [
    "../outside.png",
    "listings/../../etc/passwd",
    "/etc/passwd",
    "listings/1/photos/photo.png",  # a client's file name, not a generated key
    f"Listings/1/{'a' * 32}.png",
    f"listings/1/{'a' * 32}.png/..",
    f"listings/1/{'a' * 31}.png",
    "",
]


@dataclasses.dataclass
class Served:
    """What loading a stored object's URL gave."""

    status: int
    content: bytes = b""
    content_type: str | None = None
    cache_control: str | None = None


@dataclasses.dataclass
class Backend:
    """A backend under test and how to load what its URLs point at."""

    name: str
    storage: ObjectStorage
    root: Path | None = None  # the local backend's directory

    async def load(self, key: str) -> Served:
        """Load `key` through the URL the backend gives for it."""
        url = self.storage.url(key)
        if self.root is not None:  # the API serves it (tests/core/test_media_route.py)
            assert url == f"/media/{key}"
            path = self.root / key
            return Served(200, path.read_bytes()) if path.is_file() else Served(404)
        async with httpx.AsyncClient() as client:
            response = await client.get(url)
        return Served(
            response.status_code,
            response.content,
            response.headers.get("content-type"),
            response.headers.get("cache-control"),
        )


def s3_storage(server: S3Server, **changes: Any) -> S3Storage:
    """The S3 backend over the test server's bucket."""
    options = S3Options(
        bucket=server.bucket,
        endpoint_url=server.endpoint_url,
        region=server.region,
        access_key_id=server.access_key_id,
        secret_access_key=server.secret_access_key,
    )
    return S3Storage(dataclasses.replace(options, **changes))


@pytest.fixture(params=["local", "s3"])
async def backend(
    request: pytest.FixtureRequest, tmp_path: Path, s3: S3Server
) -> AsyncIterator[Backend]:
    if request.param == "local":
        root = tmp_path / "photos"
        chosen = Backend("local", LocalStorage(root), root)
    else:
        chosen = Backend("s3", s3_storage(s3))
    yield chosen
    await chosen.storage.close()


@pytest.fixture
def photo(tmp_path: Path) -> Path:
    path = tmp_path / "upload.png"
    path.write_bytes(PNG)
    return path


def photo_key() -> str:
    return new_key("listings/7/photos", "png")


async def test_a_stored_file_exists_and_its_url_serves_its_bytes(
    backend: Backend, photo: Path
) -> None:
    key = photo_key()
    assert not await backend.storage.exists(key)

    await backend.storage.put_file(key, photo, content_type="image/png")

    assert await backend.storage.exists(key)
    served = await backend.load(key)
    assert served.status == 200
    assert served.content == PNG
    if backend.name == "s3":
        assert served.content_type == "image/png"
        assert served.cache_control == IMMUTABLE == "public, max-age=31536000, immutable"


async def test_delete_removes_the_objects_and_missing_keys_are_fine(
    backend: Backend, photo: Path
) -> None:
    kept, removed, never_stored = photo_key(), photo_key(), photo_key()
    for key in (kept, removed):
        await backend.storage.put_file(key, photo, content_type="image/png")

    await backend.storage.delete([removed, never_stored])
    await backend.storage.delete([removed])  # again: idempotent
    await backend.storage.delete([])

    assert not await backend.storage.exists(removed)
    assert (await backend.load(removed)).status == 404
    assert await backend.storage.exists(kept)
    assert (await backend.load(kept)).content == PNG


@pytest.mark.parametrize("key", INVALID_KEYS)
async def test_keys_not_made_by_new_key_are_refused(
    backend: Backend, photo: Path, key: str
) -> None:
    with pytest.raises(ValueError, match="not a storage key"):
        await backend.storage.put_file(key, photo, content_type="image/png")
    with pytest.raises(ValueError, match="not a storage key"):
        await backend.storage.exists(key)
    with pytest.raises(ValueError, match="not a storage key"):
        await backend.storage.delete([photo_key(), key])
    with pytest.raises(ValueError, match="not a storage key"):
        backend.storage.url(key)
    if backend.root is not None:
        assert not any(backend.root.parent.rglob("outside.png"))
        assert not backend.root.exists()  # nothing was written anywhere


async def test_a_big_file_round_trips_streamed(backend: Backend, tmp_path: Path) -> None:
    big = tmp_path / "big.webp"
    with big.open("wb") as file:
        for _ in range(BIG_BYTES // (1024 * 1024)):
            file.write(os.urandom(1024 * 1024))
    key = new_key("listings/7/photos", "webp")

    await backend.storage.put_file(key, big, content_type="image/webp")

    served = await backend.load(key)
    assert served.status == 200
    assert len(served.content) == BIG_BYTES
    assert hashlib.sha256(served.content).digest() == hashlib.sha256(big.read_bytes()).digest()


async def test_s3_uploads_a_big_file_in_parts(s3: S3Server, tmp_path: Path) -> None:
    big = tmp_path / "big.jpg"
    big.write_bytes(b"\xff" * BIG_BYTES)
    storage = s3_storage(s3)
    key = new_key("listings/7/photos", "jpg")

    await storage.put_file(key, big, content_type="image/jpeg")
    await storage.close()

    client = s3.client()
    head = client.head_object(Bucket=s3.bucket, Key=key)
    client.close()
    assert head["ETag"].strip('"').endswith("-2")  # a multipart upload of two parts
    assert head["ContentLength"] == BIG_BYTES
    assert head["ContentType"] == "image/jpeg"


async def test_s3_deletes_more_keys_than_one_request_takes(s3: S3Server, photo: Path) -> None:
    storage = s3_storage(s3)
    keys = [photo_key() for _ in range(1500)]
    for key in (keys[0], keys[1200]):  # one in each batch of 1000
        await storage.put_file(key, photo, content_type="image/png")

    await storage.delete(keys)

    assert not await storage.exists(keys[0])
    assert not await storage.exists(keys[1200])
    await storage.close()


async def test_an_unreachable_s3_store_is_unavailable_not_a_hang(
    photo: Path, caplog: pytest.LogCaptureFixture
) -> None:
    nothing_listens = f"http://127.0.0.1:{free_port()}"
    storage = S3Storage(
        S3Options(
            bucket="photos",
            endpoint_url=nothing_listens,
            access_key_id="key",
            secret_access_key="secret",
        )
    )
    key = photo_key()

    async with asyncio.timeout(GUARD_SECONDS):
        with pytest.raises(StorageUnavailableError):
            await storage.put_file(key, photo, content_type="image/png")
        with pytest.raises(StorageUnavailableError):
            await storage.exists(key)
        with pytest.raises(StorageUnavailableError):
            await storage.delete([key])
    warnings = [r.getMessage() for r in caplog.records if r.name == "app.storage"]
    assert len(warnings) == 3
    assert all(line.startswith("object storage unavailable: cannot ") for line in warnings)
    assert f"cannot store {key}: Could not connect to the endpoint URL" in warnings[0]
    # Signing needs no connection: URLs are still made.
    assert storage.url(key).startswith(f"{nothing_listens}/photos/{key}?")
    await storage.close()


async def test_s3_without_its_bucket_is_unavailable(s3: S3Server, photo: Path) -> None:
    storage = s3_storage(s3, bucket="no-such-bucket")

    with pytest.raises(StorageUnavailableError, match="NoSuchBucket"):
        await storage.put_file(photo_key(), photo, content_type="image/png")
    with pytest.raises(StorageUnavailableError, match="NoSuchBucket"):
        await storage.delete([photo_key()])
    await storage.close()


async def test_s3_urls_are_signed_for_the_public_endpoint(s3: S3Server, photo: Path) -> None:
    # Another name of the same server, as a browser would use instead of a compose host name.
    public = f"http://localhost:{s3.port}"
    storage = s3_storage(s3, public_endpoint_url=public)
    key = photo_key()
    await storage.put_file(key, photo, content_type="image/png")

    url = storage.url(key)
    async with httpx.AsyncClient() as client:
        response = await client.get(url)

    assert url.startswith(f"{public}/{s3.bucket}/{key}?")
    assert "X-Amz-Signature=" in url
    assert "X-Amz-Expires=3600" in url
    assert response.status_code == 200
    assert response.content == PNG
    await storage.close()


async def test_s3_urls_without_a_public_endpoint_use_the_endpoint(s3: S3Server) -> None:
    storage = s3_storage(s3, presign_seconds=60)
    key = photo_key()

    url = storage.url(key)

    assert url.startswith(f"{s3.endpoint_url}/{s3.bucket}/{key}?")
    assert "X-Amz-Expires=60" in url


async def test_a_closed_s3_backend_opens_again_when_used(s3: S3Server, photo: Path) -> None:
    storage = s3_storage(s3)
    key = photo_key()
    await storage.put_file(key, photo, content_type="image/png")
    await storage.close()
    await storage.close()

    assert await storage.exists(key)
    await storage.close()


async def test_the_local_backend_writes_whole_files_only(tmp_path: Path, photo: Path) -> None:
    storage = LocalStorage(tmp_path / "photos")
    key = photo_key()

    await storage.put_file(key, photo, content_type="image/png")

    stored = tmp_path / "photos" / key
    assert sorted(path.name for path in stored.parent.iterdir()) == [stored.name]  # no .part
    assert stored.read_bytes() == PNG
    assert await storage.file(key) == stored.resolve()


async def test_a_local_root_that_cannot_be_written_is_unavailable(
    tmp_path: Path, photo: Path, caplog: pytest.LogCaptureFixture
) -> None:
    not_a_directory = tmp_path / "photos"
    not_a_directory.write_text("a file where the root should be")
    storage = LocalStorage(not_a_directory)
    key = photo_key()

    with pytest.raises(StorageUnavailableError):
        await storage.put_file(key, photo, content_type="image/png")
    with pytest.raises(StorageUnavailableError):
        await storage.delete([key])
    assert not_a_directory.read_text() == "a file where the root should be"
    warnings = [r.getMessage() for r in caplog.records if r.name == "app.storage"]
    assert len(warnings) == 2
    assert all(line.startswith("object storage unavailable: cannot ") for line in warnings)


async def test_a_missing_upload_is_the_callers_error_not_the_stores(tmp_path: Path) -> None:
    storage = LocalStorage(tmp_path / "photos")

    with pytest.raises(FileNotFoundError):
        await storage.put_file(photo_key(), tmp_path / "gone.png", content_type="image/png")
