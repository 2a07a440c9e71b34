"""Fixtures of the user tests: a signed-in collector and admin, and rows as stored."""

from typing import Any
from uuid import UUID

import pytest
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from app.features.users.model import Role, User
from tests.conftest import MakeToken, MakeUser, bearer


async def stored_user(
    session: AsyncSession, user_id: str | UUID, *columns: Any
) -> tuple[Any, ...] | None:
    """`columns` of a user's row as the database holds it now; None when there is no row."""
    query = select(*(columns or (User.id,))).where(User.id == UUID(str(user_id)))
    row = (await session.execute(query)).one_or_none()
    return None if row is None else tuple(row)


@pytest.fixture
async def collector(make_user: MakeUser) -> User:
    """A signed-up collector with an e-mail address."""
    return await make_user(name="Ana Lima", email="ana@example.com")


@pytest.fixture
async def as_collector(collector: User, sign_in: MakeToken) -> dict[str, str]:
    """Authorization headers of `collector`."""
    return bearer(await sign_in(collector))


@pytest.fixture
async def admin(make_user: MakeUser) -> User:
    """A signed-up admin, the only one unless a test makes more."""
    return await make_user(name="Root Admin", role=Role.ADMIN)


@pytest.fixture
async def as_admin(admin: User, sign_in: MakeToken) -> dict[str, str]:
    """Authorization headers of `admin`."""
    return bearer(await sign_in(admin))
