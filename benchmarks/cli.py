"""One command for the whole benchmark: `python -m benchmarks` (`task bench`).

Prepares PostgreSQL and a cached dataset, then for each worker count starts the
service and the ceiling side by side and loads every endpoint at every concurrency
with wrk, alternating which app goes first. Prints Markdown tables of the service as
ratios of the ceiling and writes them to benchmarks/results/latest.md. `--scaling`
instead measures a few endpoints at growing dataset sizes.
"""

import argparse
import asyncio
import dataclasses
import json
import os
import platform
import signal
import subprocess
import sys
import time
from collections.abc import Sequence
from datetime import UTC, datetime
from pathlib import Path
from types import FrameType

from benchmarks.dataset import Dataset, prepare, server_url
from benchmarks.loadgen import ensure_wrk
from benchmarks.report import (
    Round,
    body_check,
    deep_page_table,
    logs_note,
    memory_table,
    plans_section,
    ratio_table,
    scaling_table,
    sql_check,
)
from benchmarks.runner import RESULTS, ROOT, Bench, Options
from benchmarks.scenarios import ENDPOINTS
from benchmarks.sqlcheck import compare_sql

SCALING_ENDPOINTS = ["by_id", "search"]


def parse_options(argv: Sequence[str] | None = None) -> Options:
    """Read the command line."""
    parser = argparse.ArgumentParser(
        prog="python -m benchmarks", description=(__doc__ or "").split("\n\n")[0]
    )
    add = parser.add_argument
    add("--listings", type=int, default=1_000_000, help="dataset size (default 1,000,000)")
    add("--users", type=int, default=10_000, help="benchmark users (default 10,000)")
    add("--duration", type=float, default=10, help="seconds per measured run (default 10)")
    add("--warmup", type=float, default=2, help="seconds of load before each run (default 2)")
    add("--timeout", type=float, default=5, help="wrk request timeout in seconds (default 5)")
    add("--concurrency", type=int, nargs="+", help="open connections (default 8 64 256)")
    add("--workers", type=int, nargs="+", help="server processes (default 1 2)")
    add("--endpoints", nargs="+", choices=list(ENDPOINTS), help="subset (default all)")
    add("--skip-ceiling", action="store_true", help="measure the service alone")
    add("--scaling", action="store_true", help="latency at growing sizes instead (see --sizes)")
    add(
        "--sizes",
        type=int,
        nargs="+",
        default=[100_000, 1_000_000, 5_000_000],
        help="--scaling dataset sizes (default 100000 1000000 5000000)",
    )
    add("--status-codes", action="store_true", help="count error statuses (costs wrk CPU)")
    add("--output", type=Path, help="Markdown file (default benchmarks/results/latest.md)")
    args = parser.parse_args(argv)
    scaling = bool(args.scaling)
    if args.users < 1 or args.listings < 1 or min(args.sizes) < 1 or args.duration <= 0:
        parser.error("--listings, --users, --sizes and --duration must be positive")
    return Options(
        listings=args.listings,
        users=args.users,
        duration=args.duration,
        warmup=args.warmup,
        timeout=args.timeout,
        concurrency=args.concurrency or ([8] if scaling else [8, 64, 256]),
        workers=args.workers or ([2] if scaling else [1, 2]),
        endpoints=args.endpoints or (SCALING_ENDPOINTS if scaling else list(ENDPOINTS)),
        skip_ceiling=args.skip_ceiling,
        scaling=scaling,
        sizes=sorted(set(args.sizes)),
        status_codes=args.status_codes,
        output=args.output or RESULTS / ("scaling.md" if scaling else "latest.md"),
    )


def _interrupt(signum: int, _frame: FrameType | None) -> None:
    raise KeyboardInterrupt(f"signal {signum}")


def _machine() -> str:
    model = platform.processor() or platform.machine()
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                model = line.partition(":")[2].strip()
                break
        memory = Path("/proc/meminfo").read_text().split()[1]
        model += f", {int(memory) / 1024**2:.0f} GiB"
    except OSError:
        pass
    return f"{model}, {os.cpu_count()} cores"


def _commit() -> str:
    def git(*arguments: str) -> str:
        return subprocess.run(  # noqa: S603 - fixed arguments
            ["git", *arguments],  # noqa: S607
            cwd=ROOT,
            capture_output=True,
            text=True,
            check=False,
        ).stdout.strip()

    dirty = " (with uncommitted changes)" if git("status", "--porcelain", "app") else ""
    return f"{git('rev-parse', '--short', 'HEAD')}{dirty}"


