"""What one SIM's desired value of one field means: a change with its requests, a no-op, or an
invalid change saying why and how to fix it (pure; :func:`simtools.analysis.changes
.plan_changes` calls these per SIM and field).

Where the contract is silent, the rules follow the SDK 4.189.0 and say so: a status changes only
through the enable, disable and set_standby actions (CONTRACT.md 5.3, 5.4); enable and standby
need the SIM to be in a group (5.4); a SIM in a transitional status (``enabling``, ...) has an
action in progress, and a plan for it waits until it settles; a SIM that exceeded its limit
(``data_limit_exceeded``) is enabled again only together with a higher limit (assumption: the API
would stop it again at once otherwise).
"""

from __future__ import annotations

import dataclasses
from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass

from simtools.frames.change_values import (
    PLACES,
    Request,
    alerts_text,
    mb_text,
    same_value,
    tags_text,
)
from simtools.inputs.arguments import decimal_text
from simtools.inputs.desired import SETTABLE_STATUSES, Problem
from simtools.models import TRANSITIONAL_STATUSES

__all__ = [
    "ACTION_FOR",
    "Groups",
    "PlannedRow",
    "Sim",
    "data_text",
    "from_text",
    "plan_alerts",
    "plan_group",
    "plan_limit",
    "plan_status",
    "plan_tags",
]

#: The action that moves a SIM to each status a plan can set.
ACTION_FOR = {"enabled": "enable", "disabled": "disable", "standby": "set_standby"}
_NOTIFICATIONS = "sim_card_data_usage_notifications"


@dataclass(frozen=True)
class Sim:
    """What a plan knows of one SIM, from the current fleet frame."""

    id: str
    iccid: str | None
    status: str | None
    group_id: str | None
    tags: tuple[str, ...]
    limit_mb: float | None
    consumed_mb: float | None
    alert_mb: tuple[float, ...] = ()
    alert_ids: tuple[str, ...] = ()


@dataclass
class PlannedRow:
    """One row of a plan before it becomes a frame row (``change_id`` is added last)."""

    field: str
    from_value: str | None
    to_value: str | None
    description: str
    verdict: str = "change"
    requests: list[Request] = dataclasses.field(default_factory=list)
    depends_on: list[str] = dataclasses.field(default_factory=list)
    reason: str | None = None
    hint: str | None = None
    change_id: str = ""

    @classmethod
    def invalid(
        cls,
        field_name: str,
        problem: Problem,
        from_value: str | None = None,
        to_value: str | None = None,
    ) -> PlannedRow:
        return cls(
            field_name,
            from_value,
            to_value,
            f"{field_name}: {problem.reason}",
            "invalid",
            reason=problem.reason,
            hint=problem.hint,
        )


class Groups:
    """The SIM card groups a plan may name, by id and by name."""

    def __init__(self, names: Mapping[str, str | None]) -> None:
        self.names = dict(names)
        self._by_name: dict[str, list[str]] = {}
        for gid, name in self.names.items():
            if name:
                self._by_name.setdefault(name, []).append(gid)

    def label(self, group_id: str | None) -> str:
        if group_id is None:
            return "(no group)"
        return self.names.get(group_id) or group_id

    def resolve(self, text: str) -> str | Problem:
        """The id of the group ``text`` names (an id or a name)."""
        lowered = text.lower()
        if lowered in self.names:
            return lowered
        ids = self._by_name.get(text) or [
            gid for name, gids in self._by_name.items() if name.lower() == lowered for gid in gids
        ]
        if len(ids) == 1:
            return ids[0]
        if len(ids) > 1:
            return Problem(
                f"{len(ids)} groups are named {text!r} ({', '.join(sorted(ids))})",
                "give the group's id instead of its name",
            )
        known = ", ".join(repr(n) for n in sorted(self._by_name)[:8]) or "none"
        return Problem(
            f"no SIM card group is named or has the id {text!r} (known: {known})",
            "check the spelling; for a group without SIMs in the fleet frame pass "
            "groups=simtools.sim_card_groups_frame(client)",
        )


