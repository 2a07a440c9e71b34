"""The request's database session, with the real lifespan: reads open no transaction."""

import asyncio
from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest
from fastapi import FastAPI
from sqlalchemy import event

from app.core.config.settings import Settings
from app.main import create_app
from tests.conftest import PASSWORD, bearer, cpf_from_seed


@pytest.fixture
async def statements(settings: Settings) -> AsyncIterator[tuple[httpx.AsyncClient, list[str]]]:
    """A client of the app with its real pool, and every statement its connections send."""
    app: FastAPI = create_app(settings)
    sent: list[str] = []

    def record(query: Any) -> None:
        sent.append(" ".join(query.query.split()).upper().rstrip(";"))

    async with app.router.lifespan_context(app):

        def log_queries(dbapi_connection: Any, *_: Any) -> None:
            dbapi_connection.driver_connection.add_query_logger(record)

        event.listen(app.state.engine.sync_engine, "checkout", log_queries)
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://test") as client:
            yield client, sent


async def test_a_read_sends_its_query_without_begin_or_rollback(
    statements: tuple[httpx.AsyncClient, list[str]],
) -> None:
    client, sent = statements

    response = await client.get("/api/v1/real-estates", params={"limit": 1})
    await asyncio.sleep(0)  # the driver reports statements on the next loop turn

    assert response.status_code == 200
    assert any(statement.startswith("SELECT") for statement in sent), sent
    assert not [s for s in sent if s.startswith(("BEGIN", "ROLLBACK", "COMMIT"))], sent


async def test_a_write_runs_in_one_transaction_that_commits(
    statements: tuple[httpx.AsyncClient, list[str]],
) -> None:
    client, sent = statements
    body = {"name": "Tx Check", "cpf": cpf_from_seed(703_614), "password": PASSWORD}

    response = await client.post("/api/v1/users", json=body)

    await asyncio.sleep(0)  # the driver reports statements on the next loop turn
    transaction = [s.split()[0] for s in sent if s.startswith(("BEGIN", "COMMIT", "ROLLBACK"))]
    assert response.status_code == 201, response.text
    assert transaction == ["BEGIN", "COMMIT"], sent
    # The app committed for real (no test transaction here): remove the account again.
    token = await client.post("/api/v1/sign-in", json={"cpf": body["cpf"], "password": PASSWORD})
    deleted = await client.delete("/api/v1/users/me", headers=bearer(token.json()["access_token"]))
    assert deleted.status_code == 204
