"""Data sessions of the synthetic fleet, drawn on demand for any SIMs and days, and counted without
drawing them.

A session is named by (SIM, day, ordinal). How many sessions a SIM has on a day depends only on its
kind, its 1x/2x multiplier, the weekday and the episode (trip or anomaly) it is in, so the count of
any set of SIMs over any run of whole days is a closed formula (:func:`count_per_day`,
:func:`count_per_sim`); only days cut by a time bound are drawn to be counted. Everything else about
a session (start time, length, network, volume) is a hash of the SIM's seed, the day and the
ordinal, drawn vectorised by :func:`draw`: the same session always comes out the same, whichever
query asks for it.

Resolution: records are sessions (a few a day per SIM, up to a few hundred in a runaway), not
hourly buckets. Hourly records would be 24 a day for every SIM whatever it does, 3 million a year
for a 500-SIM fleet, and a month of the fleet could no longer be fetched in a notebook; sessions
keep the daily cycle in their start times and the record count meaningful (sessions per day).
"""

from __future__ import annotations

from dataclasses import dataclass, fields
from typing import Any

import numpy as np
import numpy.typing as npt

from simtools.sandbox.kinds import (
    DURATION,
    HOUR_CDF,
    SESSIONS,
    SESSIONS_BEFORE,
    SESSIONS_PER_WEEK,
    VOLUME,
)
from simtools.sandbox.usage_model import DAY_MS, UsageModel, mix64, unit

__all__ = ["Batch", "count_per_day", "count_per_sim", "draw", "draw_range"]

I64 = npt.NDArray[np.int64]
F64 = npt.NDArray[np.float64]
Nets = frozenset[int] | None
#: At most this many (SIM, day) pairs are drawn in one vectorised step.
_CHUNK_PAIRS = 400_000
_HOUR_MS = 3_600_000
_HOUR_TABLE = (HOUR_CDF + np.arange(len(HOUR_CDF))[:, None]).ravel()


@dataclass(frozen=True)
class Batch:
    """Sessions as parallel arrays."""

    sim: I64
    day: I64
    ordinal: I64
    t_ms: I64
    dur: I64
    net: I64
    unit: F64
    upfrac: F64

    def __len__(self) -> int:
        return len(self.sim)

    def take(self, index: npt.NDArray[np.int64] | npt.NDArray[np.bool_]) -> Batch:
        return Batch(*(getattr(self, f.name)[index] for f in fields(self)))

    @staticmethod
    def concat(batches: list[Batch]) -> Batch:
        if not batches:
            return _EMPTY
        if len(batches) == 1:
            return batches[0]
        columns: list[Any] = [
            np.concatenate([getattr(b, f.name) for b in batches]) for f in fields(Batch)
        ]
        return Batch(*columns)


_NONE = np.zeros(0, dtype=np.int64)
_EMPTY = Batch(_NONE, _NONE, _NONE, _NONE, _NONE, _NONE, np.zeros(0), np.zeros(0))


def _episode_of(model: UsageModel, sims: I64, days: I64) -> I64:
    """Index of the episode covering each (SIM, day), or -1."""
    if not len(model.e_key):
        return np.full(len(sims), -1, dtype=np.int64)
    j = np.searchsorted(model.e_key, sims * (1 << 20) + days, side="right") - 1
    jc = np.maximum(j, 0)
    inside = (j >= 0) & (model.e_sim[jc] == sims) & (days < model.e_d1[jc])
    return np.where(inside, j, -1)


def _pairs(model: UsageModel, sims: I64, d0: int, d1: int) -> tuple[I64, I64]:
    """The (SIM, day) pairs of days ``d0`` to ``d1`` (exclusive) on which each SIM is in use."""
    days = np.arange(d0, d1, dtype=np.int64)
    s = np.repeat(sims, len(days))
    d = np.tile(days, len(sims))
    on = (model.first[s] <= d) & (d < model.last[s])
    return s[on], d[on]


