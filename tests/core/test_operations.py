"""Operations, with the real lifespan: probes, Prometheus metrics, tracing and JSON logs."""

import json
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager
from typing import Any
from uuid import uuid4

import httpx
import pytest
from fastapi import FastAPI
from opentelemetry.instrumentation.asyncpg import AsyncPGInstrumentor
from opentelemetry.sdk.trace import ReadableSpan
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter
from opentelemetry.trace import SpanKind
from prometheus_client.parser import text_string_to_metric_families
from pydantic import SecretStr
from sqlalchemy.ext.asyncio import AsyncSession

from app.core.config.db.database import Database
from app.core.config.settings import Environment, Settings
from app.main import create_app
from tests.conftest import bearer, cpf_from_seed

pytestmark = pytest.mark.usefixtures("restore_logging")

LISTING_ROUTE = "/api/v1/real-estates/{listing_id}"
UNREACHABLE_URL = "postgresql+asyncpg://postgres@127.0.0.1:1/none"
PRODUCTION_SECRET = "production-like-secret-of-48-characters-abcdefgh"
LOG_PASSWORD = "an unlikely phrase for the log test"
LOG_CPF = cpf_from_seed(777_123)
LOG_CPF_FORMATTED = f"{LOG_CPF[:3]}.{LOG_CPF[3:6]}.{LOG_CPF[6:9]}-{LOG_CPF[9:]}"

Sample = tuple[str, dict[str, str], float]


@asynccontextmanager
async def running(app: FastAPI) -> AsyncIterator[httpx.AsyncClient]:
    """Start the app's lifespan and yield a client talking to it in-process."""
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://test") as client:
            yield client


def samples(exposition: str) -> list[Sample]:
    """Every sample of a Prometheus text exposition as (name, labels, value)."""
    return [
        (sample.name, sample.labels, sample.value)
        for family in text_string_to_metric_families(exposition)
        for sample in family.samples
    ]


def sample_values(exposition: str, name: str, **labels: str) -> list[float]:
    """Values of the samples called `name` whose labels include `labels`."""
    return [
        value
        for sample_name, sample_labels, value in samples(exposition)
        if sample_name == name and labels.items() <= sample_labels.items()
    ]


@pytest.fixture
def untraced() -> Iterator[None]:
    """Undo the process-wide instrumentation a traced app installs, for the next tests."""
    yield
    instrumentor = AsyncPGInstrumentor()  # type: ignore[no-untyped-call]
    if getattr(instrumentor, "_is_instrumented_by_opentelemetry", False):
        instrumentor.uninstrument()


@pytest.fixture
def production_settings(database_url: str) -> Settings:
    return Settings(
        _env_file=None,
        environment=Environment.PRODUCTION,
        database_url=SecretStr(database_url),
        jwt_secret=SecretStr(PRODUCTION_SECRET),
    )


async def test_live_answers_ok_while_the_process_runs(settings: Settings) -> None:
    app = create_app(settings)

    async with running(app) as client:
        response = await client.get("/health/live")

    assert response.status_code == 200
    assert response.json() == {"status": "ok"}


async def test_ready_answers_ok_when_the_database_answers_at_head(settings: Settings) -> None:
    app = create_app(settings)

    async with running(app) as client:
        response = await client.get("/health/ready")

    assert response.status_code == 200
    assert response.json() == {"status": "ok"}


async def test_ready_answers_a_503_problem_when_the_schema_is_not_at_head(
    settings: Settings,
) -> None:
    app = create_app(settings)

    async with running(app) as client:
        app.state.expected_head = "not-a-revision"
        response = await client.get("/health/ready")

    assert response.status_code == 503
    assert response.headers["content-type"] == "application/problem+json"
    assert response.headers["retry-after"] == "5"
    assert response.json()["code"] == "NOT_READY"
    assert "not-a-revision" in response.json()["detail"]


async def test_ready_answers_a_503_problem_when_the_database_is_unreachable(
    settings: Settings,
) -> None:
    unreachable = settings.model_copy(update={"database_url": SecretStr(UNREACHABLE_URL)})
    app = create_app(unreachable)

    async with running(app) as client:
        live = await client.get("/health/live")
        ready = await client.get("/health/ready")

    assert live.status_code == 200
    assert ready.status_code == 503
    assert ready.headers["content-type"] == "application/problem+json"
    assert ready.headers["retry-after"] == "5"
    assert ready.json()["code"] == "NOT_READY"
    assert "127.0.0.1" not in ready.text


