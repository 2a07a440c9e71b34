"""One round of measurements: both apps started with N workers, every endpoint x concurrency."""

import dataclasses
import secrets
from contextlib import ExitStack
from pathlib import Path

from benchmarks import servers
from benchmarks.dataset import Dataset, plain_dsn
from benchmarks.loadgen import Load, Measurement, run_wrk
from benchmarks.report import Cell, Round, summarize_log
from benchmarks.scenarios import DEEP_PAGE, ENDPOINTS, compare_bodies, loads

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "benchmarks/results"


@dataclasses.dataclass(frozen=True)
class Options:
    """The parsed command line, with the defaults of the chosen mode filled in."""

    listings: int
    users: int
    duration: float
    warmup: float
    timeout: float
    concurrency: list[int]
    workers: list[int]
    endpoints: list[str]
    skip_ceiling: bool
    scaling: bool
    sizes: list[int]
    status_codes: bool
    output: Path


class Bench:
    """Runs rounds of measurements; remembers which app went first last time."""

    def __init__(self, options: Options, wrk: str) -> None:
        self.options = options
        self.wrk = wrk
        self.secret = secrets.token_urlsafe(48)  # the JWT and cursor key of both apps
        self.service_first = True

    def _run(
        self,
        server: servers.Server,
        load: Load,
        connections: int,
        seconds: float,
        *,
        count_statuses: bool = False,
    ) -> Measurement:
        if servers.wait_idle(server) is None:
            print(f"WARNING {server.name} still busy after {servers.IDLE_TIMEOUT_SECONDS} s")
        return run_wrk(
            self.wrk, server.base, load, connections=connections, seconds=seconds,
            timeout=self.options.timeout, count_statuses=count_statuses,
        )  # fmt: skip

    def _measure(self, server: servers.Server, load: Load, connections: int) -> Measurement:
        """A warm-up, then the measured run; each starts once the server is idle."""
        options = self.options
        if options.warmup > 0:
            self._run(server, load, connections, options.warmup)
        return self._run(
            server, load, connections, options.duration, count_statuses=options.status_codes
        )

    def round(self, dataset: Dataset, workers: int) -> Round:
        """Start both apps with `workers` processes and measure every endpoint x concurrency."""
        options = self.options
        logs = RESULTS / "logs"
        with ExitStack() as stack:
            service = stack.enter_context(
                servers.service(
                    dataset.url, workers=workers, secret=self.secret,
                    log=logs / f"service-{dataset.listings}-{workers}w.log",
                )
            )  # fmt: skip
            ceiling = None
            if not options.skip_ceiling:
                ceiling = stack.enter_context(
                    servers.ceiling(
                        plain_dsn(dataset.url), workers=workers, secret=self.secret,
                        log=logs / f"ceiling-{dataset.listings}-{workers}w.log",
                    )
                )  # fmt: skip
            # Walking to the deep page costs hundreds of requests: only when it is measured.
            deep = DEEP_PAGE if "search_deep" in options.endpoints else 1
            service_loads = loads(service.base, dataset, self.secret, deep_page=deep)
            ceiling_loads = None
            differences: dict[str, str] = {}
            if ceiling is not None:
                ceiling_loads = loads(
                    ceiling.base, dataset, self.secret, deep_page=service_loads.deep_page
                )
                differences = compare_bodies(
                    service.base, ceiling.base, service_loads, ceiling_loads
                )
                for key, difference in differences.items():
                    if difference:
                        print(f"WARNING {key}: bodies differ: {difference}", flush=True)
            pids = servers.worker_pids(service)
            result = Round(
                workers=workers,
                listings=dataset.listings,
                deep_page=service_loads.deep_page,
                differences=differences,
                rss_after_start=[servers.resident_mib(pid) or 0.0 for pid in pids],
                service_log=str(service.log.relative_to(ROOT)),
            )
            if service_loads.deep_page < deep:
                print(f"only {service_loads.deep_page} pages match: the deep page is the last one")
            for endpoint in options.endpoints:
                for connections in options.concurrency:
                    apps = [("service", service, service_loads)]
                    if ceiling is not None and ceiling_loads is not None:
                        apps.append(("ceiling", ceiling, ceiling_loads))
                    if not self.service_first:
                        apps.reverse()
                    self.service_first = not self.service_first
                    measured: dict[str, Measurement] = {}
                    rss: list[float] = []
                    for app, server, app_loads in apps:
                        load = app_loads.by_endpoint[endpoint]
                        measured[app] = self._measure(server, load, connections)
                        if app == "service":
                            rss = [servers.resident_mib(pid) or 0.0 for pid in pids]
                    cell = Cell(
                        endpoint, workers, connections, measured["service"],
                        measured.get("ceiling"), rss,
                    )  # fmt: skip
                    result.cells.append(cell)
                    _progress(cell, result.deep_page)
            result.rss_peak = [servers.resident_mib(pid, "VmHWM") or 0.0 for pid in pids]
        result.service_log_summary = summarize_log(service.log.read_text(errors="replace"))
        if ceiling is not None:
            result.ceiling_log = str(ceiling.log.relative_to(ROOT))
            text = ceiling.log.read_text(errors="replace")
            result.ceiling_log_lines = len([line for line in text.splitlines() if line.strip()])
        return result


def _progress(cell: Cell, deep_page: int) -> None:
    def figures(measurement: Measurement | None) -> str:
        if measurement is None:
            return "-"
        p99 = f"{measurement.p99_ms:.1f}" if measurement.p99_ms is not None else "-"
        errors = f", {measurement.error_count} errors" if measurement.error_count else ""
        return f"{measurement.throughput:.0f} req/s p99 {p99} ms{errors}"

    title = ENDPOINTS[cell.endpoint].title
    if cell.endpoint == "search_deep":
        title = f"search, page {deep_page}"
    print(
        f"[{cell.workers}w c={cell.connections}] {title}: service {figures(cell.service)} | "
        f"ceiling {figures(cell.ceiling)}",
        flush=True,
    )
