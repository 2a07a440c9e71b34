"""Tracing (OpenTelemetry), imported only when tracing is on: see `observability`."""

from collections.abc import Iterable

from fastapi import FastAPI
from opentelemetry.exporter.otlp.proto.http.trace_exporter import OTLPSpanExporter
from opentelemetry.instrumentation.asyncpg import AsyncPGInstrumentor
from opentelemetry.instrumentation.fastapi import FastAPIInstrumentor
from opentelemetry.sdk.resources import SERVICE_NAME, Resource
from opentelemetry.sdk.trace import TracerProvider
from opentelemetry.sdk.trace.export import BatchSpanProcessor, SpanExporter

from app.core.config.settings import Settings


def tracer_provider(settings: Settings, exporter: SpanExporter | None) -> TracerProvider:
    """A provider exporting spans to `exporter`, else over OTLP to the configured endpoint.

    Args:
        settings: The app's settings (service name, OTLP endpoint).
        exporter: Where spans go instead of the OTLP endpoint (tests capture them).

    Returns:
        The provider, batching spans to the exporter.
    """
    provider = TracerProvider(resource=Resource.create({SERVICE_NAME: settings.otel_service_name}))
    if exporter is None:
        endpoint = str(settings.otel_exporter_otlp_endpoint).rstrip("/")
        exporter = OTLPSpanExporter(endpoint=f"{endpoint}/v1/traces")
    provider.add_span_processor(BatchSpanProcessor(exporter))
    return provider


def trace_app(app: FastAPI, provider: TracerProvider, *, excluded_paths: Iterable[str]) -> None:
    """Trace every request but those to `excluded_paths`."""
    FastAPIInstrumentor.instrument_app(
        app, tracer_provider=provider, excluded_urls=",".join(excluded_paths)
    )


def trace_database(provider: TracerProvider) -> None:
    """Trace every SQL statement at the driver: the ORM's and the hot reads that skip it.

    The instrumentation patches asyncpg for the whole process; statement parameters
    are not recorded.
    """
    AsyncPGInstrumentor().instrument(tracer_provider=provider)  # type: ignore[no-untyped-call]
