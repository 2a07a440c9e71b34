"""The ceiling's SQL, written by hand: the statements the service sends, text for text.

Compare with what SQLAlchemy sends for app/features/real_estates/repository.py
(`search_query`, and `get` through `Session.get`), app/features/auth/repository.py
(`active_user`, `add`) and app/features/users/repository.py (`get_by_cpf`): same
columns, labels, conditions, casts and order, so PostgreSQL does the same work for
both apps. benchmarks/sqlcheck.py verifies it on every run.
"""

import base64
import binascii
import unicodedata
import uuid
from collections.abc import Callable
from datetime import datetime
from decimal import Decimal, InvalidOperation
from typing import Any

import orjson

DEFAULT_LIMIT, MAX_LIMIT = 20, 100

# The listing's columns in the order the service selects them (the mapped attributes).
LISTING_FIELDS = (
    "owner_id", "title", "kind", "purpose", "price_cents", "area_m2", "street", "number",
    "neighborhood", "city", "state", "postal_code", "city_key", "neighborhood_key",
    "description", "bedrooms", "bathrooms", "parking_spaces", "condo_fee_cents",
    "iptu_cents", "built_area_m2", "complement", "lat", "lng", "status", "version",
    "published_at", "id", "created_at", "updated_at",
)  # fmt: skip
LISTING_COLUMNS = ", ".join(f"real_estates.{name}" for name in LISTING_FIELDS)
USER_COLUMNS = (
    "users.name, users.cpf, users.password_hash, users.role, users.email, users.id, "
    "users.created_at, users.updated_at"
)
SQL_LISTING = f"SELECT {LISTING_COLUMNS} \nFROM real_estates \nWHERE real_estates.id = $1::UUID"
SQL_ACTIVE_USER = (
    f"SELECT {USER_COLUMNS} \nFROM users JOIN auth_sessions ON auth_sessions.user_id = users.id "
    "\nWHERE users.id = $1::UUID AND auth_sessions.id = $2::UUID "
    "AND auth_sessions.revoked_at IS NULL"
)
SQL_USER_BY_CPF = f"SELECT {USER_COLUMNS} \nFROM users \nWHERE users.cpf = $1::VARCHAR"
SQL_ADD_SESSION = (
    "INSERT INTO auth_sessions (user_id, id, client_address, user_agent, created_at, "
    "refreshed_at, revoked_at) VALUES ($1::UUID, $2::UUID, $3::VARCHAR, $4::VARCHAR, "
    "$5::TIMESTAMP WITH TIME ZONE, $6::TIMESTAMP WITH TIME ZONE, $7::TIMESTAMP WITH TIME ZONE)"
)
SQL_PURGE_ENDED_SESSIONS = (
    "DELETE FROM auth_sessions WHERE (auth_sessions.revoked_at IS NOT NULL OR "
    "auth_sessions.refreshed_at <= $1::TIMESTAMP WITH TIME ZONE OR auth_sessions.created_at <= "
    "$2::TIMESTAMP WITH TIME ZONE) AND auth_sessions.user_id = $3::UUID"
)
SQL_ADD_REFRESH_TOKEN = (
    "INSERT INTO refresh_tokens (digest, session_id, created_at, spent_at) VALUES ($1::BYTEA, "  # noqa: S105 - SQL
    "$2::UUID, $3::TIMESTAMP WITH TIME ZONE, $4::TIMESTAMP WITH TIME ZONE)"
)

