"""wrk, driven by a generated Lua script that rotates requests and reports its figures as JSON."""

import json
import os
import shutil
import subprocess
import tempfile
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

THREADS = 2
INSTALL_HINT = "wrk is not installed: run `sudo apt-get install -y wrk` (Debian/Ubuntu) and retry"

# {requests} is a Lua list of {method, path, headers, body}; -H headers are merged in.
_SCRIPT = """
local requests = {requests}
local prepared, position, threads = {{}}, 0, {{}}

function setup(thread)
  table.insert(threads, thread)
end

function init(args)
  statuses = {{}}
  for i, r in ipairs(requests) do
    local headers = {{}}
    for name, value in pairs(wrk.headers) do headers[name] = value end
    for name, value in pairs(r.headers) do headers[name] = value end
    prepared[i] = wrk.format(r.method, r.path, headers, r.body)
  end
{response}
end

function request()
  position = position % #prepared + 1
  return prepared[position]
end

function done(summary, latency, requests)
  local totals, codes = {{}}, {{}}
  for _, thread in ipairs(threads) do
    for code, count in pairs(thread:get("statuses") or {{}}) do
      totals[code] = (totals[code] or 0) + count
    end
  end
  for code, count in pairs(totals) do
    table.insert(codes, string.format('"%d":%d', code, count))
  end
  local e = summary.errors
  io.write(string.format(
    'WRK_RESULT {{"duration_us":%d,"requests":%d,"bytes":%d,"connect":%d,"read":%d,' ..
    '"write":%d,"status":%d,"timeout":%d,"p50_us":%d,"p90_us":%d,"p99_us":%d,' ..
    '"max_us":%d,"mean_us":%.1f,"statuses":{{%s}}}}\\n',
    summary.duration, summary.requests, summary.bytes, e.connect, e.read, e.write, e.status,
    e.timeout, latency:percentile(50), latency:percentile(90), latency:percentile(99),
    latency.max, latency.mean, table.concat(codes, ",")))
end
"""
_COUNT_STATUSES = """\
  response = function(status, headers, body)
    statuses[status] = (statuses[status] or 0) + 1
  end"""


@dataclass(frozen=True)
class HttpRequest:
    """One request wrk sends (a scenario may rotate over several)."""

    method: str
    path: str
    body: str | None = None
    headers: tuple[tuple[str, str], ...] = ()


@dataclass(frozen=True)
class Load:
    """What to send: requests rotated per connection, plus headers for all of them (-H)."""

    requests: tuple[HttpRequest, ...]
    headers: tuple[tuple[str, str], ...] = ()


@dataclass(frozen=True)
class Measurement:
    """What wrk saw in one run. Latencies in milliseconds (None when nothing completed)."""

    requests: int
    seconds: float
    p50_ms: float | None
    p90_ms: float | None
    p99_ms: float | None
    max_ms: float | None
    errors: dict[str, int] = field(default_factory=dict)
    statuses: dict[str, int] = field(default_factory=dict)

    @property
    def throughput(self) -> float:
        """Completed requests per second."""
        return self.requests / self.seconds if self.seconds else 0.0

    @property
    def error_count(self) -> int:
        """Socket errors, timeouts and responses with a status above 399."""
        return sum(self.errors.values())


def ensure_wrk() -> str:
    """The wrk executable; installed with apt-get when missing and we are root, else exit."""
    if found := shutil.which("wrk"):
        return found
    if hasattr(os, "geteuid") and os.geteuid() == 0 and shutil.which("apt-get"):
        print("wrk is missing: apt-get install -y wrk", flush=True)
        for command in (["update"], ["install", "-y", "wrk"]):
            subprocess.run(["apt-get", *command], check=False, stdout=subprocess.DEVNULL)  # noqa: S603, S607
        if found := shutil.which("wrk"):
            return found
    raise SystemExit(INSTALL_HINT)


def _lua_string(text: str | None) -> str:
    if text is None:
        return "nil"
    escaped = "".join(
        char if char.isascii() and char.isprintable() and char not in '"\\' else f"\\{byte:03d}"
        for char in text
        for byte in ([ord(char)] if char.isascii() else list(char.encode()))
    )
    return f'"{escaped}"'


def lua_script(load: Load, *, count_statuses: bool) -> str:
    """The wrk script sending `load`'s requests in turn (each thread from a random one)."""
    entries = ",\n  ".join(
        "{method=%s, path=%s, body=%s, headers={%s}}"  # noqa: UP031 - Lua braces
        % (
            _lua_string(request.method),
            _lua_string(request.path),
            _lua_string(request.body),
            ", ".join(f"[{_lua_string(k)}]={_lua_string(v)}" for k, v in request.headers),
        )
        for request in load.requests
    )
    return _SCRIPT.format(
        requests="{\n  " + entries + "\n}",
        response=_COUNT_STATUSES if count_statuses else "  response = nil",
    )


def _milliseconds(microseconds: int, requests: int) -> float | None:
    return microseconds / 1000 if requests else None


def run_wrk(
    wrk: str,
    base: str,
    load: Load,
    *,
    connections: int,
    seconds: float,
    timeout: float,
    count_statuses: bool = False,
) -> Measurement:
    """Run wrk once against `base` and read the figures its script reports."""
    with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as script:
        script.write(lua_script(load, count_statuses=count_statuses))
    try:
        headers: Sequence[str] = [
            argument for name, value in load.headers for argument in ("-H", f"{name}: {value}")
        ]
        completed = subprocess.run(  # noqa: S603 - our own arguments
            [
                wrk,
                f"-t{THREADS}",
                f"-c{connections}",
                f"-d{seconds:g}s",
                f"--timeout={timeout:g}s",
                "-s",
                script.name,
                *headers,
                base + load.requests[0].path,
            ],
            capture_output=True,
            text=True,
            check=False,
        )
    finally:
        Path(script.name).unlink()
    line = next(
        (line for line in completed.stdout.splitlines() if line.startswith("WRK_RESULT ")), None
    )
    if completed.returncode != 0 or line is None:
        raise RuntimeError(f"wrk failed ({completed.returncode}): {completed.stderr.strip()}")
    raw = json.loads(line.removeprefix("WRK_RESULT "))
    requests = int(raw["requests"])
    return Measurement(
        requests=requests,
        seconds=raw["duration_us"] / 1_000_000,
        p50_ms=_milliseconds(raw["p50_us"], requests),
        p90_ms=_milliseconds(raw["p90_us"], requests),
        p99_ms=_milliseconds(raw["p99_us"], requests),
        max_ms=_milliseconds(raw["max_us"], requests),
        errors={
            name: int(raw[name])
            for name in ("connect", "read", "write", "timeout", "status")
            if raw[name]
        },
        statuses={str(code): int(count) for code, count in raw["statuses"].items()},
    )
