"""Reading every page of a list endpoint, overlapped, and stopping where the server's count is off.

The first page gives ``meta.total_pages`` and ``meta.total_results``; the rest go out as soon as
that is known, with a number of requests in flight that adapts (:class:`InFlight`): it grows while
the reader waits for pages and the server has budget, and halves on 429s. Every request passes
the client's pacer, which keeps the starts within the server's rate-limit headers.

A page count the results cannot fill (more pages than ``total_results`` allows), an empty page
before the last, or a count past :data:`MAX_PAGES` is not followed: the pager stops at the first
page without data (or at :data:`MAX_PAGES`) and says so in a ``SimToolsDataWarning``. So no
answer can make it page for ever.
"""

from __future__ import annotations

import json
import math
from collections import deque
from collections.abc import Callable, Iterator, Mapping
from concurrent.futures import Future, ThreadPoolExecutor

import httpx
from pydantic import ValidationError

from simtools.client._core import MAX_PAGE_SIZE, ClientCore, M, _positive_int
from simtools.client._wire import body_object, page_items, shape_error, validated
from simtools.client.retrying import Pacer
from simtools.errors import InvalidInputError, data_warning
from simtools.models import PaginationMeta
from simtools.wording import a_type

__all__ = ["MAX_PAGES", "START_IN_FLIGHT", "InFlight", "PagedClient"]

#: The most pages one listing reads (10 million SIM cards at 250 a page).
MAX_PAGES = 40_000
#: A page body shorter than this may be empty; only such bodies are parsed to check.
_SMALL_PAGE = 2048


class PagedClient(ClientCore):
    """The client core with paging: every page of a list endpoint, in order."""

    def iter_page_bodies(
        self,
        path: str,
        params: Mapping[str, str] | None = None,
        *,
        page_size: int = MAX_PAGE_SIZE,
        max_page_size: int = MAX_PAGE_SIZE,
        concurrency: int | None = None,
        on_meta: Callable[[PaginationMeta], None] | None = None,
        on_page: Callable[[int], None] | None = None,
    ) -> Iterator[bytes]:
        """Every page of a list endpoint as raw JSON bytes, in page order (pages of
        ``page_size``, at most the endpoint's ``max_page_size``).

        Page 1 is fetched first for its ``meta`` (passed to ``on_meta``); the rest are fetched with
        :data:`START_IN_FLIGHT` requests in flight at first, adapting up to ``concurrency``
        (default ``client.concurrency``). Reads are retried by the policy. Arguments are checked
        before the first request.
        """
        workers = self.concurrency if concurrency is None else _check_concurrency(concurrency)
        size = _check_page_size(page_size, max_page_size)
        url = f"{self.base_url}/{path}"
        base = {**(params or {}), "page[size]": str(size)}
        first = self._call("GET", path, params={**base, "page[number]": "1"})
        body = body_object(first)
        meta = _page_meta(first, body)
        if on_meta is not None:
            on_meta(meta)
        yield first.content
        if on_page is not None:
            on_page(1)
        last = _last_page(meta, meta.page_size or size, url) if body.get("data") else 1
        if last <= 1:
            return

        def fetch(number: int) -> bytes:
            return self._call("GET", path, params={**base, "page[number]": str(number)}).content

        in_flight = InFlight(self.pacer, workers)
        for number, content in _overlapped(fetch, range(2, last + 1), in_flight):
            if len(content) < _SMALL_PAGE and not _has_data(content):
                data_warning(
                    f"GET {url}: page {number} of {last:,} had no data; the server's count is off "
                    "(the fleet changed while paging?), so paging stopped there"
                )
                return
            yield content
            if on_page is not None:
                on_page(number)

    def _collect(self, path: str, params: Mapping[str, str], model: type[M]) -> list[M]:
        url = f"{self.base_url}/{path}"
        out: list[M] = []
        for content in self.iter_page_bodies(path, params):
            page = httpx.Response(200, content=content, request=httpx.Request("GET", url))
            out.extend(validated(page, model, item) for item in page_items(content, "GET", url))
        return out


#: Requests in flight when paging starts; the count then adapts between 1 and the ceiling.
START_IN_FLIGHT = 4


