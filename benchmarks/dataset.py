"""The benchmark's PostgreSQL and its cached datasets: listings, users and their sessions.

Each dataset lives in its own database, `bench_<listings>`, on the server of
`DATABASE_URL` (used only to connect and create databases) or on an embedded
PostgreSQL under .data/bench-postgres. A database is created as a copy of the
largest smaller one when there is one, and only the missing rows are seeded, so
re-runs reuse the data and a bigger size only pays for the difference.
"""

import asyncio
import os
import re
import time
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

import asyncpg
from argon2 import PasswordHasher, Type
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import AsyncEngine

from app.core.config.db.database import Query
from app.core.config.db.embedded import start_embedded_postgres
from app.core.config.db.engine import async_database_url, create_engine, create_sessionmaker
from app.core.config.db.migrations import upgrade_to_head
from app.core.config.settings import Settings
from app.features.real_estates.model import PropertyKind, RealEstate, State
from app.features.real_estates.repository import search_query
from app.features.real_estates.search import ListingFilters, ListingSort
from app.features.real_estates.seed import seed_listings
from app.features.shared.cpf import cpf_from_number
from app.wiring import Components

ROOT = Path(__file__).resolve().parent.parent
EMBEDDED_DIR = ROOT / ".data/bench-postgres"
BENCH_PASSWORD = "benchmark password, not a secret"  # noqa: S105 - every benchmark user's
BENCH_CPF_BASE = 700_000_000  # the seed's listing owners start at 900_000_000
BENCH_NAMESPACE = uuid.UUID("6f1c3c55-1a8e-4c51-9d0e-5b7a3c2b9e10")
LISTING_IDS = 64  # published listings the by-id scenario rotates over
SEED_OWNERS = 50
SEED_BATCH_SIZE = 5000
USER_COLUMNS = ["id", "name", "cpf", "password_hash", "role", "email", "created_at", "updated_at"]
_DATABASE_NAME = re.compile(r"^bench_(\d+)$")

EXPLAINED_SHAPES = {
    "newest (no filter)": (ListingFilters(), ListingSort.NEWEST),
    "filtered (city+kind+bedrooms, by price)": (
        ListingFilters(city="São Paulo", kind=PropertyKind.APARTMENT, min_bedrooms=2),
        ListingSort.PRICE_ASC,
    ),
    "price range by -price": (
        ListingFilters(min_price=50_000_000, max_price=90_000_000),
        ListingSort.PRICE_DESC,
    ),
    "area range by area": (
        ListingFilters(min_area=Decimal(100), max_area=Decimal(120)),
        ListingSort.AREA_ASC,
    ),
    "state by newest": (ListingFilters(state=State.RJ), ListingSort.NEWEST),
    "full text, common words": (ListingFilters(q="varanda gourmet"), ListingSort.NEWEST),
    "full text, rare words": (ListingFilters(q="cabo branco"), ListingSort.NEWEST),
    "neighbourhood in a city by -area": (
        ListingFilters(city="rio de janeiro", neighborhood="LEBLON"),
        ListingSort.AREA_DESC,
    ),
}


@dataclass(frozen=True)
class BenchUser:
    """A seeded user with a live sign-in session (for /users/me) and the known password."""

    id: uuid.UUID
    session_id: uuid.UUID
    cpf: str


@dataclass(frozen=True)
class Dataset:
    """A seeded database and what the scenarios need from it."""

    url: str
    listings: int
    users: int
    listing_ids: list[str]
    bench_users: list[BenchUser]
    postgres_version: str
    plans: dict[str, list[str]]


def server_url() -> str:
    """DATABASE_URL's server, or the embedded PostgreSQL (started now, stopped at exit)."""
    if url := os.environ.get("DATABASE_URL"):
        return async_database_url(url)
    print(f"DATABASE_URL is unset: embedded PostgreSQL in {EMBEDDED_DIR.relative_to(ROOT)}/")
    return start_embedded_postgres(EMBEDDED_DIR)


