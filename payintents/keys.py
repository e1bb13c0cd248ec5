"""The configured API keys (`--api-key`, `--keys-file`): which accounts exist, and each one's
secret, publishable and restricted keys. No key is derived from another: a key works only if
it is listed, for the account it is listed under. Without any configured key the server runs
in development mode instead (wire/auth.py).

A keys file is TOML, one table per account (docs/keys.md):

    [accounts.shop]
    id = "acct_1ShopExample"        # optional
    country = "FR"                  # optional
    secret = "sk_test_..."          # or a list, e.g. a test and a live key
    publishable = "pk_test_..."     # optional; a string or a list

    [accounts.shop.restricted.rk_test_...]
    payment_intents = "write"       # none | read | write per resource
    charges = "read"

The older format, one key a line, is still read: each line is a secret key, optionally
followed by `:` and its account's publishable key, as `--api-key` takes them.
"""

from __future__ import annotations

import base64
import functools
import hashlib
import hmac
import re
import tomllib
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from payintents.domain.ids import random_part
from payintents.wire.permissions import LEVELS, RESOURCES

KEY_RE = re.compile(r"^(sk|pk|rk)_(test|live)_([A-Za-z0-9_]{1,240})$")
KIND = {"sk": "secret", "pk": "publishable", "rk": "restricted"}
_ACCOUNT_RE = re.compile(r"^acct_[A-Za-z0-9]{1,64}$")
_NAME_RE = re.compile(r"^[A-Za-z0-9_-]{1,64}$")
_ACCOUNT_FIELDS = {"id", "country", "secret", "publishable", "restricted"}


class KeysError(ValueError):
    """A configuration of keys that cannot be used, said in one line."""


# A client sends the same few keys on every request: hash each once.
@functools.lru_cache(maxsize=4096)
def account_for(suffix: str) -> str:
    """The account of a key's suffix: every `sk_<mode>_X` (and, in development mode, `pk_` and
    `rk_`) with the same X shares it. Also the default id of a configured account."""
    digest = hashlib.sha256(suffix.encode()).digest()
    return "acct_1" + base64.b32encode(digest).decode().rstrip("=")[:15]


def _digest(key: str) -> bytes:
    return hashlib.sha256(key.encode()).digest()


@dataclass(frozen=True)
class Account:
    name: str
    id: str
    country: str | None = None
    secret: tuple[str, ...] = ()
    publishable: tuple[str, ...] = ()
    # Restricted key -> resource -> "none" | "read" | "write".
    restricted: dict[str, dict[str, str]] = field(default_factory=dict)

    def all_keys(self) -> Iterable[str]:
        yield from self.secret
        yield from self.publishable
        yield from self.restricted


@dataclass(frozen=True)
class Entry:
    """What a configured key is: its kind, mode and account, and a restricted key's grants."""

    key: str
    kind: str
    livemode: bool
    account: Account
    grants: dict[str, str] | None


@dataclass(frozen=True)
class Keyring:
    accounts: tuple[Account, ...]

    def __post_init__(self) -> None:
        # Looked up by the key's digest, then compared in constant time: neither the lookup
        # nor the comparison takes longer the more of a key a guess gets right.
        index: dict[bytes, Entry] = {}
        for account in self.accounts:
            for key in account.all_keys():
                prefix, mode, _ = KEY_RE.match(key).groups()  # type: ignore[union-attr]
                grants = account.restricted.get(key)
                index[_digest(key)] = Entry(key, KIND[prefix], mode == "live", account, grants)
        object.__setattr__(self, "_index", index)
        object.__setattr__(self, "_by_id", {a.id: a for a in self.accounts})

    def find(self, key: str) -> Entry | None:
        entry = self._index.get(_digest(key))  # type: ignore[attr-defined]
        if entry is None or not hmac.compare_digest(entry.key.encode(), key.encode()):
            return None
        return entry

    def account(self, account_id: str) -> Account | None:
        return self._by_id.get(account_id)  # type: ignore[attr-defined]

    def secret_keys(self) -> Iterable[str]:
        for account in self.accounts:
            yield from account.secret

    @staticmethod
    def publishable_key(account: Account, livemode: bool) -> str:
        """The account's first publishable key of the mode; "" if it has none."""
        prefix = "pk_live_" if livemode else "pk_test_"
        return next((k for k in account.publishable if k.startswith(prefix)), "")

    @classmethod
    def from_json(cls, value: dict[str, Any]) -> Keyring:
        """The keyring `dataclasses.asdict` gave (worker processes rebuild it)."""
        return cls(
            tuple(
                Account(
                    name=a["name"],
                    id=a["id"],
                    country=a["country"],
                    secret=tuple(a["secret"]),
                    publishable=tuple(a["publishable"]),
                    restricted=a["restricted"],
                )
                for a in value["accounts"]
            )
        )


