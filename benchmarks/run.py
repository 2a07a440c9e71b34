"""Load N listings, start the API, and measure the documented query shapes with wrk.

Usage (from the project root, after `poetry install`; needs `wrk`, e.g. `apt-get install wrk`):

    poetry run python benchmarks/run.py --listings 1000000

Uses DATABASE_URL when set, else an embedded PostgreSQL under .data/bench-postgres.
Seeds only the listings that are missing, so a second run reuses the data. Prints
the EXPLAIN ANALYZE plan of each search shape and a Markdown table of results.
"""

import argparse
import asyncio
import os
import platform
import re
import secrets
import shutil
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

import httpx
from sqlalchemy import func, select, text
from sqlalchemy.dialects import postgresql
from sqlalchemy.exc import DBAPIError

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from app.core.config.db.embedded import start_embedded_postgres  # noqa: E402
from app.core.config.db.engine import create_engine, create_sessionmaker  # noqa: E402
from app.core.config.db.migrations import upgrade_to_head  # noqa: E402
from app.core.config.settings import Settings  # noqa: E402
from app.features.real_estates.model import RealEstate  # noqa: E402
from app.features.real_estates.repository import search_query  # noqa: E402
from app.features.real_estates.search import ListingFilters, ListingSort  # noqa: E402
from app.features.real_estates.seed import seed_listings  # noqa: E402
from app.wiring import Components  # noqa: E402

FILTERED = {"city": "São Paulo", "kind": "apartment", "min_bedrooms": 2, "sort": "price"}
FULL_TEXT = {"q": "varanda gourmet"}
DEEP_PAGE = 500
PAGE_SIZE = 20
WARM_UP_SECONDS = 3


@dataclass(frozen=True)
class Result:
    """What wrk measured for one scenario."""

    name: str
    path: str
    requests_per_second: float
    p50_ms: float
    p99_ms: float


async def prepare_database(url: str, listings: int) -> None:
    """Seed the listings that are missing, then show the search plans."""
    settings = Settings(database_url=url)
    engine = create_engine(settings, url)
    try:
        sessions = create_sessionmaker(engine)
        async with sessions() as session:
            present = await session.scalar(select(func.count()).select_from(RealEstate)) or 0
        missing = listings - present
        print(f"{present} listings present; seeding {max(missing, 0)}", flush=True)
        if missing > 0:
            started = time.perf_counter()
            done = 0

            def progress(batch: int) -> None:
                nonlocal done
                done += batch
                if done % 100_000 < batch:
                    print(f"  {done}/{missing} ({time.perf_counter() - started:.0f} s)", flush=True)

            await seed_listings(
                sessions,
                Components.from_settings(settings).hasher,
                count=missing,
                owners=50,
                seed=present + 1,
                batch_size=5000,
                on_batch=progress,
            )
            print(f"seeded {missing} listings in {time.perf_counter() - started:.0f} s")
            await flush_to_disk(sessions)
        await explain_searches(sessions)
    finally:
        await engine.dispose()


async def flush_to_disk(sessions: Any) -> None:
    """Checkpoint after the load, so its writes do not land in the measurements."""
    async with sessions() as session:
        try:
            await session.execute(text("CHECKPOINT"))
        except DBAPIError:
            print("CHECKPOINT needs a superuser; measuring while the load is still being written")


async def explain_searches(sessions: Any) -> None:
    """Print the plan PostgreSQL runs for each documented search shape."""
    shapes = {
        "newest (no filter)": (ListingFilters(), ListingSort.NEWEST),
        "filtered (city+kind+bedrooms, by price)": (
            ListingFilters(city="São Paulo", kind="apartment", min_bedrooms=2),  # type: ignore[arg-type]
            ListingSort.PRICE_ASC,
        ),
        "price range by -price": (
            ListingFilters(min_price=50_000_000, max_price=90_000_000),
            ListingSort.PRICE_DESC,
        ),
        "area range by area": (ListingFilters(min_area=100, max_area=120), ListingSort.AREA_ASC),  # type: ignore[arg-type]
        "state by newest": (ListingFilters(state="RJ"), ListingSort.NEWEST),  # type: ignore[arg-type]
        "full text, common words": (ListingFilters(q="varanda gourmet"), ListingSort.NEWEST),
        "full text, rare words": (ListingFilters(q="cabo branco"), ListingSort.NEWEST),
        "neighbourhood in a city by -area": (
            ListingFilters(city="rio de janeiro", neighborhood="LEBLON"),
            ListingSort.AREA_DESC,
        ),
    }
    async with sessions() as session:
        connection = await (await session.connection()).get_raw_connection()
        for name, (filters, sort) in shapes.items():
            compiled = search_query(filters, sort=sort, after=None, limit=PAGE_SIZE + 1).compile(
                dialect=postgresql.dialect(paramstyle="numeric_dollar")  # type: ignore[no-untyped-call]
            )
            params = [compiled.params[key] for key in compiled.positiontup or []]
            rows = await connection.driver_connection.fetch(
                f"EXPLAIN (ANALYZE, COSTS OFF) {compiled}", *params
            )
            print(f"\n-- {name}")
            for row in rows:
                print(row[0])


