"""The listing JSON built from stored rows is RealEstateRead's, field for field."""

import json
from decimal import Decimal
from typing import Any

import pytest

from app.features.real_estates.model import ListingStatus
from app.features.shared.pagination import Page
from app.routers.responses import JSONDocument
from app.routers.v1.real_estates.schemas import (
    RealEstatePage,
    RealEstateRead,
    listing_document,
    page_document,
)
from tests.features.real_estates.v1.conftest import MakeListing


def _body(document: Any) -> Any:
    return json.loads(bytes(JSONDocument(document).body))


def url(key: str) -> str:
    return f"/media/{key}"


PHOTO = {
    "id": "6f1c1d5e-8d7a-4b44-9c1e-7b1d3f0a2c11",
    "position": 0,
    "width": 1200,
    "height": 800,
    "content_type": "image/jpeg",
    "web_key": "listings/x/photos/aa.webp",
    "thumbnail_key": "listings/x/photos/bb.webp",
}


@pytest.mark.parametrize(
    "overrides",
    [
        {},
        {"status": ListingStatus.DRAFT, "lat": None, "lng": None, "complement": None},
        {"area_m2": Decimal("1234.50"), "built_area_m2": Decimal("99.99"), "iptu_cents": 120_00},
        {"photos": [PHOTO, {**PHOTO, "position": 1}], "cover_thumbnail_key": "k/c.webp"},
        {"status": ListingStatus.DRAFT, "moderation_reason": "Fotos de outro imóvel."},
    ],
    ids=["published", "draft-without-location", "areas-and-fees", "with-photos", "moderated"],
)
@pytest.mark.parametrize("favorite_count", [None, 0, 7], ids=["not-managed", "none", "seven"])
async def test_a_listing_document_is_what_the_read_model_serialises(
    re_make_listing: MakeListing,
    re_repository: Any,
    overrides: dict[str, Any],
    favorite_count: int | None,
) -> None:
    stored = (await re_repository.get((await re_make_listing(**overrides)).id)).unwrap()

    document = listing_document(stored, url, favorite_count=favorite_count)
    body = _body(document)

    expected = RealEstateRead.model_validate(document).model_dump(mode="json")
    assert body == expected
    assert list(body) == list(RealEstateRead.model_fields)
    assert body["id"] == str(stored.id)
    assert body["area_m2"] == float(stored.area_m2)
    assert body["address"]["street"] == stored.street
    assert body["location"] == (
        None if stored.lat is None else {"lat": stored.lat, "lng": stored.lng}
    )
    assert [photo["thumbnail_url"] for photo in body["photos"]] == [
        url(entry["thumbnail_key"]) for entry in stored.photos
    ]
    assert [photo["cover"] for photo in body["photos"]] == [
        entry["position"] == 0 for entry in stored.photos
    ]
    cover = stored.cover_thumbnail_key
    assert body["cover_thumbnail_url"] == (url(cover) if cover else None)
    assert body["favorite_count"] == favorite_count
    assert body["moderation_reason"] == stored.moderation_reason


async def test_a_page_document_is_what_the_page_model_serialises(
    re_make_listing: MakeListing, re_repository: Any
) -> None:
    listing = (await re_repository.get((await re_make_listing()).id)).unwrap()
    page = Page(items=[listing, listing], next_cursor="abc")

    body = _body(page_document(page, url))

    assert body == RealEstatePage.model_validate(page_document(page, url)).model_dump(mode="json")
    assert "photos" not in body["items"][0]
    assert body["items"][0]["cover_thumbnail_url"] is None
    assert [item["id"] for item in body["items"]] == [str(listing.id)] * 2
    assert body["next_cursor"] == "abc"
