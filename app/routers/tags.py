"""The OpenAPI tags that group the operations, in the order the docs show them."""

from typing import Any

OPENAPI_TAGS: list[dict[str, Any]] = [
    {
        "name": "auth",
        "description": "Exchange a CPF and password for a bearer access token and a refresh "
        "token. `POST /api/v1/sign-in` takes JSON; `POST /api/v1/auth/token` is the OAuth2 "
        "password form that Swagger UI's **Authorize** button posts. Refresh tokens get new "
        "pairs at `/api/v1/auth/refresh` and end their session at `/api/v1/sign-out`.",
    },
    {
        "name": "users",
        "description": "Sign up as a collector, manage your own profile and password; "
        "admins manage every account.",
    },
    {
        "name": "sessions",
        "description": "Each sign-in is a session (a device): list yours with where and when "
        "they were used, end one or all the others; admins end all of someone's.",
    },
    {
        "name": "real-estates",
        "description": "Listings: anyone searches the published ones; collectors register "
        "theirs as drafts, edit them with `If-Match` and move them through "
        "draft → published → archived.",
    },
    {
        "name": "photos",
        "description": "A listing's photos: uploaded as JPEG, PNG or WebP (checked by decoding), "
        "stripped of metadata, stored as a web size and a thumbnail, ordered with the cover "
        "first. Only the owner or an admin changes them.",
    },
    {
        "name": "inquiries",
        "description": "A signed-in searcher writes to the collector of a published listing "
        "(one inquiry per listing); collectors read theirs and mark them read. Inquiries "
        "outlive the listing; neither side's CPF or e-mail is ever shown.",
    },
    {
        "name": "favorites",
        "description": "A signed-in user's saved listings: save one they may see, remove it, "
        "list them newest first. A listing deleted or unpublished since stays in the list, "
        "shown as unavailable, with nothing of it but its id.",
    },
    {
        "name": "saved-searches",
        "description": "A signed-in user keeps searches (the criteria of `GET /real-estates`, "
        "under a name), runs them again, and sees how many listings were published for each "
        "since they last looked (`new_count`).",
    },
    {
        "name": "admin",
        "description": "Admins only: the append-only audit trail of security-relevant "
        "actions, and moderation: every listing of any status, and taking a published one "
        "down with a reason its owner sees.",
    },
    {
        "name": "media",
        "description": "Listing photos, when the API stores them itself (no `S3_BUCKET`): "
        "each photo's `url` points here. Immutable: cache them forever.",
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
