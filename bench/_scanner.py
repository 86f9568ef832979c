"""An engine measured and not chosen: a scanner for SIM list pages compiled by numba.

``bench/scanner.py`` times it in place of pyarrow's reader; see ``bench/README.md`` for the
figures and why ``simtools.frames.pages`` does not use it (the first use on a machine compiles for
13-15 s, every new process loads the compiled code for 0.3-0.4 s, and numba is a dependency
simtools does not otherwise need).

:func:`scan_batch` walks a batch of page bodies once, byte by byte, in code compiled by numba
(``nogil``: batches are scanned side by side on threads). It knows the list form's fields (see
:data:`SIM_KEYS`) and writes, per SIM, where each text value starts and ends, each flag's value,
each list's items; every other top-level field of a SIM is kept as the span of its JSON text, for
the caller to read exactly. It checks the whole body as JSON as it goes.

It answers only for what it can read exactly and leaves the rest to the general reader, by
returning a status other than :data:`OK`: a string with an escape or a byte over 127 (the caller
checks for those first), a type a known field does not have (a number for ``msisdn``), an unknown
key in ``status`` or the amounts, a key given twice, a null item in a list, ``data`` missing,
null or not a list, or anything that is not JSON. Its answers hold no Python object per SIM.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

import numba
import numpy as np
import pyarrow as pa

from simtools.frames.coerce import as_text
from simtools.frames.layout import SIM_CARD_LAYOUT

__all__ = ["SIM_KEYS", "ScannedPages", "scan_batch", "scanned_columns", "text_column"]

#: What the scanner does with a SIM's top-level key: a text value, a flag, a list of text, an
#: object of text values (``status``, the amounts), or a field it does not know (kept as a span).
TEXT, FLAG, LIST, OBJECT = 0, 1, 2, 3
#: Fields of the list form, with kind: nested objects list their keys.
SIM_KEYS: dict[str, int | tuple[str, ...]] = {
    "id": TEXT,
    "status": ("value", "reason"),
    "type": TEXT,
    "iccid": TEXT,
    "imsi": TEXT,
    "msisdn": TEXT,
    "sim_card_group_id": TEXT,
    "tags": LIST,
    "authorized_imeis": LIST,
    "data_limit": ("amount", "unit"),
    "current_billing_period_consumed_data": ("amount", "unit"),
    "actions_in_progress": FLAG,
    "voice_enabled": FLAG,
    "eid": TEXT,
    "esim_installation_status": TEXT,
    "version": TEXT,
    "created_at": TEXT,
    "updated_at": TEXT,
}

OK = 0
#: Statuses other than OK: the batch is left to the general reader.
NOT_JSON, NOT_THIS_FORM, TOO_DEEP, NO_ROOM = 1, 2, 3, 4
_MAX_DEPTH = 64


@dataclass(frozen=True)
class _Table:
    """The key table the compiled code reads: key bytes, and per key its kind and slot."""

    names: np.ndarray  # uint8, all keys one after another
    offsets: np.ndarray  # int64, len(keys) + 1
    kinds: np.ndarray  # int64, TEXT / FLAG / LIST / OBJECT
    slots: np.ndarray  # int64: text, flag, list or object number; an OBJECT's is its first key
    text_names: tuple[tuple[str, ...], ...]  # path of each text slot
    flag_names: tuple[str, ...]
    list_names: tuple[str, ...]
    top_count: int


def _table(keys: dict[str, int | tuple[str, ...]]) -> _Table:
    names: list[bytes] = []
    kinds: list[int] = []
    slots: list[int] = []
    text: list[tuple[str, ...]] = []
    flags: list[str] = []
    lists: list[str] = []
    nested: list[tuple[str, tuple[str, ...]]] = []
    for key, kind in keys.items():
        names.append(key.encode())
        if isinstance(kind, tuple):
            kinds.append(OBJECT)
            slots.append(-1)  # filled in below: sub-keys follow the top-level keys
            nested.append((key, kind))
        elif kind == TEXT:
            kinds.append(TEXT)
            slots.append(len(text))
            text.append((key,))
        elif kind == FLAG:
            kinds.append(FLAG)
            slots.append(len(flags))
            flags.append(key)
        else:
            kinds.append(LIST)
            slots.append(len(lists))
            lists.append(key)
    top = len(names)
    for parent, subs in nested:
        slots[list(keys).index(parent)] = len(names)
        for sub in subs:
            names.append(sub.encode())
            kinds.append(len(subs))  # a sub-key's kind: how many keys its object has
            slots.append(len(text))
            text.append((parent, sub))
    lengths = np.array([len(n) for n in names], dtype=np.int64)
    return _Table(
        np.frombuffer(b"".join(names), dtype=np.uint8),
        np.concatenate(([0], np.cumsum(lengths))).astype(np.int64),
        np.array(kinds, dtype=np.int64),
        np.array(slots, dtype=np.int64),
        tuple(text),
        tuple(flags),
        tuple(lists),
        top,
    )


TABLE = _table(SIM_KEYS)


@dataclass(frozen=True)
class ScannedPages:
    """Where the values of one batch's SIMs are (``n`` SIMs), as :func:`scan_batch` found them.

    ``text_starts``/``text_ends``: per text slot and SIM, the span of the string's content
    (``-1`` where null or missing). ``flags``: per flag slot and SIM, 1, 0 or -1 (missing).
    ``list_count``: per list slot and SIM, the number of items (``-1`` where null or missing);
    ``item_starts``/``item_ends`` per list slot, the spans of its items, SIM after SIM.
    ``extra_sim``/``extra_key``/``extra_starts``/``extra_ends``: one row per unknown key of a SIM
    (which SIM, which of ``extra_names``, the span of its value's JSON text).
    """

    buffer: np.ndarray
    n: int
    text_starts: np.ndarray
    text_ends: np.ndarray
    flags: np.ndarray
    list_count: np.ndarray
    item_starts: tuple[np.ndarray, ...]
    item_ends: tuple[np.ndarray, ...]
    extra_sim: np.ndarray
    extra_key: np.ndarray
    extra_starts: np.ndarray
    extra_ends: np.ndarray
    extra_names: tuple[str, ...]


def scan_batch(text: bytes, page_ends: np.ndarray) -> ScannedPages | None:
    """The SIMs of page bodies joined in ``text`` (each ending at its ``page_ends``), or None
    when the scanner leaves them to the general reader. ``text`` must be ASCII without ``\\``.

    Room for the answers is guessed from the size (a SIM takes some hundreds of bytes); a batch of
    unusually small SIMs is scanned again with room counted from its bytes."""
    buffer = np.frombuffer(text, dtype=np.uint8)
    guess = len(text) // 200 + 16
    scanned = _scan_with_room(text, buffer, page_ends, guess, guess, guess)
    if scanned is _NO_ROOM:  # counted: as many SIMs as "{", items as strings, keys as ":"
        counted = (text.count(b"{") + 1, text.count(b'"') // 2 + 1, text.count(b":") + 1)
        scanned = _scan_with_room(text, buffer, page_ends, *counted)
    return None if scanned is _NO_ROOM else scanned


_NO_ROOM = object()


def _scan_with_room(  # type: ignore[no-untyped-def]
    text: bytes, buffer: np.ndarray, page_ends: np.ndarray, sims: int, items: int, keys: int
):
    t = TABLE
    text_spans = np.empty((2, len(t.text_names), sims), dtype=np.int64)
    flags = np.empty((len(t.flag_names), sims), dtype=np.int8)
    list_count = np.empty((len(t.list_names), sims), dtype=np.int64)
    item_spans = np.empty((2, len(t.list_names), items), dtype=np.int64)
    extra = np.empty((4, keys), dtype=np.int64)
    extra_names = np.empty((2, 64), dtype=np.int64)
    counts = np.zeros(3 + len(t.list_names), dtype=np.int64)  # SIMs, rows, names, items
    status = _scan(
        buffer, page_ends, t.names, t.offsets, t.kinds, t.slots, t.top_count,
        text_spans, flags, list_count, item_spans,
        extra, extra_names, counts, np.empty(_MAX_DEPTH, dtype=np.uint8),
    )  # fmt: skip
    if status == NO_ROOM:
        return _NO_ROOM
    if status != OK:
        return None
    n, rows, names = (int(c) for c in counts[:3])
    found = counts[3:]
    return ScannedPages(
        buffer,
        n,
        text_spans[0, :, :n],
        text_spans[1, :, :n],
        flags[:, :n],
        list_count[:, :n],
        tuple(item_spans[0, k, : found[k]] for k in range(len(found))),
        tuple(item_spans[1, k, : found[k]] for k in range(len(found))),
        extra[0, :rows],
        extra[1, :rows],
        extra[2, :rows],
        extra[3, :rows],
        tuple(text[extra_names[0, k] : extra_names[1, k]].decode() for k in range(names)),
    )


def text_column(buffer: np.ndarray, starts: np.ndarray, ends: np.ndarray) -> pa.Array:
    """Arrow text from spans of ``buffer`` (null where the start is ``-1``)."""
    offsets, data = _gather(buffer, starts, ends)
    valid = starts >= 0
    nulls = int(len(starts) - np.count_nonzero(valid))
    bitmap = pa.py_buffer(np.packbits(valid, bitorder="little")) if nulls else None
    return pa.StringArray.from_buffers(
        len(starts), pa.py_buffer(offsets), pa.py_buffer(data), bitmap, nulls
    )


@dataclass(frozen=True)
class ScannedColumns:
    """A batch's raw columns as the columnar reader names them (``n`` SIMs): ``known`` columns
    by name and ``other`` fields by path, and, in ``ready``, the times and amounts already in
    their frame form (``timestamp[ns, UTC]``, ``float64``) where every value had the usual one."""

    n: int
    known: dict[str, pa.Array]
    other: dict[tuple[str, ...], pa.Array | list[Any]]
    ready: dict[str, pa.Array]


#: Text columns read into their frame form as they are scanned, where every value allows.
READY_TIMES = ("created_at", "updated_at")
READY_AMOUNTS = ("data_limit_amount", "consumed_amount")


def scanned_columns(bodies: list[bytes]) -> ScannedColumns | None:
    """The raw columns of a batch of page bodies, or None when the scanner leaves the batch to
    the general reader (see the module's docstring)."""
    text = b"".join(bodies)
    if not text.isascii() or b"\\" in text:
        return None
    scanned = scan_batch(text, np.cumsum([len(b) for b in bodies], dtype=np.int64))
    if scanned is None:
        return None
    layout, t, buffer = SIM_CARD_LAYOUT, TABLE, scanned.buffer
    known: dict[str, pa.Array] = {}
    ready: dict[str, pa.Array] = {}
    for k, path in enumerate(t.text_names):
        name = layout.top[path[0]] if len(path) == 1 else layout.nested[path[0]][path[1]]
        starts, ends = scanned.text_starts[k], scanned.text_ends[k]
        known[name] = text_column(buffer, starts, ends)
        if name in READY_TIMES or name in READY_AMOUNTS:
            read = _utc_nanoseconds if name in READY_TIMES else _plain_decimals
            values, ok = read(buffer, starts, ends)
            if ok:
                kind = _TIMESTAMP if name in READY_TIMES else pa.float64()
                ready[name] = pa.array(values, type=kind, mask=starts < 0)
    for k, key in enumerate(t.flag_names):
        flags = scanned.flags[k]
        known[layout.top[key]] = pa.array(flags == 1, mask=flags < 0)
    for k, key in enumerate(t.list_names):
        counts = scanned.list_count[k]
        offsets = np.zeros(len(counts) + 1, dtype=np.int32)
        np.cumsum(np.maximum(counts, 0), out=offsets[1:])
        items = text_column(buffer, scanned.item_starts[k], scanned.item_ends[k])
        known[layout.top[key]] = pa.ListArray.from_arrays(
            pa.array(offsets), items, mask=pa.array(counts < 0)
        )
    other: dict[tuple[str, ...], pa.Array | list[Any]] = {}
    for e, key in enumerate(scanned.extra_names):
        if key in layout.top or key in layout.nested:  # a full-form field: the general reader
            return None
        rows = scanned.extra_key == e
        sims = scanned.extra_sim[rows]
        if len(sims) > 1 and (np.diff(sims) <= 0).any():  # a key twice in one SIM
            return None
        starts, ends = scanned.extra_starts[rows], scanned.extra_ends[rows]
        other[(key,)] = _extra_values(buffer, scanned.n, sims, starts, ends)
    return ScannedColumns(scanned.n, known, other, ready)


_TIMESTAMP = pa.timestamp("ns", "UTC")


def _extra_values(
    buffer: np.ndarray, n: int, sims: np.ndarray, starts: np.ndarray, ends: np.ndarray
) -> pa.Array | list[Any]:
    """An unknown field's values as the columnar reader gives them: Arrow text when they are
    text (or null), ``"[]"`` for empty lists, else each value read by ``json`` (lists and
    objects as their compact JSON text)."""
    first = buffer[starts]
    null = first == ord("n")
    if null.all():
        return pa.nulls(n)
    if ((first == ord('"')) | null).all():
        where = sims[~null]
        text_starts, text_ends = np.full(n, -1, dtype=np.int64), np.zeros(n, dtype=np.int64)
        text_starts[where], text_ends[where] = starts[~null] + 1, ends[~null] - 1
        return text_column(buffer, text_starts, text_ends)
    if (((first == ord("[")) & (ends - starts == 2)) | null).all():
        present = np.zeros(n, dtype=bool)
        present[sims[~null]] = True
        return pa.array(np.where(present, "[]", None), type=pa.string())
    values: list[Any] = [None] * n
    for sim, start, end in zip(sims.tolist(), starts.tolist(), ends.tolist(), strict=True):
        value = json.loads(buffer[start:end].tobytes())
        values[sim] = as_text(value) if isinstance(value, dict | list) else value
    return values


# --- compiled code: plain loops over bytes -------------------------------------------------

_JIT = {"nogil": True, "cache": True, "boundscheck": False}
_QUOTE, _BACKSLASH, _COLON, _COMMA = 34, 92, 58, 44
_OPEN_OBJECT, _CLOSE_OBJECT, _OPEN_LIST, _CLOSE_LIST = 123, 125, 91, 93


@numba.njit(**_JIT)
def _gather(buffer, starts, ends):  # type: ignore[no-untyped-def]
    n = starts.shape[0]
    offsets = np.empty(n + 1, dtype=np.int32)
    total = 0
    for i in range(n):
        offsets[i] = total
        if starts[i] >= 0:
            total += ends[i] - starts[i]
    offsets[n] = total
    data = np.empty(total, dtype=np.uint8)
    for i in range(n):
        s = starts[i]
        if s >= 0:
            data[offsets[i] : offsets[i + 1]] = buffer[s : ends[i]]
    return offsets, data


_DAYS_BEFORE_MONTH = np.array([0, 31, 59, 90, 120, 151, 181, 212, 243, 273, 304, 334], np.int64)
_MONTH_DAYS = np.array([31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31], np.int64)
_TIME_MARKS = np.frombuffer(b"--T::.Z", dtype=np.uint8)
_TIME_MARK_AT = np.array([4, 7, 10, 13, 16, 19, 23], np.int64)
_POWERS_OF_TEN = np.array([10.0**k for k in range(16)])  # each exact in a float
_NS = 1_000_000_000


@numba.njit(**_JIT)
def _number(buffer, start, size):  # type: ignore[no-untyped-def]
    """The decimal digits at ``start`` as a number; -1 if one is not a digit."""
    value = 0
    for i in range(start, start + size):
        d = buffer[i] - 48
        if d < 0 or d > 9:
            return -1
        value = value * 10 + d
    return value


@numba.njit(**_JIT)
def _utc_nanoseconds(buffer, starts, ends):  # type: ignore[no-untyped-def]
    """Times written ``2018-02-02T22:25:27.521Z`` (years 1900-2199, real dates) as nanoseconds
    since 1970 UTC, and whether every value (nulls aside) was written so."""
    out = np.zeros(starts.shape[0], dtype=np.int64)
    for i in range(starts.shape[0]):
        s = starts[i]
        if s < 0:
            continue
        if ends[i] - s != 24:
            return out, False
        for m in range(7):
            if buffer[s + _TIME_MARK_AT[m]] != _TIME_MARKS[m]:
                return out, False
        year = _number(buffer, s, 4)
        month = _number(buffer, s + 5, 2)
        day = _number(buffer, s + 8, 2)
        hour = _number(buffer, s + 11, 2)
        minute = _number(buffer, s + 14, 2)
        second = _number(buffer, s + 17, 2)
        milli = _number(buffer, s + 20, 3)
        if year < 1900 or year > 2199 or month < 1 or month > 12 or day < 1:
            return out, False
        if hour < 0 or hour > 23 or minute < 0 or minute > 59 or second < 0 or second > 59:
            return out, False
        if milli < 0:
            return out, False
        leap = year % 4 == 0 and (year % 100 != 0 or year % 400 == 0)
        if day > _MONTH_DAYS[month - 1] + (1 if leap and month == 2 else 0):
            return out, False
        # days from 1970-01-01 (proleptic Gregorian, as in "days from civil")
        y = year - 1
        days = 365 * y + y // 4 - y // 100 + y // 400 - 719162
        days += _DAYS_BEFORE_MONTH[month - 1] + (1 if leap and month > 2 else 0) + day - 1
        seconds = days * 86400 + hour * 3600 + minute * 60 + second
        out[i] = seconds * _NS + milli * 1_000_000
    return out, True


@numba.njit(**_JIT)
def _plain_decimals(buffer, starts, ends):  # type: ignore[no-untyped-def]
    """Amounts written as digits with an optional fraction, 15 digits at most in all, as the
    nearest float (exact digits over an exact power of ten: one rounding, as any parser), and
    whether every value (nulls aside) was written so."""
    out = np.zeros(starts.shape[0], dtype=np.float64)
    for i in range(starts.shape[0]):
        s = starts[i]
        if s < 0:
            continue
        e = ends[i]
        digits = 0
        places = -1
        mantissa = 0
        for j in range(s, e):
            c = buffer[j]
            if c == 46 and places < 0 and digits > 0 and j < e - 1:
                places = 0
                continue
            d = c - 48
            if d < 0 or d > 9:
                return out, False
            mantissa = mantissa * 10 + d
            digits += 1
            if places >= 0:
                places += 1
        if digits == 0 or digits > 15:
            return out, False
        out[i] = mantissa / _POWERS_OF_TEN[max(places, 0)]
    return out, True


@numba.njit(**_JIT)
def _blank(buffer, i, end):  # type: ignore[no-untyped-def]
    while i < end:
        c = buffer[i]
        if c != 32 and c != 10 and c != 13 and c != 9:
            return i
        i += 1
    return i


@numba.njit(**_JIT)
def _string_end(buffer, i, end):  # type: ignore[no-untyped-def]
    """The closing quote of the string opening at ``i``; -1 when it holds an escape, a
    control character, or does not end."""
    i += 1
    while i < end:
        c = buffer[i]
        if c == _QUOTE:
            return i
        if c == _BACKSLASH or c < 32:
            return -1
        i += 1
    return -1


@numba.njit(**_JIT)
def _literal(buffer, i, end, word):  # type: ignore[no-untyped-def]
    """Index after the literal ``word`` (true, false, null) at ``i``; -1 if it is not there."""
    n = word.shape[0]
    if i + n > end:
        return -1
    for k in range(n):
        if buffer[i + k] != word[k]:
            return -1
    return i + n


_TRUE = np.frombuffer(b"true", dtype=np.uint8)
_FALSE = np.frombuffer(b"false", dtype=np.uint8)
_NULL = np.frombuffer(b"null", dtype=np.uint8)


@numba.njit(**_JIT)
def _digits(buffer, i, end):  # type: ignore[no-untyped-def]
    while i < end and 48 <= buffer[i] <= 57:
        i += 1
    return i


@numba.njit(**_JIT)
def _number_end(buffer, i, end):  # type: ignore[no-untyped-def]
    """Index after the JSON number at ``i``; -1 if there is none."""
    if i < end and buffer[i] == 45:  # -
        i += 1
    if i >= end:
        return -1
    if buffer[i] == 48:  # a leading 0 stands alone
        i += 1
    elif 49 <= buffer[i] <= 57:
        i = _digits(buffer, i, end)
    else:
        return -1
    if i < end and buffer[i] == 46:  # .
        j = _digits(buffer, i + 1, end)
        if j == i + 1:
            return -1
        i = j
    if i < end and (buffer[i] == 101 or buffer[i] == 69):  # e E
        i += 1
        if i < end and (buffer[i] == 43 or buffer[i] == 45):
            i += 1
        j = _digits(buffer, i, end)
        if j == i:
            return -1
        i = j
    return i


@numba.njit(**_JIT)
def _scalar_end(buffer, i, end):  # type: ignore[no-untyped-def]
    """Index after the string, number or literal at ``i``; -1 if there is none."""
    c = buffer[i]
    if c == _QUOTE:
        j = _string_end(buffer, i, end)
        return -1 if j < 0 else j + 1
    if c == 116:
        return _literal(buffer, i, end, _TRUE)
    if c == 102:
        return _literal(buffer, i, end, _FALSE)
    if c == 110:
        return _literal(buffer, i, end, _NULL)
    return _number_end(buffer, i, end)


@numba.njit(**_JIT)
def _value_end(buffer, i, end, stack):  # type: ignore[no-untyped-def]
    """Index after the JSON value at ``i`` (checked, not kept); -1 if it is not JSON, -2 if it
    nests deeper than the stack."""
    depth = 0
    while True:
        # a value starts at i
        if i >= end:
            return -1
        c = buffer[i]
        if c == _OPEN_OBJECT or c == _OPEN_LIST:
            i = _blank(buffer, i + 1, end)
            if i < end and buffer[i] == (_CLOSE_OBJECT if c == _OPEN_OBJECT else _CLOSE_LIST):
                i += 1
            else:
                if depth == stack.shape[0]:
                    return -2
                stack[depth] = c
                depth += 1
                if c == _OPEN_OBJECT:
                    i = _key_then_value(buffer, i, end)
                    if i < 0:
                        return -1
                continue
        else:
            i = _scalar_end(buffer, i, end)
            if i < 0:
                return -1
        # a value ended at i: close what it ends, or go on to the next one
        while True:
            if depth == 0:
                return i
            i = _blank(buffer, i, end)
            if i >= end:
                return -1
            c = buffer[i]
            top = stack[depth - 1]
            if c == _COMMA:
                i = _blank(buffer, i + 1, end)
                if top == _OPEN_OBJECT:
                    i = _key_then_value(buffer, i, end)
                    if i < 0:
                        return -1
                break
            if (c == _CLOSE_OBJECT and top == _OPEN_OBJECT) or (
                c == _CLOSE_LIST and top == _OPEN_LIST
            ):
                depth -= 1
                i += 1
                continue
            return -1


@numba.njit(**_JIT)
def _key_then_value(buffer, i, end):  # type: ignore[no-untyped-def]
    """From a key at ``i`` to where its value starts; -1 if there is no ``"key":``."""
    if i >= end or buffer[i] != _QUOTE:
        return -1
    j = _string_end(buffer, i, end)
    if j < 0:
        return -1
    j = _blank(buffer, j + 1, end)
    if j >= end or buffer[j] != _COLON:
        return -1
    return _blank(buffer, j + 1, end)


@numba.njit(**_JIT)
def _match(buffer, start, stop, names, offsets, first, last, hint):  # type: ignore[no-untyped-def]
    """The number of the key ``buffer[start:stop]`` among keys ``first..last-1`` (``hint``
    first), or -1."""
    size = stop - start
    k = hint
    for _ in range(last - first):
        if k >= last:
            k = first
        o = offsets[k]
        if offsets[k + 1] - o == size:
            same = True
            for m in range(size):
                if names[o + m] != buffer[start + m]:
                    same = False
                    break
            if same:
                return k
        k += 1
    return -1


# The step after each item (a comma, or the end of its list or object) is written out at each
# level of _scan: one helper returning (state, index) for all of them made the frame path
# about 10% slower (bench/scanner.py, four runs each way).
@numba.njit(**_JIT)
def _scan(  # type: ignore[no-untyped-def]
    buffer, page_ends, names, offsets, kinds, slots, top_count,
    text_spans, flags, list_count, item_spans,
    extra, extra_names, counts, stack,
):  # fmt: skip
    sim = 0
    rows = 0
    extra_count = 0
    page_start = 0
    for p in range(page_ends.shape[0]):
        end = page_ends[p]
        i = _blank(buffer, page_start, end)
        if i >= end or buffer[i] != _OPEN_OBJECT:
            return NOT_THIS_FORM
        i = _blank(buffer, i + 1, end)
        seen_data = False
        closed = i < end and buffer[i] == _CLOSE_OBJECT
        if closed:
            i += 1
        while not closed:
            # a page key
            if i >= end or buffer[i] != _QUOTE:
                return NOT_JSON
            j = _string_end(buffer, i, end)
            if j < 0:
                return NOT_THIS_FORM
            is_data = j - i == 5 and (
                buffer[i + 1] == 100
                and buffer[i + 2] == 97
                and buffer[i + 3] == 116
                and buffer[i + 4] == 97
            )
            i = _blank(buffer, j + 1, end)
            if i >= end or buffer[i] != _COLON:
                return NOT_JSON
            i = _blank(buffer, i + 1, end)
            if not is_data:
                i = _value_end(buffer, i, end, stack)
                if i == -2:
                    return TOO_DEEP
                if i < 0:
                    return NOT_THIS_FORM
            else:
                if seen_data or i >= end or buffer[i] != _OPEN_LIST:
                    return NOT_THIS_FORM
                seen_data = True
                i = _blank(buffer, i + 1, end)
                more = not (i < end and buffer[i] == _CLOSE_LIST)
                if not more:
                    i += 1
                while more:
                    # a SIM
                    if i >= end or buffer[i] != _OPEN_OBJECT:
                        return NOT_THIS_FORM
                    if sim >= flags.shape[1]:
                        return NO_ROOM
                    for slot in range(text_spans.shape[1]):
                        text_spans[0, slot, sim] = -1
                    for slot in range(flags.shape[0]):
                        flags[slot, sim] = -1
                    for slot in range(list_count.shape[0]):
                        list_count[slot, sim] = -1
                    seen = np.int64(0)
                    i = _blank(buffer, i + 1, end)
                    ends_here = i < end and buffer[i] == _CLOSE_OBJECT
                    if ends_here:
                        i += 1
                    hint = 0
                    while not ends_here:
                        if i >= end or buffer[i] != _QUOTE:
                            return NOT_JSON
                        j = _string_end(buffer, i, end)
                        if j < 0:
                            return NOT_THIS_FORM
                        key_start, key_stop = i + 1, j
                        k = _match(buffer, key_start, key_stop, names, offsets, 0, top_count, hint)
                        i = _blank(buffer, j + 1, end)
                        if i >= end or buffer[i] != _COLON:
                            return NOT_JSON
                        i = _blank(buffer, i + 1, end)
                        if i >= end:
                            return NOT_JSON
                        if k >= 0:
                            hint = k + 1
                            bit = np.int64(1) << k
                            if seen & bit:
                                return NOT_THIS_FORM  # a key given twice
                            seen |= bit
                            kind = kinds[k]
                            slot = slots[k]
                            c = buffer[i]
                            if c == 110:  # null, whatever the kind
                                i = _literal(buffer, i, end, _NULL)
                                if i < 0:
                                    return NOT_JSON
                            elif kind == TEXT:
                                if c != _QUOTE:
                                    return NOT_THIS_FORM
                                j = _string_end(buffer, i, end)
                                if j < 0:
                                    return NOT_THIS_FORM
                                text_spans[0, slot, sim] = i + 1
                                text_spans[1, slot, sim] = j
                                i = j + 1
                            elif kind == FLAG:
                                if c == 116:
                                    i = _literal(buffer, i, end, _TRUE)
                                    flags[slot, sim] = 1
                                elif c == 102:
                                    i = _literal(buffer, i, end, _FALSE)
                                    flags[slot, sim] = 0
                                else:
                                    return NOT_THIS_FORM
                                if i < 0:
                                    return NOT_JSON
                            elif kind == LIST:
                                if c != _OPEN_LIST:
                                    return NOT_THIS_FORM
                                items = counts[3 + slot]
                                count = 0
                                i = _blank(buffer, i + 1, end)
                                if i < end and buffer[i] == _CLOSE_LIST:
                                    i += 1
                                else:
                                    while True:
                                        if i >= end or buffer[i] != _QUOTE:
                                            return NOT_THIS_FORM
                                        j = _string_end(buffer, i, end)
                                        if j < 0:
                                            return NOT_THIS_FORM
                                        if items >= item_spans.shape[2]:
                                            return NO_ROOM
                                        item_spans[0, slot, items] = i + 1
                                        item_spans[1, slot, items] = j
                                        items += 1
                                        count += 1
                                        i = _blank(buffer, j + 1, end)
                                        if i < end and buffer[i] == _COMMA:
                                            i = _blank(buffer, i + 1, end)
                                            continue
                                        if i < end and buffer[i] == _CLOSE_LIST:
                                            i += 1
                                            break
                                        return NOT_JSON
                                list_count[slot, sim] = count
                                counts[3 + slot] = items
                            else:  # an object of text values
                                if c != _OPEN_OBJECT:
                                    return NOT_THIS_FORM
                                first_sub = slot
                                last_sub = slot + kinds[slot]
                                sub_seen = np.int64(0)
                                i = _blank(buffer, i + 1, end)
                                if i < end and buffer[i] == _CLOSE_OBJECT:
                                    i += 1
                                else:
                                    sub_hint = first_sub
                                    while True:
                                        if i >= end or buffer[i] != _QUOTE:
                                            return NOT_JSON
                                        j = _string_end(buffer, i, end)
                                        if j < 0:
                                            return NOT_THIS_FORM
                                        s = _match(
                                            buffer, i + 1, j, names, offsets,
                                            first_sub, last_sub, sub_hint,
                                        )  # fmt: skip
                                        if s < 0:
                                            return NOT_THIS_FORM  # a key the object lacks
                                        sub_hint = s + 1
                                        sub_bit = np.int64(1) << (s - first_sub)
                                        if sub_seen & sub_bit:
                                            return NOT_THIS_FORM
                                        sub_seen |= sub_bit
                                        i = _blank(buffer, j + 1, end)
                                        if i >= end or buffer[i] != _COLON:
                                            return NOT_JSON
                                        i = _blank(buffer, i + 1, end)
                                        if i >= end:
                                            return NOT_JSON
                                        if buffer[i] == _QUOTE:
                                            j = _string_end(buffer, i, end)
                                            if j < 0:
                                                return NOT_THIS_FORM
                                            text_spans[0, slots[s], sim] = i + 1
                                            text_spans[1, slots[s], sim] = j
                                            i = j + 1
                                        elif buffer[i] == 110:
                                            i = _literal(buffer, i, end, _NULL)
                                            if i < 0:
                                                return NOT_JSON
                                        else:
                                            return NOT_THIS_FORM
                                        i = _blank(buffer, i, end)
                                        if i < end and buffer[i] == _COMMA:
                                            i = _blank(buffer, i + 1, end)
                                            continue
                                        if i < end and buffer[i] == _CLOSE_OBJECT:
                                            i += 1
                                            break
                                        return NOT_JSON
                        else:  # a field the scanner does not know: its span, and its name
                            value_start = i
                            i = _value_end(buffer, i, end, stack)
                            if i == -2:
                                return TOO_DEEP
                            if i < 0:
                                return NOT_THIS_FORM
                            name = -1
                            for e in range(extra_count):
                                a, b = extra_names[0, e], extra_names[1, e]
                                if b - a == key_stop - key_start:
                                    same = True
                                    for m in range(b - a):
                                        if buffer[a + m] != buffer[key_start + m]:
                                            same = False
                                            break
                                    if same:
                                        name = e
                                        break
                            if name < 0:
                                if extra_count >= extra_names.shape[1]:
                                    return NOT_THIS_FORM
                                name = extra_count
                                extra_names[0, name] = key_start
                                extra_names[1, name] = key_stop
                                extra_count += 1
                            if rows >= extra.shape[1]:
                                return NO_ROOM
                            extra[0, rows] = sim
                            extra[1, rows] = name
                            extra[2, rows] = value_start
                            extra[3, rows] = i
                            rows += 1
                        # after a SIM's value: the next key or the SIM's end
                        i = _blank(buffer, i, end)
                        if i < end and buffer[i] == _COMMA:
                            i = _blank(buffer, i + 1, end)
                            continue
                        if i < end and buffer[i] == _CLOSE_OBJECT:
                            i += 1
                            break
                        return NOT_JSON
                    sim += 1
                    # after a SIM: the next one or the list's end
                    i = _blank(buffer, i, end)
                    if i < end and buffer[i] == _COMMA:
                        i = _blank(buffer, i + 1, end)
                        continue
                    if i < end and buffer[i] == _CLOSE_LIST:
                        i += 1
                        break
                    return NOT_JSON
            # after a page value: the next key or the page's end
            i = _blank(buffer, i, end)
            if i < end and buffer[i] == _COMMA:
                i = _blank(buffer, i + 1, end)
                continue
            if i < end and buffer[i] == _CLOSE_OBJECT:
                i += 1
                closed = True
                break
            return NOT_JSON
        if _blank(buffer, i, end) != end or not seen_data:
            return NOT_THIS_FORM
        page_start = end
    counts[0] = sim
    counts[1] = rows
    counts[2] = extra_count
    return OK
