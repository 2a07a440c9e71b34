"""Large JSON answers are gzipped for clients that accept it; small ones and others are not."""

import json

import httpx

from tests.conftest import MakeToken, MakeUser, bearer
from tests.features.real_estates.v1.conftest import LISTING


async def test_a_large_answer_is_gzipped_only_for_clients_that_accept_it(
    client: httpx.AsyncClient, make_user: MakeUser, sign_in: MakeToken
) -> None:
    owner = bearer(await sign_in(await make_user()))
    for _ in range(3):
        created = await client.post("/api/v1/real-estates", json=LISTING, headers=owner)
        await client.post(f"{created.headers['location']}/publish", headers=owner)

    zipped = await client.get("/api/v1/real-estates", headers={"Accept-Encoding": "gzip"})
    plain = await client.get("/api/v1/real-estates", headers={"Accept-Encoding": "identity"})

    assert zipped.headers["content-encoding"] == "gzip"
    assert "accept-encoding" in zipped.headers["vary"].lower()
    assert zipped.json() == plain.json()  # httpx decodes it
    assert int(zipped.headers["content-length"]) < len(plain.content)
    assert "content-encoding" not in plain.headers
    assert len(json.loads(plain.content)["items"]) >= 3


async def test_a_small_answer_is_sent_as_is(client: httpx.AsyncClient) -> None:
    response = await client.get("/health/live", headers={"Accept-Encoding": "gzip"})

    assert "content-encoding" not in response.headers
    assert response.json() == {"status": "ok"}
