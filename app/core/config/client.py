"""Where a request comes from: the client's address, believed only through trusted proxies."""

from collections.abc import Sequence
from ipaddress import IPv4Address, IPv4Network, IPv6Address, IPv6Network, ip_address
from typing import Self

from starlette.datastructures import Headers
from starlette.types import Scope

from app.core.config.settings import Settings

Network = IPv4Network | IPv6Network


class ClientAddresses:
    """Finds the client's address of a request.

    The peer of the connection is the client, unless it is one of the trusted
    proxies: then `X-Forwarded-For` is read from the right (the hop nearest to us),
    skipping trusted proxies, and the first address that is not one is the client.
    Anyone else's `X-Forwarded-For` is ignored, loopback included unless listed.
    """

    def __init__(self, trusted_proxies: Sequence[Network] = ()) -> None:
        """Trust the `X-Forwarded-For` of peers in `trusted_proxies` (none by default)."""
        self._trusted = tuple(trusted_proxies)

    @classmethod
    def from_settings(cls, settings: Settings) -> Self:
        """Trust the proxies of `TRUSTED_PROXIES`."""
        return cls(settings.trusted_proxies)

    def of(self, scope: Scope) -> str | None:
        """The client's address, as text; None when the server was not told the peer."""
        peer = scope.get("client")
        address: str | None = peer[0] if peer else None
        if address is None or not self._trusts(address):
            return address
        forwarded = ",".join(Headers(scope=scope).getlist("x-forwarded-for"))
        for hop in reversed([hop.strip() for hop in forwarded.split(",") if hop.strip()]):
            if _parsed(hop) is None:
                break  # garbage from a client: the proxy that passed it on is all we know
            address = hop
            if not self._trusts(hop):
                break
        return address

    def _trusts(self, address: str) -> bool:
        parsed = _parsed(address)
        return parsed is not None and any(parsed in network for network in self._trusted)


def _parsed(address: str) -> IPv4Address | IPv6Address | None:
    try:
        return ip_address(address)
    except ValueError:
        return None
