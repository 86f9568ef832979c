"""Wire helpers for the client: auth, URL checks, JSON bodies and error mapping."""

from __future__ import annotations

import ipaddress
import json
import math
from collections.abc import Generator
from typing import Any, TypeVar
from urllib.parse import urlsplit

import httpx
from pydantic import ValidationError

from simtools.client.retrying import parse_retry_after
from simtools.errors import (
    ApiError,
    AuthenticationError,
    InvalidInputError,
    NotFoundError,
    RateLimitError,
    ResponseError,
    ServerError,
    data_warning,
)
from simtools.models import ApiErrorObject, WireModel

M = TypeVar("M", bound=WireModel)

DEFAULT_BASE_URL = "https://api.telnyx.com/v2"


class BearerAuth(httpx.Auth):
    """Adds the key per request, so it never sits in the client's default headers."""

    def __init__(self, key: str) -> None:
        self._key = key

    def auth_flow(self, request: httpx.Request) -> Generator[httpx.Request, httpx.Response, None]:
        request.headers["Authorization"] = f"Bearer {self._key}"
        yield request

    def __repr__(self) -> str:
        return "BearerAuth(<redacted>)"


_KEY_HINT = "pass api_key=..., set TELNYX_API_KEY, or use simtools.connect() for the sandbox"


def check_api_key(api_key: object) -> str:
    """The API key as given; refused (without quoting it) when missing, or when it holds a
    space, line break or other control character, which no Telnyx key has and which would end
    up in a header or an error message."""
    if not isinstance(api_key, str) or not api_key:
        what = "no API key given" if not api_key else "the API key must be text"
        raise InvalidInputError("<api_key>" if api_key else api_key, what, _KEY_HINT)
    odd = [i for i, ch in enumerate(api_key) if ch.isspace() or not ch.isprintable()]
    if odd:
        raise InvalidInputError(
            "<api_key>",
            f"the API key holds a space, line break or other control character (at position "
            f"{odd[0] + 1} of {len(api_key)})",
            "copy the key again from the portal, without the spaces or line breaks around it",
        )
    return api_key


def check_base_url(base_url: object) -> str:
    if not isinstance(base_url, str):
        raise InvalidInputError(
            base_url,
            f"base_url must be a URL as text, got {type(base_url).__name__}",
            f"use the default {DEFAULT_BASE_URL} or a sandbox URL like http://127.0.0.1:8080/v2",
        )
    parts = urlsplit(base_url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise InvalidInputError(
            base_url,
            f"base_url {base_url!r} is not an http(s) URL",
            f"use the default {DEFAULT_BASE_URL} or a sandbox URL like http://127.0.0.1:8080/v2",
        )
    if parts.scheme == "http" and not is_loopback(parts.hostname):
        raise InvalidInputError(
            base_url,
            f"plain http is only allowed for loopback hosts, not {parts.hostname!r}: "
            "the API key would travel unencrypted",
            "use https:// for remote hosts (http:// is for a sandbox on 127.0.0.1)",
        )
    return base_url.rstrip("/")


def is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def describe(exc: Exception) -> str:
    text = str(exc) or type(exc).__name__
    return f"{type(exc).__name__}: {text}"


def excerpt(response: httpx.Response, limit: int = 200) -> str:
    text = response.text.strip().replace("\n", " ")
    return text[:limit] + ("..." if len(text) > limit else "")


def parse_json(response: httpx.Response) -> Any:
    method, url = response.request.method, str(response.request.url)
    ctype = response.headers.get("content-type", "")
    try:
        return json.loads(response.content)
    except RecursionError:
        reason = "JSON nested too deeply to read"
        raise ResponseError(method, url, response.status_code, reason, excerpt(response)) from None
    except (ValueError, UnicodeDecodeError) as exc:
        reason = "HTML instead of JSON" if "html" in ctype else f"invalid JSON: {exc}"
        raise ResponseError(method, url, response.status_code, reason, excerpt(response)) from None


def body_object(response: httpx.Response) -> dict[str, Any]:
    """The JSON object of a response body; anything else (a list, a number) is refused."""
    body = parse_json(response)
    if not isinstance(body, dict):
        raise shape_error(response, f"the body is a JSON {type(body).__name__}, not an object")
    return body


def shape_error(response: httpx.Response, reason: str) -> ResponseError:
    return ResponseError(
        response.request.method,
        str(response.request.url),
        response.status_code,
        reason,
        excerpt(response),
    )


def validated(response: httpx.Response, model: type[M], item: Any) -> M:
    """``item`` as ``model``; fields of the wrong type are a ResponseError naming the first."""
    try:
        return model.model_validate(item)
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(p) for p in first.get("loc", ()))
        reason = f"a {model.__name__} whose {where or 'value'} is {first.get('input')!r}"
        raise shape_error(response, reason[:200]) from None


