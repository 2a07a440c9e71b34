"""Index evidence: every documented search shape reads real_estates through its index.

Each test captures the exact SQL (and parameters) the repository sends for a first and a
next page, then asks PostgreSQL to EXPLAIN it with sequential scans discouraged: a shape no
index can serve would still show a Seq Scan, and the index it does use must be one meant
for that shape.
"""

import asyncio
import json
from collections.abc import Iterator
from datetime import timedelta
from decimal import Decimal
from typing import Any

import pytest
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession

from app.features.real_estates.model import ListingStatus, PropertyKind, Purpose, State
from app.features.real_estates.repository import RealEstateRepository
from app.features.real_estates.search import BoundingBox, Circle, ListingFilters, ListingSort
from app.features.users.model import User
from tests.conftest import MakeUser
from tests.features.real_estates.v1.conftest import START, new_listing

CITIES = [
    ("São Paulo", State.SP),
    ("Campinas", State.SP),
    ("Rio de Janeiro", State.RJ),
    ("Niterói", State.RJ),
    ("Belo Horizonte", State.MG),
    ("Curitiba", State.PR),
    ("Porto Alegre", State.RS),
    ("Recife", State.PE),
    ("Salvador", State.BA),
    ("Fortaleza", State.CE),
]
NEIGHBORHOODS = ["Centro", "Moema", "Jardins", "Boa Vista", "Vila Nova", "Bela Vista", "Pinheiros"]
TITLES = ["Casa com quintal", "Apartamento reformado", "Terreno plano", "Sala comercial"]

CITY_INDEXES = {"ix_real_estates_pub_city", "ix_real_estates_pub_city_price"}

# Shape -> (filters, sort, the indexes allowed to serve it).
SHAPES: dict[str, tuple[ListingFilters, ListingSort, set[str]]] = {
    "newest": (ListingFilters(), ListingSort.NEWEST, {"ix_real_estates_pub_published_at"}),
    "price": (ListingFilters(), ListingSort.PRICE_ASC, {"ix_real_estates_pub_price"}),
    "-price": (ListingFilters(), ListingSort.PRICE_DESC, {"ix_real_estates_pub_price"}),
    "area": (ListingFilters(), ListingSort.AREA_ASC, {"ix_real_estates_pub_area"}),
    "-area": (ListingFilters(), ListingSort.AREA_DESC, {"ix_real_estates_pub_area"}),
    "city": (ListingFilters(city="Campinas"), ListingSort.NEWEST, CITY_INDEXES),
    "state": (ListingFilters(state=State.RJ), ListingSort.NEWEST, {"ix_real_estates_pub_state"}),
    "neighborhood-city": (
        ListingFilters(city="São Paulo", neighborhood="Moema"),
        ListingSort.NEWEST,
        CITY_INDEXES,
    ),
    "kind-purpose-price-range": (
        ListingFilters(
            kind=PropertyKind.HOUSE,
            purpose=Purpose.SALE,
            min_price=10_000_000,
            max_price=90_000_000,
        ),
        ListingSort.PRICE_ASC,
        {"ix_real_estates_pub_purpose_kind_price"},
    ),
    "min-bedrooms": (
        ListingFilters(min_bedrooms=3),
        ListingSort.NEWEST,
        {"ix_real_estates_pub_published_at"},
    ),
    "area-range": (
        ListingFilters(min_area=Decimal("60"), max_area=Decimal("120")),
        ListingSort.AREA_ASC,
        {"ix_real_estates_pub_area"},
    ),
    "q": (ListingFilters(q="piscinas"), ListingSort.NEWEST, {"ix_real_estates_pub_search"}),
    "bbox": (
        ListingFilters(bbox=BoundingBox(west=-46.62, south=-23.52, east=-46.58, north=-23.48)),
        ListingSort.NEWEST,
        {"ix_real_estates_pub_point"},
    ),
    "near-by-distance": (
        ListingFilters(near=Circle(lat=-23.5, lng=-46.6, radius_km=3)),
        ListingSort.DISTANCE,
        {"ix_real_estates_pub_earth"},
    ),
}


