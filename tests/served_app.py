"""The API as `python -m app serve` runs it: a real process, with its workers, for fault tests."""

import contextlib
import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path

from tests.conftest import TEST_JWT_SECRET
from tests.processes import free_port, wait_until_answering

STARTED = "Application startup complete"


@dataclass(frozen=True)
class ServedApp:
    """A running server: where it answers, its log, and its process (the uvicorn supervisor)."""

    base_url: str
    log: Path
    process: "subprocess.Popen[bytes]"

    def log_text(self) -> str:
        """Everything the server and its workers logged so far."""
        return self.log.read_text(errors="replace")


def _wait_for_workers(served: ServedApp, workers: int, *, within_seconds: float) -> None:
    """Wait until every worker has started, so none is still booting when the test begins."""
    deadline = time.monotonic() + within_seconds
    while served.log_text().count(STARTED) < workers:
        if served.process.poll() is not None or time.monotonic() > deadline:
            raise RuntimeError(f"{workers} workers did not start:\n{served.log_text()}")
        time.sleep(0.1)


@contextlib.contextmanager
def served_app(
    database_url: str,
    directory: Path,
    *,
    workers: int = 2,
    env: Mapping[str, str] | None = None,
    within_seconds: float = 60,
) -> Iterator[ServedApp]:
    """Serve the API on a free port over `database_url` (already migrated) for the block.

    `env` adds or overrides settings. Leaving the block ends the server with SIGTERM
    (SIGKILL if it outlives `within_seconds`), unless the test ended it already.
    """
    port = free_port()
    environment = {
        **os.environ,
        "DATABASE_URL": database_url,
        "JWT_SECRET": TEST_JWT_SECRET,
        "ENVIRONMENT": "test",
        "RATE_LIMIT_ENABLED": "false",
        "PROMETHEUS_MULTIPROC_DIR": str(directory / "metrics"),
        **(env or {}),
    }
    (directory / "metrics").mkdir(exist_ok=True)
    log_path = directory / "server.log"
    command = [sys.executable, "-m", "app", "serve", "--workers", str(workers), "--port", str(port)]
    with log_path.open("wb") as log:
        process = subprocess.Popen(  # noqa: S603 - our own interpreter and module
            command, env=environment, stdout=log, stderr=subprocess.STDOUT
        )
        served = ServedApp(base_url=f"http://127.0.0.1:{port}", log=log_path, process=process)
        try:
            wait_until_answering(
                process, f"{served.base_url}/health/ready", log_path, within_seconds=within_seconds
            )
            _wait_for_workers(served, workers, within_seconds=within_seconds)
            yield served
        finally:
            if process.poll() is None:
                process.send_signal(signal.SIGTERM)
                try:
                    process.wait(timeout=within_seconds)
                except subprocess.TimeoutExpired:
                    process.kill()
                    process.wait()
