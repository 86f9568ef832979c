"""Every wireless frame built from a sandbox over real HTTP, with the contracts declaring its
columns: what ``tests/test_contracts.py`` checks and round-trips."""

from __future__ import annotations

import pandas as pd

import simtools
from simtools.client import SimClient
from simtools.frames import contracts as c
from simtools.frames import wireless_contracts as wc
from simtools.frames import wireless_frames as w
from simtools.frames.schema import FrameContract
from simtools.sandbox import Sandbox
from simtools.workflows.esim_onboarding import onboard_esims
from simtools.workflows.wireless_extras import (
    fetch_connectivity_logs,
    fetch_device_details,
    fetch_public_ips,
)

Built = dict[str, tuple[pd.DataFrame, tuple[FrameContract, ...]]]
NETWORK = "5b1d5c9e-8d1b-4d52-9f55-5c8f0d1b0a11"


def _changes(sb: Sandbox, client: SimClient, sims: list[str]) -> str:
    """Public IPs, a bulk action, a gateway and a blocklist on a new group; the group's id."""
    client.set_public_ip(sims[0], region_code="am2")
    client.bulk_set_public_ips(sims[1:3])
    group = client.create_sim_card_group("Wireless frames")
    assert group.id is not None
    gateway = client.create_private_wireless_gateway("Frames gateway", NETWORK)
    blocklist = client.create_wireless_blocklist("Frames blocklist", "mcc", ["310", "302"])
    assert gateway.id is not None
    assert blocklist.id is not None
    client.set_wireless_blocklist(group.id, blocklist.id)
    sb.advance()  # the gateway is provisioned
    client.set_private_wireless_gateway(group.id, gateway.id)
    sb.advance()
    return group.id


def wireless_built(sb: Sandbox, client: SimClient) -> Built:
    """The wireless frames of the sandbox (which this changes: IPs, groups, orders, eSIMs)."""
    fleet = simtools.fleet_frame(client, progress=False)
    sims = fleet[fleet["status"] == "enabled"]["id"].head(6).astype(str).tolist()
    _changes(sb, client, sims)
    address = next(iter(sb.state.orders.addresses))
    client.create_sim_card_order(address, 3)
    onboarding = onboard_esims(client, 2, tags=["frames"])
    extras = simtools.fleet_frame(
        client, include=["device", "public_ip", "last_seen"], progress=False
    )
    return {
        "connectivity_logs": (fetch_connectivity_logs(client, sims), (wc.CONNECTIVITY_LOGS,)),
        "mobile_network_operators": (
            w.mobile_network_operators_frame(client.list_mobile_network_operators()),
            (wc.MOBILE_NETWORK_OPERATORS,),
        ),
        "device_details": (fetch_device_details(client, sims), (wc.DEVICE_DETAILS,)),
        "public_ips": (fetch_public_ips(client, sims), (wc.PUBLIC_IPS,)),
        "sim_card_actions": (
            w.sim_card_actions_frame(client.list_sim_card_actions()),
            (wc.SIM_CARD_ACTIONS,),
        ),
        "bulk_sim_card_actions": (
            w.bulk_sim_card_actions_frame(client.list_bulk_sim_card_actions()),
            (wc.BULK_SIM_CARD_ACTIONS,),
        ),
        "sim_card_group_actions": (
            w.sim_card_group_actions_frame(client.list_sim_card_group_actions()),
            (wc.SIM_CARD_GROUP_ACTIONS,),
        ),
        "private_wireless_gateways": (
            w.private_wireless_gateways_frame(client.list_private_wireless_gateways()),
            (wc.PRIVATE_WIRELESS_GATEWAYS,),
        ),
        "wireless_blocklists": (
            w.wireless_blocklists_frame(client.list_wireless_blocklists()),
            (wc.WIRELESS_BLOCKLISTS,),
        ),
        "sim_card_orders": (
            w.sim_card_orders_frame(client.list_sim_card_orders()),
            (wc.SIM_CARD_ORDERS,),
        ),
        "esim_onboarding": (onboarding.frame, (wc.ESIM_ONBOARDING,)),
        "fleet with device, public_ip, last_seen": (
            extras,
            (c.FLEET, wc.DEVICE_DETAILS, wc.PUBLIC_IPS, wc.LAST_SEEN),
        ),
    }
