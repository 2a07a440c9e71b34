"""Rate limits of sign-in, token, refresh and sign-up, end to end (in-process counters)."""

import itertools
from typing import Any

import httpx
import pytest

from app.core.config.settings import Settings
from app.features.users.model import User
from app.wiring import Components
from tests.conftest import PASSWORD, MakeUser, assert_problem

SIGN_IN = "/api/v1/sign-in"
_addresses = (f"198.51.100.{n}" for n in itertools.count(1))


@pytest.fixture
def limited(app: Any, settings: Settings) -> Settings:
    """Turn the app's limits on, small, behind a trusted proxy (so tests pick addresses)."""
    limits = settings.model_copy(
        update={
            "rate_limit_enabled": True,
            "sign_in_limit_per_address": "4/minute",
            "sign_in_failure_limit_per_cpf": "2/minute",
            "refresh_limit_per_address": "2/minute",
            "sign_up_limit_per_address": "1/hour",
            "trusted_proxies": Settings(
                _env_file=None, trusted_proxies="127.0.0.0/8"
            ).trusted_proxies,
        }
    )
    app.state.components = Components.from_settings(limits)
    return limits


def _from(address: str) -> dict[str, str]:
    return {"X-Forwarded-For": address}


async def _sign_in(
    client: httpx.AsyncClient, user: User, address: str, password: str = PASSWORD
) -> httpx.Response:
    credentials = {"cpf": user.cpf, "password": password}
    return await client.post(SIGN_IN, json=credentials, headers=_from(address))


@pytest.mark.usefixtures("limited")
async def test_sign_ins_past_the_address_limit_get_a_429_with_retry_after(
    client: httpx.AsyncClient, make_user: MakeUser
) -> None:
    user, address = await make_user(), next(_addresses)

    answers = [await _sign_in(client, user, address) for _ in range(5)]
    elsewhere = await _sign_in(client, user, next(_addresses))

    assert [answer.status_code for answer in answers] == [200, 200, 200, 200, 429]
    assert answers[0].headers["ratelimit-policy"] == '"sign-in";q=4;w=60'
    assert answers[0].headers["ratelimit"].startswith('"sign-in";r=3;t=')
    refused = assert_problem(answers[4], 429, "TOO_MANY_REQUESTS", SIGN_IN)
    assert "address" in refused["detail"]
    assert 1 <= int(answers[4].headers["retry-after"]) <= 60
    assert elsewhere.status_code == 200


@pytest.mark.usefixtures("limited")
async def test_the_json_and_form_sign_ins_share_the_address_limit(
    client: httpx.AsyncClient, make_user: MakeUser
) -> None:
    user, address = await make_user(), next(_addresses)
    form = {"username": user.cpf, "password": PASSWORD}

    json_answers = [await _sign_in(client, user, address) for _ in range(2)]
    form_answers = [
        await client.post("/api/v1/auth/token", data=form, headers=_from(address)) for _ in range(3)
    ]

    codes = [answer.status_code for answer in json_answers + form_answers]
    assert codes == [200, 200, 200, 200, 429]


@pytest.mark.usefixtures("limited")
async def test_failures_lock_that_cpf_from_that_address_only(
    client: httpx.AsyncClient, make_user: MakeUser
) -> None:
    owner, attacker, other = await make_user(), next(_addresses), next(_addresses)
    victim_guesses = [await _sign_in(client, owner, attacker, "wrong guess!") for _ in range(3)]

    right_password_from_attacker = await _sign_in(client, owner, attacker)
    owner_from_home = await _sign_in(client, owner, other)

    assert [guess.status_code for guess in victim_guesses] == [401, 401, 429]
    body = assert_problem(right_password_from_attacker, 429, "TOO_MANY_REQUESTS", SIGN_IN)
    assert "CPF" in body["detail"]
    assert int(right_password_from_attacker.headers["retry-after"]) >= 1
    assert owner_from_home.status_code == 200


@pytest.mark.usefixtures("limited")
async def test_unknown_cpfs_are_limited_like_known_ones(
    client: httpx.AsyncClient,
) -> None:
    address = next(_addresses)
    body = {"cpf": "529.982.247-25", "password": "a guess at it"}

    answers = [await client.post(SIGN_IN, json=body, headers=_from(address)) for _ in range(3)]

    assert [answer.status_code for answer in answers] == [401, 401, 429]


@pytest.mark.usefixtures("limited")
async def test_refreshes_and_sign_ups_have_their_own_address_limits(
    client: httpx.AsyncClient,
) -> None:
    address = next(_addresses)
    refreshes = [
        await client.post(
            "/api/v1/auth/refresh", json={"refresh_token": "unknown"}, headers=_from(address)
        )
        for _ in range(3)
    ]
    sign_up = {"name": "Ana Lima", "cpf": "52998224725", "password": "a long odd phrase"}
    sign_ups = [
        await client.post("/api/v1/users", json=sign_up, headers=_from(address)) for _ in range(2)
    ]

    assert [answer.status_code for answer in refreshes] == [401, 401, 429]
    assert [answer.status_code for answer in sign_ups] == [201, 429]
    assert sign_ups[0].headers["ratelimit-policy"] == '"sign-up";q=1;w=3600'


async def test_with_limits_off_nothing_is_counted_or_announced(
    client: httpx.AsyncClient, make_user: MakeUser
) -> None:
    user = await make_user()

    answers = [await _sign_in(client, user, "203.0.113.1", "wrong guess!") for _ in range(30)]

    assert {answer.status_code for answer in answers} == {401}
    assert "ratelimit" not in answers[0].headers


async def test_an_untrusted_forwarded_for_does_not_escape_the_address_limit(
    app: Any, client: httpx.AsyncClient, settings: Settings, make_user: MakeUser
) -> None:
    limits = settings.model_copy(
        update={"rate_limit_enabled": True, "sign_in_limit_per_address": "2/minute"}
    )
    app.state.components = Components.from_settings(limits)
    user = await make_user()

    answers = [await _sign_in(client, user, next(_addresses)) for _ in range(3)]

    assert [answer.status_code for answer in answers] == [200, 200, 429]
