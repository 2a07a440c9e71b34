"""Listing photos through the HTTP API: upload, show, reorder, delete, and who may."""

import dataclasses
import io
from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest
from PIL import Image
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from app.core.config.db.database import Database
from app.core.storage.s3 import S3Options, S3Storage
from app.features.photos import service as photo_service
from app.features.photos.model import ListingPhoto, StorageDeletion
from app.wiring import Components, build_photo_service
from tests.conftest import assert_problem, bearer
from tests.features.photos.samples import png_declaring, zip_archive
from tests.features.real_estates.v1.conftest import BASE, act, create_listing
from tests.processes import free_port
from tests.s3_server import S3Server

GPS_IFD = 0x8825


def image_bytes(kind: str = "JPEG", size: tuple[int, int] = (640, 480), **save: Any) -> bytes:
    """A real image of `kind`, made here."""
    buffer = io.BytesIO()
    mode = "RGBA" if kind == "PNG" else "RGB"
    Image.new(mode, size, (200, 120, 40)).save(buffer, kind, **save)
    return buffer.getvalue()


def jpeg_with_gps() -> bytes:
    exif = Image.Exif()
    exif[0x010F] = "Camera Maker"
    exif.get_ifd(GPS_IFD).update({1: "S", 2: (23.0, 33.0, 41.0), 3: "W", 4: (46.0, 39.0, 24.0)})
    return image_bytes("JPEG", exif=exif.tobytes())


async def upload(
    client: httpx.AsyncClient,
    token: str,
    listing_id: str,
    content: bytes,
    *,
    name: str = "photo.jpg",
    content_type: str = "image/jpeg",
    **headers: str,
) -> httpx.Response:
    return await client.post(
        f"{BASE}/{listing_id}/photos",
        headers={**bearer(token), **headers},
        files={"file": (name, content, content_type)},
    )


async def photo_rows(session: AsyncSession, listing_id: str) -> int:
    count = select(func.count()).where(ListingPhoto.listing_id == listing_id)
    return int(await session.scalar(count) or 0)


@pytest.fixture
async def listing(client: httpx.AsyncClient, re_owner_token: str) -> dict[str, Any]:
    """A published listing of `re_owner`."""
    return await create_listing(client, re_owner_token, "publish")


async def test_an_upload_is_shown_in_the_listing_with_its_renditions(
    client: httpx.AsyncClient, re_owner_token: str, listing: dict[str, Any]
) -> None:
    response = await upload(client, re_owner_token, listing["id"], image_bytes(size=(2400, 1600)))

    assert response.status_code == 201, response.text
    photo = response.json()
    assert response.headers["location"] == f"{BASE}/{listing['id']}/photos/{photo['id']}"
    assert (photo["position"], photo["cover"]) == (0, True)
    assert (photo["width"], photo["height"], photo["content_type"]) == (2400, 1600, "image/jpeg")
    read = await client.get(f"{BASE}/{listing['id']}")
    assert read.headers["etag"] == f'"{listing["version"] + 1}"'
    assert read.json()["photos"] == [photo]
    assert read.json()["cover_thumbnail_url"] == photo["thumbnail_url"]
    web = await client.get(photo["url"])
    thumbnail = await client.get(photo["thumbnail_url"])
    assert web.status_code == thumbnail.status_code == 200
    assert max(Image.open(io.BytesIO(web.content)).size) == 1600
    assert max(Image.open(io.BytesIO(thumbnail.content)).size) <= 400
    search = await client.get(BASE, params={"city": "São Paulo"})
    item = next(item for item in search.json()["items"] if item["id"] == listing["id"])
    assert item["cover_thumbnail_url"] == photo["thumbnail_url"]
    assert "photos" not in item


async def test_photos_are_ordered_and_any_can_become_the_cover(
    client: httpx.AsyncClient, re_owner_token: str, listing: dict[str, Any]
) -> None:
    ids = []
    for kind in ("JPEG", "PNG", "WEBP"):
        answer = await upload(client, re_owner_token, listing["id"], image_bytes(kind))
        assert answer.status_code == 201, answer.text
        ids.append(answer.json()["id"])

    moved = await client.patch(
        f"{BASE}/{listing['id']}/photos/{ids[2]}",
        headers=bearer(re_owner_token),
        json={"cover": True},
    )
    listed = await client.get(f"{BASE}/{listing['id']}/photos")

    assert moved.status_code == 200, moved.text
    assert (moved.json()["position"], moved.json()["cover"]) == (0, True)
    assert [photo["id"] for photo in listed.json()] == [ids[2], ids[0], ids[1]]
    assert [photo["content_type"] for photo in listed.json()] == [
        "image/webp",
        "image/jpeg",
        "image/png",
    ]
    last = await client.patch(
        f"{BASE}/{listing['id']}/photos/{ids[2]}",
        headers=bearer(re_owner_token),
        json={"position": 9},
    )
    assert last.json()["position"] == 2
    shown = await client.get(f"{BASE}/{listing['id']}")
    assert [photo["id"] for photo in shown.json()["photos"]] == [ids[0], ids[1], ids[2]]


