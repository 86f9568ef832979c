"""Wire helpers of the sandbox: Telnyx error bodies, amounts, timestamps, JSON, page envelopes."""

from __future__ import annotations

import json
import math
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from functools import lru_cache
from typing import Any

__all__ = [
    "ERROR_TITLES",
    "ApiProblem",
    "PageRequest",
    "dumps",
    "error_body",
    "error_object",
    "format_amount",
    "iso",
    "list_body",
    "page_meta",
]

#: Titles Telnyx uses for its common error codes (CONTRACT.md section 4).
ERROR_TITLES = {
    "10004": "Missing required parameter",
    "10005": "Resource not found",
    "10006": "Invalid ID",
    "10007": "Unexpected error",
    "10009": "Authentication failed",
    "10011": "Too many requests",
    "10012": "Duplicate resource",
    "10015": "Bad Request",
    "10017": "Associated resource does not exist",
}


_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


def dumps(value: Any) -> bytes:
    """Compact JSON, the way every sandbox body is written."""
    return json.dumps(value, separators=(",", ":"), ensure_ascii=False).encode()


def iso(ts: float) -> str:
    """An epoch timestamp as Telnyx writes it: ``2018-02-02T22:25:27.521Z``."""
    millis = math.floor(ts * 1000)
    day, rest = divmod(millis, 86_400_000)
    seconds, ms = divmod(rest, 1000)
    minutes, s = divmod(seconds, 60)
    h, m = divmod(minutes, 60)
    return f"{_date(day)}T{h:02d}:{m:02d}:{s:02d}.{ms:03d}Z"


@lru_cache(maxsize=4096)
def _date(day: int) -> str:
    return (_EPOCH + timedelta(days=day)).strftime("%Y-%m-%d")


def format_amount(value: float, places: int = 3) -> str:
    """A decimal string such as ``"2048.0"`` or ``"1.125"``: at most ``places`` decimals, at
    least one."""
    text = f"{value:.{places}f}".rstrip("0")
    return text + "0" if text.endswith(".") else text


def error_object(
    code: str,
    detail: str,
    *,
    title: str | None = None,
    pointer: str | None = None,
    parameter: str | None = None,
    meta: dict[str, Any] | None = None,
) -> dict[str, Any]:
    """One entry of a Telnyx ``errors`` list."""
    entry: dict[str, Any] = {"code": code, "title": title or ERROR_TITLES.get(code, "Error")}
    entry["detail"] = detail
    source = {k: v for k, v in (("pointer", pointer), ("parameter", parameter)) if v is not None}
    if source:
        entry["source"] = source
    entry["meta"] = {"url": f"https://developers.telnyx.com/docs/overview/errors/{code}"}
    if meta:
        entry["meta"].update(meta)
    return entry


def error_body(errors: Sequence[dict[str, Any]]) -> dict[str, Any]:
    return {"errors": list(errors)}


class ApiProblem(Exception):
    """Raised anywhere in a request; the app answers with ``status`` and a Telnyx errors body."""

    def __init__(self, status: int, errors: Sequence[dict[str, Any]]) -> None:
        self.status = status
        self.errors = list(errors)
        super().__init__(f"HTTP {status}: {self.errors}")

    @classmethod
    def single(
        cls,
        status: int,
        code: str,
        detail: str,
        *,
        title: str | None = None,
        pointer: str | None = None,
        parameter: str | None = None,
    ) -> ApiProblem:
        error = error_object(code, detail, title=title, pointer=pointer, parameter=parameter)
        return cls(status, [error])


@dataclass(frozen=True)
class PageRequest:
    """``page[number]`` and ``page[size]`` as validated integers."""

    number: int = 1
    size: int = 20

    @property
    def start(self) -> int:
        return (self.number - 1) * self.size

    def slice(self, items: Sequence[Any]) -> Sequence[Any]:
        """The items of this page: empty past the last page."""
        return items[self.start : self.start + self.size]


def page_meta(page: PageRequest, total: int) -> dict[str, int]:
    """``meta`` of a list response; sent on every page, including those past the end."""
    return {
        "page_number": page.number,
        "page_size": page.size,
        "total_pages": math.ceil(total / page.size),
        "total_results": total,
    }


def list_body(chunks: Sequence[bytes], page: PageRequest, total: int) -> bytes:
    """``{"data": [...], "meta": {...}}`` assembled from already serialised items."""
    return b'{"data":[' + b",".join(chunks) + b'],"meta":' + dumps(page_meta(page, total)) + b"}"
