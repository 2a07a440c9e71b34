"""The `Idempotency-Key` request header of creating POSTs, and how their answers are kept."""

from collections.abc import Mapping
from typing import Annotated, Any

from fastapi import Header
from fastapi.responses import Response
from pydantic import BaseModel
from pydantic_core import to_json

from app.features.idempotency.model import MAX_KEY_LENGTH
from app.features.idempotency.response import StoredResponse
from app.features.idempotency.service import KeyedRequest

IDEMPOTENCY_KEY_DESCRIPTION = (
    "Any unique string (a UUID is ideal) that makes retrying this request safe: a retry "
    "with the same key and body gets the first answer again, with `Idempotent-Replayed: "
    "true`, and creates nothing new. While the first is still running a retry waits for "
    "it (up to 5 s, then 409 `IDEMPOTENCY_KEY_IN_USE`); the same key with another body "
    "is a 422 `IDEMPOTENCY_KEY_REUSED`. Keys belong to the signed-in user and are "
    "remembered for `IDEMPOTENCY_KEY_TTL_HOURS` (24 h by default)."
)

IdempotencyKeyHeader = Annotated[
    str | None,
    Header(
        alias="Idempotency-Key",
        min_length=1,
        max_length=MAX_KEY_LENGTH,
        pattern=r"^[\x21-\x7e]+$",
        description=IDEMPOTENCY_KEY_DESCRIPTION,
        examples=["5f0c6a9e-3b1d-4f7a-9a41-2c8d1e7b9f60"],
    ),
]


def keyed(key: str | None, operation: str, body: BaseModel) -> KeyedRequest | None:
    """The request to run once per `key` (None when the client sent no key)."""
    if key is None:
        return None
    return KeyedRequest.of(key, operation, body.model_dump(mode="json"))


def stored(document: Any, *, status_code: int, headers: Mapping[str, str]) -> StoredResponse:
    """A JSON answer, encoded once: to send now and to replay to a retry."""
    return StoredResponse(
        status_code=status_code,
        headers={**headers, "Content-Type": "application/json"},
        body=to_json(document),
    )


def send(answer: StoredResponse) -> Response:
    """The HTTP response of a stored answer, marked when it is a replay."""
    headers = dict(answer.headers)
    if answer.replayed:
        headers["Idempotent-Replayed"] = "true"
    return Response(answer.body, status_code=answer.status_code, headers=headers)
