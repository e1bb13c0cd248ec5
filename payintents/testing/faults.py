"""Fault rules (POST /_payintents/faults): make Stripe fail on purpose, for one account.

A rule targets the account's API requests (by method and a glob of the path) or the webhook
deliveries to one of its endpoints, and applies to its next `count` matches. Rules live in the
store (store/controls.py), so every server process sees them; a match is taken with an
atomic decrement, so `count` holds across processes. A request looks for a rule only when its
account's row (read once per request for its clock) says it has one with matches left.
"""

from __future__ import annotations

from dataclasses import dataclass
from fnmatch import fnmatchcase
from typing import Any

from payintents.domain.ids import new_id
from payintents.errors import ApiError, resource_missing
from payintents.services.context import Ctx
from payintents.store import controls
from payintents.store.base import Store, Tx
from payintents.store.controls import REQUEST, WEBHOOK, Rule
from payintents.webhooks import outbox
from payintents.wire.errors import internal_error

# What a rule does to a request: answer an error instead of running it, wait before running
# it, or run and commit it and then close the connection without an answer.
REQUEST_MODES = ("error", "latency", "drop_after_commit")
# What a rule does to a delivery: count it failed (an HTTP status, or a timeout) without
# sending it, send it twice, or hold it back and release the held ones newest first.
WEBHOOK_MODES = ("fail", "timeout", "duplicate", "hold")
MODES = REQUEST_MODES + WEBHOOK_MODES
METHODS = ("*", "GET", "POST", "DELETE")
ERROR_STATUSES = (400, 401, 402, 403, 404, 409, 429, 500, 502, 503, 504)
ERROR_TYPES = ("api_error", "card_error", "idempotency_error", "invalid_request_error")
MAX_COUNT = 1000
MAX_DELAY_MS = 60_000

RATE_LIMIT = (
    "Request rate limit exceeded. Learn more about rate limits here "
    "https://stripe.com/docs/rate-limits."
)
LOCK_TIMEOUT = (
    "This object cannot be accessed right now because another API request or Stripe process "
    "is currently accessing it. If you see this error intermittently, retry the request. If "
    "you see this error frequently and are making multiple concurrent requests to a single "
    "object, make your requests serially or at a lower rate."
)
DECLINED = "Your card was declined."


def _injected(status: int) -> str:
    return f"A fault rule of this account answered this request with HTTP {status}."


def default_error(status: int, code: str | None) -> dict[str, Any]:
    """What Stripe answers with this status (and code), as a fault rule's error."""
    if status >= 500:
        return {"type": "api_error", "code": code, "message": internal_error().message}
    if status == 402:
        return {
            "type": "card_error",
            "code": code or "card_declined",
            "decline_code": "generic_decline",
            "message": DECLINED,
        }
    if status == 429:
        code = code or "rate_limit"
        message = LOCK_TIMEOUT if code == "lock_timeout" else RATE_LIMIT
        return {"type": "invalid_request_error", "code": code, "message": message}
    return {"type": "invalid_request_error", "code": code, "message": _injected(status)}


def should_retry(status: int, code: str | None) -> str | None:
    """Stripe-Should-Retry as Stripe sends it: `true` on a lock timeout (the SDKs retry it),
    `false` on any other 4xx but 409, none on 409 and 5xx (the SDKs retry those by status)."""
    if status == 429 and code == "lock_timeout":
        return "true"
    if 400 <= status < 500 and status != 409:
        return "false"
    return None


def _refuse(message: str, param: str) -> ApiError:
    return ApiError(message, param=param)


def make_rule(ctx: Ctx, params: dict[str, Any]) -> dict[str, Any]:
    """A new rule of the account from POST /_payintents/faults' parameters, as answered."""
    endpoint = params.get("webhook_endpoint")
    target = WEBHOOK if endpoint is not None else REQUEST
    mode = params.get("mode") or _implied_mode(params, target)
    allowed = WEBHOOK_MODES if target == WEBHOOK else REQUEST_MODES
    if mode not in allowed:
        other = "an API request" if target == WEBHOOK else "a webhook delivery (webhook_endpoint)"
        raise _refuse(
            f"Invalid mode: {mode} applies to {other}; with"
            f"{' ' if target == WEBHOOK else 'out '}webhook_endpoint, mode must be one of "
            f"{', '.join(allowed)}.",
            "mode",
        )
    _only(params, mode)
    spec: dict[str, Any] = {"mode": mode}
    if target == REQUEST:
        spec["method"] = params.get("method", "*")
        spec["path"] = params.get("path", "*")
    else:
        spec["webhook_endpoint"] = endpoint
    if mode == "error":
        status = params["status"]
        error = default_error(status, params.get("code"))
        for name in ("type", "message", "decline_code"):
            if name in params:
                error[name] = params[name]
        spec["status"] = status
        spec["error"] = error
    elif mode == "fail":
        spec["status"] = params.get("status", 500)
    elif mode == "latency":
        spec["delay_ms"] = params["delay_ms"]
    count = params.get("count", 1)
    with ctx.store.write() as tx:
        if endpoint is not None and tx.get("webhook_endpoint", ctx.scope, endpoint) is None:
            raise resource_missing("webhook_endpoint", endpoint, "webhook_endpoint")
        controls.read_for_update(tx, ctx.scope)
        rule = controls.insert_rule(tx, ctx.scope, new_id("flt"), target, ctx.now, spec, count)
        controls.count_faults(tx, ctx.scope, target, 1)
    return render(rule)


