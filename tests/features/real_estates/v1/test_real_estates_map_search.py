"""The map search through the API: boxes, circles, nearest first, and the newer filters.

Expected results are computed here by brute force over the listings the test made,
with the same spherical earth as PostgreSQL's earthdistance.
"""

import math
from typing import Any

import httpx
import pytest

from tests.conftest import assert_problem
from tests.features.real_estates.v1.conftest import BASE, create_listing

EARTH_RADIUS_KM = 6378.168
SE = (-23.5505, -46.6333)  # São Paulo, Praça da Sé
# Offsets in degrees from the Sé: some within a few km, some across the city, one in Rio.
PLACES = [
    (0.0, 0.0),
    (0.01, 0.012),
    (-0.02, 0.015),
    (0.03, -0.04),
    (-0.05, -0.05),
    (0.09, 0.02),
    (-0.12, 0.1),
    (0.6, 3.45),  # Rio de Janeiro, about 360 km away
]


def great_circle_km(a: tuple[float, float], b: tuple[float, float]) -> float:
    lat1, lng1, lat2, lng2 = map(math.radians, (*a, *b))
    h = math.sin((lat2 - lat1) / 2) ** 2
    h += math.cos(lat1) * math.cos(lat2) * math.sin((lng2 - lng1) / 2) ** 2
    return 2 * EARTH_RADIUS_KM * math.asin(math.sqrt(h))


async def walk(client: httpx.AsyncClient, params: dict[str, Any]) -> list[dict[str, Any]]:
    items: list[dict[str, Any]] = []
    query = {**params, "limit": 2}
    for _ in range(20):
        response = await client.get(BASE, params=query)
        assert response.status_code == 200, response.text
        items.extend(response.json()["items"])
        if (cursor := response.json()["next_cursor"]) is None:
            return items
        query = {**query, "cursor": cursor}
    raise AssertionError("the pages never ended")


@pytest.fixture
async def mapped(client: httpx.AsyncClient, re_owner_token: str) -> list[dict[str, Any]]:
    """Published listings at PLACES, varied in bathrooms, parking and condo fee."""
    made = []
    for number, (dlat, dlng) in enumerate(PLACES):
        location = {"lat": round(SE[0] + dlat, 6), "lng": round(SE[1] + dlng, 6)}
        made.append(
            await create_listing(
                client,
                re_owner_token,
                "publish",
                location=location,
                bathrooms=number % 4,
                parking_spaces=number % 3,
                condo_fee_cents=None if number % 2 else 50_000 * number,
            )
        )
    await create_listing(client, re_owner_token, location={"lat": SE[0], "lng": SE[1]})  # draft
    return made


def position(listing: dict[str, Any]) -> tuple[float, float]:
    return listing["location"]["lat"], listing["location"]["lng"]


async def test_a_box_finds_exactly_the_listings_inside_it(
    client: httpx.AsyncClient, mapped: list[dict[str, Any]]
) -> None:
    west, south, east, north = -46.68, -23.58, -46.60, -23.52

    found = await walk(client, {"bbox": f"{west},{south},{east},{north}"})

    inside = {
        listing["id"]
        for listing in mapped
        if south <= position(listing)[0] <= north and west <= position(listing)[1] <= east
    }
    assert {item["id"] for item in found} == inside
    assert 0 < len(inside) < len(mapped)
    assert all(item["distance_km"] is None for item in found)


@pytest.mark.parametrize("radius_km", [2.0, 8.0, 20.0, 500.0])
async def test_a_circle_nearest_first_matches_the_great_circle_distances(
    client: httpx.AsyncClient, mapped: list[dict[str, Any]], radius_km: float
) -> None:
    params: dict[str, str | float] = {
        "near": f"{SE[0]},{SE[1]}",
        "radius_km": radius_km,
        "sort": "distance",
    }
    if radius_km > 100:
        response = await client.get(BASE, params=params)
        assert_problem(response, 422, "VALIDATION_ERROR", BASE)
        return

    found = await walk(client, params)

    expected = sorted(
        (great_circle_km(SE, position(listing)), listing["id"])
        for listing in mapped
        if great_circle_km(SE, position(listing)) <= radius_km
    )
    assert [item["id"] for item in found] == [listing_id for _, listing_id in expected]
    for item, (distance, _) in zip(found, expected, strict=True):
        assert item["distance_km"] == pytest.approx(distance, abs=0.002)


