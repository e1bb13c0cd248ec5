"""Where a live-mode webhook may connect: the addresses its host resolves to, each checked
(domain/webhook_targets.py), at creation and again when a delivery connects, since a name
may resolve elsewhere by then (DNS rebinding). A delivery connects to the very address that
was checked; the URL's host still goes in the Host header and TLS's SNI, and the certificate
is verified against it.
"""

from __future__ import annotations

import asyncio
import functools
import socket
import ssl
import typing
from urllib.parse import urlsplit

import httpcore
import httpx

from payintents.domain.webhook_targets import (
    allowed,
    article,
    internal_kind,
    is_local_name,
    literal_address,
    refused,
)

# Seconds a lookup at creation may take; a name that does not resolve by then is accepted
# (it is looked up again at each delivery).
CREATE_LOOKUP_TIMEOUT = 2.0
# Marks a delivery's request as one whose connection must be checked (GuardedBackend).
GUARD = "payintents.guard"


class InternalTarget(httpcore.ConnectError):
    """A delivery refused to connect: its host is, or resolves to, an internal address."""


async def resolve(host: str, port: int) -> list[str]:
    infos = await asyncio.get_running_loop().getaddrinfo(host, port, type=socket.SOCK_STREAM)
    return list(dict.fromkeys(str(info[4][0]) for info in infos))


def first_internal(host: str, addresses: list[str]) -> tuple[str, str] | None:
    """(address, kind) of the first internal address of `host`, if any."""
    if is_local_name(host):
        return host, "loopback"
    for address in addresses:
        ip = literal_address(address.split("%")[0])
        kind = "unparsable" if ip is None else internal_kind(ip)
        if kind is not None:
            return address, kind
    return None


async def check_at_creation(url: str, allow: tuple[str, ...]) -> None:
    """Refuse a live-mode URL whose host resolves to an internal address. A name that does
    not resolve (yet) is accepted: its deliveries fail until it does."""
    try:
        parts = urlsplit(url)
        host, port = parts.hostname or "", parts.port or 443
    except ValueError:
        return  # the service's check_url says what is wrong with it
    if not host or allowed(host, allow) or literal_address(host) is not None:
        return  # nothing to resolve (an address is checked by the domain's check_url)
    try:
        async with asyncio.timeout(CREATE_LOOKUP_TIMEOUT):
            addresses = await resolve(host, port)
    except (OSError, TimeoutError):
        return
    found = first_internal(host, addresses)
    if found is not None:
        raise refused(url, host, found[1], found[0])


class GuardedBackend(httpcore.AsyncNetworkBackend):
    """Connects only to public addresses (but for the allowed hosts): resolves the host,
    refuses if any of its addresses is internal, and connects to a checked one."""

    def __init__(self, allow: tuple[str, ...]) -> None:
        self.allow = allow
        self.inner = httpcore.AnyIOBackend()

    async def connect_tcp(
        self,
        host: str,
        port: int,
        timeout: float | None = None,
        local_address: str | None = None,
        socket_options: typing.Iterable[httpcore.SOCKET_OPTION] | None = None,
    ) -> httpcore.AsyncNetworkStream:
        if allowed(host, self.allow):
            return await self.inner.connect_tcp(host, port, timeout, local_address, socket_options)
        try:
            addresses = await resolve(host, port)
        except OSError as err:
            raise httpcore.ConnectError(f"cannot resolve {host}: {err}") from err
        found = first_internal(host, addresses)
        if found is not None:
            address, kind = found
            shown = f"{host} is" if address == host else f"{host} resolves to {address},"
            raise InternalTarget(
                f"refused: {shown} {article(kind)} {kind} address; live mode webhooks go to public "
                "addresses only (serve --webhook-allow-internal lists exceptions)"
            )
        last: Exception | None = None
        for address in addresses:
            try:
                return await self.inner.connect_tcp(
                    address, port, timeout, local_address, socket_options
                )
            except httpcore.ConnectError as err:
                last = err
        raise last or httpcore.ConnectError(f"{host} has no address")

    async def sleep(self, seconds: float) -> None:
        await self.inner.sleep(seconds)


@functools.cache
def ssl_context() -> ssl.SSLContext:
    """One context for every delivery connection of the process: loading the CA bundle into
    a new one takes tens of milliseconds, and a transport was built per clock advance."""
    return httpx.create_ssl_context()


class DeliveryTransport(httpx.AsyncBaseTransport):
    """Requests marked with GUARD (live-mode deliveries) go through connections that
    GuardedBackend made; the others (test mode, where local receivers are the point) through
    plain ones."""

    def __init__(self, limits: httpx.Limits, allow: tuple[str, ...]) -> None:
        context = ssl_context()
        self.plain = httpx.AsyncHTTPTransport(limits=limits, verify=context)
        self.guarded = httpx.AsyncHTTPTransport(limits=limits, verify=context)
        # httpx builds its connection pool itself; the guarded one is the same pool with
        # the checking backend.
        self.guarded._pool = httpcore.AsyncConnectionPool(
            ssl_context=context,
            max_connections=limits.max_connections,
            max_keepalive_connections=limits.max_keepalive_connections,
            keepalive_expiry=limits.keepalive_expiry,
            network_backend=GuardedBackend(allow),
        )

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        transport = self.guarded if request.extensions.get(GUARD) else self.plain
        return await transport.handle_async_request(request)

    async def aclose(self) -> None:
        await self.plain.aclose()
        await self.guarded.aclose()
