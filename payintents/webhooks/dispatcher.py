"""The dispatcher: posts queued events to their endpoints, signed, with retries.

Every server process runs one (and `payintents dispatch` runs one on its own).
Any number may share a database: each delivery is claimed by one dispatcher
at a time for a lease (3 x the request timeout), long enough to post, wait
and record the outcome. A dispatcher killed mid-delivery leaves its claims to
lapse; the deliveries then come due again and another dispatcher (or the same
one, restarted) sends them. Delivery is therefore at least once: a receiver
that answered 2xx just before the crash gets the event again and must dedupe
by event id, as with Stripe.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import secrets
import time
from dataclasses import dataclass

import httpx
import orjson

from payintents.resources.events import render_event
from payintents.store.base import Store, Tx
from payintents.testing.faults import WebhookFault, match_delivery
from payintents.webhooks import outbox, signing, targets
from payintents.webhooks.vault import Vault

log = logging.getLogger("payintents.webhooks")

USER_AGENT = "Stripe/1.0 (+https://stripe.com/docs/webhooks)"
CONTENT_TYPE = "application/json; charset=utf-8"
# How often an idle dispatcher looks for due deliveries.
POLL_INTERVAL = 0.2
# Deliveries one dispatcher has in flight at once, and to any one endpoint (a developer's
# receiver is often a small server with a short accept queue).
MAX_IN_FLIGHT = 64
MAX_PER_ENDPOINT = 8
# Bytes of a failing response body kept with the attempt, for the `events` command.
ERROR_BODY_BYTES = 300


# How an attempt a webhook fault rule answered in the endpoint's place is recorded.
INJECTED = "a fault rule of the account (POST /_payintents/faults)"


@dataclass(frozen=True)
class Job:
    delivery: outbox.Claimed
    token: str
    # When the claim lapses and another dispatcher may take the delivery.
    lease_until_ms: int
    url: str
    secret: str
    body: bytes
    # What a webhook fault rule of the account does to this attempt, if one matched.
    fault: WebhookFault | None = None
    # A live-mode endpoint's: it connects to public addresses only (targets.py).
    guarded: bool = False


# Jobs sent one after another (deliveries a fault rule held back, released newest first);
# every other job is a run of its own.
Run = list[Job]


class Dispatcher:
    def __init__(
        self,
        store: Store,
        *,
        retry_schedule: tuple[int, ...],
        timeout: float,
        poll_interval: float = POLL_INTERVAL,
        max_in_flight: int = MAX_IN_FLIGHT,
        allow_internal: tuple[str, ...] = (),
        vault: Vault | None = None,
    ) -> None:
        self.store = store
        self.allow_internal = allow_internal
        self.vault = vault or Vault(None)
        self.retry_schedule = retry_schedule
        self.timeout = timeout
        self.lease_ms = int(3 * timeout * 1000)
        self.poll_interval = poll_interval
        self.max_in_flight = max_in_flight
        # Claimed and not yet recorded: handed back if the dispatcher stops.
        self._in_flight: dict[int, Job] = {}
        # Per endpoint id: its concurrency gate and how many jobs hold or await it.
        self._gates: dict[str, tuple[asyncio.Semaphore, int]] = {}

    # Store work, run in a worker thread.

    def claim(self, limit: int, scope: str | None = None) -> list[Run]:
        """Due deliveries (of every account, or of one), claimed for this dispatcher."""
        with self.store.read() as tx:
            if not outbox.has_due(tx, outbox.now_ms(), scope):
                return []
        token = secrets.token_hex(8)
        runs: list[Run] = []
        with self.store.write() as tx:
            at = outbox.now_ms()
            claimed = outbox.claim(tx, token, at, self.lease_ms, limit, scope)
            if not claimed:
                return []
            counts = outbox.pending_counts(tx, {c.event_id for c in claimed})
            for delivery in claimed:
                fault = match_delivery(tx, delivery.event_scope, delivery.endpoint_id)
                if fault is None or fault.mode != "hold":
                    job = self._job(tx, delivery, token, at + self.lease_ms, counts, fault)
                    if job is not None:
                        runs.append([job])
                    continue
                outbox.hold(tx, delivery, token, fault.rule_id)
                if fault.last:
                    runs.append(self._released(tx, delivery.event_scope, fault, token, at))
        return [run for run in runs if run]

    def _released(self, tx: Tx, scope: str, fault: WebhookFault, token: str, at: int) -> Run:
        """What a hold rule held, to be sent now, newest first, each after the one before."""
        lease = self.lease_ms * fault.count
        held = outbox.take_held(tx, scope, fault.rule_id, token, at, lease)
        counts = outbox.pending_counts(tx, {d.event_id for d in held})
        jobs = (
            self._job(tx, d, token, at + self.lease_ms * (i + 1), counts, None)
            for i, d in enumerate(held)
        )
        return [job for job in jobs if job is not None]

    def _job(
        self,
        tx: Tx,
        delivery: outbox.Claimed,
        token: str,
        lease_until_ms: int,
        counts: dict[str, int],
        fault: WebhookFault | None,
    ) -> Job | None:
        endpoint = tx.get("webhook_endpoint", delivery.endpoint_scope, delivery.endpoint_id)
        event = tx.get("event", delivery.event_scope, delivery.event_id)
        if endpoint is None or event is None:
            gone = "endpoint deleted" if endpoint is None else "event no longer stored"
            outbox.drop(tx, delivery, token, gone)
            return None
        if endpoint.data["status"] != "enabled":
            outbox.drop(tx, delivery, token, "endpoint disabled")
            return None
        payload = render_event(
            {**event.data, "pending_webhooks": counts.get(delivery.event_id, 0)},
            endpoint.data.get("api_version"),
        )
        body = orjson.dumps(payload, option=orjson.OPT_INDENT_2)
        secret = self.vault.open(endpoint.private)
        url = endpoint.data["url"]
        guarded = bool(endpoint.data.get("livemode"))
        return Job(delivery, token, lease_until_ms, url, secret, body, fault, guarded)

    def log(self, job: Job, outcome: outbox.Outcome) -> None:
        """An attempt that decides nothing (the first of a duplicated delivery)."""
        with self.store.write() as tx:
            outbox.log_attempt(tx, job.delivery, outcome)

    def record(self, job: Job, outcome: outbox.Outcome) -> None:
        with self.store.write() as tx:
            kept = outbox.record_attempt(tx, job.delivery, job.token, outcome, self.retry_schedule)
        if not kept:
            log.warning(
                "delivery %s of %s: claim lapsed before the outcome was recorded",
                job.delivery.id,
                job.delivery.event_id,
            )

    def release(self, jobs: list[Job]) -> None:
        with self.store.write() as tx:
            for job in jobs:
                outbox.release(tx, [job.delivery.id], job.token, outbox.now_ms())

    # Posting.

    async def post(self, client: httpx.AsyncClient, job: Job) -> outbox.Outcome:
        # Each attempt is signed afresh, with the time it is sent.
        headers = {
            "User-Agent": USER_AGENT,
            "Content-Type": CONTENT_TYPE,
            "Accept": "*/*; q=0.5, application/xml",
            "Cache-Control": "no-cache",
            "Stripe-Signature": signing.header(job.body, job.secret, int(time.time())),
        }
        started_ms = outbox.now_ms()
        started = time.monotonic()
        code: int | None = None
        error: str | None = None
        try:
            async with (
                asyncio.timeout(self.timeout),
                client.stream(
                    "POST",
                    job.url,
                    content=job.body,
                    headers=headers,
                    extensions={targets.GUARD: job.guarded},
                ) as response,
            ):
                code = response.status_code
                if not 200 <= code < 300:
                    error = f"HTTP {code}: {await _head(response)}".rstrip(": ")
        except TimeoutError:
            code, error = None, f"timed out after {self.timeout:g}s"
        except httpx.HTTPError as exc:
            code, error = None, f"{type(exc).__name__}: {exc}".rstrip(": ")
        duration = int((time.monotonic() - started) * 1000)
        return outbox.Outcome(started_ms, duration, code, error)

    async def attempt(self, client: httpx.AsyncClient, job: Job) -> outbox.Outcome:
        """One attempt: posted, or answered by the fault rule that matched it."""
        fault = job.fault
        if fault is None:
            return await self.post(client, job)
        if fault.mode == "fail":
            return outbox.Outcome(
                outbox.now_ms(), 0, fault.status, f"HTTP {fault.status}: {INJECTED}"
            )
        if fault.mode == "timeout":
            return outbox.Outcome(outbox.now_ms(), 0, None, f"timed out: {INJECTED}")
        # "duplicate": the endpoint gets the event twice; the second answer decides.
        await asyncio.to_thread(self.log, job, await self.post(client, job))
        return await self.post(client, job)

    async def deliver_run(self, client: httpx.AsyncClient, run: Run) -> None:
        for job in run:
            await self.deliver(client, job)

    async def deliver(self, client: httpx.AsyncClient, job: Job) -> None:
        endpoint = job.delivery.endpoint_id
        gate, users = self._gates.get(endpoint, (asyncio.Semaphore(MAX_PER_ENDPOINT), 0))
        self._gates[endpoint] = (gate, users + 1)
        try:
            async with gate:
                # Send only if the attempt can end within the claim: after it lapses another
                # dispatcher may be sending the same delivery.
                if outbox.now_ms() + self.timeout * 1000 > job.lease_until_ms:
                    await asyncio.to_thread(self.release, [job])
                    self._in_flight.pop(job.delivery.id, None)
                    return
                outcome = await self.attempt(client, job)
        finally:
            gate, users = self._gates[endpoint]
            if users == 1:
                del self._gates[endpoint]
            else:
                self._gates[endpoint] = (gate, users - 1)
        await self.finish(job, outcome)

    async def finish(self, job: Job, outcome: outbox.Outcome) -> None:
        if not outcome.succeeded:
            attempt = job.delivery.attempts + 1
            more = attempt <= len(self.retry_schedule)
            log.warning(
                "webhook %s to %s failed (attempt %d%s): %s",
                job.delivery.event_id,
                job.url,
                attempt,
                f", retrying in {self.retry_schedule[attempt - 1]}s" if more else ", giving up",
                outcome.error,
            )
        try:
            await asyncio.to_thread(self.record, job, outcome)
        except Exception:
            # The claim lapses and the delivery is attempted again: at least once.
            log.exception("could not record delivery %s", job.delivery.id)
        self._in_flight.pop(job.delivery.id, None)

    async def run(self) -> None:
        """Deliver until cancelled; on cancel, hand back what was claimed and not recorded."""
        tasks: set[asyncio.Task[None]] = set()
        limits = httpx.Limits(max_connections=self.max_in_flight)
        async with self._client(limits) as client:
            try:
                while True:
                    room = self.max_in_flight - len(tasks)
                    runs: list[Run] = []
                    if room > 0:
                        try:
                            runs = await asyncio.to_thread(self.claim, room)
                        except Exception:
                            log.exception("claiming webhook deliveries failed; retrying")
                    for run in runs:
                        self._in_flight.update((job.delivery.id, job) for job in run)
                        task = asyncio.create_task(self.deliver_run(client, run))
                        tasks.add(task)
                        task.add_done_callback(tasks.discard)
                    if not runs:
                        await asyncio.sleep(self.poll_interval)
            finally:
                for task in tasks:
                    task.cancel()
                await asyncio.gather(*tasks, return_exceptions=True)
                unfinished = list(self._in_flight.values())
                self._in_flight.clear()
                if unfinished:
                    with contextlib.suppress(Exception):
                        await asyncio.to_thread(self.release, unfinished)

    async def deliver_due(self, scope: str) -> int:
        """Send every delivery of one account that is due now, one after another, until none
        is due, waiting for those another dispatcher is sending (an advance of the account's
        clock: testing/clock.py); returns how many attempts were made."""
        attempted = 0
        limits = httpx.Limits(max_connections=MAX_PER_ENDPOINT)
        async with self._client(limits) as client:
            while True:
                runs = await asyncio.to_thread(self.claim, self.max_in_flight, scope)
                for run in runs:
                    for job in run:
                        self._in_flight[job.delivery.id] = job
                        await self.deliver(client, job)
                        attempted += 1
                if runs:
                    continue
                if not await asyncio.to_thread(self._sending, scope):
                    return attempted
                await asyncio.sleep(self.poll_interval / 4)

    def _client(self, limits: httpx.Limits) -> httpx.AsyncClient:
        # No proxies from the environment: a live delivery's connection must be the one
        # its checked address was made for.
        return httpx.AsyncClient(
            follow_redirects=False,
            trust_env=False,
            transport=targets.DeliveryTransport(limits, self.allow_internal),
        )

    def _sending(self, scope: str) -> bool:
        with self.store.read() as tx:
            return outbox.in_flight(tx, scope) > 0


async def _head(response: httpx.Response) -> str:
    """The start of a response body, for the attempt log."""
    chunk = b""
    async for part in response.aiter_bytes():
        chunk += part
        if len(chunk) >= ERROR_BODY_BYTES:
            break
    return chunk[:ERROR_BODY_BYTES].decode("utf-8", "replace").strip()