# Public sort -> (column, descending); each ties on id in the same direction.
SORTS = {
    "-published_at": ("published_at", True),
    "price": ("price_cents", False),
    "-price": ("price_cents", True),
    "area": ("area_m2", False),
    "-area": ("area_m2", True),
}
KEY_PARSERS: dict[str, Callable[[Any], Any]] = {
    "published_at": datetime.fromisoformat,
    "price_cents": int,
    "area_m2": Decimal,
}
# Query parameter -> (SQL condition, how the value is read), in the service's order and casts.
FILTERS: tuple[tuple[str, str, Callable[[str], Any]], ...] = (
    (
        "q",
        "(real_estates.search_vector @@ websearch_to_tsquery('public.pt_unaccent'::regconfig, {}))",
        str,
    ),
    ("city", "real_estates.city_key = {}::VARCHAR", lambda value: search_key(value)),
    (
        "neighborhood",
        "real_estates.neighborhood_key = {}::VARCHAR",
        lambda value: search_key(value),
    ),
    ("state", "real_estates.state = {}::brazilian_state", str.upper),
    ("kind", "real_estates.kind = {}::property_kind", str),
    ("purpose", "real_estates.purpose = {}::listing_purpose", str),
    ("min_price", "real_estates.price_cents >= {}::BIGINT", int),
    ("max_price", "real_estates.price_cents <= {}::BIGINT", int),
    ("min_bedrooms", "real_estates.bedrooms >= {}::SMALLINT", int),
    ("min_area", "real_estates.area_m2 >= {}::NUMERIC(12, 2)", Decimal),
    ("max_area", "real_estates.area_m2 <= {}::NUMERIC(12, 2)", Decimal),
)
# The cast of the keyset position's sort key: its column's type.
KEY_CASTS = {
    "published_at": "TIMESTAMP WITH TIME ZONE",
    "created_at": "TIMESTAMP WITH TIME ZONE",
    "price_cents": "BIGINT",
    "area_m2": "NUMERIC(12, 2)",
}


class BadRequestError(ValueError):
    """A parameter the ceiling cannot read (answered with a 422)."""


def search_key(text: str) -> str:
    """Lower-case, accent-free, single-spaced text (as app/features/shared/text.py)."""
    decomposed = unicodedata.normalize("NFKD", text)
    stripped = "".join(char for char in decomposed if not unicodedata.combining(char))
    return " ".join(stripped.casefold().split())


def encode_cursor(sort_value: Any, row_id: uuid.UUID) -> str:
    """The ceiling's own (unsigned) cursor: base64 of the sort key and id."""
    key = sort_value.isoformat() if isinstance(sort_value, datetime) else str(sort_value)
    return base64.urlsafe_b64encode(orjson.dumps([key, str(row_id)])).decode()


def decode_cursor(cursor: str, column: str) -> tuple[Any, uuid.UUID]:
    """The (sort key, id) position a cursor of this app resumes after."""
    try:
        key, row_id = orjson.loads(base64.urlsafe_b64decode(cursor))
        return KEY_PARSERS[column](key), uuid.UUID(row_id)
    except (binascii.Error, orjson.JSONDecodeError, ValueError, TypeError, InvalidOperation):
        raise BadRequestError("cursor") from None


def search_sql(params: dict[str, str]) -> tuple[str, list[Any], str, int]:
    """The service's keyset search as SQL text and arguments, with its sort column and limit."""
    sort = params.get("sort", "-published_at")
    if sort not in SORTS:
        raise BadRequestError("sort")
    column, descending = SORTS[sort]
    try:
        limit = int(params.get("limit", DEFAULT_LIMIT))
        arguments: list[Any] = []
        conditions = ["real_estates.status = 'published'"]
        for name, condition, read in FILTERS:
            if (value := params.get(name)) is not None:
                arguments.append(read(value))
                conditions.append(condition.format(f"${len(arguments)}"))
    except (ValueError, InvalidOperation):
        raise BadRequestError("filter") from None
    if not 1 <= limit <= MAX_LIMIT:
        raise BadRequestError("limit")
    if (cursor := params.get("cursor")) is not None:
        key, row_id = decode_cursor(cursor, column)
        arguments += [key, row_id]
        operator = "<" if descending else ">"
        first = len(arguments) - 1
        conditions.append(
            f"(real_estates.{column}, real_estates.id) {operator} "
            f"(${first}::{KEY_CASTS[column]}, ${first + 1}::UUID)"
        )
    direction = "DESC" if descending else "ASC"
    arguments.append(limit + 1)
    sql = (
        f"SELECT {LISTING_COLUMNS} \nFROM real_estates \nWHERE {' AND '.join(conditions)} "
        f"ORDER BY real_estates.{column} {direction}, real_estates.id {direction} "
        f"\n LIMIT ${len(arguments)}"
    )
    return sql, arguments, column, limit
