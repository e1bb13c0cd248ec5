"""Disputes as Stripe's test mode makes them: the dispute test cards' charges are disputed, evidence
is staged and submitted, the evidence test values win or lose, a dispute is closed."""

from __future__ import annotations

import time

import pytest
import stripe

from tests.conftest import make_client
from tests.controls import advance
from tests.schema import assert_stripe_shape


def paid(client: stripe.StripeClient, pm: str, amount: int = 2500, **extra) -> stripe.PaymentIntent:
    return client.v1.payment_intents.create(
        params={
            "amount": amount,
            "currency": "usd",
            "payment_method": pm,
            "payment_method_types": ["card"],
            "confirm": True,
            **extra,
        }
    )


def dispute_of(client: stripe.StripeClient, pi: stripe.PaymentIntent) -> stripe.Dispute:
    (dispute,) = client.v1.disputes.list(params={"payment_intent": pi.id}).data
    return dispute


def types_of(client: stripe.StripeClient) -> list[str]:
    events = client.v1.events.list(params={"type": "charge.dispute.*", "limit": 100}).data
    return [e.type for e in reversed(events)]


def wait_for_status(client: stripe.StripeClient, dispute_id: str, status: str) -> stripe.Dispute:
    deadline = time.monotonic() + 60
    while True:
        dispute = client.v1.disputes.retrieve(dispute_id)
        if dispute.status == status or time.monotonic() > deadline:
            return dispute
        time.sleep(0.5)


def test_fraudulent_chargeback(client: stripe.StripeClient) -> None:
    pi = paid(client, "pm_card_createDispute")
    assert pi.status == "succeeded"
    charge = client.v1.charges.retrieve(pi.latest_charge)
    assert charge.disputed is True
    dispute = dispute_of(client, pi)
    assert dispute.id.startswith("dp_")
    assert (dispute.status, dispute.reason, dispute.amount, dispute.currency) == (
        "needs_response",
        "fraudulent",
        2500,
        "usd",
    )
    assert dispute.charge == charge.id
    assert dispute.is_charge_refundable is False
    assert dispute.payment_method_details.to_dict() == {
        "card": {"brand": "visa", "network_reason_code": "10.4"},
        "type": "card",
    }
    details = dispute.evidence_details
    assert (details.has_evidence, details.past_due, details.submission_count) == (False, False, 0)
    assert details.due_by == dispute.created + 7 * 86400
    assert set(dispute.evidence.to_dict().values()) == {None}
    (withdrawal,) = dispute.balance_transactions
    assert (withdrawal.amount, withdrawal.fee, withdrawal.net) == (-2500, 1500, -4000)
    assert withdrawal.reporting_category == "dispute"
    assert withdrawal.type == "adjustment"
    assert withdrawal.source == dispute.id
    assert withdrawal.description == f"Chargeback withdrawal for {charge.id}"
    assert_stripe_shape(dispute.to_dict())
    assert types_of(client) == ["charge.dispute.created", "charge.dispute.funds_withdrawn"]
    created = client.v1.events.list(params={"type": "charge.dispute.created"}).data[0]
    assert created.data.object.id == dispute.id
    # Its funds are gone: the charge cannot be refunded.
    with pytest.raises(stripe.InvalidRequestError) as err:
        client.v1.refunds.create(params={"payment_intent": pi.id})
    assert (err.value.http_status, err.value.code) == (400, "charge_disputed")
    assert (
        err.value.user_message
        == f"Charge {charge.id} has been charged back; cannot issue a refund."
    )
    assert list(client.v1.refunds.list().data) == []
    assert client.v1.disputes.retrieve(dispute.id).to_dict() == dispute.to_dict()


def test_inquiry_and_product_not_received(client: stripe.StripeClient) -> None:
    inquiry_pi = paid(client, "pm_card_createDisputeInquiry", amount=100)
    inquiry = dispute_of(client, inquiry_pi)
    assert (inquiry.status, inquiry.reason, inquiry.is_charge_refundable) == (
        "warning_needs_response",
        "general",
        True,
    )
    assert inquiry.balance_transactions == []
    assert types_of(client) == ["charge.dispute.created"]
    pnr = client.v1.payment_intents.create(
        params={
            "amount": 3000,
            "currency": "eur",
            "payment_method_types": ["card"],
            "confirm": True,
            "payment_method_data": {
                "type": "card",
                "card": {"number": "4000000000002685", "exp_month": 1, "exp_year": 2040},
            },
        }
    )
    dispute = dispute_of(client, pnr)
    assert (dispute.reason, dispute.status, dispute.currency) == (
        "product_not_received",
        "needs_response",
        "eur",
    )
    assert dispute.payment_method_details.card.network_reason_code == "13.1"
    # An inquiry withdraws nothing: its charge can still be refunded.
    refund = client.v1.refunds.create(params={"payment_intent": inquiry_pi.id})
    assert refund.status == "succeeded"
    # Cards with no dispute make none.
    visa = paid(client, "pm_card_visa")
    assert client.v1.charges.retrieve(visa.latest_charge).disputed is False
    assert list(client.v1.disputes.list(params={"payment_intent": visa.id}).data) == []


