"""The transport core of SimClient: one httpx.Client, bounded exchanges, error mapping, retries.

Every request is bounded: ``timeout`` seconds for the whole exchange (connect to the last byte,
:mod:`simtools.client.transfer`), ``max_body_bytes`` for its answer, and the retry policy's
``deadline`` for a whole call with its retries and waits (429s included).
"""

from __future__ import annotations

import datetime as dt
import email.utils
import hashlib
import hmac
import math
import os
import time
from collections.abc import Callable, Mapping
from typing import Any, Self, TypeVar
from urllib.parse import urlsplit

import httpx

from simtools._version import __version__
from simtools.client._wire import (
    DEFAULT_BASE_URL,
    BearerAuth,
    api_error,
    body_object,
    check_api_key,
    check_base_url,
    describe,
    is_loopback,
    page_objects,
    shape_error,
    validated,
)
from simtools.client.retrying import Deadline, Pacer, RetryPolicy
from simtools.client.transfer import BodyTooLarge, ExchangeTimeout, exchange
from simtools.errors import InvalidInputError, ResponseError, TransportError
from simtools.models import WireModel

#: Codes per register request. Telnyx publishes no maximum; 50 keeps a request small and bounds
#: what one unknown outcome puts in doubt (reconciliation re-checks one chunk at a time).
DEFAULT_CHUNK_SIZE = 50
#: The contract's maximum ``page[size]`` for wireless lists.
MAX_PAGE_SIZE = 250
#: The most requests in flight at once: paging starts at 4 and grows towards this while latency
#: dominates and the server's rate-limit headers leave room; per-SIM work uses this many threads.
#: Every request passes the client's pacer, so more in flight never sends faster than allowed.
DEFAULT_CONCURRENCY = 16
#: The largest answer read: a page of 250 SIM cards is about 200 KB, so this is far above any
#: real page and still bounds what a broken server can make the client hold.
MAX_BODY_BYTES = 64 << 20
M = TypeVar("M", bound=WireModel)


def _positive_seconds(value: object, name: str, example: str) -> float:
    if (
        isinstance(value, bool)
        or not isinstance(value, int | float)
        or not math.isfinite(value)
        or value <= 0
    ):
        raise InvalidInputError(
            value, f"{name} must be a positive, finite number of seconds", f"pass e.g. {example}"
        )
    return float(value)


