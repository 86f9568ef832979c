"""Where the data goes: usage by country and network, and the roaming share per SIM, group or
month, with the home country a parameter (pure).

A record roams when its network's country (from the shipped MCC/MNC table) is not
``home_country``; a record whose network the table does not know is counted in the totals but
neither home nor roaming (``roaming`` missing in :func:`usage_by_network`).
"""

from __future__ import annotations

import re

import pandas as pd

from simtools.analysis.history_input import (
    check_key,
    combine_totals,
    finish,
    history_frame,
    month_of,
)
from simtools.errors import InvalidInputError
from simtools.frames.history_contracts import NETWORK_USAGE, ROAMING_SHARE

__all__ = ["roaming_share", "usage_by_network"]

_NETWORK = ("mcc", "mnc", "network_name")
_ISO = re.compile(r"[A-Z]{2}")


def _home(value: object) -> str:
    if isinstance(value, str) and _ISO.fullmatch(value.strip().upper()):
        return value.strip().upper()
    raise InvalidInputError(
        value, "home_country must be an ISO 3166-1 alpha-2 code", "e.g. home_country='US'"
    )


def _roaming(history: pd.DataFrame, home: str) -> pd.Series:
    country = history["country_code"].astype("string")
    return (country != home).astype("boolean").where(country.notna())


def usage_by_network(
    history: pd.DataFrame, *, home_country: str = "US", by: str = "network"
) -> pd.DataFrame:
    """Data, cost, sessions and SIMs per network (``by='network'``) or country
    (``by='country'``) and currency, biggest first, each with its share of all data and whether
    it is abroad, in the ``NETWORK_USAGE`` contract."""
    home = _home(home_country)
    if by not in ("network", "country"):
        raise InvalidInputError(by, "by must be 'network' or 'country'", "e.g. by='country'")
    columns = ["country_code", "country", "total_mb", "cost", "currency", "sessions"]
    history = history_frame(history, [*columns, *_NETWORK, "sim_card_id"], "usage_by_network")
    keys = ["country_code", "country", *(_NETWORK if by == "network" else ()), "currency"]
    frame = history[[*keys, "total_mb", "cost", "sessions", "sim_card_id"]]
    totals = combine_totals(frame, keys, ["total_mb", "cost", "sessions"])
    sims = frame.groupby(keys, observed=True, dropna=False, sort=True)["sim_card_id"].nunique()
    totals = totals.merge(sims.rename("sim_count").reset_index(), on=keys, how="left")
    totals["roaming"] = _roaming(totals, home)
    all_mb = float(totals["total_mb"].sum())
    totals["share_of_mb"] = totals["total_mb"] / all_mb if all_mb > 0 else pd.NA
    totals = totals.sort_values("total_mb", ascending=False, kind="stable")
    return finish(totals, NETWORK_USAGE)


def roaming_share(
    history: pd.DataFrame,
    *,
    home_country: str = "US",
    by: str | None = "sim_group_name",
    monthly: bool = False,
) -> pd.DataFrame:
    """Data and cost abroad per ``by`` (``sim_card_id``, ``sim_group_id``, ``sim_group_name`` or
    None) and currency, per month too with ``monthly=True``, in the ``ROAMING_SHARE``
    contract: ``roaming_share`` is the roaming data over all data (missing without data)."""
    home = _home(home_country)
    key = check_key(by, "roaming_share", ("sim_card_id", "sim_group_id", "sim_group_name"))
    needed = ["country_code", "total_mb", "cost", "currency", *([key] if key else [])]
    history = history_frame(history, needed, "roaming_share")
    abroad = _roaming(history, home).fillna(False).astype(bool)
    frame = history.assign(
        roaming_mb=history["total_mb"].where(abroad, 0.0),
        roaming_cost=history["cost"].where(abroad, 0.0),
    )
    keys = [*(["month"] if monthly else []), *([key] if key else []), "currency"]
    if monthly:
        frame = frame.assign(month=month_of(frame["start"]))
    sums = ["total_mb", "roaming_mb", "cost", "roaming_cost"]
    totals = combine_totals(frame[[*keys, *sums]], keys, sums)
    totals["roaming_share"] = (
        totals["roaming_mb"] / totals["total_mb"].where(totals["total_mb"] > 0)
    ).round(6)
    return finish(totals, ROAMING_SHARE)
