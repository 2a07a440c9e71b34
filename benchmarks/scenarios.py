"""The measured endpoints, the requests wrk sends for each, and the check that both apps agree."""

import json
import secrets
import time
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

import httpx
import jwt

from benchmarks.dataset import BENCH_PASSWORD, Dataset
from benchmarks.loadgen import HttpRequest, Load

SEARCH = "/api/v1/real-estates"
PAGE_SIZE = 20
# The documented search shape: selective filters, sorted by an indexed key.
FILTERED = {"city": "São Paulo", "kind": "apartment", "min_bedrooms": "2", "sort": "price"}
FULL_TEXT = {"q": "varanda gourmet"}
DEEP_PAGE = 500
SIGN_IN_USERS = 8
TOKEN_TTL_SECONDS = 24 * 3600
# The service's JWT settings (app/core/config/settings.py defaults).
JWT_ISSUER = JWT_AUDIENCE = "real-estate-api"


@dataclass(frozen=True)
class Endpoint:
    """A measured endpoint: its option name and how tables show it."""

    key: str
    title: str


ENDPOINTS = {
    endpoint.key: endpoint
    for endpoint in (
        Endpoint("health", "GET /health/live"),
        Endpoint("by_id", "listing by id"),
        Endpoint("search", "search, page 1"),
        Endpoint("search_deep", f"search, page {DEEP_PAGE}"),
        Endpoint("full_text", "full-text search"),
        Endpoint("users_me", "GET /users/me"),
        Endpoint("sign_in", "POST /sign-in"),
    )
}


def access_token(secret: str, *, user_id: str, session_id: str) -> str:
    """A token as the service issues it (same claims), valid for a day."""
    now = int(time.time())
    claims = {
        "sub": user_id,
        "sid": session_id,
        "iat": now,
        "exp": now + TOKEN_TTL_SECONDS,
        "iss": JWT_ISSUER,
        "aud": JWT_AUDIENCE,
        "jti": secrets.token_urlsafe(16),
    }
    return jwt.encode(claims, secret, algorithm="HS256")


def search_path(params: dict[str, Any]) -> str:
    """The search URL path with `params` and the page size."""
    return f"{SEARCH}?{urlencode({**params, 'limit': PAGE_SIZE})}"


def walk_pages(base: str, pages: int) -> tuple[str, int]:
    """The path of page `pages` of the filtered search (or of the last page) and its number."""
    params: dict[str, Any] = dict(FILTERED)
    reached = 1
    with httpx.Client(base_url=base, timeout=30) as client:
        while reached < pages:
            response = client.get(search_path(params))
            response.raise_for_status()
            cursor = response.json()["next_cursor"]
            if cursor is None:
                break
            params["cursor"] = cursor
            reached += 1
    return search_path(params), reached


@dataclass(frozen=True)
class Loads:
    """The load of each endpoint against one app."""

    by_endpoint: dict[str, Load]
    deep_page: int


def loads(base: str, dataset: Dataset, secret: str, *, deep_page: int = DEEP_PAGE) -> Loads:
    """What wrk sends to the app at `base` for each endpoint."""
    user = dataset.bench_users[0]
    token = access_token(secret, user_id=str(user.id), session_id=str(user.session_id))
    deep_path, reached = walk_pages(base, deep_page)
    sign_ins = tuple(
        HttpRequest(
            "POST",
            "/api/v1/sign-in",
            json.dumps({"cpf": signer.cpf, "password": BENCH_PASSWORD}),
            (("Content-Type", "application/json"),),
        )
        for signer in dataset.bench_users[:SIGN_IN_USERS]
    )
    by_endpoint = {
        "health": Load((HttpRequest("GET", "/health/live"),)),
        "by_id": Load(
            tuple(HttpRequest("GET", f"{SEARCH}/{listing}") for listing in dataset.listing_ids)
        ),
        "search": Load((HttpRequest("GET", search_path(FILTERED)),)),
        "search_deep": Load((HttpRequest("GET", deep_path),)),
        "full_text": Load((HttpRequest("GET", search_path(FULL_TEXT)),)),
        "users_me": Load(
            (HttpRequest("GET", "/api/v1/users/me"),), (("Authorization", f"Bearer {token}"),)
        ),
        "sign_in": Load(sign_ins),
    }
    return Loads(by_endpoint, reached)


def _fetch(client: httpx.Client, base: str, load: Load) -> tuple[int, Any]:
    request = load.requests[0]
    response = client.request(
        request.method,
        base + request.path,
        content=request.body,
        headers=dict(request.headers + load.headers),
    )
    try:
        return response.status_code, response.json()
    except ValueError:
        return response.status_code, response.text


def _comparable(key: str, body: Any) -> Any:
    if not isinstance(body, dict):
        return body
    if key == "sign_in":  # a fresh token each time: compare the shape
        return {name: type(value).__name__ for name, value in body.items()} | {
            "token_type": body.get("token_type"),
            "expires_in": body.get("expires_in"),
        }
    return {name: value for name, value in body.items() if name != "next_cursor"}


def _first_difference(left: Any, right: Any, path: str = "") -> str:
    if isinstance(left, dict) and isinstance(right, dict):
        for name in list(left) + [name for name in right if name not in left]:
            if name not in left or name not in right:
                return f"{path}.{name}: only in {'service' if name in left else 'ceiling'}"
            if left[name] != right[name]:
                return _first_difference(left[name], right[name], f"{path}.{name}")
        if list(left) != list(right):
            return f"{path}: fields in another order"
    if isinstance(left, list) and isinstance(right, list) and len(left) == len(right):
        for index, (one, other) in enumerate(zip(left, right, strict=True)):
            if one != other:
                return _first_difference(one, other, f"{path}[{index}]")
    return f"{path or 'body'}: service {left!r:.80} != ceiling {right!r:.80}"


def compare_bodies(
    service: str, ceiling: str, service_loads: Loads, ceiling_loads: Loads
) -> dict[str, str]:
    """For each endpoint, where the ceiling's answer differs from the service's ('' if equal)."""
    differences = {}
    with httpx.Client(timeout=30) as client:
        for key, load in service_loads.by_endpoint.items():
            status, body = _fetch(client, service, load)
            other_status, other = _fetch(client, ceiling, ceiling_loads.by_endpoint[key])
            if status != other_status:
                differences[key] = f"status: service {status} != ceiling {other_status}"
                continue
            left, right = _comparable(key, body), _comparable(key, other)
            same = left == right and json.dumps(left) == json.dumps(right)  # order too
            differences[key] = "" if same else _first_difference(left, right)
    return differences
