"""The production proxy (dockerfiles/nginx) run for real: TLS, redirects, limits, problems.

Each proxy is Debian's nginx started on free ports with a copy of the configuration in
which only what cannot work outside compose changes: the listen ports, the paths of the
certificate (a throwaway self-signed one), the ACME webroot and the problems include,
the upstreams (HTTP servers of the test instead of `server:8000` and `storage:9000`),
`${STORAGE_HOST}` of the storage template (substituted as the nginx image does),
`http2 on;` for nginx older than 1.25.1 (the image runs 1.27), and
`client_header_timeout`, shortened to 2 s so the slow-client test need not wait 10 s.
Some tests change one limit more; they say which. nginx is required: without it the
tests fail, never skip (.ci/run installs it).
"""

import asyncio
import contextlib
import hashlib
import hmac
import json
import os
import re
import shutil
import socket
import ssl
import subprocess
import threading
import time
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl, quote, urlsplit

import httpx
import pytest
from moto import settings as moto_settings

from app.core.storage.s3 import S3Options, S3Storage
from tests.processes import free_port
from tests.s3_server import s3_server

PROJECT_ROOT = Path(__file__).resolve().parents[2]
NGINX_DIR = PROJECT_ROOT / "dockerfiles" / "nginx"
SBIN_DIRS = ("/usr/sbin", "/usr/local/sbin")
INSTALL_HINT = "nginx is not installed: run `sudo apt-get install -y nginx` (Debian/Ubuntu)"
HTTP2_DIRECTIVE_SINCE = (1, 25, 1)
HEADER_TIMEOUT_SECONDS = 2
# Bounds on waits, far above what each should take: never pass criteria.
START_TIMEOUT_SECONDS = 10.0
SOCKET_TIMEOUT_SECONDS = 30.0
HSTS = "max-age=31536000; includeSubDomains"
PROBLEM_MEMBERS = {"type", "title", "status", "detail", "instance", "code", "request_id"}
# STORAGE_HOST of the test proxies; requests for it go to 127.0.0.1 with this Host header.
STORAGE_HOST = "photos.example.test"


def nginx_executable() -> str:
    """The nginx executable, from PATH or the sbin directories; the test fails without it."""
    search_path = os.pathsep.join([os.environ.get("PATH", ""), *SBIN_DIRS])
    if found := shutil.which("nginx", path=search_path):
        return found
    pytest.fail(INSTALL_HINT, pytrace=False)


def nginx_version(executable: str) -> tuple[int, ...]:
    """The version of `executable`, from `nginx -v`."""
    output = subprocess.run(  # noqa: S603 - the nginx found above
        [executable, "-v"], check=True, capture_output=True, text=True
    ).stderr
    match = re.search(r"nginx/(\d+)\.(\d+)\.(\d+)", output)
    if match is None:
        raise RuntimeError(f"unexpected `nginx -v` output: {output!r}")
    return tuple(int(part) for part in match.groups())


