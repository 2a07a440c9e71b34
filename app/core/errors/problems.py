"""RFC 9457 problem documents: rendering and the exception handlers that produce them."""

import logging
import re
from collections.abc import Mapping
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from sqlalchemy.exc import DBAPIError
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.routing import Match, compile_path

from app.core.config.db.errors import DATABASE_ERRORS, is_data_exception, is_database_unavailable
from app.core.errors.base import BaseError
from app.core.errors.catalogue import (
    BadRequest,
    DatabaseUnavailable,
    InternalError,
    MethodNotAllowed,
    NotAuthenticated,
    NotFound,
    PayloadTooLarge,
    PreconditionRequired,
    RequestTimeout,
    UnsupportedMediaType,
    ValidationError,
)
from app.core.errors.outage import OutageLog

PROBLEM_MEDIA_TYPE = "application/problem+json"
REQUEST_ID_HEADER = "X-Request-ID"

logger = logging.getLogger("app.errors")

# How long a client should wait after a 503 DATABASE_UNAVAILABLE: a restart or a
# failover usually takes a few seconds.
DATABASE_RETRY_AFTER_SECONDS = 5

_IF_MATCH_FORM = (
    'Send If-Match with the ETag of your last read (If-Match: "3"), so concurrent edits '
    "are not lost; If-Match: * changes the resource whatever its version."
)

_HTTP_STATUS_ERRORS: dict[int, type[BaseError]] = {
    400: BadRequest,
    401: NotAuthenticated,
    404: NotFound,
    405: MethodNotAllowed,
    408: RequestTimeout,
    413: PayloadTooLarge,
    415: UnsupportedMediaType,
    422: ValidationError,
}


class ProblemResponse(JSONResponse):
    """A JSON response with the problem+json media type."""

    media_type = PROBLEM_MEDIA_TYPE


def problem_type_uri(base_url: str, code: str) -> str:
    """URI of the documentation of the error `code`."""
    return f"{base_url.rstrip('/')}/errors/{code.lower().replace('_', '-')}"


def request_id_of(request: Request) -> str | None:
    """The id the request-id middleware gave this request, if any."""
    return getattr(request.state, "request_id", None)


def problem_document(error: BaseError, *, base_url: str, instance: str) -> dict[str, Any]:
    """The RFC 9457 members of `error`, answering the request for `instance`."""
    return {
        "type": problem_type_uri(base_url, error.code),
        "title": error.title,
        "status": error.status,
        "detail": error.detail,
        "instance": instance,
        "code": error.code,
        **error.extensions,
    }


def render_problem(
    request: Request,
    error: BaseError,
    *,
    extra_members: Mapping[str, Any] | None = None,
    headers: Mapping[str, str] | None = None,
) -> ProblemResponse:
    """Render `error` as a problem document answering `request`."""
    settings = request.app.state.settings
    body = problem_document(
        error, base_url=settings.problem_type_base_url, instance=request.url.path
    )
    body.update(extra_members or {})
    all_headers = {**error.headers, **(headers or {})}
    if (request_id := request_id_of(request)) is not None:
        body.setdefault("request_id", request_id)
        all_headers[REQUEST_ID_HEADER] = request_id
    return ProblemResponse(body, status_code=error.status, headers=all_headers)


async def _domain_error(request: Request, exc: Exception) -> ProblemResponse:
    assert isinstance(exc, BaseError)  # noqa: S101 - registered for BaseError only
    return render_problem(request, exc)


def _media_type(request: Request) -> str:
    return request.headers.get("content-type", "").split(";")[0].strip().lower()


def _unsupported_body(media_type: str, errors: list[dict[str, Any]]) -> bool:
    """Whether a JSON operation was sent a whole body of another media type.

    Only a JSON operation reports the body as a whole (`loc == ["body"]`): form and
    multipart operations name the missing fields, so they are never told to send JSON.
    """
    json_like = media_type == "application/json" or media_type.endswith("+json")
    return (
        bool(media_type)
        and not json_like
        and any(tuple(error["loc"]) == ("body",) for error in errors)
    )


def _client_message(error: Mapping[str, Any]) -> str:
    """Pydantic's message, without its internal prefixes, and JSON errors with their reason."""
    if error["type"] == "json_invalid":
        reason = error.get("ctx", {}).get("error", "not valid JSON")
        return f"Invalid JSON at character {error['loc'][-1]}: {reason}."
    message: str = error["msg"]
    return message.removeprefix("Value error, ").removeprefix("Assertion failed, ")


def _located(error: Mapping[str, Any]) -> str:
    """`body.cpf: message`; a JSON syntax error already says where it is."""
    if error["type"] == "json_invalid":
        return str(error["msg"])
    return f"{'.'.join(str(part) for part in error['loc'])}: {error['msg']}"


def _only_if_match_is_missing(errors: list[dict[str, Any]]) -> bool:
    """Whether an operation that requires If-Match got no other fault (RFC 6585: 428)."""
    return [(error["loc"], error["type"]) for error in errors] == [
        (["header", "if-match"], "missing")
    ]


