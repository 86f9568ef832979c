"""Pydantic v2 models of the wire objects (CONTRACT.md section 6), lenient like the official SDK.

Every field is optional and enum-like fields are plain strings, so a value the contract does not
know (a new status, an unknown unit) reaches the frames, where it is kept raw and reported, instead
of failing validation here. Unknown fields are kept (``extra="allow"``) so new API fields reach the
frames too. Amounts stay the decimal *strings* the API sends.
"""

from __future__ import annotations

import re
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, field_validator

__all__ = [
    "KNOWN_STATUSES",
    "ActionStatus",
    "ApiErrorObject",
    "CodeValidation",
    "DataAmount",
    "DataUsageNotification",
    "DeviceLocation",
    "ErrorSource",
    "Money",
    "PaginationMeta",
    "RegisterResponse",
    "SimCard",
    "SimCardAction",
    "SimCardGroup",
    "SimCardStatus",
    "UsageRecord",
    "WdrDataAmount",
]

#: Values of ``status.value`` in the contract (section 6.2).
SIM_STATUSES = (
    "registering",
    "enabling",
    "enabled",
    "disabling",
    "disabled",
    "data_limit_exceeded",
    "setting_standby",
    "standby",
)
#: The statuses a frame knows: the contract's values and ``unauthorized_imei``, which the list
#: filter accepts although the value enum lacks it (CONTRACT.md 6.2).
KNOWN_STATUSES = (*SIM_STATUSES, "unauthorized_imei")
#: Statuses a SIM passes through while an action is in progress.
TRANSITIONAL_STATUSES = frozenset({"registering", "enabling", "disabling", "setting_standby"})
#: What ``filter[status]`` accepts on ``GET /sim_cards`` (note ``unauthorized_imei``).
FILTER_STATUSES = ("enabled", "disabled", "standby", "data_limit_exceeded", "unauthorized_imei")
#: Statuses a registration may ask for.
REGISTER_STATUSES = ("enabled", "disabled", "standby")
SIM_TYPES = ("physical", "esim")

#: How ``invalid_detail`` says a registration code was already used.
ALREADY_USED_PHRASES = ("already been used", "already used", "already registered")
_POINTER_INDEX = re.compile(r"^/registration_codes/(\d+)$")


class WireModel(BaseModel):
    """Base of every wire model: unknown fields kept, no coercion surprises."""

    model_config = ConfigDict(extra="allow", populate_by_name=True)


def _amount_to_str(value: Any) -> Any:
    # The API sends decimal strings; a number (seen in other Telnyx objects) is kept as its text.
    if isinstance(value, bool):
        return value
    if isinstance(value, int | float):
        return repr(value) if isinstance(value, float) else str(value)
    return value


class DataAmount(WireModel):
    """``{amount, unit}`` with ``amount`` a decimal string such as ``"2048.0"``."""

    amount: str | None = None
    unit: str | None = None

    _coerce_amount = field_validator("amount", mode="before")(_amount_to_str)


class SimCardStatus(WireModel):
    value: str | None = None
    reason: str | None = None


class DeviceLocation(WireModel):
    latitude: str | None = None
    longitude: str | None = None
    accuracy: int | None = None
    accuracy_unit: str | None = None

    _coerce = field_validator("latitude", "longitude", mode="before")(_amount_to_str)


class SimCard(WireModel):
    """A SIM card in its list/register form; the full form (``GET /sim_cards/{id}``) adds the
    device and session fields at the end."""

    id: str | None = None
    record_type: str | None = None
    status: SimCardStatus | None = None
    type: str | None = None
    iccid: str | None = None
    imsi: str | None = None
    msisdn: str | None = None
    sim_card_group_id: str | None = None
    tags: list[str] | None = None
    authorized_imeis: list[str] | None = None
    data_limit: DataAmount | None = None
    current_billing_period_consumed_data: DataAmount | None = None
    actions_in_progress: bool | None = None
    resources_with_in_progress_actions: list[Any] | None = None
    eid: str | None = None
    esim_installation_status: str | None = None
    version: str | None = None
    voice_enabled: bool | None = None
    created_at: str | None = None
    updated_at: str | None = None
    # Full form only.
    current_device_location: DeviceLocation | None = None
    current_imei: str | None = None
    current_mcc: str | None = None
    current_mnc: str | None = None
    ipv4: str | None = None
    ipv6: str | None = None
    live_data_session: str | None = None
    pin_puk_codes: dict[str, Any] | None = None


