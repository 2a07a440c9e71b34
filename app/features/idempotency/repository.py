"""Data access for idempotency keys: claim one, remember the answer, purge the expired."""

from datetime import datetime
from uuid import UUID

from result import Err, Ok, Result
from sqlalchemy import delete, func, select, text, update
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.exc import DBAPIError

from app.core.config.db.errors import is_lock_timeout
from app.features.idempotency.model import IdempotencyRecord
from app.features.idempotency.response import StoredResponse
from app.features.shared.repository import Repository


class KeyBusy(Exception):
    """Another transaction holds the key and did not finish within the wait."""


class IdempotencyRepository(Repository):
    """Keys are claimed inside the caller's transaction: they commit with what they create."""

    async def claim(
        self,
        user_id: UUID,
        key: str,
        *,
        fingerprint: bytes,
        expires_at: datetime,
        wait_seconds: float,
    ) -> Result[IdempotencyRecord | None, KeyBusy]:
        """Take `key` for this transaction, or find the live record that already has it.

        Ok(None): the key is ours (new, or its earlier record had expired). Ok(record):
        an earlier request committed with it. A transaction still running with the
        key makes this wait, up to `wait_seconds`, for it to commit or roll back;
        Err(KeyBusy) if it does neither in time (the transaction is then aborted).
        """
        columns = IdempotencyRecord.__table__.c
        values = {
            "user_id": user_id,
            "key": key,
            "fingerprint": fingerprint,
            "expires_at": expires_at,
            "headers": {},
            "body": b"",
        }
        retake = {name: value for name, value in values.items() if name not in ("user_id", "key")}
        statement = insert(IdempotencyRecord).values(values)
        claim = statement.on_conflict_do_update(  # an expired record is taken over
            index_elements=[columns.user_id, columns.key],
            set_={**retake, "status_code": None, "created_at": func.now()},
            where=columns.expires_at <= func.now(),
        ).returning(columns.key)
        # Bounds the wait on a twin request's uncommitted row; ends with the transaction.
        await self._session.execute(
            text("SELECT set_config('lock_timeout', :wait, true)"),
            {"wait": f"{round(wait_seconds * 1000)}ms"},
        )
        try:
            claimed = (await self._session.execute(claim)).first()
        except DBAPIError as exc:
            if is_lock_timeout(exc):
                return Err(KeyBusy())
            raise
        if claimed is not None:
            return Ok(None)
        earlier = await self._session.scalar(
            select(IdempotencyRecord).where(
                IdempotencyRecord.user_id == user_id, IdempotencyRecord.key == key
            )
        )
        return Ok(earlier)

    async def remember(self, user_id: UUID, key: str, response: StoredResponse) -> None:
        """Store the answer to the request that claimed `key` in this transaction."""
        await self._session.execute(
            update(IdempotencyRecord)
            .where(IdempotencyRecord.user_id == user_id, IdempotencyRecord.key == key)
            .values(
                status_code=response.status_code,
                headers=dict(response.headers),
                body=response.body,
            )
        )

    async def purge_expired(self, now: datetime) -> int:
        """Delete the records that expired before `now`; return how many went."""
        result = await self._session.execute(
            delete(IdempotencyRecord).where(IdempotencyRecord.expires_at <= now)
        )
        return int(getattr(result, "rowcount", 0))