async def _validation_error(request: Request, exc: Exception) -> ProblemResponse:
    assert isinstance(exc, RequestValidationError)  # noqa: S101 - registered for it only
    # Never echo `input` back: it may hold a password.
    errors = [
        {"loc": list(error["loc"]), "msg": _client_message(error), "type": error["type"]}
        for error in exc.errors()
    ]
    if _only_if_match_is_missing(errors):
        return render_problem(request, PreconditionRequired(_IF_MATCH_FORM))
    media_type = _media_type(request)
    if _unsupported_body(media_type, errors):
        detail = f"This operation reads application/json, not {media_type}."
        if media_type == "application/x-www-form-urlencoded":
            detail += " (curl -d sends a form unless given -H 'Content-Type: application/json'.)"
        return render_problem(request, UnsupportedMediaType(detail))
    detail = "; ".join(_located(error) for error in errors)
    return render_problem(request, ValidationError(detail), extra_members={"errors": errors})


async def _http_error(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, StarletteHTTPException)  # noqa: S101 - registered for it only
    error_class = _HTTP_STATUS_ERRORS.get(exc.status_code)
    detail = exc.detail if isinstance(exc.detail, str) else None
    headers = dict(exc.headers or {})
    if error_class is None:
        # Starlette and FastAPI raise no other status; keep the one given, honestly labelled.
        response = render_problem(
            request, InternalError(detail), extra_members={"status": exc.status_code}
        )
        response.status_code = exc.status_code
        return response
    if error_class is NotFound:
        if (location := _without_trailing_slash(request)) is not None:
            return _redirect(request, location)
        detail = f"No resource at {request.method} {request.url.path}."
    if error_class is MethodNotAllowed and (allowed := _allowed_methods(request)):
        # Starlette names the methods of the first route of the path only.
        headers["Allow"] = ", ".join(allowed)
    return render_problem(request, error_class(detail), headers=headers)


def _allowed_methods(request: Request) -> list[str]:
    """Every method some route of the app serves at the request's path."""
    index: list[tuple[re.Pattern[str], frozenset[str]]] | None = getattr(
        request.app.state, "allowed_methods", None
    )
    if index is None:
        index = request.app.state.allowed_methods = _method_index(request.app)
    path = request.url.path
    methods = {method for pattern, served in index if pattern.match(path) for method in served}
    return sorted(methods)


# The members of an OpenAPI path item that are operations (the others: summary, parameters...).
_OPERATION_METHODS = frozenset(
    {"get", "put", "post", "delete", "options", "head", "patch", "trace"}
)


def _method_index(app: FastAPI) -> list[tuple[re.Pattern[str], frozenset[str]]]:
    """The paths of the app's documented operations, as patterns, with their methods."""
    index = []
    for template, operations in app.openapi().get("paths", {}).items():
        methods = {method.upper() for method in operations if method in _OPERATION_METHODS}
        if "GET" in methods:
            methods.add("HEAD")  # Starlette answers HEAD wherever it answers GET
        pattern, _, _ = compile_path(template)
        index.append((pattern, frozenset(methods)))
    return index


def _without_trailing_slash(request: Request) -> str | None:
    """Where a path that only differs by its trailing slash lives, if anywhere."""
    path = request.url.path
    if path == "/" or not path.endswith("/"):
        return None
    bare = path.rstrip("/")
    scope = {**request.scope, "path": bare}
    if not any(route.matches(scope)[0] is not Match.NONE for route in request.app.router.routes):
        return None
    query = request.url.query
    return bare + (f"?{query}" if query else "")


def _redirect(request: Request, location: str) -> JSONResponse:
    """A 307 to `location` that says why, for clients that do not follow redirects."""
    body = {"detail": f"Paths have no trailing slash: use {location}.", "location": location}
    headers = {"Location": location}
    if (request_id := request_id_of(request)) is not None:
        headers[REQUEST_ID_HEADER] = request_id
    return JSONResponse(body, status_code=307, headers=headers)


async def _database_error(request: Request, exc: Exception) -> ProblemResponse:
    if is_database_unavailable(exc):
        # Expected during an outage: one line, no traceback (the access log has the rest).
        cause = exc.orig if isinstance(exc, DBAPIError) and exc.orig is not None else exc
        logger.warning("database unavailable: %s", type(cause).__name__)
        outage: OutageLog = request.app.state.database_outage
        outage.refused(type(cause).__name__)
        retry = {"Retry-After": str(DATABASE_RETRY_AFTER_SECONDS)}
        return render_problem(request, DatabaseUnavailable(headers=retry))
    if isinstance(exc, DBAPIError) and is_data_exception(exc):
        # A value passed validation but not PostgreSQL (e.g. a NUL character): the client's
        # input, so a 422 without echoing the value or the SQL.
        return render_problem(
            request, ValidationError("A value contains characters or a size the database refuses.")
        )
    return await _unhandled_error(request, exc)


async def _unhandled_error(request: Request, exc: Exception) -> ProblemResponse:
    logger.exception("unhandled error", extra={"method": request.method, "path": request.url.path})
    return render_problem(request, InternalError())


def install_problem_handlers(app: FastAPI) -> None:
    """Make every error the app can produce answer as a problem document."""
    app.state.database_outage = OutageLog()
    app.add_exception_handler(BaseError, _domain_error)
    app.add_exception_handler(RequestValidationError, _validation_error)
    app.add_exception_handler(StarletteHTTPException, _http_error)
    # The driver's and the pool's own errors too: these reach the app unwrapped when a
    # connection cannot even be opened. Registered by class, so they are answered by the
    # exception middleware and the connection stays open (the catch-all's would be dropped).
    for error in DATABASE_ERRORS:
        app.add_exception_handler(error, _database_error)
    app.add_exception_handler(Exception, _unhandled_error)
