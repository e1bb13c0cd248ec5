"""API keys: which account and mode a request acts for, and what the key may do there.

Development mode (no key configured): every well-formed key works and each distinct suffix is
its own account, so parallel test runs never see each other's objects. `pk_<mode>_X` and
`rk_<mode>_X` belong to the account of `sk_<mode>_X` (the twin rule: a publishable key shows
its secret key, so this mode is for development only), and a restricted key may do all that
the secret key may. With configured keys (payintents/keys.py) only those keys work, each for
the account it is listed under, a restricted key within its grants.

A key comes in the Authorization header (Bearer, or Basic as curl -u sends it), or from
Stripe.js as the form parameter `key`, which may only be a publishable key.
"""

from __future__ import annotations

import base64
from dataclasses import dataclass
from typing import Any

from payintents.domain.constant_time import equal
from payintents.errors import ApiError
from payintents.keys import KEY_RE, KIND, Keyring, account_for
from payintents.wire.permissions import Grants, provided_key

NO_KEY_MESSAGE = (
    "You did not provide an API key. You need to provide your API key in the Authorization "
    "header, using Bearer auth (e.g. 'Authorization: Bearer YOUR_SECRET_KEY'). See "
    "https://stripe.com/docs/api#authentication for details, or we can help at "
    "https://support.stripe.com/."
)
# Our wording: what Stripe answers to a secret key sent this way is not published.
SECRET_IN_FORM_MESSAGE = (
    "The key parameter takes a publishable API key only, as Stripe.js sends it. Do not send a "
    "secret or restricted API key from a browser; send it in the Authorization header from "
    "your server instead."
)
# Our wording: Stripe does not publish what it answers a secret key on such an endpoint.
SECRET_MESSAGE = (
    "This API call can only be made with a publishable API key, as Stripe.js makes it from "
    "the customer's browser. A server creates these objects in tests with the matching "
    "/v1/test_helpers endpoint and its secret key."
)
PUBLISHABLE_MESSAGE = (
    "This API call cannot be made with a publishable API key. Please use a secret API key. "
    "You can find a list of your API keys at https://dashboard.stripe.com/account/apikeys."
)


@dataclass(frozen=True)
class Principal:
    key: str
    kind: str  # "secret" | "publishable" | "restricted"
    livemode: bool
    account: str
    # The account's publishable key in this mode, for the links of hosted pages; "" if the
    # account has none.
    publishable_key: str
    # A restricted key's grants; None: the key may do all that its kind may.
    grants: Grants | None = None
    # The account's country where one is configured.
    country: str | None = None


def redact(key: str) -> str:
    if len(key) <= 12:
        return key[:8] + "*" * max(len(key) - 8, 0)
    return key[:8] + "*" * (len(key) - 12) + key[-4:]


def key_from_header(header: str | None) -> str | None:
    if not header:
        return None
    scheme, _, value = header.strip().partition(" ")
    scheme = scheme.lower()
    if scheme == "bearer":
        return value.strip() or None
    if scheme == "basic":
        try:
            decoded = base64.b64decode(value.strip(), validate=True).decode()
        except (ValueError, UnicodeDecodeError):
            return None
        return decoded.partition(":")[0] or None
    return None


def take_form_credentials(headers: dict[str, str], tree: dict[str, Any]) -> None:
    """Stripe.js sends no Authorization header: its publishable key is the form parameter
    `key` (in a POST's body, a GET's query), its API version `_stripe_version` and a connected
    account `_stripe_account`. They are moved into the headers they stand for, to be
    authenticated like any other."""
    if "authorization" in headers or "key" not in tree:
        return
    key = tree.pop("key")
    if not isinstance(key, str):
        raise ApiError("Invalid API Key provided: key must be a string.", status=401, param="key")
    match = KEY_RE.match(key)
    if match and match.group(1) != "pk":
        raise ApiError(SECRET_IN_FORM_MESSAGE, status=401, param="key")
    if key:
        headers["authorization"] = f"Bearer {key}"
    for param, header in (
        ("_stripe_version", "stripe-version"),
        ("_stripe_account", "stripe-account"),
    ):
        value = tree.pop(param, None)
        if value is not None:
            headers.setdefault(header, value if isinstance(value, str) else "")


def authenticate(header: str | None, keys: Keyring | None) -> Principal:
    key = key_from_header(header)
    if key is None:
        raise ApiError(NO_KEY_MESSAGE, status=401)
    match = KEY_RE.match(key)
    if not match:
        raise ApiError(f"Invalid API Key provided: {redact(key)}", status=401)
    prefix, mode, suffix = match.groups()
    if keys is None:
        return Principal(
            key=key,
            kind=KIND[prefix],
            livemode=mode == "live",
            account=account_for(suffix),
            publishable_key=f"pk_{mode}_{suffix}",
        )
    entry = keys.find(key)
    if entry is None:
        raise ApiError(f"Invalid API Key provided: {redact(key)}", status=401)
    return Principal(
        key=key,
        kind=entry.kind,
        livemode=entry.livemode,
        account=entry.account.id,
        publishable_key=keys.publishable_key(entry.account, entry.livemode),
        grants=entry.grants,
        country=entry.account.country,
    )


def check_account(principal: Principal, account: str | None) -> None:
    """`Stripe-Account` (Connect): there are no connected accounts here, so a key acts only
    for its own account, named or not."""
    if account is not None and not equal(account, principal.account):
        raise ApiError(
            f"The provided key '{provided_key(principal.key)}' does not have access to account "
            f"'{account}' (or that account does not exist). Application access may have been "
            "revoked.",
            status=403,
            code="account_invalid",
        )


def require_secret(principal: Principal) -> None:
    if principal.kind == "publishable":
        raise ApiError(PUBLISHABLE_MESSAGE, status=403, code="secret_key_required")


def require_publishable(principal: Principal) -> None:
    if principal.kind != "publishable":
        raise ApiError(SECRET_MESSAGE, status=403)
