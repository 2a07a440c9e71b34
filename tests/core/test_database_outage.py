"""PostgreSQL stopped under a running app: honest 503s, readiness, recovery without restart."""

from collections.abc import Iterator
from uuid import uuid4

import httpx
import pytest
from pydantic import SecretStr

from app.core.config.db.migrations import upgrade_to_head
from app.core.config.settings import Environment, Settings
from app.main import create_app
from tests.conftest import TEST_JWT_SECRET, assert_problem
from tests.core.test_operations import running
from tests.own_postgres import OwnPostgres, own_postgres

pytestmark = pytest.mark.usefixtures("restore_logging")


@pytest.fixture(scope="module")
def postgres() -> Iterator[OwnPostgres]:
    with own_postgres() as server:
        upgrade_to_head(server.url)
        yield server


def _settings(url: str) -> Settings:
    return Settings(
        _env_file=None,
        environment=Environment.TEST,
        database_url=SecretStr(url),
        jwt_secret=SecretStr(TEST_JWT_SECRET),
        database_connect_timeout_seconds=2,
        database_pool_timeout_seconds=2,
        rate_limit_enabled=False,
    )


async def _listing(client: httpx.AsyncClient) -> httpx.Response:
    return await client.get(f"/api/v1/real-estates/{uuid4()}")


async def test_a_stopped_database_gets_503s_with_retry_after_then_recovers(
    postgres: OwnPostgres, capsys: pytest.CaptureFixture[str]
) -> None:
    app = create_app(_settings(postgres.url))
    async with running(app) as client:
        before = await _listing(client)
        postgres.stop()
        try:
            down = [await _listing(client) for _ in range(3)]
            sign_up = await client.post(
                "/api/v1/users",
                json={"name": "Ana Lima", "cpf": "52998224725", "password": "a long odd phrase"},
            )
            ready_down = await client.get("/health/ready")
        finally:
            postgres.start()
        after = await _listing(client)
        ready_up = await client.get("/health/ready")

    assert before.status_code == 404
    for response in [*down, sign_up]:
        body = assert_problem(response, 503, "DATABASE_UNAVAILABLE", response.request.url.path)
        assert response.headers["retry-after"] == "5"
        assert "Traceback" not in response.text
        assert body["detail"]
    assert_problem(ready_down, 503, "NOT_READY", "/health/ready")
    # The first request after the restart succeeds: the dead pooled connection is replaced.
    assert after.status_code == 404
    assert ready_up.status_code == 200
    logged = capsys.readouterr()
    output = logged.out + logged.err
    assert output.count("database unavailable: ") == 4
    assert output.count("database outage: 1 request(s) refused") == 1
    assert "Traceback" not in output


async def test_nothing_is_written_while_the_database_is_down(postgres: OwnPostgres) -> None:
    app = create_app(_settings(postgres.url))
    credentials = {"name": "Bia Lima", "cpf": "39053344705", "password": "a long odd phrase"}
    async with running(app) as client:
        postgres.stop()
        try:
            refused = await client.post("/api/v1/users", json=credentials)
        finally:
            postgres.start()
        retried = await client.post("/api/v1/users", json=credentials)
        again = await client.post("/api/v1/users", json=credentials)

    assert refused.status_code == 503
    assert retried.status_code == 201, retried.text
    assert again.json()["code"] == "USER_ALREADY_EXISTS"
