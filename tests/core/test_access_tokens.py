"""AccessTokenCodec: key rotation decided by the kind of failure, never by its wording."""

from datetime import UTC, datetime, timedelta
from uuid import uuid4

import jwt
import pytest
from result import Err, Ok

from app.core.config.auth.jwt import AccessTokenCodec
from app.core.errors.catalogue import InvalidToken

OLD_KEY = "retired-key-" + "o" * 40
NEW_KEY = "current-key-" + "n" * 40


def codec(secret: str, *previous: str, hours_ago: int = 0) -> AccessTokenCodec:
    return AccessTokenCodec(
        secret=secret,
        previous_secrets=previous,
        algorithm="HS256",
        issuer="real-estate-api",
        audience="real-estate-api",
        ttl=timedelta(minutes=15),
        clock=lambda: datetime.now(UTC) - timedelta(hours=hours_ago),
    )


def test_a_token_signed_with_a_retired_key_is_accepted_until_it_expires() -> None:
    user_id, session_id = uuid4(), uuid4()
    token = codec(OLD_KEY).issue(user_id=user_id, session_id=session_id).token

    claims = codec(NEW_KEY, OLD_KEY).decode(token)

    assert isinstance(claims, Ok)
    assert (claims.ok_value.user_id, claims.ok_value.session_id) == (user_id, session_id)


def test_an_expired_token_of_a_retired_key_says_it_expired() -> None:
    token = codec(OLD_KEY, hours_ago=2).issue(user_id=uuid4(), session_id=uuid4()).token

    claims = codec(NEW_KEY, OLD_KEY).decode(token)

    assert isinstance(claims, Err)
    assert "expired" in claims.err_value.detail


@pytest.mark.parametrize("keys", [(NEW_KEY,), (NEW_KEY, OLD_KEY)], ids=["one-key", "rotating"])
def test_a_token_no_key_signed_is_refused_with_the_generic_answer(keys: tuple[str, ...]) -> None:
    token = codec("forged-" + "f" * 40).issue(user_id=uuid4(), session_id=uuid4()).token

    assert codec(*keys).decode(token) == Err(InvalidToken())


def test_a_wrong_audience_under_the_current_key_is_refused_without_trying_older_keys() -> None:
    claims = {
        "sub": str(uuid4()),
        "sid": str(uuid4()),
        "iat": int(datetime.now(UTC).timestamp()),
        "exp": int((datetime.now(UTC) + timedelta(minutes=5)).timestamp()),
        "iss": "real-estate-api",
        "aud": "someone-else",
        "jti": "x",
    }
    token = jwt.encode(claims, NEW_KEY, algorithm="HS256")

    assert codec(NEW_KEY, OLD_KEY).decode(token) == Err(InvalidToken())
