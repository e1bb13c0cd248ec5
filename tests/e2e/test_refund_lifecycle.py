"""Refunds that change after they are created: pm_card_pendingRefund (pending, then
succeeded) and pm_card_refundFail (succeeded, then failed), applied by the scheduler even
across a restart."""

from __future__ import annotations

import time
from typing import Any

import stripe

from tests.conftest import make_client
from tests.schema import assert_stripe_shape
from tests.server import ServerProcess


def paid(client: stripe.StripeClient, token: str) -> Any:
    return client.v1.payment_intents.create(
        params={
            "amount": 2000,
            "currency": "usd",
            "payment_method_types": ["card"],
            "payment_method": token,
            "confirm": True,
        }
    )


def wait_refund(client: stripe.StripeClient, refund_id: str, status: str) -> Any:
    deadline = time.time() + 10
    while True:
        refund = client.v1.refunds.retrieve(refund_id)
        if refund.status == status or time.time() > deadline:
            assert refund.status == status
            return refund
        time.sleep(0.2)


def events_about(client: stripe.StripeClient, refund_id: str) -> list[tuple[str, Any]]:
    events = client.v1.events.list(params={"limit": 100}).data
    return [
        (e.type, e.data.to_dict().get("previous_attributes"))
        for e in reversed(events)
        if e.data.object.id == refund_id
    ]


def test_refunds_that_change_later(fresh_server: ServerProcess) -> None:
    """On each store: the change is applied by the scheduler after a restart."""
    proc = fresh_server.start()
    client = make_client(proc)
    pending_pi = paid(client, "pm_card_pendingRefund")
    pending = client.v1.refunds.create(params={"payment_intent": pending_pi.id})
    assert (pending.status, pending.amount) == ("pending", 2000)
    charge = client.v1.charges.retrieve(pending_pi.latest_charge)
    assert (charge.amount_refunded, charge.refunded) == (2000, True)

    failing_pi = paid(client, "pm_card_refundFail")
    first = client.v1.refunds.create(params={"payment_intent": failing_pi.id, "amount": 500})
    second = client.v1.refunds.create(
        params={"charge": failing_pi.latest_charge, "amount": 700, "reason": "duplicate"}
    )
    assert (first.status, second.status) == ("succeeded", "succeeded")
    assert "failure_reason" not in first.to_dict()
    charge = client.v1.charges.retrieve(failing_pi.latest_charge)
    assert (charge.amount_refunded, charge.refunded) == (1200, False)

    ordinary = client.v1.refunds.create(params={"payment_intent": paid(client, "pm_card_visa").id})
    assert ordinary.status == "succeeded"

    # Stripe changes them "some time later" (a minute here): nothing yet.
    time.sleep(1.5)
    assert client.v1.refunds.retrieve(pending.id).status == "pending"
    assert client.v1.refunds.retrieve(first.id).status == "succeeded"

    proc.args = ["--clock-offset", "2m"]
    proc.restart()

    done = wait_refund(client, pending.id, "succeeded")
    assert "failure_reason" not in done.to_dict()
    assert events_about(client, pending.id) == [
        ("refund.created", None),
        ("refund.updated", {"status": "pending"}),
        ("charge.refund.updated", {"status": "pending"}),
    ]
    charge = client.v1.charges.retrieve(pending_pi.latest_charge)
    assert (charge.amount_refunded, charge.refunded) == (2000, True)

    for refund in (first, second):
        failed = wait_refund(client, refund.id, "failed")
        assert failed.failure_reason == "expired_or_canceled_card"
        assert failed.amount == refund.amount
        assert_stripe_shape(failed.to_dict())
        assert events_about(client, refund.id) == [
            ("refund.created", None),
            ("refund.updated", {"failure_reason": None, "status": "succeeded"}),
            ("refund.failed", None),
            ("charge.refund.updated", {"failure_reason": None, "status": "succeeded"}),
        ]
    # The failed refunds' money is back on the charge, which can be refunded again.
    charge = client.v1.charges.retrieve(failing_pi.latest_charge)
    assert (charge.amount_refunded, charge.refunded) == (0, False)
    listed = client.v1.refunds.list(params={"charge": charge.id}).data
    assert [(r.amount, r.status) for r in listed] == [(700, "failed"), (500, "failed")]
    again = client.v1.refunds.create(params={"charge": charge.id})
    assert (again.amount, again.status) == (2000, "succeeded")
    assert client.v1.refunds.retrieve(ordinary.id).status == "succeeded"
    assert events_about(client, ordinary.id) == [("refund.created", None)]
