"""Which sessions a usage query selects, how many there are, and any page of them in sort order.

A :class:`Selection` is a set of SIMs, an optional set of networks and a time range; its count
comes from the closed formulas of :mod:`simtools.sandbox.sessions`, drawing only the days a time
bound cuts. A page in ``created_at`` order locates its days from the per-day counts and draws just
those days; a page sorted by a per-SIM field (``sim_card_id``, ``imsi``, ``phone_number``,
``sim_group_id``, ``sim_group_name``) or a network field (``mcc``, ``mnc``) first locates its
segments (SIMs or networks of equal value) from their counts, then pages inside them. A selection
of at most :data:`MATERIALISE_LIMIT` sessions is simply drawn whole and sorted by any fields.
A larger one sorted first by ``duration_seconds`` or ``id`` cannot be paged lazily: it is refused
(the real API's limits here are not published; narrowing the range or filtering lifts this one).
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable, Iterator
from dataclasses import dataclass, replace
from functools import cached_property

import numpy as np
import numpy.typing as npt

from simtools.sandbox.networks import NETWORKS
from simtools.sandbox.sessions import Batch, count_per_day, count_per_sim, draw, draw_range
from simtools.sandbox.usage_model import DAY_MS, UsageModel
from simtools.sandbox.wdr_ids import wdr_id

__all__ = ["MATERIALISE_LIMIT", "PER_SIM_FIELDS", "Selection", "SessionQueries", "TooBigToSort"]

I64 = npt.NDArray[np.int64]
#: Selections up to this many sessions are drawn whole and sorted in memory.
MATERIALISE_LIMIT = 100_000
PER_SIM_FIELDS = ("sim_card_id", "imsi", "phone_number", "sim_group_id", "sim_group_name")
NETWORK_FIELDS = ("mcc", "mnc")
Sort = tuple[tuple[str, bool], ...]


class TooBigToSort(Exception):
    """A selection too large to sort by the given field without drawing all of it."""

    def __init__(self, field: str, total: int) -> None:
        self.field = field
        self.total = total
        super().__init__(field, total)


@dataclass(frozen=True)
class Selection:
    """Sessions of ``sims`` (sorted fleet positions) on ``nets`` (None: any) from ``t0`` to
    ``t1`` ms (exclusive); ``one`` pins a single (day, ordinal). ``ident`` names the SIM and
    network choice for caching, independent of the time range."""

    sims: I64
    nets: frozenset[int] | None
    t0: int
    t1: int
    ident: tuple[object, ...]
    one: tuple[int, int] | None = None

    @property
    def empty(self) -> bool:
        return self.t0 >= self.t1 or not len(self.sims)

    def days(self) -> tuple[int, int]:
        """First and last day (inclusive) the range touches."""
        return self.t0 // DAY_MS, (self.t1 - 1) // DAY_MS


class SessionQueries:
    """Counting, ordering and paging over one fleet's :class:`UsageModel`, with small caches."""

    def __init__(self, model: UsageModel) -> None:
        self.model = model
        self.lock = threading.RLock()
        self._draws: OrderedDict[tuple[object, int], Batch] = OrderedDict()
        self._wholes: OrderedDict[tuple[object, ...], Batch] = OrderedDict()

    # -- drawing and counting ----------------------------------------------------------------

    def _day(self, sel: Selection, day: int) -> Batch:
        """The sessions of ``sel``'s SIMs and networks on ``day``, whatever its time range."""
        key = (sel.ident, day)
        batch = self._draws.get(key)
        if batch is None:
            batch = draw(self.model, sel.sims, day, day + 1, sel.nets)
            self._draws[key] = batch
            if len(self._draws) > 6:
                self._draws.popitem(last=False)
        return batch

    def _in_range(self, sel: Selection, batch: Batch) -> Batch:
        keep = (batch.t_ms >= sel.t0) & (batch.t_ms < sel.t1)
        if sel.one is not None:
            keep &= (batch.day == sel.one[0]) & (batch.ordinal == sel.one[1])
        return batch if keep.all() else batch.take(keep)

    def _cut(self, sel: Selection, day: int) -> bool:
        """Whether ``day`` is cut by the range or by the build moment (so must be drawn)."""
        start, end = day * DAY_MS, (day + 1) * DAY_MS
        return sel.t0 > start or sel.t1 < end or day >= self.model.build_day

    def _whole_days(self, sel: Selection) -> tuple[int, int]:
        first, last = sel.days()
        a = first + self._cut(sel, first)
        b = last + 1 - (last > first and self._cut(sel, last))
        return a, max(a, b)

    def per_day(self, sel: Selection) -> I64:
        """Sessions of ``sel`` on each day it touches, first to last."""
        if sel.empty:
            return np.zeros(0, dtype=np.int64)
        first, last = sel.days()
        if sel.one is not None:
            return np.array(
                [len(self._in_range(sel, self._day(sel, d))) for d in range(first, last + 1)]
            )
        a, b = self._whole_days(sel)
        counts = np.zeros(last - first + 1, dtype=np.int64)
        counts[a - first : b - first] = count_per_day(self.model, sel.sims, sel.nets, a, b)
        for day in {first, last} - set(range(a, b)):
            counts[day - first] = len(self._in_range(sel, self._day(sel, day)))
        return counts

    def per_sim(self, sel: Selection) -> I64:
        """Sessions of each of ``sel.sims`` in its range."""
        if sel.empty:
            return np.zeros(len(sel.sims), dtype=np.int64)
        first, last = sel.days()
        a, b = self._whole_days(sel)
        counts = count_per_sim(self.model, sel.sims, sel.nets, a, b)
        for day in {first, last} - set(range(a, b)):
            batch = self._in_range(sel, self._day(sel, day))
            counts += np.bincount(np.searchsorted(sel.sims, batch.sim), minlength=len(sel.sims))
        return counts

    def count(self, sel: Selection) -> int:
        return int(self.per_day(sel).sum())

    def drawn(self, sel: Selection, *, ordered: bool = True) -> Iterator[Batch]:
        """Every session of ``sel`` in day order, each batch sorted by time unless not
        ``ordered`` (sums need no order)."""
        first, last = sel.days()
        if sel.empty:
            return
        step_days = max(1, 400_000 // max(len(sel.sims), 1))
        for a in range(first, last + 1, step_days):
            b = min(a + step_days, last + 1)
            if b - a == 1:
                chunk = self._in_range(sel, self._day(sel, a))
            else:
                parts = draw_range(self.model, sel.sims, a, b, sel.nets)
                chunk = self._in_range(sel, Batch.concat(parts))
            yield (
                chunk.take(np.lexsort((chunk.ordinal, chunk.sim, chunk.t_ms))) if ordered else chunk
            )

    # -- ordering ----------------------------------------------------------------------------

    @cached_property
    def _sim_ranks(self) -> dict[str, I64]:
        """Rank of every SIM by each per-SIM field (a missing group sorts as the empty text)."""
        m = self.model
        labels = m.labels
        values: dict[str, Callable[[int], str]] = {
            "sim_card_id": lambda i: m.ids[i],
            "imsi": lambda i: str(m.sims[i].wire["imsi"]),
            "phone_number": lambda i: str(m.sims[i].wire["msisdn"]),
            "sim_group_id": lambda i: (labels[i] or ("", ""))[0],
            "sim_group_name": lambda i: (labels[i] or ("", ""))[1],
        }
        ranks = {}
        for field, value in values.items():
            texts = np.array([value(i) for i in range(len(m))], dtype=str)
            _, inverse = np.unique(texts, return_inverse=True)
            ranks[field] = inverse.astype(np.int64)
        return ranks

    def _key(self, batch: Batch, field: str) -> I64:
        if field == "created_at":
            return batch.t_ms
        if field == "duration_seconds":
            return batch.dur
        if field in NETWORK_FIELDS:
            _, rank = np.unique([getattr(n, field) for n in NETWORKS], return_inverse=True)
            return rank.astype(np.int64)[batch.net]
        if field == "id":
            seeds = self.model.seed
            ids = [
                wdr_id(int(s), int(d), int(o), int(seeds[s]))
                for s, d, o in zip(batch.sim, batch.day, batch.ordinal, strict=True)
            ]
            return np.unique(np.array(ids, dtype=str), return_inverse=True)[1].astype(np.int64)
        return self._sim_ranks[field][batch.sim]

    def _sorted(self, batch: Batch, sort: Sort) -> Batch:
        keys = [batch.ordinal, batch.sim, batch.t_ms]
        for field, descending in reversed(sort):
            key = self._key(batch, field)
            keys.append(-key if descending else key)
        return batch.take(np.lexsort(keys))

    def page(self, sel: Selection, sort: Sort, offset: int, limit: int) -> Iterator[Batch]:
        """The sessions at ``offset`` .. ``offset + limit`` of ``sel`` in ``sort`` order."""
        if limit <= 0 or offset < 0 or sel.empty:
            return iter(())
        total = self.count(sel)
        if offset >= total:
            return iter(())
        limit = min(limit, total - offset)
        field, descending = sort[0] if sort else ("created_at", False)
        if total <= MATERIALISE_LIMIT:
            return self._from_whole(sel, sort, offset, limit)
        _check_lazy(sort, total)
        if field == "created_at":
            return self._by_day(sel, sort, descending, offset, limit)
        if field in PER_SIM_FIELDS:
            return self._by_sim_segment(sel, sort, offset, limit)
        if field in NETWORK_FIELDS:
            return self._by_network(sel, sort, offset, limit)
        raise TooBigToSort(field, total)

    def _from_whole(self, sel: Selection, sort: Sort, offset: int, limit: int) -> Iterator[Batch]:
        key = (sel.ident, sel.t0, sel.t1, sel.one, sort)
        ordered = self._wholes.get(key)
        if ordered is None:
            ordered = self._sorted_whole(sel, sort)
            self._remember(key, ordered)
        yield ordered.take(np.arange(offset, offset + limit))

    def _sorted_whole(self, sel: Selection, sort: Sort) -> Batch:
        return self._sorted(Batch.concat(list(self.drawn(sel))), sort)

    def _by_day(
        self, sel: Selection, sort: Sort, descending: bool, offset: int, limit: int
    ) -> Iterator[Batch]:
        counts = self.per_day(sel)
        first, _ = sel.days()
        days = np.arange(first, first + len(counts))
        if descending:
            counts, days = counts[::-1], days[::-1]
        ends = np.cumsum(counts)
        i = int(np.searchsorted(ends, offset, side="right"))
        skip = offset - (int(ends[i - 1]) if i else 0)
        while limit > 0 and i < len(days):
            batch = self._day_sorted(sel, int(days[i]), sort)
            part = batch.take(np.arange(skip, min(len(batch), skip + limit)))
            limit -= len(part)
            skip, i = 0, i + 1
            yield part

    def _day_sorted(self, sel: Selection, day: int, sort: Sort) -> Batch:
        """One day of ``sel`` in ``sort`` order; kept, as the next page most likely wants it."""
        key = (sel.ident, sel.t0, sel.t1, sel.one, sort, day)
        batch = self._wholes.get(key)
        if batch is None:
            batch = self._sorted(self._in_range(sel, self._day(sel, day)), sort)
            self._remember(key, batch)
        return batch

    def _remember(self, key: tuple[object, ...], batch: Batch) -> None:
        self._wholes[key] = batch
        if len(self._wholes) > 8:
            self._wholes.popitem(last=False)

    def _segments(
        self, order: I64, counts: I64, offset: int, limit: int
    ) -> Iterator[tuple[int, int, int]]:
        """(segment, offset inside it, how many) for the segments a window covers."""
        ends = np.cumsum(counts[order])
        i = int(np.searchsorted(ends, offset, side="right"))
        skip = offset - (int(ends[i - 1]) if i else 0)
        while limit > 0 and i < len(order):
            take = min(int(counts[order[i]]) - skip, limit)
            if take > 0:
                yield int(order[i]), skip, take
                limit -= take
            skip, i = 0, i + 1

    def _by_sim_segment(
        self, sel: Selection, sort: Sort, offset: int, limit: int
    ) -> Iterator[Batch]:
        field, descending = sort[0]
        rank = self._sim_ranks[field][sel.sims]
        values, segment_of = np.unique(rank, return_inverse=True)
        counts = np.bincount(segment_of, self.per_sim(sel), len(values)).astype(np.int64)
        order = np.arange(len(values))[::-1] if descending else np.arange(len(values))
        for segment, skip, take in self._segments(order, counts, offset, limit):
            members = sel.sims[segment_of == segment]
            sub = replace(sel, sims=members, ident=(*sel.ident, field, int(values[segment])))
            yield from self.page(sub, sort[1:], skip, take)

    def _by_network(self, sel: Selection, sort: Sort, offset: int, limit: int) -> Iterator[Batch]:
        field, descending = sort[0]
        values = sorted({getattr(n, field) for n in NETWORKS}, reverse=descending)
        subs = []
        for value in values:
            nets = frozenset(i for i, n in enumerate(NETWORKS) if getattr(n, field) == value)
            nets = nets if sel.nets is None else nets & sel.nets
            subs.append(replace(sel, nets=nets, ident=(*sel.ident, field, value)))
        counts = np.array([self.count(sub) if sub.nets else 0 for sub in subs], dtype=np.int64)
        for segment, skip, take in self._segments(np.arange(len(subs)), counts, offset, limit):
            yield from self.page(subs[segment], sort[1:], skip, take)


def _check_lazy(sort: Sort, total: int) -> None:
    """Refuse, before any page is sent, a sort that a large selection cannot be paged by: after
    any per-SIM or network fields it must go on with ``created_at`` or stop."""
    for field, _ in sort:
        if field in PER_SIM_FIELDS or field in NETWORK_FIELDS:
            continue
        if field != "created_at":
            raise TooBigToSort(field, total)
        return
