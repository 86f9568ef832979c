"""Raw SIM card list pages into frame columns with pyarrow's JSON reader: no object per SIM.

:func:`sim_card_page_columns` is step one of :func:`simtools.frames.sim_cards_frame` for page
bodies (``bytes``, each ``{"data": [...], "meta": {...}}``): it reads them in batches of about
4 MB as newline-delimited JSON (a JSON text holds no raw newline inside a string, so each body
becomes one line once its own newlines are blanks), :data:`WORKERS` batches at a time on worker
threads while the next ones arrive, flattens ``data`` and hands Arrow columns to
:func:`simtools.frames.frame_from_columns`. Each worker also puts its batch's times, amounts and
lists in their frame form (:func:`_prepare`), so that this part of the frame's work is done
while other batches are read. The frame is the one the record path gives for the same records:
same columns, dtypes, values and warnings.

Exactness comes first. The reader is given the contract's fields as text, flags, lists of text and
``{amount, unit}`` objects, and infers the rest. A value reads back exactly as sent when its
inferred type is text, true/false, whole numbers, null or lists of these. A top-level field of
another type -- objects (the reader would merge their keys), decimals (``1`` would become
``1.0``), text the reader takes for a time -- is read again with ``json`` from the text at each
``"field":`` key of the batch, which is exact when every page holds one such key per SIM (see
:func:`_field_values`). Anything else -- a type that changes between records, an odd value inside
a known object, a malformed body -- sends the batch through the record path (``json`` and
:meth:`FieldLayout.split`), which keeps every value as sent or raises a clear error. Columns of
such a batch join the others as text where they are text, else as Python objects.

Why pyarrow: of the engines measured (pyarrow's reader, DuckDB, polars, msgspec, ``json``; see
``bench/engines.py`` and ``bench/README.md`` for the figures), it is the fastest that keeps every
value exactly as sent or says so: DuckDB reads ``"x"`` as null and ``1.5`` as ``2`` for an
integer field, silently, and polars reads ``1`` in a text column as ``"1"``, so no warning could
name it. pyarrow is a dependency already, and it reports a field whose type changes as an error,
which is what sends a batch the exact way. The reader is most of the frame's time; the frame's
dtypes and computed columns come after the last batch.
"""

from __future__ import annotations

import io
import json
import re
from collections import deque
from collections.abc import Iterable
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any, TypeAlias

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.json as pj

from simtools.frames.cells import as_text
from simtools.frames.contracts import SIM_CARDS
from simtools.frames.page_bodies import (
    bad_page,
    page_bytes,
    record_columns,
    refuse_other_record_type_column,
)
from simtools.frames.series import FLOAT, TextTuples, decimal_array, text_tuples, utc_time_array

__all__ = ["PAGE_SCHEMA", "sim_card_page_columns"]

#: Bytes of page bodies read in one go: small enough to keep memory flat and the last batch
#: (read after all others) short, large enough that the per-batch work is noise (about 20 pages
#: of 250 SIMs).
BATCH_BYTES = 4 << 20
#: Batches read at once, each by a reader on one thread, so that a worker can put its batch's
#: times, amounts and lists in their frame form (:func:`_prepare`) while the others read.
WORKERS = max(1, min(4, pa.cpu_count()))
_BLOCK_BYTES = 1 << 20
_TEXT = pa.string()
_TEXT_LIST = pa.list_(_TEXT)
#: What the reader is told about a page (from the contract's columns): ids, enums, amounts and
#: times as text, flags, lists of text; other fields (the full form's among them) are inferred,
#: so that a field's presence is seen. Times are named as text: left to itself the reader would
#: turn ``2026-03-01T00:00:00Z`` into a timestamp and lose how it was written.
PAGE_SCHEMA = SIM_CARDS.page_schema()
_PARSE = pj.ParseOptions(explicit_schema=PAGE_SCHEMA, unexpected_field_behavior="infer")
_LAYOUT = SIM_CARDS.layout
#: Free-form JSON fields: their lists become the JSON text the frame keeps, batch by batch.
_JSON_COLUMNS = frozenset(c.name for c in SIM_CARDS.columns if c.kind == "json")

Chunk: TypeAlias = "pa.Array | list[Any] | None"


