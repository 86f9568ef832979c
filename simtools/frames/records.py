"""Turning what a user holds into plain record dicts for the frame builders (pure).

A source may be a response body (dict, JSON text or bytes), a list of records or of page bodies,
simtools' pydantic models, or the official ``telnyx`` SDK's response objects and models (anything
with ``to_dict``/``model_dump``). Nothing here mutates its input: records are read, never edited.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Mapping
from typing import Any

from pydantic import BaseModel

from simtools.errors import InvalidInputError
from simtools.wording import a_type

#: ``record_type`` values of the contract's objects, to refuse one kind fed to another's builder
#: (and the categories of every frame's ``record_type`` column).
RECORD_TYPES = (
    "sim_card",
    "sim_card_group",
    "sim_card_action",
    "bulk_sim_card_action",
    "sim_card_group_action",
    "sim_card_registration_code_validation",
    "sim_card_data_usage_notification",
    "wdr",
)
KNOWN_RECORD_TYPES = frozenset(RECORD_TYPES)
_ENVELOPE_KEYS = ("data", "errors")


def load_json(data: str | bytes | bytearray | memoryview) -> Any:
    """Parse JSON text or bytes; a parse failure is an InvalidInputError quoting where."""
    raw = bytes(data) if isinstance(data, bytearray | memoryview) else data
    try:
        return json.loads(raw)
    except RecursionError:
        raise InvalidInputError(
            "<json>",
            "the JSON is nested too deeply to read",
            "pass a response body as the API sends it",
        ) from None
    except json.JSONDecodeError as exc:
        excerpt = exc.doc[max(0, exc.pos - 20) : exc.pos + 20]
        raise InvalidInputError(
            excerpt,
            f"the JSON does not parse: {exc.msg} at line {exc.lineno} column {exc.colno} "
            f"(near {excerpt!r})",
            "pass the whole response body as received, or the parsed dict",
        ) from exc
    except UnicodeDecodeError as exc:
        raise InvalidInputError(
            raw[:40], f"the bytes are not UTF-8 JSON ({exc.reason})", "pass the response body"
        ) from exc


def dump(obj: Any) -> dict[str, Any] | None:
    """A model as a plain dict of the fields that were set (API names), or ``None`` if ``obj``
    is not a model. simtools' pydantic models use ``model_dump``; the SDK's models (and other
    objects) their ``to_dict``, else ``model_dump``."""
    if isinstance(obj, BaseModel) and not callable(getattr(obj, "to_dict", None)):
        return obj.model_dump(mode="json", exclude_unset=True, by_alias=True)
    for name in ("to_dict", "model_dump"):
        method = getattr(obj, name, None)
        if callable(method):
            try:
                result = method(mode="json")
            except TypeError:  # a to_dict without the mode argument
                result = method()
            if isinstance(result, Mapping):
                return dict(result)
    return None


def collect_records(
    source: Any,
    key: str,
    is_record: Callable[[Mapping[str, Any]], bool],
    what: str,
    hint: str,
) -> list[Mapping[str, Any]]:
    """Every record under ``key`` (``"data"`` or ``"errors"``) in ``source``, in order.

    A dict with ``key`` is an envelope (``key`` holding a list or one object) and another
    envelope (say, ``{"errors": [...]}`` when looking for ``data``) holds none. Any other dict in
    a list is a record; on its own it must look like one (``is_record``). Lists may mix records,
    envelopes and page bodies (JSON text or bytes).
    """
    return _collect(source, key, is_record, what, hint, in_list=False)


def _collect(
    source: Any,
    key: str,
    is_record: Callable[[Mapping[str, Any]], bool],
    what: str,
    hint: str,
    *,
    in_list: bool,
) -> list[Mapping[str, Any]]:
    if isinstance(source, str | bytes | bytearray | memoryview):
        return _collect(load_json(source), key, is_record, what, hint, in_list=False)
    if isinstance(source, Mapping):
        if key in source:
            return _envelope_items(source[key], key, what, hint)
        if any(k in source for k in _ENVELOPE_KEYS):
            return []
        if in_list or is_record(source):
            return [source]
        raise InvalidInputError(
            sorted(map(str, source))[:10],
            f"a dict with keys {sorted(map(str, source))[:10]!r} is neither a response "
            f"(with {key!r}) nor one of {what}",
            hint,
        )
    if isinstance(source, list | tuple):
        return [
            record
            for item in source
            for record in _collect(item, key, is_record, what, hint, in_list=True)
        ]
    dumped = dump(source)
    if dumped is not None:
        return _collect(dumped, key, is_record, what, hint, in_list=in_list)
    raise InvalidInputError(
        type(source).__name__,
        f"cannot build a frame of {what} from {a_type(source)}",
        hint,
    )


def _envelope_items(value: Any, key: str, what: str, hint: str) -> list[Mapping[str, Any]]:
    if value is None:
        return []
    items = [value] if isinstance(value, Mapping) or dump(value) is not None else value
    if not isinstance(items, list | tuple):
        raise InvalidInputError(
            type(value).__name__,
            f"the response's {key!r} is {a_type(value)}, not a list of {what}",
            hint,
        )
    out: list[Mapping[str, Any]] = []
    for i, item in enumerate(items):
        record = item if isinstance(item, Mapping) else dump(item)
        if record is None:
            raise InvalidInputError(
                type(item).__name__,
                f"item {i} of the response's {key!r} is {a_type(item)}, not an object",
                hint,
            )
        out.append(record)
    return out


def other_record_type(kinds: Iterable[object], expected: str) -> str | None:
    """The first of ``kinds`` (``record_type`` values) naming another known kind of object."""
    for kind in kinds:
        if isinstance(kind, str) and kind != expected and kind in KNOWN_RECORD_TYPES:
            return kind
    return None


def refuse_other_record_types(records: list[Mapping[str, Any]], expected: str, hint: str) -> None:
    """Raise when a record is plainly another kind of object (say a SIM card group)."""
    kind = other_record_type((record.get("record_type") for record in records), expected)
    if kind is not None:
        raise InvalidInputError(kind, f"the records are {kind!r} objects, not {expected!r}", hint)
