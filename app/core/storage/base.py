"""What the application asks of an object store, whichever backend serves it."""

import re
import secrets
from collections.abc import Sequence
from pathlib import Path
from typing import Protocol

# Keys are made by `new_key`, never from a client's file name: a prefix of lowercase
# words, then random hex, then a lowercase extension.
_KEY = re.compile(r"^[a-z0-9-]+(/[a-z0-9-]+)*/[0-9a-f]{32}\.[a-z0-9]{2,5}$")


class StorageUnavailableError(Exception):
    """The backend could not store, delete or check an object right now."""


def new_key(prefix: str, extension: str) -> str:
    """A fresh, unguessable key under `prefix` (e.g. `listings/<id>/photos`)."""
    return f"{prefix.strip('/')}/{secrets.token_hex(16)}.{extension.lower()}"


def is_valid_key(key: str) -> bool:
    """Whether `key` has the shape `new_key` makes (so it can name no other path)."""
    return bool(_KEY.match(key)) and ".." not in key


class ObjectStorage(Protocol):
    """Stores files under generated keys and tells browsers where to load them."""

    async def put_file(self, key: str, path: Path, *, content_type: str) -> None:
        """Store the file at `path` under `key`, streamed (never read whole into memory).

        Raises:
            StorageUnavailableError: the backend failed; nothing is stored under `key`.
        """
        ...

    async def delete(self, keys: Sequence[str]) -> None:
        """Remove the objects under `keys`; keys that hold nothing are fine.

        Raises:
            StorageUnavailableError: the backend failed; some objects may remain.
        """
        ...

    async def exists(self, key: str) -> bool:
        """Whether an object is stored under `key`.

        Raises:
            StorageUnavailableError: the backend could not be asked.
        """
        ...

    def url(self, key: str) -> str:
        """A URL a browser can load the object from (time-limited where the backend signs)."""
        ...

    async def close(self) -> None:
        """Release the backend's connections (at shutdown)."""
        ...
