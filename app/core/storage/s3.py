"""Object storage in an S3-compatible bucket (AWS S3, MinIO), through boto3.

boto3 is synchronous: each call runs on a small thread pool of this backend's own,
which caps how many run at once (a slow store never takes every thread of the
event loop's default pool). Timeouts and a single retry bound how long a call to an
unreachable store takes; every failure of the store becomes `StorageUnavailableError`.
"""

import asyncio
import contextvars
import functools
import logging
import threading
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, TypeVar

import boto3
from boto3.exceptions import Boto3Error
from boto3.s3.transfer import TransferConfig
from botocore.config import Config
from botocore.exceptions import BotoCoreError, ClientError

from app.core.storage.base import StorageUnavailableError, is_valid_key

if TYPE_CHECKING:
    from types_boto3_s3.client import S3Client
    from types_boto3_s3.type_defs import ErrorTypeDef

T = TypeVar("T")

logger = logging.getLogger("app.storage")

# Keys are never overwritten (each upload gets a new one): caches may keep objects forever.
IMMUTABLE = "public, max-age=31536000, immutable"
DELETE_BATCH = 1000  # the most keys one DeleteObjects request takes
NOT_FOUND_CODES = frozenset({"404", "NoSuchKey", "NotFound"})
MIB = 1024 * 1024


@dataclass(frozen=True)
class S3Options:
    """Where the bucket is, how to sign in, and how long to wait for it."""

    bucket: str
    endpoint_url: str | None = None
    """None = AWS S3 of `region`."""
    public_endpoint_url: str | None = None
    """Where browsers reach the store, when not at `endpoint_url` (signed URLs use it)."""
    region: str = "us-east-1"
    access_key_id: str | None = None
    """None (with the secret) = boto3's own credential chain (environment, IAM role...)."""
    secret_access_key: str | None = None
    presign_seconds: int = 3600
    max_concurrency: int = 8
    timeout_seconds: float = 5.0
    max_attempts: int = 2


