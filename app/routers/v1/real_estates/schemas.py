"""Request and response bodies of the listing routes."""

import math
import re
from collections.abc import Mapping
from datetime import datetime
from decimal import Decimal
from typing import Annotated, Any, Self
from uuid import UUID

from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    PlainSerializer,
    Strict,
    StringConstraints,
    TypeAdapter,
    WithJsonSchema,
    model_validator,
)
from pydantic_core import PydanticKnownError

from app.features.real_estates import commands
from app.features.real_estates.model import (
    ListingStatus,
    PropertyKind,
    Purpose,
    RealEstate,
    State,
)
from app.features.real_estates.search import BoundingBox, Circle, ListingFilters, ListingSort
from app.features.shared.pagination import DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE, Page
from app.routers.v1.photos.schemas import PhotoRead, PhotoUrl, photo_document
from app.routers.v1.validation import (
    CURSOR_DESCRIPTION,
    Cursor,
    Omittable,
    refuse_null,
    trimmed,
)

# ASCII digits: `\d` would let other scripts' digits through to the column's `[0-9]{8}`.
_CEP = re.compile(r"[0-9]{5}-?[0-9]{3}")


def _cep_digits(value: str) -> str:
    if not _CEP.fullmatch(value):
        raise ValueError("CEP must have 8 digits, as 01310-100 or 01310100")
    return value.replace("-", "")


def _text(min_length: int, max_length: int) -> Any:
    return StringConstraints(strip_whitespace=True, min_length=min_length, max_length=max_length)


MAX_CENTS = 10**13


def _json_integer(value: object) -> object:
    # JSON Schema's `integer` includes `100.0`: a number without a fractional part.
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return value


# Strict in bodies: JSON `true` or "100" is not a number of centavos or rooms.
# (The BeforeValidator comes last: it runs first, and leaves the bounds in the schema.)
Cents = Annotated[
    int,
    Strict(),
    Field(ge=0, le=MAX_CENTS, description="Amount in BRL centavos."),
    BeforeValidator(_json_integer),
]
Count = Annotated[int, Strict(), Field(ge=0, le=50), BeforeValidator(_json_integer)]
CentsFilter = Annotated[int, Field(ge=0, le=MAX_CENTS)]


def _upper_case(value: object) -> object:
    return value.upper() if isinstance(value, str) else value


def _json_number(value: object) -> object:
    # Strict like the integers: "72.5" or `true` is not an area. Decimal is for Python callers.
    if isinstance(value, bool) or not isinstance(value, int | float | Decimal):
        raise PydanticKnownError("float_type")
    return value


UF = Annotated[State, BeforeValidator(_upper_case), Field(description="UF, e.g. SP (any case).")]
MAX_AREA = 10**9
AREA_DESCRIPTION = "Area in m², with at most 2 decimal places."
AREA_STEP = 0.01  # "at most 2 decimal places", as JSON Schema says it
# A JSON number both ways, kept exact: validated as a Decimal of at most 2 places (the
# column is NUMERIC(12, 2)) and written as the shortest number that reads back the same.
Area = Annotated[
    Decimal,
    BeforeValidator(_json_number),
    Field(gt=0, le=MAX_AREA, max_digits=12, decimal_places=2),
    PlainSerializer(float, return_type=float, when_used="json"),
    WithJsonSchema(
        {
            "type": "number",
            "exclusiveMinimum": 0,
            "maximum": MAX_AREA,
            "multipleOf": AREA_STEP,
            "description": AREA_DESCRIPTION,
            "examples": [72.5],
        }
    ),
]
# Query strings are text: the filters read "70" or "72.5" as numbers.
AreaFilter = Annotated[
    Decimal,
    Field(ge=0, le=MAX_AREA, max_digits=12, decimal_places=2),
    WithJsonSchema({"type": "number", "minimum": 0, "maximum": MAX_AREA, "multipleOf": AREA_STEP}),
]
PostalCode = Annotated[
    str,
    StringConstraints(strip_whitespace=True, max_length=9),
    AfterValidator(_cep_digits),
    # The document states the form `_cep_digits` accepts; surrounding spaces are trimmed
    # first, so they count against no length.
    WithJsonSchema(
        {
            "type": "string",
            "pattern": r"^\s*[0-9]{5}-?[0-9]{3}\s*$",
            "description": "CEP: 8 digits, hyphen optional (01310-100).",
        }
    ),
]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class Address(_Strict):
    """Where the property is."""

    def value(self) -> commands.Address:
        """The address as the listing use cases take it."""
        return commands.Address(**self.model_dump())

    street: Annotated[str, _text(1, 200), trimmed(1)]
    number: Annotated[str, _text(1, 20), trimmed(1)]
    complement: Annotated[str, _text(1, 100), trimmed(1)] | None = None
    neighborhood: Annotated[str, _text(1, 120), trimmed(1)]
    city: Annotated[str, _text(1, 120), trimmed(1)]
    state: UF
    postal_code: PostalCode