def _key(text: str, prefix: str, where: str) -> str:
    text = text.strip()
    match = KEY_RE.match(text)
    if not match or match.group(1) != prefix:
        raise KeysError(
            f"{where}: {text!r} is not a {KIND[prefix]} key "
            f"({prefix}_test_... or {prefix}_live_...)"
        )
    return text


def parse_pair(text: str, where: str) -> Account:
    """`sk_test_A` or `sk_test_A:pk_test_B`: a secret key and, optionally, its account's
    publishable key. The account's id is the one development mode gives `sk_test_A`, so a
    database written with `--api-key sk_test_A` before keeps its objects."""
    secret, sep, publishable = text.strip().partition(":")
    if secret.startswith("rk_"):
        raise KeysError(
            f"{where}: a restricted key needs its permissions and its account: list it in a "
            "TOML keys file (docs/keys.md)"
        )
    if secret.startswith("pk_"):
        raise KeysError(
            f"{where}: a publishable key needs its account: write it after its secret key, "
            "sk_test_...:pk_test_..."
        )
    secret = _key(secret, "sk", where)
    pk = (_key(publishable, "pk", where),) if sep else ()
    account_id = account_for(secret.split("_", 2)[2])
    return Account(name=account_id, id=account_id, secret=(secret,), publishable=pk)


def _strings(value: Any, where: str) -> list[str]:
    values = [value] if isinstance(value, str) else value
    if not isinstance(values, list) or not all(isinstance(v, str) for v in values):
        raise KeysError(f"{where} must be a key or a list of keys")
    return values


def _grants(value: Any, where: str) -> dict[str, str]:
    if not isinstance(value, dict):
        raise KeysError(f'{where} must be a table of resource = "none" | "read" | "write"')
    for resource, level in value.items():
        if resource not in RESOURCES:
            raise KeysError(
                f"{where}: unknown resource {resource!r} (known: {', '.join(RESOURCES)})"
            )
        if level not in LEVELS:
            raise KeysError(f"{where}.{resource} must be one of {', '.join(LEVELS)}")
    return dict(value)


def _account(name: str, table: Any) -> Account:
    where = f"accounts.{name}"
    if not _NAME_RE.match(name) or not isinstance(table, dict):
        raise KeysError(f"{where}: an account is a table named with letters, digits, _ or -")
    unknown = set(table) - _ACCOUNT_FIELDS
    if unknown:
        raise KeysError(f"{where}: unknown field(s) {', '.join(sorted(unknown))}")
    if "secret" not in table:
        raise KeysError(f'{where}: every account needs a secret key (secret = "sk_test_...")')
    secret = tuple(_key(k, "sk", f"{where}.secret") for k in _strings(table["secret"], where))
    if not secret:
        raise KeysError(f'{where}: every account needs a secret key (secret = "sk_test_...")')
    publishable = tuple(
        _key(k, "pk", f"{where}.publishable")
        for k in _strings(table.get("publishable", []), f"{where}.publishable")
    )
    restricted_table = table.get("restricted", {})
    if not isinstance(restricted_table, dict):
        raise KeysError(f"{where}.restricted must be a table of restricted keys")
    restricted = {
        _key(k, "rk", f"{where}.restricted"): _grants(v, f"{where}.restricted.{k}")
        for k, v in restricted_table.items()
    }
    account_id = table.get("id", account_for(secret[0].split("_", 2)[2]))
    if not isinstance(account_id, str) or not _ACCOUNT_RE.match(account_id):
        raise KeysError(f"{where}.id must look like acct_ followed by letters and digits")
    country = table.get("country")
    if country is not None:
        if not isinstance(country, str) or not re.fullmatch(r"[A-Za-z]{2}", country):
            raise KeysError(f'{where}.country must be a two-letter country code, e.g. "US"')
        country = country.upper()
    return Account(name, account_id, country, secret, publishable, restricted)


def _is_toml(text: str) -> bool:
    lines = (line.split("#", 1)[0].strip() for line in text.splitlines())
    return any(line.startswith("[") or "=" in line for line in lines)


