"""The root path: people who open the service's address are sent to its documentation."""

from fastapi import APIRouter
from fastapi.responses import JSONResponse

router = APIRouter(include_in_schema=False)

LINKS = {
    "docs": "/docs",
    "redoc": "/redoc",
    "openapi": "/openapi.json",
    "errors": "/errors",
    "health": "/health/ready",
}


@router.get("/")
async def home() -> JSONResponse:
    """Redirect browsers to Swagger UI; tell other clients where everything is."""
    return JSONResponse(
        {"name": "Real Estate API", **LINKS}, status_code=307, headers={"Location": "/docs"}
    )
