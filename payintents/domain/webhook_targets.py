"""Which hosts a live-mode webhook endpoint may post to: public ones only, so that a webhook
endpoint cannot be made to reach into the network the server runs in (its loopback, the
private network, the cloud's metadata service). Pure: the addresses a name resolves to are
looked up by webhooks/targets.py, at creation and again at every delivery.
"""

from __future__ import annotations

import ipaddress
import socket

from payintents.errors import ApiError

Address = ipaddress.IPv4Address | ipaddress.IPv6Address

# NAT64's well-known prefix: the last 32 bits are the IPv4 address it reaches.
_NAT64 = ipaddress.IPv6Network("64:ff9b::/96")


def literal_address(host: str) -> Address | None:
    """The address `host` spells, if it is one: dotted IPv4, IPv6 (without brackets), and
    the other IPv4 forms resolvers accept (`2130706433`, `0x7f000001`, `0177.0.0.1`,
    `127.1`)."""
    try:
        return ipaddress.ip_address(host)
    except ValueError:
        pass
    if host and all(c in "0123456789abcdefxABCDEFX." for c in host):
        try:
            return ipaddress.IPv4Address(socket.inet_aton(host))
        except OSError:
            return None
    return None


def _embedded_ipv4(ip: ipaddress.IPv6Address) -> ipaddress.IPv4Address | None:
    """The IPv4 address an IPv6 one stands for (IPv4-mapped, 6to4, NAT64)."""
    if ip.ipv4_mapped is not None:
        return ip.ipv4_mapped
    if ip.sixtofour is not None:
        return ip.sixtofour
    if ip in _NAT64:
        return ipaddress.IPv4Address(int(ip) & 0xFFFFFFFF)
    return None


def reached(ip: Address) -> Address:
    """The address a connection to `ip` reaches: an IPv6 one's embedded IPv4, if any."""
    embedded = _embedded_ipv4(ip) if isinstance(ip, ipaddress.IPv6Address) else None
    return embedded or ip


def internal_kind(ip: Address) -> str | None:
    """What makes `ip` an address a live webhook may not reach, or None for a public one."""
    ip = reached(ip)
    checks = (
        ("unspecified", ip.is_unspecified),
        ("loopback", ip.is_loopback),
        # 169.254.169.254, the metadata service of most clouds, is link-local.
        ("link-local", ip.is_link_local),
        ("multicast", ip.is_multicast),
        ("private", ip.is_private),
        ("reserved", ip.is_reserved),
        # Shared address space (100.64.0.0/10), documentation and benchmarking ranges...
        ("non-public", not ip.is_global),
    )
    return next((kind for kind, applies in checks if applies), None)


def is_local_name(host: str) -> bool:
    """`localhost` and names under it always mean this machine (RFC 6761)."""
    name = host.lower().rstrip(".")
    return name == "localhost" or name.endswith(".localhost")


def allowed(host: str, allow: tuple[str, ...]) -> bool:
    return host.lower().rstrip(".") in allow


def article(word: str) -> str:
    return "an" if word[0] in "aeiou" else "a"


def refused(url: str, host: str, kind: str, address: str | None = None) -> ApiError:
    what = f"{host} is" if address is None or address == host else f"{host} is {address},"
    return ApiError(
        f"Invalid URL: {url[:200]}: live mode webhook endpoints must be reachable on the "
        f"public internet, and {what} {article(kind)} {kind} address. A receiver on your own "
        "machine or network can use a test mode key.",
        param="url",
        code="url_invalid",
    )


def check_host(url: str, host: str, allow: tuple[str, ...]) -> None:
    """Refuse what `host` says without a lookup: an internal address written out, or a
    local name. Names are resolved and checked apart (webhooks/targets.py)."""
    if allowed(host, allow):
        return
    if is_local_name(host):
        raise refused(url, host, "loopback")
    ip = literal_address(host)
    kind = None if ip is None else internal_kind(ip)
    if ip is not None and kind is not None:
        raise refused(url, host, kind, str(reached(ip)))
