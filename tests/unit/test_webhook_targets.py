"""Live-mode webhook targets: which addresses are internal, and how a live delivery connects
(to the address it checked, with the URL's host in Host and SNI), with the network faked
below httpcore so that a public name can be used."""

from __future__ import annotations

import asyncio
import ipaddress
from typing import Any

import httpcore
import httpx
import pytest

from payintents.domain.webhook_targets import internal_kind, literal_address
from payintents.webhooks import targets


@pytest.mark.parametrize(
    ("host", "address"),
    [
        ("2130706433", "127.0.0.1"),
        ("0x7f000001", "127.0.0.1"),
        ("0x7F.0.0.1", "127.0.0.1"),
        ("0177.0.0.1", "127.0.0.1"),
        ("127.1", "127.0.0.1"),
        ("3232235777", "192.168.1.1"),
        ("::1", "::1"),
        ("shop.example", None),
        ("cafe.be", None),
        ("", None),
    ],
)
def test_literal_addresses(host: str, address: str | None) -> None:
    found = literal_address(host)
    assert (None if found is None else str(found)) == address


@pytest.mark.parametrize(
    ("address", "kind"),
    [
        ("8.8.8.8", None),
        ("93.184.215.14", None),
        ("2606:4700::1111", None),
        ("169.254.169.254", "link-local"),
        ("::ffff:10.1.2.3", "private"),
        ("64:ff9b::7f00:1", "loopback"),
        ("2002:7f00:1::", "loopback"),
        ("fd00:ec2::254", "private"),
        ("ff02::1", "multicast"),
        ("::", "unspecified"),
        ("198.18.0.1", "private"),
        ("100.64.0.1", "non-public"),
    ],
)
def test_internal_kinds(address: str, kind: str | None) -> None:
    assert internal_kind(ipaddress.ip_address(address)) == kind


class FakeStream(httpcore.AsyncNetworkStream):
    """A connection that answers 204 to whatever it is sent, and remembers it."""

    def __init__(self, log: dict[str, Any]) -> None:
        self.log = log
        self.answered = False

    async def start_tls(self, ssl_context: Any, server_hostname: str | None = None,
                        timeout: float | None = None) -> FakeStream:  # fmt: skip
        self.log["sni"] = server_hostname
        return self

    async def write(self, buffer: bytes, timeout: float | None = None) -> None:
        self.log["sent"] = self.log.get("sent", b"") + buffer

    async def read(self, max_bytes: int, timeout: float | None = None) -> bytes:
        if self.answered:
            return b""
        self.answered = True
        return b"HTTP/1.1 204 No Content\r\nContent-Length: 0\r\n\r\n"

    async def aclose(self) -> None:
        pass

    def get_extra_info(self, info: str) -> Any:
        return None


class FakeNetwork(httpcore.AsyncNetworkBackend):
    def __init__(self) -> None:
        self.log: dict[str, Any] = {"connected": []}

    async def connect_tcp(self, host: str, port: int, *args: Any, **kwargs: Any) -> FakeStream:
        self.log["connected"].append((host, port))
        return FakeStream(self.log)


def transport_with(
    monkeypatch: pytest.MonkeyPatch, answers: list[list[str]]
) -> tuple[targets.DeliveryTransport, FakeNetwork]:
    """A delivery transport whose lookups give `answers` in turn, on a fake network."""

    async def resolve(host: str, port: int) -> list[str]:
        return answers.pop(0)

    monkeypatch.setattr(targets, "resolve", resolve)
    transport = targets.DeliveryTransport(httpx.Limits(max_connections=4), allow=())
    network = FakeNetwork()
    backend = transport.guarded._pool._network_backend
    assert isinstance(backend, targets.GuardedBackend)
    backend.inner = network  # type: ignore[assignment]
    return transport, network


async def post(transport: targets.DeliveryTransport, url: str) -> httpx.Response:
    async with httpx.AsyncClient(transport=transport, trust_env=False) as client:
        return await client.post(url, content=b"{}", extensions={targets.GUARD: True})


def test_a_live_delivery_connects_to_the_address_it_checked(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    transport, network = transport_with(monkeypatch, [["93.184.215.14"]])
    response = asyncio.run(post(transport, "https://hooks.shop.example/stripe"))
    assert response.status_code == 204
    assert network.log["connected"] == [("93.184.215.14", 443)]
    assert network.log["sni"] == "hooks.shop.example"
    assert b"\r\nHost: hooks.shop.example\r\n" in network.log["sent"]


def test_a_name_rebound_to_an_internal_address_is_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    """Loopback now (whatever it was at creation), or one public and one internal address:
    no connection is made, and the attempt says why."""
    for answers, why in (
        ([["127.0.0.1"]], "127.0.0.1, a loopback"),
        ([["93.184.215.14", "10.0.0.7"]], "10.0.0.7, a private"),
    ):
        transport, network = transport_with(monkeypatch, answers)
        with pytest.raises(httpx.ConnectError) as refused:
            asyncio.run(post(transport, "https://hooks.shop.example/stripe"))
        assert str(refused.value) == (
            f"refused: hooks.shop.example resolves to {why} address; live mode webhooks go to "
            "public addresses only (serve --webhook-allow-internal lists exceptions)"
        )
        assert network.log["connected"] == []
