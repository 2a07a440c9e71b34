"""The user service of a request."""

from typing import Annotated

from fastapi import Depends

from app.core.config.dependencies import DatabaseDep
from app.features.users.service import UserService
from app.routers.dependencies import ComponentsDep
from app.wiring import build_user_service


async def get_user_service(database: DatabaseDep, components: ComponentsDep) -> UserService:
    """The user service over this request's database."""
    return build_user_service(database, components)


UserServiceDep = Annotated[UserService, Depends(get_user_service)]
