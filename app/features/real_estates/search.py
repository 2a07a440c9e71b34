"""The public search: its filters and sorts, as plain values."""

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from enum import StrEnum
from typing import Any, Self
from uuid import UUID

from app.features.real_estates.model import ListingStatus, PropertyKind, Purpose, State
from app.features.shared.text import search_key

_FOLDED = ("city", "neighborhood")
_SORT_COLUMNS = {
    "published_at": "published_at",
    "price": "price_cents",
    "area": "area_m2",
    "distance": "distance_m",
}


class ListingSort(StrEnum):
    """Orders the public list supports; each ties on id in the same direction."""

    NEWEST = "-published_at"
    PRICE_ASC = "price"
    PRICE_DESC = "-price"
    AREA_ASC = "area"
    AREA_DESC = "-area"
    DISTANCE = "distance"

    @property
    def column(self) -> str:
        """The listing attribute this order sorts on (`distance_m`: only on searches `near`)."""
        return _SORT_COLUMNS[self.value.lstrip("-")]

    @property
    def descending(self) -> bool:
        """Whether larger values come first."""
        return self.value.startswith("-")


@dataclass(frozen=True)
class BoundingBox:
    """The area a map shows: longitudes west to east, latitudes south to north."""

    west: float
    south: float
    east: float
    north: float


@dataclass(frozen=True)
class Circle:
    """Everything within `radius_km` of a point (great-circle distance)."""

    lat: float
    lng: float
    radius_km: float


@dataclass(frozen=True)
class ListingFilters:
    """Conditions of a public search; None means "any". Prices are in centavos."""

    q: str | None = None
    city: str | None = None
    state: State | None = None
    neighborhood: str | None = None
    kind: PropertyKind | None = None
    purpose: Purpose | None = None
    min_price: int | None = None
    max_price: int | None = None
    min_bedrooms: int | None = None
    min_area: Decimal | None = None
    max_area: Decimal | None = None
    min_bathrooms: int | None = None
    min_parking_spaces: int | None = None
    max_condo_fee: int | None = None
    has_photos: bool | None = None
    bbox: BoundingBox | None = None
    near: Circle | None = None

    def applied(self) -> dict[str, Any]:
        """The filters that are set, with the values the query compares.

        City and neighbourhood match case- and accent-insensitively: their values are
        folded the way the stored keys are. A box and a circle bind several values,
        each under `<filter>_<part>` (`bbox_west`, `near_lat`...).
        """
        values = {name: value for name, value in vars(self).items() if value is not None}
        for name in _FOLDED:
            if name in values:
                values[name] = search_key(values[name])
        for name in ("bbox", "near"):
            if name in values:
                values.update({f"{name}_{part}": v for part, v in vars(values.pop(name)).items()})
        return values

    def criteria(self) -> dict[str, Any]:
        """The filters that are set, as JSON-ready values (to store; `from_criteria` reads)."""
        values: dict[str, Any] = {}
        for name, value in vars(self).items():
            if isinstance(value, BoundingBox | Circle):
                values[name] = vars(value)
            elif isinstance(value, Decimal | StrEnum):
                values[name] = str(value)
            elif value is not None:
                values[name] = value
        return values

    @classmethod
    def from_criteria(cls, criteria: dict[str, Any]) -> Self:
        """The filters `criteria()` wrote."""
        values = dict(criteria)
        for name, kind in _TYPED.items():
            if name in values:
                values[name] = (
                    kind(**values[name]) if isinstance(values[name], dict) else kind(values[name])
                )
        return cls(**values)

    def fingerprint(self) -> dict[str, str]:
        """The filters as the query applies them, for binding cursors to them.

        A cursor made for `city=São Paulo` also serves `city=sao paulo`: they are the
        same search.
        """
        return {name: str(value) for name, value in self.applied().items()}


@dataclass(frozen=True)
class AdminListingFilters:
    """Conditions of the admins' list of every listing; None means "any".

    `q` is the search's full text, over listings of any status; `created_from` is
    inclusive, `created_until` exclusive.
    """

    owner_id: UUID | None = None
    status: ListingStatus | None = None
    q: str | None = None
    created_from: datetime | None = None
    created_until: datetime | None = None

    def applied(self) -> dict[str, Any]:
        """The filters that are set, by name."""
        return {name: value for name, value in vars(self).items() if value is not None}

    def fingerprint(self) -> dict[str, str]:
        """The filters as text, for binding cursors to them."""
        return {
            name: value.isoformat() if isinstance(value, datetime) else str(value)
            for name, value in self.applied().items()
        }


# How stored criteria become typed values again (the rest are JSON's own types).
_TYPED: dict[str, Any] = {
    "state": State,
    "kind": PropertyKind,
    "purpose": Purpose,
    "min_area": Decimal,
    "max_area": Decimal,
    "bbox": BoundingBox,
    "near": Circle,
}
