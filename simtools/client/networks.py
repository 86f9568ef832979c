"""Private networks of SIM card groups: group actions (attach or detach a private wireless gateway
or a wireless blocklist), the gateways, and the blocklists with their possible values.

Attaching sets a target, so it is retried like a read; creating, detaching and deleting are sent
again only while nothing reached the server (a repeat would make a second resource, or be
refused because the first one already did the work).
"""

from __future__ import annotations

from typing import Any

from simtools.client.paging import PagedClient
from simtools.errors import InvalidInputError
from simtools.inputs.arguments import check_uuid
from simtools.inputs.wireless_arguments import (
    BLOCKLIST_TYPES,
    check_blocklist_values,
    check_choice,
    check_region_code,
    check_text,
)
from simtools.wireless_models import (
    BlocklistValue,
    PrivateWirelessGateway,
    SimCardGroupAction,
    WirelessBlocklist,
)

__all__ = ["GROUP_ACTION_STATUSES", "GROUP_ACTION_TYPES", "NetworkVerbs"]

GROUP_ACTION_TYPES = (
    "set_private_wireless_gateway",
    "remove_private_wireless_gateway",
    "set_wireless_blocklist",
    "remove_wireless_blocklist",
)
GROUP_ACTION_STATUSES = ("in-progress", "completed", "failed")
_ADDRESS_MODES = ("static", "dynamic")


