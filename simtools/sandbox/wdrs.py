"""Wireless detail records of the synthetic fleet: one per data session, 13 months of them.

Nothing is stored: :class:`WdrIndex` builds the fleet's usage profile on first use
(:mod:`simtools.sandbox.usage_model`) and draws the sessions a page needs
(:mod:`simtools.sandbox.usage_query`), the same every time. Amounts follow two rules:

* Before the current billing period (the calendar month, UTC, of the moment the fleet was built),
  a session's total is the SIM's baseline times its share of a typical day, rounded to 1e-6 MB.
* Inside the period, the SIM's sessions split its ``current_billing_period_consumed_data``
  in proportion to their shares; each part is rounded to 1e-6 MB and the largest absorbs the
  remainder (to 1e-9), so that

      sum(uplink_data.amount + downlink_data.amount  for records of the SIM
          with period_start <= created_at <= fleet build time)
        == amount * {KB: 1/1024, MB: 1, GB: 1024}[unit]   (MB, within 1e-6)

Every WDR amount is a number of MB (``unit`` is always ``"MB"``); uplink is rounded to 1e-6 and
downlink is the rest (to 1e-9). ``cost`` is ``rate`` times the total, rounded to 1e-6, in the
account's currency. ``start_date`` is inclusive and ``end_date`` exclusive. SIMs registered
through the API have no records, nor have SIMs never connected; idle SIMs have none since they fell
silent. SIMs that move group or leave keep their history and its group labels.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import cached_property
from typing import Any

import numpy as np
import numpy.typing as npt

from simtools.sandbox.networks import ACCOUNT_CURRENCY, NETWORKS
from simtools.sandbox.records import SimRecord
from simtools.sandbox.sessions import Batch, draw_range
from simtools.sandbox.usage_model import DAY_MS, Anomaly, UsageModel
from simtools.sandbox.usage_query import Selection, SessionQueries, TooBigToSort
from simtools.sandbox.wdr_ids import decode_wdr_id, wdr_id
from simtools.sandbox.wire import iso

__all__ = ["WDR_SORT_FIELDS", "Amounts", "TooBigToSort", "WdrIndex", "WdrQuery", "parse_instant"]

F64 = npt.NDArray[np.float64]
I64 = npt.NDArray[np.int64]
#: Fields ``sort`` accepts.
WDR_SORT_FIELDS = (
    "created_at",
    "duration_seconds",
    "id",
    "imsi",
    "mcc",
    "mnc",
    "phone_number",
    "sim_card_id",
    "sim_group_id",
    "sim_group_name",
)


def _contains(text: str, value: str) -> bool:
    return value in text


#: Operators of :attr:`WdrQuery.like`, each a test on text.
TEXT_TESTS: dict[str, Callable[[str, str], bool]] = {
    "eq": str.__eq__,
    "contains": _contains,
    "starts_with": str.startswith,
    "ends_with": str.endswith,
}
_RATES = np.array([float(n.rate) for n in NETWORKS])


def parse_instant(text: str) -> float | None:
    """An ISO 8601 date or date-time as an epoch timestamp (UTC when no offset), else None."""
    try:
        moment = datetime.fromisoformat(text.strip())
    except ValueError:
        return None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.timestamp()


@dataclass(frozen=True)
class WdrQuery:
    """What a usage query asks for; also the key of cached results."""

    start_ms: int | None = None
    end_ms: int | None = None
    #: Exact filters as (field, value) pairs.
    exact: tuple[tuple[str, str], ...] = ()
    #: Sort fields, ``-`` prefix for descending.
    sort: tuple[str, ...] = ("created_at",)
    #: Text tests as (field, operator of :data:`TEXT_TESTS`, value).
    like: tuple[tuple[str, str, str], ...] = ()


@dataclass(frozen=True)
class Amounts:
    """MB, cost and rate of each session of a batch, as the wire writes them."""

    total: F64
    uplink: F64
    downlink: F64
    cost: F64


def _period_part(consumed: F64, share: F64, period_sum: F64) -> F64:
    """A session's part of its SIM's period consumption, rounded as written (one expression, so
    that every path that computes it gets the same bits)."""
    return np.round(consumed * share / np.where(period_sum > 0, period_sum, 1.0), 6)


class WdrIndex:
    """The fleet's records, drawn on demand; ``fleet_sims`` pairs each SIM with its group label
    (id, name) when the fleet was built."""

    def __init__(self, fleet_sims: list[tuple[SimRecord, tuple[str, str] | None]], now: float):
        self._fleet = fleet_sims
        # Tags and status as built: a PATCH replaces the list and the status object, so keeping
        # the references is a snapshot that costs nothing.
        self._tags: list[list[str]] = [sim.wire["tags"] for sim, _ in fleet_sims]
        self._statuses = [sim.wire["status"]["value"] for sim, _ in fleet_sims]
        self._now = now
        self._lock = threading.RLock()

    @cached_property
    def _queries(self) -> SessionQueries:
        with self._lock:
            model = UsageModel(self._fleet, self._now, tags=self._tags, statuses=self._statuses)
            n = len(model)
            self._period_sum = np.full(n, np.nan)
            self._remainder = np.zeros(n)
            self._remainder_at = np.full((n, 2), -1, dtype=np.int64)
            return SessionQueries(model)

    @property
    def model(self) -> UsageModel:
        return self._queries.model

    def anomalies(self) -> list[Anomaly]:
        """The injected anomalies (runaway devices, stolen SIMs roaming abroad)."""
        return list(self.model.anomalies)

    # -- selecting ---------------------------------------------------------------------------

    @cached_property
    def _texts(self) -> dict[str, list[str]]:
        m = self.model
        return {
            "sim_card_id": m.ids,
            "imsi": [str(s.wire["imsi"]) for s in m.sims],
            "phone_number": [str(s.wire["msisdn"]) for s in m.sims],
            "sim_group_id": [label[0] if label else "" for label in m.labels],
            "sim_group_name": [label[1] if label else "" for label in m.labels],
            "sim_card_tags": [",".join(tags) for tags in self._tags],
        }

    @cached_property
    def _seeds(self) -> list[int]:
        return [int(s) for s in self.model.seed]

    def _network_test(self, field: str, op: str, value: str) -> frozenset[int]:
        test = TEXT_TESTS[op]
        return frozenset(i for i, n in enumerate(NETWORKS) if test(getattr(n, field), value))

    def select(self, query: WdrQuery) -> Selection:
        """The sessions ``query`` asks for."""
        m = self.model
        t0 = max(m.history_ms, query.start_ms if query.start_ms is not None else m.history_ms)
        t1 = min(m.now_ms, query.end_ms if query.end_ms is not None else m.now_ms)
        mask = np.ones(len(m), dtype=bool)
        nets: frozenset[int] | None = None
        one: tuple[int, int] | None = None
        tests = [(f, "eq", v) for f, v in query.exact] + list(query.like)
        for field, op, value in tests:
            if field in ("mcc", "mnc"):
                found = self._network_test(field, op, value)
                nets = found if nets is None else nets & found
            elif field == "id":
                decoded = decode_wdr_id(value, self._seeds)
                if decoded is None:
                    mask[:] = False
                    continue
                sim, day, ordinal = decoded
                keep = np.zeros(len(m), dtype=bool)
                keep[sim] = True
                mask &= keep
                t0, t1 = max(t0, day * DAY_MS), min(t1, (day + 1) * DAY_MS)
                one = (day, ordinal)
            else:
                test = TEXT_TESTS[op]
                texts = self._texts[field]
                mask &= np.array([test(t, value) for t in texts], dtype=np.bool_)
        if nets is not None:
            # Only SIMs at home on one of the networks, or travelling to one, can have sessions.
            reach = np.isin(m.home, list(nets))
            reach[m.e_sim[np.isin(m.e_net, list(nets))]] = True
            mask &= reach
        ident = (query.exact, query.like)
        return Selection(np.flatnonzero(mask), nets, t0, t1, ident, one)

    # -- reading -----------------------------------------------------------------------------

    def total(self, query: WdrQuery) -> int:
        with self._lock:
            return self._queries.count(self.select(query))

    def batches(self, query: WdrQuery, offset: int, limit: int) -> Iterator[Batch]:
        """The sessions of one page, in order; raises :class:`TooBigToSort` at once."""
        sort = tuple((f.lstrip("-"), f.startswith("-")) for f in query.sort)
        with self._lock:
            pages = self._queries.page(self.select(query), sort, offset, limit)
        return self._one_at_a_time(pages)

    def every(self, query: WdrQuery, *, ordered: bool = True) -> Iterator[Batch]:
        """Every session ``query`` selects, a day or so at a time: in ``created_at`` order, or
        just day by day when not ``ordered``."""
        with self._lock:
            chunks = self._queries.drawn(self.select(query), ordered=ordered)
        return self._one_at_a_time(chunks)

    def _one_at_a_time(self, batches: Iterator[Batch]) -> Iterator[Batch]:
        """``batches`` with the lock held while each is drawn, not in between (a long export
        must not hold off other requests)."""
        while True:
            with self._lock:
                batch = next(batches, None)
            if batch is None:
                return
            yield batch

    # -- amounts and records -----------------------------------------------------------------

    def _ensure_period(self, sims: I64) -> None:
        """Work out, for SIMs not seen yet, their share total over the period and which session
        absorbs the rounding remainder."""
        m = self.model
        missing = sims[np.isnan(self._period_sum[sims])]
        if not len(missing):
            return
        batch = Batch.concat(draw_range(m, missing, m.period_day, m.build_day + 1))
        pos = np.searchsorted(missing, batch.sim)
        share_sum = np.bincount(pos, batch.unit, len(missing)).astype(np.float64)
        parts = _period_part(m.consumed[batch.sim], batch.unit, share_sum[pos])
        written = np.bincount(pos, parts, len(missing)).astype(np.float64)
        order = np.lexsort((-parts, pos))
        leaders = order[np.r_[True, pos[order][1:] != pos[order][:-1]]] if len(order) else order
        self._period_sum[missing] = share_sum
        self._remainder[missing] = m.consumed[missing] - written
        self._remainder_at[batch.sim[leaders]] = np.stack(
            [batch.day[leaders], batch.ordinal[leaders]], axis=1
        )

    def amounts(self, batch: Batch) -> Amounts:
        m = self.model
        with self._lock:
            total = np.round(m.base[batch.sim] * batch.unit, 6)
            current = batch.t_ms >= m.period_ms
            if current.any():
                self._ensure_period(np.unique(batch.sim[current]))
                part = _period_part(m.consumed[batch.sim], batch.unit, self._period_sum[batch.sim])
                at = self._remainder_at[batch.sim]
                fix = (at[:, 0] == batch.day) & (at[:, 1] == batch.ordinal)
                part = np.where(fix, np.round(part + self._remainder[batch.sim], 9), part)
                total = np.where(current, part, total)
        uplink = np.round(total * batch.upfrac, 6)
        return Amounts(
            total, uplink, np.round(total - uplink, 9), np.round(_RATES[batch.net] * total, 6)
        )

    def record_id(self, sim: int, day: int, ordinal: int) -> str:
        return wdr_id(sim, day, ordinal, self._seeds[sim])

    def wdrs(self, batch: Batch) -> list[dict[str, Any]]:
        """The WDRs of ``batch`` as the wire writes them."""
        m = self.model
        a = self.amounts(batch)
        out = []
        rows = zip(
            batch.sim.tolist(),
            batch.day.tolist(),
            batch.ordinal.tolist(),
            batch.t_ms.tolist(),
            batch.dur.tolist(),
            batch.net.tolist(),
            a.uplink.tolist(),
            a.downlink.tolist(),
            a.cost.tolist(),
            strict=True,
        )
        for sim, day, ordinal, t, dur, net, up, down, cost in rows:
            network, card, label = NETWORKS[net], m.sims[sim], m.labels[sim]
            record: dict[str, Any] = {
                "id": self.record_id(sim, day, ordinal),
                "record_type": "wdr",
                "created_at": iso(t / 1000),
                "duration_seconds": dur,
                "sim_card_id": card.id,
            }
            if label is not None:
                record["sim_group_id"], record["sim_group_name"] = label
            record["imsi"] = card.wire["imsi"]
            record["mcc"] = network.mcc
            record["mnc"] = network.mnc
            record["phone_number"] = card.wire["msisdn"]
            record["uplink_data"] = {"amount": up, "unit": "MB"}
            record["downlink_data"] = {"amount": down, "unit": "MB"}
            record["rate"] = {"amount": network.rate, "currency": ACCOUNT_CURRENCY}
            record["cost"] = {"amount": f"{cost:.6f}", "currency": ACCOUNT_CURRENCY}
            out.append(record)
        return out

    def sim_tags(self, sim: int) -> Sequence[str]:
        """The SIM's tags as the fleet was built."""
        return self._tags[sim]
