"""Hostile clients against a real server process: slow, oversized, too many, malformed.

Each refusal is a problem document with `Connection: close`, and the connection is
closed after it; a well-behaved client on the same server is served throughout.
"""

import json
import socket
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest

from app.core.config.http_protocol import ClientLimits
from app.core.config.settings import Settings
from tests.served_app import served_app

HEADER_TIMEOUT_SECONDS = 1
BODY_TIMEOUT_SECONDS = 1
MAX_HEADER_BYTES = 8192
MAX_HEADERS = 20
MAX_CONNECTIONS = 30
# A bound on every wait, far above the timeouts under test: never a pass criterion.
SOCKET_TIMEOUT_SECONDS = 30.0


@dataclass(frozen=True)
class Answer:
    """What came back on a connection before the server closed it."""

    status: int
    headers: dict[str, str]
    body: bytes

    def problem(self) -> dict[str, Any]:
        """The body as a problem document, after checking it is one."""
        assert self.headers["content-type"] == "application/problem+json"
        document: dict[str, Any] = json.loads(self.body)
        assert document["status"] == self.status
        assert document["request_id"] == self.headers["x-request-id"]
        return document


@pytest.fixture(scope="module")
def server(database_url: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[int]:
    """A single-worker server with small limits; its port."""
    limits = {
        "HEADER_READ_TIMEOUT_SECONDS": str(HEADER_TIMEOUT_SECONDS),
        "BODY_READ_TIMEOUT_SECONDS": str(BODY_TIMEOUT_SECONDS),
        "MAX_REQUEST_HEADER_BYTES": str(MAX_HEADER_BYTES),
        "MAX_REQUEST_HEADERS": str(MAX_HEADERS),
        "MAX_CONNECTIONS_PER_WORKER": str(MAX_CONNECTIONS),
    }
    directory = tmp_path_factory.mktemp("client-limits")
    with served_app(database_url, directory, workers=1, env=limits) as served:
        yield int(served.base_url.rsplit(":", 1)[1])


def connect(port: int) -> socket.socket:
    client = socket.create_connection(("127.0.0.1", port))
    client.settimeout(SOCKET_TIMEOUT_SECONDS)
    return client


def answer_then_close(client: socket.socket) -> Answer:
    """Read until the server closes the connection; fails if it never does."""
    received = b""
    while chunk := client.recv(65536):
        received += chunk
    client.close()
    head, _, body = received.partition(b"\r\n\r\n")
    status_line, *lines = head.decode("latin-1").split("\r\n")
    headers = {}
    for line in lines:
        name, _, value = line.partition(":")
        headers[name.strip().lower()] = value.strip()
    return Answer(int(status_line.split()[1]), headers, body)


def send(port: int, request: bytes) -> Answer:
    client = connect(port)
    client.sendall(request)
    return answer_then_close(client)


def test_headers_that_never_finish_get_408_and_the_connection_closes(server: int) -> None:
    client = connect(server)
    client.sendall(b"GET /health/live HTTP/1.1\r\nHost: test\r\nX-Slow: ")

    answer = answer_then_close(client)

    assert answer.status == 408
    assert answer.headers["connection"] == "close"
    problem = answer.problem()
    assert problem["code"] == "REQUEST_TIMEOUT"
    assert problem["instance"] == "/health/live"
    assert f"{HEADER_TIMEOUT_SECONDS:g} s" in problem["detail"]
    assert answer.headers["x-content-type-options"] == "nosniff"


def test_a_connection_that_never_asks_anything_is_closed_silently(server: int) -> None:
    client = connect(server)

    assert client.recv(65536) == b""  # closed after the header timeout, with nothing sent


def test_a_body_that_never_finishes_gets_408(server: int) -> None:
    answer = send(
        server,
        b"POST /api/v1/users HTTP/1.1\r\nHost: test\r\nContent-Type: application/json\r\n"
        b"Content-Length: 1000\r\n\r\n{",
    )

    assert answer.status == 408
    assert answer.headers["connection"] == "close"
    problem = answer.problem()
    assert problem["code"] == "REQUEST_TIMEOUT"
    assert "body" in problem["detail"]


def test_one_oversized_header_gets_431(server: int) -> None:
    answer = send(
        server,
        b"GET /health/live HTTP/1.1\r\nHost: test\r\nX-Big: "
        + b"a" * (MAX_HEADER_BYTES * 20)
        + b"\r\n\r\n",
    )

    assert answer.status == 431
    assert answer.headers["connection"] == "close"
    problem = answer.problem()
    assert problem["code"] == "REQUEST_HEADERS_TOO_LARGE"
    assert str(MAX_HEADER_BYTES) in problem["detail"]


def test_headers_over_the_byte_limit_in_one_packet_get_431(server: int) -> None:
    fields = b"".join(b"X-F%d: %s\r\n" % (i, b"v" * 1000) for i in range(MAX_HEADERS - 5))
    answer = send(server, b"GET /health/live HTTP/1.1\r\nHost: test\r\n" + fields + b"\r\n")

    assert answer.status == 431
    assert answer.problem()["code"] == "REQUEST_HEADERS_TOO_LARGE"


def test_too_many_header_fields_get_431(server: int) -> None:
    fields = b"".join(b"X-F%d: 1\r\n" % i for i in range(MAX_HEADERS + 1))
    answer = send(server, b"GET /health/live HTTP/1.1\r\nHost: test\r\n" + fields + b"\r\n")

    assert answer.status == 431
    problem = answer.problem()
    assert problem["code"] == "REQUEST_HEADERS_TOO_LARGE"
    assert str(MAX_HEADERS) in problem["detail"]


def test_a_request_line_over_8_kib_gets_414(server: int) -> None:
    answer = send(server, b"GET /health/live?q=" + b"a" * 70_000 + b" HTTP/1.1\r\nHost: t\r\n\r\n")

    assert answer.status == 414
    assert answer.problem()["code"] == "URI_TOO_LONG"


def test_what_is_not_http_gets_a_400_problem(server: int) -> None:
    answer = send(server, b"HELLO THERE\r\n\r\n")

    assert answer.status == 400
    assert answer.problem()["code"] == "BAD_REQUEST"


def test_headers_within_the_limits_are_served(server: int) -> None:
    fields = b"".join(b"X-F%d: %s\r\n" % (i, b"v" * 100) for i in range(MAX_HEADERS - 2))
    answer = send(
        server,
        b"GET /health/live HTTP/1.1\r\nHost: test\r\nConnection: close\r\n" + fields + b"\r\n",
    )

    assert answer.status == 200
    assert json.loads(answer.body) == {"status": "ok"}
    assert "server" not in answer.headers


def test_connections_past_the_cap_get_503_and_the_others_are_served(server: int) -> None:
    held = [connect(server) for _ in range(MAX_CONNECTIONS)]
    try:
        refused = send(server, b"GET /health/live HTTP/1.1\r\nHost: test\r\n\r\n")
        first = held[0]
        first.sendall(b"GET /health/live HTTP/1.1\r\nHost: test\r\nConnection: close\r\n\r\n")
        served = answer_then_close(first)
    finally:
        for client in held:
            client.close()

    assert refused.status == 503
    assert refused.headers["retry-after"] == "1"
    assert refused.problem()["code"] == "OVERLOADED"
    assert served.status == 200


def test_the_limits_are_settings() -> None:
    settings = Settings(
        jwt_secret="x" * 40,
        max_request_header_bytes=4096,
        max_request_headers=10,
        header_read_timeout_seconds=3,
        max_connections_per_worker=7,
    )

    assert ClientLimits.from_settings(settings) == ClientLimits(
        max_connections=7,
        max_header_bytes=4096,
        max_headers=10,
        header_timeout_seconds=3,
        problem_base_url="",
    )


def test_refusals_are_counted_in_the_metrics(server: int) -> None:
    send(server, b"NOT HTTP\r\n\r\n")

    scrape = send(server, b"GET /metrics HTTP/1.1\r\nHost: test\r\nConnection: close\r\n\r\n")

    assert scrape.status == 200
    assert b'http_connections_refused_total{code="BAD_REQUEST"}' in scrape.body


def test_a_large_body_sent_at_once_is_answered_not_cut(server: int) -> None:
    body = b'{"name": "' + b"x" * 300_000 + b'"}'
    request = (
        b"POST /api/v1/users HTTP/1.1\r\nHost: test\r\nContent-Type: application/json\r\n"
        b"Connection: close\r\nContent-Length: %d\r\n\r\n" % len(body)
    )

    answer = send(server, request + body)

    assert answer.status == 422
    assert answer.problem()["code"] == "VALIDATION_ERROR"


def test_keep_alive_requests_after_a_large_body_are_served(server: int) -> None:
    body = b"[" + b"1," * 100_000 + b"1]"
    head = (
        b"POST /api/v1/users HTTP/1.1\r\nHost: test\r\nContent-Type: application/json\r\n"
        b"Content-Length: %d\r\n\r\n" % len(body)
    )
    client = connect(server)
    client.sendall(head + body)
    client.sendall(b"GET /health/live HTTP/1.1\r\nHost: test\r\nConnection: close\r\n\r\n")

    received = b""
    while chunk := client.recv(65536):
        received += chunk
    client.close()

    assert received.startswith(b"HTTP/1.1 422 ")
    assert received.count(b"HTTP/1.1 ") == 2
    assert b'{"status":"ok"}' in received
