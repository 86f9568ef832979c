"""The frame contracts of the wireless API beyond SIM cards and groups: connectivity logs and the
operators they name, device details, public IPs, SIM card, bulk and group actions, gateways,
blocklists, orders, eSIM onboarding, and what ``fleet_frame(include=...)`` joins on.

:mod:`simtools.frames.contracts` adds these to ``CONTRACTS`` (and checks, when it loads, that a
column name means one thing in every family). A wire object's ``record_type`` is read but not
kept: a frame holds one kind of object. Names that would mean another thing elsewhere are
prefixed (a blocklist's ``type`` is ``blocklist_type``, an order's ``status`` ``order_status``)
(pure).
"""

from __future__ import annotations

from simtools.frames.schema import Column, FrameContract
from simtools.models import KNOWN_STATUSES

__all__ = [
    "ACTION_STATUSES",
    "ACTION_TYPES",
    "BULK_SIM_CARD_ACTIONS",
    "CODE_STATES",
    "CONNECTIVITY_LOGS",
    "DEVICE_DETAILS",
    "ESIM_ONBOARDING",
    "INSTALLATION_STATES",
    "LAST_SEEN",
    "MOBILE_NETWORK_OPERATORS",
    "PRIVATE_WIRELESS_GATEWAYS",
    "PUBLIC_IPS",
    "SIM_CARD_ACTIONS",
    "SIM_CARD_GROUP_ACTIONS",
    "SIM_CARD_ORDERS",
    "WIRELESS_BLOCKLISTS",
    "WIRELESS_CONTRACTS",
]

#: What a SIM card action's ``action_type`` may be: the OpenAPI ``SIMCardAction`` values, then
#: the public IP actions, which the SDK's filter enum has and the API answers.
ACTION_TYPES = (
    "enable",
    "enable_standby_sim_card",
    "disable",
    "set_standby",
    "enable_voice",
    "disable_voice",
    "set_public_ip",
    "remove_public_ip",
)
#: What an action's status may be (SIM card and group actions); ``not started`` is simtools' own,
#: for an action the API refused.
ACTION_STATUSES = ("in-progress", "completed", "failed", "interrupted", "not started")
BULK_ACTION_TYPES = ("bulk_disable_voice", "bulk_enable_voice", "bulk_set_public_ips")
GROUP_ACTION_TYPES = (
    "set_private_wireless_gateway",
    "remove_private_wireless_gateway",
    "set_wireless_blocklist",
    "remove_wireless_blocklist",
)
#: Where an eSIM's profile is: ``pending`` while it waits on the SM-DP+ for a device
#: (``esim_installation_status`` released), ``installed`` once a device took it (any other
#: value: the activation code was used), ``unknown`` when the API says nothing.
INSTALLATION_STATES = ("pending", "installed", "unknown")
#: What simtools holds of an eSIM's activation code (never the code itself in a frame).
CODE_STATES = ("held", "used", "unavailable", "failed")


def _not_kept_record_type() -> Column:
    return Column("record_type", "string", kept=False)


def _times() -> tuple[Column, Column]:
    return Column("created_at", "time"), Column("updated_at", "time")


CONNECTIVITY_LOGS = FrameContract(
    "connectivity_logs",
    (
        Column("sim_card_id", "string"),
        Column("log_id", "int", "id"),
        Column("log_type", "category", categories=("registration", "data")),
        Column("log_state", "string", "state"),
        Column("start_time", "time"),
        Column("stop_time", "time"),
        Column("last_seen", "time"),
        Column.computed("duration_s", "float"),
        Column("mcc", "string", "mobile_country_code"),
        Column("mnc", "string", "mobile_network_code"),
        Column.computed("network_name", "string"),
        Column.computed("country_code", "string"),
        Column("radio_access_technology", "string"),
        Column("apn", "string"),
        Column("cell_id", "string"),
        Column("imei", "string"),
        Column("imsi", "string"),
        Column("ipv4", "string"),
        Column("ipv6", "string"),
        Column("created_at", "time"),
        _not_kept_record_type(),
    ),
    noun="connectivity log",
    label="sim_card_id",
)

MOBILE_NETWORK_OPERATORS = FrameContract(
    "mobile_network_operators",
    (
        Column("id", "string"),
        Column("network_name", "string", "name"),
        Column("country_code", "string"),
        Column("mcc", "string"),
        Column("mnc", "string"),
        Column("tadig", "string"),
        Column("network_preferences_enabled", "boolean"),
        _not_kept_record_type(),
    ),
    noun="mobile network operator",
)

DEVICE_DETAILS = FrameContract(
    "device_details",
    (
        Column("sim_card_id", "string"),
        Column("imei", "string"),
        Column("brand_name", "string"),
        Column("model_name", "string"),
        Column("device_type", "string"),
        Column("operating_system", "string"),
        _not_kept_record_type(),
    ),
    noun="device",
    label="sim_card_id",
)

PUBLIC_IPS = FrameContract(
    "public_ips",
    (
        Column("sim_card_id", "string"),
        Column("public_ip", "string", "ip"),
        Column("region_code", "string"),
        Column("ip_type", "category", "type", categories=("ipv4", "ipv6")),
        *_times(),
        _not_kept_record_type(),
    ),
    noun="public IP",
    label="sim_card_id",
)