class Location(_Strict):
    """Coordinates in decimal degrees (WGS 84)."""

    def value(self) -> commands.Coordinates:
        """The point as the listing use cases take it."""
        return commands.Coordinates(lat=self.lat, lng=self.lng)

    # Strict: JSON `false` or "12.5" is not a coordinate (lax floats read them as numbers).
    lat: Annotated[float, Strict()] = Field(ge=-90, le=90)
    lng: Annotated[float, Strict()] = Field(ge=-180, le=180)


class _ListingFields(_Strict):
    title: Annotated[str, _text(3, 120), trimmed(3)]
    description: Annotated[str, StringConstraints(max_length=5000)] = ""
    kind: PropertyKind
    purpose: Purpose
    price_cents: Cents
    condo_fee_cents: Cents | None = None
    iptu_cents: Annotated[Cents | None, Field(description="Annual property tax (IPTU).")] = None
    area_m2: Area
    built_area_m2: Area | None = None
    bedrooms: Count = 0
    bathrooms: Count = 0
    parking_spaces: Count = 0
    address: Address
    location: Location | None = None


class RealEstateCreate(_ListingFields):
    """A new listing; it starts as a draft owned by the caller."""

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "title": "Apartamento com varanda perto do metrô",
                    "description": "Sala ampla, dois quartos, sol da manhã.",
                    "kind": "apartment",
                    "purpose": "sale",
                    "price_cents": 85000000,
                    "condo_fee_cents": 95000,
                    "iptu_cents": 240000,
                    "area_m2": 72.5,
                    "bedrooms": 2,
                    "bathrooms": 2,
                    "parking_spaces": 1,
                    "address": {
                        "street": "Avenida Paulista",
                        "number": "1578",
                        "neighborhood": "Bela Vista",
                        "city": "São Paulo",
                        "state": "SP",
                        "postal_code": "01310-200",
                    },
                    "location": {"lat": -23.5613, "lng": -46.6565},
                }
            ]
        }
    )

    def command(self) -> commands.NewListing:
        """The registration this body asks for."""
        return commands.NewListing(
            **self.model_dump(exclude={"address", "location"}),
            address=self.address.value(),
            location=self.location.value() if self.location else None,
        )


class RealEstateUpdate(_Strict):
    """A partial update: omitted fields stay; nullable fields accept null to clear them."""

    # `Omittable` fields may be left out but not sent as null (the schema shows no null).
    title: Omittable[Annotated[str, _text(3, 120), trimmed(3)]] = None
    description: Omittable[Annotated[str, StringConstraints(max_length=5000)]] = None
    kind: Omittable[PropertyKind] = None
    purpose: Omittable[Purpose] = None
    price_cents: Omittable[Cents] = None
    condo_fee_cents: Cents | None = None
    iptu_cents: Cents | None = None
    area_m2: Omittable[Area] = None
    built_area_m2: Area | None = None
    bedrooms: Omittable[Count] = None
    bathrooms: Omittable[Count] = None
    parking_spaces: Omittable[Count] = None
    address: Omittable[Address] = None
    location: Location | None = None

    _not_null = refuse_null(
        "title", "description", "kind", "purpose", "price_cents", "area_m2", "bedrooms",
        "bathrooms", "parking_spaces", "address",
    )  # fmt: skip

    def changes(self) -> commands.ListingChanges:
        """The edit this body asks for: only the fields it sets."""
        return _LISTING_CHANGES.validate_python(self.model_dump(exclude_unset=True))


_LISTING_CHANGES = TypeAdapter(commands.ListingChanges)


class RealEstateSummary(BaseModel):
    """A listing as lists and searches show it: everything but the photos, and the cover."""

    id: UUID
    owner_id: UUID
    title: str
    description: str
    kind: PropertyKind
    purpose: Purpose
    status: ListingStatus
    price_cents: int
    condo_fee_cents: int | None
    iptu_cents: int | None
    area_m2: Area
    built_area_m2: Area | None
    bedrooms: int
    bathrooms: int
    parking_spaces: int
    address: Address
    location: Location | None
    version: int
    created_at: datetime
    updated_at: datetime
    published_at: datetime | None
    cover_thumbnail_url: str | None = Field(
        description="The cover photo's thumbnail; null while the listing has no photo."
    )
    distance_km: float | None = Field(
        description="Great-circle distance to the search's `near` point, in km; null otherwise.",
    )
    moderation_reason: str | None = Field(
        description="Why an admin sent the listing back to draft; null otherwise. Only a "
        "draft carries one (publishing clears it), so only its owner and admins see it.",
        examples=[None],
    )


