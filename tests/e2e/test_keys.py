"""The key model with configured keys (--api-key, --keys-file): every key is listed for its
account and none can be derived from another; restricted keys act within their grants;
hosted pages work for accounts with and without a publishable key."""

from __future__ import annotations

import json
import secrets
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl, urlsplit

import httpx
import pytest
import stripe

from payintents.keys import account_for, read_file
from tests.conftest import STORES, database, error, make_client
from tests.http_client import HTTP
from tests.server import ServerProcess

SHOP = "acct_1ShopTestAccount"


def token(prefix: str) -> str:
    return prefix + secrets.token_hex(16)


def redacted(key: str) -> str:
    """How Stripe shows a refused key: its first 8 and last 4 characters."""
    return key[:8] + "*" * (len(key) - 12) + key[-4:]


def provided(key: str) -> str:
    """How Stripe's permission errors show a key: the last 6 characters of a restricted key."""
    keep = 6 if key.startswith("rk_") else 4
    return key[:8] + "*" * (len(key) - 8 - keep) + key[-keep:]


@dataclass
class Strict:
    server: ServerProcess
    shop: str  # secret keys of the shop account, test and live
    shop_live: str
    shop_pk: str
    reader: str  # restricted: payment_intents read, charges none
    writer: str  # restricted: payment_intents write, customers read
    other: str  # another account: a secret key only, no publishable key


@pytest.fixture(scope="module", params=STORES)
def strict(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Strict]:
    folder = tmp_path_factory.mktemp("keys")
    keys = Strict(
        server=None,  # type: ignore[arg-type]
        shop=token("sk_test_"),
        shop_live=token("sk_live_"),
        shop_pk=token("pk_test_"),
        reader=token("rk_test_"),
        writer=token("rk_test_"),
        other=token("sk_test_"),
    )
    path = folder / "keys.toml"
    path.write_text(
        f"""
[accounts.shop]
id = "{SHOP}"
country = "us"
secret = ["{keys.shop}", "{keys.shop_live}"]
publishable = "{keys.shop_pk}"

[accounts.shop.restricted.{keys.reader}]
payment_intents = "read"
charges = "none"

[accounts.shop.restricted.{keys.writer}]
payment_intents = "write"
customers = "read"

[accounts.other]
secret = "{keys.other}"
"""
    )
    with database(request.param, folder) as db:
        keys.server = ServerProcess(
            db, "--keys-file", str(path), log_path=folder / "server.log"
        ).start()
        yield keys
        keys.server.stop()


def call(
    server: ServerProcess,
    key: str,
    method: str,
    path: str,
    data: dict[str, Any] | None = None,
    headers: dict[str, str] | None = None,
) -> httpx.Response:
    return HTTP.request(
        method,
        server.url + path,
        headers={"Authorization": f"Bearer {key}", **(headers or {})},
        params=data if method == "GET" else None,
        data=data if method != "GET" else None,
    )


def stripe_error(err: stripe.StripeError) -> dict[str, Any]:
    """The error body the SDK got."""
    return dict(err.json_body["error"])


def new_intent(client: stripe.StripeClient, **params: Any) -> Any:
    return client.v1.payment_intents.create(
        params={"amount": 1500, "currency": "eur", "payment_method_types": ["card"], **params}
    )


# -- no key reveals another ---------------------------------------------------------------------


def test_api_key_strict_mode_refuses_the_publishable_twin(own_database: str, tmp_path: Path):
    """`--api-key sk_test_strictone` used to accept `pk_test_strictone`, whose suffix is the
    secret key: a publishable key read off a web page was the secret key."""
    proc = ServerProcess(
        own_database, "--api-key", "sk_test_strictone", log_path=tmp_path / "server.log"
    ).start()
    try:
        pi = new_intent(make_client(proc, "sk_test_strictone"))
        for twin in ("pk_test_strictone", "rk_test_strictone", "sk_live_strictone"):
            resp = call(proc, twin, "GET", f"/v1/payment_intents/{pi.id}",
                        {"client_secret": pi.client_secret})  # fmt: skip
            assert resp.status_code == 401
            assert error(resp) == {
                "message": f"Invalid API Key provided: {redacted(twin)}",
                "type": "invalid_request_error",
            }
        # The account has no publishable key, so its hosted-page links name it by its id.
        confirmed = make_client(proc, "sk_test_strictone").v1.payment_intents.confirm(
            pi.id,
            params={"payment_method": "pm_card_authenticationRequired",
                    "return_url": "https://shop.example/done"},
        )  # fmt: skip
        query = dict(parse_qsl(urlsplit(confirmed.next_action.redirect_to_url.url).query))
        assert "publishable_key" not in query
        assert (query["merchant"], query["livemode"]) == (account_for("strictone"), "false")
    finally:
        proc.stop()