class ErrorSource(WireModel):
    pointer: str | None = None
    parameter: str | None = None


class ApiErrorObject(WireModel):
    """One entry of Telnyx's ``errors`` list."""

    code: str | None = None
    title: str | None = None
    detail: str | None = None
    source: ErrorSource | None = None
    meta: dict[str, Any] | None = None

    _coerce_code = field_validator("code", mode="before")(_amount_to_str)

    @property
    def registration_index(self) -> int | None:
        """The index in ``registration_codes`` this error points at, if it points at one."""
        pointer = self.source.pointer if self.source else None
        match = _POINTER_INDEX.match(pointer or "")
        return int(match.group(1)) if match else None


class RegisterResponse(WireModel):
    """The body of ``POST /actions/register/sim_cards``: a 202 may carry both."""

    data: list[SimCard] = Field(default_factory=list)
    errors: list[ApiErrorObject] = Field(default_factory=list)


class CodeValidation(WireModel):
    record_type: str | None = None
    registration_code: str | None = None
    valid: bool | None = None
    invalid_detail: str | None = None

    @property
    def already_used(self) -> bool:
        """True when the API refused the code because it was already used (registered).

        The contract gives one example, "This code has already been used."; the match is on
        the phrases in ``ALREADY_USED_PHRASES``, case-insensitively.
        """
        text = (self.invalid_detail or "").lower()
        return self.valid is False and any(p in text for p in ALREADY_USED_PHRASES)


class SimCardGroup(WireModel):
    id: str | None = None
    record_type: str | None = None
    name: str | None = None
    default: bool | None = None
    data_limit: DataAmount | None = None
    consumed_data: DataAmount | None = None
    private_wireless_gateway_id: str | None = None
    wireless_blocklist_id: str | None = None
    sim_card_count: int | None = None
    created_at: str | None = None
    updated_at: str | None = None


class DataUsageNotification(WireModel):
    """A data usage notification (``/sim_card_data_usage_notifications``, CONTRACT.md 5.6): the
    account is alerted when the SIM's consumption this period reaches ``threshold``."""

    id: str | None = None
    record_type: str | None = None
    sim_card_id: str | None = None
    threshold: DataAmount | None = None
    created_at: str | None = None
    updated_at: str | None = None


class ActionStatus(WireModel):
    value: str | None = None
    reason: str | None = None


class SimCardAction(WireModel):
    id: str | None = None
    record_type: str | None = None
    sim_card_id: str | None = None
    action_type: str | None = None
    settings: dict[str, Any] | None = None
    status: ActionStatus | None = None
    created_at: str | None = None
    updated_at: str | None = None


class PaginationMeta(WireModel):
    page_number: int | None = None
    page_size: int | None = None
    total_pages: int | None = None
    total_results: int | None = None


class WdrDataAmount(WireModel):
    """A WDR amount: a *number* (unlike SIM amounts), unit ``B``, ``KB`` or ``MB``."""

    amount: float | None = None
    unit: str | None = None


class Money(WireModel):
    amount: str | None = None
    currency: str | None = None

    _coerce_amount = field_validator("amount", mode="before")(_amount_to_str)


class UsageRecord(WireModel):
    """A wireless detail record from ``GET /reports/wdrs``."""

    id: str | None = None
    record_type: str | None = None
    created_at: str | None = None
    duration_seconds: float | None = None
    sim_card_id: str | None = None
    sim_group_id: str | None = None
    sim_group_name: str | None = None
    imsi: str | None = None
    mcc: str | None = None
    mnc: str | None = None
    phone_number: str | None = None
    uplink_data: WdrDataAmount | None = None
    downlink_data: WdrDataAmount | None = None
    rate: Money | None = None
    cost: Money | None = None
