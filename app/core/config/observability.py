"""Metrics (Prometheus) and tracing (OpenTelemetry) wiring.

The OpenTelemetry SDK, exporter and instrumentations are imported only when tracing
is on (`app.core.config.tracing`): an untraced process neither loads nor pays for them.
"""

import sys
from typing import TYPE_CHECKING

from fastapi import FastAPI
from prometheus_client import CollectorRegistry, Gauge
from prometheus_fastapi_instrumentator import Instrumentator, metrics
from sqlalchemy import event
from sqlalchemy.ext.asyncio import AsyncEngine
from sqlalchemy.pool import QueuePool
from starlette.types import ASGIApp, Receive, Scope, Send

from app.core.config.settings import Settings

if TYPE_CHECKING:
    from opentelemetry.sdk.trace import TracerProvider
    from opentelemetry.sdk.trace.export import SpanExporter

# Probes and the scrape itself would only add noise to the request series.
UNMEASURED_PATHS = ["/metrics", "/health/live", "/health/ready"]


def install_metrics(app: FastAPI) -> CollectorRegistry:
    """Expose `/metrics`: request count, latency histogram and in-progress gauge per route.

    Series are labelled by route template (never the raw path). With several worker
    processes, `PROMETHEUS_MULTIPROC_DIR` makes the scrape aggregate all of them.
    """
    registry = CollectorRegistry()
    instrumentator = Instrumentator(
        should_group_status_codes=False, excluded_handlers=UNMEASURED_PATHS, registry=registry
    )
    instrumentator.add(metrics.requests(registry=registry))
    instrumentator.add(metrics.latency(should_include_status=True, registry=registry))
    instrumentator.instrument(app).expose(app, include_in_schema=False)
    # The library's own in-progress gauge ignores `registry` (so two apps in one process
    # collide); this one lives in the app's registry.
    in_progress = Gauge(
        "http_requests_inprogress",
        "HTTP requests being served, by method.",
        ["method"],
        registry=registry,
        multiprocess_mode="livesum",
    )
    app.add_middleware(InProgressMiddleware, gauge=in_progress)
    return registry


class InProgressMiddleware:
    """Counts the requests being served right now."""

    def __init__(self, app: ASGIApp, *, gauge: Gauge) -> None:
        self.app = app
        self.gauge = gauge

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Raise the gauge for the request's lifetime."""
        if scope["type"] != "http" or scope["path"] in UNMEASURED_PATHS:
            await self.app(scope, receive, send)
            return
        gauge = self.gauge.labels(scope["method"])
        gauge.inc()
        try:
            await self.app(scope, receive, send)
        finally:
            gauge.dec()


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


def trace_engine(engine: AsyncEngine, provider: "TracerProvider") -> None:
    """Trace every SQL statement the engine runs."""
    from app.core.config import tracing

    tracing.trace_engine(engine, provider)


def current_trace_ids() -> tuple[str, str] | None:
    """The (trace id, span id) of the active span, as hex, if any."""
    if "opentelemetry.trace" not in sys.modules:
        return None  # never imported, so no span can be active: keep it that way
    from opentelemetry import trace

    context = trace.get_current_span().get_span_context()
    if not context.is_valid:
        return None
    return f"{context.trace_id:032x}", f"{context.span_id:016x}"
