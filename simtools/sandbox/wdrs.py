"""Wireless detail records (``GET /reports/wdrs``) of the synthetic fleet.

Each fleet SIM's records are drawn on first use from its own seed, so they are reproducible and a
large fleet pays only for what is asked. The records inside the current billing period (the
calendar month, UTC, of the moment the fleet was built) add up to the SIM's
``current_billing_period_consumed_data``:

    sum(uplink_data.amount + downlink_data.amount  for records of the SIM
        with period_start <= created_at <= fleet build time)
      == amount * {KB: 1/1024, MB: 1, GB: 1024}[unit]   (MB, within 1e-6)

Every WDR amount is a number of MB (``unit`` is always ``"MB"``). Records before the period are
history of the previous month and count towards nothing. ``start_date`` is inclusive and
``end_date`` exclusive; pass ``start_date`` = the first of the month (``...-01T00:00:00Z``) to get
exactly the period's records. SIMs registered through the API, or
with nothing consumed this period, have no records in the period.
"""

from __future__ import annotations

import random
import threading
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import partial
from typing import Any

from simtools.sandbox.records import NETWORKS, SimRecord, uuid_from
from simtools.sandbox.synthetic import gc_paused, month_start
from simtools.sandbox.wire import iso

__all__ = ["WDR_SORT_FIELDS", "WdrIndex", "WdrQuery", "WdrRow", "parse_instant", "sim_wdrs"]

#: Per-MB rate by mobile country code (USD).
_RATES = {"310": 0.006, "302": 0.008}
_ROAMING_RATE = 0.01
#: Fields ``sort`` accepts, each with the key it sorts on.
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


@dataclass(frozen=True, slots=True)
class WdrRow:
    """A record and the values the endpoint filters and sorts on."""

    created_ms: int
    record: dict[str, Any]

    def key(self, field: str) -> Any:
        if field == "created_at":
            return self.created_ms
        return self.record.get(field) or ""


def _split(total: float, weights: list[float]) -> list[float]:
    """``total`` in parts proportional to ``weights``, rounded to 1e-6 MB except the last, which
    takes the remainder (to 1e-9), so the parts add up to ``total`` within 1e-6."""
    scale = sum(weights)
    parts = [round(total * w / scale, 6) for w in weights[:-1]]
    return [*parts, round(total - sum(parts), 9)]


def _record(
    rng: random.Random,
    sim: SimRecord,
    group: tuple[str, str] | None,
    when_ms: int,
    megabytes: float,
) -> WdrRow:
    mcc, mnc, _lat, _lon = NETWORKS[int(rng.random() * len(NETWORKS))]
    uplink = round(megabytes * (0.05 + 0.25 * rng.random()), 6)
    rate = _RATES.get(mcc, _ROAMING_RATE)
    record: dict[str, Any] = {
        "id": uuid_from(rng),
        "record_type": "wdr",
        "created_at": iso(when_ms / 1000),
        "duration_seconds": 30 + int(rng.random() * 7170),
        "sim_card_id": sim.id,
    }
    if group is not None:
        record["sim_group_id"], record["sim_group_name"] = group
    record["imsi"] = sim.wire["imsi"]
    record["mcc"] = mcc
    record["mnc"] = mnc
    record["phone_number"] = sim.wire["msisdn"]
    record["uplink_data"] = {"amount": uplink, "unit": "MB"}
    record["downlink_data"] = {"amount": round(megabytes - uplink, 9), "unit": "MB"}
    record["rate"] = {"amount": f"{rate:.4f}", "currency": "USD"}
    record["cost"] = {"amount": f"{rate * megabytes:.6f}", "currency": "USD"}
    return WdrRow(when_ms, record)


class Periods:
    """The current billing period (``start_ms`` to ``now``) and the month before it."""

    def __init__(self, now: float) -> None:
        self.now = now
        self.start_ms = int(month_start(now) * 1000)
        self.previous_start_ms = int(month_start(month_start(now) - 1.0) * 1000)


