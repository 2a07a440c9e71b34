"""HTTP behaviour of the public listing search: filters, sorts and keyset cursors."""

import base64
import json
import string
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from uuid import UUID

import httpx
import pytest

from tests.conftest import MakeToken, MakeUser, assert_problem, bearer
from tests.features.real_estates.v1.conftest import BASE, MINE, act, create_listing

Listing = dict[str, Any]
Params = dict[str, str | int]

PLACES = [
    ("São Paulo", "SP", "Bela Vista", "01310-100"),
    ("São Paulo", "SP", "Pinheiros", "05422-000"),
    ("Rio de Janeiro", "RJ", "Copacabana", "22070-011"),
    ("Belo Horizonte", "MG", "Savassi", "30140-071"),
]
KINDS = ["apartment", "house", "land", "commercial", "rural"]
CATALOGUE_SIZE = 20


def catalogue_entry(number: int) -> dict[str, Any]:
    """The body of the catalogue's listing `number`: prices and areas repeat on purpose."""
    city, state, neighborhood, postal_code = PLACES[number % 4]
    feature = "varanda" if number % 3 == 0 else "quintal"
    return {
        "title": f"Imóvel com {feature} número {number}",
        "description": "Bem localizado, documentação em dia.",
        "kind": KINDS[number % 5],
        "purpose": "rent" if number % 3 == 1 else "sale",
        "price_cents": 50_000_000 + 10_000_000 * (number % 6),
        "area_m2": 40 + 15 * (number % 7),
        "bedrooms": number % 5,
        "address": {
            "street": "Rua Principal",
            "number": str(number),
            "neighborhood": neighborhood,
            "city": city,
            "state": state,
            "postal_code": postal_code,
        },
    }


@dataclass(frozen=True)
class Catalogue:
    """What the search may show (published, as published) and what it must not (ids)."""

    published: list[Listing]
    hidden: list[str]


@pytest.fixture
async def catalogue(
    client: httpx.AsyncClient, make_user: MakeUser, sign_in: MakeToken
) -> Catalogue:
    """Twenty listings of two owners published through the API, plus a draft and an archived one.

    The unpublished two use the default body, which matches most filters, so a leak would show.
    """
    tokens = [await sign_in(await make_user()) for _ in range(2)]
    published = []
    for number in range(CATALOGUE_SIZE):
        entry = catalogue_entry(number)
        listing = await create_listing(client, tokens[number % 2], "publish", **entry)
        del listing["photos"]  # a search shows the cover's thumbnail only
        del listing["favorite_count"]  # shown in a listing's own document, to its managers
        published.append(listing)
    draft = await create_listing(client, tokens[0])
    archived = await create_listing(client, tokens[1], "publish", "archive")
    return Catalogue(published=published, hidden=[draft["id"], archived["id"]])


SORT_KEYS: dict[str, tuple[Callable[[Listing], Any], bool]] = {
    "-published_at": (lambda item: datetime.fromisoformat(item["published_at"]), True),
    "price": (lambda item: item["price_cents"], False),
    "-price": (lambda item: item["price_cents"], True),
    "area": (lambda item: item["area_m2"], False),
    "-area": (lambda item: item["area_m2"], True),
}


def in_order(listings: list[Listing], sort: str = "-published_at") -> list[Listing]:
    """`listings` as the search must order them: by the sort key, ties by id, same direction."""
    key, descending = SORT_KEYS[sort]
    return sorted(listings, key=lambda item: (key(item), UUID(item["id"])), reverse=descending)


async def walk(client: httpx.AsyncClient, params: Params, *, limit: int = 3) -> list[Listing]:
    """Every item of a search, following `next_cursor` page by page."""
    items: list[Listing] = []
    query: Params = {**params, "limit": limit}
    for _ in range(CATALOGUE_SIZE + 2):
        response = await client.get(BASE, params=query)
        assert response.status_code == 200, response.text
        page = response.json()
        assert set(page) == {"items", "next_cursor"}
        assert len(page["items"]) <= limit
        items.extend(page["items"])
        if page["next_cursor"] is None:
            return items
        assert len(page["items"]) == limit
        query["cursor"] = page["next_cursor"]
    raise AssertionError("the search never reached its last page")


def city_is(city: str) -> Callable[[Listing], bool]:
    """Whether a listing is in `city`."""
    return lambda item: bool(item["address"]["city"] == city)


