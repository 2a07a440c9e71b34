"""Long-lived, stateless collaborators built once per application."""

import hashlib
from dataclasses import dataclass
from typing import Self

from app.core.config.auth.jwt import AccessTokenCodec
from app.core.config.settings import Settings
from app.features.shared.pagination import CursorCodec
from app.features.shared.utils.password_hasher import PasswordHasher
from app.features.users.passwords import PasswordPolicy


@dataclass(frozen=True)
class Components:
    """What every request may use without rebuilding it: codecs, hasher, policies."""

    tokens: AccessTokenCodec
    cursors: CursorCodec
    hasher: PasswordHasher
    passwords: PasswordPolicy

    @classmethod
    def from_settings(cls, settings: Settings) -> Self:
        """Build the components the settings describe."""
        secret = settings.jwt_secret.get_secret_value().encode()
        return cls(
            tokens=AccessTokenCodec.from_settings(settings),
            cursors=CursorCodec(hashlib.sha256(b"cursor-key:" + secret).digest()),
            hasher=PasswordHasher.from_settings(settings),
            passwords=PasswordPolicy.from_file(),
        )
