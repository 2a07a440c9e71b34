"""Request-scoped dependencies every router may use."""

from collections.abc import AsyncIterator
from typing import Annotated

from fastapi import Depends, Request
from sqlalchemy.ext.asyncio import AsyncSession

from app.core.config.components import Components


def get_components(request: Request) -> Components:
    """The application's long-lived collaborators."""
    components: Components = request.app.state.components
    return components


async def get_session(request: Request) -> AsyncIterator[AsyncSession]:
    """One database session per request, rolled back unless a service committed."""
    async with request.app.state.sessionmaker() as session:
        yield session


ComponentsDep = Annotated[Components, Depends(get_components)]
SessionDep = Annotated[AsyncSession, Depends(get_session)]
