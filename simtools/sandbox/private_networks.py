"""Private wireless gateways, wireless blocklists, and the SIM card group actions that attach them
to groups.

A new gateway is ``provisioning`` for the store's ``action_delay``, then ``provisioned``; a
deleted one shows ``decommissioning`` for as long, then is gone. A group action (set or remove a
gateway or a blocklist) is ``in-progress`` for as long, then ``completed`` with the group
changed; a second action on the same attachment of a group completes the first at once. A
gateway or blocklist still attached to a group cannot be deleted. Not locked on its own: every
public method takes the store's lock.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

from simtools.sandbox.catalog import blocklist_values
from simtools.sandbox.records import GroupRecord
from simtools.sandbox.schedule import Change
from simtools.sandbox.wire import ApiProblem, iso

if TYPE_CHECKING:
    from simtools.sandbox.state import SandboxState

__all__ = ["GROUP_ACTION_TYPES", "NetworkStore"]

#: Group action type -> (group attribute, settings key, whether it sets or removes).
_GROUP_ACTIONS = {
    "set_private_wireless_gateway": ("gateway", "private_wireless_gateway_id", True),
    "remove_private_wireless_gateway": ("gateway", "private_wireless_gateway_id", False),
    "set_wireless_blocklist": ("blocklist", "wireless_blocklist_id", True),
    "remove_wireless_blocklist": ("blocklist", "wireless_blocklist_id", False),
}
GROUP_ACTION_TYPES = tuple(_GROUP_ACTIONS)
_NOUNS = {"gateway": "Private Wireless Gateway", "blocklist": "Wireless Blocklist"}
_KEYS = {"gateway": "private_wireless_gateway_id", "blocklist": "wireless_blocklist_id"}


class NetworkStore:
    """The gateways, blocklists and group actions of one sandbox."""

    #: The attachments of a group a group action changes, each its own schedule slot.
    ASPECTS = ("gateway", "blocklist")

    def __init__(self, state: SandboxState) -> None:
        self._state = state
        self.gateways: dict[str, dict[str, Any]] = {}
        self.blocklists: dict[str, dict[str, Any]] = {}
        self.group_actions: dict[str, dict[str, Any]] = {}
        self._gateways_made = 0

    def _attached(self, aspect: str, resource_id: str) -> list[GroupRecord]:
        """Groups the resource is attached to, or being attached to."""
        groups = []
        for group in self._state.groups.values():
            change = self._state.pending((group.id, aspect))
            being_attached = change is not None and change.label == resource_id
            if being_attached or getattr(group, _KEYS[aspect]) == resource_id:
                groups.append(group)
        return groups

    # -- gateways ----------------------------------------------------------------------------

    def create_gateway(
        self, name: str, network_id: str, address_mode: str, region_code: str
    ) -> dict[str, Any]:
        state = self._state
        with state.locked():
            now = state.clock.now()
            gateway_id = state.new_id()
            n = self._gateways_made
            self._gateways_made += 1
            record: dict[str, Any] = {
                "id": gateway_id,
                "record_type": "private_wireless_gateway",
                "name": name,
                "network_id": network_id,
                "status": _gateway_status("provisioning"),
                "ip_range": f"172.{16 + n // 256 % 16}.{n % 256}.0/24",
                "region_code": region_code,
                "address_mode": address_mode,
                "created_at": iso(now),
                "updated_at": iso(now),
            }
            self.gateways[gateway_id] = record

            def provisioned(when: float) -> None:
                record["status"] = _gateway_status("provisioned")
                record["updated_at"] = iso(when)

            state.schedule((gateway_id, "gateway"), Change(now + state.action_delay, provisioned))
            return self._gateway_wire(record)

    def _gateway_wire(self, record: dict[str, Any]) -> dict[str, Any]:
        groups = self._attached("gateway", record["id"])
        assigned = [{"count": len(groups), "record_type": "sim_card_group"}]
        body = dict(record)
        body["assigned_resources"] = assigned
        return body

    def gateway(self, gateway_id: str) -> dict[str, Any]:
        with self._state.locked():
            record = self._state.lookup(self.gateways, gateway_id, _NOUNS["gateway"])
            return self._gateway_wire(record)

    def gateways_matching(self, filters: Mapping[str, str]) -> list[dict[str, Any]]:
        """The gateways whose fields equal every filter given, oldest first."""
        with self._state.locked():
            return [
                self._gateway_wire(g)
                for g in self.gateways.values()
                if all(g[field] == value for field, value in filters.items())
            ]

    def delete_gateway(self, gateway_id: str) -> dict[str, Any]:
        state = self._state
        with state.locked():
            record = state.lookup(self.gateways, gateway_id, _NOUNS["gateway"])
            self._refuse_if_attached("gateway", gateway_id)
            now = state.clock.now()
            record["status"] = _gateway_status("decommissioning")
            record["updated_at"] = iso(now)

            def gone(_when: float) -> None:
                self.gateways.pop(gateway_id, None)

            state.schedule((gateway_id, "gateway"), Change(now + state.action_delay, gone))
            return self._gateway_wire(record)

    def _refuse_if_attached(self, aspect: str, resource_id: str) -> None:
        groups = self._attached(aspect, resource_id)
        if groups:
            raise ApiProblem.single(
                422,
                "10015",
                f"{_NOUNS[aspect]} {resource_id} is assigned to SIM card group {groups[0].id}; "
                f"remove it from the group first.",
            )

    # -- blocklists --------------------------------------------------------------------------

    def create_blocklist(self, name: str, kind: str, values: Sequence[str]) -> dict[str, Any]:
        state = self._state
        with state.locked():
            _check_values(kind, values)
            now = iso(state.clock.now())
            blocklist_id = state.new_id()
            record = {
                "id": blocklist_id,
                "record_type": "wireless_blocklist",
                "name": name,
                "type": kind,
                "values": list(values),
                "created_at": now,
                "updated_at": now,
            }
            self.blocklists[blocklist_id] = record
            return dict(record)

    def blocklist(self, blocklist_id: str) -> dict[str, Any]:
        return dict(self._state.lookup(self.blocklists, blocklist_id, _NOUNS["blocklist"]))

    def blocklists_matching(self, name: str | None, kind: str | None) -> list[dict[str, Any]]:
        with self._state.locked():
            return [
                dict(b)
                for b in self.blocklists.values()
                if (name is None or b["name"] == name) and (kind is None or b["type"] == kind)
            ]

    def update_blocklist(
        self, blocklist_id: str, name: str | None, values: Sequence[str] | None
    ) -> dict[str, Any]:
        state = self._state
        with state.locked():
            record = state.lookup(self.blocklists, blocklist_id, _NOUNS["blocklist"])
            if values is not None:
                _check_values(record["type"], values)
                record["values"] = list(values)
            if name is not None:
                record["name"] = name
            record["updated_at"] = iso(state.clock.now())
            return dict(record)

    def delete_blocklist(self, blocklist_id: str) -> dict[str, Any]:
        with self._state.locked():
            record = self._state.lookup(self.blocklists, blocklist_id, _NOUNS["blocklist"])
            self._refuse_if_attached("blocklist", blocklist_id)
            del self.blocklists[blocklist_id]
            return dict(record)

    # -- group actions -----------------------------------------------------------------------

    def start_group_action(
        self, group_id: str, action_type: str, target_id: str | None
    ) -> dict[str, Any]:
        """Attach (``target_id``) or detach a gateway or blocklist; 404 for an unknown group,
        422 for an unknown or unready target or nothing to remove (CONTRACT.md section 5.5)."""
        state = self._state
        aspect, key, setting = _GROUP_ACTIONS[action_type]
        with state.locked():
            group = state.group(group_id)
            current: str | None = getattr(group, key)
            if setting:
                assert target_id is not None
                self._check_target(aspect, target_id)
            elif current is None:
                detail = f"SIM card group {group_id} has no {_NOUNS[aspect]} to remove."
                raise ApiProblem.single(422, "10015", detail)
            now = state.clock.now()
            action: dict[str, Any] = {
                "id": state.new_id(),
                "record_type": "sim_card_group_action",
                "sim_card_group_id": group_id,
                "type": action_type,
                "status": "in-progress",
                "settings": {key: target_id if setting else current},
                "created_at": iso(now),
                "updated_at": iso(now),
            }
            self.group_actions[action["id"]] = action
            value = target_id if setting else None

            def settle(when: float) -> None:
                setattr(group, key, value)
                group.updated_at = iso(when)
                action["status"] = "completed"
                action["updated_at"] = iso(when)

            # The group action statuses have no "interrupted": a later action on the same
            # attachment completes this one at once, then takes over.
            change = Change(now + state.action_delay, settle, settle, label=value or "")
            state.schedule((group_id, aspect), change)
            return action

    def _check_target(self, aspect: str, target_id: str) -> None:
        table = self.gateways if aspect == "gateway" else self.blocklists
        record = table.get(target_id)
        problem = None
        if record is None:
            problem = f"{_NOUNS[aspect]} {target_id} does not exist."
        elif aspect == "gateway" and record["status"]["value"] != "provisioned":
            problem = f"{_NOUNS[aspect]} {target_id} is {record['status']['value']}."
        if problem is not None:
            code = "10017" if record is None else "10015"
            raise ApiProblem.single(422, code, problem, pointer=f"/{_KEYS[aspect]}")

    def group_action(self, action_id: str) -> dict[str, Any]:
        return self._state.lookup(self.group_actions, action_id, "SIM card group action")

    def group_actions_matching(
        self, group_id: str | None, status: str | None, kind: str | None
    ) -> list[dict[str, Any]]:
        """The group actions matching every filter given, newest first."""
        with self._state.locked():
            return [
                a
                for a in reversed(self.group_actions.values())
                if (group_id is None or a["sim_card_group_id"] == group_id)
                and (status is None or a["status"] == status)
                and (kind is None or a["type"] == kind)
            ]


def _gateway_status(value: str) -> dict[str, Any]:
    return {"value": value, "error_code": None, "error_description": None}


def _check_values(kind: str, values: Sequence[str]) -> None:
    if not values:
        detail = "values must hold at least one value to block."
        raise ApiProblem.single(422, "10015", detail, pointer="/values")
    allowed = set(blocklist_values(kind))
    for index, value in enumerate(values):
        if value not in allowed:
            raise ApiProblem.single(
                422,
                "10015",
                f"{value!r} is not a {kind} value a wireless blocklist can hold; "
                f"GET /wireless_blocklist_values?type={kind} lists them.",
                pointer=f"/values/{index}",
            )