async def populate(session: AsyncSession, owner: User) -> None:
    """A few hundred published listings spread over cities, kinds and prices, some drafts."""
    listings = []
    for i in range(330):
        city, state = CITIES[i % len(CITIES)]
        listings.append(
            new_listing(
                owner.id,
                status=ListingStatus.DRAFT if i % 11 == 0 else ListingStatus.PUBLISHED,
                title=TITLES[i % len(TITLES)],
                kind=list(PropertyKind)[i % len(PropertyKind)],
                purpose=list(Purpose)[i % len(Purpose)],
                price_cents=(i * 7_919 % 1_000) * 100_000,
                area_m2=Decimal(30 + i * 37 % 400),
                bedrooms=i % 6,
                city=city,
                state=state,
                neighborhood=NEIGHBORHOODS[i % len(NEIGHBORHOODS)],
                description="Piscina aquecida." if i % 40 == 1 else "Bem localizado.",
                # A grid over São Paulo: rows 0.012° (1.3 km) apart, columns 0.04°.
                lat=-23.7 + (i % 33) * 0.012,
                lng=-46.8 + (i // 33) * 0.04,
                **({} if i % 11 == 0 else {"published_at": START + timedelta(minutes=i)}),
            )
        )
    session.add_all(listings)
    await session.flush()
    # A live GIN index has its pending list merged by autovacuum; a manual ANALYZE does not do
    # it, and a long pending list makes the planner shun the index, so merge it here.
    await session.execute(text("SELECT gin_clean_pending_list('ix_real_estates_pub_search')"))
    await session.execute(text("ANALYZE real_estates"))


def plan_nodes(plan: dict[str, Any]) -> Iterator[dict[str, Any]]:
    """Every node of a JSON plan, depth first."""
    yield plan
    for child in plan.get("Plans", []):
        yield from plan_nodes(child)


async def explain(session: AsyncSession, statement: str, parameters: Any) -> list[dict[str, Any]]:
    """The nodes of the plan PostgreSQL picks for `statement` when seq scans are discouraged."""
    await session.execute(text("SET LOCAL enable_seqscan = off"))
    connection = await session.connection()
    result = await connection.exec_driver_sql(f"EXPLAIN (FORMAT JSON) {statement}", parameters)
    document = result.scalar_one()
    [root] = json.loads(document) if isinstance(document, str) else document
    return list(plan_nodes(root["Plan"]))


@pytest.mark.parametrize("page", ["first", "next"])
@pytest.mark.parametrize("shape", list(SHAPES))
async def test_each_search_shape_reads_listings_through_an_index(
    session: AsyncSession,
    re_repository: RealEstateRepository,
    re_owner: User,
    re_statements: list[tuple[str, Any]],
    shape: str,
    page: str,
) -> None:
    await populate(session, re_owner)
    filters, sort, allowed = SHAPES[shape]
    [anchor] = await re_repository.search(filters, sort=sort, after=None, limit=1)
    after = (getattr(anchor, sort.column), anchor.id) if page == "next" else None
    await asyncio.sleep(0)  # let the driver report what came before
    re_statements.clear()
    await re_repository.search(filters, sort=sort, after=after, limit=20)
    await asyncio.sleep(0)  # the driver reports statements on the next loop turn
    [(statement, parameters)] = re_statements

    nodes = await explain(session, statement, parameters)

    scans = [node for node in nodes if node.get("Relation Name") == "real_estates"]
    assert scans
    assert all(node["Node Type"] != "Seq Scan" for node in scans)
    indexes = {node["Index Name"] for node in nodes if "Index Name" in node}
    assert indexes
    assert indexes <= allowed


async def test_list_by_owner_reads_listings_through_the_owner_index(
    session: AsyncSession,
    re_repository: RealEstateRepository,
    re_owner: User,
    make_user: MakeUser,
    re_statements: list[tuple[str, Any]],
) -> None:
    # Several owners, as in life: with one alone, any index on created_at serves as well.
    await populate(session, re_owner)
    for name in ("Second Owner", "Third Owner"):
        await populate(session, await make_user(name=name))
    await asyncio.sleep(0)  # let the driver report what came before
    re_statements.clear()
    await re_repository.list_by_owner(re_owner.id, after=None, limit=20)
    await asyncio.sleep(0)  # the driver reports statements on the next loop turn
    [(statement, parameters)] = re_statements

    nodes = await explain(session, statement, parameters)

    assert all(node["Node Type"] != "Seq Scan" for node in nodes)
    assert {node["Index Name"] for node in nodes if "Index Name" in node} == {
        "ix_real_estates_owner_created"
    }
