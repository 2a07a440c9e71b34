"""Security headers on every response: no sniffing, no framing, no referrer, a strict CSP.

API responses are data: their Content-Security-Policy allows nothing at all. The
documentation pages (Swagger UI, ReDoc) are HTML that runs the bundled scripts
and styles served by the app itself (`/docs-assets`), with the inline bootstrap
script and styles they need; they may fetch only from the API's own origin.
"""

from starlette.types import ASGIApp, Message, Receive, Scope, Send

DOCS_PATHS = frozenset({"/docs", "/docs/oauth2-redirect", "/redoc"})

_API_POLICY = "default-src 'none'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'"
_DOCS_POLICY = (
    "default-src 'self'; script-src 'self' 'unsafe-inline'; style-src 'self' 'unsafe-inline'; "
    "img-src 'self' data:; font-src 'self' data:; worker-src 'self' blob:; "
    "connect-src 'self'; frame-ancestors 'none'; base-uri 'self'; form-action 'self'"
)
_HSTS = (b"strict-transport-security", b"max-age=31536000; includeSubDomains")


def _raw(policy: str) -> list[tuple[bytes, bytes]]:
    return [
        (b"x-content-type-options", b"nosniff"),
        (b"x-frame-options", b"DENY"),
        (b"referrer-policy", b"no-referrer"),
        (b"content-security-policy", policy.encode()),
    ]


_API_HEADERS = _raw(_API_POLICY)
API_SECURITY_HEADERS = {name.decode(): value.decode() for name, value in _API_HEADERS}
"""The headers of an API response, for answers written below the ASGI app."""
_DOCS_HEADERS = _raw(_DOCS_POLICY)


class SecurityHeadersMiddleware:
    """Add the security headers to each response; HSTS too when the request came over TLS.

    Behind a proxy that terminates TLS the app sees plain HTTP, so the proxy must
    send HSTS itself (docs/security.md).
    """

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Pass the request on; add the headers to the response's start."""
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        added = _DOCS_HEADERS if scope["path"] in DOCS_PATHS else _API_HEADERS
        if scope.get("scheme") == "https":
            added = [*added, _HSTS]

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                message["headers"] = [*message.get("headers", ()), *added]
            await send(message)

        await self.app(scope, receive, send_with_headers)
