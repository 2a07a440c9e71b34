"""ASGI middleware: request ids with access logging and metrics, load shedding, body limits."""

import asyncio
import logging
import random
import re
import time

from starlette.datastructures import Headers, MutableHeaders
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from app.core.config.dependencies import SAFE_METHODS, close_request_database
from app.core.config.observability import UNMEASURED_PATHS, RequestMetrics
from app.core.config.request_context import request_id_var, request_scope_var
from app.core.config.route_templates import RouteTemplates
from app.core.errors.catalogue import Overloaded, PayloadTooLarge
from app.core.errors.problems import REQUEST_ID_HEADER, render_problem

access_logger = logging.getLogger("app.access")

# The rest of a refused body is never read: the connection cannot carry another request.
_CLOSE = {"Connection": "close"}

_SAFE_REQUEST_ID = re.compile(r"^[A-Za-z0-9._:-]{1,128}$")


def new_request_id() -> str:
    """A fresh id for a request that brought none (or an unsafe one)."""
    # 128 random bits as 32 hex digits, like a UUID's: an id to correlate logs, not a secret,
    # so the fast generator serves (uuid4 reads the OS's entropy on every request).
    return f"{random.getrandbits(128):032x}"


class RequestContextMiddleware:
    """Give each request an id (echoed in `X-Request-ID`); close, log and count it at the end.

    Closing means giving back what the request's Database opened (see `get_database`).
    """

    def __init__(self, app: ASGIApp, *, metrics: RequestMetrics | None = None) -> None:
        self.app = app
        self.metrics = metrics
        self.route_templates = RouteTemplates()

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Run the request with its id bound, then write its access line and metrics."""
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        request_id = Headers(scope=scope).get(REQUEST_ID_HEADER)
        if request_id is None or not _SAFE_REQUEST_ID.match(request_id):
            request_id = new_request_id()
        scope.setdefault("state", {})["request_id"] = request_id
        request_id_var.set(request_id)
        request_scope_var.set(scope)
        method = scope["method"]
        metrics = self.metrics if self.metrics and self.metrics.measures(scope["path"]) else None
        if metrics is not None:
            metrics.started(method)
        started = time.perf_counter()
        status = 500

        async def send_with_id(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
                MutableHeaders(scope=message)[REQUEST_ID_HEADER] = request_id
            await send(message)

        try:
            await self.app(scope, receive, send_with_id)
        finally:
            await close_request_database(scope)
            seconds = time.perf_counter() - started
            route = self.route_templates.template(scope) or "<unmatched>"
            if metrics is not None:
                metrics.finished(method, route, status, seconds)
            access_logger.info(
                "request",
                extra={
                    "method": method,
                    "route": route,
                    "status": status,
                    "duration_ms": round(seconds * 1000, 2),
                    "user_id": scope["state"].get("user_id"),
                },
            )


class LoadSheddingMiddleware:
    """Answer a fast 503 `OVERLOADED` when `max_in_flight` requests are already being served.

    Waiting in line past that point only lengthens every request's latency (and the
    client's patience runs out first); refusing at once tells the client, or the
    load balancer, to retry elsewhere or later. Probes and the metrics scrape are
    never refused nor counted: an overloaded server is still alive.
    """

    RETRY_AFTER_SECONDS = 1

    def __init__(self, app: ASGIApp, *, max_in_flight: int) -> None:
        self.app = app
        self.max_in_flight = max_in_flight
        self.in_flight = 0

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Serve the request if there is room, else refuse it."""
        if scope["type"] != "http" or scope["path"] in UNMEASURED_PATHS:
            await self.app(scope, receive, send)
            return
        if self.in_flight >= self.max_in_flight:
            refusal = Overloaded(headers={"Retry-After": str(self.RETRY_AFTER_SECONDS)})
            await render_problem(Request(scope, receive), refusal)(scope, receive, send)
            return
        self.in_flight += 1
        try:
            await self.app(scope, receive, send)
        finally:
            self.in_flight -= 1


class BodyLimitsMiddleware:
    """Bound request bodies: above `max_bytes` a 413, slower than `read_timeout` a 408.

    The size is checked against the declared length first, then counted as bytes
    arrive; the whole body must arrive within `read_timeout_seconds` of the app's
    first read, so a client trickling a byte at a time cannot hold a request open.
    """

    def __init__(
        self,
        app: ASGIApp,
        *,
        max_bytes: int,
        read_timeout_seconds: float,
        uploads: tuple[re.Pattern[str], int] | None = None,
    ) -> None:
        """Bound bodies to `max_bytes`; POSTs to paths matching `uploads[0]` to `uploads[1]`."""
        self.app = app
        self.max_bytes = max_bytes
        self.read_timeout_seconds = read_timeout_seconds
        self.uploads = uploads

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Check the declared length, then count and time the bytes actually received."""
        if scope["type"] != "http" or scope["method"] in SAFE_METHODS:
            await self.app(scope, receive, send)
            return
        limit = self.max_bytes
        if self.uploads is not None and self.uploads[0].match(scope["path"]):
            limit = self.uploads[1]
        declared = Headers(scope=scope).get("content-length", "")
        if declared.isdigit() and int(declared) > limit:
            await self._refuse(scope, receive, send, limit)
            return
        received = 0
        deadline: float | None = None

        async def bounded_receive() -> Message:
            nonlocal received, deadline
            if deadline is None:
                deadline = asyncio.get_running_loop().time() + self.read_timeout_seconds
            try:
                async with asyncio.timeout_at(deadline):
                    message = await receive()
            except TimeoutError:
                # HTTPExceptions, so FastAPI's body parsing re-raises them to the problem handler.
                raise HTTPException(408, detail=self._late, headers=_CLOSE) from None
            received += len(message.get("body", b""))
            if received > limit:
                raise HTTPException(413, detail=_too_large(limit), headers=_CLOSE)
            return message

        await self.app(scope, bounded_receive, send)

    @property
    def _late(self) -> str:
        return f"The request body did not arrive within {self.read_timeout_seconds:g} s."

    async def _refuse(self, scope: Scope, receive: Receive, send: Send, limit: int) -> None:
        response = render_problem(Request(scope, receive), PayloadTooLarge(_too_large(limit)))
        await response(scope, receive, send)


def _too_large(limit: int) -> str:
    return f"Request bodies are limited to {limit} bytes."
