"""What the listing use cases take: typed values, independent of HTTP.

The search keys of an address (`city_key`, `neighborhood_key`) are derived here and
nowhere else, so registrations, edits and the seed agree on them.
"""

from dataclasses import asdict, dataclass, fields
from decimal import Decimal
from typing import Any

from typing_extensions import TypedDict

from app.features.real_estates.model import PropertyKind, Purpose, State
from app.features.shared.text import search_key


@dataclass(frozen=True, kw_only=True)
class Address:
    """Where a property is. `postal_code` is the CEP's 8 digits."""

    street: str
    number: str
    neighborhood: str
    city: str
    state: State
    postal_code: str
    complement: str | None = None

    def columns(self) -> dict[str, Any]:
        """The listing columns that store this address, with its derived search keys."""
        return {
            **asdict(self),
            "city_key": search_key(self.city),
            "neighborhood_key": search_key(self.neighborhood),
        }


ADDRESS_FIELDS = tuple(field.name for field in fields(Address))


@dataclass(frozen=True)
class Coordinates:
    """A point in decimal degrees (WGS 84)."""

    lat: float
    lng: float


def location_columns(location: Coordinates | None) -> dict[str, float | None]:
    """The listing columns that store a location (both null when there is none)."""
    if location is None:
        return {"lat": None, "lng": None}
    return {"lat": location.lat, "lng": location.lng}


@dataclass(frozen=True, kw_only=True)
class NewListing:
    """A listing to register. Money in BRL centavos, areas in m²."""

    title: str
    kind: PropertyKind
    purpose: Purpose
    price_cents: int
    area_m2: Decimal
    address: Address
    description: str = ""
    condo_fee_cents: int | None = None
    iptu_cents: int | None = None
    built_area_m2: Decimal | None = None
    bedrooms: int = 0
    bathrooms: int = 0
    parking_spaces: int = 0
    location: Coordinates | None = None

    def columns(self) -> dict[str, Any]:
        """Every column this registration sets."""
        plain = {
            field.name: getattr(self, field.name)
            for field in fields(self)
            if field.name not in {"address", "location"}
        }
        return plain | self.address.columns() | location_columns(self.location)


class ListingChanges(TypedDict, total=False):
    """A partial edit: absent keys stay as they are; `None` clears an optional field."""

    title: str
    description: str
    kind: PropertyKind
    purpose: Purpose
    price_cents: int
    condo_fee_cents: int | None
    iptu_cents: int | None
    area_m2: Decimal
    built_area_m2: Decimal | None
    bedrooms: int
    bathrooms: int
    parking_spaces: int
    address: Address
    location: Coordinates | None


def change_columns(changes: ListingChanges) -> dict[str, Any]:
    """The columns an edit sets (a new address replaces the whole address)."""
    columns: dict[str, Any] = {
        name: value for name, value in changes.items() if name not in {"address", "location"}
    }
    if "address" in changes:
        columns |= changes["address"].columns()
    if "location" in changes:
        columns |= location_columns(changes["location"])
    return columns
