"""Metrics (Prometheus) and tracing (OpenTelemetry) wiring.

The OpenTelemetry SDK, exporter and instrumentations are imported only when tracing
is on (`app.core.config.tracing`): an untraced process neither loads nor pays for them.
"""

import os
import sys
from typing import TYPE_CHECKING

from fastapi import FastAPI
from prometheus_client import (
    CONTENT_TYPE_LATEST,
    CollectorRegistry,
    Counter,
    Gauge,
    Histogram,
    generate_latest,
    multiprocess,
)
from sqlalchemy import event
from sqlalchemy.ext.asyncio import AsyncEngine
from sqlalchemy.pool import QueuePool
from starlette.requests import Request
from starlette.responses import Response

from app.core.config.settings import Settings

if TYPE_CHECKING:
    from opentelemetry.sdk.trace import TracerProvider
    from opentelemetry.sdk.trace.export import SpanExporter

# Probes and the scrape itself would only add noise to the request series.
UNMEASURED_PATHS = ["/metrics", "/health/live", "/health/ready"]


# Seconds; fine enough at the low end to tell a 5 ms read from a 25 ms one.
LATENCY_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0)


class RequestMetrics:
    """Request count, latency histogram and in-progress gauge, per route template.

    Recorded by the request middleware, which already knows each request's route,
    status and duration: no extra middleware and no route lookup of its own.
    """

    def __init__(self, registry: CollectorRegistry) -> None:
        labels = ["method", "status", "handler"]
        self._requests = Counter(
            "http_requests_total", "HTTP requests served.", labels, registry=registry
        )
        self._latency = Histogram(
            "http_request_duration_seconds",
            "Time to serve an HTTP request, in seconds.",
            labels,
            buckets=LATENCY_BUCKETS,
            registry=registry,
        )
        self._in_progress = Gauge(
            "http_requests_inprogress",
            "HTTP requests being served, by method.",
            ["method"],
            registry=registry,
            multiprocess_mode="livesum",
        )
        self._store_errors = Counter(
            "rate_limit_store_errors_total",
            "Times the rate-limit store (Redis) failed or was slow and a request was let "
            "through unchecked.",
            registry=registry,
        )
        self._refused = Counter(
            "http_connections_refused_total",
            "Requests refused before reaching the app (slow, oversized, malformed, or past "
            "the connection cap), by problem code.",
            ["code"],
            registry=registry,
        )
        self._gauges: dict[str, Gauge] = {}
        self._series: dict[tuple[str, str, str], tuple[Counter, Histogram]] = {}

    def rate_limit_store_failed(self) -> None:
        """The rate-limit store could not be asked (the request went through unchecked)."""
        self._store_errors.inc()

    def connection_refused(self, code: str) -> None:
        """A connection was answered with the problem `code` and closed, below the app."""
        self._refused.labels(code).inc()

    @staticmethod
    def measures(path: str) -> bool:
        """Whether requests to `path` are counted (probes and scrapes are not)."""
        return path not in UNMEASURED_PATHS

    def started(self, method: str) -> None:
        """A request began."""
        self._in_progress_of(method).inc()

    def finished(self, method: str, handler: str, status: int, seconds: float) -> None:
        """A request ended with `status` after `seconds`."""
        self._in_progress_of(method).dec()
        requests, latency = self._series_of(method, str(status), handler)
        requests.inc()
        latency.observe(seconds)

    # Each labelled series is looked up once: `labels()` costs microseconds per call. There
    # are few of them (HTTP methods x statuses x route templates).

    def _in_progress_of(self, method: str) -> Gauge:
        gauge = self._gauges.get(method)
        if gauge is None:
            gauge = self._gauges[method] = self._in_progress.labels(method)
        return gauge

    def _series_of(self, method: str, status: str, handler: str) -> tuple[Counter, Histogram]:
        key = (method, status, handler)
        series = self._series.get(key)
        if series is None:
            series = self._series[key] = (
                self._requests.labels(*key),
                self._latency.labels(*key),
            )
        return series


def install_metrics(app: FastAPI) -> tuple[CollectorRegistry, RequestMetrics]:
    """Expose `/metrics` and return the registry and the request metrics to record into.

    Series are labelled by route template (never the raw path). With several worker
    processes, `PROMETHEUS_MULTIPROC_DIR` makes the scrape aggregate all of them.
    """
    registry = CollectorRegistry()

    async def scrape(_: Request) -> Response:
        source = registry
        if "PROMETHEUS_MULTIPROC_DIR" in os.environ:
            source = CollectorRegistry()
            multiprocess.MultiProcessCollector(source)  # type: ignore[no-untyped-call]
        return Response(generate_latest(source), media_type=CONTENT_TYPE_LATEST)

    app.add_route("/metrics", scrape, include_in_schema=False)
    return registry, RequestMetrics(registry)


def watch_pool(engine: AsyncEngine, registry: CollectorRegistry) -> None:
    """Publish the connection pool's size and checked-out connections as gauges."""
    size = Gauge(
        "db_pool_size",
        "Connections the pool keeps open (per process, summed over live processes).",
        registry=registry,
        multiprocess_mode="livesum",
    )
    checked_out = Gauge(
        "db_pool_checked_out",
        "Connections currently lent to requests.",
        registry=registry,
        multiprocess_mode="livesum",
    )
    pool = engine.sync_engine.pool
    if not isinstance(pool, QueuePool):
        return

    size.set(pool.size())
    # Events fire before the pool's own counters move, so count them directly.
    event.listen(pool, "checkout", lambda *_: checked_out.inc())
    event.listen(pool, "checkin", lambda *_: checked_out.dec())


def tracer_provider(settings: Settings, exporter: "SpanExporter | None") -> "TracerProvider | None":
    """A provider exporting spans over OTLP when the endpoint is set (or to `exporter`)."""
    if exporter is None and not settings.otel_exporter_otlp_endpoint:
        return None
    from app.core.config import tracing

    return tracing.tracer_provider(settings, exporter)


def trace_app(app: FastAPI, provider: "TracerProvider") -> None:
    """Trace every request."""
    from app.core.config import tracing

    tracing.trace_app(app, provider, excluded_paths=UNMEASURED_PATHS)


def trace_database(provider: "TracerProvider") -> None:
    """Trace every SQL statement sent to PostgreSQL."""
    from app.core.config import tracing

    tracing.trace_database(provider)


def current_trace_ids() -> tuple[str, str] | None:
    """The (trace id, span id) of the active span, as hex, if any."""
    if "opentelemetry.trace" not in sys.modules:
        return None  # never imported, so no span can be active: keep it that way
    from opentelemetry import trace

    context = trace.get_current_span().get_span_context()
    if not context.is_valid:
        return None
    return f"{context.trace_id:032x}", f"{context.span_id:016x}"
