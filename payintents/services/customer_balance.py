"""A customer's cash balance and the `customer_balance` payments it funds.

The balance (per currency) and its reconciliation settings live in the customer's private
data; every movement is a customer_cash_balance_transaction. A customer_balance payment
succeeds at once when the balance covers it; otherwise it waits in requires_action with
bank transfer instructions while funds arrive. With automatic reconciliation (the default)
arriving funds are applied to the customer's waiting payments by Stripe's documented
priority: the one whose reference the transfer quotes (not for Japan), then the smallest
group of up to five whose remaining amounts add up exactly, then the oldest first. With
manual reconciliation funds stay in the balance until `apply_customer_balance`.

Locks are taken payment intents first, then the customer, on every path, so two
transactions never wait for each other in opposite orders.
"""

from __future__ import annotations

import itertools
from typing import Any

from payintents.domain import bank_transfer, lifecycle, money
from payintents.domain.charge import new_charge, payment_method_details
from payintents.domain.ids import new_id
from payintents.domain.payment_intent import PaymentIntent
from payintents.errors import ApiError, resource_missing, unexpected_state
from payintents.services import hosted_pages
from payintents.services.common import check_intent_id, emit, load, load_for_update, page
from payintents.services.context import Ctx
from payintents.store.base import Page, PageQuery, Record, Tx

OPTIONS = "payment_method_options[customer_balance]"
# Waiting payments considered per funding: the oldest ones (keeps a funding's cost bounded).
CANDIDATES = 100
# Stripe matches exact-amount groups of up to five payments; the search looks at the oldest
# twenty so that it stays cheap (at most 21,700 groups).
GROUP_MAX = 5
GROUP_SEARCH = 20

NO_CUSTOMER = (
    "A customer is required to use the customer_balance payment method: create or update the "
    "PaymentIntent with `customer`."
)
CHARGE_OUTCOME = {
    "network_status": "approved_by_network",
    "reason": None,
    "risk_level": "not_assessed",
    "seller_message": "Payment complete.",
    "type": "authorized",
}


# -- settings and the cash_balance object -----------------------------------------------


def settings_from(params: dict[str, Any]) -> dict[str, Any] | None:
    """`cash_balance[settings][reconciliation_mode]` of a customer create/update, if given."""
    mode = ((params.get("cash_balance") or {}).get("settings") or {}).get("reconciliation_mode")
    if mode is None:
        return None
    if mode == "merchant_default":
        return {"reconciliation_mode": "automatic", "using_merchant_default": True}
    return {"reconciliation_mode": mode, "using_merchant_default": False}


def _state(private: dict[str, Any]) -> dict[str, Any]:
    """The customer's cash balance: `available` (None until first funded) and settings."""
    state = dict(private.get("cash_balance") or {})
    state.setdefault("available", None)
    state.setdefault("reconciliation_mode", "automatic")
    state.setdefault("using_merchant_default", True)
    return state


def cash_balance_object(
    customer_id: str, private: dict[str, Any], livemode: bool
) -> dict[str, Any]:
    state = _state(private)
    return {
        "object": "cash_balance",
        "available": state["available"],
        "customer": customer_id,
        "livemode": livemode,
        "settings": {
            "reconciliation_mode": state["reconciliation_mode"],
            "using_merchant_default": state["using_merchant_default"],
        },
    }


def retrieve(ctx: Ctx, customer_id: str) -> dict[str, Any]:
    with ctx.store.read() as tx:
        record = load(tx, ctx, "customer", customer_id, param="customer")
    return cash_balance_object(customer_id, record.private, ctx.livemode)


def update(ctx: Ctx, customer_id: str, params: dict[str, Any]) -> dict[str, Any]:
    """POST /v1/customers/:id/cash_balance: change the reconciliation settings."""
    settings = settings_from({"cash_balance": params})
    with ctx.store.write() as tx:
        record = load_for_update(tx, ctx, "customer", customer_id, param="customer")
        private = record.private
        if settings is not None:
            private = {**private, "cash_balance": {**_state(private), **settings}}
            tx.update("customer", ctx.scope, record.data, private)
    return cash_balance_object(customer_id, private, ctx.livemode)