def from_text(sim: Sim, field_name: str) -> str | None:
    """The SIM's current value of a field, as a plan writes it."""
    if field_name == "data_limit_mb":
        return mb_text(sim.limit_mb)
    if field_name == "tags":
        return tags_text(sim.tags)
    if field_name == "sim_card_group":
        return sim.group_id
    if field_name == "alert_mb":
        return alerts_text(sim.alert_mb)
    return sim.status


def data_text(mb: float | None) -> str:
    """An amount for people: ``"100 MB"``, ``"1.5 GB"``, ``"none"``."""
    if mb is None:
        return "none"
    if mb >= 1024:
        return f"{mb / 1024:,.2f}".rstrip("0").rstrip(".") + " GB"
    return f"{mb:,.3f}".rstrip("0").rstrip(".") + " MB"


def _patch(sim: Sim, body: dict[str, object]) -> list[Request]:
    return [Request(method="PATCH", path=f"sim_cards/{sim.id}", body=body)]


def plan_limit(sim: Sim, mb: float) -> PlannedRow:
    """The SIM's own data limit, set in MB with the one decimal it is sent with."""
    places = PLACES["data_limit_mb"]
    to = round(mb, places)
    row = PlannedRow(
        "data_limit_mb",
        mb_text(sim.limit_mb),
        mb_text(to),
        f"data limit {data_text(sim.limit_mb)} → {data_text(to)}",
    )
    if same_value("data_limit_mb", sim.limit_mb, to):
        row.verdict = "no-op"
        return row
    amount = {"amount": decimal_text(to, places), "unit": "MB"}
    row.requests = _patch(sim, {"data_limit": amount})
    return row


def plan_tags(
    sim: Sim, replace: tuple[str, ...] | None, add: tuple[str, ...], remove: tuple[str, ...]
) -> PlannedRow:
    """The SIM's tags: replaced, or edited (``add`` appended, ``remove`` taken out)."""
    both = sorted(set(add) & set(remove))
    if both:
        problem = Problem(
            f"tag {both[0]!r} is both in tags_add and in tags_remove",
            "keep it in one of the two",
        )
        return PlannedRow.invalid("tags", problem, tags_text(sim.tags))
    if replace is not None:
        to = replace
    else:
        kept = [t for t in sim.tags if t not in remove]
        to = (*kept, *(t for t in add if t not in kept))
    row = PlannedRow(
        "tags",
        tags_text(sim.tags),
        tags_text(to),
        f"tags [{', '.join(sim.tags)}] → [{', '.join(to)}]",
    )
    if same_value("tags", sim.tags, to):
        row.verdict = "no-op"
        return row
    row.requests = _patch(sim, {"tags": list(to)})
    return row


def plan_group(sim: Sim, text: str, groups: Groups) -> PlannedRow:
    """The SIM's group, named by id or name."""
    resolved = groups.resolve(text)
    if isinstance(resolved, Problem):
        return PlannedRow.invalid("sim_card_group", resolved, sim.group_id, text)
    row = PlannedRow(
        "sim_card_group",
        sim.group_id,
        resolved,
        f"group {groups.label(sim.group_id)} → {groups.label(resolved)}",
    )
    if resolved == sim.group_id:
        row.verdict = "no-op"
        return row
    row.requests = _patch(sim, {"sim_card_group_id": resolved})
    return row