def with_database(url: str, name: str) -> str:
    """`url` pointing at database `name` (SQLAlchemy asyncpg form)."""
    return make_url(url).set(database=name).render_as_string(hide_password=False)


def plain_dsn(url: str) -> str:
    """`url` as a libpq-style DSN, for asyncpg itself."""
    return make_url(url).set(drivername="postgresql").render_as_string(hide_password=False)


def bench_user(index: int) -> BenchUser:
    """The `index`-th benchmark user: ids and CPF are derived from the index."""
    return BenchUser(
        id=uuid.uuid5(BENCH_NAMESPACE, f"user-{index}"),
        session_id=uuid.uuid5(BENCH_NAMESPACE, f"session-{index}"),
        cpf=cpf_from_number(BENCH_CPF_BASE + index),
    )


def prepare(server: str, *, listings: int, users: int) -> Dataset:
    """Create (or reuse) `bench_<listings>`, migrate it, seed what is missing."""
    url = asyncio.run(_ensure_database(server, listings))
    upgrade_to_head(url)
    return asyncio.run(_seed(url, listings=listings, users=users))


async def _ensure_database(server: str, listings: int) -> str:
    name = f"bench_{listings}"
    admin = await asyncpg.connect(plain_dsn(server))
    try:
        rows = await admin.fetch("SELECT datname FROM pg_database")
        sizes = {int(m[1]) for row in rows if (m := _DATABASE_NAME.match(row["datname"]))}
        if listings in sizes:
            return with_database(server, name)
        smaller = [size for size in sizes if size < listings]
        if smaller:
            template = f"bench_{max(smaller)}"
            print(f"creating database {name} as a copy of {template}", flush=True)
            await admin.execute(
                f'CREATE DATABASE "{name}" TEMPLATE "{template}" STRATEGY = FILE_COPY'
            )
        else:
            print(f"creating database {name}", flush=True)
            await admin.execute(f'CREATE DATABASE "{name}"')
    except asyncpg.InsufficientPrivilegeError as error:
        raise SystemExit(
            f"cannot create database {name} ({error}): give the DATABASE_URL role CREATEDB"
        ) from error
    finally:
        await admin.close()
    return with_database(server, name)


async def _seed(url: str, *, listings: int, users: int) -> Dataset:
    settings = Settings(database_url=url)
    engine = create_engine(settings, url)
    try:
        await _seed_listings(url, engine, settings, listings)
        connection = await asyncpg.connect(plain_dsn(url))
        try:
            seeded = await _seed_users(connection, users)
            await _forget_sign_ins(connection, users)
            if seeded:
                await connection.execute("VACUUM (ANALYZE) users, auth_sessions")
            await _checkpoint(connection)
            ids = await connection.fetch(
                "SELECT id FROM real_estates WHERE status = 'published' ORDER BY id LIMIT $1",
                LISTING_IDS,
            )
            version = str(await connection.fetchval("SHOW server_version"))
            plans = await _explain(engine, connection)
        finally:
            await connection.close()
    finally:
        await engine.dispose()
    return Dataset(
        url=url,
        listings=listings,
        users=users,
        listing_ids=[str(row["id"]) for row in ids],
        bench_users=[bench_user(index) for index in range(users)],
        postgres_version=version,
        plans=plans,
    )


async def _seed_listings(url: str, engine: AsyncEngine, settings: Settings, listings: int) -> None:
    """Seed the missing listings with the app's own generator (COPY in batches)."""
    connection = await asyncpg.connect(plain_dsn(url))
    try:
        present = int(await connection.fetchval("SELECT count(*) FROM real_estates"))
    finally:
        await connection.close()
    missing = listings - present
    print(f"{present} listings present; seeding {max(missing, 0)}", flush=True)
    if missing <= 0:
        return
    started = time.perf_counter()
    done = 0

    def progress(batch: int) -> None:
        nonlocal done
        done += batch
        if done % 100_000 < batch or done == missing:
            print(f"  {done}/{missing} ({time.perf_counter() - started:.0f} s)", flush=True)

    await seed_listings(
        create_sessionmaker(engine),
        Components.from_settings(settings).hasher,
        count=missing,
        owners=SEED_OWNERS,
        seed=present + 1,
        batch_size=SEED_BATCH_SIZE,
        on_batch=progress,
    )
    print(f"seeded {missing} listings in {time.perf_counter() - started:.0f} s", flush=True)


