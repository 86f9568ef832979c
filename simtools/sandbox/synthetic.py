"""The synthetic fleet: SIM cards, groups, actions and registration codes, reproducible from a seed.

Everything is drawn from one ``random.Random(seed)`` in a fixed order, and timestamps are laid out
relative to ``now`` (by default the build time), so the same ``seed`` and ``now`` give the same
fleet. Fleet SIMs were created before the current billing period (calendar month, UTC), which is
what lets :mod:`simtools.sandbox.wdrs` lay their usage records inside it.
"""

from __future__ import annotations

import gc
import random
from bisect import bisect
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from itertools import accumulate, combinations
from math import comb
from typing import Any, TypeVar

from simtools.sandbox.records import (
    STATUS_REASONS,
    GroupRecord,
    SimRecord,
    card_identity,
    random_imei,
    to_mb,
    uuid_from,
)
from simtools.sandbox.wire import format_amount, iso

__all__ = ["TAGS", "Fleet", "build_fleet", "gc_paused", "month_start", "new_sim"]

#: The tag vocabulary of the synthetic fleet.
TAGS = ("tracker", "meter", "vehicle", "pos", "sensor", "staff", "customers", "test", "eu", "us")

T = TypeVar("T")
_DAY = 86_400.0
#: (name, data limit or None, share of the fleet); the first is the account's default group.
_GROUPS = (
    ("Default", None, 0.30),
    ("Asset trackers", ("500.0", "GB"), 0.20),
    ("Smart meters", None, 0.15),
    ("Fleet telematics", ("2048000.0", "MB"), 0.15),
    ("Retail POS", ("100.0", "GB"), 0.10),
    ("Field sensors", None, 0.10),
)
#: Individual SIM limits: "2048.0 MB" and "2.0 GB" are both written, as on real accounts.
_LIMITS = (
    ("100.0", "MB"),
    ("250.0", "MB"),
    ("500.0", "MB"),
    ("1.0", "GB"),
    ("2.0", "GB"),
    ("2048.0", "MB"),
    ("5.0", "GB"),
    ("10.0", "GB"),
)
_STEADY = ("enabled", "disabled", "standby")
_STATUS_WEIGHTS = (
    ("enabled", 0.78),
    ("disabled", 0.08),
    ("standby", 0.07),
    ("registering", 0.015),
    ("enabling", 0.02),
    ("disabling", 0.02),
    ("setting_standby", 0.015),
)
_ACTION_FOR = {
    "enabling": "enable",
    "disabling": "disable",
    "setting_standby": "set_standby",
    "disabled": "disable",
    "standby": "set_standby",
}


def month_start(ts: float) -> float:
    """Start (UTC) of the calendar month holding ``ts``: the current billing period's start."""
    moment = datetime.fromtimestamp(ts, tz=UTC)
    return moment.replace(day=1, hour=0, minute=0, second=0, microsecond=0).timestamp()


@dataclass
class Fleet:
    """What :func:`build_fleet` returns; the store takes ownership of it."""

    seed: int
    now: float
    groups: list[GroupRecord]
    sims: list[SimRecord]
    #: Valid codes nobody has registered yet, in hand-out order.
    pool_codes: list[str]
    actions: list[dict[str, Any]] = field(default_factory=list)

    @property
    def default_group(self) -> GroupRecord:
        return next(g for g in self.groups if g.default)


def _consumption(rng: random.Random, limit_mb: float | None) -> tuple[float, str]:
    """Consumed MB and the band it falls in relative to the limit."""
    roll = rng.random()
    if limit_mb is None:
        return (0.0, "idle") if roll < 0.1 else (rng.expovariate(1 / 400), "free")
    if roll < 0.08:
        return 0.0, "idle"
    if roll < 0.55:
        return limit_mb * rng.uniform(0.0, 0.8), "under"
    if roll < 0.80:
        return limit_mb * rng.uniform(0.8, 0.995), "near"
    return limit_mb * rng.uniform(1.01, 1.6), "over"