def read_file(path: str) -> tuple[list[Account], list[Account]]:
    """(accounts of TOML tables, accounts of one-key lines) in a keys file."""
    try:
        text = Path(path).read_text()
    except OSError as err:
        raise KeysError(f"cannot read {path}: {err.strerror}") from None
    if not _is_toml(text):
        lines = [(n, line.split("#", 1)[0].strip()) for n, line in enumerate(text.splitlines(), 1)]
        return [], [parse_pair(line, f"{path}, line {n}") for n, line in lines if line]
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as err:
        raise KeysError(f"{path}: {err}") from None
    unknown = set(data) - {"accounts"}
    if unknown:
        raise KeysError(
            f"{path}: unknown table(s) {', '.join(sorted(unknown))}; accounts are "
            "[accounts.<name>] tables"
        )
    accounts = data.get("accounts", {})
    if not isinstance(accounts, dict):
        raise KeysError(f"{path}: accounts must be tables, [accounts.<name>]")
    try:
        return [_account(name, table) for name, table in accounts.items()], []
    except KeysError as err:
        raise KeysError(f"{path}: {err}") from None


def _merge(accounts: list[Account]) -> list[Account]:
    """Accounts of `--api-key` and one-key lines that share an id (`sk_test_X` and
    `sk_live_X`) are one account, as in development mode."""
    merged: dict[str, Account] = {}
    for a in accounts:
        if a.id in merged:
            b = merged[a.id]
            secret = tuple(dict.fromkeys(b.secret + a.secret))
            publishable = tuple(dict.fromkeys(b.publishable + a.publishable))
            a = Account(a.name, a.id, None, secret, publishable)
        merged[a.id] = a
    return list(merged.values())


def build(accounts: list[Account]) -> Keyring:
    seen_ids: dict[str, str] = {}
    seen_keys: dict[str, str] = {}
    for account in accounts:
        for key in account.all_keys():
            if key in seen_keys:
                raise KeysError(
                    f"the key {key[:8]}... is listed twice (accounts {seen_keys[key]} and "
                    f"{account.name})"
                )
            seen_keys[key] = account.name
        if account.id in seen_ids:
            raise KeysError(
                f"accounts {seen_ids[account.id]} and {account.name} have the same id {account.id}"
            )
        seen_ids[account.id] = account.name
    return Keyring(tuple(accounts))


def load(values: list[str], keys_file: str | None) -> Keyring | None:
    """The keys of `--api-key` values and a keys file; None when there are none (development
    mode)."""
    simple = [parse_pair(v, "--api-key") for v in values if v.strip()]
    tables: list[Account] = []
    if keys_file:
        tables, lines = read_file(keys_file)
        simple += lines
    accounts = _merge(simple) + tables
    return build(accounts) if accounts else None


def _new_key(prefix: str, livemode: bool) -> str:
    # 40 alphanumerics: 238 bits, none of them shared with another key.
    return f"{prefix}_{'live' if livemode else 'test'}_{random_part(40)}"


def generate(names: list[str], live: bool, restricted: dict[str, str] | None) -> str:
    """A new keys file (TOML) with random keys: per account an id, a secret and a publishable
    key (test, and live with `live`), and a restricted key with `restricted`'s grants."""
    for name in names:
        if not _NAME_RE.match(name):
            raise KeysError(f"account name {name!r}: use letters, digits, _ or -")
    if len(set(names)) != len(names):
        raise KeysError("each account needs a name of its own")
    if restricted is not None:
        _grants(restricted, "--restricted")
    modes = (False, True) if live else (False,)
    out = [
        "# payintents keys file (docs/keys.md): one table per account. Keep it secret: it",
        "# holds the secret keys. Every key is random; none can be derived from another.",
    ]
    for name in names:
        out += ["", f"[accounts.{name}]", f'id = "acct_1{random_part(15)}"']
        for field_name, prefix in (("secret", "sk"), ("publishable", "pk")):
            listed = ", ".join(f'"{_new_key(prefix, livemode)}"' for livemode in modes)
            out.append(f"{field_name} = [{listed}]" if live else f"{field_name} = {listed}")
        if restricted is not None:
            for livemode in modes:
                out += ["", f"[accounts.{name}.restricted.{_new_key('rk', livemode)}]"]
                out += [f'{resource} = "{level}"' for resource, level in restricted.items()]
    return "\n".join(out) + "\n"
