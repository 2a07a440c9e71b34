"""Limits hold across worker processes through Redis, and Redis going down breaks nothing.

Runs `python -m app serve --workers 2` for real, against the test database and a
private Redis the test stops mid-run.
"""

import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from tests.processes import free_port, wait_until_answering
from tests.redis_server import RedisProcess, redis_process

LIMIT = 4
UNKNOWN_CPF = {"cpf": "529.982.247-25", "password": "not the password"}


@pytest.fixture
def redis() -> Iterator[RedisProcess]:
    with redis_process() as server:
        yield server


@pytest.fixture
def server(database_url: str, redis: RedisProcess, tmp_path: Path) -> Iterator[str]:
    """Two workers sharing the Redis; the base URL."""
    port = free_port()
    env = {
        **os.environ,
        "DATABASE_URL": database_url,
        "REDIS_URL": redis.url,
        "JWT_SECRET": "worker-test-secret-that-is-long-enough-0123456789",
        "ENVIRONMENT": "test",
        "LOG_LEVEL": "WARNING",
        "RATE_LIMIT_ENABLED": "true",
        "SIGN_IN_LIMIT_PER_ADDRESS": f"{LIMIT}/minute",
        "SIGN_IN_FAILURE_LIMIT_PER_CPF": "1000/minute",
        "PROMETHEUS_MULTIPROC_DIR": str(tmp_path),
    }
    command = [sys.executable, "-m", "app", "serve", "--port", str(port), "--workers", "2"]
    log = (tmp_path / "server.log").open("wb")
    process = subprocess.Popen(command, env=env, stdout=log, stderr=subprocess.STDOUT)  # noqa: S603
    base = f"http://127.0.0.1:{port}"
    try:
        wait_until_answering(process, f"{base}/health/ready", tmp_path / "server.log")
        yield base
    finally:
        process.terminate()
        process.wait(timeout=30)
        log.close()


def _sign_in_statuses(base: str, count: int) -> list[int]:
    # A new connection each time, so the attempts spread over both workers.
    statuses = []
    for _ in range(count):
        with httpx.Client(base_url=base, timeout=10) as client:
            statuses.append(client.post("/api/v1/sign-in", json=UNKNOWN_CPF).status_code)
    return statuses


def test_two_workers_share_one_limit_and_keep_serving_while_redis_is_down(
    server: str, redis: RedisProcess
) -> None:
    flood = _sign_in_statuses(server, 3 * LIMIT)

    redis.stop()
    while_down = _sign_in_statuses(server, 2 * LIMIT)
    metrics = httpx.get(f"{server}/metrics", timeout=10).text

    assert flood.count(401) == LIMIT, flood
    assert flood.count(429) == 2 * LIMIT, flood
    assert set(while_down) == {401}, while_down
    errors = [
        float(line.split()[-1])
        for line in metrics.splitlines()
        if line.startswith("rate_limit_store_errors_total")
    ]
    assert sum(errors) >= 2 * LIMIT
