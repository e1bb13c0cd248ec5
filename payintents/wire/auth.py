"""API keys: which account and mode a request acts for.

By default every distinct secret key is its own account, so parallel test
runs never see each other's objects; `pk_<mode>_X` belongs to the account of
`sk_<mode>_X`. With a configured key list only those keys work.

A key comes in the Authorization header (Bearer, or Basic as curl -u sends it), or from
Stripe.js as the form parameter `key`, which may only be a publishable key.
"""

from __future__ import annotations

import base64
import functools
import hashlib
import re
from collections.abc import Collection
from dataclasses import dataclass
from typing import Any

from payintents.errors import ApiError

_KEY_RE = re.compile(r"^(sk|pk|rk)_(test|live)_([A-Za-z0-9_]{1,240})$")

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

    @property
    def publishable_key(self) -> str:
        return f"pk_{'live' if self.livemode else 'test'}_{self.key.split('_', 2)[2]}"


def redact(key: str) -> str:
    if len(key) <= 12:
        return key[:8] + "*" * max(len(key) - 8, 0)
    return key[:8] + "*" * (len(key) - 12) + key[-4:]


# A client sends the same few keys on every request: hash each once.
@functools.lru_cache(maxsize=4096)
def account_for(secret: str) -> str:
    digest = hashlib.sha256(secret.encode()).digest()
    return "acct_1" + base64.b32encode(digest).decode().rstrip("=")[:15]


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
    `key` (in a POST's body, a GET's query) and its API version `_stripe_version`. They are
    moved into the headers they stand for, to be authenticated like any other."""
    if "authorization" in headers or "key" not in tree:
        return
    key = tree.pop("key")
    if not isinstance(key, str):
        raise ApiError("Invalid API Key provided: key must be a string.", status=401, param="key")
    match = _KEY_RE.match(key)
    if match and match.group(1) != "pk":
        raise ApiError(SECRET_IN_FORM_MESSAGE, status=401, param="key")
    if key:
        headers["authorization"] = f"Bearer {key}"
    version = tree.pop("_stripe_version", None)
    if version is not None:
        headers.setdefault("stripe-version", version if isinstance(version, str) else "")


def authenticate(header: str | None, allowed: Collection[str] | None) -> Principal:
    key = key_from_header(header)
    if key is None:
        raise ApiError(NO_KEY_MESSAGE, status=401)
    match = _KEY_RE.match(key)
    if not match:
        raise ApiError(f"Invalid API Key provided: {redact(key)}", status=401)
    prefix, mode, secret = match.groups()
    if allowed is not None:
        as_secret = f"sk_{mode}_{secret}"
        if key not in allowed and not (prefix == "pk" and as_secret in allowed):
            raise ApiError(f"Invalid API Key provided: {redact(key)}", status=401)
    kind = {"sk": "secret", "pk": "publishable", "rk": "restricted"}[prefix]
    return Principal(key=key, kind=kind, livemode=mode == "live", account=account_for(secret))


def require_secret(principal: Principal) -> None:
    if principal.kind == "publishable":
        raise ApiError(PUBLISHABLE_MESSAGE, status=403, code="secret_key_required")


def require_publishable(principal: Principal) -> None:
    if principal.kind != "publishable":
        raise ApiError(SECRET_MESSAGE, status=403)