def test_every_key_is_its_own_and_no_twin_works(strict: Strict) -> None:
    shop = make_client(strict.server, strict.shop)
    pi = new_intent(shop, metadata={"order": "1"})
    secret = pi.client_secret
    path = f"/v1/payment_intents/{pi.id}"
    # The configured publishable key acts for its account, as Stripe.js does.
    resp = call(strict.server, strict.shop_pk, "GET", path, {"client_secret": secret})
    assert resp.status_code == 200
    assert resp.json()["id"] == pi.id and "metadata" not in resp.json()
    # Every key made from another by changing its prefix is refused: a publishable key shows
    # nothing of the secret key, nor a restricted key of either.
    twins = [
        "sk_test_" + strict.shop_pk[8:],
        "rk_test_" + strict.shop_pk[8:],
        "pk_test_" + strict.shop[8:],
        "rk_test_" + strict.shop[8:],
        "sk_test_" + strict.reader[8:],
        "pk_test_" + strict.reader[8:],
        "pk_live_" + strict.shop_live[8:],
        "pk_test_" + strict.other[8:],
        "pk_live_" + strict.shop_pk[8:],
    ]
    for twin in twins:
        resp = call(strict.server, twin, "GET", path, {"client_secret": secret})
        assert resp.status_code == 401, twin
        assert error(resp)["message"] == f"Invalid API Key provided: {redacted(twin)}"
        assert resp.headers["stripe-should-retry"] == "false"
    # The live secret key acts for the same account, in live mode.
    live = make_client(strict.server, strict.shop_live)
    assert new_intent(live).livemode is True
    with pytest.raises(stripe.InvalidRequestError) as missing:
        live.v1.payment_intents.retrieve(pi.id)
    assert missing.value.http_status == 404
    # The other account sees nothing of the shop's.
    other = make_client(strict.server, strict.other)
    with pytest.raises(stripe.InvalidRequestError) as missing:
        other.v1.payment_intents.retrieve(pi.id)
    assert missing.value.code == "resource_missing"
    # Each key's account is the one it is listed under (its id, where the file gives one).
    for key, account in [(strict.shop, SHOP), (strict.shop_live, SHOP), (strict.reader, SHOP),
                         (strict.other, account_for(strict.other[8:]))]:  # fmt: skip
        resp = call(strict.server, key, "GET", "/v1/payment_intents",
                    headers={"Stripe-Account": account})  # fmt: skip
        assert resp.status_code == 200, (key, resp.text)


def test_hosted_pages_without_a_publishable_key(strict: Strict) -> None:
    """An account with no publishable key still gets working challenge pages: the link
    names the account and mode, and the client secret is its credential."""
    client = make_client(strict.server, strict.other)
    pi = client.v1.payment_intents.create(
        params={"amount": 2000, "currency": "usd", "payment_method_types": ["card"],
                "payment_method": "pm_card_authenticationRequired", "confirm": True,
                "return_url": "https://shop.example/done"},
    )  # fmt: skip
    url = urlsplit(pi.next_action.redirect_to_url.url)
    query = dict(parse_qsl(url.query))
    assert "publishable_key" not in query
    assert (query["merchant"], query["livemode"]) == (account_for(strict.other[8:]), "false")
    page = HTTP.get(strict.server.url + url.path, params=query)
    assert page.status_code == 200
    assert 'name="livemode" value="false"' in page.text
    # A link naming another account, or an unknown one, does not open.
    for merchant in (SHOP, "acct_1Unknown"):
        forged = HTTP.get(strict.server.url + url.path, params={**query, "merchant": merchant})
        assert forged.status_code == 400
    answer = HTTP.post(
        strict.server.url + url.path, data={**query, "outcome": "complete"}, follow_redirects=False
    )
    assert answer.status_code == 303
    assert client.v1.payment_intents.retrieve(pi.id).status == "succeeded"