@dataclass
class Seen:
    """A request an upstream received."""

    method: str
    path: str
    headers: dict[str, str]


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server: "Upstream"

    def _answer(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        if length:
            self.rfile.read(length)
        seen = Seen(self.command, self.path, {k.lower(): v for k, v in self.headers.items()})
        self.server.seen.append(seen)
        if self.server.drops:
            self.close_connection = True
            return
        if self.path == "/slow":
            self.server.release.wait(SOCKET_TIMEOUT_SECONDS)
        body = json.dumps({"path": self.path}).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        # What the app would send if it believed it served TLS: the proxy must not repeat it.
        self.send_header("Strict-Transport-Security", "max-age=1")
        self.end_headers()
        self.wfile.write(body)

    do_GET = do_POST = do_PUT = do_DELETE = _answer  # noqa: N815 - the names the base calls

    def log_message(self, format: str, *args: Any) -> None:
        """Keep the test output quiet."""


class Upstream(ThreadingHTTPServer):
    """A stand-in for the app: records each request; answers it, or drops the connection.

    `/slow` answers only once `release` is set.
    """

    daemon_threads = True

    def __init__(self, *, drops: bool = False) -> None:
        """Listen on a free port of 127.0.0.1; `drops`: close each connection unanswered."""
        super().__init__(("127.0.0.1", 0), _Handler)
        self.drops = drops
        self.seen: list[Seen] = []
        self.release = threading.Event()

    @property
    def port(self) -> int:
        """The port it listens on."""
        port: int = self.server_address[1]
        return port

    def paths(self) -> list[str]:
        """The paths of the requests received so far."""
        return [seen.path for seen in self.seen]


@contextlib.contextmanager
def running_upstream(*, drops: bool = False) -> Iterator[Upstream]:
    """An `Upstream` serving in a thread until the block ends."""
    server = Upstream(drops=drops)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield server
    finally:
        server.release.set()
        server.shutdown()
        server.server_close()


@pytest.fixture(scope="module")
def upstream() -> Iterator[Upstream]:
    """The app's stand-in behind the proxies of this module."""
    with running_upstream() as server:
        yield server


@pytest.fixture(scope="module")
def store() -> Iterator[Upstream]:
    """MinIO's stand-in behind the proxy of the `proxy` fixture."""
    with running_upstream() as server:
        yield server


@dataclass
class Proxy:
    """An nginx running the production configuration."""

    http_port: int
    https_port: int
    directory: Path
    tls: ssl.SSLContext = field(repr=False)

    @property
    def acme_webroot(self) -> Path:
        """Where certbot would write its challenges."""
        return self.directory / "acme"

    @property
    def storage_authority(self) -> str:
        """The Host header of a request for the photo host on the test's TLS port."""
        return f"{STORAGE_HOST}:{self.https_port}"

    def https(self, path: str, method: str = "GET", **kwargs: Any) -> httpx.Response:
        """Send a request for `path` over TLS, trusting the proxy's certificate."""
        with httpx.Client(verify=self.tls, timeout=SOCKET_TIMEOUT_SECONDS) as client:
            return client.request(method, f"https://127.0.0.1:{self.https_port}{path}", **kwargs)

    def storage(
        self,
        path: str,
        method: str = "GET",
        headers: Mapping[str, str] | None = None,
        **kwargs: Any,
    ) -> httpx.Response:
        """Send a request for `path` on the photo host (by its Host header) over TLS."""
        headers = {**(headers or {}), "Host": self.storage_authority}
        return self.https(path, method, headers=headers, **kwargs)

    def tls_socket(self) -> ssl.SSLSocket:
        """A TLS connection to the proxy, handshake done."""
        raw = socket.create_connection(("127.0.0.1", self.https_port), SOCKET_TIMEOUT_SECONDS)
        return self.tls.wrap_socket(raw, server_hostname="localhost")

    def send_raw(self, request: bytes) -> tuple[int, dict[str, str], bytes]:
        """Send `request` as is over TLS; the status, headers and body of the answer."""
        with self.tls_socket() as connection:
            connection.sendall(request)
            received = read_answer(connection)
        head, _, body = received.partition(b"\r\n\r\n")
        status_line, *header_lines = head.decode("latin-1").split("\r\n")
        headers = {}
        for line in header_lines:
            name, _, value = line.partition(":")
            headers[name.strip().lower()] = value.strip()
        return int(status_line.split()[1]), headers, body

    def error_log(self) -> str:
        """What nginx logged so far."""
        return (self.directory / "error.log").read_text()

    def access_log(self) -> str:
        """The requests nginx logged so far."""
        return (self.directory / "access.log").read_text()


def read_answer(connection: socket.socket) -> bytes:
    """Read until one whole answer (by its Content-Length) arrived or the peer closed.

    Returns:
        The bytes received; empty when the peer closed without answering.
    """
    received = b""
    while not _complete(received):
        try:
            chunk = connection.recv(65536)
        except ConnectionResetError:
            break
        if not chunk:
            break
        received += chunk
    return received


def _complete(received: bytes) -> bool:
    head, separator, body = received.partition(b"\r\n\r\n")
    match = re.search(rb"(?im)^content-length: *(\d+)\r?$", head)
    return bool(separator) and match is not None and len(body) >= int(match[1])


def _self_signed_certificate(directory: Path) -> None:
    directory.mkdir()
    subprocess.run(  # noqa: S603 - fixed arguments
        [  # noqa: S607 - openssl from PATH
            "openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1",
            "-nodes", "-days", "1", "-subj", "/CN=localhost",
            "-addext", "subjectAltName=DNS:localhost,IP:127.0.0.1",
            "-keyout", str(directory / "privkey.pem"), "-out", str(directory / "fullchain.pem"),
        ],
        check=True,
        capture_output=True,
    )  # fmt: skip


def _replaced(text: str, replacements: Mapping[str, str]) -> str:
    for old, new in replacements.items():
        assert old in text, f"the configuration no longer contains {old!r}: update this test"
        text = text.replace(old, new)
    return text


def proxy_configuration(
    directory: Path,
    *,
    http_port: int,
    https_port: int,
    upstreams: list[int],
    storage: int,
    version: tuple[int, ...],
    changes: Mapping[str, str] | None = None,
) -> Path:
    """Write the test copy of the configuration into `directory`.

    Args:
        directory: Where the configuration, certificate, logs and temporary files go.
        http_port: Replaces port 80.
        https_port: Replaces port 443.
        upstreams: Ports on 127.0.0.1 that replace `server:8000`, in this order.
        storage: The port on 127.0.0.1 that replaces `storage:9000`.
        version: The version of the nginx that will load it.
        changes: More replacements of api.conf (each must match), for tests of one limit.

    Returns:
        The main configuration file.
    """
    servers = "\n    ".join(
        f"server 127.0.0.1:{port} max_fails=3 fail_timeout=10s;" for port in upstreams
    )
    replacements = {
        "server server:8000 max_fails=3 fail_timeout=10s;": servers,
        "listen 80 default_server;": f"listen 127.0.0.1:{http_port} default_server;",
        "listen 443 ssl default_server;": f"listen 127.0.0.1:{https_port} ssl default_server;",
        "/etc/nginx/certs/": f"{directory}/certs/",
        "/var/www/acme": f"{directory}/acme",
        "include /etc/nginx/problems.conf;": f"include {directory}/problems.conf;",
        "client_header_timeout 10s;": f"client_header_timeout {HEADER_TIMEOUT_SECONDS}s;",
        **(changes or {}),
    }
    if version < HTTP2_DIRECTIVE_SINCE:
        replacements["    http2 on;\n"] = ""
        replacements["ssl default_server;"] = "ssl http2 default_server;"
    site = _replaced((NGINX_DIR / "api.conf").read_text(), replacements)
    (directory / "default.conf").write_text(site)
    storage_replacements = {
        "${STORAGE_HOST}": STORAGE_HOST,
        "server storage:9000;": f"server 127.0.0.1:{storage};",
        "listen 443 ssl;": f"listen 127.0.0.1:{https_port} ssl;",
        "include /etc/nginx/problems.conf;": f"include {directory}/problems.conf;",
    }
    if version < HTTP2_DIRECTIVE_SINCE:
        storage_replacements["    http2 on;\n"] = ""
    storage_site = _replaced(
        (NGINX_DIR / "storage.conf.template").read_text(), storage_replacements
    )
    assert "${" not in storage_site
    (directory / "storage.conf").write_text(storage_site)
    shutil.copy(NGINX_DIR / "problems.conf", directory / "problems.conf")
    temp_paths = "\n".join(
        f"    {kind}_temp_path {directory}/{kind};"
        for kind in ("client_body", "proxy", "fastcgi", "uwsgi", "scgi")
    )
    main = directory / "nginx.conf"
    # The http block as the nginx image's nginx.conf has it (keepalive_timeout included).
    main.write_text(
        f"""daemon off;
worker_processes 1;
pid {directory}/nginx.pid;
error_log {directory}/error.log info;
{"user root;" if os.geteuid() == 0 else ""}
events {{ worker_connections 256; }}
http {{
    default_type application/octet-stream;
    access_log {directory}/access.log;
    sendfile on;
    keepalive_timeout 65;
{temp_paths}
    include {directory}/default.conf;
    include {directory}/storage.conf;
}}
"""
    )
    return main


StartProxy = Callable[..., Proxy]


@pytest.fixture(scope="module")
def start_proxy(tmp_path_factory: pytest.TempPathFactory) -> Iterator[StartProxy]:
    """Start proxies in front of upstream ports, with optional `changes`; all stopped after."""
    executable = nginx_executable()
    version = nginx_version(executable)
    processes: list[subprocess.Popen[bytes]] = []

    def start(
        upstreams: list[int],
        changes: Mapping[str, str] | None = None,
        *,
        storage: int | None = None,
    ) -> Proxy:
        directory = tmp_path_factory.mktemp("nginx")
        _self_signed_certificate(directory / "certs")
        (directory / "acme").mkdir()
        http_port, https_port = free_port(), free_port()
        main = proxy_configuration(
            directory,
            http_port=http_port,
            https_port=https_port,
            upstreams=upstreams,
            storage=free_port() if storage is None else storage,
            version=version,
            changes=changes,
        )
        process = subprocess.Popen(  # noqa: S603 - the nginx found above
            [executable, "-p", f"{directory}/", "-c", str(main)],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.STDOUT,
        )
        processes.append(process)
        tls = ssl.create_default_context(cafile=directory / "certs" / "fullchain.pem")
        proxy = Proxy(http_port, https_port, directory, tls)
        _wait_until_listening(process, proxy)
        return proxy

    yield start
    for process in processes:
        process.terminate()
        try:
            process.wait(timeout=START_TIMEOUT_SECONDS)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def _wait_until_listening(process: "subprocess.Popen[bytes]", proxy: Proxy) -> None:
    deadline = time.monotonic() + START_TIMEOUT_SECONDS
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"nginx exited:\n{proxy.error_log()}")
        try:
            socket.create_connection(("127.0.0.1", proxy.https_port), 1).close()
            return
        except OSError:
            time.sleep(0.1)
    raise RuntimeError(f"nginx did not listen within {START_TIMEOUT_SECONDS:g} s")


