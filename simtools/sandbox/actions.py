"""SIM card actions: status, voice and public IP changes of one SIM, the bulk actions that start
one per SIM, and the public IPs they set.

Every action is created ``in-progress`` and settles after the store's ``action_delay``; a later
action on the same aspect of a SIM (status, voice, public IP) interrupts the earlier one. A bulk
action's SIM card actions that cannot start (a SIM being deleted, one that already has a public
IP) are recorded ``failed`` with the reason, as the bulk summary then counts them. Not locked on
its own: every public method takes the store's lock.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Sequence
from functools import partial
from typing import TYPE_CHECKING, Any

from simtools.sandbox.catalog import DEFAULT_REGION
from simtools.sandbox.records import SimRecord
from simtools.sandbox.schedule import Change
from simtools.sandbox.synthetic import gc_paused
from simtools.sandbox.wire import ApiProblem, iso

if TYPE_CHECKING:
    from simtools.sandbox.state import SandboxState

__all__ = ["BULK_TYPES", "FILTER_TYPES", "SIM_ACTION_TYPES", "ActionBook"]

#: (transitional, settled) status of each status action.
_STATUS_ACTIONS = {
    "enable": ("enabling", "enabled"),
    "disable": ("disabling", "disabled"),
    "set_standby": ("setting_standby", "standby"),
}
#: The per-SIM action endpoints, ``POST /sim_cards/{id}/actions/<type>``.
SIM_ACTION_TYPES = (
    *_STATUS_ACTIONS,
    "enable_voice",
    "disable_voice",
    "set_public_ip",
    "remove_public_ip",
)
#: What ``filter[action_type]`` of ``GET /sim_card_actions`` accepts (the SDK's filter enum).
FILTER_TYPES = (
    "enable",
    "enable_standby_sim_card",
    "disable",
    "set_standby",
    "remove_public_ip",
    "set_public_ip",
    "enable_voice",
    "disable_voice",
)
BULK_TYPES = ("bulk_disable_voice", "bulk_enable_voice", "bulk_set_public_ips")
_INTERRUPTED = "Interrupted by a later action on the same SIM card."
_SUMMARY_ORDER = ("in-progress", "completed", "failed", "interrupted")


class ActionBook:
    """The SIM card actions, bulk actions and public IPs of one sandbox."""

    #: The aspects of a SIM an action changes, each its own schedule slot.
    ASPECTS = ("status", "voice", "public_ip")

    def __init__(self, state: SandboxState, fleet_actions: list[dict[str, Any]]) -> None:
        self._state = state
        self.records: dict[str, dict[str, Any]] = {a["id"]: a for a in fleet_actions}
        #: The fleet starts with SIMs stuck in a transitional status: their in-progress action
        #: never settles, until a later change of the SIM's status interrupts it.
        self._stuck = {
            a["sim_card_id"]: a["id"]
            for a in fleet_actions
            if a["status"]["value"] == "in-progress"
        }
        self.bulk: dict[str, dict[str, Any]] = {}
        self._children: dict[str, list[str]] = {}
        self._parent: dict[str, str] = {}
        #: The public IP record of each SIM that has one (``ip`` is null until provisioned).
        self.public_ips: dict[str, dict[str, Any]] = {}
        self._ips_handed_out = 0

    # -- bookkeeping -------------------------------------------------------------------------

    def finish(self, action_id: str, value: str, reason: str | None, when: float) -> None:
        action = self.records[action_id]
        action["status"] = {"value": value, "reason": reason}
        action["updated_at"] = iso(when)

    def interrupt(self, action_id: str, when: float) -> None:
        self.finish(action_id, "interrupted", _INTERRUPTED, when)

    def interrupt_stuck(self, sim_id: str, now: float) -> None:
        stuck = self._stuck.pop(sim_id, None)
        if stuck is not None:
            self.interrupt(stuck, now)

    def is_stuck(self, sim_id: str) -> bool:
        return sim_id in self._stuck

    def forget_sim(self, sim_id: str, when: float) -> None:
        """A removed SIM: its public IP goes and its pending voice and IP actions are
        interrupted."""
        self.public_ips.pop(sim_id, None)
        for aspect in ("voice", "public_ip"):
            self._state.cancel((sim_id, aspect))

    def record_done(self, sim_id: str, action_type: str, when: float) -> dict[str, Any]:
        """An action the platform carried out on its own, already completed."""
        return self._new(sim_id, action_type, {}, when, status="completed")

    def _new(
        self,
        sim_id: str,
        action_type: str,
        settings: dict[str, Any],
        now: float,
        *,
        status: str = "in-progress",
        reason: str | None = None,
    ) -> dict[str, Any]:
        stamp = iso(now)
        action: dict[str, Any] = {
            "id": self._state.new_id(),
            "record_type": "sim_card_action",
            "sim_card_id": sim_id,
            # set_public_ip and remove_public_ip are sent as such although the SDK's response
            # enum lacks them: its filter enum has them, so the API stores actions of those
            # types (CONTRACT.md section 8).
            "action_type": action_type,
            "settings": settings,
            "status": {"value": status, "reason": reason},
            "created_at": stamp,
            "updated_at": stamp,
        }
        self.records[action["id"]] = action
        return action

    # -- one SIM -----------------------------------------------------------------------------

    def start(self, sim_id: str, action_type: str, settings: dict[str, Any]) -> dict[str, Any]:
        """Create an action on the SIM and start its change; a 422 when it cannot start."""
        with self._state.locked():
            sim = self._state.sim(sim_id)
            problem = self._problem(sim, action_type)
            if problem is not None:
                raise problem
            return self._start(sim, action_type, settings)

    def _problem(self, sim: SimRecord, action_type: str) -> ApiProblem | None:
        if self._state.being_deleted(sim.id):
            detail = f"SIM card {sim.id} is being deleted; it takes no more actions."
            return ApiProblem.single(422, "10015", detail)
        if action_type in ("enable", "set_standby") and sim.group_id is None:
            return ApiProblem.single(
                422,
                "10013",
                f"SIM card {sim.id} is not in a SIM card group; put it in one "
                "(PATCH sim_card_group_id) before this action.",
                title="Missing association",
            )
        if action_type == "set_public_ip" and sim.id in self.public_ips:
            detail = f"SIM card {sim.id} already has a public IP; remove it first."
            return ApiProblem.single(422, "10015", detail)
        if action_type == "remove_public_ip" and sim.id not in self.public_ips:
            return ApiProblem.single(422, "10015", f"SIM card {sim.id} has no public IP.")
        return None

    def _start(self, sim: SimRecord, action_type: str, settings: dict[str, Any]) -> dict[str, Any]:
        now = self._state.clock.now()
        action = self._new(sim.id, action_type, settings, now)
        if action_type in _STATUS_ACTIONS:
            transitional, target = _STATUS_ACTIONS[action_type]
            self._state.start_status_change(sim, transitional, target, action["id"])
        elif action_type in ("enable_voice", "disable_voice"):
            voice_on = action_type == "enable_voice"
            self._later(sim, "voice", action, partial(_set_voice, sim, voice_on), now)
        elif action_type == "set_public_ip":
            record = self._ip_record(sim.id, settings.get("region_code", DEFAULT_REGION), now)
            self._later(sim, "public_ip", action, partial(self._assign_ip, record), now)
        else:
            self._later(sim, "public_ip", action, partial(self._drop_ip, sim.id), now)
        return action

    def _later(
        self,
        sim: SimRecord,
        aspect: str,
        action: dict[str, Any],
        effect: Callable[[float], None],
        now: float,
    ) -> None:
        def settle(when: float) -> None:
            effect(when)
            self.finish(action["id"], "completed", None, when)
            self._state.refresh_in_progress(sim)

        interrupted = partial(self.interrupt, action["id"])
        change = Change(now + self._state.action_delay, settle, interrupted)
        self._state.schedule((sim.id, aspect), change)
        self._state.mark_in_progress(sim, now)

    # -- public IPs --------------------------------------------------------------------------

    def _ip_record(self, sim_id: str, region_code: str, now: float) -> dict[str, Any]:
        record = {
            "created_at": iso(now),
            # Null until provisioned, as the SDK's docstring of ``ip`` says.
            "ip": None,
            "record_type": "sim_card_public_ip",
            "region_code": region_code,
            "sim_card_id": sim_id,
            "type": "ipv4",
            "updated_at": iso(now),
        }
        self.public_ips[sim_id] = record
        return record

    def _assign_ip(self, record: dict[str, Any], when: float) -> None:
        # 198.18.0.0/15 is reserved for tests (RFC 2544): no real host is ever named.
        n = self._ips_handed_out
        self._ips_handed_out += 1
        block = n // 254
        record["ip"] = f"198.{18 + block // 256 % 2}.{block % 256}.{n % 254 + 1}"
        record["updated_at"] = iso(when)

    def _drop_ip(self, sim_id: str, when: float) -> None:
        self.public_ips.pop(sim_id, None)

    def public_ip(self, sim_id: str) -> dict[str, Any]:
        with self._state.locked():
            self._state.sim(sim_id)
            try:
                return self.public_ips[sim_id]
            except KeyError:
                detail = f"SIM card {sim_id} has no public IP; set one with set_public_ip."
                raise ApiProblem.single(404, "10005", detail) from None

    # -- bulk --------------------------------------------------------------------------------

    def bulk_voice(self, group_id: str, enable: bool, connection_id: str | None) -> dict[str, Any]:
        """Enable or disable voice on every SIM of the group, one SIM card action each."""
        state = self._state
        with state.locked():
            if group_id not in state.groups:
                raise ApiProblem.single(
                    422,
                    "10017",
                    f"SIM card group {group_id} does not exist.",
                    pointer="/sim_card_group_id",
                )
            settings: dict[str, Any] = {"sim_card_group_id": group_id}
            child: dict[str, Any] = {}
            if connection_id is not None:
                settings["connection_id"] = child["connection_id"] = connection_id
            members = [sim for sim in state.sims.values() if sim.group_id == group_id]
            kind = "enable_voice" if enable else "disable_voice"
            return self._bulk(f"bulk_{kind}", settings, members, kind, child)

    def bulk_public_ips(self, sim_ids: Sequence[str]) -> dict[str, Any]:
        """Set a public IP (in the default region) on each SIM, one SIM card action each."""
        state = self._state
        with state.locked():
            for index, sim_id in enumerate(sim_ids):
                if sim_id not in state.sims:
                    raise ApiProblem.single(
                        422,
                        "10017",
                        f"SIM card {sim_id} does not exist.",
                        pointer=f"/sim_card_ids/{index}",
                    )
            sims = [state.sims[sim_id] for sim_id in sim_ids]
            settings = {"sim_card_ids": list(sim_ids)}
            child = {"region_code": DEFAULT_REGION}
            return self._bulk("bulk_set_public_ips", settings, sims, "set_public_ip", child)

    def _bulk(
        self,
        bulk_type: str,
        settings: dict[str, Any],
        sims: list[SimRecord],
        action_type: str,
        child_settings: dict[str, Any],
    ) -> dict[str, Any]:
        # Thousands of small objects at once: the collector's passes over a large fleet would
        # cost more than the work itself (see gc_paused).
        with gc_paused():
            return self._bulk_of(bulk_type, settings, sims, action_type, child_settings)

    def _bulk_of(
        self,
        bulk_type: str,
        settings: dict[str, Any],
        sims: list[SimRecord],
        action_type: str,
        child_settings: dict[str, Any],
    ) -> dict[str, Any]:
        now = self._state.clock.now()
        bulk_id = self._state.new_id()
        self.bulk[bulk_id] = {
            "id": bulk_id,
            "record_type": "bulk_sim_card_action",
            "action_type": bulk_type,
            "settings": settings,
            "created_at": iso(now),
            "updated_at": iso(now),
        }
        children = []
        for sim in sims:
            problem = self._problem(sim, action_type)
            if problem is None:
                action = self._start(sim, action_type, dict(child_settings))
            else:
                reason = str(problem.errors[0]["detail"])
                action = self._new(sim.id, action_type, dict(child_settings), now)
                self.finish(action["id"], "failed", reason, now)
            self._parent[action["id"]] = bulk_id
            children.append(action["id"])
        self._children[bulk_id] = children
        return dict(self.bulk[bulk_id])

    def _detailed(self, bulk_id: str) -> dict[str, Any]:
        counts = Counter(self.records[a]["status"]["value"] for a in self._children[bulk_id])
        summary = [{"count": counts[s], "status": s} for s in _SUMMARY_ORDER if counts[s]]
        return {**self.bulk[bulk_id], "sim_card_actions_summary": summary}

    # -- reading -----------------------------------------------------------------------------

    def get(self, action_id: str) -> dict[str, Any]:
        return self._state.lookup(self.records, action_id, "SIM card action")

    def matching(
        self,
        sim_id: str | None,
        statuses: Sequence[str],
        types: Sequence[str],
        bulk_id: str | None,
    ) -> list[dict[str, Any]]:
        """The actions matching every filter given, newest first."""
        with self._state.locked():
            return [
                action
                for action in reversed(self.records.values())
                if (sim_id is None or action["sim_card_id"] == sim_id)
                and (not statuses or action["status"]["value"] in statuses)
                and (not types or action["action_type"] in types)
                and (bulk_id is None or self._parent.get(action["id"]) == bulk_id)
            ]

    def bulk_get(self, bulk_id: str) -> dict[str, Any]:
        with self._state.locked():
            self._state.lookup(self.bulk, bulk_id, "Bulk SIM card action")
            return self._detailed(bulk_id)

    def bulk_matching(self, action_type: str | None) -> list[dict[str, Any]]:
        """The bulk actions (of that type), newest first, each with its summary."""
        with self._state.locked():
            return [
                self._detailed(bulk_id)
                for bulk_id, bulk in reversed(self.bulk.items())
                if action_type is None or bulk["action_type"] == action_type
            ]


def _set_voice(sim: SimRecord, voice_on: bool, when: float) -> None:
    sim.wire["voice_enabled"] = voice_on
    sim.wire["updated_at"] = iso(when)
    sim.touch()
