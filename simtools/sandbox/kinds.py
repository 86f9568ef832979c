"""Device kinds of the synthetic fleet and how each one uses data over the week and the day.

A SIM's kind comes from its tags (``tracker``, ``meter``, ``vehicle``, ``pos``, ``sensor``,
``staff``), else from the group it was built in, else it is a generic ``device``. The tables are
indexed by kind and by weekday (Monday = 0) or UTC hour. The fleet's phone numbers are US ones, so
"daytime" is US daytime: roughly 13:00 to 03:00 UTC.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import numpy.typing as npt

__all__ = [
    "DURATION",
    "HOUR_CDF",
    "IDLE_MB_PER_DAY",
    "KINDS",
    "ROAM_SHARE",
    "SESSIONS",
    "SESSIONS_BEFORE",
    "SESSIONS_PER_WEEK",
    "UPLINK_SHARE",
    "VOLUME",
    "kind_of",
]

KINDS = ("tracker", "meter", "vehicle", "pos", "sensor", "staff", "device")
_GROUP_KINDS = {
    "Asset trackers": "tracker",
    "Smart meters": "meter",
    "Fleet telematics": "vehicle",
    "Retail POS": "pos",
    "Field sensors": "sensor",
}


def kind_of(tags: Sequence[str], group_name: str | None) -> int:
    """The kind index of a SIM with these tags in the group of this name."""
    for name in KINDS[:-1]:
        if name in tags:
            return KINDS.index(name)
    return KINDS.index(_GROUP_KINDS.get(group_name or "", "device"))


#: Sessions per day (before the SIM's own 1x or 2x multiplier), Monday to Sunday; never 0, so a
#: SIM in use has a session on every full day. Long-lived sessions, as IoT devices keep them: a
#: fleet-wide month stays a few hundred pages for a notebook to fetch.
SESSIONS = np.array(
    [
        [4, 4, 4, 4, 4, 3, 3],  # tracker: a batch of position reports every few hours
        [1, 1, 1, 1, 1, 1, 1],  # meter: one nightly upload
        [3, 3, 3, 3, 3, 2, 1],  # vehicle: trips, fewer at the weekend
        [3, 3, 3, 3, 4, 4, 1],  # pos: shop hours, quiet Sundays
        [2, 2, 2, 2, 2, 2, 2],  # sensor
        [4, 4, 4, 4, 4, 1, 1],  # staff phones and routers: office days
        [2, 2, 2, 2, 2, 2, 2],  # device
    ],
    dtype=np.int64,
)
SESSIONS_PER_WEEK = SESSIONS.sum(axis=1)
#: ``SESSIONS_BEFORE[k, r]``: sessions of kind k on weekdays 0..r-1 (r = 0..7).
SESSIONS_BEFORE = np.concatenate(
    [np.zeros((len(KINDS), 1), dtype=np.int64), np.cumsum(SESSIONS, axis=1)], axis=1
)

_VOLUME = np.array(
    [
        [1.05, 1.05, 1.05, 1.05, 1.05, 0.9, 0.85],
        [1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0],
        [1.15, 1.15, 1.15, 1.15, 1.15, 0.7, 0.55],
        [0.95, 0.95, 1.0, 1.05, 1.2, 1.35, 0.5],
        [1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0],
        [1.25, 1.25, 1.25, 1.25, 1.2, 0.4, 0.4],
        [1.05, 1.05, 1.05, 1.05, 1.05, 0.9, 0.85],
    ]
)
#: Relative volume per weekday, mean 1 over the week for every kind.
VOLUME: npt.NDArray[np.float64] = _VOLUME / _VOLUME.mean(axis=1, keepdims=True)

_DAY = [0.4] * 12 + [1.0] * 12  # 00-11 UTC is the US night
_HOURS = np.array(
    [
        [0.7] * 12 + [1.0] * 12,
        [0.05] * 6 + [2.0, 3.0, 3.0, 2.0] + [0.05] * 14,  # meters upload around 2-5 am local
        [0.2] * 11 + [1.2, 2.0, 2.0, 1.0, 1.0, 1.2, 1.2, 1.0, 1.2, 2.0, 2.0, 1.4, 0.6],
        [0.1] * 4 + [0.02] * 10 + [1.0] * 10,  # pos: 9am-9pm local, 14-02 UTC
        [1.0] * 24,
        [0.3] * 4 + [0.1] * 9 + [1.0] * 11,
        _DAY,
    ]
)
#: Cumulative share of each kind's sessions by the end of each UTC hour (last column 1.0).
HOUR_CDF: npt.NDArray[np.float64] = np.cumsum(_HOURS, axis=1) / _HOURS.sum(axis=1, keepdims=True)

#: Session length range in seconds (low, high) per kind.
DURATION = np.array(
    [[30, 900], [20, 180], [600, 5400], [60, 1800], [20, 300], [300, 7200], [60, 3600]],
    dtype=np.int64,
)
#: Typical share of a session's data that is uplink.
UPLINK_SHARE = np.array([0.7, 0.8, 0.55, 0.4, 0.75, 0.15, 0.3])
#: Median MB per day of the SIMs that have gone idle (their history before they fell silent).
IDLE_MB_PER_DAY = np.array([2.0, 0.3, 35.0, 12.0, 0.8, 90.0, 15.0])
#: Share of the SIMs of each kind that travel abroad at some point in the year.
ROAM_SHARE = np.array([0.08, 0.0, 0.12, 0.02, 0.02, 0.10, 0.03])
