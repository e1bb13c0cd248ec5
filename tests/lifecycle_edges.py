"""Stripe's PaymentIntent lifecycle written out by hand from reference/stripe-behavior.md §1.2,
so tests compare the state machine with Stripe's table rather than with itself."""

from __future__ import annotations

STRIPE_EDGES: frozenset[tuple[str, str]] = frozenset(
    {
        # T4: an update with a payment_method asks for a new confirmation.
        ("requires_payment_method", "requires_confirmation"),
        ("requires_confirmation", "requires_confirmation"),
        ("requires_action", "requires_confirmation"),
        # T5-T9: a confirm from each confirmable status; T10-T12 and T20-T23 from
        # requires_action are among them (3-D Secure, cash balance, microdeposits).
        ("requires_payment_method", "succeeded"),
        ("requires_payment_method", "requires_capture"),
        ("requires_payment_method", "requires_action"),
        ("requires_payment_method", "processing"),
        ("requires_payment_method", "requires_payment_method"),
        ("requires_confirmation", "succeeded"),
        ("requires_confirmation", "requires_capture"),
        ("requires_confirmation", "requires_action"),
        ("requires_confirmation", "processing"),
        ("requires_confirmation", "requires_payment_method"),
        ("requires_action", "succeeded"),
        ("requires_action", "requires_capture"),
        ("requires_action", "requires_action"),
        ("requires_action", "processing"),
        ("requires_action", "requires_payment_method"),
        # T13, T14: an asynchronous debit settles or fails.
        ("processing", "succeeded"),
        ("processing", "requires_payment_method"),
        # T15 capture; T19 increment_authorization.
        ("requires_capture", "succeeded"),
        ("requires_capture", "requires_capture"),
        # T17 cancel, T18 expiry.
        ("requires_payment_method", "canceled"),
        ("requires_confirmation", "canceled"),
        ("requires_action", "canceled"),
        ("requires_capture", "canceled"),
        ("processing", "canceled"),
    }
)
