"""The ceiling app: hand-written SQL over asyncpg, orjson bodies, a bare Starlette router.

Serve it with uvicorn like the service (`python -m uvicorn benchmarks.ceiling.app:app
--loop uvloop --http httptools --no-access-log --workers N`). Configured by the
environment: `CEILING_DATABASE_URL` (a plain `postgresql://` DSN) and `JWT_SECRET`
(the service's, so tokens and sessions work against both).

Every query is the one the service sends (same columns, conditions and order, see
app/features/*/repository.py), and every body has the fields of the service's
response, so the difference in a benchmark is the framework, not the work.
"""

import asyncio
import gc
import hashlib
import os
import re
import secrets
import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any

import asyncpg
import jwt
import orjson
from argon2 import PasswordHasher, Type
from argon2.exceptions import InvalidHashError, VerificationError
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from benchmarks.ceiling.queries import (
    SQL_ACTIVE_USER,
    SQL_ADD_REFRESH_TOKEN,
    SQL_ADD_SESSION,
    SQL_LISTING,
    SQL_PURGE_ENDED_SESSIONS,
    SQL_USER_BY_CPF,
    BadRequestError,
    encode_cursor,
    search_sql,
)

# The service's pool: 20 connections per worker process.
POOL_MIN, POOL_MAX = 4, 20
GC_THRESHOLDS = (50_000, 20, 100)  # the service's tuning (app/core/config/server.py)
JWT_ISSUER = JWT_AUDIENCE = "real-estate-api"
JWT_REQUIRED_CLAIMS = ["sub", "sid", "exp", "iat", "iss", "aud", "jti"]
ACCESS_TOKEN_TTL_SECONDS = 15 * 60
SESSION_IDLE, SESSION_ABSOLUTE = timedelta(days=30), timedelta(days=90)
_CPF_FORMATTED = re.compile(r"^\d{3}\.\d{3}\.\d{3}-\d{2}$")


@dataclass
class State:
    """What the worker process holds: the pool, the JWT key, the password hasher."""

    pool: Any = None
    secret: str = ""
    hasher: PasswordHasher = field(
        default_factory=lambda: PasswordHasher(
            memory_cost=19 * 1024, time_cost=2, parallelism=1, type=Type.ID
        )
    )
    dummy_hash: str = ""


state = State()


def _default(value: object) -> str | float:
    if isinstance(value, Decimal):  # areas: JSON numbers, as the service sends them
        return float(value)
    if isinstance(value, uuid.UUID):  # asyncpg's UUID subclasses uuid.UUID
        return str(value)
    raise TypeError(f"{type(value).__name__} is not JSON serialisable")


def json(body: object, status: int = 200, headers: dict[str, str] | None = None) -> Response:
    """A JSON response encoded by orjson (UTC datetimes end in Z, like pydantic's)."""
    content = orjson.dumps(body, default=_default, option=orjson.OPT_UTC_Z)
    return Response(content, status_code=status, headers=headers, media_type="application/json")


def problem(status: int, code: str, detail: str) -> Response:
    """A minimal RFC 9457 problem document."""
    body = {"type": f"/errors/{code}", "title": code, "status": status, "detail": detail}
    content = orjson.dumps({**body, "code": code})
    return Response(content, status_code=status, media_type="application/problem+json")


