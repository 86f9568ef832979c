"""The transport core of SimClient: one httpx.Client, error mapping, retries and paging."""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator, Mapping
from concurrent.futures import ThreadPoolExecutor
from typing import Any, Self, TypeVar
from urllib.parse import urlsplit

import httpx

from simtools._version import __version__
from simtools.client._wire import (
    DEFAULT_BASE_URL,
    BearerAuth,
    api_error,
    check_base_url,
    describe,
    is_loopback,
    page_items,
    parse_json,
    shape_error,
)
from simtools.client.retrying import Pacer, RetryPolicy
from simtools.errors import InvalidInputError, TransportError
from simtools.models import PaginationMeta, WireModel

#: Codes per register request. Telnyx publishes no maximum; 50 keeps a request small and bounds
#: what one unknown outcome puts in doubt (reconciliation re-checks one chunk at a time).
DEFAULT_CHUNK_SIZE = 50
#: The contract's maximum ``page[size]`` for wireless lists.
MAX_PAGE_SIZE = 250
#: Requests in flight when fetching many pages.
DEFAULT_CONCURRENCY = 4
M = TypeVar("M", bound=WireModel)


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
        timeout: float | httpx.Timeout = 60.0,
        transport: httpx.BaseTransport | None = None,
        retry: RetryPolicy | None = None,
        chunk_size: int = DEFAULT_CHUNK_SIZE,
        concurrency: int = DEFAULT_CONCURRENCY,
    ) -> None:
        if not isinstance(api_key, str) or not api_key.strip():
            raise InvalidInputError(
                "<api_key>" if api_key else api_key,
                "no API key given" if not api_key else "the API key must be a non-empty string",
                "pass api_key=..., set TELNYX_API_KEY, or use simtools.connect() for the sandbox",
            )
        if not isinstance(chunk_size, int) or chunk_size < 1:
            raise InvalidInputError(chunk_size, "chunk_size must be a positive integer", "e.g. 50")
        if not isinstance(concurrency, int) or concurrency < 1:
            raise InvalidInputError(concurrency, "concurrency must be a positive integer", "e.g. 4")
        self.base_url = check_base_url(base_url or DEFAULT_BASE_URL)
        self.retry = retry or RetryPolicy()
        self.chunk_size = chunk_size
        self.concurrency = concurrency
        self.pacer = Pacer()
        self._on_close: list[Callable[[], object]] = []
        #: The sandbox handle when ``simtools.connect`` started one for this client.
        self.sandbox: Any = None
        if not isinstance(timeout, httpx.Timeout):
            timeout = httpx.Timeout(timeout, connect=min(5.0, timeout))
        self._http = httpx.Client(
            base_url=self.base_url + "/",
            auth=BearerAuth(api_key.strip()),
            timeout=timeout,
            transport=transport,
            headers={
                "Accept": "application/json",
                "User-Agent": f"simtools/{__version__}",
            },
            limits=httpx.Limits(max_connections=max(concurrency, 4) + 2),
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

    def __repr__(self) -> str:
        return f"{type(self).__name__}(base_url={self.base_url!r}, api_key=<redacted>)"

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
    ) -> httpx.Response:
        """One attempt: the response of a 2xx, or the matching error of the tree."""
        url = f"{self.base_url}/{path.lstrip('/')}"
        self.pacer.wait()
        try:
            response = self._http.request(method, path.lstrip("/"), params=params, json=json_body)
        except (httpx.ConnectError, httpx.ConnectTimeout) as exc:
            raise TransportError(method, url, describe(exc), request_sent=False) from exc
        except httpx.TransportError as exc:
            raise TransportError(method, url, describe(exc)) from exc
        if response.status_code == 429:
            self.pacer.throttled(response.headers)
        elif response.is_success:
            self.pacer.succeeded()
        if response.is_success:
            return response
        raise api_error(response, method, url)

    def _call(
        self,
        method: str,
        path: str,
        *,
        params: Mapping[str, Any] | None = None,
        json_body: Any = None,
        write: bool = False,
    ) -> httpx.Response:
        return self.retry.call(
            lambda: self._send(method, path, params=params, json_body=json_body), write=write
        )

    def _data(self, response: httpx.Response, model: type[M]) -> M:
        body = parse_json(response)
        data = body.get("data") if isinstance(body, dict) else None
        if not isinstance(data, dict):
            raise shape_error(response, "no 'data' object in the body")
        return model.model_validate(data)

    def _data_list(self, response: httpx.Response, model: type[M]) -> list[M]:
        body = parse_json(response)
        data = body.get("data") if isinstance(body, dict) else None
        if not isinstance(data, list):
            raise shape_error(response, "no 'data' list in the body")
        return [model.model_validate(item) for item in data]

    def iter_page_bodies(
        self,
        path: str,
        params: Mapping[str, str] | None = None,
        *,
        page_size: int = MAX_PAGE_SIZE,
        concurrency: int | None = None,
        on_meta: Callable[[PaginationMeta], None] | None = None,
        on_page: Callable[[int], None] | None = None,
    ) -> Iterator[bytes]:
        """Every page of a list endpoint as raw JSON bytes, in page order.

        Page 1 is fetched first for ``meta.total_pages`` (passed to ``on_meta``); the rest are
        fetched with at most ``concurrency`` requests in flight. Reads are retried by the policy.
        """
        base = dict(params or {})
        base["page[size]"] = str(page_size)
        first = self._call("GET", path, params={**base, "page[number]": "1"})
        body = parse_json(first)
        meta = PaginationMeta.model_validate((body or {}).get("meta") or {})
        if on_meta is not None:
            on_meta(meta)
        yield first.content
        if on_page is not None:
            on_page(1)
        if not (body or {}).get("data") or not meta.total_pages or meta.total_pages <= 1:
            return
        pages = range(2, meta.total_pages + 1)

        def fetch(number: int) -> bytes:
            return self._call("GET", path, params={**base, "page[number]": str(number)}).content

        workers = concurrency or self.concurrency
        with ThreadPoolExecutor(max_workers=workers, thread_name_prefix="simtools-page") as pool:
            window = workers * 2
            pending = [pool.submit(fetch, n) for n in pages[:window]]
            nxt = window
            done = 1
            try:
                while pending:
                    content = pending.pop(0).result()
                    if nxt < len(pages):
                        pending.append(pool.submit(fetch, pages[nxt]))
                        nxt += 1
                    done += 1
                    yield content
                    if on_page is not None:
                        on_page(done)
            finally:
                for future in pending:
                    future.cancel()

    def _collect(self, path: str, params: Mapping[str, str], model: type[M]) -> list[M]:
        url = f"{self.base_url}/{path}"
        return [
            model.model_validate(item)
            for content in self.iter_page_bodies(path, params)
            for item in page_items(content, "GET", url)
        ]
