"""The favourite service of a request."""

from typing import Annotated

from fastapi import Depends, Request

from app.core.config.dependencies import database_of
from app.features.favorites.service import FavoriteService
from app.routers.dependencies import components_of
from app.wiring import build_favorite_service


async def get_favorite_service(request: Request) -> FavoriteService:
    """The favourite service over this request's database."""
    return build_favorite_service(database_of(request), components_of(request))


FavoriteServiceDep = Annotated[FavoriteService, Depends(get_favorite_service)]