async def test_metrics_count_requests_by_route_template_and_report_the_pool(
    settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    # One process: `serve --workers N` (as tests/core/test_cli.py runs it) sets this variable.
    monkeypatch.delenv("PROMETHEUS_MULTIPROC_DIR", raising=False)
    app = create_app(settings)
    listing_id = uuid4()

    async with running(app) as client:
        for _ in range(2):
            missing = await client.get(f"/api/v1/real-estates/{listing_id}")
            assert missing.status_code == 404
        await client.get("/health/live")
        await client.get("/health/ready")
        await client.get("/metrics")
        response = await client.get("/metrics")

    text = response.text
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/plain")
    counted = {"handler": LISTING_ROUTE, "method": "GET", "status": "404"}
    assert sample_values(text, "http_requests_total", **counted) == [2.0]
    assert str(listing_id) not in text
    assert sample_values(text, "http_request_duration_seconds_bucket", handler=LISTING_ROUTE)
    assert sample_values(text, "http_requests_inprogress", method="GET") == [0.0]
    assert sample_values(text, "db_pool_size") == [float(settings.database_pool_size)]
    assert sample_values(text, "db_pool_checked_out") == [0.0]
    handlers = {
        labels.get("handler") for name, labels, _ in samples(text) if name.startswith("http")
    }
    assert not handlers & {"/metrics", "/health/live", "/health/ready"}


def _server_span(spans: tuple[ReadableSpan, ...]) -> ReadableSpan:
    [server] = [s for s in spans if s.kind is SpanKind.SERVER and LISTING_ROUTE in s.name]
    return server


def _is_sql(span: ReadableSpan) -> bool:
    attributes = span.attributes or {}
    system = attributes.get("db.system", attributes.get("db.system.name"))
    return system == "postgresql" or span.name.startswith(("SELECT", "INSERT"))


@pytest.mark.usefixtures("untraced")
async def test_tracing_records_the_request_and_its_sql_in_one_trace(settings: Settings) -> None:
    exporter = InMemorySpanExporter()
    app = create_app(settings, span_exporter=exporter)

    async with running(app) as client:
        response = await client.get(f"/api/v1/real-estates/{uuid4()}")
        app.state.tracer_provider.force_flush()
        spans = exporter.get_finished_spans()

    assert response.status_code == 404
    server = _server_span(spans)
    assert server.context is not None
    trace_id = server.context.trace_id
    sql = [s for s in spans if _is_sql(s) and s.context and s.context.trace_id == trace_id]
    assert sql, [span.name for span in spans]


def _json_lines(output: str) -> list[dict[str, Any]]:
    return [json.loads(line) for line in output.splitlines() if line.strip()]


async def test_production_logs_one_json_access_line_per_request_without_secrets(
    production_settings: Settings, session: AsyncSession, capsys: pytest.CaptureFixture[str]
) -> None:
    app = create_app(production_settings)

    app.state.open_database = lambda _request: Database.over(session)
    signed_up = {"name": "Log Tester", "cpf": LOG_CPF_FORMATTED, "password": LOG_PASSWORD}
    credentials = {"cpf": LOG_CPF, "password": LOG_PASSWORD}

    async with running(app) as client:
        created = await client.post("/api/v1/users", json=signed_up)
        wrong = await client.post("/api/v1/sign-in", json={**credentials, "password": "nope!"})
        signed_in = await client.post("/api/v1/sign-in", json=credentials)
        token = signed_in.json()["access_token"]
        me = await client.get("/api/v1/users/me", headers=bearer(token))
        anonymous = await client.get(f"/api/v1/real-estates/{uuid4()}")
    output = capsys.readouterr().out

    assert [created.status_code, wrong.status_code, me.status_code] == [201, 401, 200]
    assert anonymous.status_code == 404
    lines = _json_lines(output)
    access = [line for line in lines if line["logger"] == "app.access"]
    assert [(line["method"], line["route"], line["status"]) for line in access] == [
        ("POST", "/api/v1/users", 201),
        ("POST", "/api/v1/sign-in", 401),
        ("POST", "/api/v1/sign-in", 200),
        ("GET", "/api/v1/users/me", 200),
        ("GET", LISTING_ROUTE, 404),
    ]
    for line in access:
        assert line["request_id"]
        assert isinstance(line["duration_ms"], int | float)
        assert line["duration_ms"] >= 0
    assert [line["user_id"] for line in access] == [None, None, None, me.json()["id"], None]
    assert access[-1]["request_id"] == anonymous.headers["x-request-id"]
    for forbidden in (LOG_PASSWORD, token, LOG_CPF, LOG_CPF_FORMATTED):
        assert forbidden not in output


@pytest.mark.usefixtures("untraced")
async def test_production_access_lines_carry_the_trace_id_when_tracing_is_on(
    production_settings: Settings, capsys: pytest.CaptureFixture[str]
) -> None:
    exporter = InMemorySpanExporter()
    app = create_app(production_settings, span_exporter=exporter)

    async with running(app) as client:
        await client.get(f"/api/v1/real-estates/{uuid4()}")
        app.state.tracer_provider.force_flush()
        spans = exporter.get_finished_spans()
    output = capsys.readouterr().out

    [access] = [line for line in _json_lines(output) if line["logger"] == "app.access"]
    server = _server_span(spans)
    assert server.context is not None
    assert access["trace_id"] == f"{server.context.trace_id:032x}"
    assert access["route"] == LISTING_ROUTE
