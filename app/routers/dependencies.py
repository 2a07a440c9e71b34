"""Dependencies shared by the routers: the app's components, from the composition root."""

from typing import Annotated

from fastapi import Depends, Request

from app.wiring import Components


async def get_components(request: Request) -> Components:
    """The application's long-lived collaborators (built once by `create_app`)."""
    components: Components = request.app.state.components
    return components


ComponentsDep = Annotated[Components, Depends(get_components)]
