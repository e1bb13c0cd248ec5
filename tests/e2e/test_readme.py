"""Every example in README.md runs as written against a live server: its Python, its
JavaScript (stripe-node), its shell commands (curl, the Stripe CLI) and its pytest file.

The examples name http://127.0.0.1:12111, the server's default address: the server here takes
that port where it is free, and only where it is not (a developer's own server) is the port put
in its place in each example."""

from __future__ import annotations

import fcntl
import json
import os
import re
import socket
import subprocess
import sys
import tempfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
import stripe

from payintents.processor.cards import CARD_TOKENS
from tests import npm
from tests.conftest import make_client, new_key
from tests.controls import advance
from tests.http_client import HTTP
from tests.server import ROOT, ServerProcess

README = ROOT / "README.md"
PORT = 12111


@dataclass(frozen=True)
class Block:
    lang: str
    code: str
    line: int

    @property
    def expected(self) -> list[str]:
        """What the example says it prints: `print(x)  # value`, `console.log(x); // value`."""
        marks = r"^\s*(?:print\(|console\.log\().*(?:#|//)\s*(.+)$"
        return [m.group(1).strip() for m in re.finditer(marks, self.code, re.M)]


def blocks() -> list[Block]:
    found, lang, start, lines = [], None, 0, []
    for number, text in enumerate(README.read_text().splitlines(), 1):
        fence = re.match(r"^```(\w*)\s*$", text)
        if fence and lang is None:
            lang, start, lines = fence.group(1), number, []
        elif fence:
            found.append(Block(lang, "\n".join(lines) + "\n", start))
            lang = None
        elif lang is not None:
            lines.append(text)
    assert lang is None, f"README.md: a code block opened at line {start} never closes"
    return found


RUN = ("python", "js", "sh")


def test_every_code_block_is_run_or_a_file_format() -> None:
    """A block of another language would be an example this test leaves unchecked."""
    assert {b.lang for b in blocks()} <= {*RUN, "toml"}


def _port_free(port: int) -> bool:
    with socket.socket() as sock:
        try:
            sock.bind(("127.0.0.1", port))
        except OSError:
            return False
    return True


@pytest.fixture(scope="module")
def live(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ServerProcess]:
    folder = tmp_path_factory.mktemp("readme")
    proc = ServerProcess(str(folder / "readme.sqlite3"))
    # One pytest-xdist worker takes the port; the others (and a machine where something else
    # has it) run the examples against a port of their own.
    with open(Path(tempfile.gettempdir()) / f"payintents-readme-{PORT}.lock", "w") as claim:
        try:
            fcntl.flock(claim, fcntl.LOCK_EX | fcntl.LOCK_NB)
            claimed = _port_free(PORT)
        except BlockingIOError:
            claimed = False
        if claimed:
            proc.port = PORT
        else:
            print(f"port {PORT} is taken: the README's examples run against port {proc.port}")
        proc.start()
        yield proc
        proc.stop()


def _as_run(code: str, server: ServerProcess) -> str:
    return code.replace(f"127.0.0.1:{PORT}", f"127.0.0.1:{server.port}").replace(
        f"port: {PORT}", f"port: {server.port}"
    )


def _answers(text: str) -> list[dict]:
    """The JSON objects a shell example printed, one after another."""
    decoder, found, at = json.JSONDecoder(), [], 0
    while at < len(text):
        if text[at].isspace():
            at += 1
            continue
        obj, at = decoder.raw_decode(text, at)
        found.append(obj)
    return found


def _run(cmd: list[str], cwd: Path, **env: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        cmd, cwd=cwd, capture_output=True, text=True, timeout=300, env={**os.environ, **env}
    )