class NetworkVerbs(PagedClient):
    """Group actions, private wireless gateways, wireless blocklists."""

    # -- group actions ------------------------------------------------------------------------

    def _group_action(
        self, group_id: str, action: str, body: dict[str, Any] | None, *, write: bool
    ) -> SimCardGroupAction:
        gid = check_uuid(group_id, "sim_card_group_id")
        response = self._call(
            "POST", f"sim_card_groups/{gid}/actions/{action}", json_body=body, write=write
        )
        return self._data(response, SimCardGroupAction)

    def set_private_wireless_gateway(
        self, sim_card_group_id: str, private_wireless_gateway_id: str
    ) -> SimCardGroupAction:
        """Route the group's data through the gateway; the group action (202)."""
        target = check_uuid(private_wireless_gateway_id, "private_wireless_gateway_id")
        body = {"private_wireless_gateway_id": target}
        return self._group_action(
            sim_card_group_id, "set_private_wireless_gateway", body, write=False
        )

    def remove_private_wireless_gateway(self, sim_card_group_id: str) -> SimCardGroupAction:
        return self._group_action(
            sim_card_group_id, "remove_private_wireless_gateway", None, write=True
        )

    def set_wireless_blocklist(
        self, sim_card_group_id: str, wireless_blocklist_id: str
    ) -> SimCardGroupAction:
        """Keep the group's SIMs off the blocklist's networks; the group action (202)."""
        body = {"wireless_blocklist_id": check_uuid(wireless_blocklist_id, "wireless_blocklist_id")}
        return self._group_action(sim_card_group_id, "set_wireless_blocklist", body, write=False)

    def remove_wireless_blocklist(self, sim_card_group_id: str) -> SimCardGroupAction:
        return self._group_action(sim_card_group_id, "remove_wireless_blocklist", None, write=True)

    def list_sim_card_group_actions(
        self,
        *,
        sim_card_group_id: str | None = None,
        status: str | None = None,
        type: str | None = None,
    ) -> list[SimCardGroupAction]:
        """Every group action matching the filters."""
        params: dict[str, str] = {}
        if sim_card_group_id is not None:
            params["filter[sim_card_group_id]"] = check_uuid(sim_card_group_id, "sim_card_group_id")
        if status is not None:
            params["filter[status]"] = check_choice(status, "status", GROUP_ACTION_STATUSES)
        if type is not None:
            params["filter[type]"] = check_choice(type, "type", GROUP_ACTION_TYPES)
        return self._collect("sim_card_group_actions", params, SimCardGroupAction)

    def get_sim_card_group_action(self, action_id: str) -> SimCardGroupAction:
        aid = check_uuid(action_id, "action_id")
        return self._data(self._call("GET", f"sim_card_group_actions/{aid}"), SimCardGroupAction)

    # -- private wireless gateways ------------------------------------------------------------

    def create_private_wireless_gateway(
        self,
        name: str,
        network_id: str,
        *,
        region_code: str | None = None,
        address_mode: str | None = None,
    ) -> PrivateWirelessGateway:
        """A new gateway on the network (202: it is ``provisioning`` until ready)."""
        body: dict[str, Any] = {
            "name": check_text(name, "name", "e.g. name='factory gateway'"),
            "network_id": check_uuid(network_id, "network_id"),
        }
        if region_code is not None:
            body["region_code"] = check_region_code(region_code)
        if address_mode is not None:
            body["address_mode"] = check_choice(address_mode, "address_mode", _ADDRESS_MODES)
        response = self._call("POST", "private_wireless_gateways", json_body=body, write=True)
        return self._data(response, PrivateWirelessGateway)

    def list_private_wireless_gateways(
        self,
        *,
        name: str | None = None,
        region_code: str | None = None,
        ip_range: str | None = None,
    ) -> list[PrivateWirelessGateway]:
        params: dict[str, str] = {}
        for key, value in (("name", name), ("region_code", region_code), ("ip_range", ip_range)):
            if value is not None:
                params[f"filter[{key}]"] = check_text(value, key, f"e.g. {key}='...'")
        return self._collect("private_wireless_gateways", params, PrivateWirelessGateway)

    def get_private_wireless_gateway(self, gateway_id: str) -> PrivateWirelessGateway:
        gid = check_uuid(gateway_id, "private_wireless_gateway_id")
        return self._data(
            self._call("GET", f"private_wireless_gateways/{gid}"), PrivateWirelessGateway
        )

    def delete_private_wireless_gateway(self, gateway_id: str) -> PrivateWirelessGateway:
        """Start removing the gateway (``decommissioning``); a group still using it is an
        error."""
        gid = check_uuid(gateway_id, "private_wireless_gateway_id")
        response = self._call("DELETE", f"private_wireless_gateways/{gid}", write=True)
        return self._data(response, PrivateWirelessGateway)

    # -- wireless blocklists ------------------------------------------------------------------

    def create_wireless_blocklist(self, name: str, type: str, values: Any) -> WirelessBlocklist:
        """A new blocklist of ``type`` (``country``, ``mcc`` or ``plmn``) holding ``values``."""
        kind = check_choice(type, "type", BLOCKLIST_TYPES)
        body = {
            "name": check_text(name, "name", "e.g. name='no roaming'"),
            "type": kind,
            "values": check_blocklist_values(values, kind),
        }
        response = self._call("POST", "wireless_blocklists", json_body=body, write=True)
        return self._data(response, WirelessBlocklist)

    def list_wireless_blocklists(
        self, *, name: str | None = None, type: str | None = None
    ) -> list[WirelessBlocklist]:
        params: dict[str, str] = {}
        if name is not None:
            params["filter[name]"] = check_text(name, "name", "e.g. name='no roaming'")
        if type is not None:
            params["filter[type]"] = check_choice(type, "type", BLOCKLIST_TYPES)
        return self._collect("wireless_blocklists", params, WirelessBlocklist)

    def get_wireless_blocklist(self, blocklist_id: str) -> WirelessBlocklist:
        bid = check_uuid(blocklist_id, "wireless_blocklist_id")
        return self._data(self._call("GET", f"wireless_blocklists/{bid}"), WirelessBlocklist)

    def update_wireless_blocklist(
        self, blocklist_id: str, *, name: str | None = None, values: Any = None
    ) -> WirelessBlocklist:
        """Rename the blocklist or replace its values."""
        bid = check_uuid(blocklist_id, "wireless_blocklist_id")
        body: dict[str, Any] = {}
        if name is not None:
            body["name"] = check_text(name, "name", "e.g. name='no roaming'")
        if values is not None:
            body["values"] = check_blocklist_values(values)
        if not body:
            raise InvalidInputError(None, "nothing to update", "pass name= or values=")
        response = self._call("PATCH", f"wireless_blocklists/{bid}", json_body=body)
        return self._data(response, WirelessBlocklist)

    def delete_wireless_blocklist(self, blocklist_id: str) -> None:
        """Delete the blocklist (the API answers 204 with no body); a group still using it is an
        error."""
        bid = check_uuid(blocklist_id, "wireless_blocklist_id")
        self._call("DELETE", f"wireless_blocklists/{bid}", write=True)

    def list_wireless_blocklist_values(self, type: str) -> list[BlocklistValue]:
        """Every value a blocklist of ``type`` may hold (not paginated)."""
        kind = check_choice(type, "type", BLOCKLIST_TYPES)
        response = self._call("GET", "wireless_blocklist_values", params={"type": kind})
        return self._data_list(response, BlocklistValue)