@pytest.fixture(scope="module")
def proxy(start_proxy: StartProxy, upstream: Upstream, store: Upstream) -> Proxy:
    """The proxy as configured, in front of `upstream` and, for the photo host, `store`."""
    return start_proxy([upstream.port], storage=store.port)


def catalogue() -> dict[str, dict[str, Any]]:
    """The entries of errors.json by code."""
    errors = json.loads((PROJECT_ROOT / "errors.json").read_text())["errors"]
    return {entry["code"]: entry for entry in errors}


def assert_problem(
    status: int, headers: Mapping[str, str], body: bytes, *, expected_status: int, code: str
) -> dict[str, Any]:
    """Check an answer is the problem document `code`, shaped like the app's.

    Returns:
        The problem document.
    """
    assert status == expected_status, body
    assert headers["content-type"] == "application/problem+json"
    problem: dict[str, Any] = json.loads(body)
    assert problem.keys() >= PROBLEM_MEMBERS
    assert problem["status"] == expected_status
    assert problem["code"] == code
    assert problem["type"] == f"/errors/{code.lower().replace('_', '-')}"
    assert problem["request_id"] == headers["x-request-id"]
    if code in catalogue():
        assert problem["title"] == catalogue()[code]["title"]
        assert catalogue()[code]["status"] == expected_status
    return problem


