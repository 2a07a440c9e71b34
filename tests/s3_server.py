"""A real S3 API for the tests: moto's standalone server, on a free port, in this process.

It speaks S3 over HTTP like AWS or MinIO (SigV4, presigned URLs, multipart uploads),
so the S3 backend is tested through boto3 and the network, with nothing mocked.
"""

import contextlib
import logging
from collections.abc import Iterator
from dataclasses import dataclass

import boto3
from moto.server import ThreadedMotoServer
from types_boto3_s3.client import S3Client

from tests.processes import free_port

BUCKET = "test-photos"
ACCESS_KEY_ID = "test-access-key"
SECRET_ACCESS_KEY = "test-secret-key"  # moto accepts any
REGION = "us-east-1"


@dataclass(frozen=True)
class S3Server:
    """Where the server listens and the bucket made on it."""

    port: int
    bucket: str = BUCKET
    access_key_id: str = ACCESS_KEY_ID
    secret_access_key: str = SECRET_ACCESS_KEY
    region: str = REGION

    @property
    def endpoint_url(self) -> str:
        """The server's address as the application reaches it."""
        return f"http://127.0.0.1:{self.port}"

    def client(self, endpoint_url: str | None = None) -> "S3Client":
        """A plain boto3 client of the server, to check what the backend stored."""
        client: S3Client = boto3.client(
            "s3",
            endpoint_url=endpoint_url or self.endpoint_url,
            aws_access_key_id=self.access_key_id,
            aws_secret_access_key=self.secret_access_key,
            region_name=self.region,
        )
        return client


@contextlib.contextmanager
def s3_server() -> Iterator[S3Server]:
    """A moto S3 server with an empty bucket, stopped afterwards."""
    server = S3Server(port=free_port())
    logging.getLogger("werkzeug").setLevel(logging.WARNING)  # no line per request
    process = ThreadedMotoServer(ip_address="127.0.0.1", port=server.port, verbose=False)
    process.start()
    try:
        client = server.client()
        client.create_bucket(Bucket=server.bucket)
        client.close()
        yield server
    finally:
        process.stop()
