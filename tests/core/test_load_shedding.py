"""Past its concurrency cap a worker sheds load with a fast 503, and recovers at once."""

import asyncio

import pytest

from app.core.config.settings import Settings
from app.main import create_app
from tests.conftest import assert_problem
from tests.core.test_operations import running

pytestmark = pytest.mark.usefixtures("restore_logging")
SLOW = "/test-only/slow"


async def test_requests_past_the_cap_get_a_fast_503_and_probes_still_answer(
    settings: Settings,
) -> None:
    app = create_app(settings.model_copy(update={"max_concurrent_requests": 2}))
    release = asyncio.Event()
    inside: list[None] = []
    both_inside = asyncio.Event()

    async def slow() -> dict[str, str]:
        inside.append(None)
        if len(inside) == 2:
            both_inside.set()
        await release.wait()
        return {"status": "done"}

    app.add_api_route(SLOW, slow)
    async with running(app) as client:
        held = [asyncio.create_task(client.get(SLOW)) for _ in range(2)]
        await both_inside.wait()
        shed = await client.get(SLOW)
        shed_read = await client.get("/api/v1/real-estates")
        live = await client.get("/health/live")
        ready = await client.get("/health/ready")
        release.set()
        finished = await asyncio.gather(*held)
        after = await client.get(SLOW)

    for response, path in ((shed, SLOW), (shed_read, "/api/v1/real-estates")):
        assert_problem(response, 503, "OVERLOADED", path)
        assert response.headers["retry-after"] == "1"
        assert response.headers["x-request-id"]
    assert [live.status_code, ready.status_code] == [200, 200]
    assert [response.json() for response in finished] == [{"status": "done"}] * 2
    assert after.status_code == 200
