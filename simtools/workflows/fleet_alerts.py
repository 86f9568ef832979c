"""The ``alerts`` extra of ``fleet_frame``: each SIM's data usage notification thresholds."""

from __future__ import annotations

from typing import TYPE_CHECKING

import pandas as pd

from simtools.frames.notifications import data_usage_notifications_frame, with_alerts

if TYPE_CHECKING:
    from simtools.client import SimClient

__all__ = ["join_alerts"]


def join_alerts(client: SimClient, fleet: pd.DataFrame) -> pd.DataFrame:
    """``fleet`` with ``alert_mb`` and ``alert_ids`` (``FLEET_ALERTS``): every notification of the
    account is listed (all pages, one request per 250) and matched to the fleet's SIMs."""
    notifications = data_usage_notifications_frame(client.list_data_usage_notifications())
    return with_alerts(fleet, notifications)
