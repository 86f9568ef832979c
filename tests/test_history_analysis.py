"""The usage-history analysis over a year of sandbox usage read over real HTTP: totals that agree
with the WDRs' own cost fields and the SIMs' consumed data, the injected anomalies found, idle and
never-connected SIMs, roaming by the shipped MCC/MNC table, forecasts with their basis, and the
plots drawn."""

from __future__ import annotations

import warnings
from collections import defaultdict
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import httpx
import matplotlib
import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import simtools
from simtools.analysis.anomalies import nan_median
from simtools.client import SimClient
from simtools.errors import InvalidInputError
from simtools.frames.mobile_networks import mobile_network
from simtools.sandbox import Sandbox, serve
from simtools.sandbox.networks import NETWORKS

matplotlib.use("Agg")


@pytest.fixture(scope="module")
def sb() -> Iterator[Sandbox]:
    with serve(fleet_size=60, seed=11, code_pool=10) as sandbox:
        yield sandbox


@pytest.fixture(scope="module")
def now(sb: Sandbox) -> pd.Timestamp:
    return pd.Timestamp(sb.state.wdrs.model.now_ms, unit="ms", tz="UTC") + pd.Timedelta(minutes=1)


@pytest.fixture(scope="module")
def year(sb: Sandbox, now: pd.Timestamp) -> tuple[pd.Timestamp, pd.Timestamp]:
    return now.normalize().replace(day=1) - pd.DateOffset(months=12), now


@pytest.fixture(scope="module")
def wire(sb: Sandbox, year: tuple[pd.Timestamp, pd.Timestamp]) -> list[dict[str, Any]]:
    """The year's WDRs as the API sends them (raw JSON, not through simtools)."""
    params = {
        "start_date": year[0].strftime("%Y-%m-%dT%H:%M:%SZ"),
        "end_date": year[1].strftime("%Y-%m-%dT%H:%M:%SZ"),
        "page[size]": 100_000,
    }
    headers = {"Authorization": f"Bearer {sb.api_key}"}
    with httpx.Client(base_url=sb.base_url, headers=headers, timeout=120) as api:
        body = api.get("/reports/wdrs", params=params).json()
    assert len(body["data"]) == body["meta"]["total_results"]
    records: list[dict[str, Any]] = body["data"]
    return records


@pytest.fixture(scope="module")
def client(sb: Sandbox) -> Iterator[SimClient]:
    with SimClient(sb.api_key, base_url=sb.base_url) as c:
        yield c


@pytest.fixture(scope="module")
def history(client: SimClient, year: tuple[pd.Timestamp, pd.Timestamp]) -> pd.DataFrame:
    return simtools.wdr_history_frame(client.usage_records(*year))


@pytest.fixture(scope="module")
def fleet(client: SimClient) -> pd.DataFrame:
    return simtools.fleet_frame(client, progress=False)


def test_cost_per_group_and_month_equals_the_wdr_cost_fields(
    history: pd.DataFrame, wire: list[dict[str, Any]]
) -> None:
    """cost_by(group) per month is the sum of the WDRs' cost.amount fields of that group and month
    (read from the raw JSON), to the micro-unit, for every month and group."""
    expected: dict[tuple[str, str], float] = defaultdict(float)
    for record in wire:
        key = (record["created_at"][:7], record.get("sim_group_name") or "")
        expected[key] += float(record["cost"]["amount"])
    got = simtools.cost_by(history)
    assert set(got["currency"].astype(str)) == {"USD"}
    assert len(got["month"].unique()) == 13
    found = {
        (m.strftime("%Y-%m"), g if isinstance(g, str) else ""): float(c)
        for m, g, c in zip(got["month"], got["sim_group_name"], got["cost"], strict=True)
    }
    assert found.keys() == expected.keys()
    for key, cost in expected.items():
        assert found[key] == pytest.approx(cost, abs=1e-6), key


