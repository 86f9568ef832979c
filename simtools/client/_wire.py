"""Wire helpers for the client: auth, URL checks, JSON bodies and error mapping."""

from __future__ import annotations

import ipaddress
import json
from collections.abc import Generator
from typing import Any
from urllib.parse import urlsplit

import httpx

from simtools.client.retrying import parse_retry_after
from simtools.errors import (
    ApiError,
    AuthenticationError,
    InvalidInputError,
    NotFoundError,
    RateLimitError,
    ResponseError,
    ServerError,
)
from simtools.models import ApiErrorObject

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


def check_base_url(base_url: str) -> str:
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


def describe(exc: httpx.HTTPError) -> str:
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
    except (ValueError, UnicodeDecodeError) as exc:
        reason = "HTML instead of JSON" if "html" in ctype else f"invalid JSON: {exc}"
        raise ResponseError(method, url, response.status_code, reason, excerpt(response)) from None


def shape_error(response: httpx.Response, reason: str) -> ResponseError:
    return ResponseError(
        response.request.method,
        str(response.request.url),
        response.status_code,
        reason,
        excerpt(response),
    )


def page_items(content: bytes, method: str, url: str) -> list[dict[str, Any]]:
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


def api_error(response: httpx.Response, method: str, url: str) -> ApiError:
    errors: list[ApiErrorObject] = []
    quoted: str | None = None
    try:
        body = json.loads(response.content)
        raw = body.get("errors") if isinstance(body, dict) else None
        if isinstance(raw, list):
            errors = [ApiErrorObject.model_validate(e) for e in raw if isinstance(e, dict)]
        if not errors:
            quoted = excerpt(response)
    except (ValueError, UnicodeDecodeError):
        ctype = response.headers.get("content-type", "")
        quoted = ("(HTML error page) " if "html" in ctype else "") + excerpt(response)
    status = response.status_code
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


def data_limit_body(data_limit: tuple[float | str, str]) -> dict[str, str]:
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