async def test_deleting_a_photo_removes_its_files(
    client: httpx.AsyncClient,
    session: AsyncSession,
    components: Components,
    re_owner_token: str,
    listing: dict[str, Any],
) -> None:
    first = (await upload(client, re_owner_token, listing["id"], image_bytes())).json()
    second = (await upload(client, re_owner_token, listing["id"], image_bytes("PNG"))).json()

    deleted = await client.delete(
        f"{BASE}/{listing['id']}/photos/{first['id']}", headers=bearer(re_owner_token)
    )

    assert deleted.status_code == 204
    listed = (await client.get(f"{BASE}/{listing['id']}/photos")).json()
    assert [(photo["id"], photo["cover"]) for photo in listed] == [(second["id"], True)]
    assert (await client.get(first["url"])).status_code == 404
    assert (await client.get(first["thumbnail_url"])).status_code == 404
    assert (await client.get(second["url"])).status_code == 200
    assert await session.scalar(select(func.count()).select_from(StorageDeletion)) == 0


async def test_a_deleted_listing_takes_its_photos_files_with_it(
    client: httpx.AsyncClient,
    session: AsyncSession,
    components: Components,
    re_owner_token: str,
    listing: dict[str, Any],
) -> None:
    photo = (await upload(client, re_owner_token, listing["id"], image_bytes())).json()

    deleted = await client.delete(f"{BASE}/{listing['id']}", headers=bearer(re_owner_token))
    queued = await session.scalar(select(func.count()).select_from(StorageDeletion))
    purged = await build_photo_service(Database.over(session), components).purge_due()

    assert deleted.status_code == 204
    assert (queued, purged) == (3, 3)
    assert (await client.get(photo["url"])).status_code == 404


async def test_metadata_is_stripped_from_every_stored_file(
    client: httpx.AsyncClient, re_owner_token: str, listing: dict[str, Any]
) -> None:
    photo = (await upload(client, re_owner_token, listing["id"], jpeg_with_gps())).json()

    for url in (photo["url"], photo["thumbnail_url"]):
        stored = Image.open(io.BytesIO((await client.get(url)).content))
        assert dict(stored.getexif()) == {}
        assert "exif" not in stored.info


