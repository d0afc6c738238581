"""Who is asking, for every surface: the client's real address (proxy headers count only from
PHONESVC_TRUSTED_PROXIES) and whether it lies in a configured list of networks."""

from __future__ import annotations

import ipaddress
from collections.abc import Sequence

from starlette.requests import Request

from phonesvc.config import Settings

Address = ipaddress.IPv4Address | ipaddress.IPv6Address
Network = ipaddress.IPv4Network | ipaddress.IPv6Network


def _ip(text: str) -> Address | None:
    try:
        return ipaddress.ip_address(text.strip())
    except ValueError:
        return None


def client_ip(request: Request, settings: Settings) -> Address | None:
    """The caller's address; through trusted proxies, the last address in X-Forwarded-For that is
    not itself a trusted proxy."""
    peer = _ip(request.client.host) if request.client else None
    nets = settings.proxy_networks

    def trusted(ip) -> bool:
        return ip is not None and any(ip in n for n in nets)

    if not trusted(peer):
        return peer
    hops = [h for h in request.headers.get("x-forwarded-for", "").split(",") if h.strip()]
    for hop in reversed(hops):
        ip = _ip(hop)
        if not trusted(ip):
            return ip
    return peer


def is_https(request: Request, settings: Settings) -> bool:
    """Did the browser reach us over HTTPS: directly, or through a trusted proxy that says so in
    X-Forwarded-Proto (from anyone else the header means nothing)."""
    if request.url.scheme == "https":
        return True
    peer = _ip(request.client.host) if request.client else None
    if peer is None or not any(peer in n for n in settings.proxy_networks):
        return False
    proto = request.headers.get("x-forwarded-proto", "").split(",")[-1]  # the hop nearest to us
    return proto.strip().casefold() == "https"


def inside(ip: Address | None, networks: Sequence[Network]) -> bool:
    """An empty list means anywhere; an unknown address is inside none."""
    if not networks:
        return True
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped:  # ::ffff:10.1.2.3 is 10.1.2.3
        ip = ip.ipv4_mapped
    return ip is not None and any(ip in n for n in networks)
