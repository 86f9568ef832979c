"""Every public frame is its contract: declared columns and dtypes, and it survives every writer.

The frames come from the real builders over a private sandbox (real HTTP) and the docs' example;
each is checked against the contract tables of ``simtools.frames.contracts``, then written with
pandas' own writers and with ``write_frame`` in every format and read back.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pandas as pd
import pytest
from historydata import history_built
from wirelessdata import wireless_built

import simtools
from simtools.client import SimClient
from simtools.frames import contracts as c
from simtools.frames.notifications import data_usage_notifications_frame
from simtools.frames.schema import Column, FrameContract
from simtools.models import ApiErrorObject, SimCard, SimCardStatus
from simtools.results import CodeOutcome, RegistrationResult
from simtools.sandbox import serve

DOCS_EXAMPLE = Path(__file__).parent / "data" / "register-response.json"
FORMATS = ("csv", "parquet", "json", "xlsx")


def docs_example() -> dict[str, Any]:
    with DOCS_EXAMPLE.open(encoding="utf-8") as handle:
        body: dict[str, Any] = json.load(handle)
    return body


def hand_result() -> RegistrationResult:
    """A registration result with leading-zero codes, missing values, an API error and a SIM."""
    error = ApiErrorObject(
        code="10015", title="Bad Request", detail="This code has already been used."
    )
    sim = SimCard(id="6a09cdc3-8948-47f0-aa62-74ac943d6c58", iccid="0089310410106543789301")
    sim.status = SimCardStatus(value="enabled")
    outcomes = [
        CodeOutcome("0012345678", 1, "registered", sim_card=sim),
        CodeOutcome("0000000001", 2, "failed", error=error, reason="refused"),
        CodeOutcome("12ab", 3, "invalid", reason="not 10 digits", source="input"),
        CodeOutcome("0012345678", 4, "duplicate", reason="repeats entry 1", source="input"),
        CodeOutcome("0999999999", 5, "skipped", source="input"),
    ]
    return RegistrationResult(
        submitted=tuple(o.registration_code for o in outcomes), outcomes=outcomes
    )


@pytest.fixture(scope="module")
def frames() -> Iterator[dict[str, tuple[pd.DataFrame, tuple[FrameContract, ...]]]]:
    """Every public frame builder's output, with the contracts that declare its columns."""
    with (
        serve(fleet_size=60, seed=4) as sb,
        SimClient(sb.api_key, base_url=sb.base_url) as client,
    ):
        codes = [*sb.available_codes(3), *sb.used_codes(1), "12345", sb.available_codes(1)[0]]
        result = client.register([*codes, codes[0]], on_invalid="skip", progress=False)
        fleet = simtools.fleet_frame(client, progress=False)
        in_group = fleet[fleet["sim_card_group_id"].notna()]["id"].head(3).tolist()
        actions = simtools.set_standby(client, in_group, timeout=10)
        now = pd.Timestamp(fleet.attrs["fetched_at"])
        records = simtools.usage_records_frame(
            client.usage_records(now.normalize().replace(day=1), now)
        )
        full = simtools.sim_cards_frame([client.get_sim_card(in_group[0])])
        groups = simtools.sim_card_groups_frame(client)
        wireless = wireless_built(sb, client)
        history = history_built(client, fleet, now)
        for threshold in ((80, "MB"), (1.5, "GB")):
            client.create_data_usage_notification(in_group[1], threshold)
        notifications = data_usage_notifications_frame(client)
        alerted = simtools.fleet_frame(client, progress=False, include=["alerts"])
        iccid = alerted.set_index("id").loc[in_group[1], "iccid"]
        desired = pd.DataFrame(
            {
                "iccid": [iccid, "8931041099999999999"],
                "data_limit_mb": [321, 5],
                "tags_add": ["x", None],
                "alert_mb": [[80.0, 200.0], None],
            }
        )
        plan = simtools.plan_changes(alerted, desired)
        outcome = simtools.apply_changes(client, plan, progress=False)
    sims = simtools.sim_cards_frame(docs_example())
    tagged = simtools.explode_tags(fleet)
    built: dict[str, tuple[pd.DataFrame, tuple[FrameContract, ...]]] = {
        "sim_cards": (sims, (c.SIM_CARDS,)),
        "sim_cards, full form": (full, (c.SIM_CARDS,)),
        "fleet": (fleet, (c.FLEET,)),
        "registration": (simtools.registration_frame(result), (c.REGISTRATION,)),
        "registration, by hand": (simtools.registration_frame(hand_result()), (c.REGISTRATION,)),
        "errors": (simtools.errors_frame(result), (c.ERRORS,)),
        "errors, docs example": (simtools.errors_frame(docs_example()), (c.ERRORS,)),
        "sim_card_groups": (groups, (c.SIM_CARD_GROUPS,)),
        "usage_records": (records, (c.USAGE_RECORDS,)),
        "daily_usage": (simtools.daily_usage(records), (c.DAILY_USAGE,)),
        "daily_usage by sim": (simtools.daily_usage(records, by="sim"), (c.DAILY_USAGE,)),
        "daily_usage by group": (simtools.daily_usage(records, by="group"), (c.DAILY_USAGE,)),
        "actions": (actions, (c.ACTIONS,)),
        "data_usage_notifications": (notifications, (c.DATA_USAGE_NOTIFICATIONS,)),
        "fleet with alerts": (alerted, (c.FLEET, c.FLEET_ALERTS)),
        "change plan": (plan.frame, (c.CHANGE_PLAN,)),
        "change outcomes": (outcome, (c.CHANGE_OUTCOMES,)),
        "explode_tags": (tagged, (c.FLEET, c.TAG_ROWS)),
        "projection": (simtools.project_period_end(fleet), (c.FLEET, c.PROJECTION)),
        "near_limit": (simtools.near_limit(fleet), (c.FLEET,)),
        "top_consumers": (simtools.top_consumers(fleet, n=5), (c.FLEET,)),
    }
    built.update(wireless)
    built.update(history)
    built["usage_summary with group limits"] = (
        simtools.usage_summary(fleet, by="group", groups=groups).reset_index(),
        (c.USAGE_SUMMARY, c.FLEET),
    )
    built["near_limit with group limits"] = (
        simtools.near_limit(fleet, 0.01, groups=groups),
        (c.FLEET, c.APPLIED_LIMITS),
    )
    for by in ("group", "tag", "status"):
        summary = simtools.usage_summary(fleet, by=by).reset_index()
        built[f"usage_summary by {by}"] = (summary, (c.USAGE_SUMMARY, c.FLEET, c.TAG_ROWS))
    assert len(result.codes_with("registered")) == 4
    assert {"failed", "invalid", "duplicate"} <= {o.outcome for o in result.outcomes}
    return built


