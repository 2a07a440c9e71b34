"""ASGI middleware: request ids with access logging and metrics, load shedding, body limit."""

import logging
import random
import re
import time

from starlette.datastructures import Headers, MutableHeaders
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from app.core.config.dependencies import close_request_database
from app.core.config.observability import UNMEASURED_PATHS, RequestMetrics
from app.core.config.request_context import request_id_var, request_scope_var
from app.core.config.route_templates import RouteTemplates
from app.core.errors.catalogue import Overloaded, PayloadTooLarge
from app.core.errors.problems import REQUEST_ID_HEADER, render_problem

access_logger = logging.getLogger("app.access")

_SAFE_REQUEST_ID = re.compile(r"^[A-Za-z0-9._:-]{1,128}$")


def _new_request_id() -> str:
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
            request_id = _new_request_id()
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


class BodySizeLimitMiddleware:
    """Refuse request bodies above `max_bytes` with a 413 problem, declared or streamed."""

    def __init__(self, app: ASGIApp, *, max_bytes: int) -> None:
        self.app = app
        self.max_bytes = max_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Check the declared length, then count the bytes actually received."""
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        declared = Headers(scope=scope).get("content-length", "")
        if declared.isdigit() and int(declared) > self.max_bytes:
            await self._refuse(scope, receive, send)
            return
        received = 0

        async def counting_receive() -> Message:
            nonlocal received
            message = await receive()
            received += len(message.get("body", b""))
            if received > self.max_bytes:
                # An HTTPException, so FastAPI's body parsing re-raises it to the problem handler.
                raise HTTPException(413, detail=self._detail)
            return message

        await self.app(scope, counting_receive, send)

    @property
    def _detail(self) -> str:
        return f"Request bodies are limited to {self.max_bytes} bytes."

    async def _refuse(self, scope: Scope, receive: Receive, send: Send) -> None:
        response = render_problem(Request(scope, receive), PayloadTooLarge(self._detail))
        await response(scope, receive, send)