def start_server(url: str, port: int, workers: int) -> subprocess.Popen[bytes]:
    """Run the API in production mode (JSON logs at WARNING) on `port`."""
    env = {
        **os.environ,
        "DATABASE_URL": url,
        "ENVIRONMENT": "production",
        "JWT_SECRET": secrets.token_urlsafe(48),
        "LOG_LEVEL": "WARNING",
    }
    command = [sys.executable, "-m", "app", "serve", "--port", str(port), "--workers", str(workers)]
    server = subprocess.Popen(command, cwd=ROOT, env=env)  # noqa: S603 - our own CLI
    for _ in range(100):
        try:
            httpx.get(f"http://127.0.0.1:{port}/api/v1/real-estates?limit=1", timeout=1)
            return server
        except httpx.HTTPError:
            time.sleep(0.2)
    server.terminate()
    raise SystemExit("the server did not start")


def scenario_paths(base: str) -> dict[str, str]:
    """The URL path of each scenario, walking to the deep page to get its cursor."""
    with httpx.Client(base_url=base, timeout=30) as client:
        first = client.get("/api/v1/real-estates", params={"limit": 1}).json()["items"][0]
        params: dict[str, Any] = {**FILTERED, "limit": PAGE_SIZE}
        for _ in range(DEEP_PAGE - 1):
            page = client.get("/api/v1/real-estates", params=params).json()
            if page["next_cursor"] is None:
                raise SystemExit(f"fewer than {DEEP_PAGE} pages match {FILTERED}")
            params["cursor"] = page["next_cursor"]
    search = "/api/v1/real-estates?"
    return {
        "listing by id": f"/api/v1/real-estates/{first['id']}",
        "filtered search, page 1": search + urlencode({**FILTERED, "limit": PAGE_SIZE}),
        f"filtered search, page {DEEP_PAGE}": search + urlencode(params),
        "full-text search": search + urlencode({**FULL_TEXT, "limit": PAGE_SIZE}),
    }


def _milliseconds(value: str) -> float:
    number, unit = re.fullmatch(r"([\d.]+)(us|ms|s)", value).groups()  # type: ignore[union-attr]
    return float(number) * {"us": 0.001, "ms": 1.0, "s": 1000.0}[unit]


def run_wrk(name: str, base: str, path: str, *, duration: int, connections: int) -> Result:
    """Load one URL with wrk (after a short warm-up) and read its latency distribution."""

    def wrk(seconds: int) -> str:
        return subprocess.run(  # noqa: S603 - fixed arguments
            ["wrk", "-t2", f"-c{connections}", f"-d{seconds}s", "--latency", base + path],  # noqa: S607
            check=True,
            capture_output=True,
            text=True,
        ).stdout

    wrk(WARM_UP_SECONDS)
    output = wrk(duration)
    if "Non-2xx" in output:
        raise SystemExit(f"{name}: errors under load:\n{output}")
    percentiles = dict(re.findall(r"^\s+(50|99)%\s+(\S+)", output, re.MULTILINE))
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", output).group(1))  # type: ignore[union-attr]
    return Result(
        name, path, rps, _milliseconds(percentiles["50"]), _milliseconds(percentiles["99"])
    )


def main() -> None:
    """Parse arguments, prepare, measure, report."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--listings", type=int, default=1_000_000)
    parser.add_argument("--duration", type=int, default=15, help="seconds per scenario")
    parser.add_argument("--connections", type=int, default=8)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--port", type=int, default=8100)
    args = parser.parse_args()
    if shutil.which("wrk") is None:
        raise SystemExit("wrk is required: apt-get install wrk")

    url = os.environ.get("DATABASE_URL") or start_embedded_postgres(ROOT / ".data/bench-postgres")
    upgrade_to_head(url)
    asyncio.run(prepare_database(url, args.listings))
    server = start_server(url, args.port, args.workers)
    base = f"http://127.0.0.1:{args.port}"
    try:
        paths = scenario_paths(base)
        results = [
            run_wrk(name, base, path, duration=args.duration, connections=args.connections)
            for name, path in paths.items()
        ]
    finally:
        server.terminate()
        server.wait(timeout=30)

    print(
        f"\nMachine: {platform.processor() or platform.machine()}, {os.cpu_count()} cores, "
        f"Python {platform.python_version()}; {args.listings} listings; wrk -t2 "
        f"-c{args.connections} -d{args.duration}s; {args.workers} server workers\n"
    )
    print("| scenario | requests/s | p50 (ms) | p99 (ms) |")
    print("|---|---:|---:|---:|")
    for result in results:
        print(
            f"| {result.name} | {result.requests_per_second:.0f} | {result.p50_ms:.1f} "
            f"| {result.p99_ms:.1f} |"
        )
    page_1, deep = results[1], results[2]
    print(f"\npage {DEEP_PAGE} / page 1 p50 ratio: {deep.p50_ms / page_1.p50_ms:.2f}")


if __name__ == "__main__":
    main()
