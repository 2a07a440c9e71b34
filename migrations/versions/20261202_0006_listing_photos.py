"""listing photos, and the queue of stored objects to remove

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-02 11:00:00.000000+00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "0006"
down_revision: str | Sequence[str] | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# A photo row that goes (alone, or with its listing) queues its three objects.
_QUEUE_OBJECTS = (
    """
    CREATE FUNCTION listing_photos_queue_objects() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        INSERT INTO storage_deletions (key)
        VALUES (OLD.original_key), (OLD.web_key), (OLD.thumbnail_key)
        ON CONFLICT (key) DO UPDATE SET not_before = now();
        RETURN OLD;
    END;
    $$
    """,
    """
    CREATE TRIGGER listing_photos_queue_objects AFTER DELETE ON listing_photos
        FOR EACH ROW EXECUTE FUNCTION listing_photos_queue_objects()
    """,
)


def upgrade() -> None:
    op.create_table(
        "storage_deletions",
        sa.Column("key", sa.String(length=200), nullable=False),
        sa.Column(
            "not_before",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.PrimaryKeyConstraint("key", name=op.f("pk_storage_deletions")),
    )
    op.create_index(
        "ix_storage_deletions_not_before", "storage_deletions", ["not_before"], unique=False
    )
    op.create_table(
        "listing_photos",
        sa.Column("listing_id", sa.Uuid(), nullable=False),
        sa.Column("position", sa.SmallInteger(), nullable=False),
        sa.Column("width", sa.Integer(), nullable=False),
        sa.Column("height", sa.Integer(), nullable=False),
        sa.Column("content_type", sa.String(length=32), nullable=False),
        sa.Column("size_bytes", sa.Integer(), nullable=False),
        sa.Column("original_key", sa.String(length=200), nullable=False),
        sa.Column("web_key", sa.String(length=200), nullable=False),
        sa.Column("thumbnail_key", sa.String(length=200), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column(
            "created_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.ForeignKeyConstraint(
            ["listing_id"],
            ["real_estates.id"],
            name=op.f("fk_listing_photos_listing_id_real_estates"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_listing_photos")),
    )
    op.create_index(
        "ix_listing_photos_listing_position",
        "listing_photos",
        ["listing_id", "position"],
        unique=False,
    )
    op.add_column(
        "real_estates",
        sa.Column(
            "photos",
            postgresql.JSONB(astext_type=sa.Text()),
            server_default=sa.text("'[]'::jsonb"),
            nullable=False,
        ),
    )
    op.add_column(
        "real_estates", sa.Column("cover_thumbnail_key", sa.String(length=200), nullable=True)
    )
    for statement in _QUEUE_OBJECTS:
        op.execute(statement)


def downgrade() -> None:
    op.execute("DROP TRIGGER listing_photos_queue_objects ON listing_photos")
    op.execute("DROP FUNCTION listing_photos_queue_objects()")
    op.drop_column("real_estates", "cover_thumbnail_key")
    op.drop_column("real_estates", "photos")
    op.drop_index("ix_listing_photos_listing_position", table_name="listing_photos")
    op.drop_table("listing_photos")
    op.drop_index("ix_storage_deletions_not_before", table_name="storage_deletions")
    op.drop_table("storage_deletions")
