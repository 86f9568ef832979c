"""``plan_changes``: what a desired-changes frame would do to a fleet, row by row, before anything
is sent (pure: it reads two frames and returns a plan).

``desired`` is any frame keyed by ``iccid`` (or ``id``) with any of the columns of
:data:`DESIRED_COLUMNS`; a blank cell leaves that field of that SIM as it is. The plan has one row
per SIM and field asked about (:data:`~simtools.frames.change_contracts.CHANGE_PLAN`): what it is,
what it will be, the requests that get it there and a verdict; every invalid row says why and how
to fix it, and the rest of the plan is unaffected. A SIM given in several rows is one SIM: equal
values are one change, different values for one field are an invalid row.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

import pandas as pd

from simtools.analysis.change_fields import (
    Groups,
    PlannedRow,
    Sim,
    from_text,
    plan_alerts,
    plan_group,
    plan_limit,
    plan_status,
    plan_tags,
)
from simtools.errors import InvalidInputError
from simtools.frames.change_contracts import CHANGE_PLAN, FIELDS, VERDICTS
from simtools.frames.change_values import requests_json
from simtools.frames.schema import require_columns
from simtools.inputs.desired import (
    BLANK,
    DESIRED_COLUMNS,
    Problem,
    Value,
    is_blank,
    merge_asks,
    read_field,
    read_key,
)

__all__ = ["DESIRED_COLUMNS", "ChangePlan", "plan_changes"]

_CURRENT = ["id", "iccid", "status", "sim_card_group_id", "tags", "data_limit_mb", "consumed_mb"]
_ALERTS_HINT = "fetch the fleet with simtools.fleet_frame(client, include=['alerts'])"


@dataclass(frozen=True)
class ChangePlan:
    """A plan of fleet changes: ``frame`` has one row per SIM and field (``verdict`` says
    ``change``, ``no-op`` or ``invalid``). Filter it, save it with ``write_frame``, and give it
    (or the frame read back) to :func:`simtools.apply_changes`."""

    frame: pd.DataFrame
    key: str = "iccid"
    ignored_columns: tuple[str, ...] = field(default=())

    def counts(self) -> dict[str, int]:
        """Rows per verdict, every verdict named."""
        found = self.frame["verdict"].value_counts()
        return {verdict: int(found.get(verdict, 0)) for verdict in VERDICTS}

    def summary(self) -> pd.DataFrame:
        """Rows per field (index) and verdict (columns)."""
        table = pd.crosstab(self.frame["field"], self.frame["verdict"], dropna=False)
        return table.reindex(index=list(FIELDS), columns=list(VERDICTS), fill_value=0)

    @property
    def invalid(self) -> pd.DataFrame:
        """The invalid rows, with why (``reason``) and how to fix them (``hint``)."""
        return self.frame[self.frame["verdict"] == "invalid"]

    def __repr__(self) -> str:
        said = ", ".join(f"{n} {verdict}" for verdict, n in self.counts().items())
        ignored = f"; columns not used: {', '.join(self.ignored_columns)}"
        return (
            f"ChangePlan({len(self.frame)} rows: {said}{ignored if self.ignored_columns else ''})"
        )

    def _repr_html_(self) -> str:
        head = f"<p><strong>{repr(self)[11:-1]}</strong></p>"
        return head + self.summary().to_html(border=0)


def plan_changes(
    current: pd.DataFrame,
    desired: pd.DataFrame,
    *,
    key: str = "iccid",
    groups: pd.DataFrame | None = None,
) -> ChangePlan:
    """The plan of what ``desired`` would change in ``current`` (a fleet frame), sending nothing.

    ``desired`` columns (any subset): ``data_limit_mb`` (or ``data_limit_amount`` with
    ``data_limit_unit`` MB or GB; ``data_limit_mb`` wins where both are given), ``tags`` (the new
    list) or ``tags_add``/``tags_remove``, ``sim_card_group`` (a name or an id), ``status``
    (``enabled``, ``disabled``, ``standby``) and ``alert_mb`` (one or more thresholds in MB; an
    empty list removes every alert, and ``current`` must come from ``fleet_frame(client,
    include=["alerts"])``). Group names are resolved in ``groups`` (a ``sim_card_groups_frame``)
    when given, else among the groups of ``current`` (its ``sim_card_group_name`` column).
    Other columns are not used, and the plan says which (``ignored_columns``).
    """
    if key not in ("iccid", "id"):
        raise InvalidInputError(key, f"key={key!r} is not a SIM column", "use 'iccid' or 'id'")
    require_columns(current, _CURRENT, caller="plan_changes (current)", hint=_ALERTS_HINT)
    require_columns(
        desired, [key], caller="plan_changes (desired)", hint=f"add a {key} column to desired"
    )
    asked = [f for f, cols in DESIRED_COLUMNS.items() if any(c in desired.columns for c in cols)]
    if not asked:
        wanted = ", ".join(c for cols in DESIRED_COLUMNS.values() for c in cols)
        raise InvalidInputError(
            list(desired.columns), "desired has no column that asks for a change", f"add {wanted}"
        )
    if "alert_mb" in asked and not {"alert_mb", "alert_ids"} <= set(current.columns):
        if not desired["alert_mb"].map(is_blank).all():
            raise InvalidInputError(
                "alert_mb",
                "desired asks for alerts, but current has no alert_mb column (each SIM's "
                "thresholds now)",
                _ALERTS_HINT,
            )
    used = {key, *(c for cols in DESIRED_COLUMNS.values() for c in cols)}
    used |= {f"{c}_raw" for c in used}
    ignored = tuple(str(c) for c in desired.columns if c not in used)
    planner = _Planner(current, key, _groups(current, groups))
    rows = planner.plan(desired.reset_index(drop=True), asked)
    return ChangePlan(_frame(rows), key, ignored)


def _groups(current: pd.DataFrame, groups: pd.DataFrame | None) -> Groups:
    if groups is not None:
        require_columns(
            groups,
            ["id", "name"],
            caller="plan_changes (groups)",
            hint="pass a sim_card_groups_frame",
        )
        pairs = zip(groups["id"].tolist(), groups["name"].tolist(), strict=True)
    elif "sim_card_group_name" in current.columns:
        pairs = zip(
            current["sim_card_group_id"].tolist(),
            current["sim_card_group_name"].tolist(),
            strict=True,
        )
    else:
        pairs = zip(current["sim_card_group_id"].tolist(), [None] * len(current), strict=True)
    names: dict[str, str | None] = {}
    for gid, name in pairs:
        if not is_blank(gid):
            names[str(gid).lower()] = None if is_blank(name) else str(name)
    return Groups(names)


def _optional(value: Any) -> Any:
    return None if is_blank(value) else value


def _sim(row: Mapping[Any, Any], with_alerts: bool) -> Sim:
    alert_mb = tuple(row["alert_mb"] or ()) if with_alerts else ()
    alert_ids = tuple(row["alert_ids"] or ()) if with_alerts else ()
    limit, used = _optional(row["data_limit_mb"]), _optional(row["consumed_mb"])
    return Sim(
        id=str(row["id"]),
        iccid=_optional(row["iccid"]),
        status=None if is_blank(row["status"]) else str(row["status"]),
        group_id=_optional(row["sim_card_group_id"]),
        tags=tuple(row["tags"] or ()),
        limit_mb=None if limit is None else float(limit),
        consumed_mb=None if used is None else float(used),
        alert_mb=alert_mb,
        alert_ids=alert_ids,
    )


class _Planner:
    """One plan_changes call: the SIMs by key, the groups, and the rows planned so far."""

    def __init__(self, current: pd.DataFrame, key: str, groups: Groups) -> None:
        self.key = key
        self.groups = groups
        with_alerts = {"alert_mb", "alert_ids"} <= set(current.columns)
        columns = [*_CURRENT, *(["alert_mb", "alert_ids"] if with_alerts else [])]
        self.sims: dict[str, Sim] = {}
        for record in current[columns].to_dict("records"):
            sim = _sim(record, with_alerts)
            lookup = sim.iccid if key == "iccid" else sim.id.lower()
            if lookup is not None:
                self.sims.setdefault(str(lookup), sim)

    def plan(
        self, desired: pd.DataFrame, asked: list[str]
    ) -> list[tuple[int, Sim | None, str, PlannedRow]]:
        wanted: dict[str, dict[str, list[tuple[int, Value]]]] = {}
        order: list[str] = []
        rows: list[tuple[int, Sim | None, str, PlannedRow]] = []
        records = desired.to_dict("records")
        for position, record in enumerate(records):
            values = {f: read_field(f, record) for f in asked}
            values = {f: v for f, v in values.items() if v is not BLANK}
            if not values:
                continue
            key = read_key(record[self.key], self.key)
            sim = None if isinstance(key, Problem) else self.sims.get(key)
            if sim is None:
                problem = key if isinstance(key, Problem) else self._unknown(key)
                label = None if isinstance(key, Problem) else key
                for name in values:
                    rows.append((position, None, label or "", PlannedRow.invalid(name, problem)))
                continue
            if sim.id not in wanted:
                order.append(sim.id)
            per_field = wanted.setdefault(sim.id, {})
            for name, value in values.items():
                per_field.setdefault(name, []).append((position, value))
        by_id = {sim.id: sim for sim in self.sims.values()}
        for sim_id in order:
            rows.extend(self._plan_sim(by_id[sim_id], wanted[sim_id]))
        rows.sort(key=lambda r: (r[0], FIELDS.index(r[3].field)))
        return rows

    def _unknown(self, key: str) -> Problem:
        noun = "ICCID" if self.key == "iccid" else "SIM card id"
        return Problem(
            f"{noun} {key} is not in the fleet frame",
            f"check the {self.key}, or fetch the fleet again if the SIM was registered since",
        )

    def _plan_sim(
        self, sim: Sim, asks: dict[str, list[tuple[int, Value]]]
    ) -> list[tuple[int, Sim | None, str, PlannedRow]]:
        planned: dict[str, PlannedRow] = {}
        out: list[tuple[int, Sim | None, str, PlannedRow]] = []
        for name in FIELDS:
            if name not in asks:
                continue
            position, value = merge_asks(name, asks[name])
            if isinstance(value, Problem):
                row = PlannedRow.invalid(name, value, from_text(sim, name))
            else:
                row = _PLANNERS[name](self, sim, value, planned)
            row.change_id = _change_id(sim.id, row, position)
            planned[name] = row
            out.append((position, sim, sim.iccid or "", row))
        return out


def _limit(planner: _Planner, sim: Sim, value: Value, planned: dict[str, PlannedRow]) -> PlannedRow:
    return plan_limit(sim, float(value))


def _tags(planner: _Planner, sim: Sim, value: Value, planned: dict[str, PlannedRow]) -> PlannedRow:
    _, replace, add, remove = value
    return plan_tags(sim, replace, add, remove)


def _group(planner: _Planner, sim: Sim, value: Value, planned: dict[str, PlannedRow]) -> PlannedRow:
    return plan_group(sim, str(value), planner.groups)


def _alerts(
    planner: _Planner, sim: Sim, value: Value, planned: dict[str, PlannedRow]
) -> PlannedRow:
    return plan_alerts(sim, tuple(value))


def _status(
    planner: _Planner, sim: Sim, value: Value, planned: dict[str, PlannedRow]
) -> PlannedRow:
    return plan_status(sim, str(value), planned)


_PLANNERS: Mapping[str, Callable[[_Planner, Sim, Value, dict[str, PlannedRow]], PlannedRow]] = {
    "data_limit_mb": _limit,
    "tags": _tags,
    "sim_card_group": _group,
    "alert_mb": _alerts,
    "status": _status,
}


def _change_id(sim_id: str, row: PlannedRow, position: int) -> str:
    """Stable across plans of the same change (so a ledger recognises it); an invalid row is
    told apart by its desired row."""
    parts = [sim_id, row.field, row.from_value or "", row.to_value or ""]
    if row.verdict == "invalid":
        parts.append(str(position))
    return hashlib.sha256("\x1f".join(parts).encode()).hexdigest()[:16]


def _frame(rows: list[tuple[int, Sim | None, str, PlannedRow]]) -> pd.DataFrame:
    records = []
    for position, sim, label, row in rows:
        if not row.change_id:
            row.change_id = _change_id(label, row, position)
        records.append(
            {
                "change_id": row.change_id,
                "desired_row": position,
                "iccid": sim.iccid if sim is not None else (label if label.isdigit() else None),
                "sim_card_id": sim.id if sim is not None else None,
                "field": row.field,
                "from_value": row.from_value,
                "to_value": row.to_value,
                "description": row.description,
                "request": requests_json(row.requests) if row.requests else None,
                "depends_on": ",".join(row.depends_on) or None,
                "verdict": row.verdict,
                "reason": row.reason,
                "hint": row.hint,
            }
        )
    if not records:
        return CHANGE_PLAN.empty()
    frame = pd.DataFrame.from_records(records, columns=list(CHANGE_PLAN.names))
    return frame.astype(dict(CHANGE_PLAN.dtypes))