@pytest.mark.parametrize(
    ("content", "name", "content_type"),
    [
        (b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer\n%%EOF\n", "a.jpg", "image/jpeg"),
        (image_bytes()[:3000], "cut.jpg", "image/jpeg"),
        (image_bytes("GIF"), "anim.gif", "image/gif"),
        (b"", "empty.jpg", "image/jpeg"),
        (png_declaring(100_000, 100_000), "bomb.png", "image/png"),
        (image_bytes() + zip_archive(), "polyglot.jpg", "image/jpeg"),
    ],
    ids=["renamed-pdf", "truncated-jpeg", "gif", "empty", "decompression-bomb", "jpeg-plus-zip"],
)
async def test_what_is_not_an_accepted_image_is_refused_and_nothing_is_kept(
    client: httpx.AsyncClient,
    session: AsyncSession,
    re_owner_token: str,
    listing: dict[str, Any],
    content: bytes,
    name: str,
    content_type: str,
) -> None:
    response = await upload(
        client, re_owner_token, listing["id"], content, name=name, content_type=content_type
    )

    assert_problem(response, 422, "PHOTO_REJECTED", f"{BASE}/{listing['id']}/photos")
    assert await photo_rows(session, listing["id"]) == 0
    assert await session.scalar(select(func.count()).select_from(StorageDeletion)) == 0


async def test_a_photo_over_the_size_limit_is_a_413(
    app: Any,
    client: httpx.AsyncClient,
    components: Components,
    re_owner_token: str,
    listing: dict[str, Any],
) -> None:
    big = image_bytes(size=(1200, 1200), quality=100)
    app.state.components = dataclasses.replace(components, photo_max_bytes=len(big) - 1)

    response = await upload(client, re_owner_token, listing["id"], big)

    assert_problem(response, 413, "PAYLOAD_TOO_LARGE", f"{BASE}/{listing['id']}/photos")


async def test_a_listing_holds_at_most_the_limit_of_photos(
    client: httpx.AsyncClient,
    re_owner_token: str,
    listing: dict[str, Any],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(photo_service, "MAX_PHOTOS", 2)
    for _ in range(2):
        assert (
            await upload(client, re_owner_token, listing["id"], image_bytes())
        ).status_code == 201

    refused = await upload(client, re_owner_token, listing["id"], image_bytes())

    assert_problem(refused, 409, "TOO_MANY_PHOTOS", f"{BASE}/{listing['id']}/photos")
    assert len((await client.get(f"{BASE}/{listing['id']}/photos")).json()) == 2


async def test_only_the_owner_or_an_admin_changes_photos_and_drafts_stay_hidden(
    client: httpx.AsyncClient,
    re_owner_token: str,
    re_other_token: str,
    re_admin_token: str,
    listing: dict[str, Any],
) -> None:
    photos = f"{BASE}/{listing['id']}/photos"
    mine = (await upload(client, re_owner_token, listing["id"], image_bytes())).json()

    theirs = await upload(client, re_other_token, listing["id"], image_bytes())
    moved = await client.patch(
        f"{photos}/{mine['id']}", headers=bearer(re_other_token), json={"cover": True}
    )
    removed = await client.delete(f"{photos}/{mine['id']}", headers=bearer(re_other_token))
    by_admin = await upload(client, re_admin_token, listing["id"], image_bytes())
    await act(client, re_owner_token, listing["id"], "archive")
    hidden = await client.get(photos, headers=bearer(re_other_token))
    anonymous = await client.get(photos)

    assert_problem(theirs, 403, "FORBIDDEN", photos)
    assert_problem(moved, 403, "FORBIDDEN", f"{photos}/{mine['id']}")
    assert_problem(removed, 403, "FORBIDDEN", f"{photos}/{mine['id']}")
    assert by_admin.status_code == 201
    assert_problem(hidden, 404, "REAL_ESTATE_NOT_FOUND", photos)
    assert_problem(anonymous, 404, "REAL_ESTATE_NOT_FOUND", photos)


async def test_an_unknown_photo_is_a_404(
    client: httpx.AsyncClient, re_owner_token: str, listing: dict[str, Any]
) -> None:
    path = f"{BASE}/{listing['id']}/photos/6f1c1d5e-8d7a-4b44-9c1e-7b1d3f0a2c11"

    response = await client.delete(path, headers=bearer(re_owner_token))

    assert_problem(response, 404, "PHOTO_NOT_FOUND", path)


async def test_a_retried_upload_with_its_key_adds_one_photo(
    client: httpx.AsyncClient, session: AsyncSession, re_owner_token: str, listing: dict[str, Any]
) -> None:
    content = image_bytes()

    first = await upload(
        client, re_owner_token, listing["id"], content, **{"Idempotency-Key": "p1"}
    )
    retry = await upload(
        client, re_owner_token, listing["id"], content, **{"Idempotency-Key": "p1"}
    )
    other = await upload(
        client, re_owner_token, listing["id"], image_bytes("PNG"), **{"Idempotency-Key": "p1"}
    )

    assert first.status_code == retry.status_code == 201
    assert retry.content == first.content
    assert retry.headers["idempotent-replayed"] == "true"
    assert_problem(other, 422, "IDEMPOTENCY_KEY_REUSED", f"{BASE}/{listing['id']}/photos")
    assert await photo_rows(session, listing["id"]) == 1


@pytest.fixture
async def s3_photos(app: Any, components: Components, s3: S3Server) -> AsyncIterator[S3Storage]:
    """The app's photos on the S3 server instead of the local disk."""
    storage = S3Storage(
        S3Options(
            bucket=s3.bucket,
            endpoint_url=s3.endpoint_url,
            access_key_id=s3.access_key_id,
            secret_access_key=s3.secret_access_key,
        )
    )
    app.state.components = dataclasses.replace(components, storage=storage)
    yield storage
    await storage.close()


async def test_photos_on_s3_load_from_presigned_urls_and_go_with_their_photo(
    client: httpx.AsyncClient,
    s3_photos: S3Storage,
    re_owner_token: str,
    listing: dict[str, Any],
) -> None:
    photo = (await upload(client, re_owner_token, listing["id"], image_bytes("PNG"))).json()

    async with httpx.AsyncClient() as browser:
        web = await browser.get(photo["url"])
        thumbnail = await browser.get(photo["thumbnail_url"])
        assert (web.status_code, thumbnail.status_code) == (200, 200)
        assert web.headers["content-type"] == "image/webp"
        assert Image.open(io.BytesIO(thumbnail.content)).format == "WEBP"
        assert "X-Amz-Signature=" in photo["url"]

        deleted = await client.delete(
            f"{BASE}/{listing['id']}/photos/{photo['id']}", headers=bearer(re_owner_token)
        )
        assert deleted.status_code == 204
        assert (await browser.get(photo["url"])).status_code in (403, 404)


async def test_an_unreachable_store_is_a_503_and_leaves_no_photo(
    app: Any,
    client: httpx.AsyncClient,
    session: AsyncSession,
    components: Components,
    re_owner_token: str,
    listing: dict[str, Any],
) -> None:
    closed = S3Storage(
        S3Options(
            bucket="nowhere",
            endpoint_url=f"http://127.0.0.1:{free_port()}",
            access_key_id="k",
            secret_access_key="s",
            timeout_seconds=1,
            max_attempts=1,
        )
    )
    app.state.components = dataclasses.replace(components, storage=closed)

    response = await upload(client, re_owner_token, listing["id"], image_bytes())
    await closed.close()

    problem = assert_problem(response, 503, "STORAGE_UNAVAILABLE", f"{BASE}/{listing['id']}/photos")
    assert response.headers["retry-after"] == "5"
    assert problem["detail"]
    assert await photo_rows(session, listing["id"]) == 0
    queued = await session.scalar(select(func.count()).select_from(StorageDeletion))
    assert queued == 3  # what it may have stored goes at the next cleanup after the grace
