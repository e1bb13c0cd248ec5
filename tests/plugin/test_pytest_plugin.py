"""The pytest plugin as a user meets it: test files with no conftest, run by pytest in a process
of their own (pytester), the plugin found through its `pytest11` entry point."""

from __future__ import annotations

from importlib.metadata import entry_points

import pytest

from tests.server import ServerProcess

pytest_plugins = ["pytester"]

PAY = """
def test_pays_and_hears_of_it(stripe_client, stripe_webhooks):
    intent = stripe_client.v1.payment_intents.create(params={
        "amount": 2000, "currency": "usd", "payment_method": "pm_card_visa",
        "payment_method_types": ["card"], "confirm": True,
    })
    assert intent.status == "succeeded"
    event = stripe_webhooks.wait_for("payment_intent.succeeded")
    assert event.data.object.id == intent.id
    assert event.data.object.amount_received == 2000
    assert "payment_intent.succeeded" in [e.type for e in stripe_webhooks.events]


def test_a_declined_card(stripe_client):
    import stripe
    try:
        stripe_client.v1.payment_intents.create(params={
            "amount": 2000, "currency": "usd", "payment_method": "pm_card_visa_chargeDeclined",
            "payment_method_types": ["card"], "confirm": True,
        })
    except stripe.CardError as err:
        assert err.code == "card_declined"
        assert err.error.decline_code == "generic_decline"
    else:
        raise AssertionError("no decline")
"""


def test_the_entry_point_is_installed() -> None:
    found = {e.name: e.value for e in entry_points(group="pytest11")}
    assert found.get("payintents") == "payintents.pytest_plugin"


def test_a_users_file_needs_nothing_but_the_package(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(test_shop=PAY)
    result = pytester.runpytest_subprocess("-p", "no:cacheprovider", timeout=240)
    result.assert_outcomes(passed=2)


ISOLATED = """
import pytest

@pytest.mark.parametrize("n", range(6))
def test_sees_only_its_own_objects(stripe_client, n):
    created = stripe_client.v1.customers.create(params={"email": f"c{n}@example.com"})
    assert [c.id for c in stripe_client.v1.customers.list().data] == [created.id]
"""


def test_accounts_are_apart_under_xdist(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(test_isolated=ISOLATED)
    result = pytester.runpytest_subprocess("-p", "no:cacheprovider", "-n", "2", timeout=240)
    result.assert_outcomes(passed=6)


CONTROLS = """
import stripe


def test_an_authorization_expires(stripe_client, payintents, stripe_webhooks):
    intent = stripe_client.v1.payment_intents.create(params={
        "amount": 1500, "currency": "usd", "payment_method": "pm_card_visa",
        "payment_method_types": ["card"], "capture_method": "manual", "confirm": True,
    })
    assert intent.status == "requires_capture"
    payintents.advance_time(days=8)
    expired = stripe_client.v1.payment_intents.retrieve(intent.id)
    assert expired.status == "canceled"
    assert expired.cancellation_reason == "expired"
    assert stripe_webhooks.wait_for("payment_intent.canceled").data.object.id == intent.id


def test_a_fault_then_a_retry(stripe_client, payintents):
    payintents.inject_fault(method="POST", path="/v1/customers", status=500)
    try:
        stripe_client.v1.customers.create(options={"max_network_retries": 0})
    except stripe.APIError as err:
        assert err.http_status == 500
    else:
        raise AssertionError("the fault did not fire")
    assert stripe_client.v1.customers.create().object == "customer"


def test_reset(stripe_client, payintents):
    stripe_client.v1.customers.create()
    payintents.reset()
    assert stripe_client.v1.customers.list().data == []
"""


def test_the_controls_read_like_the_scenario(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(test_controls=CONTROLS)
    result = pytester.runpytest_subprocess("-p", "no:cacheprovider", timeout=240)
    result.assert_outcomes(passed=3)


def test_a_running_server_is_used_as_it_is(pytester: pytest.Pytester, tmp_path) -> None:
    running = ServerProcess(str(tmp_path / "running.sqlite3")).start()
    try:
        pytester.makepyfile(
            test_there=f"""
def test_there(payintents_server, stripe_client):
    assert payintents_server.url == "{running.url}"
    assert stripe_client.v1.customers.create().object == "customer"
"""
        )
        result = pytester.runpytest_subprocess(
            "-p", "no:cacheprovider", "--payintents-url", running.url, timeout=240
        )
        result.assert_outcomes(passed=1)
    finally:
        running.stop()
