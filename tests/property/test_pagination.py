"""Properties of the signed keyset cursors: they round-trip, and anything else is refused."""

from datetime import UTC, datetime
from uuid import UUID

from hypothesis import assume, given
from hypothesis import strategies as st
from result import Err, Ok

from app.core.errors.catalogue import InvalidCursor
from app.features.shared.pagination import MAX_CURSOR_LENGTH, CursorCodec
from tests.property import PROPERTY

NOW = 1_750_000_000.0
CODEC = CursorCodec(b"property-secret", clock=lambda: NOW)
B64 = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"

scopes = st.text(max_size=24)
sort_keys = st.one_of(
    st.text(max_size=40),
    st.integers().map(str),
    st.datetimes(timezones=st.just(UTC)).map(datetime.isoformat),
)
positions = st.tuples(sort_keys, st.uuids().map(str))


def _refused(result: object) -> bool:
    return isinstance(result, Err) and isinstance(result.err_value, InvalidCursor)


@st.composite
def cursors(draw: st.DrawFn) -> tuple[str, str, list[str]]:
    scope, position = draw(scopes), list(draw(positions))
    return CODEC.encode(scope=scope, position=position), scope, position


@PROPERTY
@given(cursors())
def test_a_cursor_decodes_to_the_position_it_was_made_for(made: tuple[str, str, list[str]]) -> None:
    cursor, scope, position = made

    assert CODEC.decode(cursor, scope=scope) == Ok(position)
    assert CODEC.resume_after(cursor, scope=scope, parse_key=str) == Ok(
        (position[0], UUID(position[1]))
    )


@PROPERTY
@given(cursors(), st.data())
def test_a_cursor_altered_in_any_character_is_refused(
    made: tuple[str, str, list[str]], data: st.DataObject
) -> None:
    cursor, scope, _ = made
    index = data.draw(st.integers(min_value=0, max_value=len(cursor) - 1))
    replacement = data.draw(st.one_of(st.sampled_from(B64 + "."), st.characters()))
    assume(replacement != cursor[index])
    tampered = cursor[:index] + replacement + cursor[index + 1 :]

    assert _refused(CODEC.decode(tampered, scope=scope))


@PROPERTY
@given(cursors(), st.data())
def test_a_truncated_or_extended_cursor_is_refused(
    made: tuple[str, str, list[str]], data: st.DataObject
) -> None:
    cursor, scope, _ = made
    cut = data.draw(st.integers(min_value=0, max_value=len(cursor) - 1))
    suffix = data.draw(st.text(min_size=1, max_size=8))

    assert _refused(CODEC.decode(cursor[:cut], scope=scope))
    assert _refused(CODEC.decode(cursor + suffix, scope=scope))


@PROPERTY
@given(cursors(), scopes)
def test_a_cursor_is_refused_for_another_scope(
    made: tuple[str, str, list[str]], other: str
) -> None:
    cursor, scope, _ = made
    assume(other != scope)

    assert _refused(CODEC.decode(cursor, scope=other))


@PROPERTY
@given(positions, st.integers(min_value=1, max_value=10**6))
def test_a_cursor_is_refused_once_it_expired(position: tuple[str, str], late: int) -> None:
    issued = CursorCodec(b"property-secret", ttl_seconds=60, clock=lambda: NOW)
    later = CursorCodec(b"property-secret", ttl_seconds=60, clock=lambda: NOW + 60 + late)
    cursor = issued.encode(scope="s", position=list(position))

    assert _refused(later.decode(cursor, scope="s"))


@PROPERTY
@given(positions)
def test_a_cursor_signed_with_another_secret_is_refused(position: tuple[str, str]) -> None:
    foreign = CursorCodec(b"another-secret", clock=lambda: NOW).encode(
        scope="s", position=list(position)
    )

    assert _refused(CODEC.decode(foreign, scope="s"))


garbage = st.one_of(
    st.text(max_size=80),
    st.text(B64 + ".", max_size=80),
    st.text(min_size=MAX_CURSOR_LENGTH - 2, max_size=MAX_CURSOR_LENGTH + 8),
    st.binary(max_size=60).map(lambda raw: raw.hex()),
)


@PROPERTY
@given(garbage, scopes)
def test_garbage_is_refused_as_an_invalid_cursor_and_never_raises(text: str, scope: str) -> None:
    assert _refused(CODEC.decode(text, scope=scope))
    assert _refused(CODEC.resume_after(text, scope=scope, parse_key=int))


@PROPERTY
@given(scopes, st.lists(st.one_of(st.none(), st.integers(), st.text(max_size=8)), max_size=4))
def test_a_genuine_cursor_with_an_unusable_position_is_refused_not_raised(
    scope: str, position: list[object]
) -> None:
    cursor = CODEC.encode(scope=scope, position=position)

    resumed = CODEC.resume_after(cursor, scope=scope, parse_key=int)

    assert isinstance(resumed, Ok) or _refused(resumed)
