"""The user service of a request."""

from typing import Annotated

from fastapi import Depends, Request

from app.core.config.dependencies import database_of
from app.features.users.service import UserService
from app.routers.dependencies import components_of
from app.wiring import build_user_service


async def get_user_service(request: Request) -> UserService:
    """The user service over this request's database."""
    return build_user_service(database_of(request), components_of(request))


UserServiceDep = Annotated[UserService, Depends(get_user_service)]
