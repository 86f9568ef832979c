"""SimClient: the only module that speaks HTTP (auth, error mapping, retries, paging).

Everything above this layer gets pydantic models or raw page bodies, never an httpx object.
"""

from __future__ import annotations

import ipaddress
import json
import os
from collections.abc import Callable, Generator, Iterable, Iterator, Mapping
from concurrent.futures import ThreadPoolExecutor
from typing import TYPE_CHECKING, Any, Literal, TypeVar
from urllib.parse import urlsplit

import httpx

from simtools._version import __version__
from simtools.checks import check_filter_statuses, check_register_status, check_tags, check_uuid
from simtools.errors import (
    ApiError,
    AuthenticationError,
    InvalidInputError,
    NotFoundError,
    RateLimitError,
    ResponseError,
    ServerError,
    TransportError,
)
from simtools.models import (
    ApiErrorObject,
    CodeValidation,
    PaginationMeta,
    RegisterResponse,
    SimCard,
    SimCardAction,
    SimCardGroup,
    UsageRecord,
    WireModel,
)
from simtools.retrying import Pacer, RetryPolicy, parse_retry_after

if TYPE_CHECKING:
    import pandas as pd

    from simtools.results import RegistrationResult

__all__ = ["DEFAULT_BASE_URL", "DEFAULT_CHUNK_SIZE", "MAX_PAGE_SIZE", "SimClient"]

DEFAULT_BASE_URL = "https://api.telnyx.com/v2"
#: Codes per register request. Telnyx publishes no maximum; 50 keeps a request small and bounds
#: what one unknown outcome puts in doubt (reconciliation re-checks one chunk at a time).
DEFAULT_CHUNK_SIZE = 50
#: The contract's maximum ``page[size]`` for wireless lists.
MAX_PAGE_SIZE = 250
#: Requests in flight when fetching many pages.
DEFAULT_CONCURRENCY = 4
ActionName = Literal["enable", "disable", "set_standby"]
M = TypeVar("M", bound=WireModel)


class _BearerAuth(httpx.Auth):
    """Adds the key per request, so it never sits in the client's default headers."""

    def __init__(self, key: str) -> None:
        self._key = key

    def auth_flow(self, request: httpx.Request) -> Generator[httpx.Request, httpx.Response, None]:
        request.headers["Authorization"] = f"Bearer {self._key}"
        yield request

    def __repr__(self) -> str:
        return "_BearerAuth(<redacted>)"


