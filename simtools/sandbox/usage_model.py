"""Each fleet SIM's usage profile: kind, baseline, growth, network, idle spells, trips, anomalies.

Nothing here draws a record: it fixes, per SIM and from its own seed, the few numbers that the
session generator (:mod:`simtools.sandbox.sessions`) turns into records on demand. Built once, the
first time usage is asked for, in a fraction of a second for 100,000 SIMs.

History covers 13 calendar months (UTC): the current billing period up to the moment the fleet was
built, and the 12 months before it. A SIM's records start the day after its ``created_at``, so
SIMs created during the year start mid-way. A SIM that has consumed nothing this period is either
*never connected* (no record at all) or *idle* (records until its ``idle_since`` day, none after,
so none in the period). A SIM that has consumed something has records in the period that add up to
its ``current_billing_period_consumed_data``; its earlier months follow the same daily baseline,
scaled back by its growth over the year, so a fleet-wide daily plot runs on smoothly across the 1st.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime
from functools import cached_property

import numpy as np
import numpy.typing as npt

from simtools.sandbox.kinds import (
    HOUR_CDF,
    IDLE_MB_PER_DAY,
    KINDS,
    ROAM_SHARE,
    UPLINK_SHARE,
    VOLUME,
    kind_of,
)
from simtools.sandbox.networks import FAR_AWAY, HOME, NEIGHBOURS, NETWORKS, ROAMING_EU
from simtools.sandbox.records import SimRecord
from simtools.sandbox.synthetic import month_start

__all__ = ["DAY_MS", "Anomaly", "UsageModel", "day_of", "mix64", "unit"]

DAY_MS = 86_400_000
U64 = npt.NDArray[np.uint64]
I64 = npt.NDArray[np.int64]
F64 = npt.NDArray[np.float64]
#: The elapsed current period counts as at least this many typical days when a SIM's baseline is
#: derived from what it consumed: early in the month a few hours of use would otherwise stand for
#: a whole day and blow the history up.
_MIN_ELAPSED_DAYS = 2.0
_GOLDEN = np.uint64(0x9E3779B97F4A7C15)
_M1 = np.uint64(0xBF58476D1CE4E5B9)
_M2 = np.uint64(0x94D049BB133111EB)


def mix64(x: U64) -> U64:
    """SplitMix64's finaliser over an array: a cheap, well-spread hash of each element."""
    z = x + _GOLDEN
    z = (z ^ (z >> np.uint64(30))) * _M1
    z = (z ^ (z >> np.uint64(27))) * _M2
    return z ^ (z >> np.uint64(31))


def unit(h: U64) -> F64:
    """Uniform numbers in [0, 1) from hashes (their top 53 bits)."""
    return (h >> np.uint64(11)).astype(np.float64) * 2.0**-53


def _draw(seeds: U64, salt: int) -> F64:
    return unit(mix64(seeds ^ np.uint64(salt)))


def day_of(ms: int) -> int:
    return ms // DAY_MS


@dataclass(frozen=True)
class Anomaly:
    """An injected anomaly an analysis should find: which SIM, which days (inclusive), where."""

    kind: str
    sim_card_id: str
    first_day: date
    last_day: date
    mcc: str
    mnc: str
    country: str
    operator: str
    #: How many times its usual daily volume the SIM uses on those days (about).
    volume_factor: float