def list_transactions(ctx: Ctx, customer_id: str, params: dict[str, Any]) -> Page:
    with ctx.store.read() as tx:
        load(tx, ctx, "customer", customer_id, param="customer")
        return page(tx, ctx, "cash_balance_transaction", params, {"customer": customer_id})


def retrieve_transaction(ctx: Ctx, customer_id: str, transaction_id: str) -> dict[str, Any]:
    with ctx.store.read() as tx:
        load(tx, ctx, "customer", customer_id, param="customer")
        record = tx.get("cash_balance_transaction", ctx.scope, transaction_id)
    if record is None or record.data["customer"] != customer_id:
        raise resource_missing("customer_cash_balance_transaction", transaction_id, "transaction")
    return record.data


# -- the ledger -----------------------------------------------------------------------------


class _Balance:
    """A locked customer's cash balance, changed in memory and saved once."""

    def __init__(self, tx: Tx, ctx: Ctx, record: Record) -> None:
        self.tx, self.ctx, self.record = tx, ctx, record
        self.state = _state(record.private)
        self.available: dict[str, int] = dict(self.state["available"] or {})
        # The transaction `move` recorded last.
        self.last: dict[str, Any] = {}

    @property
    def automatic(self) -> bool:
        return self.state["reconciliation_mode"] == "automatic"

    def get(self, currency: str) -> int:
        return self.available.get(currency, 0)

    def move(self, currency: str, amount: int, type: str, detail: dict[str, Any]) -> None:
        """Change the balance by `amount` and record the transaction (and its event)."""
        self.available[currency] = self.get(currency) + amount
        transaction = {
            "id": new_id("ccsbtxn"),
            "object": "customer_cash_balance_transaction",
            "created": self.ctx.now,
            "currency": currency,
            "customer": self.record.data["id"],
            "ending_balance": self.available[currency],
            "livemode": self.ctx.livemode,
            "net_amount": amount,
            "type": type,
            type: detail,
        }
        self.tx.insert("cash_balance_transaction", self.ctx.scope, transaction)
        emit(self.tx, self.ctx, "customer_cash_balance_transaction.created", transaction)
        self.last = transaction

    def save(self) -> None:
        state = {**self.state, "available": self.available}
        private = {**self.record.private, "cash_balance": state}
        self.tx.update("customer", self.ctx.scope, self.record.data, private)
        self.record = Record(self.record.data, private, self.record.seq)

    def object(self) -> dict[str, Any]:
        return cash_balance_object(self.record.data["id"], self.record.private, self.ctx.livemode)


def _lock_customer(tx: Tx, ctx: Ctx, customer_id: str) -> _Balance:
    record = tx.get_for_update("customer", ctx.scope, customer_id)
    if record is None:
        raise resource_missing("customer", customer_id, "customer")
    return _Balance(tx, ctx, record)


# -- waiting payments ----------------------------------------------------------------------


def _remaining(intent: PaymentIntent, private: dict[str, Any]) -> int:
    return intent["amount"] - (private.get("customer_balance") or {}).get("applied", 0)


def _waiting(intent: PaymentIntent) -> bool:
    action = intent.get("next_action") or {}
    return (
        intent["status"] == "requires_action"
        and action.get("type") == "display_bank_transfer_instructions"
    )


