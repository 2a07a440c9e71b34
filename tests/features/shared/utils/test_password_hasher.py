"""PasswordHasher: argon2id off the event loop, re-hash detection, and unreadable hashes."""

import asyncio

import argon2
import pytest

from app.features.shared.utils.password_hasher import CorruptPasswordHash, PasswordHasher

OWASP = {"memory_kib": 19_456, "time_cost": 2, "parallelism": 1}


@pytest.fixture(scope="module")
def hasher() -> PasswordHasher:
    return PasswordHasher(**OWASP)


async def test_a_hash_verifies_its_password_and_no_other(hasher: PasswordHasher) -> None:
    stored = await hasher.hash("a long odd phrase")

    assert stored.startswith("$argon2id$v=19$m=19456,t=2,p=1$")
    assert await hasher.verify(stored, "a long odd phrase") is True
    assert await hasher.verify(stored, "a long odd phrasE") is False


async def test_two_hashes_of_one_password_differ_by_their_salt(hasher: PasswordHasher) -> None:
    first, second = await hasher.hash("same"), await hasher.hash("same")

    assert first != second


async def test_a_hash_made_with_weaker_parameters_needs_a_rehash(hasher: PasswordHasher) -> None:
    weak = argon2.PasswordHasher(memory_cost=8192, time_cost=1).hash("pw")

    assert hasher.needs_rehash(weak) is True
    assert hasher.needs_rehash(await hasher.hash("pw")) is False


@pytest.mark.parametrize(
    "stored",
    ["not a hash", "$argon2id$v=19$m=19456,t=2,p=1$truncated", ""],
    ids=["not-argon2", "truncated", "empty"],
)
async def test_an_unreadable_stored_hash_raises_rather_than_refusing(
    hasher: PasswordHasher, stored: str
) -> None:
    with pytest.raises(CorruptPasswordHash):
        await hasher.verify(stored, "anything")


async def test_verify_nothing_works_before_and_after_prepare() -> None:
    fresh = PasswordHasher(**OWASP)

    await fresh.verify_nothing("whatever was typed")
    await fresh.prepare()
    await fresh.verify_nothing("whatever was typed")


async def test_no_more_hashes_run_at_once_than_the_limit() -> None:
    class Counting(PasswordHasher):
        running = 0
        most = 0

        def _hash_now(self, password: str) -> str:
            Counting.running += 1
            Counting.most = max(Counting.most, Counting.running)
            try:
                return super()._hash_now(password)
            finally:
                Counting.running -= 1

    hasher = Counting(**OWASP, max_concurrent=2)

    hashes = await asyncio.gather(*(hasher.hash(f"pw {i}") for i in range(6)))

    assert len(set(hashes)) == 6
    assert 1 <= Counting.most <= 2