FILTERS: list[tuple[Params, Callable[[Listing], bool]]] = [
    ({"q": "sao paulo"}, city_is("São Paulo")),
    ({"q": "SÃO PAULO"}, city_is("São Paulo")),
    ({"q": "varandas"}, lambda item: "varanda" in item["title"]),
    ({"q": "copacabana"}, lambda item: item["address"]["neighborhood"] == "Copacabana"),
    ({"city": "SAO PAULO"}, city_is("São Paulo")),
    ({"city": "rio de janeiro"}, city_is("Rio de Janeiro")),
    ({"state": "MG"}, lambda item: item["address"]["state"] == "MG"),
    ({"neighborhood": "PINHEIROS"}, lambda item: item["address"]["neighborhood"] == "Pinheiros"),
    ({"kind": "house"}, lambda item: item["kind"] == "house"),
    ({"purpose": "rent"}, lambda item: item["purpose"] == "rent"),
    ({"min_price": 80_000_000}, lambda item: item["price_cents"] >= 80_000_000),
    ({"max_price": 60_000_000}, lambda item: item["price_cents"] <= 60_000_000),
    (
        {"min_price": 60_000_000, "max_price": 70_000_000},
        lambda item: 60_000_000 <= item["price_cents"] <= 70_000_000,
    ),
    ({"min_bedrooms": 3}, lambda item: item["bedrooms"] >= 3),
    ({"min_area": "70"}, lambda item: item["area_m2"] >= 70),
    ({"max_area": "55"}, lambda item: item["area_m2"] <= 55),
    (
        {"city": "São Paulo", "purpose": "sale", "min_bedrooms": 1},
        lambda item: (
            item["address"]["city"] == "São Paulo"
            and item["purpose"] == "sale"
            and item["bedrooms"] >= 1
        ),
    ),
]


@pytest.mark.parametrize(
    ("params", "matches"),
    FILTERS,
    ids=["&".join(map(str, params.items())) for params, _ in FILTERS],
)
async def test_search_filters_published_listings_newest_first(
    client: httpx.AsyncClient,
    catalogue: Catalogue,
    params: Params,
    matches: Callable[[Listing], bool],
) -> None:
    expected = in_order([item for item in catalogue.published if matches(item)])
    assert 0 < len(expected) < CATALOGUE_SIZE

    found = await walk(client, params)

    assert found == expected


async def test_search_shows_only_published_listings_by_default_newest_first(
    client: httpx.AsyncClient, catalogue: Catalogue
) -> None:
    found = await walk(client, {})

    assert found == in_order(catalogue.published)
    assert not {item["id"] for item in found} & set(catalogue.hidden)
    assert {item["status"] for item in found} == {"published"}


WALKS: list[tuple[Params, Callable[[Listing], bool]]] = [
    ({}, lambda item: True),
    (
        {"purpose": "sale", "max_price": 90_000_000},
        lambda item: item["purpose"] == "sale" and item["price_cents"] <= 90_000_000,
    ),
]


@pytest.mark.parametrize(("params", "matches"), WALKS, ids=["every-listing", "filtered"])
@pytest.mark.parametrize("sort", list(SORT_KEYS))
async def test_each_sort_walks_every_match_exactly_once_in_order(
    client: httpx.AsyncClient,
    catalogue: Catalogue,
    sort: str,
    params: Params,
    matches: Callable[[Listing], bool],
) -> None:
    expected = [item for item in catalogue.published if matches(item)]

    found = await walk(client, {**params, "sort": sort})

    assert [item["id"] for item in found] == [item["id"] for item in in_order(expected, sort)]
    assert len({item["id"] for item in found}) == len(expected)


async def test_search_without_matches_answers_an_empty_last_page(
    client: httpx.AsyncClient, catalogue: Catalogue
) -> None:
    response = await client.get(BASE, params={"q": "castelo medieval"})

    assert response.status_code == 200
    assert response.json() == {"items": [], "next_cursor": None}


@pytest.fixture
async def few(client: httpx.AsyncClient, re_owner_token: str) -> list[Listing]:
    """Three published listings of `re_owner` in São Paulo with distinct prices, newest last."""
    return [
        await create_listing(client, re_owner_token, "publish", price_cents=price)
        for price in (30_000_000, 10_000_000, 20_000_000)
    ]


async def test_search_answers_items_and_a_null_next_cursor_on_the_last_page(
    client: httpx.AsyncClient, few: list[Listing]
) -> None:
    first = await client.get(BASE, params={"limit": 2})
    last = await client.get(BASE, params={"limit": 2, "cursor": first.json()["next_cursor"]})

    assert (first.status_code, last.status_code) == (200, 200)
    assert set(first.json()) == set(last.json()) == {"items", "next_cursor"}
    assert [item["id"] for item in first.json()["items"]] == [few[2]["id"], few[1]["id"]]
    assert isinstance(first.json()["next_cursor"], str)
    hidden = ("photos", "favorite_count")
    summary = {name: value for name, value in few[0].items() if name not in hidden}
    assert last.json() == {"items": [summary], "next_cursor": None}


async def test_archiving_takes_a_listing_out_of_the_search(
    client: httpx.AsyncClient, re_owner_token: str, few: list[Listing]
) -> None:
    await act(client, re_owner_token, few[1]["id"], "archive")

    found = await walk(client, {})

    assert [item["id"] for item in found] == [few[2]["id"], few[0]["id"]]