class S3Storage:
    """Objects in one bucket; browsers load them through presigned URLs."""

    def __init__(self, options: S3Options) -> None:
        """Describe the store; connections open on first use."""
        self.options = options
        self._config = Config(
            region_name=options.region,
            signature_version="s3v4",
            connect_timeout=options.timeout_seconds,
            read_timeout=options.timeout_seconds,
            retries={"max_attempts": options.max_attempts, "mode": "standard"},
            s3={"addressing_style": "path"},
            max_pool_connections=options.max_concurrency * 4,
        )
        self._transfer = TransferConfig(
            multipart_threshold=8 * MIB, multipart_chunksize=8 * MIB, max_concurrency=4
        )
        self._lock = threading.Lock()
        self._clients: tuple[S3Client, S3Client] | None = None
        self._pool: ThreadPoolExecutor | None = None

    def _both_clients(self) -> "tuple[S3Client, S3Client]":
        """(internal, public): I/O goes to the first; URLs are signed for the second."""
        with self._lock:
            if self._clients is None:
                options = self.options
                session = boto3.session.Session(
                    aws_access_key_id=options.access_key_id,
                    aws_secret_access_key=options.secret_access_key,
                    region_name=options.region,
                )
                internal = session.client(
                    "s3", endpoint_url=options.endpoint_url, config=self._config
                )
                public = internal
                if options.public_endpoint_url not in (None, options.endpoint_url):
                    public = session.client(
                        "s3", endpoint_url=options.public_endpoint_url, config=self._config
                    )
                self._clients = (internal, public)
            return self._clients

    def _executor(self) -> ThreadPoolExecutor:
        with self._lock:
            if self._pool is None:
                self._pool = ThreadPoolExecutor(
                    max_workers=self.options.max_concurrency, thread_name_prefix="s3"
                )
            return self._pool

    async def _run(self, action: str, call: Callable[[], T]) -> T:
        """`call` on the backend's threads (with the caller's context, for tracing).

        A failure of the store is logged (one line, no traceback) and becomes
        `StorageUnavailableError`; `action` says what was attempted.
        """
        bound = functools.partial(contextvars.copy_context().run, call)
        try:
            return await asyncio.get_running_loop().run_in_executor(self._executor(), bound)
        except (BotoCoreError, ClientError, Boto3Error) as error:
            logger.warning("object storage unavailable: cannot %s: %s", action, error)
            raise StorageUnavailableError(f"cannot {action}: {error}") from error

    def _internal(self) -> "S3Client":
        return self._both_clients()[0]

    async def put_file(self, key: str, path: Path, *, content_type: str) -> None:
        """Upload the file at `path` (in parts when large), marked immutable.

        Raises:
            ValueError: `key` is not one `new_key` makes.
            StorageUnavailableError: the store failed; nothing is stored under `key`.
        """
        _check(key)
        await self._run(
            f"store {key}",
            lambda: self._internal().upload_file(
                str(path),
                self.options.bucket,
                key,
                ExtraArgs={"ContentType": content_type, "CacheControl": IMMUTABLE},
                Config=self._transfer,
            ),
        )

    async def delete(self, keys: Sequence[str]) -> None:
        """Remove the objects under `keys`, up to 1000 per request.

        Raises:
            ValueError: a key is not one `new_key` makes (nothing is removed).
            StorageUnavailableError: the store failed; some objects may remain.
        """
        for key in keys:
            _check(key)
        for start in range(0, len(keys), DELETE_BATCH):
            batch = keys[start : start + DELETE_BATCH]
            errors = await self._run(
                f"delete {len(batch)} object(s)", functools.partial(self._delete_batch, batch)
            )
            if errors:
                first = errors[0]
                message = (
                    f"cannot delete {len(errors)} object(s), e.g. {first.get('Key')}: "
                    f"{first.get('Code')} {first.get('Message')}"
                )
                logger.warning("object storage unavailable: %s", message)
                raise StorageUnavailableError(message)

    def _delete_batch(self, keys: Sequence[str]) -> "list[ErrorTypeDef]":
        """One DeleteObjects request (quiet: only the failures are listed)."""
        answer = self._internal().delete_objects(
            Bucket=self.options.bucket,
            Delete={"Objects": [{"Key": key} for key in keys], "Quiet": True},
        )
        return answer.get("Errors", [])

    async def exists(self, key: str) -> bool:
        """Whether an object is stored under `key` (a HEAD request).

        Raises:
            ValueError: `key` is not one `new_key` makes.
            StorageUnavailableError: the store could not be asked.
        """
        _check(key)

        def head() -> bool:
            try:
                self._internal().head_object(Bucket=self.options.bucket, Key=key)
            except ClientError as error:
                if _code(error) in NOT_FOUND_CODES:
                    return False
                raise
            return True

        return await self._run(f"check {key}", head)

    def url(self, key: str) -> str:
        """A presigned GET URL at the public endpoint, valid for `presign_seconds`.

        Signing is local (no request to the store), so it never fails for an outage.
        """
        _check(key)
        url: str = self._both_clients()[1].generate_presigned_url(
            "get_object",
            Params={"Bucket": self.options.bucket, "Key": key},
            ExpiresIn=self.options.presign_seconds,
        )
        return url

    async def close(self) -> None:
        """Close the connections and the threads (both are made again if used later)."""
        with self._lock:
            clients, self._clients = self._clients, None
            pool, self._pool = self._pool, None
        if pool is not None:
            await asyncio.to_thread(pool.shutdown, wait=True, cancel_futures=True)
        if clients is not None:
            for client in set(clients):
                client.close()


def _check(key: str) -> None:
    if not is_valid_key(key):
        raise ValueError(f"not a storage key: {key!r}")


def _code(error: ClientError) -> str:
    return str(error.response.get("Error", {}).get("Code", ""))
