"""SIGTERM is bounded: slow clients do not keep a worker alive past the grace period."""

import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

from tests.processes import free_port, wait_until_answering

GRACE_SECONDS = 2
# Well above the grace: the point is that the wait has a bound, not how fast it is.
EXIT_BOUND_SECONDS = GRACE_SECONDS + 20
SLOW_SIGN_UP = (
    b"POST /api/v1/users HTTP/1.1\r\nHost: test\r\nContent-Type: application/json\r\n"
    b"Content-Length: 1000\r\n\r\n{"
)


def test_sigterm_with_slow_clients_ends_within_the_grace_period(
    database_url: str, tmp_path: Path
) -> None:
    port = free_port()
    env = {
        **os.environ,
        "DATABASE_URL": database_url,
        "JWT_SECRET": "shutdown-test-secret-that-is-long-enough-0123",
        "ENVIRONMENT": "test",
        "SHUTDOWN_GRACE_SECONDS": str(GRACE_SECONDS),
    }
    log_path = tmp_path / "server.log"
    with log_path.open("wb") as log:
        process = subprocess.Popen(  # noqa: S603 - our own interpreter and module
            [sys.executable, "-m", "app", "serve", "--port", str(port)],
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        slow: list[socket.socket] = []
        try:
            wait_until_answering(process, f"http://127.0.0.1:{port}/health/live", log_path)
            for _ in range(20):  # each starts a sign-up, then never sends the rest of its body
                client = socket.create_connection(("127.0.0.1", port))
                client.sendall(SLOW_SIGN_UP)
                slow.append(client)
            time.sleep(0.5)
            process.send_signal(signal.SIGTERM)
            exit_code = process.wait(timeout=EXIT_BOUND_SECONDS)
        finally:
            for client in slow:
                client.close()
            if process.poll() is None:
                process.kill()
                process.wait()

    # uvicorn ends with the signal it was stopped by, once it has shut down cleanly.
    assert exit_code in (0, -signal.SIGTERM), log_path.read_text()
    assert "Finished server process" in log_path.read_text()
