"""The real-estate listing."""

from datetime import datetime
from decimal import Decimal
from enum import StrEnum
from typing import Any
from uuid import UUID, uuid4

from sqlalchemy import (
    BigInteger,
    CheckConstraint,
    Computed,
    DateTime,
    Double,
    Enum,
    ForeignKey,
    Index,
    Integer,
    Numeric,
    SmallInteger,
    String,
    Text,
    func,
    text,
)
from sqlalchemy.dialects.postgresql import JSONB, TSVECTOR
from sqlalchemy.orm import Mapped, mapped_column

from app.core.config.db.base import Base
from app.features.shared.timestamps import utcnow


class PropertyKind(StrEnum):
    """What kind of property a listing offers."""

    HOUSE = "house"
    APARTMENT = "apartment"
    LAND = "land"
    COMMERCIAL = "commercial"
    RURAL = "rural"


class Purpose(StrEnum):
    """Whether the property is for sale or for rent."""

    SALE = "sale"
    RENT = "rent"


class ListingStatus(StrEnum):
    """Workflow state: only published listings are public."""

    DRAFT = "draft"
    PUBLISHED = "published"
    ARCHIVED = "archived"


class State(StrEnum):
    """The 27 federative units of Brazil."""

    AC = "AC"
    AL = "AL"
    AP = "AP"
    AM = "AM"
    BA = "BA"
    CE = "CE"
    DF = "DF"
    ES = "ES"
    GO = "GO"
    MA = "MA"
    MT = "MT"
    MS = "MS"
    MG = "MG"
    PA = "PA"
    PB = "PB"
    PR = "PR"
    PE = "PE"
    PI = "PI"
    RJ = "RJ"
    RN = "RN"
    RS = "RS"
    RO = "RO"
    RR = "RR"
    SC = "SC"
    SP = "SP"
    SE = "SE"
    TO = "TO"


def _pg_enum(enum: type[StrEnum], name: str) -> Enum:
    return Enum(enum, name=name, values_callable=lambda members: [m.value for m in members])


# Text search configuration created by the migration: Portuguese stemming over unaccented words.
SEARCH_CONFIG = "public.pt_unaccent"
_SEARCH_DOCUMENT = (
    f"to_tsvector('{SEARCH_CONFIG}'::regconfig, "
    "coalesce(title, '') || ' ' || coalesce(description, '') || ' ' || "
    "coalesce(neighborhood, '') || ' ' || coalesce(city, ''))"
)
_PUBLISHED = text("status = 'published'")
# The same predicate as a literal in queries, so the planner always matches the partial
# indexes (a bound parameter could yield a generic plan that cannot use them).
PUBLISHED_ONLY = text("real_estates.status = 'published'")


def _published_index(name: str, *columns: str) -> Index:
    return Index(name, *columns, postgresql_where=_PUBLISHED)