def _positive_int(value: object, name: str, example: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value < 1:
        raise InvalidInputError(value, f"{name} must be a positive whole number", example)
    return value


class ClientCore:
    """Connection, configuration and the request pipeline that ``SimClient`` builds on.

    One ``httpx.Client`` per instance; every request passes the pacer, is retried by the
    ``RetryPolicy`` (writes only while nothing reached the server) and has its errors mapped
    to the simtools error tree.
    """

    def __init__(
        self,
        api_key: str | None = None,
        *,
        base_url: str | None = None,
        timeout: float = 60.0,
        transport: httpx.BaseTransport | None = None,
        retry: RetryPolicy | None = None,
        chunk_size: int = DEFAULT_CHUNK_SIZE,
        concurrency: int = DEFAULT_CONCURRENCY,
        proxy: str | None = None,
        max_body_bytes: int = MAX_BODY_BYTES,
    ) -> None:
        key = check_api_key(api_key)
        self.base_url = check_base_url(DEFAULT_BASE_URL if base_url is None else base_url)
        if retry is not None and not isinstance(retry, RetryPolicy):
            raise InvalidInputError(
                type(retry).__name__,
                f"retry must be a RetryPolicy, got {type(retry).__name__}",
                "pass e.g. retry=RetryPolicy(attempts=3, deadline=30) "
                "(from simtools.client.retrying)",
            )
        self.retry = retry or RetryPolicy()
        #: Seconds one exchange may take, connect to last byte.
        self.timeout = _positive_seconds(timeout, "timeout", "timeout=30")
        self.chunk_size = _positive_int(chunk_size, "chunk_size", "e.g. chunk_size=50")
        self.concurrency = _positive_int(concurrency, "concurrency", "e.g. concurrency=4")
        self.max_body_bytes = _positive_int(max_body_bytes, "max_body_bytes", "e.g. 64 << 20")
        self.pacer = Pacer()
        self._key = key
        self._server_offset: float | None = None
        self._on_close: list[Callable[[], object]] = []
        #: The sandbox handle when ``simtools.connect`` started one for this client.
        self.sandbox: Any = None
        # Proxy settings from the environment are for the internet: a sandbox on this machine is
        # reached directly, so the key never travels through a proxy in clear text. An explicit
        # proxy= is used as given.
        trust_env = proxy is None and not self.is_loopback
        self._http = httpx.Client(
            base_url=self.base_url + "/",
            auth=BearerAuth(key),
            timeout=self.timeout,
            transport=transport,
            proxy=proxy,
            trust_env=trust_env,
            headers={
                "Accept": "application/json",
                "User-Agent": f"simtools/{__version__}",
            },
            limits=httpx.Limits(max_connections=max(self.concurrency, 4) + 2),
        )

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None, **kwargs: Any) -> Self:
        """A client from ``TELNYX_API_KEY`` and (optionally) ``TELNYX_BASE_URL``."""
        env = os.environ if env is None else env
        key = env.get("TELNYX_API_KEY")
        if not key:
            raise InvalidInputError(
                None,
                "TELNYX_API_KEY is not set",
                "export TELNYX_API_KEY=... (or use simtools.connect(), which falls back to the "
                "local sandbox)",
            )
        return cls(key, base_url=env.get("TELNYX_BASE_URL") or None, **kwargs)

    @property
    def is_loopback(self) -> bool:
        """True when talking to a server on this machine (a sandbox), not the real API."""
        return is_loopback(urlsplit(self.base_url).hostname or "")

    def account_fingerprint(self, salt: str) -> str:
        """A fingerprint of this client's key, salted (HMAC-SHA256): two keys give different
        ones, and it does not reveal the key. A ledger keeps it to know which account wrote it."""
        digest = hmac.new(salt.encode("utf-8"), self._key.encode("utf-8"), hashlib.sha256)
        return digest.hexdigest()[:32]

    def __repr__(self) -> str:
        return f"{type(self).__name__}(base_url={self.base_url!r}, api_key=<redacted>)"

    @property
    def closed(self) -> bool:
        """True once ``close()`` has been called: the client sends nothing more."""
        return self._http.is_closed

    def close(self) -> None:
        """Close the connection pool (and stop a sandbox that ``simtools.connect`` started)."""
        self._http.close()
        while self._on_close:
            self._on_close.pop()()

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- one request ---------------------------------------------------------------------------

    def _send(
        self,
        method: str,
        path: str,
        *,
        params: Mapping[str, Any] | None = None,
        json_body: Any = None,
        deadline: Deadline | None = None,
        max_bytes: int | None = None,
    ) -> httpx.Response:
        """One attempt: the response of a 2xx, or the matching error of the tree. It takes at
        most ``timeout`` seconds, and no longer than ``deadline`` leaves."""
        url = f"{self.base_url}/{path.lstrip('/')}"
        if self._http.is_closed:
            raise TransportError(
                method,
                url,
                "this client was closed (client.close() or the end of its with block); "
                "make a new one with simtools.connect()",
                request_sent=False,
                retryable=False,
            )
        response: httpx.Response | None = None
        try:
            self.pacer.wait()
            response = self._exchange(method, path, url, params, json_body, deadline, max_bytes)
        finally:
            if response is None:
                self.pacer.answered(None, None)
            else:
                self.pacer.answered(response.status_code, response.headers)
        self._note_server_time(response)
        if response.is_success:
            return response
        raise api_error(response, method, url)

    def _exchange(
        self,
        method: str,
        path: str,
        url: str,
        params: Mapping[str, Any] | None,
        json_body: Any,
        deadline: Deadline | None,
        max_bytes: int | None,
    ) -> httpx.Response:
        seconds = self.timeout if deadline is None else min(self.timeout, deadline.remaining())
        if seconds <= 0:
            raise TransportError(
                method, url, "the call's deadline passed", request_sent=False, retryable=False
            )
        request = self._http.build_request(
            method,
            path.lstrip("/"),
            params=params,
            json=json_body,
            timeout=httpx.Timeout(seconds, connect=min(5.0, seconds)),
        )
        limit = self.max_body_bytes if max_bytes is None else max_bytes
        try:
            return exchange(self._http, request, timeout=seconds, max_bytes=limit)
        except (httpx.ConnectError, httpx.ConnectTimeout) as exc:
            raise TransportError(
                method, url, self._scrub(describe(exc)), request_sent=False
            ) from None
        except (httpx.HTTPError, ExchangeTimeout) as exc:
            raise TransportError(method, url, self._scrub(describe(exc))) from None
        except BodyTooLarge as exc:
            raise ResponseError(method, url, 0, str(exc), "") from None

    def _note_server_time(self, response: httpx.Response) -> None:
        # The Date header is the server's clock at the answer, to the second: its time then was
        # at least that, so the server's clock is at least "now + offset" from here on.
        try:
            stamp = email.utils.parsedate_to_datetime(response.headers.get("date", ""))
        except (TypeError, ValueError):
            return
        if stamp.tzinfo is None:
            return
        self._server_offset = stamp.timestamp() - time.time()

    def server_time_floor(self) -> dt.datetime | None:
        """A moment the API's clock has certainly passed (from the last answer's Date header),
        or None before any answer: what registration compares SIMs' ``created_at`` with."""
        if self._server_offset is None:
            return None
        return dt.datetime.fromtimestamp(time.time() + self._server_offset - 1.0, dt.UTC)

    def _scrub(self, text: str) -> str:
        """``text`` without the API key, whatever characters it holds (defence in depth: the
        key is checked at construction, and httpx errors do not usually quote headers)."""
        return text.replace(self._key, "<redacted>") if self._key in text else text

    def _call(
        self,
        method: str,
        path: str,
        *,
        params: Mapping[str, Any] | None = None,
        json_body: Any = None,
        write: bool = False,
        max_bytes: int | None = None,
    ) -> httpx.Response:
        """One call: attempts by the retry policy, all within its deadline."""
        return self.retry.call(
            lambda deadline: self._send(
                method,
                path,
                params=params,
                json_body=json_body,
                deadline=deadline,
                max_bytes=max_bytes,
            ),
            write=write,
        )

    def _data(self, response: httpx.Response, model: type[M]) -> M:
        data = body_object(response).get("data")
        if not isinstance(data, dict):
            raise shape_error(response, "no 'data' object in the body")
        return validated(response, model, data)

    def _data_list(self, response: httpx.Response, model: type[M]) -> list[M]:
        data = body_object(response).get("data")
        if not isinstance(data, list):
            raise shape_error(response, "no 'data' list in the body")
        return [validated(response, model, item) for item in page_objects(response, data)]