def sim_wdrs(sim: SimRecord, group: tuple[str, str] | None, periods: Periods) -> list[WdrRow]:
    """The records of fleet SIM ``sim``; ``group`` is its (id, name) when the fleet was built.
    Sorted by ``created_at``."""
    rng = random.Random(sim.detail_seed ^ 0x5EED_5EED)
    rows = []
    start_ms, now_ms = periods.start_ms, int(periods.now * 1000)
    total = sim.consumed_mb
    if total > 0:
        count = 1 if total < 0.01 else 1 + int(rng.random() * 3)
        stamps = sorted(rng.randint(start_ms, now_ms) for _ in range(count))
        weights = [0.2 + 0.8 * rng.random() for _ in range(count)]
        for stamp, part in zip(stamps, _split(total, weights), strict=True):
            rows.append(_record(rng, sim, group, stamp, part))
    # History: the month before the period, from the SIM's creation on.
    low = max(periods.previous_start_ms, int(sim.created * 1000))
    if low < start_ms - 1:
        for _ in range(int(rng.random() * 4)):
            megabytes = round(rng.expovariate(1 / 80), 6)
            rows.append(_record(rng, sim, group, rng.randint(low, start_ms - 1), megabytes))
    rows.sort(key=_created)
    return rows


def _created(row: WdrRow) -> int:
    return row.created_ms


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
    """What ``GET /reports/wdrs`` asks for; also the key of the cached result."""

    start_ms: int | None = None
    end_ms: int | None = None
    #: Exact filters as (field, value) pairs.
    exact: tuple[tuple[str, str], ...] = ()
    #: Sort fields, ``-`` prefix for descending.
    sort: tuple[str, ...] = ("created_at",)


class WdrIndex:
    """The fleet's records, drawn on first use (per SIM, or all at once when a query spans the
    fleet) and never changed after: SIMs that move group or leave keep their history."""

    def __init__(self, fleet_sims: list[tuple[SimRecord, tuple[str, str] | None]], now: float):
        self._fleet = {sim.id: (sim, group) for sim, group in fleet_sims}
        self._periods = Periods(now)
        self._per_sim: dict[str, list[WdrRow]] = {}
        self._all: list[WdrRow] | None = None
        self._cache: dict[WdrQuery, list[WdrRow]] = {}
        self._lock = threading.Lock()

    def _rows_of(self, sim_id: str) -> list[WdrRow]:
        rows = self._per_sim.get(sim_id)
        if rows is None:
            entry = self._fleet.get(sim_id)
            rows = sim_wdrs(entry[0], entry[1], self._periods) if entry else []
            self._per_sim[sim_id] = rows
        return rows

    def _every_row(self) -> list[WdrRow]:
        if self._all is None:
            with gc_paused():
                rows = [row for sim_id in self._fleet for row in self._rows_of(sim_id)]
            rows.sort(key=_created)
            self._all = rows
        return self._all

    def query(self, query: WdrQuery) -> list[WdrRow]:
        with self._lock:
            cached = self._cache.get(query)
            if cached is not None:
                return cached
            exact = dict(query.exact)
            sim_id = exact.get("sim_card_id")
            rows = self._rows_of(sim_id) if sim_id is not None else self._every_row()
            low = query.start_ms if query.start_ms is not None else -(2**63)
            high = query.end_ms if query.end_ms is not None else 2**63
            found = [
                row
                for row in rows
                if low <= row.created_ms < high
                and all(row.record.get(k) == v for k, v in query.exact)
            ]
            # Stable sorts from the last key to the first give the multi-key order.
            for field in reversed(query.sort):
                found.sort(
                    key=partial(WdrRow.key, field=field.lstrip("-")), reverse=field[0] == "-"
                )
            if len(self._cache) >= 32:
                self._cache.clear()
            self._cache[query] = found
            return found