class RealEstate(Base):
    """A property listing. Address and location are stored flat, shown nested."""

    __tablename__ = "real_estates"
    __table_args__ = (
        CheckConstraint("price_cents >= 0", name="price_non_negative"),
        CheckConstraint("condo_fee_cents >= 0", name="condo_fee_non_negative"),
        CheckConstraint("iptu_cents >= 0", name="iptu_non_negative"),
        CheckConstraint("area_m2 > 0", name="area_positive"),
        CheckConstraint("built_area_m2 > 0", name="built_area_positive"),
        CheckConstraint("parking_spaces BETWEEN 0 AND 50", name="parking_spaces_range"),
        CheckConstraint("bedrooms BETWEEN 0 AND 50", name="bedrooms_range"),
        CheckConstraint("bathrooms BETWEEN 0 AND 50", name="bathrooms_range"),
        CheckConstraint("postal_code ~ '^[0-9]{8}$'", name="postal_code_digits"),
        CheckConstraint("(lat IS NULL) = (lng IS NULL)", name="location_complete"),
        CheckConstraint("(status = 'published') = (published_at IS NOT NULL)", name="published_at"),
        # An admin's reason for unpublishing lives only on the draft it made (publishing
        # clears it), so it never shows on a listing that others can see.
        CheckConstraint(
            "moderation_reason IS NULL OR status = 'draft'", name="moderation_reason_on_draft"
        ),
        # One index per public sort; a backward scan serves the descending variant.
        _published_index("ix_real_estates_pub_published_at", "published_at", "id"),
        _published_index("ix_real_estates_pub_price", "price_cents", "id"),
        _published_index("ix_real_estates_pub_area", "area_m2", "id"),
        # The selective filters, leading, followed by the default sort.
        _published_index("ix_real_estates_pub_city", "city_key", "published_at", "id"),
        _published_index("ix_real_estates_pub_city_price", "city_key", "price_cents", "id"),
        _published_index("ix_real_estates_pub_state", "state", "published_at", "id"),
        _published_index(
            "ix_real_estates_pub_neighborhood", "neighborhood_key", "published_at", "id"
        ),
        _published_index("ix_real_estates_pub_bedrooms", "bedrooms"),
        _published_index(
            "ix_real_estates_pub_purpose_kind_price", "purpose", "kind", "price_cents", "id"
        ),
        Index(
            "ix_real_estates_pub_search",
            "search_vector",
            postgresql_using="gin",
            postgresql_where=_PUBLISHED,
        ),
        Index("ix_real_estates_owner_created", "owner_id", "created_at", "id"),
        # The map search: boxes on a planar (lng, lat) point, circles and nearest-first on
        # a point of the earth's surface (the cube and earthdistance extensions).
        Index(
            "ix_real_estates_pub_point",
            text("point(lng, lat)"),
            postgresql_using="gist",
            postgresql_where=_PUBLISHED,
        ),
        Index(
            "ix_real_estates_pub_earth",
            text("ll_to_earth(lat, lng)"),
            postgresql_using="gist",
            postgresql_where=_PUBLISHED,
        ),
        # The admins' list: every status, newest first, and its full text over all rows.
        Index("ix_real_estates_created", "created_at", "id"),
        Index("ix_real_estates_search_all", "search_vector", postgresql_using="gin"),
    )

    owner_id: Mapped[UUID] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    title: Mapped[str] = mapped_column(String(120))
    kind: Mapped[PropertyKind] = mapped_column(_pg_enum(PropertyKind, "property_kind"))
    purpose: Mapped[Purpose] = mapped_column(_pg_enum(Purpose, "listing_purpose"))
    price_cents: Mapped[int] = mapped_column(BigInteger)
    area_m2: Mapped[Decimal] = mapped_column(Numeric(12, 2))
    street: Mapped[str] = mapped_column(String(200))
    number: Mapped[str] = mapped_column(String(20))
    neighborhood: Mapped[str] = mapped_column(String(120))
    city: Mapped[str] = mapped_column(String(120))
    state: Mapped[State] = mapped_column(_pg_enum(State, "brazilian_state"))
    postal_code: Mapped[str] = mapped_column(String(8))
    # Normalised forms can be longer than the text (casefold: "ß" -> "ss"), hence Text.
    city_key: Mapped[str] = mapped_column(Text)
    neighborhood_key: Mapped[str] = mapped_column(Text)
    description: Mapped[str] = mapped_column(Text, default="")
    bedrooms: Mapped[int] = mapped_column(SmallInteger, default=0)
    bathrooms: Mapped[int] = mapped_column(SmallInteger, default=0)
    parking_spaces: Mapped[int] = mapped_column(SmallInteger, default=0)
    condo_fee_cents: Mapped[int | None] = mapped_column(BigInteger, default=None)
    iptu_cents: Mapped[int | None] = mapped_column(BigInteger, default=None)
    built_area_m2: Mapped[Decimal | None] = mapped_column(Numeric(12, 2), default=None)
    complement: Mapped[str | None] = mapped_column(String(100), default=None)
    lat: Mapped[float | None] = mapped_column(Double, default=None)
    lng: Mapped[float | None] = mapped_column(Double, default=None)
    status: Mapped[ListingStatus] = mapped_column(
        _pg_enum(ListingStatus, "listing_status"), default=ListingStatus.DRAFT
    )
    version: Mapped[int] = mapped_column(Integer, default=1)
    published_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), default=None)
    # Why an admin sent the listing back to draft; cleared when it is published again.
    moderation_reason: Mapped[str | None] = mapped_column(String(500), default=None)
    id: Mapped[UUID] = mapped_column(primary_key=True, default_factory=uuid4)
    created_at: Mapped[datetime] = mapped_column(
        DateTime(timezone=True), default_factory=utcnow, server_default=func.now()
    )
    updated_at: Mapped[datetime] = mapped_column(
        DateTime(timezone=True), default_factory=utcnow, server_default=func.now()
    )
    # The listing's photos as its documents show them, cover first: kept by the photos
    # feature in the same transaction as `listing_photos`, so reads need no join.
    photos: Mapped[list[dict[str, Any]]] = mapped_column(
        JSONB, default_factory=list, server_default=text("'[]'::jsonb")
    )
    cover_thumbnail_key: Mapped[str | None] = mapped_column(String(200), default=None)
    search_vector: Mapped[str | None] = mapped_column(
        TSVECTOR,
        Computed(_SEARCH_DOCUMENT, persisted=True),
        init=False,
        repr=False,
        deferred=True,
        compare=False,
    )
