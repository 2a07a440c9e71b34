"""The photo service of a request."""

from typing import Annotated

from fastapi import Depends, Request

from app.core.config.dependencies import database_of
from app.features.photos.service import PhotoService
from app.routers.dependencies import components_of
from app.wiring import build_photo_service


async def get_photo_service(request: Request) -> PhotoService:
    """The photo service over this request's database."""
    return build_photo_service(database_of(request), components_of(request))


PhotoServiceDep = Annotated[PhotoService, Depends(get_photo_service)]
