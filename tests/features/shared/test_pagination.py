"""Keyset pagination cursors: they round-trip, and are refused when altered, foreign or stale."""

import pytest
from result import Err, Ok

from app.core.errors.catalogue import InvalidCursor
from app.features.shared.pagination import CursorCodec


class _Clock:
    def __init__(self, now: float) -> None:
        self.now = now

    def __call__(self) -> float:
        return self.now


def test_a_cursor_round_trips_its_position() -> None:
    codec = CursorCodec(b"k" * 32)
    position = ["2025-01-02T03:04:05+00:00", "6f1c0a4e-1111-4222-8333-444455556666", 42]

    cursor = codec.encode(scope="users", position=position)

    assert codec.decode(cursor, scope="users") == Ok(position)


def test_a_cursor_altered_in_one_character_is_refused() -> None:
    codec = CursorCodec(b"k" * 32)
    cursor = codec.encode(scope="users", position=["a", 1])
    index = 5
    tampered = cursor[:index] + ("B" if cursor[index] != "B" else "C") + cursor[index + 1 :]

    result = codec.decode(tampered, scope="users")

    assert isinstance(result, Err)
    assert isinstance(result.err_value, InvalidCursor)


def test_a_cursor_from_another_key_is_refused() -> None:
    cursor = CursorCodec(b"k" * 32).encode(scope="users", position=["a"])

    result = CursorCodec(b"z" * 32).decode(cursor, scope="users")

    assert result == Err(InvalidCursor("The cursor was not issued by this service."))


def test_a_cursor_made_for_another_scope_is_refused() -> None:
    codec = CursorCodec(b"k" * 32)
    cursor = codec.encode(scope="users?role=admin", position=["a"])

    result = codec.decode(cursor, scope="users?role=collector")

    assert result == Err(InvalidCursor("The cursor was made for another sort or filter set."))


def test_an_expired_cursor_is_refused() -> None:
    clock = _Clock(1_700_000_000.0)
    codec = CursorCodec(b"k" * 32, ttl_seconds=60, clock=clock)
    cursor = codec.encode(scope="users", position=["a"])
    clock.now += 61

    result = codec.decode(cursor, scope="users")

    assert result == Err(InvalidCursor("The cursor has expired; restart from the first page."))


@pytest.mark.parametrize("cursor", ["", "no-dot", "a.b.c", "%%%.***", "é.é", "abc.def"])
def test_a_malformed_cursor_is_refused(cursor: str) -> None:
    result = CursorCodec(b"k" * 32).decode(cursor, scope="users")

    assert isinstance(result, Err)
    assert isinstance(result.err_value, InvalidCursor)