def test_manual_capture_disputed_when_captured(client: stripe.StripeClient) -> None:
    pi = paid(client, "pm_card_createDispute", capture_method="manual")
    assert pi.status == "requires_capture"
    assert list(client.v1.disputes.list(params={"payment_intent": pi.id}).data) == []
    client.v1.payment_intents.capture(pi.id, params={"amount_to_capture": 2000})
    dispute = dispute_of(client, pi)
    assert (dispute.amount, dispute.status) == (2000, "needs_response")
    assert client.v1.charges.retrieve(pi.latest_charge).disputed is True


def test_staged_then_winning_evidence(client: stripe.StripeClient) -> None:
    dispute = dispute_of(client, paid(client, "pm_card_createDispute"))
    tagged = client.v1.disputes.update(dispute.id, params={"metadata": {"foo": "bar"}})
    assert (tagged.status, tagged.metadata.to_dict()) == ("needs_response", {"foo": "bar"})
    staged = client.v1.disputes.update(
        dispute.id,
        params={
            "evidence": {"customer_name": "Jenny Rosen", "product_description": "Shoes"},
            "submit": False,
        },
    )
    assert staged.status == "needs_response"
    assert staged.evidence.customer_name == "Jenny Rosen"
    assert (staged.evidence_details.has_evidence, staged.evidence_details.submission_count) == (
        True,
        0,
    )
    submitted = client.v1.disputes.update(
        dispute.id, params={"evidence": {"uncategorized_text": "winning_evidence"}}
    )
    assert submitted.status == "under_review"
    assert submitted.evidence.customer_name == "Jenny Rosen"
    assert submitted.evidence.uncategorized_text == "winning_evidence"
    assert submitted.evidence_details.submission_count == 1
    updates = client.v1.events.list(params={"type": "charge.dispute.updated"}).data
    assert updates[-1].data.previous_attributes.to_dict() == {"metadata": {"foo": None}}
    assert updates[0].data.previous_attributes.status == "needs_response"
    with pytest.raises(stripe.InvalidRequestError) as err:
        client.v1.disputes.update(dispute.id, params={"evidence": {"customer_name": "X"}})
    assert err.value.param == "evidence"
    won = wait_for_status(client, dispute.id, "won")
    assert won.status == "won"
    _, reversal = won.balance_transactions
    assert (reversal.amount, reversal.fee, reversal.net) == (2500, -1500, 4000)
    assert reversal.reporting_category == "dispute_reversal"
    assert_stripe_shape(won.to_dict())
    assert types_of(client) == [
        "charge.dispute.created",
        "charge.dispute.funds_withdrawn",
        "charge.dispute.updated",
        "charge.dispute.updated",
        "charge.dispute.updated",
        "charge.dispute.closed",
        "charge.dispute.funds_reinstated",
    ]
    closed = client.v1.events.list(params={"type": "charge.dispute.closed"}).data[0]
    assert closed.data.object.status == "won"
    assert closed.request.id is None
    with pytest.raises(stripe.InvalidRequestError) as err:
        client.v1.disputes.close(dispute.id)
    assert err.value.user_message == "This dispute is already closed (its status is won)."
    # Metadata may still change on a closed dispute.
    assert client.v1.disputes.update(dispute.id, params={"metadata": {"k": "v"}}).status == "won"


def test_losing_evidence_and_inquiry_outcomes(client: stripe.StripeClient) -> None:
    lost = dispute_of(client, paid(client, "pm_card_createDispute"))
    client.v1.disputes.update(
        lost.id, params={"evidence": {"uncategorized_text": "losing_evidence"}}
    )
    inquiry = dispute_of(client, paid(client, "pm_card_createDisputeInquiry"))
    review = client.v1.disputes.update(
        inquiry.id, params={"evidence": {"uncategorized_text": "escalate_inquiry_evidence"}}
    )
    assert review.status == "warning_under_review"
    other = dispute_of(client, paid(client, "pm_card_createDisputeInquiry"))
    client.v1.disputes.update(
        other.id, params={"evidence": {"uncategorized_text": "losing_evidence"}}
    )
    assert wait_for_status(client, lost.id, "lost").status == "lost"
    assert len(client.v1.disputes.retrieve(lost.id).balance_transactions) == 1
    escalated = wait_for_status(client, inquiry.id, "needs_response")
    assert escalated.status == "needs_response"
    assert escalated.is_charge_refundable is False
    assert [t.amount for t in escalated.balance_transactions] == [-2500]
    assert wait_for_status(client, other.id, "warning_closed").status == "warning_closed"
    withdrawn = client.v1.events.list(params={"type": "charge.dispute.funds_withdrawn"}).data
    assert sorted(e.data.object.id for e in withdrawn) == sorted([lost.id, inquiry.id])
    assert client.v1.events.list(params={"type": "charge.dispute.funds_reinstated"}).data == []


