"""What the network knows of each SIM (device, public IP, connectivity logs), the voice and public
IP actions of one SIM, and the bulk actions over many.

Retries follow what a repeat would do: enabling or disabling voice sets a target state, so it is
retried like a read; setting a public IP is charged and removing one is refused once done, and
a bulk action creates a record, so those are sent again only while nothing reached the server
(an unknown outcome is a ``TransportError`` or ``ServerError``: read the SIM or the bulk
actions back before trying again).
"""

from __future__ import annotations

from typing import Any

from simtools.client.paging import PagedClient
from simtools.inputs.arguments import check_uuid, check_uuids
from simtools.inputs.wireless_arguments import check_choice, check_region_code, check_text
from simtools.models import SimCardAction
from simtools.wireless_models import BulkSimCardAction, ConnectivityLog, DeviceDetails, PublicIp

__all__ = ["BULK_ACTION_TYPES", "SimDataVerbs"]

#: ``filter[action_type]`` of ``GET /bulk_sim_card_actions``.
BULK_ACTION_TYPES = ("bulk_disable_voice", "bulk_enable_voice", "bulk_set_public_ips")


class SimDataVerbs(PagedClient):
    """Per-SIM reads, voice and public IP actions, bulk actions."""

    # -- what the network knows of a SIM ------------------------------------------------------

    def get_device_details(self, sim_card_id: str) -> DeviceDetails:
        """The device the SIM is in (brand, model, type, operating system, IMEI)."""
        sid = check_uuid(sim_card_id, "sim_card_id")
        details = self._data(self._call("GET", f"sim_cards/{sid}/device_details"), DeviceDetails)
        # The answer does not name the SIM; the request does.
        details.sim_card_id = sid
        return details

    def get_public_ip(self, sim_card_id: str) -> PublicIp:
        """The SIM's public IP (``ip`` is None until provisioned); ``NotFoundError`` when the
        SIM has none."""
        sid = check_uuid(sim_card_id, "sim_card_id")
        return self._data(self._call("GET", f"sim_cards/{sid}/public_ip"), PublicIp)

    def list_connectivity_logs(self, sim_card_id: str) -> list[ConnectivityLog]:
        """Every wireless connectivity log of the SIM (registrations and data sessions), all
        pages, in the order the API sends them."""
        sid = check_uuid(sim_card_id, "sim_card_id")
        return self._collect(f"sim_cards/{sid}/wireless_connectivity_logs", {}, ConnectivityLog)

    # -- voice and public IP of one SIM -------------------------------------------------------

    def enable_voice(self, sim_card_id: str, *, connection_id: str | None = None) -> SimCardAction:
        """Start enabling voice (with a mobile voice connection, if given); the action (202)."""
        sid = check_uuid(sim_card_id, "sim_card_id")
        body: dict[str, Any] = {}
        if connection_id is not None:
            body["connection_id"] = check_text(
                connection_id, "connection_id", "e.g. connection_id='1293384261075731499'"
            )
        response = self._call("POST", f"sim_cards/{sid}/actions/enable_voice", json_body=body)
        return self._data(response, SimCardAction)

    def disable_voice(self, sim_card_id: str) -> SimCardAction:
        """Start disabling voice; the action (202)."""
        sid = check_uuid(sim_card_id, "sim_card_id")
        response = self._call("POST", f"sim_cards/{sid}/actions/disable_voice")
        return self._data(response, SimCardAction)

    def set_public_ip(self, sim_card_id: str, *, region_code: str | None = None) -> SimCardAction:
        """Start giving the SIM a public IP (charged) in a region (``list_wireless_regions``
        names them; the API's default when None); the action (202)."""
        sid = check_uuid(sim_card_id, "sim_card_id")
        # region_code travels in the query (CONTRACT.md section 5.4).
        params = {"region_code": check_region_code(region_code)} if region_code else None
        response = self._call(
            "POST", f"sim_cards/{sid}/actions/set_public_ip", params=params, write=True
        )
        return self._data(response, SimCardAction)

    def remove_public_ip(self, sim_card_id: str) -> SimCardAction:
        """Start removing the SIM's public IP; the action (202)."""
        sid = check_uuid(sim_card_id, "sim_card_id")
        response = self._call("POST", f"sim_cards/{sid}/actions/remove_public_ip", write=True)
        return self._data(response, SimCardAction)

    # -- bulk actions -------------------------------------------------------------------------

    def bulk_enable_voice(
        self, sim_card_group_id: str, *, connection_id: str | None = None
    ) -> BulkSimCardAction:
        """Enable voice on every SIM of the group: one bulk action, one SIM card action each."""
        body: dict[str, Any] = {
            "sim_card_group_id": check_uuid(sim_card_group_id, "sim_card_group_id")
        }
        if connection_id is not None:
            body["connection_id"] = check_text(
                connection_id, "connection_id", "e.g. connection_id='1293384261075731499'"
            )
        response = self._call(
            "POST", "sim_cards/actions/bulk_enable_voice", json_body=body, write=True
        )
        return self._data(response, BulkSimCardAction)

    def bulk_disable_voice(self, sim_card_group_id: str) -> BulkSimCardAction:
        """Disable voice on every SIM of the group."""
        body = {"sim_card_group_id": check_uuid(sim_card_group_id, "sim_card_group_id")}
        response = self._call(
            "POST", "sim_cards/actions/bulk_disable_voice", json_body=body, write=True
        )
        return self._data(response, BulkSimCardAction)

    def bulk_set_public_ips(self, sim_card_ids: Any) -> BulkSimCardAction:
        """Give each SIM a public IP (charged; the API's default region)."""
        body = {"sim_card_ids": check_uuids(sim_card_ids, "sim_card_id")}
        response = self._call(
            "POST", "sim_cards/actions/bulk_set_public_ips", json_body=body, write=True
        )
        return self._data(response, BulkSimCardAction)

    def list_bulk_sim_card_actions(
        self, *, action_type: str | None = None
    ) -> list[BulkSimCardAction]:
        """Every bulk action (of that type), each with its ``sim_card_actions_summary``."""
        params: dict[str, str] = {}
        if action_type is not None:
            params["filter[action_type]"] = check_choice(
                action_type, "action_type", BULK_ACTION_TYPES
            )
        return self._collect("bulk_sim_card_actions", params, BulkSimCardAction)

    def get_bulk_sim_card_action(self, bulk_action_id: str) -> BulkSimCardAction:
        """One bulk action with its ``sim_card_actions_summary`` (counts per status)."""
        bid = check_uuid(bulk_action_id, "bulk_action_id")
        return self._data(self._call("GET", f"bulk_sim_card_actions/{bid}"), BulkSimCardAction)
