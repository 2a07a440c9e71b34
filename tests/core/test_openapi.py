"""The OpenAPI document that clients are generated from: names, security, headers, types."""

import importlib.util
import json
import re
from collections.abc import Iterator
from pathlib import Path
from types import ModuleType
from typing import Any

import httpx
import pytest
from fastapi import FastAPI
from fastapi.dependencies.models import Dependant
from fastapi.routing import APIRoute

from app.core.openapi import operations, render_document
from app.routers.v1.auth.dependencies import (
    get_admin,
    get_current_user,
    get_optional_user,
    get_principal,
)

ROOT = Path(__file__).resolve().parents[2]
OPENAPI_JSON = ROOT / "openapi.json"
BEARER: dict[str, list[str]] = {"OAuth2PasswordBearer": []}

OPERATION_IDS = {
    ("post", "/api/v1/sign-in"): "signIn",
    ("post", "/api/v1/auth/token"): "issueToken",
    ("post", "/api/v1/auth/refresh"): "refreshToken",
    ("post", "/api/v1/sign-out"): "signOut",
    ("post", "/api/v1/users"): "signUp",
    ("get", "/api/v1/users"): "listUsers",
    ("get", "/api/v1/users/me"): "getMyProfile",
    ("patch", "/api/v1/users/me"): "updateMyProfile",
    ("delete", "/api/v1/users/me"): "deleteMyAccount",
    ("put", "/api/v1/users/me/password"): "changeMyPassword",
    ("get", "/api/v1/users/{user_id}"): "getUser",
    ("patch", "/api/v1/users/{user_id}"): "updateUser",
    ("delete", "/api/v1/users/{user_id}"): "deleteUser",
    ("post", "/api/v1/real-estates"): "createRealEstate",
    ("get", "/api/v1/real-estates"): "searchRealEstates",
    ("get", "/api/v1/users/me/real-estates"): "listMyRealEstates",
    ("get", "/api/v1/real-estates/{listing_id}"): "getRealEstate",
    ("patch", "/api/v1/real-estates/{listing_id}"): "updateRealEstate",
    ("delete", "/api/v1/real-estates/{listing_id}"): "deleteRealEstate",
    ("post", "/api/v1/real-estates/{listing_id}/publish"): "publishRealEstate",
    ("post", "/api/v1/real-estates/{listing_id}/archive"): "archiveRealEstate",
    ("post", "/api/v1/real-estates/{listing_id}/draft"): "draftRealEstate",
    ("get", "/api/v1/users/me/sessions"): "listMySessions",
    ("delete", "/api/v1/users/me/sessions"): "endMyOtherSessions",
    ("delete", "/api/v1/users/me/sessions/{session_id}"): "endMySession",
    ("delete", "/api/v1/users/{user_id}/sessions"): "endUserSessions",
    ("get", "/api/v1/admin/audit-events"): "listAuditEvents",
    ("put", "/api/v1/users/me/favorites/{listing_id}"): "addFavorite",
    ("delete", "/api/v1/users/me/favorites/{listing_id}"): "removeFavorite",
    ("get", "/api/v1/users/me/favorites"): "listMyFavorites",
    ("get", "/api/v1/admin/real-estates"): "listAllRealEstates",
    ("post", "/api/v1/admin/real-estates/{listing_id}/unpublish"): "unpublishRealEstate",
    ("get", "/health/live"): "checkLiveness",
    ("get", "/health/ready"): "checkReadiness",
    ("get", "/errors"): "listErrorCodes",
    ("get", "/errors/{slug}"): "getErrorCode",
    ("get", "/media/{key}"): "getMediaFile",
    ("post", "/api/v1/real-estates/{listing_id}/photos"): "uploadPhoto",
    ("get", "/api/v1/real-estates/{listing_id}/photos"): "listPhotos",
    ("patch", "/api/v1/real-estates/{listing_id}/photos/{photo_id}"): "updatePhoto",
    ("delete", "/api/v1/real-estates/{listing_id}/photos/{photo_id}"): "deletePhoto",
    ("post", "/api/v1/real-estates/{listing_id}/inquiries"): "sendInquiry",
    ("get", "/api/v1/users/me/inquiries/received"): "listReceivedInquiries",
    ("get", "/api/v1/users/me/inquiries/sent"): "listSentInquiries",
    ("post", "/api/v1/users/me/inquiries/received/{inquiry_id}/read"): "markInquiryRead",
    ("post", "/api/v1/users/me/saved-searches"): "saveSearch",
    ("get", "/api/v1/users/me/saved-searches"): "listMySavedSearches",
    ("patch", "/api/v1/users/me/saved-searches/{search_id}"): "renameSavedSearch",
    ("delete", "/api/v1/users/me/saved-searches/{search_id}"): "deleteSavedSearch",
    ("get", "/api/v1/users/me/saved-searches/{search_id}/matches"): "listSavedSearchMatches",
}
# lowerCamelCase, a verb first, then what it acts on: `searchRealEstates`, `signUp`.
OPERATION_ID = re.compile(r"^[a-z]+(?:[A-Z][a-z0-9]*)+$")
VERBS = {
    "add", "archive", "change", "check", "create", "delete", "draft", "end", "get", "issue",
    "list", "mark", "publish", "refresh", "remove", "rename", "save", "search", "send", "sign",
    "unpublish", "update", "upload",
}  # fmt: skip
PUBLIC = {"signUp", "signIn", "issueToken", "refreshToken", "signOut"}
PUBLIC |= {"checkLiveness", "checkReadiness"}
PUBLIC |= {"listErrorCodes", "getErrorCode", "getMediaFile"}
OPTIONAL_TOKEN = {"searchRealEstates", "getRealEstate", "listPhotos"}


