"""Durability: payments under load while the server is killed with SIGKILL and restarted.

Every request that was answered (2xx, or a 402 decline) is there afterwards with the state it
was answered with, or a state a later unanswered request on the same object may have reached;
and nothing is half-applied: no intent without its charge and events, no charge or event
without its intent.
"""

from __future__ import annotations

import random
import threading
import time
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

import stripe

from tests.conftest import make_client, new_key
from tests.server import ServerProcess

CLIENTS = 4
KILLS = 3
# Kills follow answered work, not a clock: a loaded machine (a restart there takes seconds)
# gets the same amount of it as an idle one. Each round answers about this many intents.
ACKED_PER_ROUND = 30
ROUND_TIMEOUT = 60.0


@dataclass
class Acked:
    """The last answer about one PaymentIntent, and the states unanswered requests after it
    may have left it in."""

    status: str
    amount_received: int
    amount_capturable: int
    latest_charge: str | None
    maybe: set[str] = field(default_factory=set)


class Ledger:
    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.acked: dict[str, Acked] = {}
        self.answered = 0
        self.lost = 0

    def answer(self, pi: Any) -> None:
        with self.lock:
            self.answered += 1
            self.acked[pi.id] = Acked(
                pi.status, pi.amount_received, pi.amount_capturable, pi.latest_charge
            )

    def unanswered(self, pi_id: str, *states: str) -> None:
        with self.lock:
            self.lost += 1
            self.acked[pi_id].maybe.update(states)


def run_flow(client: stripe.StripeClient, ledger: Ledger, rng: random.Random) -> None:
    """One payment of a random kind; stops at the first request that gets no answer."""
    amount = rng.randrange(100, 10_000)
    base = {"amount": amount, "currency": "usd", "payment_method_types": ["card"]}
    kind = rng.choice(("visa", "declined", "manual"))
    pi_id, pending = None, ()
    try:
        if kind == "visa":
            pi = client.v1.payment_intents.create(
                params={**base, "payment_method": "pm_card_visa", "confirm": True}
            )
            assert pi.status == "succeeded"
            ledger.answer(pi)
            return
        if kind == "manual":
            pi = client.v1.payment_intents.create(
                params={
                    **base,
                    "payment_method": "pm_card_visa",
                    "confirm": True,
                    "capture_method": "manual",
                }
            )
            assert pi.status == "requires_capture"
            ledger.answer(pi)
            pi_id, pending = pi.id, ("succeeded",)
            pi = client.v1.payment_intents.capture(pi.id)
            assert pi.status == "succeeded"
            ledger.answer(pi)
            return
        pi = client.v1.payment_intents.create(params=base)
        ledger.answer(pi)
        pi_id, pending = pi.id, ("requires_payment_method",)
        try:
            client.v1.payment_intents.confirm(
                pi.id, params={"payment_method": "pm_card_chargeDeclined"}
            )
            raise AssertionError("pm_card_chargeDeclined was not declined")
        except stripe.CardError as err:
            assert err.http_status == 402 and err.code == "card_declined"
            ledger.answer(err.error.payment_intent)
        pending = ("succeeded",)
        pi = client.v1.payment_intents.confirm(pi.id, params={"payment_method": "pm_card_visa"})
        assert pi.status == "succeeded"
        ledger.answer(pi)
    except stripe.APIConnectionError:
        # No answer: the request may or may not have been applied.
        if pi_id:
            ledger.unanswered(pi_id, *pending)
        time.sleep(0.05)


def everything(pages: Any) -> dict[str, Any]:
    return {obj.id: obj for obj in pages.auto_paging_iter()}