@pytest.mark.parametrize(
    "block", [b for b in blocks() if b.lang in RUN], ids=lambda b: f"line{b.line}"
)
def test_the_example_runs_as_written(block: Block, live: ServerProcess, tmp_path: Path) -> None:
    code = _as_run(block.code, live)
    if block.lang == "python" and "def test_" in code:
        # A user's test file: the plugin alone starts its server.
        (tmp_path / "test_example.py").write_text(code)
        done = _run([sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider"], tmp_path)
        assert done.returncode == 0, done.stdout + done.stderr
        assert re.search(rf"\b{code.count('def test_')} passed\b", done.stdout), done.stdout
        return
    if block.lang == "python":
        done = _run([sys.executable, "-c", code], tmp_path)
    elif block.lang == "js":
        (tmp_path / "node_modules").symlink_to(npm.install())
        (tmp_path / "pay.mjs").write_text(code)
        done = _run(["node", "pay.mjs"], tmp_path)
    else:
        home = tmp_path / "home"
        home.mkdir()
        path = f"{npm.install() / '.bin'}{os.pathsep}{os.environ['PATH']}"
        done = _run(
            ["bash", "-e", "-o", "pipefail", "-c", code],
            tmp_path,
            PATH=path,
            HOME=str(home),
            XDG_CONFIG_HOME=str(home),
            STRIPE_CLI_TELEMETRY_OPTOUT="1",
        )
    assert done.returncode == 0, done.stdout + done.stderr
    if block.lang == "sh":
        answers = _answers(done.stdout)
        assert answers, done.stdout
        assert not [a for a in answers if set(a) == {"error"}], done.stdout
    else:
        assert done.stdout.split() == " ".join(block.expected).split(), done.stdout


def card_rows() -> list[tuple[str, str, str]]:
    """(token, number, outcome) of the README's table of test cards."""
    text = README.read_text()
    table = text[text.index("## Test cards and tokens") :].split("\n\n")[2]
    rows = []
    for line in table.splitlines()[2:]:
        token, number, outcome = (cell.strip() for cell in line.strip("|").split("|"))
        rows.append((token.strip("`"), number, outcome))
    return rows


def _card_error(call: Callable[[], object]) -> stripe.CardError:
    with pytest.raises(stripe.CardError) as err:
        call()
    return err.value


def _authenticate(intent: stripe.PaymentIntent) -> None:
    """ "Complete authentication" on the hosted 3-D Secure page, as a person would."""
    page = HTTP.get(intent.next_action.redirect_to_url.url, timeout=30)
    assert page.status_code == 200
    form = dict(re.findall(r'<input type="hidden" name="(\w+)" value="([^"]*)">', page.text))
    done = HTTP.post(str(page.url).split("?")[0], data={**form, "outcome": "complete"}, timeout=30)
    assert done.status_code in (200, 303), done.text


@pytest.mark.parametrize(("token", "number", "outcome"), card_rows(), ids=lambda v: v)
def test_the_card_table_says_what_the_card_does(
    token: str, number: str, outcome: str, live: ServerProcess
) -> None:
    assert CARD_TOKENS[token] == number
    key = new_key()
    client = make_client(live, key)
    pay = {
        "amount": 2000,
        "currency": "usd",
        "payment_method": token,
        "payment_method_types": ["card"],
        "confirm": True,
        "return_url": "https://shop.example/back",
    }
    declined = re.fullmatch(r"402 `(\w+)`(?:, `(\w+)`)?( \(blocked by Radar\))?", outcome)
    if declined:
        err = _card_error(lambda: client.v1.payment_intents.create(params=pay))
        assert err.code == declined.group(1)
        if declined.group(2):
            assert err.error.decline_code == declined.group(2)
        if declined.group(3):
            assert err.error.payment_intent.last_payment_error.charge is not None
            charge = client.v1.charges.retrieve(err.error.payment_intent.latest_charge)
            assert charge.outcome.type == "blocked"
        return
    intent = client.v1.payment_intents.create(params=pay)
    first, _, refunds = outcome.partition("; its refunds are ")
    first, _, then = first.partition(", then ")
    first, _, off_session = first.partition("; off-session: ")
    if first.startswith("succeeded"):
        assert intent.status == "succeeded"
    else:
        assert first in ("`requires_action`", "`requires_action` (3-D Secure on the hosted page)")
        assert intent.status == "requires_action"
    if off_session:
        assert off_session == "402 `authentication_required`"
        err = _card_error(
            lambda: client.v1.payment_intents.create(params={**pay, "off_session": True})
        )
        assert err.code == "authentication_required"
    if then == "402 `card_declined` once authenticated":
        _authenticate(intent)
        failed = client.v1.payment_intents.retrieve(intent.id)
        assert failed.status == "requires_payment_method"
        assert failed.last_payment_error.code == "card_declined"
    elif then:
        (dispute,) = client.v1.disputes.list(params={"payment_intent": intent.id}).data
        if dispute.status == "needs_response":
            assert then == f"a `{dispute.reason}` dispute"
        else:
            assert then == f"an inquiry (`{dispute.status}`)"
    if refunds:
        at_first, _, later = refunds.partition(", then ")
        refund = client.v1.refunds.create(params={"payment_intent": intent.id})
        assert at_first == f"`{refund.status}`"
        advance(live, key, seconds=120)
        final = {"succeed a minute later": "succeeded", "fail a minute later": "failed"}[later]
        assert client.v1.refunds.retrieve(refund.id).status == final