@dataclass
class _Batch:
    """Raw columns of one batch of pages: known columns by name, the others by path (as
    :meth:`FieldLayout.split` gives them), each an Arrow array or a list of Python values; and
    the contract columns this batch could already put in their frame form (:func:`_prepare`)."""

    n: int
    known: dict[str, Chunk] = field(default_factory=dict)
    other: dict[tuple[str, ...], Chunk] = field(default_factory=dict)
    ready: dict[str, pa.Array | TextTuples] = field(default_factory=dict)


#: Contract columns that a worker puts in their frame form batch by batch, while other batches
#: are read: what the frame's coercers would do to the whole column, done in parts (for the
#: column, only when every batch could). Times in the API's UTC form become timestamps, amounts
#: written as plain decimals become floats, lists of text become tuples.
_READY_TIMES = tuple(c.name for c in SIM_CARDS.columns if c.kind == "time" and not c.optional)
_READY_AMOUNTS = tuple(
    c.name for c in SIM_CARDS.columns if c.kind == "float" and c.path and not c.optional
)
_READY_LISTS = tuple(c.name for c in SIM_CARDS.columns if c.kind == "tuple" and not c.optional)
_READY = (*_READY_TIMES, *_READY_AMOUNTS, *_READY_LISTS)


def sim_card_page_columns(
    pages: Iterable[bytes | bytearray | memoryview | str], *, endpoint: str | None = None
) -> dict[str, Any]:
    """Step one for page bodies: raw columns for :func:`~simtools.frames.frame_from_columns`.

    ``pages`` is consumed once, as it arrives (a generator is fine); batches are read on
    :data:`WORKERS` threads while the next ones arrive, and at most ``2 * WORKERS + 1`` batches
    of bodies (about 20 MB on two cores) are held at a time. Each body
    must be a JSON object with ``data`` (a list of SIM card objects, one object, or null). A
    body that is not (HTML, truncated JSON, no ``data``) raises
    :class:`~simtools.errors.InvalidInputError` naming the page by its position, or, given the
    ``endpoint`` URL the pages came from, :class:`~simtools.errors.ResponseError` for it.
    Records of another kind (``record_type`` ``sim_card_group``, ...) are refused the same way.
    """
    batches: list[_Batch] = []
    held: list[bytes] = []
    size = 0
    first = 1
    # Batches are parsed on worker threads while the next ones arrive (from the network, or a
    # file); the reader releases the GIL. Results are taken in order, as they are needed.
    with ThreadPoolExecutor(max_workers=WORKERS, thread_name_prefix="simtools-pages") as pool:
        pending: deque[Future[_Batch]] = deque()
        for number, body in enumerate(pages, start=1):
            data = page_bytes(body, number)
            held.append(data)
            size += len(data)
            if size >= BATCH_BYTES:
                pending.append(pool.submit(_read_batch, held, first, endpoint))
                held, size, first = [], 0, number + 1
                if len(pending) > 2 * WORKERS:
                    batches.append(pending.popleft().result())
        if held:
            pending.append(pool.submit(_read_batch, held, first, endpoint))
        batches.extend(future.result() for future in pending)
    columns = _merge(batches)
    refuse_other_record_type_column(columns.get("record_type"), endpoint)
    return columns


def _read_batch(bodies: list[bytes], first: int, endpoint: str | None) -> _Batch:
    """One batch, columnar when the reader can keep every value exactly, else the exact way."""
    try:
        batch = _columnar_batch(bodies, first, endpoint)
    except pa.ArrowException:  # anything the reader refuses, the record path judges
        batch = None
    if batch is None:
        n, known, other = record_columns(bodies, first, endpoint)
        batch = _Batch(n, dict(known), dict(other))
    return batch


def _columnar_batch(bodies: list[bytes], first: int, endpoint: str | None) -> _Batch | None:
    lines = [
        b.replace(b"\n", b" ").replace(b"\r", b" ") if b"\n" in b or b"\r" in b else b
        for b in bodies
    ]
    table = pj.read_json(  # one thread per batch: batches are read side by side
        io.BytesIO(b"\n".join(lines)),
        read_options=pj.ReadOptions(block_size=_BLOCK_BYTES, use_threads=False),
        parse_options=_PARSE,
    )
    if table.num_rows != len(bodies):  # an empty body, or two documents in one
        return None
    if not all(b.isascii() for b in bodies):
        table.validate(full=True)  # the reader passes bytes that are not UTF-8 through
    data = table.column("data")
    if data.null_count:  # `"data": null` holds no SIMs; a body without `data` is refused
        missing = np.flatnonzero(data.is_null().to_numpy(zero_copy_only=False)).tolist()
        for row in missing:
            if b'"data"' not in bodies[row]:
                raise bad_page(first + row, "it has no 'data'", bodies[row], endpoint)
        return None
    records = pc.list_flatten(data).combine_chunks()
    if records.null_count:  # a null item in `data`: the record path names it
        return None
    counts = pc.list_value_length(data).to_numpy(zero_copy_only=False).tolist()
    return _arrow_batch(records, bodies, counts)


