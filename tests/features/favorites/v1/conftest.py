"""Fixtures of the favourite tests (names prefixed `fav_` to stay distinct)."""

from typing import Any

import pytest
from sqlalchemy.ext.asyncio import AsyncSession

from app.core.config.db.database import Database
from app.features.favorites.repository import FavoriteRepository
from app.features.favorites.service import FavoriteService
from app.features.real_estates.model import RealEstate
from app.features.users.model import User
from app.wiring import Components, build_favorite_service
from tests.conftest import MakeUser
from tests.features.real_estates.v1.conftest import MakeListing, new_listing

FAVORITES = "/api/v1/users/me/favorites"


@pytest.fixture
async def fav_owner(make_user: MakeUser) -> User:
    """A collector who owns the listings `fav_make_listing` makes."""
    return await make_user(name="Listing Owner")


@pytest.fixture
async def fav_user(make_user: MakeUser) -> User:
    """A collector who saves listings."""
    return await make_user(name="Fanny Favourite")


@pytest.fixture
def fav_make_listing(session: AsyncSession, fav_owner: User) -> MakeListing:
    """Insert a listing (published by default) owned by `fav_owner` unless `owner_id` is given."""

    async def _make_listing(**overrides: Any) -> RealEstate:
        listing = new_listing(overrides.pop("owner_id", fav_owner.id), **overrides)
        session.add(listing)
        await session.flush()
        return listing

    return _make_listing


@pytest.fixture
def fav_repository(session: AsyncSession) -> FavoriteRepository:
    """The favourite repository over the test session."""
    return FavoriteRepository(Database.over(session))


@pytest.fixture
def fav_service(session: AsyncSession, components: Components) -> FavoriteService:
    """The favourite service, wired by the composition root."""
    return build_favorite_service(Database.over(session), components)
