"""The access line's `route`: the full template, however the routers are nested."""

import logging

import httpx
import pytest
from fastapi import APIRouter, FastAPI

from app.core.config.middleware import RequestContextMiddleware


def _app() -> FastAPI:
    """Nested prefixes, one router included twice, and a route on the app itself."""
    items = APIRouter(prefix="/items")

    @items.get("/{item_id}")
    async def read_item(item_id: int) -> int:
        return item_id

    v1 = APIRouter(prefix="/api/v1")
    v1.include_router(items)
    app = FastAPI()
    app.include_router(v1)
    app.include_router(items, prefix="/legacy")

    @app.get("/ping")
    async def ping() -> str:
        return "pong"

    app.add_middleware(RequestContextMiddleware)
    return app


async def _routes_logged(
    caplog: pytest.LogCaptureFixture, requests: list[tuple[str, str]]
) -> list[str | None]:
    app = _app()
    caplog.set_level(logging.INFO, logger="app.access")
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://test") as client:
        for method, path in requests:
            await client.request(method, path)
    return [
        getattr(record, "route", None) for record in caplog.records if record.name == "app.access"
    ]


async def test_access_lines_name_the_route_with_every_router_prefix(
    caplog: pytest.LogCaptureFixture,
) -> None:
    requests = [
        ("GET", "/api/v1/items/1"),
        ("GET", "/legacy/items/2"),
        ("GET", "/api/v1/items/3"),
        ("GET", "/ping"),
        ("DELETE", "/legacy/items/4"),
        ("GET", "/nowhere"),
    ]

    routes = await _routes_logged(caplog, requests)

    assert routes == [
        "/api/v1/items/{item_id}",
        "/legacy/items/{item_id}",
        "/api/v1/items/{item_id}",
        "/ping",
        "/legacy/items/{item_id}",
        "<unmatched>",
    ]
