"""The state machine walks Stripe's edges and refuses every other."""

from __future__ import annotations

import pytest

from payintents.domain import lifecycle
from payintents.domain.payment_intent import STATUSES, new_payment_intent
from payintents.errors import ApiError
from tests.lifecycle_edges import STRIPE_EDGES


def intent(status: str, **extra):
    pi = new_payment_intent(
        {"amount": 1000, "currency": "usd", "payment_method_types": ["card"]},
        intent_id="pi_1",
        client_secret="pi_1_secret_x",
        now=100,
        livemode=False,
        version="2026-10-28.endive",
        payment_method=None,
    )
    return {**pi, "status": status, **extra}


@pytest.mark.parametrize("status", STATUSES)
def test_confirm_only_from_confirmable(status: str) -> None:
    if status in lifecycle.CONFIRMABLE:
        lifecycle.check_can_confirm(intent(status))
    else:
        with pytest.raises(ApiError) as err:
            lifecycle.check_can_confirm(intent(status))
        assert err.value.code == "payment_intent_unexpected_state"


@pytest.mark.parametrize("status", STATUSES)
def test_cancel_only_from_cancelable(status: str) -> None:
    if status in lifecycle.CANCELABLE:
        done = lifecycle.cancel(intent(status), "duplicate", 200)
        assert (done["status"], done["canceled_at"], done["cancellation_reason"]) == (
            "canceled",
            200,
            "duplicate",
        )
        assert (status, "canceled") in STRIPE_EDGES
    else:
        with pytest.raises(ApiError):
            lifecycle.cancel(intent(status), None, 200)


@pytest.mark.parametrize("status", STATUSES)
def test_capture_only_from_requires_capture(status: str) -> None:
    pi = intent(status, amount_capturable=1000)
    if status == "requires_capture":
        done, amount = lifecycle.capture(pi, 600, {})
        assert (done["status"], done["amount_received"], done["amount_capturable"], amount) == (
            "succeeded",
            600,
            0,
            600,
        )
        assert (status, done["status"]) in STRIPE_EDGES
    else:
        with pytest.raises(ApiError) as err:
            lifecycle.capture(pi, None, {})
        assert err.value.code == "payment_intent_unexpected_state"


def test_capture_more_than_capturable() -> None:
    with pytest.raises(ApiError) as err:
        lifecycle.capture(intent("requires_capture", amount_capturable=10), 11, {})
    assert (err.value.code, err.value.param) == ("amount_too_large", "amount_to_capture")


def test_capture_keeps_no_authorization_open_without_multicapture() -> None:
    with pytest.raises(ApiError) as err:
        lifecycle.capture(
            intent("requires_capture", amount_capturable=1000), 400, {"final_capture": False}
        )
    assert (err.value.param, err.value.message) == (
        "final_capture",
        lifecycle.MULTICAPTURE_UNAVAILABLE,
    )


@pytest.mark.parametrize("status", lifecycle.CONFIRMABLE)
def test_attempt_outcomes_follow_edges(status: str) -> None:
    pi = intent(status)
    outcomes = [
        lifecycle.succeed(pi, "ch_1"),
        lifecycle.authorize_for_capture(pi, "ch_1"),
        lifecycle.start_processing(pi, "ch_1"),
        lifecycle.require_action(pi, {"type": "use_stripe_sdk"}),
        lifecycle.fail(pi, {"code": "card_declined"}, "ch_1"),
        lifecycle.await_confirmation(pi),
    ]
    for out in outcomes:
        assert (status, out["status"]) in STRIPE_EDGES
    assert outcomes[0]["amount_received"] == 1000
    assert outcomes[1]["amount_capturable"] == 1000
    assert outcomes[4]["payment_method"] is None


def test_the_state_machine_has_exactly_stripes_edges() -> None:
    """EDGES (which the property test walks) is Stripe's table: none missing, none extra."""
    assert set(lifecycle.EDGES) - STRIPE_EDGES == set()
    assert STRIPE_EDGES - set(lifecycle.EDGES) == set()


def test_terminal_states_have_no_way_out() -> None:
    for terminal in ("succeeded", "canceled"):
        assert not [edge for edge in STRIPE_EDGES | lifecycle.EDGES if edge[0] == terminal]
