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


@pytest.mark.parametrize(
    "overrides",
    [
        {},
        {"status": ListingStatus.DRAFT, "lat": None, "lng": None, "complement": None},
        {"area_m2": Decimal("1234.50"), "built_area_m2": Decimal("99.99"), "iptu_cents": 120_00},
    ],
    ids=["published", "draft-without-location", "areas-and-fees"],
)
async def test_a_listing_document_is_what_the_read_model_serialises(
    re_make_listing: MakeListing, re_repository: Any, overrides: dict[str, Any]
) -> None:
    stored = (await re_repository.get((await re_make_listing(**overrides)).id)).unwrap()

    body = _body(listing_document(stored))

    expected = RealEstateRead.model_validate(listing_document(stored)).model_dump(mode="json")
    assert body == expected
    assert list(body) == list(RealEstateRead.model_fields)
    assert body["id"] == str(stored.id)
    assert body["area_m2"] == float(stored.area_m2)
    assert body["address"]["street"] == stored.street
    assert body["location"] == (
        None if stored.lat is None else {"lat": stored.lat, "lng": stored.lng}
    )


async def test_a_page_document_is_what_the_page_model_serialises(
    re_make_listing: MakeListing, re_repository: Any
) -> None:
    listing = (await re_repository.get((await re_make_listing()).id)).unwrap()
    page = Page(items=[listing, listing], next_cursor="abc")

    body = _body(page_document(page))

    assert body == RealEstatePage.model_validate(page_document(page)).model_dump(mode="json")
    assert [item["id"] for item in body["items"]] == [str(listing.id)] * 2
    assert body["next_cursor"] == "abc"