def _apply(
    tx: Tx, ctx: Ctx, balance: _Balance, record: Record, amount: int
) -> tuple[PaymentIntent, dict[str, Any]]:
    """Move `amount` from the balance to the payment: partially funded, or succeeded."""
    intent = record.data
    private = dict(record.private)
    funding = dict(private.get("customer_balance") or {})
    funding["applied"] = funding.get("applied", 0) + amount
    private["customer_balance"] = funding
    balance.move(
        intent["currency"], -amount, "applied_to_payment", {"payment_intent": intent["id"]}
    )
    remaining = intent["amount"] - funding["applied"]
    if remaining > 0:
        action = intent["next_action"]
        instructions = {**action["display_bank_transfer_instructions"]}
        instructions["amount_remaining"] = remaining
        intent = {
            **intent,
            "next_action": {**action, "display_bank_transfer_instructions": instructions},
        }
        tx.update("payment_intent", ctx.scope, intent, private)
        emit(tx, ctx, "payment_intent.partially_funded", intent)
        return intent, private
    pm_record = tx.get("payment_method", ctx.scope, intent["payment_method"])
    pm = pm_record.data if pm_record else {"id": intent["payment_method"]}
    charge = new_charge(
        charge_id=new_id("ch"),
        intent=intent,
        pm={"billing_details": None, **pm},
        now=ctx.now,
        status="succeeded",
        captured=True,
        outcome=dict(CHARGE_OUTCOME),
        details=payment_method_details(
            {"type": "customer_balance", "customer_balance": {}},
            amount=intent["amount"],
            capture_before=None,
            checks=None,
            three_d_secure=None,
            incremental=False,
            network_transaction_id=None,
            authorization_code=None,
        ),
    )
    tx.insert("charge", ctx.scope, charge, {"processor_ref": "customer_balance"})
    emit(tx, ctx, "charge.succeeded", charge)
    intent = lifecycle.succeed(intent, charge["id"])
    tx.update("payment_intent", ctx.scope, intent, {**private, "due_at": None})
    emit(tx, ctx, "payment_intent.succeeded", intent)
    return intent, private


# -- confirm --------------------------------------------------------------------------------


def _transfer_options(intent: PaymentIntent) -> tuple[str | None, dict[str, Any]]:
    options = (intent.get("payment_method_options") or {}).get("customer_balance") or {}
    return options.get("funding_type"), options.get("bank_transfer") or {}


def _check_transfer(intent: PaymentIntent, transfer: dict[str, Any]) -> str:
    """The bank transfer type, checked against the payment's currency."""
    kind = transfer.get("type")
    if kind is None:
        raise ApiError(
            f"Missing required param: {OPTIONS}[bank_transfer][type].",
            code="parameter_missing",
            param=f"{OPTIONS}[bank_transfer][type]",
        )
    currency = bank_transfer.CURRENCY_OF[kind]
    if intent["currency"] != currency:
        raise ApiError(
            f"The bank transfer type {kind} can only be used for payments in "
            f"{currency.upper()}, but this PaymentIntent's currency is "
            f"{intent['currency'].upper()}.",
            param=f"{OPTIONS}[bank_transfer][type]",
        )
    if kind == "eu_bank_transfer" and not (transfer.get("eu_bank_transfer") or {}).get("country"):
        raise ApiError(
            f"Missing required param: {OPTIONS}[bank_transfer][eu_bank_transfer][country].",
            code="parameter_missing",
            param=f"{OPTIONS}[bank_transfer][eu_bank_transfer][country]",
        )
    offered = bank_transfer.ADDRESS_TYPES[kind]
    for requested in transfer.get("requested_address_types") or []:
        if requested not in offered:
            raise ApiError(
                f"The address type {requested} is not available for {kind}; it offers "
                f"{', '.join(offered)}.",
                param=f"{OPTIONS}[bank_transfer][requested_address_types]",
            )
    return kind


def _instructions(
    ctx: Ctx, intent: PaymentIntent, kind: str, transfer: dict[str, Any], remaining: int
) -> dict[str, Any]:
    country = (transfer.get("eu_bank_transfer") or {}).get("country")
    return {
        "type": "display_bank_transfer_instructions",
        "display_bank_transfer_instructions": {
            "amount_remaining": remaining,
            "currency": intent["currency"],
            "financial_addresses": bank_transfer.financial_addresses(
                kind,
                ctx.scope,
                intent["customer"],
                country,
                transfer.get("requested_address_types") or [],
            ),
            "hosted_instructions_url": hosted_pages.link(ctx, hosted_pages.BANK_TRANSFER, intent),
            "reference": bank_transfer.reference_for(kind, intent["id"]),
            "type": kind,
        },
    }