def draw(model: UsageModel, sims: I64, d0: int, d1: int, nets: Nets = None) -> Batch:
    """Every session of ``sims`` on days ``d0`` to ``d1`` (exclusive) that started before the
    fleet was built, on a network in ``nets`` (any when None). Unsorted."""
    s, d = _pairs(model, sims, d0, d1)
    e = _episode_of(model, s, d)
    has = e >= 0
    ec = np.maximum(e, 0)
    net = np.where(has & (model.e_net[ec] >= 0), model.e_net[ec], model.home[s])
    if nets is not None:
        keep = np.isin(net, list(nets))
        s, d, has, ec, net = s[keep], d[keep], has[keep], ec[keep], net[keep]
    k = model.kind[s]
    regular = SESSIONS[k, (d + 3) % 7] * model.mult[s]
    n = regular * np.where(has, model.e_smult[ec], 1)
    # On the period's first day, while it is still the day the fleet was built, a SIM that has
    # consumed something gets one session in the elapsed part, so the period is never empty.
    today = model.build_day == model.period_day
    extra = (d == model.period_day) & today & (model.consumed[s] > 0)
    n = n + extra
    pair_hash = mix64(model.seed[s] ^ mix64(d.astype(np.uint64) * _K_DAY))
    weight = _day_weight(model, s, d, k, pair_hash, has, ec) / regular
    up = np.where(has & (model.e_up[ec] >= 0), model.e_up[ec], model.upshare[s])
    owner = np.repeat(np.arange(len(s)), n)
    ordinal = np.arange(len(owner)) - np.repeat(np.cumsum(n) - n, n)
    s, d, k = s[owner], d[owner], k[owner]
    h = mix64(pair_hash[owner] ^ (ordinal.astype(np.uint64) * _K_ORDINAL))
    h1 = mix64(h ^ np.uint64(1))
    hour = np.minimum(np.searchsorted(_HOUR_TABLE, k + unit(h), side="right") - k * 24, 23)
    t = d * DAY_MS + hour * _HOUR_MS + _bits(h1, 0, 22, _HOUR_MS)
    is_extra = extra[owner] & (ordinal == n[owner] - 1)
    span = max(model.now_ms - model.period_ms, 1)
    t = np.where(is_extra, model.period_ms + (unit(h1) * span).astype(np.int64), t)
    low, high = DURATION[k, 0], DURATION[k, 1]
    dur = low + _bits(h1, 22, 16, 1) * (high - low) // 65536
    swing = np.exp(0.6 * _normal(mix64(h ^ np.uint64(2))) - 0.18)
    upfrac = np.clip(up[owner] + (_bits(h1, 38, 16, 1) / 65536 - 0.5) * 0.1, 0.01, 0.99)
    batch = Batch(s, d, ordinal, t, dur, net[owner], weight[owner] * swing, upfrac)
    before = t < model.now_ms
    return batch if before.all() else batch.take(before)


_K_DAY = np.uint64(0x2545F4914F6CDD1D)
_K_ORDINAL = np.uint64(0x9E6C63D0676A9A99)


def _bits(h: npt.NDArray[np.uint64], shift: int, width: int, scale: int) -> I64:
    """``width`` bits of ``h`` from bit ``shift``, scaled to ``0 .. scale * 2**width``, as ints:
    ``_bits(h, 0, 22, n)`` is uniform in ``0 .. n`` (exclusive) for any n up to 2**41."""
    field = ((h >> np.uint64(shift)) & np.uint64((1 << width) - 1)).astype(np.int64)
    return (field * scale) >> width if scale > 1 else field


def _day_weight(
    model: UsageModel,
    s: I64,
    d: I64,
    k: I64,
    pair_hash: npt.NDArray[np.uint64],
    has: npt.NDArray[np.bool_],
    ec: I64,
) -> F64:
    """A SIM-day's volume as a share of a typical day (1 at today's growth): weekday volume,
    growth over the year, a per-day swing and an episode's multiplier."""
    day_swing = np.exp(0.25 * _normal(mix64(pair_hash ^ np.uint64(5))) - 0.03125)
    vmult = np.where(has, model.e_vmult[ec], 1.0)
    growth = np.exp(model.growth[s] * ((d - model.build_day) / 365.0))
    return VOLUME[k, (d + 3) % 7] * growth * day_swing * vmult


def _normal(h: npt.NDArray[np.uint64]) -> F64:
    """Standard normal draws from hashes (Box-Muller over the two 32-bit halves)."""
    a = (h >> np.uint64(32)).astype(np.float64) * 2.0**-32
    b = (h & np.uint64(0xFFFFFFFF)).astype(np.float64) * 2.0**-32
    return np.sqrt(-2.0 * np.log1p(-a)) * np.cos(2.0 * np.pi * b)


