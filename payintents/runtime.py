"""The long-lived collaborators a request uses: store, processor, clock, settings, vault."""

from __future__ import annotations

from dataclasses import dataclass

from payintents.clock import Clock
from payintents.config import Config
from payintents.processor import Processor
from payintents.store.base import Store
from payintents.webhooks.vault import Vault


@dataclass
class Runtime:
    config: Config
    store: Store
    clock: Clock
    processor: Processor
    # Webhook signing secrets at rest (PAYINTENTS_MASTER_KEY).
    vault: Vault