def confirm_in(
    tx: Tx, ctx: Ctx, record: Record, intent: PaymentIntent
) -> tuple[PaymentIntent, ApiError | None]:
    """Confirm a customer_balance payment: paid from the balance, or waiting for a transfer.

    `intent` carries the confirm's changes (payment method, options); `record` is the stored
    intent, locked.
    """
    if not intent.get("customer"):
        raise ApiError(NO_CUSTOMER, param="customer", payment_intent=record.data)
    funding_type, transfer = _transfer_options(intent)
    kind = _check_transfer(intent, transfer) if transfer else None
    balance = _lock_customer(tx, ctx, intent["customer"])
    private = {k: v for k, v in record.private.items() if k != "authenticated"}
    remaining = _remaining(intent, private)
    available = balance.get(intent["currency"])
    if available < remaining and funding_type != "bank_transfer":
        raise ApiError(
            "The customer's cash balance does not cover this payment, so "
            f"{OPTIONS}[funding_type] must be bank_transfer for the customer to send the rest.",
            param=f"{OPTIONS}[funding_type]",
            payment_intent=record.data,
        )
    if available < remaining and kind is None:
        kind = _check_transfer(intent, transfer)
    if kind is not None:
        private["customer_balance"] = {
            **(private.get("customer_balance") or {}),
            "reference": bank_transfer.reference_for(kind, intent["id"]),
        }
    if available >= remaining:
        intent = {**intent, "next_action": None}
        intent, _ = _apply(tx, ctx, balance, Record(intent, private, record.seq), remaining)
        balance.save()
        return intent, None
    assert kind is not None
    intent = lifecycle.require_action(intent, _instructions(ctx, intent, kind, transfer, remaining))
    tx.update("payment_intent", ctx.scope, intent, {**private, "due_at": None})
    emit(tx, ctx, "payment_intent.requires_action", intent)
    if balance.automatic and available > 0:
        # Automatic reconciliation puts funds already in the balance toward the new payment.
        intent, _ = _apply(tx, ctx, balance, Record(intent, private, record.seq), available)
        balance.save()
    return intent, None


# -- funding (test helper) and reconciliation ----------------------------------------------


def _candidates(tx: Tx, ctx: Ctx, customer_id: str, currency: str) -> list[Record]:
    """The customer's payments waiting for funds in this currency, oldest first, locked."""
    query = PageQuery(
        limit=CANDIDATES,
        filters={"customer": customer_id, "status": "requires_action", "currency": currency},
        before=(-1, -1),
    )
    found = [r.data["id"] for r in tx.page("payment_intent", ctx.scope, query).records]
    locked = []
    for intent_id in sorted(found):
        record = tx.get_for_update("payment_intent", ctx.scope, intent_id)
        if record is not None and _waiting(record.data):
            locked.append(record)
    return sorted(locked, key=lambda r: (r.data["created"], r.seq))


def _plan(
    candidates: list[Record], funds: int, reference: str | None, currency: str
) -> list[tuple[int, int]]:
    """(candidate index, amount) applications for `funds`, by Stripe's reconciliation order."""
    remaining = [_remaining(r.data, r.private) for r in candidates]
    plan: list[tuple[int, int]] = []
    if reference and currency != "jpy":
        quoted = reference.strip().upper()
        for i, record in enumerate(candidates):
            own = (record.private.get("customer_balance") or {}).get("reference")
            if own and own == quoted:
                amount = min(funds, remaining[i])
                plan.append((i, amount))
                funds -= amount
                remaining[i] -= amount
                break
    if funds <= 0:
        return plan
    searched = [i for i in range(min(len(candidates), GROUP_SEARCH)) if remaining[i] > 0]
    for size in range(1, GROUP_MAX + 1):
        for group in itertools.combinations(searched, size):
            if sum(remaining[i] for i in group) == funds:
                return plan + [(i, remaining[i]) for i in group]
    for i, owed in enumerate(remaining):
        if funds <= 0:
            break
        if owed > 0:
            amount = min(funds, owed)
            plan.append((i, amount))
            funds -= amount
    return plan