def page_objects(response: httpx.Response, data: list[Any]) -> list[dict[str, Any]]:
    """The objects of a ``data`` list, as :func:`page_items` judges them."""
    return page_items(response.content, response.request.method, str(response.request.url), data)


def page_items(
    content: bytes, method: str, url: str, data: list[Any] | None = None
) -> list[dict[str, Any]]:
    """The objects of a page's ``data``; a null item is skipped with a warning (there is no row to
    keep), any other item that is not an object is refused."""
    quoted = content[:200].decode("utf-8", "replace")
    if data is None:
        try:
            body = json.loads(content)
        except RecursionError:
            reason = "JSON nested too deeply to read"
            raise ResponseError(method, url, 200, reason, quoted) from None
        except (ValueError, UnicodeDecodeError) as exc:
            raise ResponseError(method, url, 200, f"invalid JSON: {exc}", quoted) from None
        data = body.get("data") if isinstance(body, dict) else None
    if not isinstance(data, list):
        raise ResponseError(method, url, 200, "no 'data' list in the page", quoted)
    nulls = [i for i, item in enumerate(data) if item is None]
    odd = [i for i, item in enumerate(data) if item is not None and not isinstance(item, dict)]
    if odd:
        what = type(data[odd[0]]).__name__
        raise ResponseError(method, url, 200, f"item {odd[0]} of 'data' is a {what}", quoted)
    if nulls:
        data_warning(
            f"{method} {url}: {len(nulls)} null item(s) in a page's data (at {nulls[:5]}) "
            "skipped: there is nothing to keep of them"
        )
    return [item for item in data if item is not None]


def api_error(response: httpx.Response, method: str, url: str) -> ApiError:
    errors: list[ApiErrorObject] = []
    quoted: str | None = None
    status = response.status_code
    if 300 <= status < 400:
        where = response.headers.get("location") or "(no Location given)"
        quoted = f"redirected to {where}; simtools does not follow redirects: check base_url"
        return ApiError(status, method, url, errors, body_excerpt=quoted)
    try:
        body = json.loads(response.content)
        raw = body.get("errors") if isinstance(body, dict) else None
        if isinstance(raw, list):
            errors = [_error_object(e) for e in raw if isinstance(e, dict)]
        if not errors:
            quoted = excerpt(response)
    except RecursionError:
        quoted = "(JSON nested too deeply to read) " + excerpt(response)
    except (ValueError, UnicodeDecodeError):
        ctype = response.headers.get("content-type", "")
        quoted = ("(HTML error page) " if "html" in ctype else "") + excerpt(response)
    kwargs: dict[str, Any] = {"body_excerpt": quoted}
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


def _error_object(raw: dict[str, Any]) -> ApiErrorObject:
    """An error object as sent; one whose fields have the wrong types keeps what can be read."""
    try:
        return ApiErrorObject.model_validate(raw)
    except ValidationError:
        detail = raw.get("detail")
        return ApiErrorObject(
            code=str(raw.get("code")) if raw.get("code") is not None else None,
            title=raw.get("title") if isinstance(raw.get("title"), str) else None,
            detail=detail if isinstance(detail, str) else None,
        )


def data_limit_body(data_limit: tuple[float | str, str]) -> dict[str, str]:
    """``(amount, "MB"|"GB")`` as the API takes it; a flag, a text that is not a number, a value
    that is not finite or below zero, or another unit is refused before anything is sent."""
    try:
        amount, unit = data_limit
    except (TypeError, ValueError):
        raise InvalidInputError(
            data_limit, "data_limit must be (amount, unit)", "e.g. data_limit=(2048, 'MB')"
        ) from None
    value: float | None = None
    if not isinstance(amount, bool):
        try:
            value = float(amount)
        except (TypeError, ValueError, OverflowError):
            value = None
    if value is None or not math.isfinite(value) or value < 0 or unit not in ("MB", "GB"):
        raise InvalidInputError(
            data_limit,
            "data_limit needs a non-negative amount and unit 'MB' or 'GB'",
            "e.g. data_limit=(2, 'GB')",
        )
    return {"amount": f"{value:.1f}", "unit": unit}
