"""The testing controls of one account (`/_payintents/...`), as a test calls them."""

from __future__ import annotations

from typing import Any

import httpx


class ControlError(Exception):
    """A control answered with Stripe's error body."""

    def __init__(self, status: int, error: dict[str, Any]) -> None:
        super().__init__(f"{status}: {error.get('message')}")
        self.status = status
        self.error = error


class Payintents:
    """Time travel, fault injection and reset for the account of `api_key` on `url`."""

    def __init__(self, url: str, api_key: str) -> None:
        self.url = url
        self.api_key = api_key
        self._http = httpx.Client(
            base_url=url, headers={"Authorization": f"Bearer {api_key}"}, timeout=60
        )

    def _call(self, method: str, path: str, data: dict[str, Any] | None = None) -> Any:
        resp = self._http.request(method, path, data=data)
        body = resp.json()
        if resp.status_code >= 400:
            raise ControlError(resp.status_code, body.get("error", body))
        return body

    def clock(self) -> dict[str, Any]:
        """The account's clock: its time and how far it is ahead of the server's."""
        return self._call("GET", "/_payintents/clock")

    def advance_time(
        self,
        seconds: float = 0,
        *,
        minutes: float = 0,
        hours: float = 0,
        days: float = 0,
        to: int | None = None,
    ) -> dict[str, Any]:
        """Move the account's clock forward (by a duration, or `to` a unix time); what falls
        due by then (expiries, settlements, webhook retries) has happened on return."""
        if to is not None:
            return self._call("POST", "/_payintents/clock/advance", {"to": int(to)})
        total = seconds + 60 * minutes + 3600 * hours + 86400 * days
        return self._call("POST", "/_payintents/clock/advance", {"seconds": int(total)})

    def inject_fault(self, **rule: Any) -> dict[str, Any]:
        """A fault rule: `method`, `path` (a glob), `count`, and `status` (with `type`,
        `code`), `delay_ms` or `mode="drop_after_commit"`; see docs/testing-controls.md."""
        return self._call("POST", "/_payintents/faults", rule)

    def faults(self) -> list[dict[str, Any]]:
        return self._call("GET", "/_payintents/faults")["data"]

    def clear_faults(self) -> None:
        self._call("DELETE", "/_payintents/faults")

    def reset(self) -> None:
        """Wipe every object, event, delivery, key, fault rule and clock offset of the account."""
        self._call("DELETE", "/_payintents/data")

    def close(self) -> None:
        self._http.close()
