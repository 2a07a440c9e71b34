"""Running a creating request once per idempotency key, however often it is retried."""

import hashlib
import json
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from typing import Any, Self, TypeVar
from uuid import UUID

from result import Err, Ok, Result

from app.core.errors.base import BaseError
from app.core.errors.catalogue import IdempotencyKeyInUse, IdempotencyKeyReused
from app.features.idempotency.model import IdempotencyRecord
from app.features.idempotency.repository import IdempotencyRepository
from app.features.idempotency.response import StoredResponse
from app.features.shared.timestamps import utcnow
from app.features.shared.unit_of_work import UnitOfWork

# How long a retry waits for its twin, still running, to finish; then 409 and this.
TWIN_WAIT_SECONDS = 5.0
IN_USE_RETRY_AFTER_SECONDS = 1

E = TypeVar("E", bound=BaseError)
KeyProblem = IdempotencyKeyReused | IdempotencyKeyInUse


@dataclass(frozen=True)
class KeyedRequest:
    """A request's `Idempotency-Key` and a digest of what it asks for."""

    key: str
    fingerprint: bytes

    @classmethod
    def of(cls, key: str, operation: str, payload: Any) -> Self:
        """The key, with a fingerprint of the operation and its JSON-ready `payload`."""
        canonical = json.dumps([operation, payload], sort_keys=True, separators=(",", ":"))
        return cls(key=key, fingerprint=hashlib.sha256(canonical.encode()).digest())


def _replay(
    earlier: IdempotencyRecord, request: KeyedRequest
) -> Result[StoredResponse, KeyProblem]:
    if earlier.fingerprint != request.fingerprint or earlier.status_code is None:
        return Err(IdempotencyKeyReused())
    stored = StoredResponse(earlier.status_code, earlier.headers, earlier.body)
    return Ok(replace(stored, replayed=True))


class Idempotency:
    """Runs a write and commits it together with the answer remembered for its key."""

    def __init__(
        self,
        *,
        uow: UnitOfWork,
        records: IdempotencyRepository,
        lifetime: timedelta,
        twin_wait_seconds: float = TWIN_WAIT_SECONDS,
        clock: Callable[[], datetime] = utcnow,
    ) -> None:
        self._uow = uow
        self._records = records
        self._lifetime = lifetime
        self._twin_wait_seconds = twin_wait_seconds
        self._clock = clock

    async def once(
        self,
        user_id: UUID,
        request: KeyedRequest | None,
        perform: Callable[[], Awaitable[Result[StoredResponse, E]]],
    ) -> Result[StoredResponse, E | KeyProblem]:
        """Run `perform` and commit, unless `request`'s key already has an answer.

        Without a key, this is `perform` then commit. With one, the first request
        claims the key in its own transaction and commits the answer with the write;
        a retry of the same request gets that answer back (`replayed`), one that
        differs gets IdempotencyKeyReused. A retry that arrives while the first is
        still running waits for it, up to TWIN_WAIT_SECONDS, then gets
        IdempotencyKeyInUse. Nothing is committed when `perform` fails.
        """
        if request is not None:
            claimed = await self._records.claim(
                user_id,
                request.key,
                fingerprint=request.fingerprint,
                expires_at=self._clock() + self._lifetime,
                wait_seconds=self._twin_wait_seconds,
            )
            if isinstance(claimed, Err):
                retry = {"Retry-After": str(IN_USE_RETRY_AFTER_SECONDS)}
                return Err(IdempotencyKeyInUse(headers=retry))
            if claimed.ok_value is not None:
                return _replay(claimed.ok_value, request)
        outcome = await perform()
        if isinstance(outcome, Ok):
            if request is not None:
                await self._records.remember(user_id, request.key, outcome.ok_value)
            await self._uow.commit()
        return outcome

    async def purge(self) -> int:
        """Delete the expired records; return how many went."""
        purged = await self._records.purge_expired(self._clock())
        await self._uow.commit()
        return purged
