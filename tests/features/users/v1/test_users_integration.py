"""HTTP behaviour of the user routes, end to end over a real PostgreSQL."""

import httpx
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from app.features.users.model import User

SIGN_UP = {"name": "Ana Lima", "cpf": "529.982.247-25", "password": "a long odd phrase"}


async def test_sign_up_creates_a_collector_and_stores_the_cpf_as_digits(
    client: httpx.AsyncClient, session: AsyncSession
) -> None:
    response = await client.post("/api/v1/users", json=SIGN_UP)

    assert response.status_code == 201
    body = response.json()
    assert body["role"] == "collector"
    assert body["cpf"] == "52998224725"
    assert "password" not in body and "password_hash" not in body
    stored = await session.scalar(select(User).where(User.cpf == "52998224725"))
    assert stored is not None and stored.password_hash.startswith("$argon2id$")


async def test_sign_up_refuses_a_second_account_for_the_same_cpf(
    client: httpx.AsyncClient,
) -> None:
    created = await client.post("/api/v1/users", json=SIGN_UP)

    again = await client.post("/api/v1/users", json={**SIGN_UP, "cpf": "52998224725"})

    assert created.status_code == 201
    assert again.status_code == 409
    assert again.headers["content-type"] == "application/problem+json"
    assert again.json()["code"] == "USER_ALREADY_EXISTS"