def _check_base_url(base_url: str) -> str:
    parts = urlsplit(base_url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise InvalidInputError(
            base_url,
            f"base_url {base_url!r} is not an http(s) URL",
            f"use the default {DEFAULT_BASE_URL} or a sandbox URL like http://127.0.0.1:8080/v2",
        )
    if parts.scheme == "http" and not _is_loopback(parts.hostname):
        raise InvalidInputError(
            base_url,
            f"plain http is only allowed for loopback hosts, not {parts.hostname!r}: "
            "the API key would travel unencrypted",
            "use https:// for remote hosts (http:// is for a sandbox on 127.0.0.1)",
        )
    return base_url.rstrip("/")


def _is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


class SimClient:
    """A Telnyx wireless API client for SIM card registration and fleet listing.

    ``SimClient(api_key, base_url=...)`` or ``SimClient.from_env()``. Use it as a context manager
    (or call ``close()``). ``transport`` takes any httpx transport (tests pass
    ``httpx.MockTransport``). The key never appears in ``repr``, logs or exceptions.
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
        self.base_url = _check_base_url(base_url or DEFAULT_BASE_URL)
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
            auth=_BearerAuth(api_key.strip()),
            timeout=timeout,
            transport=transport,
            headers={
                "Accept": "application/json",
                "User-Agent": f"simtools/{__version__}",
            },
            limits=httpx.Limits(max_connections=max(concurrency, 4) + 2),
        )

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None, **kwargs: Any) -> SimClient:
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
        return _is_loopback(urlsplit(self.base_url).hostname or "")

    def __repr__(self) -> str:
        return f"SimClient(base_url={self.base_url!r}, api_key=<redacted>)"

    def close(self) -> None:
        """Close the connection pool (and stop a sandbox that ``simtools.connect`` started)."""
        self._http.close()
        while self._on_close:
            self._on_close.pop()()

    def __enter__(self) -> SimClient:
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
            raise TransportError(method, url, _describe(exc), request_sent=False) from exc
        except httpx.TransportError as exc:
            raise TransportError(method, url, _describe(exc)) from exc
        if response.status_code == 429:
            self.pacer.throttled(response.headers)
        elif response.is_success:
            self.pacer.succeeded()
        if response.is_success:
            return response
        raise _api_error(response, method, url)

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

    def _json(self, response: httpx.Response) -> Any:
        return _parse_json(response)

    def _data(self, response: httpx.Response, model: type[M]) -> M:
        body = _parse_json(response)
        data = body.get("data") if isinstance(body, dict) else None
        if not isinstance(data, dict):
            raise _shape_error(response, "no 'data' object in the body")
        return model.model_validate(data)

    def _data_list(self, response: httpx.Response, model: type[M]) -> list[M]:
        body = _parse_json(response)
        data = body.get("data") if isinstance(body, dict) else None
        if not isinstance(data, list):
            raise _shape_error(response, "no 'data' list in the body")
        return [model.model_validate(item) for item in data]

    # -- registration --------------------------------------------------------------------------

    def register(
        self,
        codes: Any,
        *,
        sim_card_group_id: str | None = None,
        tags: Iterable[str] | None = None,
        status: str | None = None,
        on_invalid: Literal["raise", "skip"] = "raise",
        ledger: str | os.PathLike[str] | None = None,
        chunk_size: int | None = None,
        progress: bool | None = None,
        dry_run: bool = False,
    ) -> RegistrationResult:
        """Register SIM cards by registration code; see ``simtools.registration.register``."""
        from simtools.registration import register

        return register(
            self,
            codes,
            sim_card_group_id=sim_card_group_id,
            tags=tags,
            status=status,
            on_invalid=on_invalid,
            ledger=ledger,
            chunk_size=chunk_size,
            progress=progress,
            dry_run=dry_run,
        )

    def register_chunk(
        self,
        codes: list[str],
        *,
        sim_card_group_id: str | None = None,
        tags: list[str] | None = None,
        status: str | None = None,
    ) -> RegisterResponse:
        """One register request for already-checked codes, retried only while nothing reached
        the server. A 202 with ``errors`` and a 4xx whose errors point at codes both return a
        ``RegisterResponse``; an unknown outcome raises ``TransportError`` or ``ServerError``."""
        body: dict[str, Any] = {"registration_codes": list(codes)}
        if sim_card_group_id is not None:
            body["sim_card_group_id"] = check_uuid(sim_card_group_id, "sim_card_group_id")
        if tags is not None:
            body["tags"] = check_tags(tags)
        if status is not None:
            body["status"] = check_register_status(status)
        try:
            response = self._call("POST", "actions/register/sim_cards", json_body=body, write=True)
        except ApiError as exc:
            if 400 <= exc.status_code < 500 and any(
                e.registration_index is not None for e in exc.errors
            ):
                return RegisterResponse(data=[], errors=exc.errors)
            raise
        parsed = _parse_json(response)
        if not isinstance(parsed, dict) or not isinstance(parsed.get("data", []), list):
            raise _shape_error(response, "expected {'data': [...], 'errors': [...]}")
        return RegisterResponse.model_validate(
            {"data": parsed.get("data") or [], "errors": parsed.get("errors") or []}
        )

    def validate_codes(self, codes: Any) -> list[CodeValidation]:
        """One ``CodeValidation`` per code (the codes are checked locally first)."""
        from simtools.codes import parse_codes

        parsed = parse_codes(codes)
        out: list[CodeValidation] = []
        for start in range(0, len(parsed.codes), self.chunk_size):
            chunk = list(parsed.codes[start : start + self.chunk_size])
            response = self._call(
                "POST",
                "sim_cards/actions/validate_registration_codes",
                json_body={"registration_codes": chunk},
            )
            out.extend(self._data_list(response, CodeValidation))
        return out

    # -- SIM cards -----------------------------------------------------------------------------

    def sim_card_params(
        self,
        *,
        status: str | Iterable[str] | None = None,
        tags: str | Iterable[str] | None = None,
        sim_card_group_id: str | None = None,
        iccid: str | None = None,
        msisdn: str | None = None,
        sort: str | None = None,
    ) -> dict[str, str]:
        """The ``GET /sim_cards`` query for these filters, checked and spelled as on the wire."""
        params: dict[str, str] = {}
        statuses = check_filter_statuses(status)
        if statuses:
            params["filter[status]"] = ",".join(statuses)
        tag_list = check_tags(tags)
        if tag_list:
            params["filter[tags]"] = ",".join(tag_list)
        if sim_card_group_id is not None:
            params["filter[sim_card_group_id]"] = check_uuid(sim_card_group_id, "sim_card_group_id")
        for name, value in (("iccid", iccid), ("msisdn", msisdn)):
            if value is not None:
                if not isinstance(value, str) or not value.strip():
                    raise InvalidInputError(
                        value, f"{name} filter must be a non-empty string", f"e.g. {name}='8931...'"
                    )
                params[f"filter[{name}]"] = value.strip()
        if sort is not None:
            allowed = ("current_billing_period_consumed_data.amount",)
            if sort.lstrip("-") not in allowed:
                raise InvalidInputError(
                    sort, f"sort {sort!r} is not supported", f"use {allowed[0]!r} or with '-'"
                )
            params["sort"] = sort
        return params

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
        body = _parse_json(first)
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

    def iter_sim_cards(
        self,
        *,
        status: str | Iterable[str] | None = None,
        tags: str | Iterable[str] | None = None,
        sim_card_group_id: str | None = None,
        iccid: str | None = None,
        msisdn: str | None = None,
        page_size: int = MAX_PAGE_SIZE,
        concurrency: int | None = None,
    ) -> Iterator[SimCard]:
        """Every matching SIM card, all pages, each id once (SIMs that move between pages while
        paging are de-duplicated)."""
        params = self.sim_card_params(
            status=status,
            tags=tags,
            sim_card_group_id=sim_card_group_id,
            iccid=iccid,
            msisdn=msisdn,
        )
        seen: set[str] = set()
        for content in self.iter_page_bodies(
            "sim_cards", params, page_size=page_size, concurrency=concurrency
        ):
            for item in _page_items(content, "GET", f"{self.base_url}/sim_cards"):
                sim = SimCard.model_validate(item)
                if sim.id is not None:
                    if sim.id in seen:
                        continue
                    seen.add(sim.id)
                yield sim

    def get_sim_card(self, sim_card_id: str, *, include_sim_card_group: bool = False) -> SimCard:
        """One SIM card in its full form."""
        sid = check_uuid(sim_card_id, "sim_card_id")
        params = {"include_sim_card_group": "true"} if include_sim_card_group else None
        return self._data(self._call("GET", f"sim_cards/{sid}", params=params), SimCard)

    def update_sim_card(
        self,
        sim_card_id: str,
        *,
        tags: Iterable[str] | None = None,
        sim_card_group_id: str | None = None,
        data_limit: tuple[float | str, str] | None = None,
    ) -> SimCard:
        """Change tags (replaced), group or data limit ``(amount, "MB"|"GB")``."""
        sid = check_uuid(sim_card_id, "sim_card_id")
        body: dict[str, Any] = {}
        if tags is not None:
            body["tags"] = check_tags(tags)
        if sim_card_group_id is not None:
            body["sim_card_group_id"] = check_uuid(sim_card_group_id, "sim_card_group_id")
        if data_limit is not None:
            body["data_limit"] = _data_limit_body(data_limit)
        if not body:
            raise InvalidInputError(
                None, "nothing to update", "pass tags=, sim_card_group_id= or data_limit="
            )
        return self._data(self._call("PATCH", f"sim_cards/{sid}", json_body=body), SimCard)

    def delete_sim_card(self, sim_card_id: str, *, report_lost: bool = False) -> SimCard:
        """Decommission a SIM card (asynchronous; it must be registered again to come back)."""
        sid = check_uuid(sim_card_id, "sim_card_id")
        params = {"report_lost": "true"} if report_lost else None
        return self._data(self._call("DELETE", f"sim_cards/{sid}", params=params), SimCard)

    # -- actions ---------------------------------------------------------------------------------

    def post_sim_card_action(self, sim_card_id: str, action: ActionName) -> SimCardAction:
        """Start one lifecycle action; returns the new ``SimCardAction`` (202)."""
        if action not in ("enable", "disable", "set_standby"):
            raise InvalidInputError(
                action, f"unknown action {action!r}", "use enable, disable or set_standby"
            )
        sid = check_uuid(sim_card_id, "sim_card_id")
        # An action is idempotent in effect (it sets a target state), so it is retried like a read.
        response = self._call("POST", f"sim_cards/{sid}/actions/{action}")
        return self._data(response, SimCardAction)

    def get_sim_card_action(self, action_id: str) -> SimCardAction:
        aid = check_uuid(action_id, "action_id")
        return self._data(self._call("GET", f"sim_card_actions/{aid}"), SimCardAction)

    def list_sim_card_actions(
        self, *, sim_card_id: str | None = None, status: str | None = None
    ) -> list[SimCardAction]:
        params: dict[str, str] = {}
        if sim_card_id is not None:
            params["filter[sim_card_id]"] = check_uuid(sim_card_id, "sim_card_id")
        if status is not None:
            if status not in ("in-progress", "completed", "failed"):
                raise InvalidInputError(
                    status,
                    f"action status {status!r} is unknown",
                    "use in-progress, completed or failed",
                )
            params["filter[status]"] = status
        return self._collect("sim_card_actions", params, SimCardAction)

    def enable(
        self, sim_card_ids: Any, *, wait: bool = True, timeout: float = 60.0
    ) -> pd.DataFrame:
        """Enable SIM cards; with ``wait`` poll until the actions settle. One row per SIM."""
        from simtools.lifecycle import run_action

        return run_action(self, "enable", sim_card_ids, wait=wait, timeout=timeout)

    def disable(
        self, sim_card_ids: Any, *, wait: bool = True, timeout: float = 60.0
    ) -> pd.DataFrame:
        """Disable SIM cards; with ``wait`` poll until the actions settle. One row per SIM."""
        from simtools.lifecycle import run_action

        return run_action(self, "disable", sim_card_ids, wait=wait, timeout=timeout)

    def set_standby(
        self, sim_card_ids: Any, *, wait: bool = True, timeout: float = 60.0
    ) -> pd.DataFrame:
        """Put SIM cards on standby; with ``wait`` poll until the actions settle."""
        from simtools.lifecycle import run_action

        return run_action(self, "set_standby", sim_card_ids, wait=wait, timeout=timeout)

    # -- groups ----------------------------------------------------------------------------------

    def list_sim_card_groups(self, *, name: str | None = None) -> list[SimCardGroup]:
        """Every SIM card group (with ``sim_card_count``)."""
        params = {"filter[name]": name} if name else {}
        return self._collect("sim_card_groups", params, SimCardGroup)

    def get_sim_card_group(self, group_id: str) -> SimCardGroup:
        gid = check_uuid(group_id, "sim_card_group_id")
        return self._data(self._call("GET", f"sim_card_groups/{gid}"), SimCardGroup)

    def create_sim_card_group(
        self, name: str, *, data_limit: tuple[float | str, str] | None = None
    ) -> SimCardGroup:
        if not isinstance(name, str) or not name.strip():
            raise InvalidInputError(name, "a group needs a non-empty name", "e.g. name='berlin'")
        body: dict[str, Any] = {"name": name.strip()}
        if data_limit is not None:
            body["data_limit"] = _data_limit_body(data_limit)
        # Not idempotent: a retried create could make two groups, so only unsent requests retry.
        return self._data(
            self._call("POST", "sim_card_groups", json_body=body, write=True), SimCardGroup
        )

    def update_sim_card_group(
        self,
        group_id: str,
        *,
        name: str | None = None,
        data_limit: tuple[float | str, str] | None = None,
    ) -> SimCardGroup:
        gid = check_uuid(group_id, "sim_card_group_id")
        body: dict[str, Any] = {}
        if name is not None:
            body["name"] = name
        if data_limit is not None:
            body["data_limit"] = _data_limit_body(data_limit)
        return self._data(
            self._call("PATCH", f"sim_card_groups/{gid}", json_body=body), SimCardGroup
        )

    def delete_sim_card_group(self, group_id: str) -> SimCardGroup:
        gid = check_uuid(group_id, "sim_card_group_id")
        return self._data(self._call("DELETE", f"sim_card_groups/{gid}"), SimCardGroup)

    # -- usage history ---------------------------------------------------------------------------

    def usage_records(
        self,
        start: Any,
        end: Any,
        *,
        sim_card_id: str | None = None,
        sim_group_id: str | None = None,
    ) -> list[UsageRecord]:
        """Wireless detail records between ``start`` and ``end`` (all pages)."""
        from simtools.timeutil import to_utc_timestamp

        start_ts = to_utc_timestamp(start, "start")
        end_ts = to_utc_timestamp(end, "end")
        if end_ts <= start_ts:
            raise InvalidInputError(
                (start, end), "end must be after start", "pass a start earlier than the end"
            )
        params = {
            "start_date": start_ts.strftime("%Y-%m-%dT%H:%M:%SZ"),
            "end_date": end_ts.strftime("%Y-%m-%dT%H:%M:%SZ"),
        }
        if sim_card_id is not None:
            params["sim_card_id"] = check_uuid(sim_card_id, "sim_card_id")
        if sim_group_id is not None:
            params["sim_group_id"] = check_uuid(sim_group_id, "sim_group_id")
        return self._collect("reports/wdrs", params, UsageRecord)

    def _collect(self, path: str, params: Mapping[str, str], model: type[M]) -> list[M]:
        url = f"{self.base_url}/{path}"
        return [
            model.model_validate(item)
            for content in self.iter_page_bodies(path, params)
            for item in _page_items(content, "GET", url)
        ]


# -- helpers (module level so the fleet layer can reuse them on raw pages) ---------------------


def _describe(exc: httpx.HTTPError) -> str:
    text = str(exc) or type(exc).__name__
    return f"{type(exc).__name__}: {text}"


def _excerpt(response: httpx.Response, limit: int = 200) -> str:
    text = response.text.strip().replace("\n", " ")
    return text[:limit] + ("..." if len(text) > limit else "")


def _parse_json(response: httpx.Response) -> Any:
    method, url = response.request.method, str(response.request.url)
    ctype = response.headers.get("content-type", "")
    try:
        return json.loads(response.content)
    except (ValueError, UnicodeDecodeError) as exc:
        reason = "HTML instead of JSON" if "html" in ctype else f"invalid JSON: {exc}"
        raise ResponseError(method, url, response.status_code, reason, _excerpt(response)) from None


def _shape_error(response: httpx.Response, reason: str) -> ResponseError:
    return ResponseError(
        response.request.method,
        str(response.request.url),
        response.status_code,
        reason,
        _excerpt(response),
    )


def _page_items(content: bytes, method: str, url: str) -> list[dict[str, Any]]:
    try:
        body = json.loads(content)
    except ValueError as exc:
        excerpt = content[:200].decode("utf-8", "replace")
        raise ResponseError(method, url, 200, f"invalid JSON: {exc}", excerpt) from None
    data = body.get("data") if isinstance(body, dict) else None
    if not isinstance(data, list):
        excerpt = content[:200].decode("utf-8", "replace")
        raise ResponseError(method, url, 200, "no 'data' list in the page", excerpt)
    return [item for item in data if isinstance(item, dict)]


def _api_error(response: httpx.Response, method: str, url: str) -> ApiError:
    errors: list[ApiErrorObject] = []
    excerpt: str | None = None
    try:
        body = json.loads(response.content)
        raw = body.get("errors") if isinstance(body, dict) else None
        if isinstance(raw, list):
            errors = [ApiErrorObject.model_validate(e) for e in raw if isinstance(e, dict)]
        if not errors:
            excerpt = _excerpt(response)
    except (ValueError, UnicodeDecodeError):
        ctype = response.headers.get("content-type", "")
        excerpt = ("(HTML error page) " if "html" in ctype else "") + _excerpt(response)
    status = response.status_code
    kwargs: dict[str, Any] = {"body_excerpt": excerpt}
    if status == 401:
        return AuthenticationError(status, method, url, errors, **kwargs)
    if status == 404:
        return NotFoundError(status, method, url, errors, **kwargs)
    if status == 429:
        retry_after = parse_retry_after(response.headers)
        return RateLimitError(status, method, url, errors, retry_after=retry_after, **kwargs)
    if status >= 500:
        return ServerError(status, method, url, errors, **kwargs)
    return ApiError(status, method, url, errors, **kwargs)


def _data_limit_body(data_limit: tuple[float | str, str]) -> dict[str, str]:
    try:
        amount, unit = data_limit
        value = float(amount)
    except (TypeError, ValueError):
        raise InvalidInputError(
            data_limit, "data_limit must be (amount, unit)", "e.g. data_limit=(2048, 'MB')"
        ) from None
    if value < 0 or unit not in ("MB", "GB"):
        raise InvalidInputError(
            data_limit,
            "data_limit needs a non-negative amount and unit 'MB' or 'GB'",
            "e.g. data_limit=(2, 'GB')",
        )
    return {"amount": f"{value:.1f}", "unit": unit}