def assert_response_problem(
    response: httpx.Response, *, expected_status: int, code: str
) -> dict[str, Any]:
    """`assert_problem` on an httpx response.

    Returns:
        The problem document.
    """
    return assert_problem(
        response.status_code,
        response.headers,
        response.content,
        expected_status=expected_status,
        code=code,
    )


def test_plain_http_is_redirected_to_https(proxy: Proxy, upstream: Upstream) -> None:
    response = httpx.get(f"http://127.0.0.1:{proxy.http_port}/api/v1/real-estates?page=2")

    assert response.status_code == 301
    assert response.headers["location"] == "https://127.0.0.1/api/v1/real-estates?page=2"
    assert "/api/v1/real-estates?page=2" not in upstream.paths()


def test_acme_challenges_are_served_over_plain_http(proxy: Proxy) -> None:
    challenges = proxy.acme_webroot / ".well-known" / "acme-challenge"
    challenges.mkdir(parents=True)
    (challenges / "token-1").write_text("token-1.thumbprint")
    base = f"http://127.0.0.1:{proxy.http_port}/.well-known/acme-challenge"

    found = httpx.get(f"{base}/token-1")
    missing = httpx.get(f"{base}/other")

    assert found.status_code == 200
    assert found.text == "token-1.thumbprint"
    problem = assert_response_problem(missing, expected_status=404, code="NOT_FOUND")
    assert problem["instance"] == "/.well-known/acme-challenge/other"
    assert "strict-transport-security" not in missing.headers


@pytest.mark.parametrize("path", ["/health/live", "/health/ready"])
def test_health_probes_reach_the_app_over_https(
    proxy: Proxy, upstream: Upstream, path: str
) -> None:
    response = proxy.https(path)

    assert response.status_code == 200
    assert response.json() == {"path": path}
    seen = [seen for seen in upstream.seen if seen.path == path][-1]
    assert seen.headers["x-forwarded-proto"] == "https"
    assert seen.headers["x-forwarded-for"] == "127.0.0.1"


def test_the_app_is_told_https_whatever_the_client_claims(proxy: Proxy, upstream: Upstream) -> None:
    response = proxy.https("/api/v1/claims", headers={"X-Forwarded-Proto": "http"})

    assert response.status_code == 200
    assert upstream.seen[-1].headers["x-forwarded-proto"] == "https"


