"""Every response carries the security headers; the docs pages a CSP they can run under."""

from typing import Any

import httpx
import pytest

NO_SNIFFING = {"x-content-type-options": "nosniff", "x-frame-options": "DENY"}


@pytest.mark.parametrize("path", ["/api/v1/real-estates", "/api/v1/nowhere", "/health/live"])
async def test_api_answers_carry_a_csp_that_allows_nothing(
    client: httpx.AsyncClient, path: str
) -> None:
    response = await client.get(path)

    assert NO_SNIFFING.items() <= response.headers.items()
    assert response.headers["referrer-policy"] == "no-referrer"
    policy = response.headers["content-security-policy"]
    assert policy.startswith("default-src 'none'")
    assert "frame-ancestors 'none'" in policy
    assert "strict-transport-security" not in response.headers


@pytest.mark.parametrize("path", ["/docs", "/redoc", "/docs/oauth2-redirect"])
async def test_docs_pages_may_run_their_own_scripts_and_nothing_foreign(
    client: httpx.AsyncClient, path: str
) -> None:
    response = await client.get(path)

    assert response.status_code == 200
    policy = response.headers["content-security-policy"]
    assert "script-src 'self' 'unsafe-inline'" in policy
    assert "connect-src 'self'" in policy
    assert "http" not in policy  # no foreign origin is trusted
    assert NO_SNIFFING.items() <= response.headers.items()


async def test_hsts_is_sent_over_tls_only(app: Any) -> None:
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="https://test") as client:
        response = await client.get("/health/live")

    assert response.headers["strict-transport-security"] == "max-age=31536000; includeSubDomains"
