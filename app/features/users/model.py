"""The user account."""

from datetime import datetime
from enum import StrEnum
from uuid import UUID, uuid4

from sqlalchemy import CheckConstraint, DateTime, Enum, Index, String, func, text
from sqlalchemy.orm import Mapped, mapped_column

from app.core.config.db.base import Base
from app.features.shared.timestamps import utcnow


class Role(StrEnum):
    """What a user may do: collectors manage their listings, admins manage everything."""

    ADMIN = "admin"
    COLLECTOR = "collector"


class User(Base):
    """A person who can sign in."""

    __tablename__ = "users"
    __table_args__ = (
        CheckConstraint("cpf ~ '^[0-9]{11}$'", name="cpf_digits"),
        CheckConstraint("char_length(name) BETWEEN 4 AND 120", name="name_length"),
        # Serves the admin's keyset-paginated list (sign-up order).
        Index("ix_users_created_at_id", "created_at", "id"),
        # Serves the admin's search by name prefix, case-insensitively (LIKE 'ana%').
        Index(
            "ix_users_name_lower",
            func.lower(text("name")),
            postgresql_ops={"lower(name)": "text_pattern_ops"},
        ),
    )

    name: Mapped[str] = mapped_column(String(120))
    cpf: Mapped[str] = mapped_column(String(11), unique=True)
    password_hash: Mapped[str] = mapped_column(String(255), repr=False)
    role: Mapped[Role] = mapped_column(
        Enum(Role, name="user_role", values_callable=lambda roles: [role.value for role in roles]),
        default=Role.COLLECTOR,
    )
    email: Mapped[str | None] = mapped_column(String(254), unique=True, default=None)
    id: Mapped[UUID] = mapped_column(primary_key=True, default_factory=uuid4)
    created_at: Mapped[datetime] = mapped_column(
        DateTime(timezone=True), default_factory=utcnow, server_default=func.now()
    )
    updated_at: Mapped[datetime] = mapped_column(
        DateTime(timezone=True), default_factory=utcnow, server_default=func.now(), onupdate=utcnow
    )