def test_answers_over_tls_carry_one_hsts_header_and_no_nginx_version(proxy: Proxy) -> None:
    response = proxy.https("/health/live")

    assert response.headers.get_list("strict-transport-security") == [HSTS]
    assert response.headers["server"] == "nginx"


def test_a_safe_request_id_is_kept_and_any_other_replaced(proxy: Proxy, upstream: Upstream) -> None:
    proxy.https("/api/v1/ids", headers={"X-Request-ID": "client-id.1"})
    kept = upstream.seen[-1].headers["x-request-id"]
    proxy.https("/api/v1/ids", headers={"X-Request-ID": "not/safe"})
    replaced = upstream.seen[-1].headers["x-request-id"]

    assert kept == "client-id.1"
    assert re.fullmatch(r"[0-9a-f]{32}", replaced)


def test_metrics_are_not_found_and_never_reach_the_app(proxy: Proxy, upstream: Upstream) -> None:
    response = proxy.https("/metrics", headers={"X-Request-ID": "scraper-1"})

    problem = assert_response_problem(response, expected_status=404, code="NOT_FOUND")
    assert problem["instance"] == "/metrics"
    assert problem["request_id"] == "scraper-1"
    assert response.headers.get_list("strict-transport-security") == [HSTS]
    assert "/metrics" not in upstream.paths()


def test_a_body_over_the_limit_gets_a_413_problem(proxy: Proxy, upstream: Upstream) -> None:
    declared = str(13 * 1024 * 1024).encode()
    status, headers, body = proxy.send_raw(
        b"POST /api/v1/uploads HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\n"
        b"Content-Length: " + declared + b"\r\n\r\n{"
    )

    problem = assert_problem(status, headers, body, expected_status=413, code="PAYLOAD_TOO_LARGE")
    assert problem["detail"] == "Request bodies are limited to 12582912 bytes."
    assert problem["instance"] == "/api/v1/uploads"
    assert "/api/v1/uploads" not in upstream.paths()


def test_an_oversized_header_gets_a_431_problem(proxy: Proxy) -> None:
    response = proxy.https("/api/v1/ping", headers={"X-Padding": "a" * 9000})

    assert_response_problem(response, expected_status=431, code="REQUEST_HEADERS_TOO_LARGE")


def test_an_overlong_uri_gets_a_414_problem(proxy: Proxy) -> None:
    response = proxy.https("/api/v1/real-estates?q=" + "a" * 9000)

    assert_response_problem(response, expected_status=414, code="URI_TOO_LONG")


def test_a_malformed_request_gets_a_400_problem(proxy: Proxy) -> None:
    status, headers, body = proxy.send_raw(b"GET /health/live HTTP/1.1\r\nNo colon\r\n\r\n")

    assert_problem(status, headers, body, expected_status=400, code="BAD_REQUEST")


def test_a_client_that_never_finishes_its_headers_is_disconnected(proxy: Proxy) -> None:
    with proxy.tls_socket() as connection:
        connection.sendall(b"GET /health/live HTTP/1.1\r\nHost: localhost\r\nX-Slow: ")
        received = read_answer(connection)

    assert received == b""
    assert "client timed out" in proxy.error_log()


def test_plain_http_sent_to_the_tls_port_is_redirected(proxy: Proxy) -> None:
    response = httpx.get(f"http://127.0.0.1:{proxy.https_port}/health/live")

    assert response.status_code == 301
    assert response.headers["location"] == "https://127.0.0.1/health/live"


def test_the_problem_documents_cannot_be_asked_for(proxy: Proxy, upstream: Upstream) -> None:
    response = proxy.https("/.problems/bad-gateway")

    assert_response_problem(response, expected_status=404, code="NOT_FOUND")
    assert "retry-after" not in response.headers


def test_a_stalled_body_is_disconnected_before_reaching_the_app(
    start_proxy: StartProxy, upstream: Upstream
) -> None:
    """Against a proxy whose client_body_timeout is 2 s instead of 15 s."""
    proxy = start_proxy([upstream.port], {"client_body_timeout 15s;": "client_body_timeout 2s;"})

    with proxy.tls_socket() as connection:
        connection.sendall(
            b"POST /api/v1/stalled HTTP/1.1\r\nHost: localhost\r\n"
            b"Content-Type: application/json\r\nContent-Length: 100\r\n\r\n{"
        )
        received = read_answer(connection)

    assert received == b""
    # Logged as a 408 of which nothing was sent.
    assert '"POST /api/v1/stalled HTTP/1.1" 408 0 ' in proxy.access_log()
    assert "/api/v1/stalled" not in upstream.paths()


