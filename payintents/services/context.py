"""What a use case knows about the request it serves."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from payintents.runtime import Runtime
    from payintents.store.base import Store


@dataclass(frozen=True)
class Ctx:
    account: str
    livemode: bool
    # "secret" | "publishable" | "restricted"
    key_kind: str
    publishable_key: str
    request_id: str
    version: str
    now: int
    idempotency_key: str | None
    base_url: str
    runtime: Runtime
    # The account's country, where its keys' configuration names one.
    country: str | None = None
    # Who sent the request, for what Stripe infers from the client (a mandate's acceptance).
    client_ip: str | None = None
    user_agent: str | None = None

    @property
    def scope(self) -> str:
        """Objects are partitioned by account and mode."""
        return f"{self.account}/{'live' if self.livemode else 'test'}"

    @property
    def store(self) -> Store:
        return self.runtime.store