def _consumed_wire(rng: random.Random, mb: float) -> dict[str, str]:
    """``current_billing_period_consumed_data`` in a unit that suits the amount (KB, MB or GB)."""
    if mb == 0.0:
        return {"amount": "0.0", "unit": "MB"}
    if mb < 1.0 or (mb < 50.0 and rng.random() < 0.3):
        return {"amount": format_amount(mb * 1024, 1), "unit": "KB"}
    if mb >= 1024.0 and rng.random() < 0.6:
        return {"amount": format_amount(mb / 1024, 4), "unit": "GB"}
    return {"amount": format_amount(mb, 3), "unit": "MB"}


def new_sim(
    rng: random.Random,
    *,
    seed: int,
    number: int,
    index: int,
    code: str,
    status: str,
    group_id: str | None,
    tags: list[str],
    created: float,
    updated: float,
    data_limit: dict[str, str] | None = None,
    consumed: dict[str, str] | None = None,
    imeis: list[str] | None = None,
    voice: bool = False,
    esim: bool | None = None,
) -> SimRecord:
    """A SIM record for card ``number`` registered with ``code``; an eSIM one time in five
    unless ``esim`` says."""
    identity = card_identity(seed, number, rng, esim=rng.random() < 0.2 if esim is None else esim)
    consumed = consumed or {"amount": "0.0", "unit": "MB"}
    wire: dict[str, Any] = {
        "id": uuid_from(rng),
        "record_type": "sim_card",
        "status": {"value": status, "reason": STATUS_REASONS[status]},
        "type": identity["type"],
        "iccid": identity["iccid"],
        "imsi": identity["imsi"],
        "msisdn": identity["msisdn"],
    }
    if group_id is not None:
        wire["sim_card_group_id"] = group_id
    wire["tags"] = tags
    wire["authorized_imeis"] = imeis
    if data_limit is not None:
        wire["data_limit"] = data_limit
    wire["current_billing_period_consumed_data"] = consumed
    wire["actions_in_progress"] = False
    wire["resources_with_in_progress_actions"] = []
    wire["eid"] = identity["eid"]
    wire["esim_installation_status"] = identity["esim_installation_status"]
    wire["version"] = "4.4" if identity["type"] == "esim" else "4.3"
    wire["voice_enabled"] = voice
    wire["created_at"] = iso(created)
    wire["updated_at"] = iso(updated)
    return SimRecord(
        id=wire["id"],
        index=index,
        code=code,
        wire=wire,
        detail_seed=rng.getrandbits(64),
        consumed_mb=to_mb(consumed["amount"], consumed["unit"]),
        created=created,
        device_imeis=imeis,
    )


def _action(
    rng: random.Random, sim: SimRecord, action_type: str, when: float, done: bool
) -> dict[str, Any]:
    return {
        "id": uuid_from(rng),
        "record_type": "sim_card_action",
        "sim_card_id": sim.id,
        "action_type": action_type,
        "settings": {},
        "status": {"value": "completed" if done else "in-progress", "reason": None},
        "created_at": iso(when),
        "updated_at": iso(when),
    }


def _groups(rng: random.Random, oldest: float) -> list[GroupRecord]:
    groups = []
    for name, limit, _share in _GROUPS:
        created = oldest - rng.uniform(1, 30) * _DAY
        groups.append(
            GroupRecord(
                id=uuid_from(rng),
                name=name,
                default=name == "Default",
                data_limit={"amount": limit[0], "unit": limit[1]} if limit else None,
                created_at=iso(created),
                updated_at=iso(created + rng.uniform(0, 10) * _DAY),
            )
        )
    return groups


_STATUS_NAMES = tuple(s for s, _ in _STATUS_WEIGHTS)
_STATUS_CUMULATIVE = tuple(accumulate(w for _, w in _STATUS_WEIGHTS))
_GROUP_CUMULATIVE = tuple(accumulate(share for _, _, share in _GROUPS))
#: Every sorted tag set of 0 to 3 tags, weighted so that each size is drawn 1:2:2:1.
_TAG_SETS = tuple(c for k in range(4) for c in combinations(sorted(TAGS), k))
_TAG_SET_CUMULATIVE = tuple(
    accumulate((1, 2, 2, 1)[len(c)] / comb(len(TAGS), len(c)) for c in _TAG_SETS)
)


