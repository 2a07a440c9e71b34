"""Starting and stopping the service and the ceiling, and reading their workers' memory.

Each server runs in its own process group (and, on Linux, is told to die with the
harness), so stopping it reaches every worker and nothing outlives the benchmark.
"""

import ctypes
import os
import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parent.parent
START_TIMEOUT_SECONDS = 120
STOP_TIMEOUT_SECONDS = 20
IDLE_TIMEOUT_SECONDS = 180
IDLE_WINDOW_SECONDS = 0.5
IDLE_CPU_SHARE = 0.05  # below 5 % of a core for two windows in a row: idle
_PR_SET_PDEATHSIG = 1


@dataclass(frozen=True)
class Server:
    """A running HTTP server under test."""

    name: str
    process: subprocess.Popen[bytes]
    base: str
    log: Path


def free_port() -> int:
    """A TCP port nobody listens on right now."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _die_with_parent() -> None:
    """In the child: get SIGTERM when the harness dies, however it dies (Linux only)."""
    if sys.platform == "linux":
        ctypes.CDLL(None).prctl(_PR_SET_PDEATHSIG, signal.SIGTERM)


def _start(name: str, command: list[str], env: dict[str, str], log: Path, ready: str) -> Server:
    port = free_port()
    log.parent.mkdir(parents=True, exist_ok=True)
    with log.open("wb") as output:
        process = subprocess.Popen(  # noqa: S603 - our own commands
            [*command, "--port", str(port)],
            cwd=ROOT,
            env=env,
            stdin=subprocess.DEVNULL,
            stdout=output,
            stderr=subprocess.STDOUT,
            start_new_session=True,
            preexec_fn=_die_with_parent,  # the harness has one thread
        )
    server = Server(name, process, f"http://127.0.0.1:{port}", log)
    try:
        _wait_ready(server, ready)
    except BaseException:
        stop(server)
        raise
    return server


def _wait_ready(server: Server, path: str) -> None:
    deadline = time.monotonic() + START_TIMEOUT_SECONDS
    successes = 0
    while successes < 5:  # a few answers in a row: more than one worker is likely up
        if server.process.poll() is not None:
            tail = server.log.read_text(errors="replace")[-3000:]
            raise RuntimeError(f"{server.name} exited ({server.process.returncode}):\n{tail}")
        if time.monotonic() > deadline:
            raise RuntimeError(f"{server.name} not ready after {START_TIMEOUT_SECONDS} s")
        try:
            answered = httpx.get(server.base + path, timeout=2).status_code == 200
        except httpx.HTTPError:
            answered = False
        successes = successes + 1 if answered else 0
        time.sleep(0.1 if answered else 0.3)


def stop(server: Server) -> None:
    """Terminate the server's whole process group; kill it if it lingers."""
    for sig, wait in ((signal.SIGTERM, STOP_TIMEOUT_SECONDS), (signal.SIGKILL, 5)):
        with suppress(ProcessLookupError):
            os.killpg(server.process.pid, sig)
        try:
            server.process.wait(timeout=wait)
        except subprocess.TimeoutExpired:
            continue
        # The group may outlive its leader for a moment (workers finishing): reap them too.
        with suppress(ProcessLookupError):
            os.killpg(server.process.pid, signal.SIGKILL)
        return


@contextmanager
def service(database_url: str, *, workers: int, secret: str, log: Path) -> Iterator[Server]:
    """`python -m app serve` as in production: JSON logs at WARNING, `workers` processes."""
    env = {
        **os.environ,
        "DATABASE_URL": database_url,
        "ENVIRONMENT": "production",
        "JWT_SECRET": secret,
        "LOG_LEVEL": "WARNING",
        # The sign-in scenario posts hundreds of sign-ins a second from one address;
        # the ceiling has no limiter either (docs/benchmarks.md).
        "RATE_LIMIT_ENABLED": "false",
    }
    with tempfile.TemporaryDirectory(prefix="bench-metrics-") as metrics:
        if workers > 1:  # what `serve` would create itself, but removed afterwards
            env.setdefault("PROMETHEUS_MULTIPROC_DIR", metrics)
        command = [sys.executable, "-m", "app", "serve", "--workers", str(workers)]
        server = _start("service", command, env, log, "/health/ready")
        try:
            yield server
        finally:
            stop(server)


@contextmanager
def ceiling(dsn: str, *, workers: int, secret: str, log: Path) -> Iterator[Server]:
    """The ceiling app under uvicorn (uvloop, httptools, no access log), `workers` processes."""
    env = {**os.environ, "CEILING_DATABASE_URL": dsn, "JWT_SECRET": secret}
    command = [
        sys.executable,
        "-m",
        "uvicorn",
        "benchmarks.ceiling.app:app",
        "--host",
        "127.0.0.1",
        "--workers",
        str(workers),
        "--loop",
        "uvloop",
        "--http",
        "httptools",
        "--no-access-log",
        "--log-level",
        "warning",
    ]
    server = _start("ceiling", command, env, log, "/health/live")
    try:
        yield server
    finally:
        stop(server)


def _status_field(pid: int, name: str) -> str | None:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            key, _, value = line.partition(":")
            if key == name:
                return value.strip()
    except OSError:
        return None
    return None


def worker_pids(server: Server) -> list[int]:
    """The processes serving requests: uvicorn's worker children, or the server itself."""
    leader = server.process.pid
    children = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit() and _status_field(int(entry.name), "PPid") == str(leader):
            try:
                command = (entry / "cmdline").read_bytes()
            except OSError:
                continue
            if b"resource_tracker" not in command:
                children.append(int(entry.name))
    return sorted(children) or [leader]


def resident_mib(pid: int, field: str = "VmRSS") -> float | None:
    """A process's resident memory (VmRSS, or VmHWM for the peak) in MiB."""
    value = _status_field(pid, field)
    return int(value.split()[0]) / 1024 if value else None


def _cpu_seconds(pids: list[int]) -> float:
    ticks = 0
    for pid in pids:
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rpartition(")")[2].split()
        except OSError:
            continue
        ticks += int(fields[11]) + int(fields[12])  # utime, stime
    return ticks / os.sysconf("SC_CLK_TCK")


def wait_idle(server: Server) -> float | None:
    """Wait until the server has finished the work a previous run left queued.

    wrk stops with requests in flight (at high concurrency, a queue of them) that
    the server still answers; measuring before they drain would charge them to the
    next run. Returns the seconds waited, or None when it never went idle.
    """
    pids = [server.process.pid, *worker_pids(server)]
    started = time.monotonic()
    quiet, last = 0, _cpu_seconds(pids)
    while quiet < 2:
        if time.monotonic() - started > IDLE_TIMEOUT_SECONDS:
            return None
        time.sleep(IDLE_WINDOW_SECONDS)
        now = _cpu_seconds(pids)
        quiet = quiet + 1 if now - last < IDLE_CPU_SHARE * IDLE_WINDOW_SECONDS else 0
        last = now
    return time.monotonic() - started
