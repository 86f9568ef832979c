"""Wire models of usage history beyond WDRs: WDR report jobs, detail records, usage report
options, and one window of a usage report as the client read it (no pandas)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from simtools.models import WireModel

__all__ = [
    "DetailRecord",
    "UsageReportOption",
    "UsageReportProduct",
    "UsageReportWindow",
    "WdrReport",
]


class WdrReport(WireModel):
    """A WDR report job (SDK ``WdrReport``): ``pending`` until its CSV is at ``report_url``.

    ``report_url`` is a link to the file that needs no key (pre-signed on the real API), so it is
    left out of the repr."""

    id: str | None = None
    record_type: str | None = None
    status: str | None = None
    start_time: str | None = None
    end_time: str | None = None
    report_url: str | None = None
    created_at: str | None = None
    updated_at: str | None = None

    def __repr_args__(self) -> Any:
        return [(k, v) for k, v in super().__repr_args__() if k != "report_url"]


class DetailRecord(WireModel):
    """A wireless detail record of ``GET /detail_records`` (SDK ``SimCardUsageDetailRecord``):
    data as plain numbers in ``data_unit`` (MB), ``data_cost`` a number in ``currency``."""

    id: str | None = None
    record_type: str | None = None
    created_at: str | None = None
    closed_at: str | None = None
    sim_card_id: str | None = None
    sim_card_tags: str | None = None
    sim_group_id: str | None = None
    sim_group_name: str | None = None
    imsi: str | None = None
    mcc: str | None = None
    mnc: str | None = None
    phone_number: str | None = None
    ip_address: str | None = None
    uplink_data: float | None = None
    downlink_data: float | None = None
    data_unit: str | None = None
    data_rate: str | None = None
    data_cost: float | None = None
    currency: str | None = None


class UsageReportOption(WireModel):
    """A product's record type and its dimensions and metrics."""

    record_type: str | None = None
    product_dimensions: list[str] | None = None
    product_metrics: list[str] | None = None


class UsageReportProduct(WireModel):
    """One product of ``GET /usage_reports/options``."""

    product: str | None = None
    product_dimensions: list[str] | None = None
    product_metrics: list[str] | None = None
    record_types: list[UsageReportOption] | None = None


@dataclass(frozen=True)
class UsageReportWindow:
    """One query of a usage report: its window ``[start, end)`` (UTC) and every row of it (the
    API's free-form objects, as sent)."""

    start: dt.datetime
    end: dt.datetime
    rows: list[dict[str, Any]]
