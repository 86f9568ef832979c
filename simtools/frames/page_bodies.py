"""Page bodies: what counts as one, and reading a batch of them the exact way (pure).

:func:`page_bodies` tells a list or iterator of response bodies from one of records;
:func:`record_columns` reads bodies with ``json`` into the record path's raw columns (what
:mod:`simtools.frames.pages` falls back to for a batch its reader cannot keep exactly), and
:func:`bad_page` names a body that is not a SIM card list response.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator
from itertools import chain
from typing import Any

import pyarrow as pa
import pyarrow.compute as pc

from simtools.errors import InvalidInputError, ResponseError, SimToolsError, data_warning
from simtools.frames.contracts import SIM_CARDS
from simtools.frames.layout import is_sim_card
from simtools.frames.records import collect_records, other_record_type
from simtools.wording import a_type

__all__ = [
    "bad_page",
    "page_bodies",
    "page_bytes",
    "record_columns",
    "refuse_other_record_type_column",
]

_HINT = "pass each page body as received (the bytes of a GET /sim_cards or register response)"

_BODY_TYPES = (bytes, bytearray, memoryview, str)
_END = object()


def page_bodies(source: Any) -> tuple[Iterable[Any] | None, Any]:
    """``(pages, None)`` when ``source`` is a non-empty list or tuple of page bodies (bytes or
    text), or an iterator whose first item is one; else ``(None, source)``, an iterator of
    anything else having been read into a list for the record path."""
    if isinstance(source, Iterator):
        first = next(source, _END)
        if isinstance(first, _BODY_TYPES):
            return chain([first], source), None
        return None, [] if first is _END else [first, *source]
    if isinstance(source, list | tuple) and source:
        if all(isinstance(item, _BODY_TYPES) for item in source):
            return source, None
    return None, source


def page_bytes(body: Any, number: int) -> bytes:
    """Page ``number`` as bytes (text is encoded as UTF-8); anything else is refused."""
    if isinstance(body, bytes):
        return body
    if isinstance(body, bytearray | memoryview):
        return bytes(body)
    if isinstance(body, str):
        return body.encode("utf-8", "surrogatepass")
    raise InvalidInputError(
        type(body).__name__,
        f"page {number} is {a_type(body)}, not a response body (bytes or JSON text)",
        _HINT,
    )


def record_columns(
    bodies: list[bytes], first: int, endpoint: str | None
) -> tuple[int, dict[str, list[Any]], dict[tuple[str, ...], list[Any]]]:
    """A batch read the exact way: ``json`` per body, then the record path's step one; the
    SIM count, known columns by name and other values by path (see :meth:`FieldLayout.split`)."""
    records: list[Any] = []
    for offset, body in enumerate(bodies):
        number = first + offset
        try:
            page = json.loads(body)
        except RecursionError:
            raise bad_page(
                number, "its JSON is nested too deeply to read", body, endpoint
            ) from None
        except (ValueError, UnicodeDecodeError) as exc:
            reason = (
                "HTML instead of JSON" if body.lstrip()[:1] == b"<" else f"it is not JSON ({exc})"
            )
            raise bad_page(number, reason, body, endpoint) from exc
        if not isinstance(page, dict) or "data" not in page:
            what = "has no 'data'" if isinstance(page, dict) else f"is a JSON {type(page).__name__}"
            raise bad_page(number, f"it {what}", body, endpoint)
        page = _without_nulls(page, number, endpoint)
        try:
            records.extend(collect_records(page, "data", is_sim_card, "SIM cards", _HINT))
        except InvalidInputError as exc:
            raise bad_page(number, exc.reason, body, endpoint) from exc
    known, other = SIM_CARDS.layout.split(records)
    return len(records), known, other


def _without_nulls(page: dict[str, Any], number: int, endpoint: str | None) -> dict[str, Any]:
    """The page without null items in its ``data`` (there is nothing of them to keep), warned
    about; any other item that is not an object is judged by the record path."""
    data = page["data"]
    if not isinstance(data, list) or all(item is not None for item in data):
        return page
    nulls = [i for i, item in enumerate(data) if item is None]
    where = f"GET {endpoint}: page {number}" if endpoint else f"page {number}"
    data_warning(f"{where}: {len(nulls)} null item(s) in data (at {nulls[:5]}) skipped")
    return {**page, "data": [item for item in data if item is not None]}


def bad_page(number: int, reason: str, body: bytes, endpoint: str | None) -> SimToolsError:
    excerpt = body[:200].decode("utf-8", "replace")
    if endpoint is not None:
        return ResponseError("GET", endpoint, 200, f"page {number}: {reason}", excerpt)
    return InvalidInputError(
        excerpt[:60],
        f"page {number} is not a SIM card list response: {reason}; it starts {excerpt[:60]!r}",
        _HINT,
    )


def refuse_other_record_type_column(values: Any, endpoint: str | None) -> None:
    """Refuse pages whose ``record_type`` column names another known kind of record (say
    ``sim_card_group``): they were not SIM card lists."""
    if values is None:
        return
    kinds = pc.unique(values).to_pylist() if isinstance(values, pa.ChunkedArray) else values
    kind = other_record_type(kinds, "sim_card")
    if kind is None:
        return
    reason = f"the records are {kind!r} objects, not 'sim_card'"
    if endpoint is not None:
        raise ResponseError("GET", endpoint, 200, reason, "")
    raise InvalidInputError(kind, reason, _HINT)
