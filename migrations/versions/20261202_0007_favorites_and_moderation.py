"""favourites, and what admins need to moderate listings and find users

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-02 11:36:57.700646+00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0007"
down_revision: str | Sequence[str] | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # `listing_id` is no foreign key: a deleted listing leaves its favourites, shown as
    # unavailable; the user's own go with their account.
    op.create_table(
        "favorites",
        sa.Column("user_id", sa.Uuid(), nullable=False),
        sa.Column("listing_id", sa.Uuid(), nullable=False),
        sa.Column(
            "created_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name=op.f("fk_favorites_user_id_users"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("user_id", "listing_id", name=op.f("pk_favorites")),
    )
    op.create_index("ix_favorites_listing_id", "favorites", ["listing_id"], unique=False)
    op.create_index(
        "ix_favorites_user_created",
        "favorites",
        ["user_id", "created_at", "listing_id"],
        unique=False,
    )
    op.add_column(
        "real_estates", sa.Column("moderation_reason", sa.String(length=500), nullable=True)
    )
    op.create_check_constraint(
        op.f("ck_real_estates_moderation_reason_on_draft"),
        "real_estates",
        "moderation_reason IS NULL OR status = 'draft'",
    )
    # The admins' list: any status, newest first, and full text over every row (the
    # public search's GIN index covers published rows only).
    op.create_index("ix_real_estates_created", "real_estates", ["created_at", "id"], unique=False)
    op.create_index(
        "ix_real_estates_search_all",
        "real_estates",
        ["search_vector"],
        unique=False,
        postgresql_using="gin",
    )
    # The admins' search of users by name prefix: lower(name) LIKE 'ana%'.
    op.create_index(
        "ix_users_name_lower",
        "users",
        [sa.literal_column("lower(name)")],
        unique=False,
        postgresql_ops={"lower(name)": "text_pattern_ops"},
    )


def downgrade() -> None:
    op.drop_index(
        "ix_users_name_lower",
        table_name="users",
        postgresql_ops={"lower(name)": "text_pattern_ops"},
    )
    op.drop_index("ix_real_estates_search_all", table_name="real_estates", postgresql_using="gin")
    op.drop_index("ix_real_estates_created", table_name="real_estates")
    op.drop_constraint(
        op.f("ck_real_estates_moderation_reason_on_draft"), "real_estates", type_="check"
    )
    op.drop_column("real_estates", "moderation_reason")
    op.drop_index("ix_favorites_user_created", table_name="favorites")
    op.drop_index("ix_favorites_listing_id", table_name="favorites")
    op.drop_table("favorites")
