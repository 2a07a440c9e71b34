"""OpenAPI descriptions of problem responses, generated from the same error classes."""

from collections import defaultdict
from typing import Any

from fastapi import FastAPI
from fastapi.openapi.utils import get_openapi

from app.core.errors.base import BaseError
from app.core.errors.catalogue import (
    BadRequest,
    DatabaseUnavailable,
    InternalError,
    Overloaded,
    PayloadTooLarge,
    UnsupportedMediaType,
    ValidationError,
    WriteOutcomeUnknown,
)
from app.core.errors.problems import PROBLEM_MEDIA_TYPE, problem_type_uri
from app.core.openapi import RETRY_AFTER, finish_document, merge_responses, sends

PROBLEM_SCHEMA_REF = "#/components/schemas/Problem"

PROBLEM_SCHEMA: dict[str, Any] = {
    "title": "Problem",
    "type": "object",
    "description": "An RFC 9457 problem document; `code` is a catalogue code (see /errors).",
    "required": ["type", "title", "status", "detail", "instance", "code"],
    "properties": {
        "type": {"type": "string", "description": "URI of the error's documentation."},
        "title": {"type": "string"},
        "status": {"type": "integer"},
        "detail": {"type": "string"},
        "instance": {"type": "string", "description": "Path of the request that failed."},
        "code": {"type": "string", "description": "Catalogue code, e.g. USER_NOT_FOUND."},
        "request_id": {"type": "string", "description": "Echo of the X-Request-ID header."},
        "errors": {
            "type": "array",
            "description": "Only for VALIDATION_ERROR: one entry per invalid field.",
            "items": {
                "type": "object",
                "required": ["loc", "msg", "type"],
                "properties": {
                    "loc": {
                        "type": "array",
                        "items": {"anyOf": [{"type": "string"}, {"type": "integer"}]},
                    },
                    "msg": {"type": "string"},
                    "type": {"type": "string"},
                },
            },
        },
    },
}


def _example(error: type[BaseError]) -> dict[str, Any]:
    value: dict[str, Any] = {
        "type": problem_type_uri("", error.code),
        "title": error.title,
        "status": error.status,
        "detail": error.description,
        "instance": "/api/v1/...",
        "code": error.code,
    }
    if error is ValidationError:
        value["errors"] = [{"loc": ["body", "field"], "msg": "Field required", "type": "missing"}]
    return {"summary": error.code, "value": value}


def problem_responses(*errors: type[BaseError]) -> dict[int | str, dict[str, Any]]:
    """The `responses=` mapping of a route that can fail with `errors`."""
    by_status: dict[int, list[type[BaseError]]] = defaultdict(list)
    for error in errors:
        by_status[error.status].append(error)
    return {
        status: {
            "description": " / ".join(f"`{error.code}`: {error.title}" for error in group),
            "content": {
                PROBLEM_MEDIA_TYPE: {
                    "schema": {"$ref": PROBLEM_SCHEMA_REF},
                    "examples": {error.code: _example(error) for error in group},
                }
            },
        }
        for status, group in sorted(by_status.items())
    }


def _add_validation_problem(responses: dict[str, Any]) -> None:
    """Put VALIDATION_ERROR among an operation's 422 problems, replacing FastAPI's schema."""
    validation = problem_responses(ValidationError)[422]
    existing = responses.get("422", {})
    problem = existing.get("content", {}).get(PROBLEM_MEDIA_TYPE)
    if problem is None:
        responses["422"] = validation
        return
    problem["examples"] = {
        ValidationError.code: _example(ValidationError),
        **problem.get("examples", {}),
    }
    existing["description"] = f"{validation['description']} / {existing['description']}"


def _standard_problems(schema: dict[str, Any]) -> None:
    """Describe FastAPI's own 422, the catch-all 500 and the database's 503 on every operation.

    The 503 `DATABASE_UNAVAILABLE` or `OVERLOADED` (with `Retry-After`) goes on the
    API's operations, which all use the database and are shed under overload; probes
    and the error catalogue are neither. Writes may also lose their connection while
    committing: their 503 includes `WRITE_OUTCOME_UNKNOWN`.
    """
    body_problems = problem_responses(BadRequest, PayloadTooLarge)
    unsupported = problem_responses(UnsupportedMediaType)[415]
    internal = problem_responses(InternalError)[500]
    shed_or_down = problem_responses(DatabaseUnavailable, Overloaded)
    unavailable = merge_responses(shed_or_down, sends(503, RETRY_AFTER))[503]
    writes = problem_responses(DatabaseUnavailable, Overloaded, WriteOutcomeUnknown)
    unavailable_or_unknown = merge_responses(writes, sends(503, RETRY_AFTER))[503]
    for path, path_item in schema.get("paths", {}).items():
        for method, operation in path_item.items():
            responses = operation.setdefault("responses", {})
            if path.startswith("/api/"):
                writing = method not in {"get", "head", "options"}
                responses.setdefault("503", unavailable_or_unknown if writing else unavailable)
            if "requestBody" in operation or operation.get("parameters"):
                _add_validation_problem(responses)
            if "requestBody" in operation:
                for status, response in body_problems.items():
                    responses.setdefault(str(status), response)
                if "application/json" in operation["requestBody"].get("content", {}):
                    responses.setdefault("415", unsupported)
            responses.setdefault("500", internal)
    components = schema.setdefault("components", {}).setdefault("schemas", {})
    components.pop("HTTPValidationError", None)
    components.pop("ValidationError", None)
    components["Problem"] = PROBLEM_SCHEMA


def install_problem_openapi(app: FastAPI) -> None:
    """Generate the app's OpenAPI document with problem schemas in place of FastAPI's.

    The shared conventions of `app.core.openapi` (response headers, optional sign-in)
    are applied last, so they reach the problem responses too.
    """

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is None:
            schema = get_openapi(
                title=app.title,
                version=app.version,
                description=app.description,
                routes=app.routes,
                tags=app.openapi_tags,
                servers=app.servers,
                license_info=app.license_info,
            )
            _standard_problems(schema)
            finish_document(schema)
            app.openapi_schema = schema
        return app.openapi_schema

    app.openapi = openapi  # type: ignore[method-assign]
