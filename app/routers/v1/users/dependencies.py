"""The user service of a request."""

from typing import Annotated

from fastapi import Depends

from app.core.config.dependencies import SessionDep
from app.features.users.service import UserService
from app.routers.dependencies import ComponentsDep
from app.wiring import build_user_service


async def get_user_service(session: SessionDep, components: ComponentsDep) -> UserService:
    """The user service over this request's session."""
    return build_user_service(session, components)


UserServiceDep = Annotated[UserService, Depends(get_user_service)]
