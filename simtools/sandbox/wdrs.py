"""Wireless detail records (``GET /reports/wdrs``) of the synthetic fleet.

Each fleet SIM's records are drawn on first use from its own seed, so they are reproducible and a
large fleet pays only for what is asked. The records inside the current billing period (the
calendar month, UTC, of the moment the fleet was built) add up to the SIM's
``current_billing_period_consumed_data``:

    sum(uplink_data.amount + downlink_data.amount  for records of the SIM
        with period_start <= created_at <= fleet build time)
      == amount * {KB: 1/1024, MB: 1, GB: 1024}[unit]   (MB, within 1e-6)

Every WDR amount is a number of MB (``unit`` is always ``"MB"``). Records before the period are
history of the two previous months and count towards nothing. SIMs registered through the API, or
with nothing consumed this period, have no records in the period.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

from simtools.sandbox.fleet import month_start
from simtools.sandbox.records import NETWORKS, SimRecord, uuid_from
from simtools.sandbox.wire import iso

__all__ = ["WDR_SORT_FIELDS", "WdrRow", "sim_wdrs"]

_SIX = Decimal("0.000001")
#: Per-MB rate by mobile country code (USD).
_RATES = {"310": Decimal("0.0060"), "302": Decimal("0.0080")}
_ROAMING_RATE = Decimal("0.0100")
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


def _split(total: Decimal, weights: list[float]) -> list[Decimal]:
    """``total`` in parts proportional to ``weights``, rounded to 1e-6 except the last, which
    takes the remainder so the parts add up to ``total`` exactly."""
    scale = sum(weights)
    parts = [(total * Decimal(w / scale)).quantize(_SIX) for w in weights[:-1]]
    return [*parts, total - sum(parts, Decimal(0))]


def _previous_month(start: float) -> float:
    return month_start(start - 1.0)


def _record(
    rng: random.Random,
    sim: SimRecord,
    group: tuple[str, str] | None,
    when_ms: int,
    megabytes: Decimal,
) -> WdrRow:
    mcc, mnc, _lat, _lon = rng.choice(NETWORKS)
    uplink = (megabytes * Decimal(rng.uniform(0.05, 0.3))).quantize(_SIX)
    downlink = megabytes - uplink
    rate = _RATES.get(mcc, _ROAMING_RATE)
    record: dict[str, Any] = {
        "id": uuid_from(rng),
        "record_type": "wdr",
        "created_at": iso(when_ms / 1000),
        "duration_seconds": rng.randrange(30, 7200),
        "sim_card_id": sim.id,
    }
    if group is not None:
        record["sim_group_id"], record["sim_group_name"] = group
    record.update(
        {
            "imsi": sim.wire["imsi"],
            "mcc": mcc,
            "mnc": mnc,
            "phone_number": sim.wire["msisdn"],
            "uplink_data": {"amount": float(uplink), "unit": "MB"},
            "downlink_data": {"amount": float(downlink), "unit": "MB"},
            "rate": {"amount": str(rate), "currency": "USD"},
            "cost": {"amount": str((rate * megabytes).quantize(_SIX)), "currency": "USD"},
        }
    )
    return WdrRow(when_ms, record)


def sim_wdrs(sim: SimRecord, group: tuple[str, str] | None, now: float) -> list[WdrRow]:
    """The records of fleet SIM ``sim``; ``group`` is its (id, name) when the fleet was built and
    ``now`` the build time. Sorted by ``created_at``."""
    rng = random.Random(sim.detail_seed ^ 0x5EED_5EED)
    period = month_start(now)
    rows = []
    total = Decimal(sim.consumed_mb)
    if total > 0:
        count = 1 if total < Decimal("0.01") else rng.randint(1, 4)
        low, high = int(period * 1000), int(now * 1000)
        stamps = sorted(rng.randint(low, high) for _ in range(count))
        weights = [rng.uniform(0.2, 1.0) for _ in range(count)]
        for stamp, part in zip(stamps, _split(total, weights), strict=True):
            rows.append(_record(rng, sim, group, stamp, part))
    end = period
    for _ in range(2):
        start = _previous_month(end)
        low = int(max(start, sim.created) * 1000)
        high = int(end * 1000) - 1
        if low < high:
            for _ in range(rng.randint(0, 5)):
                megabytes = Decimal(rng.expovariate(1 / 80)).quantize(_SIX)
                rows.append(_record(rng, sim, group, rng.randint(low, high), megabytes))
        end = start
    rows.sort(key=lambda row: row.created_ms)
    return rows


def parse_instant(text: str) -> float | None:
    """An ISO 8601 date or date-time as an epoch timestamp (UTC when no offset), else None."""
    try:
        moment = datetime.fromisoformat(text.strip())
    except ValueError:
        return None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.timestamp()
