"""One HTTP exchange bounded in time and size: from connect to the last byte of the answer.

httpx's timeouts bound each step (connect, each read), not the whole exchange: a server that
trickles a byte just inside every read timeout could hold a request for ever. :func:`exchange`
runs the request on a thread of its own and waits for it at most ``timeout`` seconds; a request
still running then is abandoned (its thread stops at its next read, or at httpx's read timeout,
the same ``timeout``) and reported as :class:`ExchangeTimeout`. The body is read as it arrives and
refused past ``max_bytes`` (decompressed), so no answer can make the client read for ever or hold
more than that in memory.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass, field

import httpx

__all__ = ["BodyTooLarge", "ExchangeTimeout", "exchange"]


class ExchangeTimeout(Exception):
    """The whole exchange did not finish within its timeout (the request may have been sent)."""


class BodyTooLarge(Exception):
    """The answer's body grew past the limit; ``size`` is how much had arrived."""

    def __init__(self, size: int, limit: int) -> None:
        self.size = size
        self.limit = limit
        super().__init__(f"the answer's body is over {limit:,} bytes")


@dataclass
class _Outcome:
    response: httpx.Response | None = None
    error: BaseException | None = None
    abandoned: bool = False
    done: threading.Event = field(default_factory=threading.Event)


def exchange(
    http: httpx.Client,
    request: httpx.Request,
    *,
    timeout: float,
    max_bytes: int,
    with_auth: bool = True,
) -> httpx.Response:
    """Send ``request`` and read its whole answer within ``timeout`` seconds and ``max_bytes``
    bytes; the response returned holds its body (read). httpx's own errors pass through.
    ``with_auth=False`` sends it without the client's credentials (a pre-signed link)."""
    outcome = _Outcome()
    worker = threading.Thread(
        target=_run,
        args=(http, request, max_bytes, outcome, with_auth),
        name="simtools-request",
        daemon=True,
    )
    worker.start()
    try:
        finished = outcome.done.wait(timeout)
    finally:
        if not outcome.done.is_set():
            outcome.abandoned = True  # also on KeyboardInterrupt: the thread stops reading
    if not finished:
        raise ExchangeTimeout(f"no complete answer within {timeout:g} s")
    if outcome.error is not None:
        raise outcome.error
    assert outcome.response is not None
    return outcome.response


def _run(
    http: httpx.Client,
    request: httpx.Request,
    max_bytes: int,
    outcome: _Outcome,
    with_auth: bool = True,
) -> None:
    try:
        if with_auth:
            response = http.send(request, stream=True)
        else:
            # No auth flow: nothing adds the Authorization header to this request.
            response = http.send(request, stream=True, auth=None)
        try:
            body = _read(response, max_bytes, outcome)
        finally:
            response.close()
        if body is not None:
            outcome.response = _with_body(response, body)
    except BaseException as exc:  # handed to the waiting thread, which raises it
        outcome.error = exc
    finally:
        outcome.done.set()


def _read(response: httpx.Response, max_bytes: int, outcome: _Outcome) -> bytes | None:
    chunks: list[bytes] = []
    size = 0
    for chunk in response.iter_bytes():
        if outcome.abandoned:
            return None
        size += len(chunk)
        if size > max_bytes:
            raise BodyTooLarge(size, max_bytes)
        chunks.append(chunk)
    return b"".join(chunks)


def _with_body(response: httpx.Response, body: bytes) -> httpx.Response:
    """The response with its decoded body in place (no encoding left to undo)."""
    headers = httpx.Headers(response.headers)
    headers.pop("content-encoding", None)
    headers["content-length"] = str(len(body))
    done = httpx.Response(
        response.status_code,
        headers=headers,
        content=body,
        request=response.request,
        extensions=response.extensions,
    )
    done.read()
    return done