def test_each_sims_current_period_total_equals_its_consumed_data(
    history: pd.DataFrame, fleet: pd.DataFrame, now: pd.Timestamp
) -> None:
    """Per SIM, the data of this billing period (cost_by sim, the current month) equals the fleet
    frame's consumed_mb; SIMs without records this period consumed nothing."""
    period = now.normalize().replace(day=1)
    totals = simtools.cost_by(history, "sim_card_id")
    this = totals[totals["month"] == period].set_index("sim_card_id")["total_mb"]
    for sim_id, consumed in zip(fleet["id"], fleet["consumed_mb"], strict=True):
        assert float(this.get(sim_id, 0.0)) == pytest.approx(float(consumed), abs=1e-6), sim_id


def test_parts_combine_to_the_whole(history: pd.DataFrame) -> None:
    """cost_by run on each month apart and combined equals cost_by on the whole year (the shape
    of a partitioned run)."""
    months = history["start"].dt.strftime("%Y-%m")
    parts = pd.concat(
        [simtools.cost_by(part, "sim_card_id") for _, part in history.groupby(months)]
    )
    whole = simtools.cost_by(history, "sim_card_id")
    pd.testing.assert_frame_equal(simtools.combine_cost_totals(parts), whole)


def test_the_daily_rollup_gives_the_same_answers(history: pd.DataFrame, now: pd.Timestamp) -> None:
    """history_by_day keeps the history's shape with far fewer rows, and cost, networks,
    roaming, forecasts and anomalies come out the same on it."""
    days = simtools.history_by_day(history)
    assert list(days.columns) == list(history.columns)
    assert len(days) < len(history) / 2
    assert int(days["sessions"].sum()) == len(history)
    # Rolling up again changes nothing (parts rolled up apart, then together, give the whole).
    pd.testing.assert_frame_equal(simtools.history_by_day(days), days)
    for analysis in (
        lambda h: simtools.cost_by(h, "sim_card_id"),
        lambda h: simtools.usage_by_network(h),
        lambda h: simtools.roaming_share(h, monthly=True),
        lambda h: simtools.bill_forecast(h, now=now.normalize()),
        lambda h: simtools.usage_anomalies(h),
    ):
        pd.testing.assert_frame_equal(analysis(days), analysis(history), rtol=1e-9)


def test_the_injected_anomalies_are_found_and_nothing_else(
    sb: Sandbox, history: pd.DataFrame
) -> None:
    """usage_anomalies lists the runaway device and the stolen SIM, on days of their episodes,
    with factors of ten and more; the stolen SIM's days are on its far-away network."""
    injected = {a.sim_card_id: a for a in sb.state.wdrs.anomalies()}
    found = simtools.usage_anomalies(history)
    assert set(found["sim_card_id"]) == set(injected)
    for sim_id, anomaly in injected.items():
        days = found.loc[found["sim_card_id"] == sim_id, "date"].dt.date
        episode = (anomaly.last_day - anomaly.first_day).days + 1
        assert days.between(anomaly.first_day, anomaly.last_day).all()
        assert len(days) >= episode - 1
        mine = found[found["sim_card_id"] == sim_id]
        assert (mine["factor"] >= 10).all()
        assert (mine["total_mb"] >= 10 * mine["baseline_mb"]).all()
        if anomaly.kind == "stolen":
            network = mobile_network(anomaly.mcc, anomaly.mnc)
            assert network is not None
            assert set(mine["country_code"]) == {network.country_code}


def test_the_baseline_band_holds_the_usual_days(sb: Sandbox, history: pd.DataFrame) -> None:
    """A SIM's baseline table marks its anomaly days and only them; the usual days sit in the
    band."""
    anomaly = next(a for a in sb.state.wdrs.anomalies() if a.kind == "runaway")
    table = simtools.usage_baseline(history, anomaly.sim_card_id)
    marked = set(table.loc[table["anomaly"].fillna(False).astype(bool), "date"].dt.date)
    inside = {anomaly.first_day + timedelta(days=k) for k in range(5)}
    assert marked
    assert marked <= inside
    usual = table[~table["date"].dt.date.isin(inside) & table["baseline_mb"].notna()]
    within = usual["total_mb"] <= usual["band_high_mb"]
    assert within.mean() > 0.98