def _header(options: Options, dataset: Dataset, elapsed: float) -> list[str]:
    provider = "DATABASE_URL" if os.environ.get("DATABASE_URL") else "embedded"
    sizes = options.sizes if options.scaling else [dataset.listings]
    return [
        f"Measured {datetime.now(UTC):%Y-%m-%d %H:%M} UTC on {_machine()}; "
        f"Python {platform.python_version()}, PostgreSQL {dataset.postgres_version} "
        f"({provider}); service at commit {_commit()}.",
        "",
        f"Dataset: {' / '.join(f'{size:,}' for size in sizes)} listings, {dataset.users:,} users. "
        f"wrk -t2, {options.warmup:g} s warm-up then {options.duration:g} s per run, "
        f"timeout {options.timeout:g} s; service and ceiling alternate which goes first. "
        f"Whole run: {elapsed / 60:.1f} min.",
    ]


def _write(options: Options, lines: list[str], rounds: list[Round]) -> None:
    text = "\n".join(lines) + "\n"
    print("\n" + text)
    options.output.parent.mkdir(parents=True, exist_ok=True)
    options.output.write_text(text)
    stamp = f"{datetime.now(UTC):%Y%m%d-%H%M%S}"
    (options.output.parent / f"{options.output.stem}-{stamp}.md").write_text(text)
    raw = [dataclasses.asdict(run) for run in rounds]
    options.output.with_suffix(".json").write_text(json.dumps(raw, indent=1, default=str))
    print(f"written to {options.output}")


def _check_sql(options: Options, dataset: Dataset) -> dict[str, str]:
    if options.skip_ceiling:
        return {}
    differences = asyncio.run(compare_sql(dataset))
    for name, difference in differences.items():
        if difference:
            print(f"WARNING the ceiling's SQL for {name} is not the service's: {difference}")
    return differences


def run_bench(options: Options, bench: Bench, server: str, started: float) -> None:
    """Every endpoint x concurrency x worker count, service against ceiling."""
    dataset = prepare(server, listings=options.listings, users=options.users)
    for name, plan in dataset.plans.items():
        print(f"\n-- {name}\n" + "\n".join(plan))
    sql = _check_sql(options, dataset)
    rounds = [bench.round(dataset, workers) for workers in options.workers]
    lines = [
        "## Service against the ceiling",
        "",
        *_header(options, dataset, time.monotonic() - started),
        "",
        *ratio_table(rounds),
        "",
        *body_check(rounds),
        "",
        *sql_check(sql),
        "",
    ]
    if deep := deep_page_table(rounds):
        lines += ["### Deep page against page 1", "", *deep, ""]
    lines += ["### Resident memory of each service worker", "", *memory_table(rounds), ""]
    lines += logs_note(rounds)
    lines += plans_section(dataset.plans)
    _write(options, lines, rounds)


def run_scaling(options: Options, bench: Bench, server: str, started: float) -> None:
    """A few endpoints at each dataset size, each size grown from the previous one."""
    rounds: list[Round] = []
    dataset = None
    for size in options.sizes:
        dataset = prepare(server, listings=size, users=options.users)
        rounds += [bench.round(dataset, workers) for workers in options.workers]
    assert dataset is not None  # noqa: S101 - sizes is never empty
    sql = _check_sql(options, dataset)
    lines = [
        "## Latency as the dataset grows",
        "",
        *_header(options, dataset, time.monotonic() - started),
        "",
        *scaling_table(rounds),
        "",
        *body_check(rounds),
        "",
        *sql_check(sql),
        "",
        *logs_note(rounds),
    ]
    _write(options, lines, rounds)


def main(argv: Sequence[str] | None = None) -> None:
    """Parse, prepare, measure, report; leave no process behind whatever happens."""
    options = parse_options(argv)
    for signum in (signal.SIGTERM, signal.SIGHUP):
        signal.signal(signum, _interrupt)
    wrk = ensure_wrk()
    started = time.monotonic()
    try:
        server = server_url()
        bench = Bench(options, wrk)
        (run_scaling if options.scaling else run_bench)(options, bench, server, started)
    except KeyboardInterrupt:
        print("\ninterrupted: servers stopped", file=sys.stderr)
        raise SystemExit(130) from None
    print(f"done in {(time.monotonic() - started) / 60:.1f} min")
