"""The sandbox's in-memory store: SIM cards, groups and codes, and every change to them.

All methods take one re-entrant lock (:meth:`SandboxState.locked`), which the stores hung off it
share: :attr:`~SandboxState.actions` (SIM card and bulk actions, public IPs),
:attr:`~SandboxState.networks` (private wireless gateways, blocklists, group actions),
:attr:`~SandboxState.notifications` (data usage notifications) and :attr:`~SandboxState.orders`
(SIM card orders). So tests may inspect the store from their own thread while the server runs.
Time is the store's :class:`Clock`; asynchronous changes (registration, actions, deletion,
provisioning) wait in a :class:`~simtools.sandbox.schedule.Schedule` and are settled lazily from
their due times on the next call, so no background thread runs.

Test hooks beyond the API: :meth:`SandboxState.add_usage` makes a SIM consume data (the synthetic
fleet's consumption is otherwise fixed when it is built) and :meth:`notifications_fired` reads
back which usage notifications that fired, and when.
"""

from __future__ import annotations

import random
import threading
import time
from collections import Counter
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from typing import Any, TypeVar

from simtools.errors import InvalidInputError
from simtools.sandbox.actions import ActionBook
from simtools.sandbox.catalog import ota_updates
from simtools.sandbox.codes import CodeBook
from simtools.sandbox.enrolment import Enrolment
from simtools.sandbox.notifications import FiredNotification, NotificationBook
from simtools.sandbox.orders import OrderBook
from simtools.sandbox.private_networks import NetworkStore
from simtools.sandbox.records import GroupRecord, SimQuery, SimRecord, to_mb, uuid_from
from simtools.sandbox.reports import WdrReports
from simtools.sandbox.schedule import Change, Schedule, Slot
from simtools.sandbox.synthetic import Fleet, gc_paused
from simtools.sandbox.wdrs import WdrIndex
from simtools.sandbox.wire import ApiProblem, format_amount, iso

T = TypeVar("T")

__all__ = ["Clock", "SandboxState", "SimQuery"]

#: What a SIM's pending status change is, when it is a deletion.
DELETION = "delete"


class Clock:
    """Wall-clock time plus an offset that tests may move forward with :meth:`advance`."""

    def __init__(self) -> None:
        self._offset = 0.0

    def now(self) -> float:
        return time.time() + self._offset

    def advance(self, seconds: float) -> None:
        if seconds < 0:
            raise InvalidInputError(
                seconds, "the sandbox clock cannot go back", "pass seconds >= 0"
            )
        self._offset += seconds