class UsageModel:
    """Per-SIM usage parameters as arrays (index = position in the fleet as built)."""

    def __init__(
        self,
        fleet_sims: Sequence[tuple[SimRecord, tuple[str, str] | None]],
        now: float,
        *,
        tags: Sequence[Sequence[str]],
        statuses: Sequence[str],
    ):
        """``tags`` and ``statuses`` are the SIMs' as the fleet was built (they may change
        since, but history does not)."""
        self.tags = tags
        self.statuses = statuses
        self.now_ms = int(now * 1000)
        self.build_day = day_of(self.now_ms)
        self.period_ms = int(month_start(now) * 1000)
        self.period_day = day_of(self.period_ms)
        start = datetime.fromtimestamp(self.period_ms / 1000, tz=UTC)
        year_before = start.replace(year=start.year - 1)
        self.history_ms = int(year_before.timestamp() * 1000)
        self.history_day = day_of(self.history_ms)
        self._identities(fleet_sims)
        self._parameters(fleet_sims)
        self._idle_and_never()
        self._baselines()
        episodes: list[F64] = []
        self.anomalies = self._anomalies(episodes)
        self._trips(episodes)
        self._store_episodes(episodes)

    def __len__(self) -> int:
        return len(self.ids)

    def _identities(self, fleet_sims: Sequence[tuple[SimRecord, tuple[str, str] | None]]) -> None:
        self.sims = [sim for sim, _ in fleet_sims]
        self.labels = [label for _, label in fleet_sims]
        self.ids = [sim.id for sim in self.sims]

    @cached_property
    def index_of(self) -> dict[str, int]:
        """Fleet position of each SIM id."""
        return {sim_id: i for i, sim_id in enumerate(self.ids)}

    @cached_property
    def group_labels(self) -> list[tuple[str, str]]:
        """The distinct (group id, name) labels, sorted; :attr:`group` indexes into it."""
        return sorted({label for label in self.labels if label is not None})

    @cached_property
    def group(self) -> I64:
        """Index of each SIM's group label in :attr:`group_labels`, -1 without a group."""
        code = {label: i for i, label in enumerate(self.group_labels)}
        return np.array([code.get(label, -1) if label else -1 for label in self.labels], np.int64)

    def _parameters(self, fleet_sims: Sequence[tuple[SimRecord, tuple[str, str] | None]]) -> None:
        n = len(fleet_sims)
        sims = self.sims
        self.seed = np.fromiter((s.detail_seed for s in sims), np.uint64, n) ^ np.uint64(0x5EED)
        # Keys are strings, not tuples: strings are not tracked by the garbage collector, and
        # 100,000 new tuples would set off a full collection over the whole fleet (half a second).
        keys = [
            ",".join(tags) + "|" + (label[1] if label else "")
            for tags, label in zip(self.tags, self.labels, strict=True)
        ]
        memo = {key: _kind_of_key(key) for key in set(keys)}
        self.kind = np.fromiter((memo[key] for key in keys), np.int64, n)
        self.consumed = np.fromiter((s.consumed_mb for s in sims), np.float64, n)
        created = np.fromiter((s.created for s in sims), np.float64, n)
        self.first = np.maximum((created // 86_400).astype(np.int64) + 1, self.history_day)
        self.last = np.full(n, self.build_day + 1, dtype=np.int64)
        self.mult = 1 + (_draw(self.seed, 1) < 0.2).astype(np.int64)
        self.home = np.array(HOME, dtype=np.int64)[
            np.searchsorted([0.6, 0.9], _draw(self.seed, 2), side="right")
        ]
        self.growth = 0.1 + 0.5 * _draw(self.seed, 3)
        spread = (_draw(self.seed, 4) - 0.5) * 0.2
        self.upshare = np.clip(UPLINK_SHARE[self.kind] + spread, 0.03, 0.97)
        self.eu = np.fromiter(("eu" in tags for tags in self.tags), bool, n)
        self.registering = np.fromiter((s == "registering" for s in self.statuses), bool, n)

    def _idle_and_never(self) -> None:
        zero = self.consumed <= 0.0
        registering = self.registering
        idle_since = self.period_day - 5 - np.floor(_draw(self.seed, 5) * 110).astype(np.int64)
        too_short = idle_since < self.first + 7
        self.never = zero & ((_draw(self.seed, 6) < 0.45) | registering | too_short)
        self.idle = zero & ~self.never
        self.last = np.where(self.idle, idle_since, self.last)
        # A SIM that never connected has an empty span.
        self.first = np.where(self.never, self.last, self.first)

    def growth_factor(self, sims: I64, day: I64 | int) -> F64:
        """Volume relative to today's of the SIMs on ``day``: their growth over the year."""
        return np.exp(self.growth[sims] * ((np.asarray(day) - self.build_day) / 365.0))

    def _baselines(self) -> None:
        """MB per typical day: from the consumption this period, else (idle SIMs) by kind."""
        sims = np.arange(len(self), dtype=np.int64)
        expected = np.zeros(len(self))
        for day in range(self.period_day, self.build_day + 1):
            share = VOLUME[self.kind, (day + 3) % 7] * self.growth_factor(sims, day)
            if day == self.build_day:
                share = share * _day_fraction(self.kind, self.now_ms - day * DAY_MS)
            expected += share
        base = self.consumed / np.maximum(expected, _MIN_ELAPSED_DAYS)
        z = np.sqrt(-2.0 * np.log1p(-_draw(self.seed, 7))) * np.cos(2 * np.pi * _draw(self.seed, 8))
        idle_base = IDLE_MB_PER_DAY[self.kind] * np.exp(0.8 * z - 0.32)
        self.base = np.where(self.idle, idle_base, base)

    def _candidates(self, salt: int, preferred: tuple[str, ...]) -> I64:
        """SIMs fit for an anomaly (in use all year), the preferred kinds first, by a draw."""
        fit = (self.consumed > 0) & (self.first <= self.period_day - 150)
        order = np.argsort(_draw(self.seed, salt), kind="stable")
        order = order[fit[order]]
        wanted = np.isin(self.kind[order], [KINDS.index(k) for k in preferred])
        return np.concatenate([order[wanted], order[~wanted]])

    def _anomalies(self, episodes: list[F64]) -> list[Anomaly]:
        """A runaway device and a stolen SIM roaming abroad per 25,000 SIMs (at least one each),
        all before the current period so that its totals are untouched."""
        found: list[Anomaly] = []
        count = max(1, len(self) // 25_000)
        taken: set[int] = set()
        for kind, salt, preferred in (
            ("runaway", 11, ("meter", "tracker", "sensor")),
            ("stolen", 12, ("pos", "vehicle")),
        ):
            ranked = self._candidates(salt, preferred)
            chosen = [int(i) for i in ranked[: count + len(taken)] if int(i) not in taken]
            for sim in chosen[:count]:
                taken.add(sim)
                found.append(self._anomaly(kind, sim, episodes))
        self._anomalous = taken
        return found

    def _anomaly(self, kind: str, sim: int, episodes: list[F64]) -> Anomaly:
        draw = float(_draw(self.seed[sim : sim + 1], 13)[0])
        if kind == "runaway":
            # Reconnect loop: ten times the sessions, each a dozen times the data.
            start, length, net, smult, vmult, up = 40 + int(draw * 60), 5, -1, 10, 12.0, 0.9
        else:
            # The SIM is out of its device and in a phone abroad: streaming, downlink-heavy.
            net = FAR_AWAY[int(draw * len(FAR_AWAY))]
            start, length, smult, vmult, up = 30 + int(draw * 90), 9, 3, 40.0, 0.08
        d0 = max(self.period_day - start, int(self.first[sim]) + 1)
        d1 = min(d0 + length, self.period_day)
        episodes.append(np.array([[sim, d0, d1, net, smult, vmult, up]], dtype=np.float64))
        network = NETWORKS[int(self.home[sim]) if net < 0 else net]
        return Anomaly(
            kind=kind,
            sim_card_id=self.ids[sim],
            first_day=_date(d0),
            last_day=_date(d1 - 1),
            mcc=network.mcc,
            mnc=network.mnc,
            country=network.country,
            operator=network.operator,
            volume_factor=smult * vmult,
        )

    def _trips(self, episodes: list[F64]) -> None:
        """Trips abroad of the travelling SIMs: up to two, one in each half of their span."""
        share = np.where(self.eu, 0.3, ROAM_SHARE[self.kind])
        roams = (_draw(self.seed, 20) < share) & ~self.never
        roams[list(self._anomalous)] = False
        sims = np.flatnonzero(roams)
        lo, hi = self.first[sims], self.last[sims]
        middle = (lo + hi) // 2
        for half, (a, b) in enumerate(((lo, middle), (middle, hi))):
            u = _draw(self.seed[sims], 21 + half * 7)
            length = 2 + (u * 11).astype(np.int64)
            fits = b - a > length + 1
            start = a + (((u * 7919) % 1.0) * (b - a - length)).astype(np.int64)
            pick = (u * 104729) % 1.0
            nets = self._destinations(sims, pick)
            count = int(fits.sum())
            ones, unset = np.ones(count), np.full(count, -1.0)
            columns = (
                sims[fits],
                start[fits],
                (start + length)[fits],
                nets[fits],
                ones,
                ones,
                unset,
            )
            episodes.append(np.stack([c.astype(np.float64) for c in columns], axis=1))

    def _destinations(self, sims: I64, pick: F64) -> I64:
        """Where each trip goes: vehicles and trackers mostly to Canada or Mexico, the rest (and
        SIMs tagged eu) to Europe."""
        near_kind = np.isin(self.kind[sims], [KINDS.index("vehicle"), KINDS.index("tracker")])
        near = near_kind & ~self.eu[sims] & (pick < 0.7)
        slot = (pick * 7) % 1.0
        neighbours = np.array(NEIGHBOURS)[(slot * len(NEIGHBOURS)).astype(np.int64)]
        europe = np.array(ROAMING_EU)[(slot * len(ROAMING_EU)).astype(np.int64)]
        return np.where(near, neighbours, europe)

    def _store_episodes(self, episodes: list[F64]) -> None:
        table = np.concatenate([np.zeros((0, 7)), *episodes])
        table = table[np.lexsort((table[:, 1], table[:, 0]))]
        self.e_sim = table[:, 0].astype(np.int64)
        self.e_d0 = table[:, 1].astype(np.int64)
        self.e_d1 = table[:, 2].astype(np.int64)
        self.e_net = table[:, 3].astype(np.int64)
        self.e_smult = table[:, 4].astype(np.int64)
        self.e_vmult = table[:, 5]
        self.e_up = table[:, 6]
        self.e_key = self.e_sim * (1 << 20) + self.e_d0


def _kind_of_key(key: str) -> int:
    tags, _, group = key.rpartition("|")
    return kind_of(tags.split(","), group or None)


def _day_fraction(kinds: I64, ms_into_day: int) -> F64:
    """Share of a day's sessions (of each kind) that start in its first ``ms_into_day`` ms."""
    hours = ms_into_day / 3_600_000
    whole = min(int(hours), 23)
    before: F64 = HOUR_CDF[kinds, whole - 1] if whole > 0 else np.zeros(len(kinds))
    share: F64 = before + (hours - whole) * (HOUR_CDF[kinds, whole] - before)
    return share


def _date(day: int) -> date:
    return datetime.fromtimestamp(day * 86_400, tz=UTC).date()