def declared(contracts: tuple[FrameContract, ...]) -> dict[str, Column]:
    return {
        column.name: column for contract in contracts for column in contract.columns if column.kept
    }


def assert_declared(frame: pd.DataFrame, contracts: tuple[FrameContract, ...]) -> None:
    """Every column of ``frame`` is declared by one of ``contracts`` and has its dtype; the
    first contract's own columns are all there, in order."""
    columns = declared(contracts)
    undeclared = [name for name in frame.columns if name not in columns]
    assert not undeclared, f"columns no contract declares: {undeclared}"
    own = contracts[0]
    present = [n for n in frame.columns if n in own.names or n in own.optional_names]
    if own is not c.USAGE_SUMMARY:
        assert [n for n in present if n in own.names] == list(own.names)
    for name in frame.columns:
        column, values = columns[name], frame[name]
        if column.kind == "category":
            assert isinstance(values.dtype, pd.CategoricalDtype), name
            known = list(values.dtype.categories[: len(column.categories)])
            assert known == list(column.categories), name
        elif column.kind in ("tuple", "numbers"):
            item = str if column.kind == "tuple" else float
            assert values.dtype == object, name
            assert all(v is None or isinstance(v, tuple) for v in values), name
            assert all(isinstance(i, item) for v in values if v for i in v), name
        else:
            assert values.dtype == column.dtype, (name, values.dtype, column.dtype)


def test_every_public_frame_has_only_declared_columns_with_their_dtypes(
    frames: dict[str, tuple[pd.DataFrame, tuple[FrameContract, ...]]],
) -> None:
    """Each builder's frame uses only columns its contract declares, each with its dtype."""
    for name, (frame, contracts) in frames.items():
        assert len(frame) > 0, name
        try:
            assert_declared(frame, contracts)
        except AssertionError as exc:
            raise AssertionError(f"{name}: {exc}") from exc


def test_the_declaration_check_fails_for_an_undeclared_column() -> None:
    """A column the contract does not declare (a builder adding one on the side) is caught."""
    frame = simtools.sim_cards_frame(docs_example()).assign(made_up=1)
    with pytest.raises(AssertionError, match="made_up"):
        assert_declared(frame, (c.SIM_CARDS,))
    renamed = simtools.sim_cards_frame(docs_example()).astype({"utilization": "float64"})
    with pytest.raises(AssertionError, match="utilization"):
        assert_declared(renamed, (c.SIM_CARDS,))