def plan_alerts(sim: Sim, wanted: tuple[float, ...]) -> PlannedRow:
    """The SIM's data usage notifications: thresholds kept, moved (PATCH), removed (DELETE) or
    added (POST), in that order."""
    places = PLACES["alert_mb"]
    target = sorted({round(t, places) for t in wanted})
    current = sorted(zip(sim.alert_mb, sim.alert_ids, strict=True))
    free = Counter(target)
    removed: list[tuple[float, str]] = []
    for mb, nid in current:
        if free[round(mb, places)] > 0:
            free[round(mb, places)] -= 1
        else:
            removed.append((mb, nid))
    added = sorted(free.elements())
    shown = ", ".join(data_text(t) for t in target) or "none"
    row = PlannedRow(
        "alert_mb",
        alerts_text(sim.alert_mb),
        alerts_text(target),
        f"alerts at {', '.join(data_text(t) for t in sim.alert_mb) or 'none'} → {shown}",
    )
    if not removed and not added:
        row.verdict = "no-op"
        return row
    for (_, nid), mb in zip(removed, added, strict=False):
        moved: dict[str, object] = {"threshold": {"amount": decimal_text(mb, places), "unit": "MB"}}
        row.requests.append(Request(method="PATCH", path=f"{_NOTIFICATIONS}/{nid}", body=moved))
    for _, nid in removed[len(added) :]:
        row.requests.append(Request(method="DELETE", path=f"{_NOTIFICATIONS}/{nid}", body=None))
    for mb in added[len(removed) :]:
        threshold = {"amount": decimal_text(mb, places), "unit": "MB"}
        body: dict[str, object] = {"sim_card_id": sim.id, "threshold": threshold}
        row.requests.append(Request(method="POST", path=_NOTIFICATIONS, body=body))
    return row


def plan_status(sim: Sim, wanted: str, planned: Mapping[str, PlannedRow]) -> PlannedRow:
    """The SIM's status, through its action; ``planned`` holds the SIM's other rows, since a
    group move or a higher limit in the same plan can make the action possible."""
    row = PlannedRow("status", sim.status, wanted, f"status {sim.status} → {wanted}")
    if wanted == sim.status:
        row.verdict = "no-op"
        return row
    problem = _status_problem(sim, wanted, planned)
    if problem is not None:
        return PlannedRow.invalid("status", problem, sim.status, wanted)
    group, limit = planned.get("sim_card_group"), planned.get("data_limit_mb")
    if sim.group_id is None and group is not None:
        row.depends_on.append(group.change_id)
    if sim.status == "data_limit_exceeded" and limit is not None:
        row.depends_on.append(limit.change_id)
    path = f"sim_cards/{sim.id}/actions/{ACTION_FOR[wanted]}"
    row.requests = [Request(method="POST", path=path, body=None)]
    return row


def _status_problem(sim: Sim, wanted: str, planned: Mapping[str, PlannedRow]) -> Problem | None:
    if wanted not in SETTABLE_STATUSES:
        return Problem(
            f"status {wanted!r} is not one a plan can set",
            f"use one of {', '.join(SETTABLE_STATUSES)}",
        )
    if sim.status is None or sim.status in TRANSITIONAL_STATUSES:
        return Problem(
            f"the SIM is {sim.status or 'in an unknown status'}: an action is in progress",
            "plan it again once it has settled (fetch the fleet frame again in a minute)",
        )
    group = planned.get("sim_card_group")
    group_after = group.to_value if group is not None and group.verdict == "change" else None
    if wanted in ("enabled", "standby") and sim.group_id is None and group_after is None:
        return Problem(
            f"a SIM with no group cannot be {'enabled' if wanted == 'enabled' else 'on standby'}",
            "give it a sim_card_group in the same desired row",
        )
    if wanted == "enabled" and sim.status == "data_limit_exceeded":
        limit = planned.get("data_limit_mb")
        used = sim.consumed_mb or 0.0
        raised = (
            limit is not None and limit.verdict == "change" and float(limit.to_value or 0) > used
        )
        if not raised:
            return Problem(
                f"it has used {data_text(used)} and is stopped at its data limit",
                f"raise its data_limit_mb above {mb_text(used)} in the same desired row",
            )
    return None
