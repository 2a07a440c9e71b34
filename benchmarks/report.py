"""Markdown tables of a run: the service as ratios of the ceiling measured alongside it."""

import json
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from benchmarks.loadgen import Measurement
from benchmarks.scenarios import ENDPOINTS

_ERROR_NAMES = {
    "connect": "connect",
    "read": "read",
    "write": "write",
    "timeout": "timeouts",
    "status": "non-2xx",
}


@dataclass(frozen=True)
class Cell:
    """One endpoint at one concurrency with one worker count: both apps' figures."""

    endpoint: str
    workers: int
    connections: int
    service: Measurement
    ceiling: Measurement | None
    service_rss_mib: list[float]


@dataclass
class Round:
    """Everything measured with one worker count (or one dataset size, for --scaling)."""

    workers: int
    listings: int
    deep_page: int
    differences: dict[str, str]
    cells: list[Cell] = field(default_factory=list)
    rss_after_start: list[float] = field(default_factory=list)
    rss_peak: list[float] = field(default_factory=list)
    service_log: str = ""
    service_log_summary: list[str] = field(default_factory=list)
    ceiling_log: str = ""
    ceiling_log_lines: int = 0


def _ms(value: float | None) -> str:
    if value is None:
        return "-"
    return f"{value:.2f}" if value < 10 else f"{value:.1f}" if value < 100 else f"{value:.0f}"


def _ratio(numerator: float | None, denominator: float | None) -> str:
    if numerator is None or not denominator:
        return "-"
    return f"{numerator / denominator:.2f}"


def _side_by_side(cell: Cell, deep_page: int) -> list[str]:
    """Endpoint, workers, connections, then throughput, p50 and p99 of both apps with ratios."""
    service, ceiling = cell.service, cell.ceiling
    return [
        _title(cell.endpoint, deep_page),
        str(cell.workers),
        str(cell.connections),
        f"{service.throughput:.0f}",
        f"{ceiling.throughput:.0f}" if ceiling else "-",
        _ratio(service.throughput, ceiling.throughput if ceiling else None),
        _ms(service.p50_ms),
        _ms(ceiling.p50_ms if ceiling else None),
        _ms(service.p99_ms),
        _ms(ceiling.p99_ms if ceiling else None),
        _ratio(service.p99_ms, ceiling.p99_ms if ceiling else None),
    ]


def _errors(measurement: Measurement | None) -> str:
    if measurement is None:
        return "-"
    if not measurement.errors:
        return "0"
    parts = [f"{count} {_ERROR_NAMES[name]}" for name, count in measurement.errors.items()]
    if measurement.statuses:
        codes = ", ".join(
            f"{code}x{count}"
            for code, count in sorted(measurement.statuses.items())
            if not code.startswith("2")
        )
        parts.append(f"({codes})")
    return " ".join(parts)


def _mib(values: Iterable[float]) -> str:
    return " / ".join(f"{value:.0f}" for value in values) or "-"


def _title(endpoint: str, deep_page: int) -> str:
    if endpoint == "search_deep":
        return f"search, page {deep_page}"
    return ENDPOINTS[endpoint].title


def _table(header: Sequence[str], rows: Iterable[Sequence[str]], right_from: int) -> list[str]:
    aligns = ["---" if index < right_from else "---:" for index in range(len(header))]
    lines = ["| " + " | ".join(header) + " |", "|" + "|".join(aligns) + "|"]
    lines += ["| " + " | ".join(row) + " |" for row in rows]
    return lines


def ratio_table(rounds: Sequence[Round]) -> list[str]:
    """Throughput and p99 of the service against the ceiling, per endpoint x workers x c."""
    header = [
        "endpoint", "workers", "c", "service req/s", "ceiling req/s", "service / ceiling",
        "service p50 ms", "ceiling p50 ms", "service p99 ms", "ceiling p99 ms",
        "p99 service / ceiling", "service errors", "ceiling errors", "service RSS MiB/worker",
    ]  # fmt: skip
    cells = sorted(
        ((cell, run) for run in rounds for cell in run.cells),
        key=lambda pair: (
            list(ENDPOINTS).index(pair[0].endpoint),
            pair[0].workers,
            pair[0].connections,
        ),
    )
    rows = []
    for cell, run in cells:
        rows.append(
            [
                *_side_by_side(cell, run.deep_page),
                _errors(cell.service),
                _errors(cell.ceiling),
                _mib(cell.service_rss_mib),
            ]
        )
    return _table(header, rows, right_from=1)


def deep_page_table(rounds: Sequence[Round]) -> list[str]:
    """Latency of the deep page over page 1, per app, workers and concurrency."""
    header = [
        "app", "workers", "c", "page", "page 1 p50 ms", "deep p50 ms", "p50 deep / page 1",
        "page 1 p99 ms", "deep p99 ms", "p99 deep / page 1",
    ]  # fmt: skip
    rows = []
    for run in rounds:
        by_key = {(cell.endpoint, cell.connections): cell for cell in run.cells}
        for (endpoint, connections), deep in sorted(by_key.items()):
            first = by_key.get(("search", connections))
            if endpoint != "search_deep" or first is None:
                continue
            for app, one, other in (
                ("service", first.service, deep.service),
                ("ceiling", first.ceiling, deep.ceiling),
            ):
                if one is None or other is None:
                    continue
                rows.append(
                    [
                        app,
                        str(run.workers),
                        str(connections),
                        str(run.deep_page),
                        _ms(one.p50_ms),
                        _ms(other.p50_ms),
                        _ratio(other.p50_ms, one.p50_ms),
                        _ms(one.p99_ms),
                        _ms(other.p99_ms),
                        _ratio(other.p99_ms, one.p99_ms),
                    ]
                )
    return _table(header, rows, right_from=1) if rows else []


