"""Every usage-history frame built from a sandbox over real HTTP, with the contracts declaring its
columns: what ``tests/test_contracts.py`` checks and round-trips. Two months of a small fleet
keep the files small; the anomaly thresholds are lowered so that they list rows."""

from __future__ import annotations

import pandas as pd

import simtools
from simtools.client import SimClient
from simtools.frames import history_contracts as hc
from simtools.frames.schema import FrameContract

Built = dict[str, tuple[pd.DataFrame, tuple[FrameContract, ...]]]


def history_built(client: SimClient, fleet: pd.DataFrame, now: pd.Timestamp) -> Built:
    """The history frames of the two months before ``now``."""
    start = now.normalize().replace(day=1) - pd.DateOffset(months=1)
    wdrs = simtools.wdr_history_frame(client.usage_records(start, now))
    week = now - pd.Timedelta(days=7)
    report = simtools.wdr_report_frame(client.wdr_report(week, now))
    details = simtools.detail_records_frame(client.detail_records(now - pd.Timedelta(days=2), now))
    reports = simtools.usage_report_frame(client.usage_reports(start, now), currency="USD")
    job = client.create_wdr_report(week, now)
    jobs = simtools.wdr_reports_frame(client.list_wdr_reports())
    client.delete_wdr_report(str(job.id))
    options = simtools.usage_report_options_frame(client.usage_report_options())
    lenient = {"threshold": 1.0, "min_factor": 1.2, "min_history": 3, "window": 7}
    sim = str(wdrs["sim_card_id"].iloc[0])
    return {
        "wdr history": (wdrs, (hc.USAGE_HISTORY,)),
        "wdr report history": (report, (hc.USAGE_HISTORY,)),
        "detail records history": (details, (hc.USAGE_HISTORY,)),
        "usage report history": (reports, (hc.USAGE_HISTORY,)),
        "history by day": (simtools.history_by_day(wdrs), (hc.USAGE_HISTORY,)),
        "wdr report jobs": (jobs, (hc.WDR_REPORTS,)),
        "usage report options": (options, (hc.USAGE_REPORT_OPTIONS,)),
        "cost by group": (simtools.cost_by(wdrs), (hc.COST_TOTALS,)),
        "cost by tag": (simtools.cost_by(wdrs, "tag", fleet=fleet), (hc.COST_TOTALS,)),
        "cost by sim": (simtools.cost_by(wdrs, "sim_card_id"), (hc.COST_TOTALS,)),
        "month over month": (simtools.month_over_month(wdrs, now=now), (hc.MONTH_OVER_MONTH,)),
        "bill forecast": (simtools.bill_forecast(wdrs, now=now), (hc.BILL_FORECAST,)),
        "bill forecast by group": (
            simtools.bill_forecast(wdrs, now=now, by="sim_group_name"),
            (hc.BILL_FORECAST,),
        ),
        "usage by network": (simtools.usage_by_network(wdrs), (hc.NETWORK_USAGE,)),
        "usage by country": (simtools.usage_by_network(wdrs, by="country"), (hc.NETWORK_USAGE,)),
        "roaming share": (simtools.roaming_share(wdrs, monthly=True), (hc.ROAMING_SHARE,)),
        "idle sims": (simtools.idle_sims(fleet, wdrs, days=3, now=now), (hc.IDLE_SIMS,)),
        "usage anomalies": (simtools.usage_anomalies(wdrs, **lenient), (hc.USAGE_ANOMALIES,)),
        "usage baseline": (simtools.usage_baseline(wdrs, sim, **lenient), (hc.USAGE_BASELINE,)),
    }
