"""The HTTP/1.1 connection protocol: uvicorn's, bounded against slow and oversized clients.

The application only sees a request once its headers are complete, so these bounds
live below it, where bytes arrive: how many connections a worker holds, how long a
request's line and headers may take, and how large and how many they may be. Each
refusal is a problem document (`Connection: close`) and one log line.
"""

import asyncio
import json
import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from http import HTTPStatus
from typing import Any, Self

from uvicorn.config import Config
from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol
from uvicorn.server import ServerState

from app.core.config.middleware import new_request_id
from app.core.config.security_headers import API_SECURITY_HEADERS
from app.core.config.settings import Settings
from app.core.errors.base import BaseError
from app.core.errors.catalogue import (
    BadRequest,
    Overloaded,
    RequestHeadersTooLarge,
    RequestTimeout,
    UriTooLong,
)
from app.core.errors.problems import PROBLEM_MEDIA_TYPE, REQUEST_ID_HEADER, problem_document

logger = logging.getLogger("app.connections")

# Longer request lines (method, path and query) are answered 414, as nginx does by default.
MAX_REQUEST_LINE_BYTES = 8 * 1024
OVERLOADED_RETRY_AFTER_SECONDS = 1
# How long what a refused client still sends is read and dropped before closing.
LINGER_SECONDS = 2.0


@dataclass(frozen=True)
class ClientLimits:
    """What one connection may ask of a worker before its request reaches the app."""

    max_connections: int = 2048
    max_header_bytes: int = 32 * 1024
    max_headers: int = 100
    header_timeout_seconds: float = 10.0
    problem_base_url: str = "/"
    on_refused: Callable[[str], None] = field(default=lambda _code: None, compare=False)

    @classmethod
    def from_settings(
        cls, settings: Settings, *, on_refused: Callable[[str], None] = lambda _code: None
    ) -> Self:
        """The limits the settings choose; `on_refused` is told each refusal's code."""
        return cls(
            on_refused=on_refused,
            max_connections=settings.max_connections_per_worker,
            max_header_bytes=settings.max_request_header_bytes,
            max_headers=settings.max_request_headers,
            header_timeout_seconds=settings.header_read_timeout_seconds,
            problem_base_url=settings.problem_type_base_url,
        )


def limits_of(app: Any) -> ClientLimits:
    """The limits the served app was configured with (`app.state.client_limits`)."""
    state = getattr(app, "state", None)
    limits = getattr(state, "client_limits", None)
    return limits if isinstance(limits, ClientLimits) else ClientLimits()


class _Refused(Exception):
    """Raised inside a parser callback; the refusal itself is in `_refusal`."""


