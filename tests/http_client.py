"""One httpx client for the tests' raw HTTP requests.

`httpx.get()` and its siblings build a client per call, and with it an SSL context from
certifi's bundle: about 30 ms of CPU a request, most of the CPU of the raw-HTTP tests. Without
keep-alive, each request still gets a connection of its own, as with those functions.
"""

from __future__ import annotations

import httpx

HTTP = httpx.Client(limits=httpx.Limits(max_keepalive_connections=0))