def by_id(document: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """Every operation of the document, by operationId."""
    return {operation["operationId"]: operation for _, _, operation in operations(document)}


def documented_routes(app: FastAPI) -> list[APIRoute]:
    """The routes the OpenAPI document describes, including those of included routers.

    FastAPI (since 0.136) keeps an included router as one entry of `app.routes` that
    lists its routes in `effective_route_contexts()`.
    """
    routes: list[APIRoute] = []
    for entry in app.routes:
        contexts = getattr(entry, "effective_route_contexts", None)
        candidates = [context.original_route for context in contexts()] if contexts else [entry]
        routes += [
            route for route in candidates if isinstance(route, APIRoute) and route.include_in_schema
        ]
    return routes


def resolve(document: dict[str, Any], ref: str) -> Any:
    """The object a local `$ref` points at."""
    target: Any = document
    for part in ref.removeprefix("#/").split("/"):
        target = target[part]
    return target


def response_headers(operation: dict[str, Any], status: str) -> set[str]:
    """The names of the headers an operation declares for `status`."""
    return set(operation["responses"][status].get("headers", {}))


# --- operationId, summary, tags ---------------------------------------------------------------


def test_every_operation_has_its_pinned_operation_id(document: dict[str, Any]) -> None:
    found = {(method, path): op.get("operationId") for path, method, op in operations(document)}

    assert found == OPERATION_IDS


def test_operation_ids_are_unique_lower_camel_case_and_start_with_a_verb(
    document: dict[str, Any],
) -> None:
    ids = [operation["operationId"] for _, _, operation in operations(document)]

    assert len(ids) == len(set(ids))
    for operation_id in ids:
        assert OPERATION_ID.match(operation_id), operation_id
        assert re.split(r"(?=[A-Z])", operation_id)[0] in VERBS, operation_id


def test_every_operation_has_a_short_summary_written_for_people(offline_app: FastAPI) -> None:
    routes = documented_routes(offline_app)
    schema = by_id(offline_app.openapi())

    assert len(routes) == len(schema)
    for route in routes:
        summary = schema[str(route.operation_id)]["summary"]
        generated = route.name.replace("_", " ").title()
        assert summary != generated, f"{route.name} keeps FastAPI's summary {summary!r}"
        assert summary[0].isupper(), summary
        assert not summary.endswith("."), summary
        assert len(summary) <= 40, summary


def test_every_tag_is_described_at_the_top_level(document: dict[str, Any]) -> None:
    used = {tag for _, _, operation in operations(document) for tag in operation["tags"]}
    described = {tag["name"]: tag.get("description", "") for tag in document["tags"]}

    assert used == set(described)
    assert all(len(description) > 20 for description in described.values()), described


# --- security ---------------------------------------------------------------------------------


def _calls(dependant: Dependant) -> Iterator[object]:
    for dependency in dependant.dependencies:
        yield dependency.call
        yield from _calls(dependency)


SIGNED_IN_GUARDS = {get_principal, get_current_user, get_admin}


def test_security_follows_what_each_route_depends_on(offline_app: FastAPI) -> None:
    schema = by_id(offline_app.openapi())
    routes = documented_routes(offline_app)

    for route in routes:
        calls = set(_calls(route.dependant))
        security = schema[str(route.operation_id)].get("security")
        if calls & SIGNED_IN_GUARDS:
            assert security == [BEARER], route.operation_id
        elif get_optional_user in calls:
            assert security == [{}, BEARER], route.operation_id
        else:
            assert security == [], route.operation_id


def test_public_operations_need_no_token_and_the_search_takes_one_optionally(
    document: dict[str, Any],
) -> None:
    operations_by_id = by_id(document)
    secured = {
        operation_id
        for operation_id, operation in operations_by_id.items()
        if operation.get("security")
    }

    assert "security" not in document
    assert all(operations_by_id[operation_id]["security"] == [] for operation_id in PUBLIC)
    assert PUBLIC.isdisjoint(secured)
    assert PUBLIC | secured == set(operations_by_id)
    for operation_id in OPTIONAL_TOKEN:
        assert operations_by_id[operation_id]["security"] == [{}, BEARER]
    assert all(
        operations_by_id[operation_id]["security"] == [BEARER]
        for operation_id in secured - OPTIONAL_TOKEN
    )
    assert not any(key.startswith("x-") for op in operations_by_id.values() for key in op)


def test_the_password_flow_needs_no_client_or_scopes(document: dict[str, Any]) -> None:
    schemes = document["components"]["securitySchemes"]

    assert list(schemes) == ["OAuth2PasswordBearer"]
    assert schemes["OAuth2PasswordBearer"]["flows"] == {
        "password": {"scopes": {}, "tokenUrl": "/api/v1/auth/token"}
    }


# --- schemas ----------------------------------------------------------------------------------


def test_no_schema_has_a_generated_name(document: dict[str, Any]) -> None:
    names = list(document["components"]["schemas"])
    token_body = document["paths"]["/api/v1/auth/token"]["post"]["requestBody"]["content"]
    form = token_body["application/x-www-form-urlencoded"]["schema"]

    assert [name for name in names if name.startswith("Body_") or "__" in name] == []
    assert form == {"$ref": "#/components/schemas/TokenRequest"}
    fields = resolve(document, form["$ref"])["properties"]
    assert set(fields) == {"grant_type", "username", "password", "scope"}


def _without_title(schema: dict[str, Any]) -> dict[str, Any]:
    return {key: value for key, value in schema.items() if key != "title"}


def test_areas_are_one_json_number_type_in_requests_and_responses(
    document: dict[str, Any],
) -> None:
    schemas = document["components"]["schemas"]
    created = schemas["RealEstateCreate"]["properties"]
    read = schemas["RealEstateRead"]["properties"]
    updated = schemas["RealEstateUpdate"]["properties"]
    search = by_id(document)["searchRealEstates"]["parameters"]
    filters = {param["name"]: param["schema"] for param in search}

    area = _without_title(created["area_m2"])
    assert area["type"] == "number"
    assert area == _without_title(read["area_m2"])
    assert read["built_area_m2"]["anyOf"] == [area, {"type": "null"}]
    assert created["built_area_m2"]["anyOf"] == [area, {"type": "null"}]
    assert _without_title(updated["area_m2"]) == area
    assert updated["built_area_m2"]["anyOf"] == [area, {"type": "null"}]
    areas = [created["area_m2"], created["built_area_m2"], read["area_m2"], updated["area_m2"]]
    assert "string" not in json.dumps(areas)
    for name in ("min_area", "max_area"):
        assert filters[name]["anyOf"][0]["type"] == "number"
        assert filters[name]["anyOf"][1] == {"type": "null"}


def _nullable(schema: dict[str, Any]) -> bool:
    return {"type": "null"} in schema.get("anyOf", [])


@pytest.mark.parametrize(
    ("model", "refuse_null", "accept_null"),
    [
        (
            "RealEstateUpdate",
            {"title", "kind", "price_cents", "area_m2", "bedrooms", "address"},
            {"condo_fee_cents", "iptu_cents", "built_area_m2", "location"},
        ),
        ("UserAdminUpdate", {"name", "role"}, {"email"}),
        ("ProfileUpdate", {"name"}, {"email"}),
    ],
)
def test_patch_fields_are_nullable_in_the_schema_only_when_null_is_accepted(
    document: dict[str, Any], model: str, refuse_null: set[str], accept_null: set[str]
) -> None:
    fields = document["components"]["schemas"][model]["properties"]

    assert "required" not in document["components"]["schemas"][model]
    for name in refuse_null:
        assert not _nullable(fields[name]), name
    for name in accept_null:
        assert _nullable(fields[name]), name


def _refs(node: Any) -> Iterator[str]:
    if isinstance(node, dict):
        if isinstance(node.get("$ref"), str):
            yield node["$ref"].rsplit("/", 1)[-1]
        for value in node.values():
            yield from _refs(value)
    elif isinstance(node, list):
        for value in node:
            yield from _refs(value)


def _reachable(document: dict[str, Any], roots: Iterator[str]) -> set[str]:
    schemas = document["components"]["schemas"]
    seen: set[str] = set()
    pending = [name for name in roots if name in schemas]
    while pending:
        name = pending.pop()
        if name not in seen:
            seen.add(name)
            pending.extend(ref for ref in _refs(schemas[name]) if ref in schemas)
    return seen


def test_schemas_only_sent_by_the_api_require_every_property(document: dict[str, Any]) -> None:
    # openapi-typescript reads a property with a default as always present unless told
    # otherwise (docs/clients.md): responses list what they always send as required.
    successes = [
        response.get("content", {})
        for _, _, operation in operations(document)
        for status, response in operation["responses"].items()
        if status.startswith("2")
    ]
    requests = [operation.get("requestBody", {}) for _, _, operation in operations(document)]
    sent = _reachable(document, _refs(successes)) - _reachable(document, _refs(requests))

    assert {"TokenResponse", "HealthStatus", "RealEstateRead", "UserRead"} <= sent
    for name in sent:
        schema = document["components"]["schemas"][name]
        assert set(schema.get("properties", {})) <= set(schema.get("required", [])), name


# --- the committed document and the docs page -------------------------------------------------


def _differences(old: Any, new: Any, pointer: str = "") -> Iterator[str]:
    if isinstance(old, dict) and isinstance(new, dict):
        for key in sorted(set(old) | set(new)):
            escaped = str(key).replace("~", "~0").replace("/", "~1")
            yield from _differences(old.get(key), new.get(key), f"{pointer}/{escaped}")
    elif old != new:
        yield pointer or "/"


def test_the_committed_openapi_json_matches_the_code(document: dict[str, Any]) -> None:
    committed = OPENAPI_JSON.read_text(encoding="utf-8")
    current = render_document(document)

    changed = list(_differences(json.loads(committed), json.loads(current)))[:5]
    assert committed == current, (
        f"openapi.json is stale (first changes: {changed}): run `task openapi` and commit it."
    )


def _script() -> ModuleType:
    spec = importlib.util.spec_from_file_location("openapi_script", ROOT / "scripts/openapi.py")
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_the_export_script_writes_the_document_and_checks_for_drift(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    script = _script()
    written = tmp_path / "openapi.json"

    assert script.main(["--output", str(written)]) == 0
    assert script.main(["--check", "--output", str(written)]) == 0
    text = written.read_text(encoding="utf-8")
    written.write_text(text.replace('"3.1.0"', '"3.0.0"'), encoding="utf-8")
    assert script.main(["--check", "--output", str(written)]) == 1

    assert text == OPENAPI_JSON.read_text(encoding="utf-8")
    assert text.endswith("}\n")
    assert not text.endswith("\n\n")
    assert text.startswith('{\n  "components": {')
    assert "run `task openapi`" in capsys.readouterr().err


async def test_the_swagger_page_asks_only_for_username_and_password(
    client: httpx.AsyncClient,
) -> None:
    page = await client.get("/docs")
    redirect = await client.get("/docs/oauth2-redirect")

    assert page.status_code == 200
    assert "url: '/openapi.json'" in page.text
    assert '"persistAuthorization": true' in page.text
    for field in ("password_type", "client_id_password", "client_secret_password"):
        assert f'.auth-container :has(> label[for="{field}"])' in page.text
    assert ".scope-def { display: none; }" in page.text
    assert redirect.status_code == 200
    assert "oauth2" in redirect.text.lower()