class BoundedHttpToolsProtocol(HttpToolsProtocol):
    """uvicorn's httptools protocol, with the ClientLimits of the app it serves."""

    def __init__(
        self,
        config: Config,
        server_state: ServerState,
        app_state: dict[str, Any],
        _loop: asyncio.AbstractEventLoop | None = None,
    ) -> None:
        super().__init__(config, server_state, app_state, _loop)
        self._limits = limits_of(config.loaded_app)
        self.url = b""
        self._reading_headers = True
        self._header_bytes = 0
        self._header_count = 0
        self._header_timer: asyncio.TimerHandle | None = None
        self._refusal: BaseError | None = None

    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        """Take the connection, unless the worker already holds as many as it may."""
        super().connection_made(transport)
        if len(self.connections) > self._limits.max_connections:
            retry = {"Retry-After": str(OVERLOADED_RETRY_AFTER_SECONDS)}
            self._refuse(
                Overloaded("This server holds as many connections as it may.", headers=retry)
            )
            return
        self._arm_header_timer()

    def connection_lost(self, exc: Exception | None) -> None:
        """Forget the connection and its timer."""
        self._disarm_header_timer()
        super().connection_lost(exc)

    def data_received(self, data: bytes) -> None:
        """Parse what arrived; refuse a request whose headers outgrow the limit."""
        if self._refusal is not None:
            return
        was_reading_headers = self._reading_headers
        super().data_received(data)
        # Only a chunk that began and ended inside a request's head is all head: one that
        # completed the head (or a body) is measured exactly by on_headers_complete.
        still_reading = was_reading_headers and self._reading_headers
        if still_reading and self._refusal is None and not self.transport.is_closing():
            self._header_bytes += len(data)
            if (refusal := self._oversized(self._header_bytes)) is not None:
                self._refuse(refusal)

    def on_message_begin(self) -> None:
        """A request starts: its line and headers get the header timeout from now."""
        super().on_message_begin()
        self._reading_headers = True
        self._header_bytes = 0
        self._header_count = 0
        if self._header_timer is None:
            self._arm_header_timer()

    def on_headers_complete(self) -> None:
        """The headers are in: stop their clock and hand the request to the app."""
        self._disarm_header_timer()
        self._reading_headers = False
        size = len(self.url) + sum(len(name) + len(value) + 4 for name, value in self.headers)
        if (refusal := self._oversized(size)) is not None:
            self._refusal = refusal
            raise _Refused
        super().on_headers_complete()

    def on_message_complete(self) -> None:
        """The request is in; what arrives next belongs to the next request's headers."""
        super().on_message_complete()
        self._reading_headers = True
        self._header_bytes = 0

    def send_400_response(self, msg: str) -> None:
        """Answer what could not be parsed, or a refusal raised while parsing, as a problem."""
        refusal = self._refusal or BadRequest("The request is not valid HTTP/1.1.")
        self._refusal = None
        self._refuse(refusal)

    def _oversized(self, head_bytes: int) -> BaseError | None:
        """The refusal a request head of `head_bytes` so far deserves, if any."""
        limits = self._limits
        if len(self.url) > MAX_REQUEST_LINE_BYTES:
            return UriTooLong(f"Request lines are limited to {MAX_REQUEST_LINE_BYTES} bytes.")
        if len(self.headers or ()) > limits.max_headers:
            detail = f"Requests may carry at most {limits.max_headers} header fields."
            return RequestHeadersTooLarge(detail)
        if head_bytes > limits.max_header_bytes:
            detail = f"Request headers are limited to {limits.max_header_bytes} bytes."
            return RequestHeadersTooLarge(detail)
        return None

    def _arm_header_timer(self) -> None:
        self._header_timer = self.loop.call_later(
            self._limits.header_timeout_seconds, self._header_timeout
        )

    def _disarm_header_timer(self) -> None:
        if self._header_timer is not None:
            self._header_timer.cancel()
            self._header_timer = None

    def _header_timeout(self) -> None:
        self._header_timer = None
        if self.transport.is_closing() or not self._reading_headers:
            return
        if self._header_bytes == 0 and not self.url:
            self.transport.close()  # connected and never asked anything: nothing to answer
            return
        seconds = self._limits.header_timeout_seconds
        self._refuse(RequestTimeout(f"The request's headers did not arrive within {seconds:g} s."))

    def _refuse(self, error: BaseError) -> None:
        """Answer `error` as a problem document and close the connection."""
        self._refusal = error
        self._disarm_header_timer()
        if self.transport.is_closing():
            return
        if self.cycle is not None and not self.cycle.response_complete:
            self.transport.close()  # a response is being written: another would corrupt it
            return
        request_id = new_request_id()
        instance = self.url.split(b"?")[0].decode("latin-1")[:256] or "/"
        document = problem_document(
            error, base_url=self._limits.problem_base_url, instance=instance
        )
        body = json.dumps({**document, "request_id": request_id}).encode()
        headers = {
            **error.headers,
            "Content-Type": PROBLEM_MEDIA_TYPE,
            "Content-Length": str(len(body)),
            "Connection": "close",
            REQUEST_ID_HEADER: request_id,
            **API_SECURITY_HEADERS,
        }
        head = "".join(f"{name}: {value}\r\n" for name, value in headers.items())
        status = f"HTTP/1.1 {error.status} {HTTPStatus(error.status).phrase}\r\n"
        self.transport.write(f"{status}{head}\r\n".encode("latin-1") + body)
        # A lingering close: the client may still be sending, and closing with its bytes
        # unread would reset the connection and destroy the answer before it is read.
        if self.transport.can_write_eof():
            self.transport.write_eof()
        self.loop.call_later(LINGER_SECONDS, self.transport.close)
        logger.warning("refused before the app: %s (request %s)", error.code, request_id)
        self._limits.on_refused(error.code)