def test_hosted_pages_carry_the_configured_publishable_key(strict: Strict) -> None:
    client = make_client(strict.server, strict.shop)
    pi = client.v1.payment_intents.create(
        params={"amount": 1500, "currency": "usd", "payment_method_types": ["us_bank_account"],
                "payment_method_data": {"type": "us_bank_account",
                                        "billing_details": {"name": "Jenny Rosen"},
                                        "us_bank_account": {"routing_number": "110000000",
                                                            "account_number": "000123456789"}},
                "mandate_data": {"customer_acceptance": {"type": "offline"}}, "confirm": True},
    )  # fmt: skip
    url = pi.next_action.verify_with_microdeposits.hosted_verification_url
    assert url == (
        f"{strict.server.url}/microdeposit/{pi.id}?client_secret={pi.client_secret}"
        f"&publishable_key={strict.shop_pk}"
    )
    page = HTTP.get(url)
    assert page.status_code == 200
    form = {"client_secret": pi.client_secret, "publishable_key": strict.shop_pk}
    done = HTTP.post(url.split("?")[0], data={**form, "amount_1": "32", "amount_2": "45"})
    assert done.status_code == 200 and "Bank account verified" in done.text
    # The publishable twin of the secret key opens nothing.
    twin = {**form, "publishable_key": "pk_test_" + strict.shop[8:]}
    forged = HTTP.get(url.split("?")[0], params=twin)
    assert forged.status_code == 400
    assert f"Invalid API Key provided: {redacted(twin['publishable_key'])}" in forged.text


# -- restricted keys ----------------------------------------------------------------------------


def denied_body(key: str, permission: str) -> dict[str, str]:
    return {
        "message": f"The provided key '{provided(key)}' does not have the required permissions "
        f"for this endpoint on account '{SHOP}'. Having the '{permission}' permission would "
        "allow this request to continue.",
        "type": "invalid_request_error",
    }


def test_restricted_key_reads_but_does_not_write(strict: Strict) -> None:
    shop = make_client(strict.server, strict.shop)
    reader = make_client(strict.server, strict.reader)
    pi = new_intent(shop)
    assert reader.v1.payment_intents.retrieve(pi.id).id == pi.id
    assert pi.id in [p.id for p in reader.v1.payment_intents.list().data]
    before = [p.id for p in shop.v1.payment_intents.list(params={"limit": 100}).data]
    for write in (
        lambda: new_intent(reader),
        lambda: reader.v1.payment_intents.update(pi.id, params={"description": "x"}),
        lambda: reader.v1.payment_intents.cancel(pi.id),
    ):
        with pytest.raises(stripe.PermissionError) as denied:
            write()
        assert denied.value.http_status == 403
        assert denied.value.headers["stripe-should-retry"] == "false"
        assert stripe_error(denied.value) == denied_body(strict.reader, "rak_payment_intent_write")
    # Nothing changed.
    assert [p.id for p in shop.v1.payment_intents.list(params={"limit": 100}).data] == before
    assert shop.v1.payment_intents.retrieve(pi.id).status == "requires_payment_method"
    # Resources it has no grant for (none, or not named) are closed, reads too.
    for read, permission in [
        (lambda: reader.v1.charges.list(), "rak_charge_read"),
        (lambda: reader.v1.customers.list(), "rak_customer_read"),
        (lambda: reader.v1.refunds.list(), "rak_refund_read"),
        (lambda: reader.v1.events.list(), "rak_event_read"),
        (lambda: reader.v1.payment_methods.retrieve("pm_x"), "rak_payment_method_read"),
        (lambda: reader.v1.webhook_endpoints.create(
            params={"url": "https://shop.example/hook", "enabled_events": ["*"]}),
         "rak_webhook_write"),
    ]:  # fmt: skip
        with pytest.raises(stripe.PermissionError) as denied:
            read()
        assert stripe_error(denied.value) == denied_body(strict.reader, permission)
    assert shop.v1.webhook_endpoints.list().data == []