def test_requests_beyond_the_per_address_limit_get_a_429_problem(
    start_proxy: StartProxy, upstream: Upstream
) -> None:
    """Against a proxy that allows 1 request in progress per address instead of 100."""
    proxy = start_proxy(
        [upstream.port], {"limit_conn per_address 100;": "limit_conn per_address 1;"}
    )
    upstream.release.clear()
    with proxy.tls_socket() as slow:
        slow.sendall(b"GET /slow HTTP/1.1\r\nHost: localhost\r\n\r\n")
        _wait_for(lambda: "/slow" in upstream.paths())
        refused = proxy.https("/api/v1/second")
        upstream.release.set()
        first = read_answer(slow)

    problem = assert_response_problem(refused, expected_status=429, code="TOO_MANY_REQUESTS")
    assert refused.headers["retry-after"] == "1"
    assert problem["instance"] == "/api/v1/second"
    assert first.startswith(b"HTTP/1.1 200")
    assert "/api/v1/second" not in upstream.paths()


def test_an_unreachable_app_gets_a_502_problem(start_proxy: StartProxy) -> None:
    proxy = start_proxy([free_port()])

    response = proxy.https("/api/v1/real-estates")

    assert_response_problem(response, expected_status=502, code="BAD_GATEWAY")
    assert response.headers["retry-after"] == "5"


def test_only_idempotent_requests_are_retried_on_another_replica(
    start_proxy: StartProxy, upstream: Upstream
) -> None:
    """Behind the proxy: a replica that drops every connection unanswered, then a sound one.

    nginx takes them in turn, so of two requests one goes to the dropping replica first.
    """
    with running_upstream(drops=True) as dropping:
        proxy = start_proxy([dropping.port, upstream.port])
        posts = [proxy.https("/api/v1/users", "POST", json={}) for _ in range(2)]
        gets = [proxy.https("/api/v1/users") for _ in range(2)]

    assert sorted(response.status_code for response in posts) == [200, 502]
    assert [seen.method for seen in dropping.seen] == ["POST", "GET"]
    assert [response.status_code for response in gets] == [200, 200]
    assert [seen.method for seen in upstream.seen if seen.path == "/api/v1/users"] == [
        "POST",
        "GET",
        "GET",
    ]


def test_the_photo_host_passes_a_get_on_to_the_store_as_sent(
    proxy: Proxy, upstream: Upstream, store: Upstream
) -> None:
    path = (
        "/real-estate-photos/listings/1/a.jpg?X-Amz-Credential=k%2F20250101%2Fus&X-Amz-Signature=ab"
    )

    response = proxy.storage(path, headers={"X-Request-ID": "photo-1"})

    assert response.status_code == 200
    assert response.json() == {"path": path}
    assert response.headers.get_list("strict-transport-security") == [HSTS]
    seen = store.seen[-1]
    assert (seen.method, seen.path) == ("GET", path)
    # The Host header the browser sent, port included: the signature covers it.
    assert seen.headers["host"] == proxy.storage_authority
    assert seen.headers["x-forwarded-proto"] == "https"
    assert path not in upstream.paths()


@pytest.mark.parametrize("method", ["PUT", "POST", "DELETE", "PATCH"])
def test_the_photo_host_refuses_anything_but_downloads(
    proxy: Proxy, store: Upstream, method: str
) -> None:
    path = f"/real-estate-photos/listings/1/{method.lower()}.jpg"

    response = proxy.storage(path, method, content=b"x" * 100)

    problem = assert_response_problem(response, expected_status=403, code="FORBIDDEN")
    assert problem["instance"] == path
    assert response.headers.get_list("strict-transport-security") == [HSTS]
    assert path not in store.paths()


def test_the_photo_host_refuses_an_upload_of_a_photo_for_its_size(
    proxy: Proxy, store: Upstream
) -> None:
    """nginx weighs the declared size before the method: 413, with the host's own limit."""
    path = "/real-estate-photos/listings/1/big.jpg"
    status, headers, body = proxy.send_raw(
        b"PUT " + path.encode() + b" HTTP/1.1\r\nHost: " + proxy.storage_authority.encode()
        + b"\r\nContent-Length: 5000000\r\n\r\n\xff\xd8"
    )  # fmt: skip

    problem = assert_problem(status, headers, body, expected_status=413, code="PAYLOAD_TOO_LARGE")
    assert problem["detail"] == "Request bodies are limited to 1024 bytes."
    assert path not in store.paths()


