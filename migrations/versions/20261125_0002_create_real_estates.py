"""create real estates

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-25 12:45:45.531354+00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "0002"
down_revision: str | Sequence[str] | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


ENUM_TYPES = ("property_kind", "listing_purpose", "brazilian_state", "listing_status")


def upgrade() -> None:
    # Full text search: Portuguese stemming over unaccented words, so "sao paulo"
    # finds "São Paulo". A configuration (unlike unaccent()) is immutable, so the
    # search vector can be a stored generated column with a GIN index.
    op.execute("CREATE EXTENSION IF NOT EXISTS unaccent WITH SCHEMA public")
    op.execute("CREATE TEXT SEARCH CONFIGURATION public.pt_unaccent (COPY = pg_catalog.portuguese)")
    op.execute(
        "ALTER TEXT SEARCH CONFIGURATION public.pt_unaccent "
        "ALTER MAPPING FOR hword, hword_part, word WITH public.unaccent, portuguese_stem"
    )
    op.create_table(
        "real_estates",
        sa.Column("owner_id", sa.Uuid(), nullable=False),
        sa.Column("title", sa.String(length=120), nullable=False),
        sa.Column(
            "kind",
            sa.Enum("house", "apartment", "land", "commercial", "rural", name="property_kind"),
            nullable=False,
        ),
        sa.Column("purpose", sa.Enum("sale", "rent", name="listing_purpose"), nullable=False),
        sa.Column("price_cents", sa.BigInteger(), nullable=False),
        sa.Column("area_m2", sa.Numeric(precision=12, scale=2), nullable=False),
        sa.Column("street", sa.String(length=200), nullable=False),
        sa.Column("number", sa.String(length=20), nullable=False),
        sa.Column("neighborhood", sa.String(length=120), nullable=False),
        sa.Column("city", sa.String(length=120), nullable=False),
        sa.Column(
            "state",
            sa.Enum(
                "AC",
                "AL",
                "AP",
                "AM",
                "BA",
                "CE",
                "DF",
                "ES",
                "GO",
                "MA",
                "MT",
                "MS",
                "MG",
                "PA",
                "PB",
                "PR",
                "PE",
                "PI",
                "RJ",
                "RN",
                "RS",
                "RO",
                "RR",
                "SC",
                "SP",
                "SE",
                "TO",
                name="brazilian_state",
            ),
            nullable=False,
        ),
        sa.Column("postal_code", sa.String(length=8), nullable=False),
        sa.Column("city_key", sa.Text(), nullable=False),
        sa.Column("neighborhood_key", sa.Text(), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("bedrooms", sa.SmallInteger(), nullable=False),
        sa.Column("bathrooms", sa.SmallInteger(), nullable=False),
        sa.Column("parking_spaces", sa.SmallInteger(), nullable=False),
        sa.Column("condo_fee_cents", sa.BigInteger(), nullable=True),
        sa.Column("iptu_cents", sa.BigInteger(), nullable=True),
        sa.Column("built_area_m2", sa.Numeric(precision=12, scale=2), nullable=True),
        sa.Column("complement", sa.String(length=100), nullable=True),
        sa.Column("lat", sa.Double(), nullable=True),
        sa.Column("lng", sa.Double(), nullable=True),
        sa.Column(
            "status",
            sa.Enum("draft", "published", "archived", name="listing_status"),
            nullable=False,
        ),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("published_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column(
            "created_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.Column(
            "updated_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.Column(
            "search_vector",
            postgresql.TSVECTOR(),
            sa.Computed(
                "to_tsvector('public.pt_unaccent'::regconfig, "
                "coalesce(title, '') || ' ' || coalesce(description, '') || ' ' || "
                "coalesce(neighborhood, '') || ' ' || coalesce(city, ''))",
                persisted=True,
            ),
            nullable=True,
        ),
        sa.CheckConstraint(
            "(status = 'published') = (published_at IS NOT NULL)",
            name=op.f("ck_real_estates_published_at"),
        ),
        sa.CheckConstraint(
            "postal_code ~ '^[0-9]{8}$'", name=op.f("ck_real_estates_postal_code_digits")
        ),
        sa.CheckConstraint(
            "(lat IS NULL) = (lng IS NULL)", name=op.f("ck_real_estates_location_complete")
        ),
        sa.CheckConstraint("area_m2 > 0", name=op.f("ck_real_estates_area_positive")),
        sa.CheckConstraint(
            "bathrooms BETWEEN 0 AND 50", name=op.f("ck_real_estates_bathrooms_range")
        ),
        sa.CheckConstraint(
            "bedrooms BETWEEN 0 AND 50", name=op.f("ck_real_estates_bedrooms_range")
        ),
        sa.CheckConstraint("built_area_m2 > 0", name=op.f("ck_real_estates_built_area_positive")),
        sa.CheckConstraint(
            "condo_fee_cents >= 0", name=op.f("ck_real_estates_condo_fee_non_negative")
        ),
        sa.CheckConstraint("iptu_cents >= 0", name=op.f("ck_real_estates_iptu_non_negative")),
        sa.CheckConstraint(
            "parking_spaces BETWEEN 0 AND 50", name=op.f("ck_real_estates_parking_spaces_range")
        ),
        sa.CheckConstraint("price_cents >= 0", name=op.f("ck_real_estates_price_non_negative")),
        sa.ForeignKeyConstraint(
            ["owner_id"],
            ["users.id"],
            name=op.f("fk_real_estates_owner_id_users"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_real_estates")),
    )
    op.create_index(
        "ix_real_estates_owner_created",
        "real_estates",
        ["owner_id", "created_at", "id"],
        unique=False,
    )
    op.create_index(
        "ix_real_estates_pub_area",
        "real_estates",
        ["area_m2", "id"],
        unique=False,
        postgresql_where=sa.text("status = 'published'"),
    )
    op.create_index(
        "ix_real_estates_pub_city",
        "real_estates",
        ["city_key", "published_at", "id"],
        unique=False,
        postgresql_where=sa.text("status = 'published'"),
    )
    op.create_index(
        "ix_real_estates_pub_city_price",
        "real_estates",
        ["city_key", "price_cents", "id"],
        unique=False,
        postgresql_where=sa.text("status = 'published'"),
    )
    op.create_index(
        "ix_real_estates_pub_price",
        "real_estates",
        ["price_cents", "id"],
        unique=False,
        postgresql_where=sa.text("status = 'published'"),
    )
    op.create_index(
        "ix_real_estates_pub_published_at",
        "real_estates",
        ["published_at", "id"],
        unique=False,
        postgresql_where=sa.text("status = 'published'"),
    )
    op.create_index(
        "ix_real_estates_pub_purpose_kind_price",
        "real_estates",
        ["purpose", "kind", "price_cents", "id"],
        unique=False,
        postgresql_where=sa.text("status = 'published'"),
    )
    op.create_index(
        "ix_real_estates_pub_search",
        "real_estates",
        ["search_vector"],
        unique=False,
        postgresql_using="gin",
        postgresql_where=sa.text("status = 'published'"),
    )
    op.create_index(
        "ix_real_estates_pub_neighborhood",
        "real_estates",
        ["neighborhood_key", "published_at", "id"],
        unique=False,
        postgresql_where=sa.text("status = 'published'"),
    )
    op.create_index(
        "ix_real_estates_pub_bedrooms",
        "real_estates",
        ["bedrooms"],
        unique=False,
        postgresql_where=sa.text("status = 'published'"),
    )
    op.create_index(
        "ix_real_estates_pub_state",
        "real_estates",
        ["state", "published_at", "id"],
        unique=False,
        postgresql_where=sa.text("status = 'published'"),
    )


def downgrade() -> None:
    op.drop_table("real_estates")
    for enum_type in ENUM_TYPES:
        sa.Enum(name=enum_type).drop(op.get_bind(), checkfirst=True)
    op.execute("DROP TEXT SEARCH CONFIGURATION public.pt_unaccent")
    # The unaccent extension stays: other objects may use it, and it is harmless.