def test_advancing_the_clock_carries_disputes_to_their_outcome(server, api_key) -> None:
    """An unanswered dispute is lost once its response window ends, a submitted one decided,
    at the account's time: an advance does both before it answers, in that account only."""
    client, other = make_client(server, api_key), make_client(server)
    unanswered = dispute_of(client, paid(client, "pm_card_createDispute"))
    submitted = dispute_of(client, paid(client, "pm_card_createDispute", amount=900))
    client.v1.disputes.update(
        submitted.id, params={"evidence": {"uncategorized_text": "winning_evidence"}}
    )
    elsewhere = dispute_of(other, paid(other, "pm_card_createDispute"))
    advance(server, api_key, seconds=3600)
    assert client.v1.disputes.retrieve(submitted.id).status == "won"
    assert client.v1.disputes.retrieve(unanswered.id).status == "needs_response"
    advance(server, api_key, seconds=7 * 86400)
    lost = client.v1.disputes.retrieve(unanswered.id)
    assert lost.status == "lost"
    closed = client.v1.events.list(params={"type": "charge.dispute.closed"}).data
    assert [(e.data.object.id, e.data.object.status) for e in closed] == [
        (unanswered.id, "lost"),
        (submitted.id, "won"),
    ]
    assert other.v1.disputes.retrieve(elsewhere.id).status == "needs_response"


def test_close_accepts_the_dispute(client: stripe.StripeClient) -> None:
    dispute = dispute_of(client, paid(client, "pm_card_createDispute"))
    closed = client.v1.disputes.close(dispute.id)
    assert closed.status == "lost"
    inquiry = dispute_of(client, paid(client, "pm_card_createDisputeInquiry"))
    assert client.v1.disputes.close(inquiry.id).status == "warning_closed"
    events = client.v1.events.list(params={"type": "charge.dispute.closed"}).data
    assert sorted(e.data.object.id for e in events) == sorted([dispute.id, inquiry.id])
    with pytest.raises(stripe.InvalidRequestError) as err:
        client.v1.disputes.update(dispute.id, params={"evidence": {"customer_name": "X"}})
    assert err.value.user_message == "This dispute is already closed (its status is lost)."
    assert client.v1.disputes.retrieve(dispute.id).evidence.customer_name is None


def test_list_filters_and_errors(client: stripe.StripeClient) -> None:
    first = paid(client, "pm_card_createDispute")
    second = paid(client, "pm_card_createDisputeInquiry")
    a, b = dispute_of(client, first), dispute_of(client, second)
    assert [d.id for d in client.v1.disputes.list().data] == [b.id, a.id]
    assert [d.id for d in client.v1.disputes.list(params={"charge": first.latest_charge}).data] == [
        a.id
    ]
    assert [d.id for d in client.v1.disputes.list(params={"created": {"lt": 0}}).data] == []
    got = client.v1.disputes.list(params={"created": {"gte": a.created}, "limit": 1})
    assert got.has_more is True
    expanded = client.v1.disputes.retrieve(a.id, params={"expand": ["charge", "payment_intent"]})
    assert expanded.charge.id == first.latest_charge
    assert expanded.payment_intent.id == first.id
    with pytest.raises(stripe.InvalidRequestError) as err:
        client.v1.disputes.retrieve("dp_missing")
    assert (err.value.http_status, err.value.code, err.value.param) == (
        404,
        "resource_missing",
        "dispute",
    )
    assert err.value.user_message == "No such dispute: 'dp_missing'"
    with pytest.raises(stripe.InvalidRequestError) as err:
        client.v1.disputes.update(a.id, params={"evidence": {"receipt": "file_123"}})
    assert (err.value.http_status, err.value.param) == (404, "evidence[receipt]")
    assert err.value.user_message == "No such file upload: 'file_123'"
    with pytest.raises(stripe.InvalidRequestError) as err:
        client.v1.disputes.update(a.id, params={"evidence": {"shipping_carrier": "x" * 5001}})
    assert err.value.param == "evidence[shipping_carrier]"
    assert client.v1.disputes.retrieve(a.id).status == "needs_response"
