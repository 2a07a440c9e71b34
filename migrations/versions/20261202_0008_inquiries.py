"""inquiries: a searcher's message to the collector of a listing

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-02 12:00:00.000000+00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0008"
down_revision: str | Sequence[str] | None = "0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "inquiries",
        sa.Column("sender_id", sa.Uuid(), nullable=False),
        sa.Column("recipient_id", sa.Uuid(), nullable=True),
        sa.Column("listing_id", sa.Uuid(), nullable=True),
        sa.Column("listing_title", sa.String(length=120), nullable=False),
        sa.Column("listing_city", sa.String(length=120), nullable=False),
        sa.Column("sender_name", sa.String(length=120), nullable=False),
        sa.Column("message", sa.Text(), nullable=False),
        sa.Column("phone", sa.String(length=16), nullable=True),
        sa.Column(
            "preferred_contact_time",
            sa.Enum("morning", "afternoon", "evening", "any", name="contact_time"),
            nullable=True,
        ),
        sa.Column("read_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column(
            "created_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.CheckConstraint("phone ~ '^\\+55[0-9]{10,11}$'", name=op.f("ck_inquiries_phone_e164")),
        sa.CheckConstraint(
            "char_length(message) BETWEEN 10 AND 2000", name=op.f("ck_inquiries_message_length")
        ),
        sa.ForeignKeyConstraint(
            ["listing_id"],
            ["real_estates.id"],
            name=op.f("fk_inquiries_listing_id_real_estates"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["recipient_id"],
            ["users.id"],
            name=op.f("fk_inquiries_recipient_id_users"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["sender_id"],
            ["users.id"],
            name=op.f("fk_inquiries_sender_id_users"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_inquiries")),
        sa.UniqueConstraint("sender_id", "listing_id", name="uq_inquiries_sender_listing"),
    )
    op.create_index(
        "ix_inquiries_recipient_created",
        "inquiries",
        ["recipient_id", "created_at", "id"],
        unique=False,
    )
    op.create_index(
        "ix_inquiries_sender_created", "inquiries", ["sender_id", "created_at", "id"], unique=False
    )


def downgrade() -> None:
    op.drop_index("ix_inquiries_sender_created", table_name="inquiries")
    op.drop_index("ix_inquiries_recipient_created", table_name="inquiries")
    op.drop_table("inquiries")
    sa.Enum(name="contact_time").drop(op.get_bind(), checkfirst=True)
