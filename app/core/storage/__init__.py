"""Object storage for uploaded files: one interface, a local and an S3-compatible backend."""

from app.core.storage.base import ObjectStorage, StorageUnavailableError, is_valid_key, new_key
from app.core.storage.factory import storage_from_settings

__all__ = [
    "ObjectStorage",
    "StorageUnavailableError",
    "is_valid_key",
    "new_key",
    "storage_from_settings",
]
