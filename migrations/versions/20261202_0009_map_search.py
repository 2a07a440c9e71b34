"""map search: the earthdistance extensions and two GiST indexes over published listings

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-02 12:00:00.000000+00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0009"
down_revision: str | Sequence[str] | None = "0008"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_PUBLISHED = sa.text("status = 'published'")


def upgrade() -> None:
    # Both are trusted contrib extensions, shipped with PostgreSQL (no PostGIS needed).
    op.execute("CREATE EXTENSION IF NOT EXISTS cube")
    op.execute("CREATE EXTENSION IF NOT EXISTS earthdistance")
    op.create_index(
        "ix_real_estates_pub_point",
        "real_estates",
        [sa.text("point(lng, lat)")],
        postgresql_using="gist",
        postgresql_where=_PUBLISHED,
    )
    op.create_index(
        "ix_real_estates_pub_earth",
        "real_estates",
        [sa.text("ll_to_earth(lat, lng)")],
        postgresql_using="gist",
        postgresql_where=_PUBLISHED,
    )


def downgrade() -> None:
    op.drop_index("ix_real_estates_pub_earth", table_name="real_estates")
    op.drop_index("ix_real_estates_pub_point", table_name="real_estates")
    op.execute("DROP EXTENSION IF EXISTS earthdistance")
    op.execute("DROP EXTENSION IF EXISTS cube")
