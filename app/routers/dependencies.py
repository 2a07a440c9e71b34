"""What the routers' dependencies share: the app's components, from the composition root."""

from fastapi import Request

from app.wiring import Components


def components_of(request: Request) -> Components:
    """The application's long-lived collaborators (built once by `create_app`).

    A plain function rather than a dependency of its own: each dependency FastAPI
    resolves costs every request that uses it, and this one is a field read.
    """
    components: Components = request.app.state.components
    return components
