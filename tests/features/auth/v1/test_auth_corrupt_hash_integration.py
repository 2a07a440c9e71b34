"""A stored password hash that cannot be read is an operator's problem, said as such."""

import logging

import httpx
import pytest
from fastapi import FastAPI
from sqlalchemy.ext.asyncio import AsyncSession

from tests.conftest import PASSWORD, MakeUser


async def test_sign_in_over_a_corrupt_hash_is_a_logged_500_with_the_request_id(
    app: FastAPI, session: AsyncSession, make_user: MakeUser, caplog: pytest.LogCaptureFixture
) -> None:
    user = await make_user()
    user.password_hash = "not an argon2 hash"
    await session.flush()
    transport = httpx.ASGITransport(app=app, raise_app_exceptions=False)

    with caplog.at_level(logging.ERROR, logger="app.errors"):
        async with httpx.AsyncClient(transport=transport, base_url="http://test") as client:
            response = await client.post(
                "/api/v1/sign-in",
                json={"cpf": user.cpf, "password": PASSWORD},
                headers={"X-Request-ID": "corrupt-hash-1"},
            )

    assert response.status_code == 500
    assert response.headers["content-type"] == "application/problem+json"
    body = response.json()
    assert (body["code"], body["request_id"]) == ("INTERNAL_ERROR", "corrupt-hash-1")
    assert "argon2" not in response.text
    logged = [record for record in caplog.records if record.exc_info]
    assert len(logged) == 1
    assert "CorruptPasswordHash" in caplog.text