class SandboxState:
    """Everything the sandbox server knows; built from a :class:`Fleet`."""

    def __init__(self, fleet: Fleet, *, action_delay: float, clock: Clock | None = None) -> None:
        with gc_paused():
            self._load(fleet, action_delay, clock)

    def _load(self, fleet: Fleet, action_delay: float, clock: Clock | None) -> None:
        self.clock = clock or Clock()
        self.action_delay = action_delay
        self.seed = fleet.seed
        #: When the fleet was built: the end of its synthetic history.
        self.built_at = fleet.now
        self.lock = threading.RLock()
        self.sims: dict[str, SimRecord] = {sim.id: sim for sim in fleet.sims}
        self.groups: dict[str, GroupRecord] = {g.id: g for g in fleet.groups}
        self.default_group_id = fleet.default_group.id
        #: The fleet as built, for its usage records: (SIM, (group id, name) at build time).
        fleet_sims = [(sim, self._group_label(sim.group_id)) for sim in fleet.sims]
        self.wdrs = WdrIndex(fleet_sims, fleet.now)
        self.reports = WdrReports(self.wdrs, self.clock.now, action_delay, fleet.seed)
        self.codes = CodeBook({sim.code: sim.id for sim in fleet.sims}, fleet.pool_codes)
        self.version = 0
        self._ids = random.Random(f"ids:{fleet.seed}")
        self._schedule = Schedule()
        self._list_cache: dict[SimQuery, list[SimRecord]] = {}
        self._group_stats: tuple[int, dict[str | None, tuple[int, float]]] | None = None
        self.enrolment = Enrolment(self, first_card=len(self.codes.card_number))
        self.actions = ActionBook(self, fleet.actions)
        self.networks = NetworkStore(self)
        self.notifications = NotificationBook(self)
        self.orders = OrderBook(self)
        self.ota_updates = ota_updates(fleet.sims, fleet.seed, fleet.now)

    # -- bookkeeping -------------------------------------------------------------------------

    @contextmanager
    def locked(self) -> Iterator[None]:
        """Hold the lock and settle what is due first."""
        with self.lock:
            self._settle()
            yield

    def changed(self) -> None:
        """Forget cached listings and group figures after a change."""
        self.version += 1
        self._list_cache.clear()
        self._group_stats = None

    def new_id(self) -> str:
        """A fresh resource id, reproducible from the seed and the order of creation."""
        return uuid_from(self._ids)

    def _group_label(self, group_id: str | None) -> tuple[str, str] | None:
        group = self.groups.get(group_id) if group_id else None
        return (group.id, group.name) if group else None

    def _settle(self) -> None:
        now = self.clock.now()
        if now < self._schedule.next_due:
            return
        # A bulk action settles thousands of changes at once (see gc_paused).
        with gc_paused():
            for change in self._schedule.pop_due(now):
                change.settle(change.due)
        self.changed()

    def schedule(self, slot: Slot, change: Change) -> None:
        """Queue ``change`` for its slot; a change still pending there is superseded."""
        self._schedule.put(slot, change, self.clock.now())

    def cancel(self, slot: Slot) -> None:
        self._schedule.cancel(slot, self.clock.now())

    def pending(self, slot: Slot) -> Change | None:
        return self._schedule.get(slot)

    def being_deleted(self, sim_id: str) -> bool:
        change = self._schedule.get((sim_id, "status"))
        return change is not None and change.label == DELETION

    def start_status_change(
        self, sim: SimRecord, transitional: str, target: str | None, action_id: str | None
    ) -> None:
        """Show ``transitional`` now and ``target`` once settled (None: remove the SIM)."""
        now = self.clock.now()
        self.actions.interrupt_stuck(sim.id, now)

        def settle(when: float) -> None:
            if target is None:
                self._remove_sim(sim, when)
            else:
                sim.wire["updated_at"] = iso(when)
                sim.set_status(target)
                self.refresh_in_progress(sim)
            if action_id is not None:
                self.actions.finish(action_id, "completed", None, when)

        def supersede(when: float) -> None:
            if action_id is not None:
                self.actions.interrupt(action_id, when)

        label = DELETION if target is None else ""
        self.schedule((sim.id, "status"), Change(now + self.action_delay, settle, supersede, label))
        self.mark_in_progress(sim, now)
        sim.set_status(transitional)

    def mark_in_progress(self, sim: SimRecord, now: float) -> None:
        sim.wire["actions_in_progress"] = True
        sim.wire["updated_at"] = iso(now)
        sim.touch()
        self.changed()

    def refresh_in_progress(self, sim: SimRecord) -> None:
        """``actions_in_progress`` is true while any change of the SIM is pending."""
        busy = any(self._schedule.get((sim.id, aspect)) for aspect in ActionBook.ASPECTS)
        sim.wire["actions_in_progress"] = busy or self.actions.is_stuck(sim.id)
        sim.touch()

    def _remove_sim(self, sim: SimRecord, when: float) -> None:
        del self.sims[sim.id]
        if sim.code:
            self.codes.release(sim.code)
        self.actions.forget_sim(sim.id, when)
        self.notifications.forget_sim(sim.id)

    # -- lookups -----------------------------------------------------------------------------

    def sim(self, sim_id: str) -> SimRecord:
        return self.lookup(self.sims, sim_id, "SIM card")

    def group(self, group_id: str) -> GroupRecord:
        return self.lookup(self.groups, group_id, "SIM card group")

    def lookup(self, table: Mapping[str, T], key: str, noun: str) -> T:
        """``table[key]``, or Telnyx's 404 (code 10005) naming the resource."""
        with self.locked():
            try:
                return table[key]
            except KeyError:
                raise ApiProblem.single(404, "10005", f"{noun} {key} was not found.") from None

    def list_sims(self, query: SimQuery) -> list[SimRecord]:
        """The SIMs matching ``query`` in creation order (or by consumption), cached until the
        next change."""
        with self.locked():
            cached = self._list_cache.get(query)
            if cached is None:
                every = self.sims.values()
                matching = [s for s in every if query.matches(s)] if query != _ALL else list(every)
                if query.sort is not None:
                    descending = query.sort.startswith("-")
                    matching.sort(key=_consumed, reverse=descending)
                if len(self._list_cache) >= 64:
                    self._list_cache.clear()
                cached = self._list_cache[query] = matching
            return cached

    def group_stats(self) -> dict[str | None, tuple[int, float]]:
        """(SIM count, consumed MB) per group id, cached until the next change."""
        with self.locked():
            if self._group_stats is None or self._group_stats[0] != self.version:
                counts: Counter[str | None] = Counter()
                consumed: dict[str | None, float] = {}
                for sim in self.sims.values():
                    gid = sim.group_id
                    counts[gid] += 1
                    consumed[gid] = consumed.get(gid, 0.0) + sim.consumed_mb
                stats = {gid: (counts[gid], consumed[gid]) for gid in counts}
                self._group_stats = (self.version, stats)
            return self._group_stats[1]

    def group_wire(self, group: GroupRecord, *, with_count: bool) -> dict[str, Any]:
        count, consumed = self.group_stats().get(group.id, (0, 0.0))
        return group.wire(consumed, count if with_count else None)

    # -- codes -------------------------------------------------------------------------------

    def validate_codes(self, codes: list[str]) -> list[dict[str, Any]]:
        with self.locked():
            return [self.codes.validation(code) for code in codes]

    def available_codes(self, n: int) -> list[str]:
        """``n`` unused valid codes, each handed out once."""
        with self.locked():
            return self.codes.hand_out(n)

    def used_codes(self, n: int) -> list[str]:
        """``n`` codes of SIMs on the account (registering them again fails)."""
        with self.locked():
            return self.codes.in_use(n)

    def registrations(self, code: str) -> int:
        with self.lock:
            return self.codes.registered[code]

    def sims_for_code(self, code: str) -> list[SimRecord]:
        with self.locked():
            return [sim for sim in self.sims.values() if sim.code == code]

    def sims_by_iccid(self, iccid: str) -> list[SimRecord]:
        with self.locked():
            return [sim for sim in self.sims.values() if sim.wire["iccid"] == iccid]

    # -- SIM changes -------------------------------------------------------------------------

    def update_sim(self, sim_id: str, changes: dict[str, Any]) -> SimRecord:
        """Apply validated PATCH ``changes`` (tags, data_limit, sim_card_group_id,
        authorized_imeis). The status is not among them: the actions change it."""
        with self.locked():
            sim = self.sim(sim_id)
            group_id = changes.get("sim_card_group_id")
            if group_id is not None and group_id not in self.groups:
                raise ApiProblem.single(
                    422,
                    "10017",
                    f"SIM card group {group_id} does not exist.",
                    pointer="/sim_card_group_id",
                )
            for key in ("tags", "authorized_imeis", "data_limit", "sim_card_group_id"):
                if key not in changes:
                    continue
                # The contract types data_limit and sim_card_group_id as objects and strings,
                # never null: a SIM without one has no such key.
                if changes[key] is None and key in ("data_limit", "sim_card_group_id"):
                    sim.wire.pop(key, None)
                else:
                    sim.wire[key] = changes[key]
            sim.reorder()
            sim.wire["updated_at"] = iso(self.clock.now())
            sim.touch()
            self.changed()
            return sim

    def delete_sim(self, sim_id: str) -> SimRecord:
        """Start decommissioning: the SIM shows ``disabling`` and is gone once settled."""
        with self.locked():
            sim = self.sim(sim_id)
            self.start_status_change(sim, "disabling", None, None)
            return sim

    def add_usage(self, sim_id: str, megabytes: float) -> SimRecord:
        """Test hook: the SIM consumes ``megabytes`` more this billing period.

        Its ``current_billing_period_consumed_data`` grows (in the unit it is written in), the
        usage notifications it now reaches fire (:meth:`notifications_fired`), and an enabled SIM
        that reaches its data limit goes to ``data_limit_exceeded``. A SIM in standby is enabled
        by consuming data, as Telnyx does, with a completed ``enable_standby_sim_card`` action.
        Only an enabled or standby SIM consumes data. No usage record (``/reports/wdrs``) is
        added for it: a SIM's records are drawn once, from its consumption when first asked for.
        """
        if isinstance(megabytes, bool) or not isinstance(megabytes, int | float):
            raise InvalidInputError(megabytes, "megabytes must be a number", "pass e.g. 12.5")
        if not 0 <= megabytes < float("inf"):
            raise InvalidInputError(megabytes, "megabytes must be >= 0", "pass e.g. 12.5")
        with self.locked():
            sim = self.sim(sim_id)
            if sim.status not in ("enabled", "standby"):
                raise InvalidInputError(
                    sim_id,
                    f"a SIM card in status {sim.status} consumes no data",
                    "enable it first (or set it to standby)",
                )
            now = self.clock.now()
            if sim.status == "standby":
                self.actions.record_done(sim.id, "enable_standby_sim_card", now)
                sim.set_status("enabled")
            sim.consumed_mb += float(megabytes)
            unit = sim.wire["current_billing_period_consumed_data"]["unit"]
            amount = format_amount(sim.consumed_mb / to_mb("1", unit), 4)
            sim.wire["current_billing_period_consumed_data"] = {"amount": amount, "unit": unit}
            limit = sim.wire.get("data_limit")
            if limit is not None and sim.consumed_mb >= to_mb(limit["amount"], limit["unit"]):
                sim.set_status("data_limit_exceeded")
            sim.wire["updated_at"] = iso(now)
            sim.touch()
            self.changed()
            self.notifications.check(sim, now)
            return sim

    def notifications_fired(self, sim_card_id: str | None = None) -> list[FiredNotification]:
        """The usage notifications that fired, oldest first; only one SIM's when given."""
        with self.locked():
            return self.notifications.fired(sim_card_id)

    # -- groups ------------------------------------------------------------------------------

    def create_group(self, name: str, data_limit: dict[str, str] | None) -> GroupRecord:
        with self.locked():
            now = iso(self.clock.now())
            gid = self.new_id()
            group = GroupRecord(gid, name, False, data_limit, now, now)
            self.groups[gid] = group
            self.changed()
            return group

    def update_group(self, group_id: str, changes: dict[str, Any]) -> GroupRecord:
        with self.locked():
            group = self.group(group_id)
            if "name" in changes:
                group.name = changes["name"]
            if "data_limit" in changes:
                group.data_limit = changes["data_limit"]
            group.updated_at = iso(self.clock.now())
            self.changed()
            return group

    def delete_group(self, group_id: str) -> dict[str, Any]:
        with self.locked():
            group = self.group(group_id)
            if group.default:
                raise ApiProblem.single(
                    422, "10015", "The default SIM card group cannot be deleted."
                )
            count, _ = self.group_stats().get(group_id, (0, 0.0))
            if count:
                raise ApiProblem.single(
                    422,
                    "10015",
                    f"SIM card group {group_id} still holds {count} SIM cards; move them to "
                    "another group first.",
                )
            body = self.group_wire(group, with_count=False)
            for aspect in NetworkStore.ASPECTS:
                self.cancel((group_id, aspect))
            del self.groups[group_id]
            self.changed()
            return body


_ALL = SimQuery()


def _consumed(sim: SimRecord) -> float:
    return sim.consumed_mb