async def test_a_circle_combines_with_the_other_filters_and_sorts(
    client: httpx.AsyncClient, mapped: list[dict[str, Any]]
) -> None:
    params = {"near": f"{SE[0]},{SE[1]}", "radius_km": 20, "sort": "price", "min_bathrooms": 1}

    found = await walk(client, params)

    expected = [
        listing
        for listing in mapped
        if great_circle_km(SE, position(listing)) <= 20 and listing["bathrooms"] >= 1
    ]
    assert {item["id"] for item in found} == {listing["id"] for listing in expected}
    assert all(item["distance_km"] is not None for item in found)


@pytest.mark.parametrize(
    ("params", "keeps"),
    [
        ({"min_bathrooms": 2}, lambda item: item["bathrooms"] >= 2),
        ({"min_parking_spaces": 2}, lambda item: item["parking_spaces"] >= 2),
        ({"max_condo_fee": 100_000}, lambda item: (item["condo_fee_cents"] or 0) <= 100_000),
        ({"has_photos": "false"}, lambda item: item["cover_thumbnail_url"] is None),
        ({"has_photos": "true"}, lambda item: item["cover_thumbnail_url"] is not None),
    ],
    ids=["bathrooms", "parking", "condo-fee", "without-photos", "with-photos"],
)
async def test_the_newer_filters_keep_what_they_say(
    client: httpx.AsyncClient, mapped: list[dict[str, Any]], params: dict[str, Any], keeps: Any
) -> None:
    found = await walk(client, params)

    expected = {listing["id"] for listing in mapped if keeps(listing)}
    assert {item["id"] for item in found} == expected


@pytest.mark.parametrize(
    "params",
    [
        {"sort": "distance"},
        {"near": "-23.5,-46.6"},
        {"radius_km": 5},
        {"near": "-95,-46.6", "radius_km": 5},
        {"near": "somewhere", "radius_km": 5},
        {"bbox": "-46.6,-23.5,-46.7,-23.6"},
        {"bbox": "-46.7,-23.6,-46.6"},
        {"bbox": "-190,-23.6,-46.6,-23.5"},
        {"near": "-23.5,-46.6", "radius_km": 0},
    ],
    ids=[
        "distance-without-near",
        "near-without-radius",
        "radius-without-near",
        "latitude-out-of-range",
        "not-a-point",
        "box-inside-out",
        "box-of-three",
        "longitude-out-of-range",
        "zero-radius",
    ],
)
async def test_malformed_map_filters_are_refused(
    client: httpx.AsyncClient, params: dict[str, Any]
) -> None:
    response = await client.get(BASE, params=params)

    assert_problem(response, 422, "VALIDATION_ERROR", BASE)


async def test_listings_at_the_same_distance_are_paged_once_each_by_id(
    client: httpx.AsyncClient, re_owner_token: str
) -> None:
    building = {"lat": -23.56, "lng": -46.65}  # five listings in one building
    made = [
        await create_listing(client, re_owner_token, "publish", location=building) for _ in range(5)
    ]
    nearer = await create_listing(
        client, re_owner_token, "publish", location={"lat": -23.5506, "lng": -46.6334}
    )

    found = await walk(client, {"near": f"{SE[0]},{SE[1]}", "radius_km": 5, "sort": "distance"})

    tied = sorted(listing["id"] for listing in made)
    assert [item["id"] for item in found] == [nearer["id"], *tied]
    assert len({item["distance_km"] for item in found[1:]}) == 1