def listing_body(row: Any) -> dict[str, Any]:
    """A listing as the service shows it (RealEstateRead): address and location nested.

    `row` has the columns of LISTING_FIELDS, in that order, whatever their labels.
    """
    (
        owner_id, title, kind, purpose, price_cents, area_m2, street, number, neighborhood,
        city, state, postal_code, _city_key, _neighborhood_key, description, bedrooms,
        bathrooms, parking_spaces, condo_fee_cents, iptu_cents, built_area_m2, complement,
        lat, lng, status, version, published_at, listing_id, created_at, updated_at,
    ) = row  # fmt: skip
    return {
        "id": listing_id,
        "owner_id": owner_id,
        "title": title,
        "description": description,
        "kind": kind,
        "purpose": purpose,
        "status": status,
        "price_cents": price_cents,
        "condo_fee_cents": condo_fee_cents,
        "iptu_cents": iptu_cents,
        "area_m2": area_m2,
        "built_area_m2": built_area_m2,
        "bedrooms": bedrooms,
        "bathrooms": bathrooms,
        "parking_spaces": parking_spaces,
        "address": {
            "street": street,
            "number": number,
            "complement": complement,
            "neighborhood": neighborhood,
            "city": city,
            "state": state,
            "postal_code": postal_code,
        },
        "location": {"lat": lat, "lng": lng} if lat is not None and lng is not None else None,
        "version": version,
        "created_at": created_at,
        "updated_at": updated_at,
        "published_at": published_at,
    }


def user_body(row: Any) -> dict[str, Any]:
    """A user as the service shows it (UserRead)."""
    return {
        "id": row["id"],
        "name": row["name"],
        "cpf": row["cpf"],
        "email": row["email"],
        "role": row["role"],
        "created_at": row["created_at"],
        "updated_at": row["updated_at"],
    }


async def live(_request: Request) -> Response:
    """GET /health/live."""
    return json({"status": "ok"})


async def read_listing(request: Request) -> Response:
    """GET /api/v1/real-estates/{id}: a published listing, with its ETag."""
    try:
        listing_id = uuid.UUID(request.path_params["listing_id"])
    except ValueError:
        return problem(422, "VALIDATION_FAILED", "listing_id is not a UUID")
    row = await state.pool.fetchrow(SQL_LISTING, listing_id)
    body = listing_body(row) if row is not None else None
    if body is None or body["status"] != "published":
        return problem(404, "REAL_ESTATE_NOT_FOUND", "No listing with this id.")
    return json(body, headers={"ETag": f'"{body["version"]}"'})


async def search(request: Request) -> Response:
    """GET /api/v1/real-estates: one keyset page of the public search."""
    try:
        sql, arguments, column, limit = search_sql(dict(request.query_params))
    except BadRequestError as error:
        return problem(422, "VALIDATION_FAILED", f"invalid {error}")
    rows = await state.pool.fetch(sql, *arguments)
    items = rows[:limit]
    next_cursor = None
    if len(rows) > limit:
        next_cursor = encode_cursor(items[-1][column], items[-1]["id"])
    return json({"items": [listing_body(row) for row in items], "next_cursor": next_cursor})


def _claims(request: Request) -> tuple[uuid.UUID, uuid.UUID] | None:
    scheme, _, token = request.headers.get("authorization", "").partition(" ")
    if scheme.lower() != "bearer" or not token:
        return None
    try:
        claims = jwt.decode(
            token,
            state.secret,
            algorithms=["HS256"],
            issuer=JWT_ISSUER,
            audience=JWT_AUDIENCE,
            options={"require": JWT_REQUIRED_CLAIMS},
        )
        return uuid.UUID(claims["sub"]), uuid.UUID(claims["sid"])
    except (jwt.InvalidTokenError, ValueError, TypeError):
        return None


async def read_me(request: Request) -> Response:
    """GET /api/v1/users/me: verify the token, then one query for the user and the session."""
    claims = _claims(request)
    if claims is None:
        return problem(401, "INVALID_TOKEN", "The access token is not valid.")
    row = await state.pool.fetchrow(SQL_ACTIVE_USER, *claims)
    if row is None:
        return problem(401, "INVALID_TOKEN", "The session of this token has ended.")
    return json(user_body(row))