def test_docs_example_and_an_empty_response_give_the_same_columns_and_dtypes() -> None:
    """The docs' register example and {"data": [], "errors": []} give identical frames' shapes,
    and both equal the contract's empty frame."""
    empty_body = {"data": [], "errors": []}
    for builder, contract in (
        (simtools.sim_cards_frame, c.SIM_CARDS),
        (simtools.errors_frame, c.ERRORS),
    ):
        full, empty = builder(docs_example()), builder(empty_body)
        assert list(full.columns) == list(empty.columns) == list(contract.names)
        assert full.dtypes.to_dict() == empty.dtypes.to_dict() == contract.empty().dtypes.to_dict()
        assert len(full) == 1
        assert empty.empty


def comparable(frame: pd.DataFrame, fmt: str) -> pd.DataFrame:
    """What a file of ``fmt`` gives back of ``frame``: a fresh row index (an unnamed index is not
    written), and in Excel times to the nearest millisecond."""
    out = frame.reset_index(drop=True)
    if fmt != "xlsx":
        return out
    for name in out.columns:
        if isinstance(out[name].dtype, pd.DatetimeTZDtype):
            out[name] = out[name].dt.round("ms")
    return out


@pytest.mark.parametrize("fmt", FORMATS)
def test_every_public_frame_round_trips_through_write_frame(
    frames: dict[str, tuple[pd.DataFrame, tuple[FrameContract, ...]]], tmp_path: Path, fmt: str
) -> None:
    """write_frame then read_frame gives the same values and dtypes in every format (codes with
    leading zeros and missing values included)."""
    for name, (frame, _contracts) in frames.items():
        path = simtools.write_frame(frame, tmp_path / f"{name.replace(' ', '_')}.{fmt}")
        back = simtools.read_frame(path)
        try:
            pd.testing.assert_frame_equal(back, comparable(frame, fmt), check_exact=True)
        except AssertionError as exc:
            raise AssertionError(f"{name} through .{fmt}: {exc}") from exc
    codes = simtools.read_frame(tmp_path / f"registration,_by_hand.{fmt}")["registration_code"]
    assert codes.tolist()[:2] == ["0012345678", "0000000001"]


def test_every_public_frame_survives_pandas_own_writers(
    frames: dict[str, tuple[pd.DataFrame, tuple[FrameContract, ...]]], tmp_path: Path
) -> None:
    """to_parquet, to_csv, to_json and to_pickle work on every frame (attrs included); pickle
    and Parquet give the values back (Parquet's lists come back as arrays)."""
    for name, (frame, _contracts) in frames.items():
        base = tmp_path / name.replace(" ", "_")
        frame.to_csv(base.with_suffix(".csv"))
        frame.to_json(base.with_suffix(".json"), date_format="iso")
        frame.to_pickle(base.with_suffix(".pkl"))
        frame.to_parquet(base.with_suffix(".parquet"))
        pd.testing.assert_frame_equal(pd.read_pickle(base.with_suffix(".pkl")), frame)
        parquet = pd.read_parquet(base.with_suffix(".parquet"))
        for column in parquet.columns:
            declared_as = c.COLUMN_KINDS.get(column)
            if declared_as is not None and declared_as.kind in ("tuple", "numbers"):
                parquet[column] = parquet[column].map(tuple, na_action="ignore")
        pd.testing.assert_frame_equal(parquet, frame, check_exact=True)
        assert parquet.attrs == frame.attrs
        assert len(pd.read_csv(base.with_suffix(".csv"))) == len(frame)


def test_excel_is_reached_through_write_frame(tmp_path: Path) -> None:
    """pandas' to_excel refuses UTC times (Excel has no time zones); write_frame writes them as
    UTC wall time, as the README says."""
    frame = simtools.sim_cards_frame(docs_example())
    with pytest.raises(ValueError, match="timezones"):
        frame.to_excel(tmp_path / "refused.xlsx")
    back = simtools.read_frame(simtools.write_frame(frame, tmp_path / "written.xlsx"))
    assert back["created_at"].tolist() == frame["created_at"].tolist()


def test_a_column_name_means_one_thing_in_every_contract() -> None:
    """Each column name has one kind and one set of categories across every family, which is
    what lets read_frame restore any frame by its column names."""
    seen: dict[str, tuple[str, tuple[str, ...]]] = {}
    for contract in c.CONTRACTS.values():
        for column in contract.columns:
            if column.kept:
                kind = (column.kind, column.categories)
                assert seen.setdefault(column.name, kind) == kind, column.name
    assert set(seen) == set(c.COLUMN_KINDS)