class InFlight:
    """How many page requests to keep in flight: starts at :data:`START_IN_FLIGHT` (at most
    ``ceiling``), grows by one each time the reader has to wait for a page (latency dominates)
    while the server has budget (:meth:`Pacer.has_budget`), and halves on each new 429."""

    def __init__(self, pacer: Pacer, ceiling: int) -> None:
        self.pacer = pacer
        self.ceiling = ceiling
        self.target = min(START_IN_FLIGHT, ceiling)
        self.peak = self.target
        self._throttles = pacer.throttles

    def reader_waits(self, running: int) -> None:
        """The reader needs a page that has not arrived; ``running`` requests are out."""
        if self.pacer.throttles == self._throttles and self.pacer.has_budget(running):
            self.target = min(self.ceiling, self.target + 1)
            self.peak = max(self.peak, self.target)

    def current(self) -> int:
        """The count to keep in flight now, after the 429s met since the last look."""
        throttles = self.pacer.throttles
        if throttles != self._throttles:
            self._throttles = throttles
            self.target = max(1, self.target // 2)
        return self.target


def _overlapped(
    fetch: Callable[[int], bytes], numbers: range, in_flight: InFlight
) -> Iterator[tuple[int, bytes]]:
    """``(number, body)`` in order, with ``in_flight.current()`` requests out and at most
    ``2 * in_flight.ceiling`` pages requested ahead of the reader."""
    ahead = 2 * in_flight.ceiling
    with ThreadPoolExecutor(
        max_workers=in_flight.ceiling, thread_name_prefix="simtools-page"
    ) as pool:
        pending: deque[tuple[int, Future[bytes]]] = deque()
        upcoming = iter(numbers)

        def top_up() -> int:
            running = sum(1 for _, future in pending if not future.done())
            target = in_flight.current()
            while running < target and len(pending) < ahead:
                number = next(upcoming, None)
                if number is None:
                    break
                pending.append((number, pool.submit(fetch, number)))
                running += 1
            return running

        try:
            top_up()
            while pending:
                number, future = pending[0]
                if not future.done():
                    in_flight.reader_waits(top_up())
                    top_up()
                content = future.result()
                pending.popleft()
                yield number, content
                top_up()  # after the reader took the page: one that ends paging sends no more
        finally:
            for _, future in pending:
                future.cancel()


def _has_data(content: bytes) -> bool:
    """Whether a (small) page body holds items in ``data``; a body that does not read counts as
    holding some, so that its reader reports it."""
    try:
        body = json.loads(content)
    except (ValueError, UnicodeDecodeError, RecursionError):
        return True
    data = body.get("data") if isinstance(body, dict) else None
    return not isinstance(data, list) or bool(data)


def _page_meta(response: httpx.Response, body: Mapping[str, object]) -> PaginationMeta:
    raw = body.get("meta")
    if raw is not None and not isinstance(raw, dict):
        raise shape_error(response, f"'meta' is {a_type(raw)}, not an object")
    try:
        return PaginationMeta.model_validate(raw or {})
    except ValidationError as exc:
        raise shape_error(response, f"its 'meta' does not read ({_first_error(exc)})") from None


def _last_page(meta: PaginationMeta, size: int, url: str) -> int:
    """The last page worth asking for: the server's count, capped by :data:`MAX_PAGES`. A count
    that its own total of results cannot fill is warned about; paging then goes on only while
    pages hold data (a fleet that changed while paging may still have SIMs there)."""
    claimed = meta.total_pages or 1
    last = claimed
    if meta.total_results is not None and meta.total_results >= 0:
        filled = max(1, math.ceil(meta.total_results / size))
        if claimed > filled:
            data_warning(
                f"GET {url}: the server claims {claimed:,} pages but its {meta.total_results:,} "
                f"results fill {filled:,} pages of {size}; pages past the data are not read"
            )
    if last > MAX_PAGES:
        data_warning(
            f"GET {url}: the server claims {last:,} pages; reading the first {MAX_PAGES:,} "
            "(filter the listing to read the rest)"
        )
        last = MAX_PAGES
    return last


def _check_concurrency(value: object) -> int:
    return _positive_int(value, "concurrency", "e.g. concurrency=4")


def _check_page_size(value: object, maximum: int = MAX_PAGE_SIZE) -> int:
    size = _positive_int(value, "page_size", f"a page size from 1 to {maximum}")
    if size > maximum:
        raise InvalidInputError(
            size, f"page_size {size} is over the API's maximum", f"pass at most {maximum}"
        )
    return size


def _first_error(exc: ValidationError) -> str:
    first = exc.errors()[0]
    where = ".".join(str(p) for p in first.get("loc", ()))
    return f"{where}: {first.get('msg', 'invalid')}; got {first.get('input')!r}"[:200]
