"""Which object storage the settings build, and the photo-storage settings they refuse."""

from pathlib import Path

import pytest
from pydantic import SecretStr, ValidationError

from app.core.config.settings import Settings
from app.core.storage.factory import storage_from_settings
from app.core.storage.local import LocalStorage
from app.core.storage.s3 import S3Storage


def settings(**values: object) -> Settings:
    return Settings(_env_file=None, **values)  # type: ignore[arg-type]


def test_without_a_bucket_photos_go_to_the_local_directory(tmp_path: Path) -> None:
    storage = storage_from_settings(settings(photo_storage_dir=tmp_path, s3_bucket=""))

    assert isinstance(storage, LocalStorage)
    assert storage.root == tmp_path
    assert storage.url(f"listings/1/{'a' * 32}.jpg") == f"/media/listings/1/{'a' * 32}.jpg"


def test_a_bucket_selects_s3_and_the_public_endpoint_defaults_to_the_endpoint() -> None:
    storage = storage_from_settings(
        settings(
            s3_bucket="photos",
            s3_endpoint_url="http://storage:9000/",
            s3_access_key_id=SecretStr("id"),
            s3_secret_access_key=SecretStr("secret"),
            s3_presign_seconds=600,
        )
    )

    assert isinstance(storage, S3Storage)
    assert storage.options.bucket == "photos"
    assert storage.options.endpoint_url == "http://storage:9000"
    assert storage.options.public_endpoint_url == "http://storage:9000"
    assert storage.options.access_key_id == "id"
    assert storage.options.secret_access_key == "secret"
    url = storage.url(f"listings/1/{'a' * 32}.jpg")
    assert url.startswith(f"http://storage:9000/photos/listings/1/{'a' * 32}.jpg?")
    assert "X-Amz-Expires=600" in url


def test_empty_values_in_an_env_file_mean_unset() -> None:
    loaded = settings(
        s3_bucket="",
        s3_endpoint_url="",
        s3_public_endpoint_url="",
        s3_access_key_id="",
        s3_secret_access_key="",
    )

    assert loaded.s3_bucket is None
    assert loaded.s3_endpoint_url is None
    assert loaded.s3_public_endpoint_url is None
    assert loaded.s3_access_key_id is None
    assert loaded.s3_secret_access_key is None


@pytest.mark.parametrize(
    ("values", "message"),
    [
        ({"s3_endpoint_url": "storage:9000"}, "http:// or https://"),
        ({"s3_public_endpoint_url": "localhost:9000"}, "http:// or https://"),
        ({"s3_access_key_id": "id"}, "both S3_ACCESS_KEY_ID and S3_SECRET_ACCESS_KEY"),
        ({"s3_secret_access_key": "secret"}, "both S3_ACCESS_KEY_ID and S3_SECRET_ACCESS_KEY"),
        ({"s3_presign_seconds": 59}, "greater than or equal to 60"),
        ({"s3_presign_seconds": 7 * 24 * 3600 + 1}, "less than or equal to 604800"),
    ],
)
def test_photo_storage_settings_that_cannot_work_are_refused(
    values: dict[str, object], message: str
) -> None:
    with pytest.raises(ValidationError, match=message):
        settings(**values)