def fund(ctx: Ctx, customer_id: str, params: dict[str, Any]) -> dict[str, Any]:
    """POST /v1/test_helpers/customers/:id/fund_cash_balance: a bank transfer arrives."""
    if ctx.livemode:
        raise ApiError("Test helpers can only be used with test mode API keys.")
    currency = params["currency"]
    kind = bank_transfer.TYPE_OF_CURRENCY.get(currency)
    if kind is None:
        supported = ", ".join(sorted(bank_transfer.TYPE_OF_CURRENCY))
        raise ApiError(
            f"Cash balances can't be funded in {currency}; they take {supported}.",
            param="currency",
        )
    if params["amount"] > money.MAX_AMOUNT:
        raise ApiError(
            money.amount_too_large_message(currency), code="amount_too_large", param="amount"
        )
    reference = params.get("reference")
    with ctx.store.write() as tx:
        load(tx, ctx, "customer", customer_id, param="customer")
        candidates = _candidates(tx, ctx, customer_id, currency)
        balance = _lock_customer(tx, ctx, customer_id)
        balance.move(
            currency, params["amount"], "funded", bank_transfer.funded_details(kind, reference)
        )
        funded = balance.last
        if balance.automatic:
            plan = _plan(candidates, balance.get(currency), reference, currency)
            for index, amount in plan:
                _apply(tx, ctx, balance, candidates[index], amount)
        balance.save()
        # Stripe: after automatic reconciliation when funds remain; on every funding when
        # reconciliation is manual.
        if balance.get(currency) > 0 or not balance.automatic:
            emit(tx, ctx, "cash_balance.funds_available", balance.object())
    return funded


def apply(ctx: Ctx, intent_id: str, params: dict[str, Any]) -> PaymentIntent:
    """POST /v1/payment_intents/:id/apply_customer_balance (manual reconciliation)."""
    check_intent_id(intent_id)
    with ctx.store.write() as tx:
        record = load_for_update(tx, ctx, "payment_intent", intent_id, param="intent")
        intent = record.data
        if not _waiting(intent):
            raise unexpected_state(
                "You cannot apply a customer's cash balance to this PaymentIntent because it "
                f"has a status of {intent['status']}. Only a customer_balance PaymentIntent "
                "waiting for funds (status requires_action, next_action "
                "display_bank_transfer_instructions) can be funded.",
                payment_intent=intent,
            )
        currency = params.get("currency", intent["currency"])
        if currency != intent["currency"]:
            raise ApiError(
                f"The currency ({currency}) must match the PaymentIntent's currency "
                f"({intent['currency']}).",
                param="currency",
            )
        remaining = _remaining(intent, record.private)
        amount = params.get("amount", remaining)
        if amount > intent["amount"]:
            raise ApiError(
                f"The amount ({amount}) must be less than or equal to the PaymentIntent's "
                f"amount ({intent['amount']}).",
                code="amount_too_large",
                param="amount",
            )
        if amount > remaining:
            raise ApiError(
                f"The amount ({amount}) must be less than or equal to the amount remaining on "
                f"the PaymentIntent ({remaining}).",
                code="amount_too_large",
                param="amount",
            )
        balance = _lock_customer(tx, ctx, intent["customer"])
        available = balance.get(currency)
        if available < amount:
            raise ApiError(
                f"The customer's cash balance ({money.format_amount(available, currency)}) is "
                f"less than the amount to apply ({money.format_amount(amount, currency)}).",
                code="balance_insufficient",
                param="amount",
            )
        intent, _ = _apply(tx, ctx, balance, record, amount)
        balance.save()
    return intent


def release_on_cancel(tx: Tx, ctx: Ctx, record: Record) -> None:
    """Canceling a partly funded payment returns what was applied to the cash balance."""
    applied = (record.private.get("customer_balance") or {}).get("applied", 0)
    intent = record.data
    if not applied or intent["status"] == "succeeded" or not intent.get("customer"):
        return
    balance = _lock_customer(tx, ctx, intent["customer"])
    balance.move(
        intent["currency"], applied, "unapplied_from_payment", {"payment_intent": intent["id"]}
    )
    balance.save()
    record.private = {
        **record.private,
        "customer_balance": {**record.private["customer_balance"], "applied": 0},
    }