@pytest.mark.parametrize(
    "path", ["/minio/admin/v3/info", "/minio/health/live", "/minio/v2/metrics/cluster"]
)
def test_the_photo_host_hides_minio_s_own_api(proxy: Proxy, store: Upstream, path: str) -> None:
    response = proxy.storage(path)

    assert_response_problem(response, expected_status=404, code="NOT_FOUND")
    assert path not in store.paths()


def test_the_api_host_never_routes_to_the_store(
    proxy: Proxy, upstream: Upstream, store: Upstream
) -> None:
    path = "/real-estate-photos/listings/1/api.jpg"

    response = proxy.https(path, headers={"Host": "api.example.test"})

    assert response.status_code == 200
    assert path in upstream.paths()
    assert path not in store.paths()


def test_plain_http_for_the_photo_host_is_redirected_to_https(
    proxy: Proxy, store: Upstream
) -> None:
    path = "/real-estate-photos/listings/1/plain.jpg?X-Amz-Signature=ab"

    response = httpx.get(
        f"http://127.0.0.1:{proxy.http_port}{path}", headers={"Host": STORAGE_HOST}
    )

    assert response.status_code == 301
    assert response.headers["location"] == f"https://{STORAGE_HOST}{path}"
    assert path not in store.paths()


def _presigned_url(public_endpoint_url: str, key: str, **options: Any) -> str:
    """A photo URL as the API makes it (app/core/storage/s3.py), for `public_endpoint_url`."""
    storage = S3Storage(S3Options(public_endpoint_url=public_endpoint_url, **options))
    try:
        return storage.url(key)
    finally:
        asyncio.run(storage.close())


def _through_the_proxy(proxy: Proxy, url: str) -> httpx.Response:
    """GET `url` (on the photo host) from the proxy's port of 127.0.0.1, its Host header kept."""
    parts = urlsplit(url)
    assert parts.netloc == proxy.storage_authority
    return proxy.https(f"{parts.path}?{parts.query}", headers={"Host": parts.netloc})


def _signature_is_valid(seen: Seen, secret_access_key: str) -> bool:
    """Whether the request `seen` carries a valid SigV4 query signature, as MinIO checks it.

    Computed over what the store received: method, path, query and Host header.
    """
    path, _, query = seen.path.partition("?")
    parameters = parse_qsl(query, keep_blank_values=True, strict_parsing=True)
    given = dict(parameters)
    assert given["X-Amz-Algorithm"] == "AWS4-HMAC-SHA256"
    assert given["X-Amz-SignedHeaders"] == "host"
    canonical_query = "&".join(
        f"{quote(name, safe='-_.~')}={quote(value, safe='-_.~')}"
        for name, value in sorted(parameters)
        if name != "X-Amz-Signature"
    )
    host = seen.headers["host"]
    canonical_request = "\n".join(
        [seen.method, path, canonical_query, f"host:{host}\n", "host", "UNSIGNED-PAYLOAD"]
    )
    _, *scope = given["X-Amz-Credential"].split("/")
    string_to_sign = "\n".join(
        [
            "AWS4-HMAC-SHA256",
            given["X-Amz-Date"],
            "/".join(scope),
            hashlib.sha256(canonical_request.encode()).hexdigest(),
        ]
    )
    key = f"AWS4{secret_access_key}".encode()
    for part in scope:
        key = hmac.new(key, part.encode(), hashlib.sha256).digest()
    signature = hmac.new(key, string_to_sign.encode(), hashlib.sha256).hexdigest()
    return hmac.compare_digest(signature, given["X-Amz-Signature"])


def test_a_presigned_photo_url_reaches_the_store_with_its_signature_intact(
    proxy: Proxy, store: Upstream
) -> None:
    key = "listings/1/photos/0123456789abcdef0123456789abcdef.jpg"
    url = _presigned_url(
        f"https://{proxy.storage_authority}",
        key,
        bucket="real-estate-photos",
        endpoint_url="http://storage.invalid:9000",
        access_key_id="photo-key",
        secret_access_key="photo-secret",
    )

    response = _through_the_proxy(proxy, url)

    assert response.status_code == 200
    seen = store.seen[-1]
    parts = urlsplit(url)
    assert seen.path == f"{parts.path}?{parts.query}"
    assert _signature_is_valid(seen, "photo-secret")
    # The check is not blind: the Host header without its port ($host) would fail it.
    assert not _signature_is_valid(
        Seen(seen.method, seen.path, {**seen.headers, "host": STORAGE_HOST}), "photo-secret"
    )
    assert not _signature_is_valid(seen, "another-secret")