def test_write_implies_read_and_expansions_need_their_own_grant(strict: Strict) -> None:
    shop = make_client(strict.server, strict.shop)
    writer = make_client(strict.server, strict.writer)
    customer = shop.v1.customers.create(params={"email": "jenny@example.com"})
    pi = writer.v1.payment_intents.create(
        params={"amount": 900, "currency": "usd", "payment_method_types": ["card"],
                "customer": customer.id, "expand": ["customer"]},
    )  # fmt: skip
    assert pi.customer.email == "jenny@example.com"
    done = writer.v1.payment_intents.confirm(pi.id, params={"payment_method": "pm_card_visa"})
    assert done.status == "succeeded"
    assert writer.v1.payment_intents.retrieve(pi.id).latest_charge == done.latest_charge
    assert writer.v1.customers.retrieve(customer.id).id == customer.id
    count = len(shop.v1.payment_intents.list(params={"limit": 100}).data)
    # Expanding a charge needs read on charges: refused before anything is created.
    with pytest.raises(stripe.PermissionError) as denied:
        writer.v1.payment_intents.create(
            params={"amount": 900, "currency": "usd", "payment_method": "pm_card_visa",
                    "payment_method_types": ["card"], "confirm": True,
                    "expand": ["latest_charge"]},
        )  # fmt: skip
    assert stripe_error(denied.value) == denied_body(strict.writer, "rak_charge_read")
    assert len(shop.v1.payment_intents.list(params={"limit": 100}).data) == count
    # In a list, each item's expansion is checked too.
    with pytest.raises(stripe.PermissionError) as denied:
        writer.v1.payment_intents.list(params={"expand": ["data.latest_charge"]})
    assert stripe_error(denied.value) == denied_body(strict.writer, "rak_charge_read")
    listed = writer.v1.payment_intents.list(params={"expand": ["data.customer"]})
    assert customer.id in [p.customer.id for p in listed.data if p.customer]
    # Read on customers is not write.
    with pytest.raises(stripe.PermissionError) as denied:
        writer.v1.customers.create(params={"email": "x@example.com"})
    assert stripe_error(denied.value) == denied_body(strict.writer, "rak_customer_write")
    with pytest.raises(stripe.PermissionError) as denied:
        writer.v1.customers.update(customer.id, params={"name": "x"})
    assert shop.v1.customers.retrieve(customer.id).name is None


def test_setup_intents_need_their_own_grant(strict: Strict) -> None:
    """SetupIntents, their attempts and mandates are the setup_intents resource."""
    shop = make_client(strict.server, strict.shop)
    writer = make_client(strict.server, strict.writer)
    si = shop.v1.setup_intents.create(params={"payment_method_types": ["card"]})
    for call_, permission in [
        (lambda: writer.v1.setup_intents.retrieve(si.id), "rak_setup_intent_read"),
        (lambda: writer.v1.setup_intents.list(), "rak_setup_intent_read"),
        (lambda: writer.v1.setup_attempts.list(params={"setup_intent": si.id}),
         "rak_setup_intent_read"),
        (lambda: writer.v1.setup_intents.create(), "rak_setup_intent_write"),
        (lambda: writer.v1.setup_intents.cancel(si.id), "rak_setup_intent_write"),
    ]:  # fmt: skip
        with pytest.raises(stripe.PermissionError) as denied:
            call_()
        assert stripe_error(denied.value) == denied_body(strict.writer, permission)
    assert shop.v1.setup_intents.retrieve(si.id).status == "requires_payment_method"


def test_restricted_key_is_not_a_publishable_key(strict: Strict) -> None:
    """Stripe.js's `key` parameter takes publishable keys only, restricted ones too."""
    pi = new_intent(make_client(strict.server, strict.shop))
    resp = HTTP.get(
        f"{strict.server.url}/v1/payment_intents/{pi.id}",
        params={"key": strict.writer, "client_secret": pi.client_secret},
    )
    assert (resp.status_code, error(resp)["param"]) == (401, "key")


# -- the keys file and the CLI ------------------------------------------------------------------


def run(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "payintents", *args],
        cwd=cwd, capture_output=True, text=True, timeout=60,
    )  # fmt: skip