class RealEstateRead(RealEstateSummary):
    """A listing as the API shows it, with its photos in order, the cover first."""

    photos: list[PhotoRead]
    favorite_count: int | None = Field(
        ge=0,
        description="How many users saved the listing as a favourite: shown to its owner "
        "and admins only, null for everyone else.",
    )


def _area(value: Decimal | None) -> float | None:
    return None if value is None else float(value)


def _loaded(listing: RealEstate) -> Mapping[str, Any]:
    # A loaded listing keeps its columns in its __dict__, which is what attribute access
    # returns; reading it directly skips the ORM's descriptors (a page reads ~600 values).
    values = vars(listing)
    if values.keys() >= _COLUMNS:
        return values
    return {name: getattr(listing, name) for name in _COLUMNS}


_COLUMNS = frozenset(column.key for column in RealEstate.__table__.columns) - {
    "search_vector",
    "photos",
}


def listing_document(
    listing: RealEstate, url: PhotoUrl, *, favorite_count: int | None
) -> dict[str, Any]:
    """A listing as `RealEstateRead` shows it, photos and all (see `summary_document`).

    `favorite_count` is None unless the viewer manages the listing.
    """
    document = summary_document(listing, url)
    document["photos"] = [photo_document(entry, url) for entry in listing.photos]
    document["favorite_count"] = favorite_count
    return document


def summary_document(listing: RealEstate, url: PhotoUrl) -> dict[str, Any]:
    """A listing as `RealEstateSummary` shows it, as plain data for `JSONDocument`.

    Built straight from the stored listing, without validating it again; ids and
    enums are already text, as JSON encoders handle those fastest. The listing
    document tests keep it equal to `RealEstateRead`'s JSON, field for field.
    """
    column = _loaded(listing)
    lat, lng = column["lat"], column["lng"]
    return {
        "id": str(column["id"]),
        "owner_id": str(column["owner_id"]),
        "title": column["title"],
        "description": column["description"],
        "kind": column["kind"].value,
        "purpose": column["purpose"].value,
        "status": column["status"].value,
        "price_cents": column["price_cents"],
        "condo_fee_cents": column["condo_fee_cents"],
        "iptu_cents": column["iptu_cents"],
        "area_m2": _area(column["area_m2"]),
        "built_area_m2": _area(column["built_area_m2"]),
        "bedrooms": column["bedrooms"],
        "bathrooms": column["bathrooms"],
        "parking_spaces": column["parking_spaces"],
        "address": {
            "street": column["street"],
            "number": column["number"],
            "complement": column["complement"],
            "neighborhood": column["neighborhood"],
            "city": column["city"],
            "state": column["state"].value,
            "postal_code": column["postal_code"],
        },
        "location": {"lat": lat, "lng": lng} if lat is not None and lng is not None else None,
        "version": column["version"],
        "created_at": column["created_at"],
        "updated_at": column["updated_at"],
        "published_at": column["published_at"],
        "cover_thumbnail_url": url(cover) if (cover := column["cover_thumbnail_key"]) else None,
        "distance_km": _kilometres(vars(listing).get("distance_m")),
        # Only drafts carry a reason (a constraint), and drafts are shown to managers only.
        "moderation_reason": column["moderation_reason"],
    }


# earthdistance's earth radius, in metres: its straight-line distances are chords of it.
EARTH_RADIUS_M = 6_378_168


def _kilometres(chord_m: float | None) -> float | None:
    """The great-circle distance, in km to the metre, of a chord through the earth."""
    if chord_m is None:
        return None
    arc = 2 * EARTH_RADIUS_M * math.asin(min(1.0, chord_m / (2 * EARTH_RADIUS_M)))
    return round(arc / 1000, 3)


def page_document(page: Page[RealEstate], url: PhotoUrl) -> dict[str, Any]:
    """A page of listings as `RealEstatePage` shows it, as plain data for `JSONDocument`."""
    return {
        "items": [summary_document(item, url) for item in page.items],
        "next_cursor": page.next_cursor,
    }


class RealEstatePage(BaseModel):
    """One page of listings and the cursor of the next page (null on the last one)."""

    items: list[RealEstateSummary]
    next_cursor: str | None


class PageParams(_Strict):
    """Keyset pagination parameters."""

    limit: int = Field(default=DEFAULT_PAGE_SIZE, ge=1, le=MAX_PAGE_SIZE)
    cursor: Cursor | None = Field(default=None, description=CURSOR_DESCRIPTION)