def draw_range(model: UsageModel, sims: I64, d0: int, d1: int, nets: Nets = None) -> list[Batch]:
    """:func:`draw` over a long range in steps small enough to stay fast, day order kept."""
    step = max(1, _CHUNK_PAIRS // max(len(sims), 1))
    return [draw(model, sims, a, min(a + step, d1), nets) for a in range(d0, d1, step)]


def _included(model: UsageModel, sims: I64, nets: Nets) -> npt.NDArray[np.bool_]:
    """Which of ``sims`` count outside episodes: those whose home network is wanted."""
    if nets is None:
        return np.ones(len(sims), dtype=bool)
    return np.isin(model.home[sims], list(nets))


def _episode_days(
    model: UsageModel, sims: I64, nets: Nets, d0: int, d1: int
) -> tuple[I64, I64, I64]:
    """(SIM position in ``sims``, day, count correction) for every episode day of ``sims`` in
    ``d0``..``d1``: the episode's sessions if its network is wanted, less the regular ones the
    closed formula counted if the home network is."""
    position = np.full(len(model), -1, dtype=np.int64)
    position[sims] = np.arange(len(sims))
    mine = np.flatnonzero(position[model.e_sim] >= 0)
    sim = model.e_sim[mine]
    lo = np.maximum.reduce([model.e_d0[mine], np.full(len(mine), d0), model.first[sim]])
    hi = np.minimum.reduce([model.e_d1[mine], np.full(len(mine), d1), model.last[sim]])
    length = np.maximum(hi - lo, 0)
    e = np.repeat(mine, length)
    day = np.repeat(lo, length) + (
        np.arange(length.sum()) - np.repeat(np.cumsum(length) - length, length)
    )
    sim = model.e_sim[e]
    regular = SESSIONS[model.kind[sim], (day + 3) % 7] * model.mult[sim]
    net = np.where(model.e_net[e] >= 0, model.e_net[e], model.home[sim])
    wanted = np.ones(len(e), dtype=bool) if nets is None else np.isin(net, list(nets))
    home = _included(model, sim, nets)
    correction = wanted * regular * model.e_smult[e] - home * regular
    return position[sim], day, correction


def count_per_day(model: UsageModel, sims: I64, nets: Nets, d0: int, d1: int) -> I64:
    """Sessions of ``sims`` on each whole day ``d0``..``d1`` (exclusive), by formula. Days cut by
    the build moment must be drawn instead."""
    length = d1 - d0
    if length <= 0:
        return np.zeros(0, dtype=np.int64)
    chosen = sims[_included(model, sims, nets)]
    kinds = len(SESSIONS)
    lo = np.clip(model.first[chosen] - d0, 0, length)
    hi = np.clip(model.last[chosen] - d0, 0, length)
    steps = np.bincount(
        model.kind[chosen] * (length + 1) + lo, model.mult[chosen], kinds * (length + 1)
    )
    steps -= np.bincount(
        model.kind[chosen] * (length + 1) + hi, model.mult[chosen], kinds * (length + 1)
    )
    active = np.cumsum(steps.reshape(kinds, length + 1), axis=1)[:, :length]
    weekday = (np.arange(d0, d1) + 3) % 7
    counts: I64 = np.rint((SESSIONS[:, weekday] * active).sum(axis=0)).astype(np.int64)
    _, day, correction = _episode_days(model, sims, nets, d0, d1)
    np.add.at(counts, day - d0, correction)
    return counts


def _sessions_before(kinds: I64, day: I64) -> I64:
    """Sessions of one 1x SIM of each kind on the days before ``day`` (up to a constant)."""
    z = day + 3
    before: I64 = (z // 7) * SESSIONS_PER_WEEK[kinds] + SESSIONS_BEFORE[kinds, z % 7]
    return before


def count_per_sim(model: UsageModel, sims: I64, nets: Nets, d0: int, d1: int) -> I64:
    """Sessions of each of ``sims`` on the whole days ``d0``..``d1`` (exclusive), by formula."""
    lo = np.maximum(model.first[sims], d0)
    hi = np.maximum(np.minimum(model.last[sims], d1), lo)
    kinds = model.kind[sims]
    base = model.mult[sims] * (_sessions_before(kinds, hi) - _sessions_before(kinds, lo))
    counts = np.where(_included(model, sims, nets), base, 0)
    position, _, correction = _episode_days(model, sims, nets, d0, d1)
    np.add.at(counts, position, correction)
    return counts
