"""Version 1 of the HTTP API, mounted under /api/v1."""

from fastapi import APIRouter, FastAPI

from app.routers.v1.admin.moderation import router as moderation_router
from app.routers.v1.admin.routes import router as admin_router
from app.routers.v1.auth.routes import router as auth_router
from app.routers.v1.favorites.routes import router as favorites_router
from app.routers.v1.inquiries.routes import router as inquiries_router
from app.routers.v1.photos.routes import router as photos_router
from app.routers.v1.real_estates.routes import router as real_estates_router
from app.routers.v1.saved_searches.routes import router as saved_searches_router
from app.routers.v1.sessions.routes import router as sessions_router
from app.routers.v1.users.routes import router as users_router

PREFIX = "/api/v1"

# The most requested first: FastAPI tries the routers in this order on every request.
ROUTERS: tuple[APIRouter, ...] = (
    real_estates_router,
    users_router,
    favorites_router,
    auth_router,
    sessions_router,
    admin_router,
    moderation_router,
    photos_router,
    inquiries_router,
    saved_searches_router,
)


def include_v1(app: FastAPI) -> None:
    """Add every v1 route to `app`, under the /api/v1 prefix.

    Each feature router is included in the app directly: a router of routers would
    be matched level by level, twice, on every request.
    """
    for router in ROUTERS:
        app.include_router(router, prefix=PREFIX)