def memory_table(rounds: Sequence[Round]) -> list[str]:
    """Resident memory of each service worker: idle, highest after a run, kernel's peak."""
    header = ["workers", "worker", "after start MiB", "max after a run MiB", "peak (VmHWM) MiB"]
    rows = []
    for run in rounds:
        for index, idle in enumerate(run.rss_after_start):
            seen = [
                cell.service_rss_mib[index]
                for cell in run.cells
                if len(cell.service_rss_mib) > index
            ]
            peak = run.rss_peak[index] if index < len(run.rss_peak) else None
            rows.append(
                [
                    str(run.workers),
                    str(index + 1),
                    f"{idle:.0f}",
                    f"{max(seen):.0f}" if seen else "-",
                    f"{peak:.0f}" if peak is not None else "-",
                ]
            )
    return _table(header, rows, right_from=1)


def scaling_table(rounds: Sequence[Round]) -> list[str]:
    """Latency and throughput of each endpoint as the number of listings grows."""
    header = [
        "listings", "endpoint", "workers", "c", "service req/s", "ceiling req/s",
        "service / ceiling", "service p50 ms", "ceiling p50 ms", "service p99 ms",
        "ceiling p99 ms", "p99 service / ceiling", "errors (service / ceiling)",
    ]  # fmt: skip
    rows = []
    for run in rounds:
        for cell in run.cells:
            rows.append(
                [
                    f"{run.listings:,}",
                    *_side_by_side(cell, run.deep_page),
                    f"{_errors(cell.service)} / {_errors(cell.ceiling)}",
                ]
            )
    return _table(header, rows, right_from=2)


def body_check(rounds: Sequence[Round]) -> list[str]:
    """Whether the ceiling answered the same bodies as the service (checked once per round)."""
    differences = {key: text for run in rounds for key, text in run.differences.items() if text}
    checked = sorted({key for run in rounds for key in run.differences})
    if not checked:
        return ["Bodies: not compared (no ceiling)."]
    if not differences:
        return [
            "Bodies: the ceiling answered the same JSON as the service for every endpoint "
            "(fields, order and values; cursors and tokens excepted)."
        ]
    lines = ["**Bodies differ** — the comparison is not like for like for:", ""]
    lines += [f"- {ENDPOINTS[key].title}: `{text}`" for key, text in sorted(differences.items())]
    return lines


def summarize_log(text: str) -> list[str]:
    """What a server logged, grouped: count, level, message, route and exception's last line."""
    counts: Counter[str] = Counter()
    for line in text.splitlines():
        if not line.strip() or line.startswith("Serving on"):
            continue
        try:
            record = json.loads(line)
        except ValueError:
            record = None
        if not isinstance(record, dict):
            counts[f"(not JSON) {line.strip()[:160]}"] += 1
            continue
        exception = str(record.get("exception") or "").strip().splitlines()
        where = " ".join(str(record[key]) for key in ("method", "path") if record.get(key))
        counts[
            f"{record.get('level', '?')} {record.get('message', '')!r}"
            + (f" on {where}" if where else "")
            + (f": {exception[-1][:200]}" if exception else "")
        ] += 1
    return [f"{count} x {what}" for what, count in counts.most_common()]


def sql_check(differences: dict[str, str]) -> list[str]:
    """Whether the ceiling's hand-written SQL is still the service's, statement for statement."""
    if not differences:
        return []
    if not any(differences.values()):
        return [
            "SQL: the ceiling sends the service's statements, text for text "
            f"({', '.join(differences)})."
        ]
    lines = ["**SQL differs** — update benchmarks/ceiling/queries.py:", ""]
    lines += [f"- {name}: {text}" for name, text in differences.items() if text]
    return lines


def logs_note(rounds: Sequence[Round]) -> list[str]:
    """What the service logged (at WARNING or above) during each round."""
    lines = []
    for run in rounds:
        if run.service_log_summary:
            lines += [f"Service log with {run.workers} worker(s), `{run.service_log}`:", ""]
            lines += [f"- {entry}" for entry in run.service_log_summary]
            lines.append("")
        if run.ceiling_log_lines:
            lines += [f"Ceiling log: {run.ceiling_log_lines} lines in `{run.ceiling_log}`.", ""]
    return lines


def plans_section(plans: dict[str, list[str]]) -> list[str]:
    """The EXPLAIN (ANALYZE) output of each search shape, folded."""
    lines = ["<details><summary>Query plans (EXPLAIN ANALYZE at the start of the run)</summary>"]
    for name, plan in plans.items():
        lines += ["", f"-- {name}", "```", *plan, "```"]
    return [*lines, "", "</details>"]
