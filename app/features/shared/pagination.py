"""Keyset pagination: opaque, tamper-evident cursors bound to one query shape."""

import base64
import binascii
import hashlib
import hmac
import json
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Generic, TypeVar
from uuid import UUID

from result import Err, Ok, Result

from app.core.errors.catalogue import InvalidCursor

T = TypeVar("T")
# A keyset position: the row's sort key and its id (the tie-breaker).
Keyset = tuple[Any, UUID]

DEFAULT_PAGE_SIZE = 20
MAX_PAGE_SIZE = 100
CURSOR_TTL_SECONDS = 24 * 3600
MAX_CURSOR_LENGTH = 2048


@dataclass(frozen=True)
class Page(Generic[T]):
    """One page of a list and the cursor of the next one (None on the last page)."""

    items: list[T]
    next_cursor: str | None


def _b64encode(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()


def _b64decode(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


class CursorCodec:
    """Signs keyset positions so clients can carry them but not forge or reuse them elsewhere.

    A cursor is bound to a `scope` (the sort and filters it was made for): presenting
    it with another scope, after it expired, or altered in any byte is refused.
    """

    def __init__(
        self,
        secret: bytes,
        *,
        ttl_seconds: int = CURSOR_TTL_SECONDS,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self._key = hmac.new(secret, b"pagination-cursor", hashlib.sha256).digest()
        self._ttl = ttl_seconds
        self._clock = clock

    def encode(self, *, scope: str, position: Sequence[Any]) -> str:
        """Make the cursor that resumes after `position` for queries of `scope`."""
        payload = json.dumps(
            {"s": scope, "p": list(position), "e": int(self._clock()) + self._ttl},
            separators=(",", ":"),
            default=str,
        ).encode()
        return f"{_b64encode(payload)}.{_b64encode(self._sign(payload))}"

    def decode(self, cursor: str, *, scope: str) -> Result[list[Any], InvalidCursor]:
        """Return the position a cursor carries, or why it cannot be used."""
        if len(cursor) > MAX_CURSOR_LENGTH:
            return Err(InvalidCursor("The cursor is malformed."))
        try:
            payload_part, signature_part = cursor.split(".")
            payload = _b64decode(payload_part)
            signature = _b64decode(signature_part)
        except (ValueError, binascii.Error):
            return Err(InvalidCursor("The cursor is malformed."))
        # base64 ignores a final character's spare bits: only the canonical spelling is ours.
        if (_b64encode(payload), _b64encode(signature)) != (payload_part, signature_part):
            return Err(InvalidCursor("The cursor is malformed."))
        if not hmac.compare_digest(signature, self._sign(payload)):
            return Err(InvalidCursor("The cursor was not issued by this service."))
        content = json.loads(payload)
        if content["s"] != scope:
            return Err(InvalidCursor("The cursor was made for another sort or filter set."))
        if content["e"] < self._clock():
            return Err(InvalidCursor("The cursor has expired; restart from the first page."))
        position: list[Any] = content["p"]
        return Ok(position)

    def resume_after(
        self, cursor: str | None, *, scope: str, parse_key: Callable[[str], Any]
    ) -> Result[Keyset | None, InvalidCursor]:
        """The (sort key, id) position a keyset cursor resumes after; None on the first page."""
        if cursor is None:
            return Ok(None)
        decoded = self.decode(cursor, scope=scope)
        if isinstance(decoded, Err):
            return decoded
        try:
            raw_key, raw_id = decoded.ok_value
            return Ok((parse_key(raw_key), UUID(raw_id)))
        except (TypeError, ValueError, AttributeError, ArithmeticError):
            # AttributeError: `UUID()` of a non-string id (a position this service never signs).
            return Err(InvalidCursor("The cursor is malformed."))

    def page(
        self,
        rows: Sequence[T],
        *,
        limit: int,
        scope: str,
        key: Callable[[T], Keyset],
    ) -> Page[T]:
        """Cut `rows` (fetched with `limit + 1`) to a page, with the cursor of the next one."""
        items = list(rows[:limit])
        if len(rows) <= limit:
            return Page(items=items, next_cursor=None)
        sort_value, row_id = key(items[-1])
        text = sort_value.isoformat() if isinstance(sort_value, datetime) else str(sort_value)
        return Page(items=items, next_cursor=self.encode(scope=scope, position=[text, str(row_id)]))

    def _sign(self, payload: bytes) -> bytes:
        return hmac.new(self._key, payload, hashlib.sha256).digest()[:16]


def page_scope(name: str, **filters: object) -> str:
    """A stable fingerprint of a list's name, sort and filters, for binding cursors."""
    canonical = json.dumps({"list": name, **filters}, sort_keys=True, default=str)
    return hashlib.sha256(canonical.encode()).hexdigest()[:16]
