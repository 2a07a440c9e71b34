"""Access tokens: short-lived JWTs bound to a sign-in session."""

import secrets
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Self
from uuid import UUID

import jwt
from result import Err, Ok, Result

from app.core.config.settings import Settings
from app.core.errors.catalogue import InvalidToken

REQUIRED_CLAIMS = ["sub", "sid", "exp", "iat", "iss", "aud", "jti"]
_BAD_SIGNATURE = "The access token's signature does not verify."


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
        for key in self._verification_keys:
            claims = self._decode_with(token, key)
            if not isinstance(claims, Err) or claims.err_value.detail != _BAD_SIGNATURE:
                return claims
        return Err(InvalidToken())

    def _decode_with(self, token: str, key: str) -> Result[AccessTokenClaims, InvalidToken]:
        try:
            claims = jwt.decode(
                token,
                key,
                algorithms=[self._algorithm],
                issuer=self._issuer,
                audience=self._audience,
                options={"require": REQUIRED_CLAIMS},
            )
            return Ok(
                AccessTokenClaims(
                    user_id=UUID(claims["sub"]),
                    session_id=UUID(claims["sid"]),
                    token_id=str(claims["jti"]),
                    issued_at=datetime.fromtimestamp(claims["iat"], UTC),
                    expires_at=datetime.fromtimestamp(claims["exp"], UTC),
                )
            )
        except jwt.InvalidSignatureError:
            return Err(InvalidToken(_BAD_SIGNATURE))
        except jwt.ExpiredSignatureError:
            return Err(InvalidToken("The access token has expired; sign in again."))
        except (jwt.InvalidTokenError, ValueError, TypeError):
            return Err(InvalidToken())
