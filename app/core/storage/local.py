"""Object storage in a local directory, served by the API itself under `/media`."""

import asyncio
import contextlib
import logging
import os
import shutil
import tempfile
from collections.abc import Sequence
from pathlib import Path
from typing import BinaryIO

from app.core.storage.base import StorageUnavailableError, is_valid_key

CHUNK_BYTES = 1024 * 1024

logger = logging.getLogger("app.storage")


class LocalStorage:
    """Files under `root/<key>`, each written whole or not at all."""

    def __init__(self, root: Path, url_prefix: str = "/media") -> None:
        """Store under `root` (made on the first write); URLs start with `url_prefix`."""
        self.root = root
        self.url_prefix = url_prefix.rstrip("/")

    def _path(self, key: str) -> Path:
        if not is_valid_key(key):
            raise ValueError(f"not a storage key: {key!r}")
        return self.root / key

    async def put_file(self, key: str, path: Path, *, content_type: str) -> None:
        """Copy the file at `path` to `root/<key>` in chunks, via a temporary file.

        `content_type` is not kept: the extension of the key says it when served.

        Raises:
            ValueError: `key` is not one `new_key` makes.
            StorageUnavailableError: the copy failed; nothing is stored under `key`.
        """
        await asyncio.to_thread(_copy_atomically, path, self._path(key))

    async def delete(self, keys: Sequence[str]) -> None:
        """Remove the files under `keys`; missing ones are fine.

        Raises:
            ValueError: a key is not one `new_key` makes (nothing is removed).
            StorageUnavailableError: a file could not be removed.
        """
        paths = [self._path(key) for key in keys]
        try:
            await asyncio.to_thread(_remove_all, paths)
        except OSError as error:
            raise _unavailable(f"delete {len(paths)} file(s)", error) from error

    async def exists(self, key: str) -> bool:
        """Whether a file is stored under `key`.

        Raises:
            ValueError: `key` is not one `new_key` makes.
            StorageUnavailableError: the file system could not be asked.
        """
        path = self._path(key)
        try:
            return await asyncio.to_thread(path.is_file)
        except OSError as error:
            raise _unavailable(f"check {key}", error) from error

    async def file(self, key: str) -> Path | None:
        """The stored file to serve for `key`; None when `key` is invalid or holds nothing.

        The resolved path must lie inside the root: a key never names anything else,
        even through a symbolic link.
        """
        if not is_valid_key(key):
            return None
        return await asyncio.to_thread(_inside, self.root, self.root / key)

    def url(self, key: str) -> str:
        """The API path that serves `key` (`<url_prefix>/<key>`)."""
        self._path(key)
        return f"{self.url_prefix}/{key}"

    async def close(self) -> None:
        """Nothing to release."""


def _copy_atomically(source: Path, target: Path) -> None:
    # A source that cannot be read is the caller's error (OSError), not the store's.
    with source.open("rb") as origin:
        try:
            _write_atomically(origin, target)
        except OSError as error:
            raise _unavailable(f"store {target.name}", error) from error


def _write_atomically(origin: BinaryIO, target: Path) -> None:
    """Write to a temporary file next to `target`, then rename it: whole or nothing."""
    target.parent.mkdir(parents=True, exist_ok=True)
    descriptor, temporary = tempfile.mkstemp(dir=target.parent, prefix=".", suffix=".part")
    try:
        with os.fdopen(descriptor, "wb") as destination:
            shutil.copyfileobj(origin, destination, CHUNK_BYTES)
            destination.flush()
            os.fsync(destination.fileno())
        os.chmod(temporary, 0o644)  # mkstemp makes it 0600; others may serve the files
        os.replace(temporary, target)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(temporary)
        raise


def _remove_all(paths: list[Path]) -> None:
    for path in paths:
        path.unlink(missing_ok=True)


def _inside(root: Path, path: Path) -> Path | None:
    try:
        resolved = path.resolve(strict=True)
        if not resolved.is_relative_to(root.resolve(strict=True)) or not resolved.is_file():
            return None
    except OSError:
        return None
    return resolved


def _unavailable(action: str, error: OSError) -> StorageUnavailableError:
    """Log the failure (one line, no traceback) and describe it for the caller."""
    logger.warning("object storage unavailable: cannot %s: %s", action, error)
    return StorageUnavailableError(f"cannot {action}: {error}")
