"""The sandbox's in-memory store: SIM cards, groups, actions and codes, and every change to them.

All methods take one re-entrant lock, so tests may inspect the store from their own thread while
the server runs. Time is the store's :class:`Clock`; asynchronous changes (registration, actions,
deletion) are settled lazily from their due times on the next call, so no background thread runs.
"""

from __future__ import annotations

import random
import threading
import time
from collections import Counter
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from typing import Any, TypeVar

from simtools.errors import InvalidInputError
from simtools.sandbox.codes import CodeBook, code_error
from simtools.sandbox.records import GroupRecord, Pending, SimQuery, SimRecord, uuid_from
from simtools.sandbox.reports import WdrReports
from simtools.sandbox.synthetic import Fleet, gc_paused, new_sim
from simtools.sandbox.wdrs import WdrIndex
from simtools.sandbox.wire import ApiProblem, iso

T = TypeVar("T")

__all__ = ["Clock", "SandboxState", "SimQuery"]

_SETTLED_BY = {"enable": "enabled", "disable": "disabled", "set_standby": "standby"}
_TRANSITION = {"enable": "enabling", "disable": "disabling", "set_standby": "setting_standby"}


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
        self.lock = threading.RLock()
        self.sims: dict[str, SimRecord] = {sim.id: sim for sim in fleet.sims}
        self.groups: dict[str, GroupRecord] = {g.id: g for g in fleet.groups}
        self.default_group_id = fleet.default_group.id
        self.actions: dict[str, dict[str, Any]] = {a["id"]: a for a in fleet.actions}
        #: The fleet as built, for its usage records: (SIM, (group id, name) at build time).
        fleet_sims = [(sim, self._group_label(sim.group_id)) for sim in fleet.sims]
        self.wdrs = WdrIndex(fleet_sims, fleet.now)
        self.reports = WdrReports(self.wdrs, self.clock.now, action_delay, fleet.seed)
        self.codes = CodeBook({sim.code: sim.id for sim in fleet.sims}, fleet.pool_codes)
        self._next_index = len(fleet.sims)
        self._pending: dict[str, Pending] = {}
        #: The in-progress action of each SIM that has one (the fleet starts with some).
        self._open_actions = {
            a["sim_card_id"]: a["id"]
            for a in fleet.actions
            if a["status"]["value"] == "in-progress"
        }
        self.version = 0
        self._list_cache: dict[SimQuery, list[SimRecord]] = {}
        self._group_stats: tuple[int, dict[str | None, tuple[int, float]]] | None = None

    # -- bookkeeping -------------------------------------------------------------------------

    @contextmanager
    def locked(self) -> Iterator[None]:
        """Hold the lock and settle what is due first."""
        with self.lock:
            self._settle()
            yield

    def _changed(self) -> None:
        self.version += 1
        self._list_cache.clear()
        self._group_stats = None

    def _group_label(self, group_id: str | None) -> tuple[str, str] | None:
        group = self.groups.get(group_id) if group_id else None
        return (group.id, group.name) if group else None

    def _settle(self) -> None:
        if not self._pending:
            return
        now = self.clock.now()
        due = [(sim_id, p) for sim_id, p in self._pending.items() if p.due <= now]
        for sim_id, pending in due:
            del self._pending[sim_id]
            sim = self.sims[sim_id]
            if pending.target is None:
                del self.sims[sim_id]
                self.codes.release(sim.code)
            else:
                sim.wire["actions_in_progress"] = False
                sim.wire["updated_at"] = iso(pending.due)
                sim.set_status(pending.target)
            if pending.action_id is not None:
                del self._open_actions[sim_id]
                self._finish_action(pending.action_id, "completed", None, pending.due)
        if due:
            self._changed()

    def _finish_action(self, action_id: str, value: str, reason: str | None, when: float) -> None:
        action = self.actions[action_id]
        action["status"] = {"value": value, "reason": reason}
        action["updated_at"] = iso(when)

    def _schedule(
        self, sim: SimRecord, transitional: str, target: str | None, action: str | None
    ) -> None:
        now = self.clock.now()
        previous = self._open_actions.pop(sim.id, None)
        if previous is not None:
            reason = "Interrupted by a later action on the same SIM card."
            self._finish_action(previous, "interrupted", reason, now)
        if action is not None:
            self._open_actions[sim.id] = action
        self._pending[sim.id] = Pending(target, now + self.action_delay, action)
        sim.wire["actions_in_progress"] = True
        sim.wire["updated_at"] = iso(now)
        sim.set_status(transitional)
        self._changed()

    # -- lookups -----------------------------------------------------------------------------

    def sim(self, sim_id: str) -> SimRecord:
        return self._lookup(self.sims, sim_id, "SIM card")

    def group(self, group_id: str) -> GroupRecord:
        return self._lookup(self.groups, group_id, "SIM card group")

    def action(self, action_id: str) -> dict[str, Any]:
        return self._lookup(self.actions, action_id, "SIM card action")

    def _lookup(self, table: Mapping[str, T], key: str, noun: str) -> T:
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

    # -- registration ------------------------------------------------------------------------

    def register(
        self, codes: list[str], group_id: str | None, status: str, tags: list[str]
    ) -> tuple[list[SimRecord], list[dict[str, Any]]]:
        """Register every valid code; the others come back as errors pointing at their index."""
        with self.locked():
            if group_id is not None and group_id not in self.groups:
                raise ApiProblem.single(
                    422,
                    "10017",
                    f"SIM card group {group_id} does not exist.",
                    pointer="/sim_card_group_id",
                )
            group_id = group_id or self.default_group_id
            created: list[SimRecord] = []
            errors: list[dict[str, Any]] = []
            for index, code in enumerate(codes):
                problem = self.codes.problem(code)
                if problem is not None:
                    errors.append(code_error(index, code, problem))
                    continue
                created.append(self._register_one(code, group_id, status, tags))
            if created:
                self._changed()
            return created, errors

    def _register_one(self, code: str, group_id: str, status: str, tags: list[str]) -> SimRecord:
        now = self.clock.now()
        sim_id = uuid_from(random.Random(f"sim:{self.seed}:{code}:{self.codes.registered[code]}"))
        number = self.codes.claim(code, sim_id)
        # The card behind a code is the same every time it is registered; the SIM id is not.
        rng = random.Random(f"card:{self.seed}:{number}")
        sim = new_sim(
            rng,
            seed=self.seed,
            number=number,
            index=self._next_index,
            code=code,
            status="registering",
            group_id=group_id,
            tags=list(tags),
            created=now,
            updated=now,
        )
        sim.id = sim.wire["id"] = sim_id
        self._next_index += 1
        self.sims[sim.id] = sim
        self._schedule(sim, "registering", status, None)
        return sim

    # -- SIM changes -------------------------------------------------------------------------

    def update_sim(self, sim_id: str, changes: dict[str, Any]) -> SimRecord:
        """Apply validated PATCH ``changes`` (tags, data_limit, sim_card_group_id,
        authorized_imeis)."""
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
                if changes[key] is None and key in ("data_limit", "sim_card_group_id"):
                    sim.wire.pop(key, None)
                else:
                    sim.wire[key] = changes[key]
            sim.reorder()
            sim.wire["updated_at"] = iso(self.clock.now())
            sim.touch()
            self._changed()
            return sim

    def delete_sim(self, sim_id: str) -> SimRecord:
        """Start decommissioning: the SIM shows ``disabling`` and is gone once settled."""
        with self.locked():
            sim = self.sim(sim_id)
            self._schedule(sim, "disabling", None, None)
            return sim

    def start_action(self, sim_id: str, action_type: str) -> dict[str, Any]:
        """Create a SIM card action and move the SIM to its transitional status."""
        with self.locked():
            sim = self.sim(sim_id)
            pending = self._pending.get(sim_id)
            if pending is not None and pending.target is None:
                raise ApiProblem.single(
                    422, "10015", f"SIM card {sim_id} is being deleted; it takes no more actions."
                )
            if action_type != "disable" and sim.group_id is None:
                raise ApiProblem.single(
                    422,
                    "10013",
                    f"SIM card {sim_id} is not in a SIM card group; put it in one "
                    "(PATCH sim_card_group_id) before this action.",
                    title="Missing association",
                )
            now = self.clock.now()
            action_id = uuid_from(random.Random(f"action:{self.seed}:{len(self.actions)}:{now}"))
            action: dict[str, Any] = {
                "id": action_id,
                "record_type": "sim_card_action",
                "sim_card_id": sim_id,
                "action_type": action_type,
                "settings": {},
                "status": {"value": "in-progress", "reason": None},
                "created_at": iso(now),
                "updated_at": iso(now),
            }
            self.actions[action_id] = action
            self._schedule(sim, _TRANSITION[action_type], _SETTLED_BY[action_type], action_id)
            return action

    def list_actions(self, keep: Callable[[dict[str, Any]], bool]) -> list[dict[str, Any]]:
        """Actions that ``keep`` accepts, newest first."""
        with self.locked():
            return [a for a in reversed(self.actions.values()) if keep(a)]

    # -- groups ------------------------------------------------------------------------------

    def create_group(self, name: str, data_limit: dict[str, str] | None) -> GroupRecord:
        with self.locked():
            now = iso(self.clock.now())
            gid = uuid_from(random.Random(f"group:{self.seed}:{len(self.groups)}:{now}"))
            group = GroupRecord(gid, name, False, data_limit, now, now)
            self.groups[gid] = group
            self._changed()
            return group

    def update_group(self, group_id: str, changes: dict[str, Any]) -> GroupRecord:
        with self.locked():
            group = self.group(group_id)
            if "name" in changes:
                group.name = changes["name"]
            if "data_limit" in changes:
                group.data_limit = changes["data_limit"]
            group.updated_at = iso(self.clock.now())
            self._changed()
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
            del self.groups[group_id]
            self._changed()
            return body


_ALL = SimQuery()


def _consumed(sim: SimRecord) -> float:
    return sim.consumed_mb
