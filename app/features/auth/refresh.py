"""Refresh tokens: opaque random strings, known to the database only by their digests."""

import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from app.features.auth.model import AuthSession

REFRESH_TOKEN_BYTES = 32  # 256 random bits; URL-safe base64 makes 43 characters


def new_refresh_token() -> str:
    """A fresh refresh token."""
    return secrets.token_urlsafe(REFRESH_TOKEN_BYTES)


def digest_of(refresh_token: str) -> bytes:
    """What the database keeps of a refresh token.

    A plain SHA-256 is enough: the token is random and long, so nothing is gained by
    a slow hash, and a digest lets the token be found by an index lookup.
    """
    return hashlib.sha256(refresh_token.encode()).digest()


@dataclass(frozen=True)
class SessionLifetimes:
    """How long a session may be refreshed, and how late a retry may come."""

    idle: timedelta = timedelta(days=30)
    absolute: timedelta = timedelta(days=90)
    retry: timedelta = timedelta(seconds=10)

    def expired(self, auth_session: AuthSession, now: datetime) -> bool:
        """Whether the session went unused too long, or began too long ago."""
        unused = auth_session.refreshed_at <= self.idle_cutoff(now)
        return unused or auth_session.created_at <= self.absolute_cutoff(now)

    def idle_cutoff(self, now: datetime) -> datetime:
        """Sessions last refreshed at or before this instant have expired."""
        return now - self.idle

    def absolute_cutoff(self, now: datetime) -> datetime:
        """Sessions begun at or before this instant have expired."""
        return now - self.absolute

    def retried(self, spent_at: datetime, now: datetime) -> bool:
        """Whether a token spent at `spent_at` is presented again soon enough to be a retry."""
        return now - spent_at <= self.retry