def test_idle_and_never_connected_sims(
    sb: Sandbox, history: pd.DataFrame, fleet: pd.DataFrame, now: pd.Timestamp
) -> None:
    """idle_sims lists the sandbox's never-connected SIMs as such, and its idle SIMs silent for
    30 days or more with the moment they fell silent; no SIM that used data in the last 30 days
    is listed."""
    model = sb.state.wdrs.model
    never = {model.ids[i] for i in range(len(model)) if model.never[i]}
    idle = {model.ids[i] for i in range(len(model)) if model.idle[i]}
    last = history.groupby("sim_card_id")["end"].max()
    silent = {s for s in idle if now - last[s] >= pd.Timedelta(days=30)}
    listed = simtools.idle_sims(fleet, history, days=30, now=now)
    states = dict(zip(listed["sim_card_id"], listed["idle_state"].astype(str), strict=True))
    assert never
    assert silent
    assert {s for s, v in states.items() if v == "never_connected"} == never
    assert {s for s, v in states.items() if v == "idle"} == silent
    at = listed.set_index("sim_card_id")["last_usage_at"]
    assert all(at[s] == last[s] for s in silent)
    recent = history[history["start"] >= now - pd.Timedelta(days=30)]
    assert not set(recent["sim_card_id"]) & set(listed["sim_card_id"])
    assert (listed.loc[listed["idle_state"] == "idle", "idle_days"] >= 30).all()


def test_networks_are_named_from_the_shipped_table(history: pd.DataFrame) -> None:
    """Every network the sandbox uses is in the MCC/MNC table under the same country as the
    sandbox's own (Wikipedia-sourced) list; roaming is data outside the home country."""
    for network in NETWORKS:
        named = mobile_network(network.mcc, network.mnc)
        assert named is not None, network
        assert named.country_code == network.iso, network
    by_country = simtools.usage_by_network(history, home_country="US", by="country")
    assert by_country["country_code"].notna().all()
    home = by_country[by_country["country_code"] == "US"]
    assert home["roaming"].tolist() == [False]
    assert by_country["share_of_mb"].sum() == pytest.approx(1.0)
    iso = {(n.mcc, n.mnc): n.iso for n in NETWORKS}
    abroad = sum(
        float(mb)
        for mcc, mnc, mb in zip(history["mcc"], history["mnc"], history["total_mb"], strict=True)
        if iso[(mcc, mnc)] != "US"
    )
    share = simtools.roaming_share(history, home_country="US", by=None)
    assert float(share["roaming_mb"].iloc[0]) == pytest.approx(abroad, rel=1e-9)
    assert 0 < float(share["roaming_share"].iloc[0]) < 1


def test_the_bill_forecast_states_its_basis(history: pd.DataFrame, now: pd.Timestamp) -> None:
    """The forecast is the cost so far over the elapsed share of the month, with both in the
    basis; before min_days of the period it is too early and gives no number."""
    forecast = simtools.bill_forecast(history, now=now, min_days=0)
    row = forecast.iloc[0]
    period = now.normalize().replace(day=1)
    so_far = history.loc[history["start"] >= period, "cost"].sum()
    assert row["cost_to_date"] == pytest.approx(float(so_far))
    assert row["forecast_cost"] == pytest.approx(row["cost_to_date"] / row["elapsed_share"])
    assert "of 31 days observed" in row["basis"] or "of 30 days observed" in row["basis"]
    early = simtools.bill_forecast(history, now=now, min_days=31)
    assert early["too_early"].tolist() == [True]
    assert early["forecast_cost"].isna().all()
    assert early["basis"].str.startswith("too early").all()
    groups = simtools.bill_forecast(history, now=now, by="sim_group_name", min_days=0)
    assert groups["cost_to_date"].sum() == pytest.approx(row["cost_to_date"])


