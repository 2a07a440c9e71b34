"""Tracing off costs nothing: building the app loads no OpenTelemetry of ours.

FastAPI itself imports the OpenTelemetry API (for its native telemetry), so
the baseline is what `import fastapi` loads; the app may add nothing to it.
"""

import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
OURS = ("opentelemetry.sdk", "opentelemetry.exporter", "opentelemetry.instrumentation")

# Prints the OpenTelemetry modules loaded by FastAPI alone, then by building the app.
PROBE = """
import json, sys
from pydantic import SecretStr

def loaded():
    return sorted(m for m in sys.modules if m.split(".")[0] == "opentelemetry")

import fastapi
baseline = loaded()
from app.core.config.settings import Settings
from app.main import create_app
create_app(Settings(
    _env_file=None,
    database_url=SecretStr("postgresql://nobody@127.0.0.1:1/none"),
    jwt_secret=SecretStr("a-secret-for-the-import-probe-0123456789"),
    otel_exporter_otlp_endpoint=sys.argv[1] or None,
))
print(json.dumps({"baseline": baseline, "after": loaded()}))
"""


def _otel_modules(endpoint: str) -> tuple[set[str], set[str]]:
    """(modules FastAPI loads, modules loaded once the app is built) in a fresh process."""
    env = {name: value for name, value in os.environ.items() if not name.startswith("OTEL_")}
    result = subprocess.run(  # noqa: S603 - our own probe, with our interpreter
        [sys.executable, "-c", PROBE, endpoint],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        check=True,
        timeout=60,
    )
    loaded = json.loads(result.stdout.splitlines()[-1])
    return set(loaded["baseline"]), set(loaded["after"])


def _ours(modules: set[str]) -> set[str]:
    return {name for name in modules if name.startswith(OURS)}


def test_building_the_app_without_tracing_imports_no_opentelemetry() -> None:
    baseline, after = _otel_modules("")

    assert after == baseline
    assert not _ours(after)


def test_building_the_app_with_tracing_imports_the_sdk_and_instrumentation() -> None:
    baseline, after = _otel_modules("http://127.0.0.1:4318")

    assert {"opentelemetry.sdk.trace", "opentelemetry.instrumentation.fastapi"} <= _ours(after)
    assert not _ours(baseline)