def test_keys_command_writes_random_independent_keys(own_database: str, tmp_path: Path):
    path = tmp_path / "new.toml"
    made = run("keys", str(path), "--account", "shop", "--account", "blog", "--live",
               "--restricted", "payment_intents=read,refunds=write", cwd=tmp_path)  # fmt: skip
    assert made.returncode == 0, made.stderr
    assert oct(path.stat().st_mode & 0o777) == "0o600"
    shop, blog = read_file(str(path))[0]
    assert made.stdout.splitlines()[0] == (
        f"payintents: wrote {path}: shop ({shop.id}), blog ({blog.id})"
    )
    every = [*shop.all_keys(), *blog.all_keys()]
    assert len(every) == 12
    # No two keys share their random part, and none is another with its prefix changed.
    assert len({key[8:] for key in every}) == 12
    assert all(len(key) == 48 for key in every)
    assert [k[:8] for k in shop.all_keys()] == [
        "sk_test_", "sk_live_", "pk_test_", "pk_live_", "rk_test_", "rk_live_",
    ]  # fmt: skip
    assert shop.restricted[next(iter(shop.restricted))] == {
        "payment_intents": "read", "refunds": "write",
    }  # fmt: skip
    again = run("keys", str(path), cwd=tmp_path)
    assert (again.returncode, again.stderr.strip()) == (
        1,
        f"payintents: keys: {path} exists; choose a new file",
    )
    proc = ServerProcess(
        own_database, "--keys-file", str(path), log_path=tmp_path / "server.log"
    ).start()
    try:
        pi = new_intent(make_client(proc, shop.secret[1]))
        assert pi.livemode is True
        reader = make_client(proc, next(k for k in shop.restricted if k.startswith("rk_live_")))
        assert reader.v1.payment_intents.retrieve(pi.id).id == pi.id
        resp = call(proc, shop.publishable[1], "GET", f"/v1/payment_intents/{pi.id}",
                    {"client_secret": pi.client_secret})  # fmt: skip
        assert resp.status_code == 200
        resp = call(proc, blog.secret[1], "GET", f"/v1/payment_intents/{pi.id}")
        assert resp.status_code == 404
    finally:
        proc.stop()


def test_one_key_a_line_files_still_work(own_database: str, tmp_path: Path) -> None:
    first, second, pk = token("sk_test_"), token("sk_test_"), token("pk_test_")
    path = tmp_path / "keys.txt"
    path.write_text(f"# allowed\n{first}\n\n{second}:{pk}  # with its publishable key\n")
    proc = ServerProcess(
        own_database, "--keys-file", str(path), log_path=tmp_path / "server.log"
    ).start()
    try:
        pi = new_intent(make_client(proc, second))
        resp = call(proc, pk, "GET", f"/v1/payment_intents/{pi.id}",
                    {"client_secret": pi.client_secret})  # fmt: skip
        assert resp.status_code == 200
        # The objects of a key are where they were before keys files had accounts.
        own = {"Stripe-Account": account_for(first[8:])}
        assert call(proc, first, "GET", "/v1/payment_intents", headers=own).status_code == 200
        for twin in ("pk_test_" + first[8:], "pk_test_" + second[8:], "sk_test_" + pk[8:]):
            assert call(proc, twin, "GET", "/v1/payment_intents").status_code == 401
    finally:
        proc.stop()


@pytest.mark.parametrize(
    "content, message",
    [
        ("rk_test_abc\n", "{path}, line 1: a restricted key needs its permissions and its "
         "account: list it in a TOML keys file (docs/keys.md)"),
        ("sk_test_a\npk_test_b\n", "{path}, line 2: a publishable key needs its account: write "
         "it after its secret key, sk_test_...:pk_test_..."),
        ("[accounts.a]\npublishable = \"pk_test_a\"\n", "{path}: accounts.a: every account "
         "needs a secret key (secret = \"sk_test_...\")"),
        ("[accounts.a]\nsecret = \"sk_test_a\"\n[accounts.a.restricted.rk_test_b]\n"
         "payouts = \"read\"\n", "{path}: accounts.a.restricted.rk_test_b: unknown resource "
         "'payouts' (known: payment_intents, payment_methods, customers, charges, refunds, "
         "events, webhook_endpoints, confirmation_tokens, disputes, setup_intents)"),
        ("[accounts.a]\nsecret = \"sk_test_a\"\n[accounts.a.restricted.rk_test_b]\n"
         "charges = \"all\"\n", "{path}: accounts.a.restricted.rk_test_b.charges must be one "
         "of none, read, write"),
        ("[accounts.a]\nsecret = \"sk_test_a\"\nscret = \"x\"\n",
         "{path}: accounts.a: unknown field(s) scret"),
        ("[accounts.a]\nsecret = \"pk_test_a\"\n", "{path}: accounts.a.secret: 'pk_test_a' is "
         "not a secret key (sk_test_... or sk_live_...)"),
        ("[accounts.a]\nsecret = \"sk_test_a\"\n[accounts.b]\nsecret = \"sk_test_a\"\n",
         "the key sk_test_... is listed twice (accounts a and b)"),
        ("[accounts.a]\nsecret = \"sk_test_a\"\nid = \"acct_1X\"\n[accounts.b]\n"
         "secret = \"sk_test_b\"\nid = \"acct_1X\"\n", "accounts a and b have the same id acct_1X"),
        ("[accounts.a]\nsecret = \"sk_test_a\"\ncountry = \"USA\"\n",
         "{path}: accounts.a.country must be a two-letter country code, e.g. \"US\""),
    ],
)  # fmt: skip
def test_bad_keys_files_stop_the_server_with_one_line(
    tmp_path: Path, content: str, message: str
) -> None:
    path = tmp_path / "keys"
    path.write_text(content)
    done = run("serve", "--database", str(tmp_path / "db.sqlite3"), "--port", "1",
               "--keys-file", str(path), cwd=tmp_path)  # fmt: skip
    assert done.returncode == 1
    assert done.stderr == f"payintents: keys: {message.format(path=path)}\n"