def test_sigkill_under_load_loses_no_answered_write(fresh_server: ServerProcess) -> None:
    proc = fresh_server.start()
    key = new_key()
    ledger = Ledger()
    stop = threading.Event()
    errors: list[BaseException] = []

    def load(seed: int) -> None:
        client, rng = make_client(proc, key), random.Random(seed)
        try:
            while not stop.is_set():
                run_flow(client, ledger, rng)
        except BaseException as err:
            errors.append(err)

    threads = [threading.Thread(target=load, args=(n,)) for n in range(CLIENTS)]
    for t in threads:
        t.start()

    def answered_at_least(count: int) -> None:
        deadline = time.monotonic() + ROUND_TIMEOUT
        while len(ledger.acked) < count and not errors:
            assert time.monotonic() < deadline, f"{len(ledger.acked)} answered of {count}"
            time.sleep(0.02)

    # Kill at a random moment after each round of answered work: requests are in flight.
    for n in range(KILLS):
        answered_at_least(ACKED_PER_ROUND * (n + 1))
        time.sleep(random.random() * 0.3)
        proc.kill()
        proc.start()
    answered_at_least(ACKED_PER_ROUND * (KILLS + 1))
    stop.set()
    for t in threads:
        t.join(30)
    assert not errors, errors
    assert ledger.lost >= 1, "no request was in flight at any kill: the test proved nothing"

    client = make_client(proc, key)
    intents = everything(client.v1.payment_intents.list(params={"limit": 100}))
    charges = everything(client.v1.charges.list(params={"limit": 100}))
    events: dict[str, set[str]] = defaultdict(set)
    for event in client.v1.events.list(params={"limit": 100}).auto_paging_iter():
        events[event.data.object.id].add(event.type)
    assert len(ledger.acked) >= ACKED_PER_ROUND * (KILLS + 1), ledger.answered

    # Every answered write is there, as answered or as a later unanswered request left it.
    for pi_id, acked in ledger.acked.items():
        assert pi_id in intents, f"{pi_id} was answered {acked.status} and is gone"
        pi = intents[pi_id]
        assert pi.status in {acked.status, *acked.maybe}, (pi_id, pi.status, acked)
        if pi.status not in acked.maybe:
            now = (pi.amount_received, pi.amount_capturable, pi.latest_charge)
            assert now == (acked.amount_received, acked.amount_capturable, acked.latest_charge)

    # Nothing half-applied, whether its request was answered or not.
    succeeded_charges: dict[str, int] = defaultdict(int)
    for ch in charges.values():
        assert ch.payment_intent in intents, f"{ch.id} has no intent"
        assert ch.amount == intents[ch.payment_intent].amount
        if ch.status == "succeeded":
            succeeded_charges[ch.payment_intent] += 1
    for pi_id, pi in intents.items():
        types = events[pi_id]
        assert "payment_intent.created" in types, pi_id
        charge = charges.get(pi.latest_charge) if pi.latest_charge else None
        charge_types = events[pi.latest_charge] if charge else set()
        if pi.status == "succeeded":
            assert (pi.amount_received, pi.amount_capturable) == (pi.amount, 0)
            assert charge is not None, f"{pi_id} succeeded without its charge"
            assert (charge.status, charge.captured, charge.amount_captured) == (
                "succeeded", True, pi.amount
            )  # fmt: skip
            assert "payment_intent.succeeded" in types, pi_id
            assert "charge.succeeded" in charge_types, pi_id
            if pi.capture_method == "manual":
                assert "charge.captured" in charge_types, pi_id
        elif pi.status == "requires_capture":
            assert (pi.amount_received, pi.amount_capturable) == (0, pi.amount)
            assert charge is not None and (charge.status, charge.captured) == ("succeeded", False)
            assert "payment_intent.amount_capturable_updated" in types, pi_id
            assert "charge.succeeded" in charge_types, pi_id
        else:
            assert pi.status == "requires_payment_method", (pi_id, pi.status)
            assert (pi.amount_received, pi.amount_capturable) == (0, 0)
            if pi.latest_charge:
                assert charge is not None and charge.status == "failed", pi_id
                assert "payment_intent.payment_failed" in types, pi_id
                assert "charge.failed" in charge_types, pi_id
        assert succeeded_charges[pi_id] == (pi.status in ("succeeded", "requires_capture"))
    # No event about a change that did not happen.
    for object_id, types in events.items():
        if object_id.startswith("pi_"):
            assert object_id in intents, object_id
            if "payment_intent.succeeded" in types:
                assert intents[object_id].status == "succeeded", object_id
        elif object_id.startswith("ch_"):
            assert object_id in charges, object_id
