"""Argon2id password hashing that never blocks the event loop."""

import asyncio
import os
from typing import Self

from argon2 import PasswordHasher as Argon2Hasher
from argon2 import Type
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError

from app.core.config.settings import Settings


class CorruptPasswordHash(RuntimeError):
    """A stored password hash cannot be read: a data problem for operators, not a wrong password.

    It is left to rise, so the request answers 500 with its request id and the log
    line says what happened, instead of a silent 401 that locks the user out.
    """


class PasswordHasher:
    """Hashes and verifies passwords with argon2id in worker threads, a few at a time.

    Each hash keeps a core busy and `memory_kib` of memory for tens of milliseconds, so
    at most `max_concurrent` run at once (the core count by default): a burst of
    sign-ins waits its turn instead of every hash slowing down together.
    """

    def __init__(
        self,
        *,
        memory_kib: int,
        time_cost: int,
        parallelism: int,
        max_concurrent: int | None = None,
    ) -> None:
        self._argon2 = Argon2Hasher(
            memory_cost=memory_kib, time_cost=time_cost, parallelism=parallelism, type=Type.ID
        )
        self._slots = asyncio.Semaphore(max_concurrent or os.cpu_count() or 1)
        self._dummy_hash: str | None = None

    @classmethod
    def from_settings(cls, settings: Settings) -> Self:
        """Build the hasher with the configured cost parameters."""
        return cls(
            memory_kib=settings.argon2_memory_kib,
            time_cost=settings.argon2_time_cost,
            parallelism=settings.argon2_parallelism,
            max_concurrent=settings.argon2_max_concurrency,
        )

    async def hash(self, password: str) -> str:
        """Hash `password` with a fresh salt."""
        async with self._slots:
            return await asyncio.to_thread(self._hash_now, password)

    async def verify(self, password_hash: str, password: str) -> bool:
        """Whether `password` matches `password_hash`.

        Raises:
            CorruptPasswordHash: `password_hash` is not an argon2 hash this library reads.
        """
        async with self._slots:
            return await asyncio.to_thread(self._verify, password_hash, password)

    async def prepare(self) -> None:
        """Make the dummy hash up front, so the first unknown-CPF sign-in is not slower."""
        if self._dummy_hash is None:
            self._dummy_hash = await self.hash("not a real password: it only burns the same time")

    async def verify_nothing(self, password: str) -> None:
        """Spend the time of a real verification, so unknown accounts are not told apart."""
        await self.prepare()
        assert self._dummy_hash is not None  # noqa: S101 - set by prepare()
        await self.verify(self._dummy_hash, password)

    def needs_rehash(self, password_hash: str) -> bool:
        """Whether `password_hash` was made with other parameters than today's."""
        return self._argon2.check_needs_rehash(password_hash)

    def _hash_now(self, password: str) -> str:
        return self._argon2.hash(password)

    def _verify(self, password_hash: str, password: str) -> bool:
        try:
            return self._argon2.verify(password_hash, password)
        except VerifyMismatchError:
            return False
        except (VerificationError, InvalidHashError) as error:  # e.g. "Decoding failed"
            raise CorruptPasswordHash(
                "A stored password hash is not a valid argon2 hash."
            ) from error