#: ``GET /sim_card_actions`` as a table (the lifecycle outcome frame is ``ACTIONS``).
SIM_CARD_ACTIONS = FrameContract(
    "sim_card_actions",
    (
        Column("action_id", "string", "id"),
        Column("sim_card_id", "string"),
        Column("action_type", "category", categories=ACTION_TYPES),
        Column("action_status", "category", "status.value", categories=ACTION_STATUSES),
        Column("reason", "string", "status.reason"),
        Column("settings", "json"),
        *_times(),
        _not_kept_record_type(),
    ),
    noun="SIM card action",
    label="action_id",
)

BULK_SIM_CARD_ACTIONS = FrameContract(
    "bulk_sim_card_actions",
    (
        Column("id", "string"),
        Column("bulk_action_type", "category", "action_type", categories=BULK_ACTION_TYPES),
        Column.computed("sim_card_action_count", "int"),
        Column.computed("in_progress_count", "int"),
        Column.computed("completed_count", "int"),
        Column.computed("failed_count", "int"),
        Column.computed("interrupted_count", "int"),
        Column("settings", "json"),
        *_times(),
        Column("sim_card_actions_summary", "json", kept=False),
        _not_kept_record_type(),
    ),
    noun="bulk SIM card action",
)

SIM_CARD_GROUP_ACTIONS = FrameContract(
    "sim_card_group_actions",
    (
        Column("id", "string"),
        Column("sim_card_group_id", "string"),
        Column("group_action_type", "category", "type", categories=GROUP_ACTION_TYPES),
        Column("action_status", "category", "status", categories=ACTION_STATUSES),
        Column("private_wireless_gateway_id", "string", "settings.private_wireless_gateway_id"),
        Column("wireless_blocklist_id", "string", "settings.wireless_blocklist_id"),
        *_times(),
        _not_kept_record_type(),
    ),
    noun="SIM card group action",
)

PRIVATE_WIRELESS_GATEWAYS = FrameContract(
    "private_wireless_gateways",
    (
        Column("id", "string"),
        Column("name", "string"),
        Column(
            "gateway_status",
            "category",
            "status.value",
            categories=("provisioning", "provisioned", "failed", "decommissioning"),
        ),
        Column("gateway_error_code", "string", "status.error_code"),
        Column("gateway_error_description", "string", "status.error_description"),
        Column("network_id", "string"),
        Column("ip_range", "string"),
        Column("region_code", "string"),
        Column("address_mode", "category", categories=("static", "dynamic")),
        Column("assigned_resources", "json"),
        *_times(),
        _not_kept_record_type(),
    ),
    noun="private wireless gateway",
)

WIRELESS_BLOCKLISTS = FrameContract(
    "wireless_blocklists",
    (
        Column("id", "string"),
        Column("name", "string"),
        Column("blocklist_type", "category", "type", categories=("country", "mcc", "plmn")),
        Column("blocklist_values", "tuple", "values"),
        *_times(),
        _not_kept_record_type(),
    ),
    noun="wireless blocklist",
)

ORDER_STATUSES = ("pending", "processing", "ready_to_ship", "shipped", "delivered", "canceled")
_ADDRESS_KEYS = (
    "id",
    "business_name",
    "first_name",
    "last_name",
    "street_address",
    "extended_address",
    "locality",
    "administrative_area",
    "postal_code",
    "country_code",
)
SIM_CARD_ORDERS = FrameContract(
    "sim_card_orders",
    (
        Column("id", "string"),
        Column("quantity", "int"),
        Column(
            "order_status",
            "category",
            "status",
            categories=(
                "pending",
                "processing",
                "ready_to_ship",
                "shipped",
                "delivered",
                "canceled",
            ),
        ),
        Column("cost", "float", "cost.amount"),
        Column("cost_currency", "string", "cost.currency"),
        *(Column(f"order_address_{k}", "string", f"order_address.{k}") for k in _ADDRESS_KEYS),
        Column("tracking_url", "string"),
        *_times(),
        _not_kept_record_type(),
    ),
    noun="SIM card order",
)

#: ``EsimOnboarding.frame``: one row per bought eSIM, what became of it, never its code.
ESIM_ONBOARDING = FrameContract(
    "esim_onboarding",
    (
        Column.computed("sim_card_id", "string"),
        Column.computed("iccid", "string"),
        Column.computed("eid", "string"),
        Column.computed("status", "category", categories=KNOWN_STATUSES),
        Column.computed(
            "esim_installation_status", "category", categories=("released", "disabled")
        ),
        Column.computed("installation", "category", categories=INSTALLATION_STATES),
        Column.computed("activation_code", "category", categories=CODE_STATES),
        Column.computed("reason", "string"),
        Column.computed("sim_card_group_id", "string"),
        Column.computed("tags", "tuple"),
        Column.computed("created_at", "time"),
    ),
    noun="eSIM",
    label="sim_card_id",
)

#: What ``fleet_frame(include=["last_seen"])`` adds: the newest connectivity log's time and
#: network.
LAST_SEEN = FrameContract(
    "last_seen",
    (
        Column.computed("last_seen", "time"),
        Column.computed("last_seen_network", "string"),
        Column.computed("last_seen_country", "string"),
    ),
    label=None,
)

WIRELESS_CONTRACTS = (
    CONNECTIVITY_LOGS,
    MOBILE_NETWORK_OPERATORS,
    DEVICE_DETAILS,
    PUBLIC_IPS,
    SIM_CARD_ACTIONS,
    BULK_SIM_CARD_ACTIONS,
    SIM_CARD_GROUP_ACTIONS,
    PRIVATE_WIRELESS_GATEWAYS,
    WIRELESS_BLOCKLISTS,
    SIM_CARD_ORDERS,
    ESIM_ONBOARDING,
    LAST_SEEN,
)
