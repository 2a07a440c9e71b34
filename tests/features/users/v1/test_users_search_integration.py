"""The admins' search of users (GET /users?q=): a name prefix or one CPF."""

import httpx
import pytest

from app.features.shared.cpf import Cpf
from app.features.users.model import User
from app.features.users.search import UserSearch
from tests.conftest import MakeUser, assert_problem

USERS = "/api/v1/users"


def _formatted(cpf: str) -> str:
    return f"{cpf[:3]}.{cpf[3:6]}.{cpf[6:9]}-{cpf[9:]}"


async def _names(client: httpx.AsyncClient, headers: dict[str, str], q: str) -> list[str]:
    response = await client.get(USERS, headers=headers, params={"q": q})
    assert response.status_code == 200, response.text
    return [user["name"] for user in response.json()["items"]]


@pytest.fixture
async def people(make_user: MakeUser) -> dict[str, User]:
    """Users whose names share beginnings, and one with LIKE's wildcards in it."""
    return {
        name: await make_user(name=name)
        for name in ("Ana Souza", "Anabela Reis", "Mariana Ana", "Joana_50% Lima")
    }


@pytest.mark.parametrize(
    ("q", "expected"),
    [
        ("ana", ["Ana Souza", "Anabela Reis"]),
        ("ANA S", ["Ana Souza"]),
        ("  ana   souza ", ["Ana Souza"]),
        ("joana_", ["Joana_50% Lima"]),
        ("j%", []),
        ("_oana", []),
        ("Zé", []),
    ],
)
async def test_q_without_digits_is_a_case_insensitive_name_prefix_taken_literally(
    client: httpx.AsyncClient,
    as_admin: dict[str, str],
    people: dict[str, User],
    q: str,
    expected: list[str],
) -> None:
    assert await _names(client, as_admin, q) == expected


@pytest.mark.parametrize("spelling", ["digits", "formatted", "spaced"])
async def test_q_with_digits_finds_the_one_user_with_that_cpf(
    client: httpx.AsyncClient, as_admin: dict[str, str], people: dict[str, User], spelling: str
) -> None:
    cpf = people["Mariana Ana"].cpf
    q = {"digits": cpf, "formatted": _formatted(cpf), "spaced": f" {cpf[:3]} {cpf[3:]} "}

    assert await _names(client, as_admin, q[spelling]) == ["Mariana Ana"]


async def test_q_with_an_invalid_cpf_is_a_validation_error(
    client: httpx.AsyncClient, as_admin: dict[str, str], people: dict[str, User]
) -> None:
    cpf = people["Ana Souza"].cpf
    wrong = cpf[:10] + str((int(cpf[10]) + 1) % 10)

    response = await client.get(USERS, headers=as_admin, params={"q": wrong})

    body = assert_problem(response, 422, "VALIDATION_ERROR", USERS)
    assert body["errors"][0]["loc"] == ["query", "q"]


async def test_q_pages_keep_to_the_search(
    client: httpx.AsyncClient, as_admin: dict[str, str], people: dict[str, User]
) -> None:
    first = await client.get(USERS, headers=as_admin, params={"q": "ana", "limit": 1})
    cursor = first.json()["next_cursor"]
    second = await client.get(
        USERS, headers=as_admin, params={"q": "ANA", "limit": 1, "cursor": cursor}
    )
    other = await client.get(USERS, headers=as_admin, params={"q": "jo", "cursor": cursor})

    names = [user["name"] for user in first.json()["items"] + second.json()["items"]]
    assert names == ["Ana Souza", "Anabela Reis"]
    assert second.json()["next_cursor"] is None
    assert_problem(other, 422, "INVALID_CURSOR", USERS)


async def test_q_is_for_admins(client: httpx.AsyncClient, as_collector: dict[str, str]) -> None:
    response = await client.get(USERS, headers=as_collector, params={"q": "ana"})

    assert_problem(response, 403, "FORBIDDEN", USERS)


def test_a_search_reads_digits_as_a_cpf_and_anything_else_as_a_name() -> None:
    assert UserSearch.parse("529.982.247-25") == UserSearch(cpf=Cpf("52998224725"))
    assert UserSearch.parse(" Ana  Souza ") == UserSearch(name_prefix="Ana Souza")
    with pytest.raises(ValueError, match="valid CPF"):
        UserSearch.parse("Ana 1")
