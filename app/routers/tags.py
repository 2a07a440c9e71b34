"""The OpenAPI tags that group the operations, in the order the docs show them."""

from typing import Any

OPENAPI_TAGS: list[dict[str, Any]] = [
    {
        "name": "auth",
        "description": "Exchange a CPF and password for a bearer access token. "
        "`POST /api/v1/sign-in` takes JSON; `POST /api/v1/auth/token` is the OAuth2 password "
        "form that Swagger UI's **Authorize** button posts.",
    },
    {
        "name": "users",
        "description": "Sign up as a collector, manage your own profile and password; "
        "admins manage every account.",
    },
    {
        "name": "real-estates",
        "description": "Listings: anyone searches the published ones; collectors register "
        "theirs as drafts, edit them with `If-Match` and move them through "
        "draft → published → archived.",
    },
    {
        "name": "operations",
        "description": "Liveness and readiness probes for orchestrators and load balancers.",
    },
    {
        "name": "errors",
        "description": "The catalogue of problem `code`s; every problem's `type` URI points here.",
    },
]
