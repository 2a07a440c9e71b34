"""The session service of a request."""

from typing import Annotated

from fastapi import Depends, Request

from app.core.config.dependencies import database_of
from app.features.auth.sessions import SessionService
from app.routers.dependencies import components_of
from app.wiring import build_session_service


async def get_session_service(request: Request) -> SessionService:
    """The session service over this request's database."""
    return build_session_service(database_of(request), components_of(request))


SessionServiceDep = Annotated[SessionService, Depends(get_session_service)]