def test_month_over_month_compares_each_month_with_the_one_before(
    history: pd.DataFrame, now: pd.Timestamp
) -> None:
    """Each group's change is its cost minus the previous month's; the current month is marked
    partial; the first month has no previous one."""
    mom = simtools.month_over_month(history, now=now)
    for _, group in mom.groupby("sim_group_name"):
        assert pd.isna(group["previous_cost"].iloc[0])
        assert group["previous_cost"].iloc[1:].tolist() == group["cost"].iloc[:-1].tolist()
    partial = mom.loc[mom["partial_month"], "month"].unique()
    assert list(partial) == [now.normalize().replace(day=1)]
    by_hand = mom["cost"] - mom["previous_cost"]
    assert ((mom["cost_change"] - by_hand).abs().dropna() < 1e-9).all()


def test_bad_input_is_refused_clearly(history: pd.DataFrame) -> None:
    """Wrong keys, home countries and frames are InvalidInputErrors naming the fix."""
    with pytest.raises(InvalidInputError, match="groups by"):
        simtools.cost_by(history, "imsi")
    with pytest.raises(InvalidInputError, match="fleet"):
        simtools.cost_by(history, "tag")
    with pytest.raises(InvalidInputError, match="alpha-2"):
        simtools.usage_by_network(history, home_country="USA")
    with pytest.raises(InvalidInputError, match="start"):
        simtools.usage_anomalies(pd.DataFrame({"x": [1]}))
    with pytest.raises(InvalidInputError, match="window"):
        simtools.usage_anomalies(history, window=1)
    with pytest.raises(InvalidInputError, match="min_days"):
        simtools.bill_forecast(history, min_days=-1)


def test_empty_history_gives_empty_frames_with_their_columns() -> None:
    """An empty history gives each analysis' empty frame in its contract, not an error."""
    empty = simtools.wdr_history_frame([])
    assert simtools.cost_by(empty).empty
    assert simtools.usage_anomalies(empty).empty
    assert simtools.usage_by_network(empty).empty
    assert simtools.month_over_month(empty, now="2026-01-01").empty


def test_the_plots_draw_what_the_analysis_says(
    sb: Sandbox, history: pd.DataFrame, tmp_path: Path
) -> None:
    """Cost by month has a bar stack per month, the anomaly plot marks the anomaly days, the
    roaming plot gives the roaming share in its title; each renders to PNG."""
    ax = simtools.plot_cost_by_month(history)
    assert len(ax.get_xticks()) == 13
    assert ax.get_title(loc="left") == "Cost per month by group"  # words, not a column name
    assert ax.get_legend().get_title().get_text() == "group"
    ax.figure.savefig(tmp_path / "cost.png")
    stolen = next(a for a in sb.state.wdrs.anomalies() if a.kind == "stolen")
    ax = simtools.plot_usage_anomaly(history, stolen.sim_card_id)
    marks = [c for c in ax.collections if c.get_label() == "anomaly"]
    assert len(marks) == 1
    assert len(marks[0].get_offsets()) >= 8
    ax.figure.canvas.draw()
    labels = [t.get_text() for t in ax.get_yticklabels() if t.get_text()]
    assert labels
    assert "0" not in labels  # it would sit on the next label on the log axis
    ax.figure.savefig(tmp_path / "anomaly.png")
    ax = simtools.plot_roaming_by_country(history, home_country="US")
    share = simtools.roaming_share(history, by=None)["roaming_share"].iloc[0]
    assert f"{share:.1%} of data abroad" in ax.get_title(loc="left")
    ax.figure.savefig(tmp_path / "roaming.png")
    import matplotlib.pyplot as plt

    plt.close("all")


_CELL = st.one_of(st.just(float("nan")), st.floats(0, 1e9))


@settings(max_examples=200, deadline=None)
@given(
    st.integers(1, 9).flatmap(
        lambda width: st.lists(
            st.lists(_CELL, min_size=width, max_size=width), min_size=1, max_size=6
        )
    )
)
def test_the_baseline_median_is_numpys_nanmedian_without_its_warning(
    rows: list[list[float]],
) -> None:
    """Medians of what is not NaN, NaN where a window holds nothing; no warning either way."""
    values = np.array(rows, dtype=np.float64)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        expected = np.nanmedian(values, axis=-1)
    np.testing.assert_allclose(nan_median(values), expected, rtol=1e-12, equal_nan=True)