def _weighted(rng: random.Random, items: Sequence[T], cumulative: Sequence[float]) -> T:
    # random.choices rebuilds its tables on every call; the fleet draws 100k times.
    return items[bisect(cumulative, rng.random() * cumulative[-1])]


def _pick_status(rng: random.Random, band: str) -> str:
    if band == "over" and rng.random() < 0.5:
        return "data_limit_exceeded"
    return _weighted(rng, _STATUS_NAMES, _STATUS_CUMULATIVE)


@contextmanager
def gc_paused() -> Iterator[None]:
    """Pause cyclic GC while making many small acyclic objects (a large fleet, its records):
    the collector's passes over them would otherwise cost a third of the time or more."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


def build_fleet(size: int, seed: int, *, now: float, code_pool: int) -> Fleet:
    """``size`` SIMs over several groups plus ``code_pool`` unused valid registration codes."""
    with gc_paused():
        return _build(size, seed, now, code_pool)


def _build(size: int, seed: int, now: float, code_pool: int) -> Fleet:
    rng = random.Random(seed)
    period = month_start(now)
    codes = [str(c) for c in rng.sample(range(10**9, 10**10), size + code_pool)]
    ages = sorted((rng.uniform(1.0, 540.0) for _ in range(size)), reverse=True)
    groups = _groups(rng, period - (ages[0] if ages else 30.0) * _DAY)
    fleet = Fleet(seed=seed, now=now, groups=groups, sims=[], pool_codes=codes[size:])
    for index, age in enumerate(ages):
        limit = rng.choice(_LIMITS) if rng.random() < 0.75 else None
        limit_mb = to_mb(*limit) if limit else None
        mb, band = _consumption(rng, limit_mb)
        status = _pick_status(rng, band)
        group: GroupRecord | None = _weighted(rng, groups, _GROUP_CUMULATIVE)
        if rng.random() < 0.01 and status in _STEADY:
            group, status = None, "disabled"
        imeis = None
        if rng.random() < 0.15:
            imeis = sorted(random_imei(rng) for _ in range(rng.randint(1, 3)))
        created = period - age * _DAY
        sim = new_sim(
            rng,
            seed=seed,
            number=index,
            index=index,
            code=codes[index],
            status=status,
            group_id=group.id if group else None,
            tags=list(_weighted(rng, _TAG_SETS, _TAG_SET_CUMULATIVE)),
            created=created,
            updated=created + rng.uniform(0.0, age - 0.5) * _DAY,
            data_limit={"amount": limit[0], "unit": limit[1]} if limit else None,
            consumed=_consumed_wire(rng, mb),
            imeis=imeis,
            voice=rng.random() < 0.05,
        )
        fleet.sims.append(sim)
    _cover_every_status(rng, fleet)
    for sim in fleet.sims:
        action_type = _ACTION_FOR.get(sim.status)
        in_progress = sim.status.endswith("ing")
        if action_type and (in_progress or rng.random() < 0.5):
            when = period - rng.uniform(0.0, 5.0) * _DAY if in_progress else period - _DAY
            fleet.actions.append(_action(rng, sim, action_type, when, done=not in_progress))
        if in_progress:
            sim.wire["actions_in_progress"] = True
    fleet.actions.sort(key=lambda a: a["created_at"])
    return fleet


def _cover_every_status(rng: random.Random, fleet: Fleet) -> None:
    """Make sure a fleet of 40 or more SIMs shows every status at least once."""
    if len(fleet.sims) < 40:
        return
    present = {sim.status for sim in fleet.sims}
    for status in STATUS_REASONS:
        if status in present:
            continue
        candidates = [s for s in fleet.sims if s.status == "enabled" and s.group_id is not None]
        sim = candidates[rng.randrange(len(candidates))]
        if status == "data_limit_exceeded":
            limit = sim.wire.setdefault("data_limit", {"amount": "500.0", "unit": "MB"})
            over = to_mb(limit["amount"], limit["unit"]) * 1.2
            sim.wire["current_billing_period_consumed_data"] = _consumed_wire(rng, over)
            consumed = sim.wire["current_billing_period_consumed_data"]
            sim.consumed_mb = to_mb(consumed["amount"], consumed["unit"])
        sim.set_status(status)