def _arrow_batch(records: pa.StructArray, bodies: list[bytes], counts: list[int]) -> _Batch | None:
    """The batch's columns, or None when some value could not be read back exactly."""
    batch = _Batch(len(records))
    layout = _LAYOUT
    for spec, child in zip(records.type, records.flatten(), strict=True):
        key = spec.name
        top = layout.top.get(key)
        subs = layout.nested.get(key)
        if top is not None or subs is None:
            values: Chunk = child
            if not _exact(child.type):  # read this field again, from the text, exactly
                values = _field_values(bodies, counts, key, child)
                if values is None:
                    return None
            if top is not None:
                json = top in _JSON_COLUMNS and isinstance(values, pa.Array)
                batch.known[top] = _encoded(values) if json else values
            elif isinstance(values, list):
                batch.other[(key,)] = [
                    as_text(v) if isinstance(v, dict | list) else v for v in values
                ]
            else:
                batch.other[(key,)] = _encoded(values)
        else:
            for column in subs.values():  # the parent is present, so are its columns
                batch.known.setdefault(column, None)
            if pa.types.is_struct(child.type):
                for sub_spec, sub in zip(child.type, child.flatten(), strict=True):
                    if not _exact(sub.type):
                        return None
                    target = subs.get(sub_spec.name)
                    if target is not None:
                        batch.known[target] = sub
                    else:
                        batch.other[(key, sub_spec.name)] = _encoded(sub)
            elif not _exact(child.type):
                return None
            elif not pa.types.is_null(child.type):  # the parent is not an object: kept raw
                batch.other[(key,)] = _encoded(child)
    _prepare(batch)
    return batch


def _prepare(batch: _Batch) -> None:
    """Fill ``batch.ready`` for the columns of :data:`_READY_TIMES` and the like whose values
    in this batch all take the common form (a column the batch lacks is all missing); a column
    already there is left as it is."""
    for name in _READY:
        if name in batch.ready:
            continue
        chunk = batch.known.get(name)
        if chunk is None or (isinstance(chunk, pa.Array) and pa.types.is_null(chunk.type)):
            chunk = pa.nulls(batch.n, _TEXT_LIST if name in _READY_LISTS else _TEXT)
        if not isinstance(chunk, pa.Array):
            continue
        ready: pa.Array | TextTuples | None = None
        if name in _READY_LISTS:
            tuples = text_tuples(chunk)
            ready = None if tuples is None else TextTuples(tuples.to_numpy(dtype=object))
        elif pa.types.is_string(chunk.type):
            ready = (utc_time_array if name in _READY_TIMES else decimal_array)(chunk)
        if ready is not None:
            batch.ready[name] = ready


_NESTED = (dict, list)
_DECODER = json.JSONDecoder()
_BLANKS = " \t\n\r"
_WHITESPACE = re.compile(r"[ \t\n\r]*")


def _field_values(
    bodies: list[bytes], counts: list[int], key: str, read: pa.Array
) -> list[Any] | None:
    """A top-level field's values exactly as ``json`` reads them, decoded from the text of the
    bodies at each ``"key":``; None unless that finds one per SIM in every page.

    Found in order, the values line up with the SIMs when each page holds exactly as many such
    keys (in any object) as SIMs, and each value is null exactly where the reader saw none:
    a page where a SIM lacks the field and another nests it deeper cannot pass both checks
    without every value in between being null, which is what the SIM without it gets anyway.
    """
    needle = json.dumps(key, ensure_ascii=False) + ":"
    values: list[Any] = []
    for body, count in zip(bodies, counts, strict=True):
        text = body.decode("utf-8")
        found = 0
        at = text.find(needle)
        while at != -1:
            start = at + len(needle)
            before = at - 1
            while before >= 0 and text[before] in _BLANKS:
                before -= 1
            if before >= 0 and text[before] in "{,":  # a key, not the end of a string
                blank = _WHITESPACE.match(text, start)
                try:
                    value, start = _DECODER.raw_decode(text, blank.end() if blank else start)
                except (ValueError, RecursionError):
                    return None
                values.append(value)
                found += 1
            at = text.find(needle, start)
        if found != count:
            return None
    seen = read.is_valid().to_numpy(zero_copy_only=False)
    if any((value is not None) != bool(valid) for value, valid in zip(values, seen, strict=True)):
        return None
    return values


