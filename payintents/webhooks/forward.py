"""`payintents serve --forward-to URL`: what `stripe listen --forward-to` gives a developer.

Accounts come from API keys (every key is its own account), so by default the
forwarding endpoint receives the events of every account and both modes: one
endpoint, one secret, printed at start-up the way `stripe listen` prints it.
With `--forward-key sk_test_...` it receives only that key's account and mode,
and is a normal endpoint of that account (listed by GET /v1/webhook_endpoints).
The endpoint is reused for the same URL, so the secret survives restarts.
"""

from __future__ import annotations

from payintents.domain.webhook_endpoint import check_url
from payintents.errors import ApiError
from payintents.events.types import KNOWN
from payintents.keys import Keyring
from payintents.runtime import Runtime
from payintents.services.webhook_endpoints import ensure_forwarding
from payintents.webhooks.outbox import GLOBAL_SCOPE
from payintents.wire import auth


def forwarding_scope(
    key: str | None, keys: Keyring | None, flag: str = "--forward-key"
) -> tuple[str, str]:
    """(scope, description of whose events) for a `--forward-key`, or every account. With
    configured keys the key must be one of them, and its account is the one it is listed
    under."""
    if not key:
        return GLOBAL_SCOPE, "every account, test and live"
    try:
        principal = auth.authenticate(f"Bearer {key}", keys)
    except ApiError as err:
        raise SystemExit(f"payintents: {flag}: {err.message}") from None
    if principal.kind != "secret":
        raise SystemExit(f"payintents: {flag} must be a secret key (sk_test_... or sk_live_...)")
    mode = "live" if principal.livemode else "test"
    return f"{principal.account}/{mode}", f"account {principal.account} ({mode} mode)"


def check_events(names: tuple[str, ...]) -> None:
    unknown = [n for n in names if n != "*" and n not in KNOWN]
    if unknown:
        raise SystemExit(f"payintents: unknown event type(s) to forward: {', '.join(unknown)}")


def setup(runtime: Runtime) -> str | None:
    """Create or reuse the forwarding endpoint; print its secret. Returns the secret."""
    config = runtime.config
    if not config.forward_to:
        return None
    check_events(config.forward_events)
    try:
        check_url(config.forward_to, livemode=False)
    except ApiError as err:
        raise SystemExit(f"payintents: --forward-to: {err.message}") from None
    scope, whose = forwarding_scope(config.forward_key, config.keys)
    endpoint, secret = ensure_forwarding(
        runtime.store,
        runtime.vault,
        scope,
        config.forward_to,
        list(config.forward_events),
        runtime.clock.now(),
    )
    print(
        f"payintents: forwarding events of {whose} to {config.forward_to} "
        f"(webhook endpoint {endpoint['id']}, events: {', '.join(config.forward_events)})",
        flush=True,
    )
    print(f"> Ready! Your webhook signing secret is {secret} (^C to quit)", flush=True)
    return secret
