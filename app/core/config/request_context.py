"""What a request's code may learn about the request without being handed it.

Set once per request by `RequestContextMiddleware`: the request id (for logs and
the audit trail) and the ASGI scope (whose `state` carries the caller's user id
once authenticated, and whose peer and headers give the client's address).
"""

from collections.abc import MutableMapping
from contextvars import ContextVar
from typing import Any

request_id_var: ContextVar[str | None] = ContextVar("request_id", default=None)
request_scope_var: ContextVar[MutableMapping[str, Any] | None] = ContextVar(
    "request_scope", default=None
)