def _exact(kind: pa.DataType) -> bool:
    """Whether values of this inferred type read back as the JSON said (no merged keys, no
    ``1`` turned into ``1.0``, no time parsed from text)."""
    if pa.types.is_list(kind):
        return _exact(kind.value_type)
    return bool(
        pa.types.is_null(kind)
        or pa.types.is_boolean(kind)
        or kind == pa.int64()
        or pa.types.is_string(kind)
    )


def _encoded(values: pa.Array) -> pa.Array:
    """An unknown field's lists as the JSON text the frame keeps for them (scalars as they are)."""
    if not pa.types.is_list(values.type):
        return values
    lengths = pc.fill_null(values.value_lengths(), 0)
    if len(values) == 0 or pc.max(lengths).as_py() == 0:
        return pc.if_else(values.is_valid(), pa.scalar("[]"), pa.scalar(None, _TEXT))
    return pa.array([None if v is None else as_text(v) for v in values.to_pylist()], type=_TEXT)


def _merge(batches: list[_Batch]) -> dict[str, Any]:
    """One column per name over all batches; the unknown fields named and ordered as
    :meth:`FieldLayout.extra_names` does for records."""
    known: dict[str, None] = {}
    paths: dict[tuple[str, ...], None] = {}
    for batch in batches:
        known |= dict.fromkeys(batch.known)
        paths |= dict.fromkeys(batch.other)
    columns: dict[str, Any] = {}
    for name in known:
        ready = [b.ready.get(name) for b in batches]
        if name in _READY and all(part is not None for part in ready):
            columns[name] = _ready_column(ready)
        else:
            columns[name] = _join([(b.n, b.known.get(name)) for b in batches])
    for path, name in _LAYOUT.extra_names(paths).items():
        columns[name] = _join([(b.n, b.other.get(path)) for b in batches])
    return columns


def _ready_column(chunks: list[Any]) -> Any:
    """The batches' ready parts of one column as the frame's coercers take it."""
    if isinstance(chunks[0], TextTuples):
        return TextTuples(np.concatenate([c.cells for c in chunks]))
    joined = pa.chunked_array(chunks, chunks[0].type)
    if pa.types.is_floating(joined.type):
        return pd.Series(joined.to_pandas(types_mapper={pa.float64(): FLOAT}.get))
    return pd.Series(joined.to_pandas())


def _join(chunks: list[tuple[int, Chunk]]) -> Any:
    """Chunks of one column as one Arrow column when they share a type (or the lists of a
    record batch convert to it losslessly), else as a list of Python values."""
    kinds = {c.type for _, c in chunks if isinstance(c, pa.Array) and not pa.types.is_null(c.type)}
    has_lists = any(isinstance(c, list) for _, c in chunks)
    if len(kinds) <= 1:
        kind = kinds.pop() if kinds else (_TEXT if has_lists else pa.null())
        arrays = [_as_arrow(n, c, kind) for n, c in chunks]
        if all(a is not None for a in arrays):
            return pa.chunked_array([a for a in arrays if a is not None], kind)
    out: list[Any] = []
    for n, chunk in chunks:
        if chunk is None:
            out.extend([None] * n)
        elif isinstance(chunk, pa.Array):
            out.extend(chunk.to_pylist())
        else:
            out.extend(chunk)
    return out


def _as_arrow(n: int, chunk: Chunk, kind: pa.DataType) -> pa.Array | None:
    if chunk is None:
        return pa.nulls(n, kind)
    if isinstance(chunk, pa.Array):
        return chunk if chunk.type == kind else chunk.cast(kind)
    if kind != _TEXT:
        return None
    try:  # a str is text however it was read; anything else is not
        return pa.array(chunk, type=_TEXT, from_pandas=False)
    except (pa.ArrowInvalid, pa.ArrowTypeError, UnicodeEncodeError):
        return None
