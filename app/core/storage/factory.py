"""The object storage the settings describe."""

from pydantic import SecretStr

from app.core.config.settings import Settings
from app.core.storage.base import ObjectStorage
from app.core.storage.local import LocalStorage

MEDIA_URL_PREFIX = "/media"
"""Where the API serves the local backend's files (app/routers/media.py)."""


def storage_from_settings(settings: Settings) -> ObjectStorage:
    """An S3 bucket when `S3_BUCKET` is set, else files under `PHOTO_STORAGE_DIR`."""
    if settings.s3_bucket is None:
        return LocalStorage(settings.photo_storage_dir, url_prefix=MEDIA_URL_PREFIX)
    # Imported here: boto3 takes a while to load, and the local backend needs none of it.
    from app.core.storage.s3 import S3Options, S3Storage

    def secret(value: SecretStr | None) -> str | None:
        return None if value is None else value.get_secret_value()

    return S3Storage(
        S3Options(
            bucket=settings.s3_bucket,
            endpoint_url=settings.s3_endpoint_url,
            public_endpoint_url=settings.s3_public_endpoint_url or settings.s3_endpoint_url,
            region=settings.s3_region,
            access_key_id=secret(settings.s3_access_key_id),
            secret_access_key=secret(settings.s3_secret_access_key),
            presign_seconds=settings.s3_presign_seconds,
        )
    )