def _implied_mode(params: dict[str, Any], target: str) -> str:
    if "status" in params:
        return "fail" if target == WEBHOOK else "error"
    if "delay_ms" in params:
        return "latency"
    raise ApiError("Missing required param: mode.", code="parameter_missing", param="mode")


# The parameters each mode takes beyond method, path, webhook_endpoint, count and mode.
_MODE_PARAMS: dict[str, tuple[str, ...]] = {
    "error": ("status", "type", "code", "message", "decline_code"),
    "latency": ("delay_ms",),
    "drop_after_commit": (),
    "fail": ("status",),
    "timeout": (),
    "duplicate": (),
    "hold": (),
}
_TARGET_PARAMS = {REQUEST: ("method", "path"), WEBHOOK: ("webhook_endpoint",)}


def _only(params: dict[str, Any], mode: str) -> None:
    target = WEBHOOK if mode in WEBHOOK_MODES else REQUEST
    allowed = {"count", "mode", *_TARGET_PARAMS[target], *_MODE_PARAMS[mode]}
    extra = [name for name in params if name not in allowed]
    if extra:
        raise _refuse(f"Invalid {extra[0]}: mode {mode} takes no {extra[0]}.", extra[0])
    required = {"error": "status", "latency": "delay_ms"}.get(mode)
    if required is not None and required not in params:
        raise ApiError(
            f"Missing required param: {required}.", code="parameter_missing", param=required
        )
    if mode == "error" and params["status"] not in ERROR_STATUSES:
        raise _refuse(
            f"Invalid status: a fault rule answers one of "
            f"{', '.join(str(s) for s in ERROR_STATUSES)}.",
            "status",
        )
    if mode == "error" and params["status"] != 429 and params.get("code") == "lock_timeout":
        raise _refuse("Invalid code: lock_timeout is a 429.", "code")
    if not params.get("path", "/").startswith("/"):
        raise _refuse(
            "Invalid path: a glob of request paths, such as /v1/payment_intents*.", "path"
        )


def render(rule: Rule) -> dict[str, Any]:
    return {
        "id": rule.id,
        "object": "payintents.fault_rule",
        "created": rule.created,
        "target": rule.target,
        **rule.spec,
        "count": rule.remaining + rule.matched,
        "matched": rule.matched,
        "remaining": rule.remaining,
    }


def list_rules(ctx: Ctx) -> list[dict[str, Any]]:
    with ctx.store.read() as tx:
        return [render(rule) for rule in controls.rules(tx, ctx.scope)]


def clear_rules(ctx: Ctx) -> tuple[int, int]:
    """Every rule of the account gone, and what its holds held due now: (rules, released)."""
    with ctx.store.write() as tx:
        cleared = controls.clear_rules(tx, ctx.scope)
        released = outbox.release_held(tx, ctx.scope, outbox.now_ms())
    return cleared, released


# Matching.


@dataclass(frozen=True)
class RequestFault:
    rule_id: str
    mode: str
    status: int = 0
    error: ApiError | None = None
    # Stripe-Should-Retry, when the error has one.
    headers: dict[str, str] | None = None
    delay_ms: int = 0


def match_request(store: Store, scope: str, method: str, path: str) -> RequestFault | None:
    """What the account's first rule matching this request does to it (one of its matches
    taken), if one does. Asked only when the account has request rules with matches left."""
    method = "GET" if method == "HEAD" else method
    with store.write() as tx:
        for rule in controls.rules(tx, scope, REQUEST, active=True):
            spec = rule.spec
            if spec["method"] not in ("*", method) or not fnmatchcase(path, spec["path"]):
                continue
            if _take(tx, scope, rule) is None:
                continue
            return _request_fault(rule)
    return None


def _take(tx: Tx, scope: str, rule: Rule) -> int | None:
    """One match of the rule: the matches it has left, None if another process took its
    last one meanwhile."""
    left = controls.take(tx, rule.id)
    if left == 0:
        controls.count_faults(tx, scope, rule.target, -1)
    return left


def _request_fault(rule: Rule) -> RequestFault:
    spec = rule.spec
    if spec["mode"] != "error":
        return RequestFault(rule.id, spec["mode"], delay_ms=spec.get("delay_ms", 0))
    error = dict(spec["error"])
    status = spec["status"]
    retry = should_retry(status, error.get("code"))
    err = ApiError(
        error.pop("message"),
        status=status,
        type=error.pop("type"),
        code=error.pop("code", None),
        **{k: v for k, v in error.items() if v is not None},
    )
    headers = {"stripe-should-retry": retry} if retry is not None else {}
    return RequestFault(rule.id, "error", status, err, headers)


@dataclass(frozen=True)
class WebhookFault:
    rule_id: str
    mode: str
    status: int | None = None
    # How many deliveries the rule applies to, and whether this was its last: a hold then
    # releases what it held.
    count: int = 1
    last: bool = False


def match_delivery(tx: Tx, scope: str, endpoint_id: str) -> WebhookFault | None:
    """What the account's first rule for this endpoint does to a delivery (one of its
    matches taken), if one does. Asked by a dispatcher as it claims the delivery."""
    if not controls.read(tx, scope).webhook_faults:
        return None
    for rule in controls.rules(tx, scope, WEBHOOK, active=True):
        if rule.spec["webhook_endpoint"] != endpoint_id:
            continue
        left = _take(tx, scope, rule)
        if left is None:
            continue
        count = rule.remaining + rule.matched
        return WebhookFault(rule.id, rule.spec["mode"], rule.spec.get("status"), count, left == 0)
    return None