async def _seed_users(connection: Any, count: int) -> int:
    """COPY the missing benchmark users (one precomputed argon2id hash) and their sessions."""
    wanted = [bench_user(index) for index in range(count)]
    present_users = {
        row["id"]
        for row in await connection.fetch(
            "SELECT id FROM users WHERE id = ANY($1::uuid[])", [user.id for user in wanted]
        )
    }
    present_sessions = {
        row["id"]
        for row in await connection.fetch(
            "SELECT id FROM auth_sessions WHERE id = ANY($1::uuid[])",
            [user.session_id for user in wanted],
        )
    }
    new_users = [user for user in wanted if user.id not in present_users]
    new_sessions = [user for user in wanted if user.session_id not in present_sessions]
    if not new_users and not new_sessions:
        return 0
    started = time.perf_counter()
    # The service's parameters (OWASP: argon2id, 19 MiB, 2 passes), so it never rehashes.
    hasher = PasswordHasher(memory_cost=19 * 1024, time_cost=2, parallelism=1, type=Type.ID)
    password_hash = hasher.hash(BENCH_PASSWORD)
    now = datetime.now(UTC)
    async with connection.transaction():
        await connection.copy_records_to_table(
            "users",
            columns=USER_COLUMNS,
            records=[
                (
                    user.id,
                    f"Usuária de Teste {user.cpf}",
                    user.cpf,
                    password_hash,
                    "collector",
                    f"bench-{user.cpf}@example.com",
                    now,
                    now,
                )
                for user in new_users
            ],
        )
        await connection.copy_records_to_table(
            "auth_sessions",
            columns=["user_id", "id", "created_at", "revoked_at"],
            records=[(user.id, user.session_id, now, None) for user in new_sessions],
        )
    print(
        f"seeded {len(new_users)} users and {len(new_sessions)} sessions "
        f"in {time.perf_counter() - started:.1f} s",
        flush=True,
    )
    return len(new_users) + len(new_sessions)


async def _forget_sign_ins(connection: Any, count: int) -> None:
    """Delete the sessions earlier sign-in scenarios opened; revive the seeded ones."""
    users = [bench_user(index) for index in range(count)]
    await connection.execute(
        "DELETE FROM auth_sessions WHERE user_id = ANY($1::uuid[]) AND NOT id = ANY($2::uuid[])",
        [user.id for user in users],
        [user.session_id for user in users],
    )
    await connection.execute(
        "UPDATE auth_sessions SET revoked_at = NULL "
        "WHERE id = ANY($1::uuid[]) AND revoked_at IS NOT NULL",
        [user.session_id for user in users],
    )


async def _checkpoint(connection: Any) -> None:
    """Flush the load's writes, so they do not land in the measurements."""
    try:
        await connection.execute("CHECKPOINT")
    except asyncpg.InsufficientPrivilegeError:
        print("CHECKPOINT needs a superuser: measuring while the load is still being written")


async def _explain(engine: AsyncEngine, connection: Any) -> dict[str, list[str]]:
    """EXPLAIN (ANALYZE) of each documented search shape, as the service compiles it."""
    plans: dict[str, list[str]] = {}
    for name, (filters, sort) in EXPLAINED_SHAPES.items():
        applied = filters.applied()
        query = Query.of(search_query(applied, sort, after=False), RealEstate)
        rows = await connection.fetch(
            f"EXPLAIN (ANALYZE, COSTS OFF) {query.sql}", *query.args(applied | {"limit": 21})
        )
        plans[name] = [str(row[0]) for row in rows]
    return plans
