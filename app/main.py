"""The application factory."""

from typing import TYPE_CHECKING

from fastapi import FastAPI
from fastapi.telemetry import TelemetryConfig
from fastapi_offline import FastAPIOffline

from app.core.config.background import RepeatedJob
from app.core.config.dependencies import open_request_database
from app.core.config.http_protocol import ClientLimits
from app.core.config.observability import install_metrics, trace_app, tracer_provider
from app.core.config.server import install_error_handling, install_middleware, lifespan
from app.core.config.settings import Settings
from app.core.docs import install_swagger_ui
from app.routers import errors, health, home, media
from app.routers.tags import OPENAPI_TAGS
from app.routers.v1 import include_v1
from app.wiring import Components, purge_stored_objects

if TYPE_CHECKING:
    from opentelemetry.sdk.trace.export import SpanExporter

STATIC_URL = "/docs-assets"
# Objects of deleted photos and listings go from storage within about this long.
STORAGE_CLEANUP_INTERVAL_SECONDS = 5.0

DESCRIPTION = """
Collectors register properties, anyone searches published listings, admins manage users.

**Try it here:** create an account with `POST /api/v1/users`, then press **Authorize**
and sign in with your CPF as username. Every error is an RFC 9457 problem document
whose `code` is listed at [/errors](/errors).
"""

NO_NATIVE_TELEMETRY: TelemetryConfig = {"tracing": False, "metrics": False, "logs": False}


def create_app(
    settings: Settings | None = None, *, span_exporter: "SpanExporter | None" = None
) -> FastAPI:
    """Build the application; tests pass their own settings (and may capture spans)."""
    settings = settings or Settings()
    # Swagger UI and ReDoc assets are served by the app itself: the docs work offline.
    app = FastAPIOffline(
        title="Real Estate API",
        version="0.1.0",
        description=DESCRIPTION,
        openapi_tags=OPENAPI_TAGS,
        license_info={"name": "MIT", "identifier": "MIT"},
        lifespan=lifespan,
        docs_url=None,
        static_url=STATIC_URL,
        # A trailing slash gets a 307 that says why (see problems.py), not a bare one.
        redirect_slashes=False,
        swagger_ui_parameters={"persistAuthorization": True},
        # Tracing is ours (observability.py, when OTEL_EXPORTER_OTLP_ENDPOINT is set) and
        # metrics are Prometheus: FastAPI's own telemetry would duplicate them per request.
        telemetry=NO_NATIVE_TELEMETRY,
    )
    install_swagger_ui(app, static_url=STATIC_URL)
    app.state.settings = settings
    app.state.metrics_registry, request_metrics = install_metrics(app)
    app.state.components = Components.from_settings(
        settings, on_store_error=request_metrics.rate_limit_store_failed
    )
    app.state.open_database = open_request_database
    app.state.background_jobs = [
        RepeatedJob(
            "purge-stored-objects",
            STORAGE_CLEANUP_INTERVAL_SECONDS,
            lambda: purge_stored_objects(app.state.sessionmaker, app.state.components),
        )
    ]
    app.state.client_limits = ClientLimits.from_settings(
        settings, on_refused=request_metrics.connection_refused
    )
    app.state.tracer_provider = tracer_provider(settings, span_exporter)
    install_middleware(app, settings, metrics=request_metrics)
    install_error_handling(app)
    include_v1(app)
    app.include_router(health.router)
    app.include_router(errors.router)
    app.include_router(media.router)
    app.include_router(home.router)
    if app.state.tracer_provider is not None:
        trace_app(app, app.state.tracer_provider)
    return app