@pytest.mark.parametrize(
    ("params", "loc"),
    [
        ({"limit": 0}, ["query", "limit"]),
        ({"limit": 101}, ["query", "limit"]),
        ({"sort": "newest"}, ["query", "sort"]),
        ({"sort": "published_at"}, ["query", "sort"]),
        ({"state": "XX"}, ["query", "state"]),
        ({"kind": "castle"}, ["query", "kind"]),
        ({"min_price": -1}, ["query", "min_price"]),
        ({"min_price": 2, "max_price": 1}, ["query"]),
        ({"min_area": "80", "max_area": "79.99"}, ["query"]),
    ],
    ids=[
        "limit-0",
        "limit-101",
        "unknown-sort",
        "ascending-published-at",
        "unknown-state",
        "unknown-kind",
        "negative-price",
        "price-range-reversed",
        "area-range-reversed",
    ],
)
async def test_search_refuses_invalid_parameters(
    client: httpx.AsyncClient, params: Params, loc: list[str]
) -> None:
    response = await client.get(BASE, params=params)

    problem = assert_problem(response, 422, "VALIDATION_ERROR", BASE)
    assert [error["loc"] for error in problem["errors"]] == [loc]


def _b64(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()


BASE64URL = string.ascii_uppercase + string.ascii_lowercase + string.digits + "-_"


def flip(text: str, index: int) -> str:
    """`text` with the base64url character at `index` swapped for its neighbour (lowest bit)."""
    replacement = BASE64URL[BASE64URL.index(text[index]) ^ 1]
    return text[:index] + replacement + text[index + 1 :]


async def first_cursor(client: httpx.AsyncClient, params: Params) -> str:
    """The `next_cursor` of the first one-item page of a search."""
    response = await client.get(BASE, params={**params, "limit": 1})
    assert response.status_code == 200, response.text
    cursor: str = response.json()["next_cursor"]
    assert cursor is not None
    return cursor


@pytest.mark.parametrize(
    "where", ["payload-start", "payload-middle", "signature-start", "signature-end"]
)
async def test_search_refuses_a_tampered_cursor(
    client: httpx.AsyncClient, few: list[Listing], where: str
) -> None:
    cursor = await first_cursor(client, {"sort": "price"})
    payload, _signature = cursor.split(".")
    index = {
        "payload-start": 0,
        "payload-middle": len(payload) // 2,
        "signature-start": len(payload) + 1,
        "signature-end": len(cursor) - 1,
    }[where]
    tampered = flip(cursor, index)
    assert tampered != cursor

    response = await client.get(BASE, params={"sort": "price", "cursor": tampered})

    assert_problem(response, 422, "INVALID_CURSOR", BASE)


FORGED = ".".join(
    [
        _b64(
            json.dumps({"s": "0" * 16, "p": ["0", "00000000-0000-0000-0000-000000000000"]}).encode()
        ),
        _b64(b"\x00" * 16),
    ]
)


@pytest.mark.parametrize(
    "cursor",
    ["garbage", "", "a.b.c", "....", "!!!!.????", "é.à", "eyJ9.AAAA", FORGED],
    ids=["word", "empty", "three-parts", "dots", "symbols", "non-ascii", "short", "forged"],
)
async def test_search_refuses_a_malformed_or_forged_cursor(
    client: httpx.AsyncClient, few: list[Listing], cursor: str
) -> None:
    response = await client.get(BASE, params={"cursor": cursor})

    assert_problem(response, 422, "INVALID_CURSOR", BASE)


@pytest.mark.parametrize(
    ("made_for", "used_with"),
    [
        ({"sort": "price"}, {"sort": "-price"}),
        ({"sort": "price"}, {}),
        ({}, {"sort": "area"}),
        ({"city": "São Paulo"}, {"city": "Rio de Janeiro"}),
        ({"city": "São Paulo"}, {}),
        ({}, {"city": "São Paulo"}),
        ({"min_price": 1}, {"min_price": 2}),
        ({"q": "varanda"}, {"q": "metro"}),
    ],
    ids=[
        "other-direction",
        "sort-dropped",
        "sort-added",
        "other-city",
        "filter-dropped",
        "filter-added",
        "other-min-price",
        "other-text",
    ],
)
async def test_search_refuses_a_cursor_made_for_another_sort_or_filter(
    client: httpx.AsyncClient, few: list[Listing], made_for: Params, used_with: Params
) -> None:
    cursor = await first_cursor(client, made_for)

    response = await client.get(BASE, params={**used_with, "cursor": cursor})

    assert_problem(response, 422, "INVALID_CURSOR", BASE)


async def test_search_refuses_a_cursor_of_another_list(
    client: httpx.AsyncClient, re_owner_token: str, few: list[Listing]
) -> None:
    mine = await client.get(MINE, headers=bearer(re_owner_token), params={"limit": 1})
    cursor = mine.json()["next_cursor"]
    assert cursor is not None

    response = await client.get(BASE, params={"cursor": cursor})

    assert_problem(response, 422, "INVALID_CURSOR", BASE)
