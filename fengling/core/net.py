"""Where a request came from, for the audit log (shared by the web and the API).

By default only `REMOTE_ADDR` counts: `X-Forwarded-For` is written by whoever sends the
request, so it is believed only when the direct peer is one of `TRUSTED_PROXIES`
(`FENGLING_TRUSTED_PROXIES`: addresses or networks). Then the header is read from the right,
skipping our own proxies; the first address that is not one of them is the client.
"""

from __future__ import annotations

import ipaddress
from functools import cache

from django.conf import settings

Network = ipaddress.IPv4Network | ipaddress.IPv6Network


@cache
def _networks(entries: tuple[str, ...]) -> tuple[Network, ...]:
    return tuple(ipaddress.ip_network(e.strip(), strict=False) for e in entries if e.strip())


def _parse(value: str) -> ipaddress.IPv4Address | ipaddress.IPv6Address | None:
    value = value.strip()
    if value.startswith("[") and "]" in value:  # [v6]:port
        value = value[1:value.index("]")]
    elif value.count(":") == 1:  # v4:port
        value = value.split(":", 1)[0]
    try:
        return ipaddress.ip_address(value)
    except ValueError:
        return None


def _trusted(address, networks: tuple[Network, ...]) -> bool:
    return any(address in network for network in networks)


def client_ip(request) -> str | None:
    """The client's IP address as text, or None when it cannot be told."""
    peer = _parse(request.META.get("REMOTE_ADDR", ""))
    networks = _networks(tuple(getattr(settings, "TRUSTED_PROXIES", ()) or ()))
    if peer is None or not networks or not _trusted(peer, networks):
        return str(peer) if peer is not None else None
    forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
    for hop in reversed(forwarded.split(",")):
        address = _parse(hop)
        if address is None:
            break  # a garbled hop: stop at the last address we can vouch for
        if not _trusted(address, networks):
            return str(address)
        peer = address
    return str(peer)


def user_agent(request, limit: int = 300) -> str:
    """The request's User-Agent, cut to `limit` characters (it is kept in audit data)."""
    return request.META.get("HTTP_USER_AGENT", "")[:limit]