def normalize_cpf(raw: str) -> str | None:
    """The 11 digits of a valid CPF, or None (as app/features/shared/cpf.py)."""
    candidate = raw.strip()
    if _CPF_FORMATTED.match(candidate):
        candidate = candidate.replace(".", "").replace("-", "")
    if len(candidate) != 11 or not candidate.isdigit() or len(set(candidate)) == 1:
        return None
    digits = [int(char) for char in candidate]
    for length in (9, 10):
        total = sum(
            digit * weight
            for digit, weight in zip(digits[:length], range(length + 1, 1, -1), strict=True)
        )
        if digits[length] != total * 10 % 11 % 10:
            return None
    return candidate


def _verify(password_hash: str, password: str) -> bool:
    try:
        return state.hasher.verify(password_hash, password)
    except (VerificationError, InvalidHashError):
        return False


async def sign_in(request: Request) -> Response:
    """POST /api/v1/sign-in: find the user by CPF, verify argon2id in a thread, open a session."""
    try:
        body = orjson.loads(await request.body())
        cpf, password = body["cpf"], body["password"]
        if not isinstance(cpf, str) or not isinstance(password, str):
            raise TypeError
    except (orjson.JSONDecodeError, KeyError, TypeError):
        return problem(422, "VALIDATION_FAILED", "cpf and password are required strings")
    digits = normalize_cpf(cpf)
    row = await state.pool.fetchrow(SQL_USER_BY_CPF, digits) if digits else None
    password_hash = row["password_hash"] if row is not None else state.dummy_hash
    verified = await asyncio.to_thread(_verify, password_hash, password)
    if row is None or not verified:
        return problem(401, "INVALID_CREDENTIALS", "Wrong CPF or password.")
    session_id = uuid.uuid4()
    now = datetime.now(UTC)
    refresh_token = secrets.token_urlsafe(32)
    digest = hashlib.sha256(refresh_token.encode()).digest()
    agent = (request.headers.get("user-agent") or "")[:200] or None
    address = request.client.host if request.client else None
    async with state.pool.acquire() as connection, connection.transaction():
        idle, absolute = now - SESSION_IDLE, now - SESSION_ABSOLUTE
        await connection.execute(SQL_PURGE_ENDED_SESSIONS, idle, absolute, row["id"])
        await connection.execute(
            SQL_ADD_SESSION, row["id"], session_id, address, agent, now, now, None
        )
        await connection.execute(SQL_ADD_REFRESH_TOKEN, digest, session_id, now, None)
    issued = int(now.timestamp())
    claims = {
        "sub": str(row["id"]),
        "sid": str(session_id),
        "iat": issued,
        "exp": issued + ACCESS_TOKEN_TTL_SECONDS,
        "iss": JWT_ISSUER,
        "aud": JWT_AUDIENCE,
        "jti": secrets.token_urlsafe(16),
    }
    token = jwt.encode(claims, state.secret, algorithm="HS256")
    return json(
        {
            "access_token": token,
            "token_type": "bearer",
            "expires_in": ACCESS_TOKEN_TTL_SECONDS,
            "refresh_token": refresh_token,
        }
    )


@asynccontextmanager
async def lifespan(_app: Starlette) -> AsyncIterator[None]:
    """Open the pool (warm, like the service's), make the dummy hash, tune the GC."""
    state.secret = os.environ["JWT_SECRET"]
    state.pool = await asyncpg.create_pool(
        os.environ["CEILING_DATABASE_URL"], min_size=POOL_MIN, max_size=POOL_MAX
    )
    state.dummy_hash = await asyncio.to_thread(state.hasher.hash, secrets.token_urlsafe(16))
    gc.collect()
    gc.freeze()
    gc.set_threshold(*GC_THRESHOLDS)
    try:
        yield
    finally:
        await state.pool.close()


app = Starlette(
    routes=[
        Route("/health/live", live),
        Route("/api/v1/real-estates", search),
        Route("/api/v1/real-estates/{listing_id}", read_listing),
        Route("/api/v1/users/me", read_me),
        Route("/api/v1/sign-in", sign_in, methods=["POST"]),
    ],
    lifespan=lifespan,
)
