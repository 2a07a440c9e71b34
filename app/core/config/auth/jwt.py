"""Access tokens: short-lived JWTs bound to a sign-in session."""

import secrets
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any, Self
from uuid import UUID

import jwt
from result import Err, Ok, Result

from app.core.config.settings import Settings
from app.core.errors.catalogue import InvalidToken

REQUIRED_CLAIMS = ["sub", "sid", "exp", "iat", "iss", "aud", "jti"]


@dataclass(frozen=True)
class AccessToken:
    """A freshly issued access token and its lifetime in seconds."""

    token: str
    expires_in: int


@dataclass(frozen=True)
class AccessTokenClaims:
    """The verified content of an access token."""

    user_id: UUID
    session_id: UUID
    token_id: str
    issued_at: datetime
    expires_at: datetime


class AccessTokenCodec:
    """Issues and verifies access tokens with one pinned HMAC algorithm."""

    def __init__(
        self,
        *,
        secret: str,
        previous_secrets: Sequence[str] = (),
        algorithm: str,
        issuer: str,
        audience: str,
        ttl: timedelta,
        clock: Callable[[], datetime] = lambda: datetime.now(UTC),
    ) -> None:
        self._secret = secret
        # Tokens signed with a retired key stay valid until they expire: rotation logs nobody out.
        self._verification_keys = (secret, *previous_secrets)
        self._algorithm = algorithm
        self._issuer = issuer
        self._audience = audience
        self._ttl = ttl
        self._clock = clock

    @classmethod
    def from_settings(cls, settings: Settings) -> Self:
        """Build the codec the settings describe."""
        return cls(
            secret=settings.jwt_secret.get_secret_value(),
            previous_secrets=[key.get_secret_value() for key in settings.jwt_previous_secrets],
            algorithm=settings.jwt_algorithm,
            issuer=settings.jwt_issuer,
            audience=settings.jwt_audience,
            ttl=timedelta(seconds=settings.access_token_ttl_seconds),
        )

    def issue(self, *, user_id: UUID, session_id: UUID) -> AccessToken:
        """Sign a token for `user_id` within sign-in session `session_id`."""
        now = self._clock()
        claims = {
            "sub": str(user_id),
            "sid": str(session_id),
            "iat": int(now.timestamp()),
            "exp": int((now + self._ttl).timestamp()),
            "iss": self._issuer,
            "aud": self._audience,
            "jti": secrets.token_urlsafe(16),
        }
        token = jwt.encode(claims, self._secret, algorithm=self._algorithm)
        return AccessToken(token=token, expires_in=int(self._ttl.total_seconds()))

    def decode(self, token: str) -> Result[AccessTokenClaims, InvalidToken]:
        """Verify signature, algorithm, issuer, audience and expiry; return the claims."""
        try:
            return Ok(_claims(self._verified_payload(token)))
        except jwt.ExpiredSignatureError:
            return Err(InvalidToken("The access token has expired; sign in again."))
        except (jwt.InvalidTokenError, ValueError, TypeError):
            return Err(InvalidToken())

    def _verified_payload(self, token: str) -> dict[str, Any]:
        """The token's payload, verified with the first key whose signature matches.

        Raises:
            jwt.InvalidTokenError: no key verifies it, or a claim is missing or wrong.
        """
        *current, oldest = self._verification_keys
        for key in current:
            try:
                return self._decode_with(token, key)
            except jwt.InvalidSignatureError:
                continue  # signed with an older key, perhaps
        return self._decode_with(token, oldest)

    def _decode_with(self, token: str, key: str) -> dict[str, Any]:
        payload: dict[str, Any] = jwt.decode(
            token,
            key,
            algorithms=[self._algorithm],
            issuer=self._issuer,
            audience=self._audience,
            options={"require": REQUIRED_CLAIMS},
        )
        return payload


def _claims(payload: dict[str, Any]) -> AccessTokenClaims:
    return AccessTokenClaims(
        user_id=UUID(payload["sub"]),
        session_id=UUID(payload["sid"]),
        token_id=str(payload["jti"]),
        issued_at=datetime.fromtimestamp(payload["iat"], UTC),
        expires_at=datetime.fromtimestamp(payload["exp"], UTC),
    )