# A decimal number of degrees, as a map library writes it.
_NUMBER = r"-?\d{1,3}(?:\.\d{1,12})?"
MIN_RADIUS_KM = 0.01
MAX_RADIUS_KM = 100


class SearchCriteria(_Strict):
    """Filters and order of the public search. Prices in centavos, areas in m²."""

    q: str | None = Field(
        default=None,
        max_length=200,
        description="Full text over title, description, neighbourhood and city "
        "(Portuguese; case- and accent-insensitive).",
    )
    city: str | None = Field(default=None, max_length=120)
    state: UF | None = None
    neighborhood: str | None = Field(default=None, max_length=120)
    kind: PropertyKind | None = None
    purpose: Purpose | None = None
    min_price: CentsFilter | None = None
    max_price: CentsFilter | None = None
    min_bedrooms: int | None = Field(default=None, ge=0, le=50)
    min_area: AreaFilter | None = Field(default=None, description="Smallest area, in m².")
    max_area: AreaFilter | None = Field(default=None, description="Largest area, in m².")
    min_bathrooms: int | None = Field(default=None, ge=0, le=50)
    min_parking_spaces: int | None = Field(default=None, ge=0, le=50)
    max_condo_fee: CentsFilter | None = Field(
        default=None, description="Highest condo fee, in centavos (listings without one pass)."
    )
    has_photos: bool | None = Field(
        default=None, description="true: only listings with a photo; false: only those without."
    )
    bbox: str | None = Field(
        default=None,
        pattern=rf"^{_NUMBER},{_NUMBER},{_NUMBER},{_NUMBER}$",
        description="The map's box: `min_lng,min_lat,max_lng,max_lat` in degrees "
        "(west, south, east, north; a box across the antimeridian is not supported).",
        examples=["-46.70,-23.60,-46.60,-23.50"],
    )
    near: str | None = Field(
        default=None,
        pattern=rf"^{_NUMBER},{_NUMBER}$",
        description="A point `lat,lng`: with `radius_km`, only listings within that "
        "great-circle distance; allows `sort=distance` (nearest first).",
        examples=["-23.5505,-46.6333"],
    )
    radius_km: float | None = Field(
        default=None,
        ge=MIN_RADIUS_KM,
        le=MAX_RADIUS_KM,
        description="The radius around `near`, in km (10 m to 100 km).",
    )
    sort: ListingSort = Field(
        default=ListingSort.NEWEST, description="`distance` needs `near` (nearest first)."
    )

    @model_validator(mode="after")
    def _ranges_in_order(self) -> Self:
        if None not in (self.min_price, self.max_price) and self.min_price > self.max_price:  # type: ignore[operator]
            raise ValueError("min_price must not exceed max_price")
        if None not in (self.min_area, self.max_area) and self.min_area > self.max_area:  # type: ignore[operator]
            raise ValueError("min_area must not exceed max_area")
        if (self.near is None) != (self.radius_km is None):
            raise ValueError("near and radius_km go together")
        if self.sort is ListingSort.DISTANCE and self.near is None:
            raise ValueError("sort=distance needs near and radius_km")
        _check_box(self.bbox)
        _check_point(self.near)
        return self

    def filters(self) -> ListingFilters:
        """The search conditions, without pagination and order."""
        plain = self.model_dump(
            exclude={"limit", "cursor", "sort", "bbox", "near", "radius_km"}, exclude_none=True
        )
        box = BoundingBox(*_numbers(self.bbox)) if self.bbox else None
        circle = None
        if self.near is not None and self.radius_km is not None:
            lat, lng = _numbers(self.near)
            circle = Circle(lat=lat, lng=lng, radius_km=self.radius_km)
        return ListingFilters(**plain, bbox=box, near=circle)


class SearchParams(PageParams, SearchCriteria):
    """The public search's query: its criteria, and which page."""


def _numbers(text: str) -> list[float]:
    return [float(part) for part in text.split(",")]


def _check_point(near: str | None) -> None:
    if near is not None:
        lat, lng = _numbers(near)
        if not (-90 <= lat <= 90 and -180 <= lng <= 180):
            raise ValueError("near must be lat,lng with -90 <= lat <= 90 and -180 <= lng <= 180")


def _check_box(bbox: str | None) -> None:
    if bbox is not None:
        west, south, east, north = _numbers(bbox)
        if not (-180 <= west < east <= 180 and -90 <= south < north <= 90):
            raise ValueError(
                "bbox must be min_lng,min_lat,max_lng,max_lat within -180..180 and "
                "-90..90, each minimum below its maximum"
            )