def test_forward_key_and_events_key_follow_the_keys_file(tmp_path: Path) -> None:
    """--forward-key and `events --key` find a key's account in the keys file, not by the
    development-mode rule (which would name another account)."""
    key, other = token("sk_test_"), token("sk_test_")
    path = tmp_path / "keys.toml"
    path.write_text(f'[accounts.a]\nid = "acct_1Forwarded"\nsecret = "{key}"\n'
                    f'[accounts.b]\nsecret = "{other}"\n')  # fmt: skip
    db = str(tmp_path / "db.sqlite3")
    proc = ServerProcess(db, "--keys-file", str(path), "--forward-to",
                         "http://127.0.0.1:9/hook", "--forward-key", key,
                         "--no-dispatcher", log_path=tmp_path / "server.log").start()  # fmt: skip
    try:
        assert "forwarding events of account acct_1Forwarded (test mode)" in proc.log()
        (endpoint,) = make_client(proc, key).v1.webhook_endpoints.list().data
        assert endpoint.url == "http://127.0.0.1:9/hook"
        assert make_client(proc, other).v1.webhook_endpoints.list().data == []
        pi = new_intent(make_client(proc, key))
        new_intent(make_client(proc, other))
    finally:
        proc.stop()
    shown = run("events", "--database", db, "--keys-file", str(path), "--key", key, "--json",
                cwd=tmp_path)  # fmt: skip
    assert shown.returncode == 0, shown.stderr
    shown_events = json.loads(shown.stdout)
    assert {e["scope"] for e in shown_events} == {"acct_1Forwarded/test"}
    assert [e["type"] for e in shown_events] == ["payment_intent.created"]
    assert pi.livemode is False
    refused = run("events", "--database", db, "--keys-file", str(path), "--key",
                  "pk_test_" + key[8:], cwd=tmp_path)  # fmt: skip
    assert refused.stderr.strip() == (
        f"payintents: --key: Invalid API Key provided: {redacted('pk_test_' + key[8:])}"
    )
    bad = ServerProcess(db, "--keys-file", str(path), "--forward-to", "http://127.0.0.1:9/h",
                        "--forward-key", "sk_test_" + key[8:] + "x",
                        log_path=tmp_path / "bad.log")  # fmt: skip
    with pytest.raises(RuntimeError, match="Invalid API Key provided"):
        bad.start()


# -- development mode ---------------------------------------------------------------------------


def test_development_mode_keeps_the_twin_rule(server: ServerProcess) -> None:
    """Without configured keys any well-formed key works: pk_ and rk_ keys with X act for the
    account of sk_test_X, a restricted key with everything the secret key may do."""
    suffix = secrets.token_hex(12)
    shop = make_client(server, "sk_test_" + suffix)
    pi = new_intent(shop)
    restricted = make_client(server, "rk_test_" + suffix)
    assert restricted.v1.payment_intents.retrieve(pi.id).id == pi.id
    refund_ready = restricted.v1.payment_intents.confirm(
        pi.id, params={"payment_method": "pm_card_visa"}
    )
    assert refund_ready.status == "succeeded"
    assert restricted.v1.refunds.create(params={"payment_intent": pi.id}).status == "succeeded"
    resp = call(server, "pk_test_" + suffix, "GET", f"/v1/payment_intents/{pi.id}",
                {"client_secret": pi.client_secret})  # fmt: skip
    assert resp.status_code == 200
