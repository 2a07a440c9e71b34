"""The client's address: the peer, or X-Forwarded-For read through trusted proxies only."""

from ipaddress import ip_network

import pytest
from starlette.types import Scope

from app.core.config.client import ClientAddresses
from app.core.config.settings import Settings

PROXIES = [ip_network("10.0.0.0/8"), ip_network("fd00::/8")]


def _scope(peer: str | None, *forwarded: str) -> Scope:
    headers = [(b"x-forwarded-for", value.encode()) for value in forwarded]
    return {"type": "http", "client": (peer, 4711) if peer else None, "headers": headers}


@pytest.mark.parametrize(
    ("peer", "forwarded", "expected"),
    [
        pytest.param("203.0.113.5", [], "203.0.113.5", id="direct"),
        pytest.param("203.0.113.5", ["198.51.100.1"], "203.0.113.5", id="untrusted-peer-spoofs"),
        pytest.param("127.0.0.1", ["198.51.100.1"], "127.0.0.1", id="loopback-not-listed"),
        pytest.param("10.0.0.2", ["198.51.100.1"], "198.51.100.1", id="one-proxy"),
        pytest.param(
            "10.0.0.2",
            ["6.6.6.6, 198.51.100.1, 10.0.0.9"],
            "198.51.100.1",
            id="spoof-left-of-proxies",
        ),
        pytest.param("10.0.0.2", ["198.51.100.1", "10.0.0.9"], "198.51.100.1", id="two-headers"),
        pytest.param("10.0.0.2", ["10.0.0.3, 10.0.0.9"], "10.0.0.3", id="all-trusted"),
        pytest.param("10.0.0.2", ["not-an-address"], "10.0.0.2", id="garbage"),
        pytest.param("10.0.0.2", [], "10.0.0.2", id="proxy-without-header"),
        pytest.param("fd00::1", ["2001:db8::7"], "2001:db8::7", id="ipv6"),
        pytest.param(None, ["198.51.100.1"], None, id="no-peer"),
    ],
)
def test_the_client_is_the_first_untrusted_hop_from_the_right(
    peer: str | None, forwarded: list[str], expected: str | None
) -> None:
    assert ClientAddresses(PROXIES).of(_scope(peer, *forwarded)) == expected


def test_without_trusted_proxies_the_header_is_never_read() -> None:
    addresses = ClientAddresses.from_settings(Settings(_env_file=None))

    assert addresses.of(_scope("10.0.0.2", "198.51.100.1")) == "10.0.0.2"


def test_trusted_proxies_are_read_as_comma_separated_cidrs() -> None:
    settings = Settings(_env_file=None, trusted_proxies="10.0.0.0/8, 192.168.1.1")

    assert settings.trusted_proxies == [ip_network("10.0.0.0/8"), ip_network("192.168.1.1/32")]
    assert ClientAddresses.from_settings(settings).of(_scope("192.168.1.1", "1.2.3.4")) == "1.2.3.4"
