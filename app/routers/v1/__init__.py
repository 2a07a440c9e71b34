"""Version 1 of the HTTP API, mounted under /api/v1."""

from fastapi import APIRouter

from app.routers.v1.auth.routes import router as auth_router
from app.routers.v1.real_estates.routes import router as real_estates_router
from app.routers.v1.users.routes import router as users_router


def build_v1_router() -> APIRouter:
    """Every v1 route, under the /api/v1 prefix."""
    router = APIRouter(prefix="/api/v1")
    router.include_router(auth_router)
    router.include_router(users_router)
    router.include_router(real_estates_router)
    return router
