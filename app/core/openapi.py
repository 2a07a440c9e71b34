"""OpenAPI conventions every route shares: response headers, optional sign-in, the export.

Routes declare what only they know (`sends(201, LOCATION, ETAG)`, `openapi_extra=OPTIONAL_SIGN_IN`);
`finish_document` adds what holds everywhere (`X-Request-ID`, the bearer challenge on 401s)
and turns the markers into standard OpenAPI.
"""

import json
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from app.core.errors.problems import REQUEST_ID_HEADER

Responses = dict[int | str, dict[str, Any]]

HTTP_METHODS = frozenset({"get", "put", "post", "delete", "options", "head", "patch", "trace"})


@dataclass(frozen=True)
class ResponseHeader:
    """A response header, described once under `components/headers` and referenced."""

    name: str
    description: str
    schema: dict[str, Any] = field(default_factory=lambda: {"type": "string"})

    @property
    def ref(self) -> dict[str, str]:
        """A reference to the header's component."""
        return {"$ref": f"#/components/headers/{self.name}"}

    def component(self) -> dict[str, Any]:
        """The header's OpenAPI object."""
        return {"description": self.description, "schema": self.schema}


REQUEST_ID = ResponseHeader(
    REQUEST_ID_HEADER,
    "Id of this request in the service's logs and traces: the `X-Request-ID` the client "
    "sent when it is 1 to 128 of `A-Z a-z 0-9 . _ : -`, else a new one. Quote it when "
    "reporting a problem.",
)
ETAG = ResponseHeader(
    "ETag",
    'The listing\'s version as a strong entity tag, e.g. `"3"`. Send it back in `If-Match` '
    "so that a change made by someone else since your read is not overwritten (412).",
)
LOCATION = ResponseHeader("Location", "Path of the resource just created.")
NO_STORE = ResponseHeader(
    "Cache-Control",
    "`no-store`: the response carries an access token, which no cache may keep (RFC 6749 §5.1).",
    {"type": "string", "const": "no-store"},
)
BEARER_CHALLENGE = ResponseHeader(
    "WWW-Authenticate",
    "`Bearer`: send an access token as `Authorization: Bearer <token>`.",
    {"type": "string", "const": "Bearer"},
)
RETRY_AFTER = ResponseHeader(
    "Retry-After", "Seconds to wait before asking again.", {"type": "integer", "minimum": 0}
)
RATE_LIMIT_POLICY = ResponseHeader(
    "RateLimit-Policy",
    'The windows of the rate limit that applies (IETF draft), e.g. `"sign-in";q=20;w=60, '
    '"sign-in";q=200;w=3600`: at most `q` requests per `w` seconds.',
)
RATE_LIMIT = ResponseHeader(
    "RateLimit",
    'What is left of the tightest window (IETF draft), e.g. `"sign-in";r=19;t=60`: `r` '
    "requests remain, for `t` more seconds.",
)
IDEMPOTENT_REPLAYED = ResponseHeader(
    "Idempotent-Replayed",
    "`true` when this is the stored answer to an earlier request with the same "
    "`Idempotency-Key`: nothing new was created.",
    {"type": "string", "const": "true"},
)
HEADERS = (
    REQUEST_ID,
    ETAG,
    LOCATION,
    IDEMPOTENT_REPLAYED,
    NO_STORE,
    BEARER_CHALLENGE,
    RETRY_AFTER,
    RATE_LIMIT_POLICY,
    RATE_LIMIT,
)

_OPTIONAL_SIGN_IN_KEY = "x-optional-sign-in"
OPTIONAL_SIGN_IN: dict[str, Any] = {_OPTIONAL_SIGN_IN_KEY: True}
"""`openapi_extra` of an operation that reads a token when one is sent but needs none."""


def sends(status: int, *headers: ResponseHeader) -> Responses:
    """The `responses=` entry declaring the headers a route's `status` answer carries."""
    return {status: {"headers": {header.name: header.ref for header in headers}}}


def follows(status: int, links: dict[str, dict[str, str]]) -> Responses:
    """The `responses=` entry of the OpenAPI links of a route's `status` answer.

    `links` maps the operationId a client may call next to its parameters' runtime
    expressions, e.g. `{"getRealEstate": {"listing_id": "$response.body#/id"}}`.
    """
    return {
        status: {
            "links": {
                operation_id[0].upper() + operation_id[1:]: {
                    "operationId": operation_id,
                    "parameters": parameters,
                }
                for operation_id, parameters in links.items()
            }
        }
    }


def merge_responses(*parts: Responses) -> Responses:
    """Combine `responses=` mappings; entries of the same status merge their members."""
    merged: Responses = {}
    for part in parts:
        for status, response in part.items():
            existing = merged.setdefault(status, {})
            for key, value in response.items():
                if isinstance(value, dict) and isinstance(existing.get(key), dict):
                    existing[key] = {**existing[key], **value}
                else:
                    existing[key] = value
    return merged


def operations(schema: dict[str, Any]) -> Iterator[tuple[str, str, dict[str, Any]]]:
    """Every (path, method, operation) of an OpenAPI document."""
    for path, item in schema.get("paths", {}).items():
        for method, operation in item.items():
            if method in HTTP_METHODS:
                yield path, method, operation


def finish_document(schema: dict[str, Any]) -> None:
    """Apply the shared conventions to a generated document, in place.

    * an operation marked `OPTIONAL_SIGN_IN` gets `security: [{}, <its schemes>]`, so clients
      and Swagger UI treat the token as optional, and one without a scheme an explicit
      `security: []` (no token);
    * every response declares `X-Request-ID`, and a 401 of an operation with security
      the `WWW-Authenticate: Bearer` challenge it carries;
    * the headers are described once, under `components/headers`.
    """
    for _path, _method, operation in operations(schema):
        if operation.pop(_OPTIONAL_SIGN_IN_KEY, False):
            operation["security"] = [{}, *operation.get("security", [])]
        operation.setdefault("security", [])
        secured = bool(operation.get("security"))
        responses = operation.setdefault("responses", {})
        for status, response in responses.items():
            headers = {REQUEST_ID.name: REQUEST_ID.ref}
            if status == "401" and secured:
                headers[BEARER_CHALLENGE.name] = BEARER_CHALLENGE.ref
            # A copy: the standard problem responses are one object shared by many operations.
            responses[status] = {**response, "headers": {**response.get("headers", {}), **headers}}
    components = schema.setdefault("components", {})
    components["headers"] = {header.name: header.component() for header in HEADERS}


def render_document(schema: dict[str, Any]) -> str:
    """The document as committed in openapi.json: sorted keys, indented, one final newline."""
    return json.dumps(schema, indent=2, sort_keys=True, ensure_ascii=False) + "\n"