def test_a_presigned_photo_url_loads_from_an_s3_store_through_the_photo_host(
    start_proxy: StartProxy, monkeypatch: pytest.MonkeyPatch
) -> None:
    """End to end: moto's S3 server as the store, the object put there, the URL fetched.

    moto reads the bucket from the path whatever the host, as MinIO does without
    MINIO_DOMAIN (moto would otherwise take `photos` of the host for a bucket). It does
    not check presigned signatures: the test above does.
    """
    monkeypatch.setattr(moto_settings, "S3_IGNORE_SUBDOMAIN_BUCKETNAME", True)
    photo = b"\xff\xd8\xff\xe0" + bytes(range(256)) * 64
    key = "listings/2/photos/fedcba9876543210fedcba9876543210.jpg"
    with s3_server() as server:
        client = server.client()
        client.put_object(Bucket=server.bucket, Key=key, Body=photo, ContentType="image/jpeg")
        client.close()
        proxy = start_proxy([free_port()], storage=server.port)
        url = _presigned_url(
            f"https://{proxy.storage_authority}",
            key,
            bucket=server.bucket,
            endpoint_url=server.endpoint_url,
            region=server.region,
            access_key_id=server.access_key_id,
            secret_access_key=server.secret_access_key,
        )

        response = _through_the_proxy(proxy, url)
        missing = _through_the_proxy(proxy, url.replace("fedcba", "abcdef"))

    assert response.status_code == 200
    assert response.content == photo
    assert response.headers["content-type"] == "image/jpeg"
    # The store's own answers pass through, not the proxy's problem documents.
    assert missing.status_code == 404
    assert "application/problem+json" not in missing.headers.get("content-type", "")


def _wait_for(condition: Callable[[], bool]) -> None:
    deadline = time.monotonic() + SOCKET_TIMEOUT_SECONDS
    while not condition():
        assert time.monotonic() < deadline, "timed out waiting"
        time.sleep(0.05)


def _documents() -> dict[str, dict[str, Any]]:
    """The problem documents of problems.conf by location, request values filled in."""
    text = (NGINX_DIR / "problems.conf").read_text()
    returns = re.findall(r"location = (/\.problems/[\w-]+) \{\s*return (\d+) '(.+)';", text)
    documents = {}
    for location, status, body in returns:
        filled = (
            body.replace("$problem_instance", "/x")
            .replace("$forwarded_request_id", "id")
            .replace("$problem_body_limit", "1024")
        )
        assert "$" not in filled, body
        documents[location] = {"return": int(status), **json.loads(filled)}
    return documents


def test_every_error_nginx_answers_has_a_problem_document() -> None:
    text = (NGINX_DIR / "problems.conf").read_text()
    pages = re.findall(r"error_page (\d+) (?:=(\d+) )?(/\.problems/[\w-]+);", text)
    documents = _documents()

    assert {location for *_, location in pages} == documents.keys()
    for status, replaced_by, location in pages:
        assert documents[location]["return"] == int(replaced_by or status)


def test_problem_documents_agree_with_the_catalogue() -> None:
    known = catalogue()

    for location, document in _documents().items():
        code = document["code"]
        assert location == f"/.problems/{code.lower().replace('_', '-')}"
        assert document["type"] == f"/errors/{location.removeprefix('/.problems/')}"
        assert document["status"] == document["return"]
        assert document.keys() >= PROBLEM_MEMBERS
        assert code in known, f"{code} is not in errors.json"
        assert (document["title"], document["status"]) == (
            known[code]["title"],
            known[code]["status"],
        )


@pytest.mark.parametrize(("name", "servers"), [("api.conf", 2), ("storage.conf.template", 1)])
def test_each_server_states_its_own_body_limit_in_the_413_document(name: str, servers: int) -> None:
    text = (NGINX_DIR / name).read_text()
    units = {"": 1, "k": 1024, "m": 1024 * 1024}
    [(size, unit)] = re.findall(r"^\s*client_max_body_size (\d+)([km]?);", text, flags=re.M)
    stated = re.findall(r"^\s*set \$problem_body_limit (\d+);", text, flags=re.M)

    assert stated == [str(int(size) * units[unit])] * servers
    assert len(re.findall(r"^\s*server \{", text, flags=re.M)) == servers
