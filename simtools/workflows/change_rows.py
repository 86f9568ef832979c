"""The rows of a change plan as the apply workflow works on them: read from the plan frame
(checked, before anything is sent) and carrying what became of them."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from typing import Any

import pandas as pd

from simtools.errors import InvalidInputError
from simtools.frames.change_contracts import FIELDS, VERDICTS
from simtools.frames.change_values import Request, parse_requests, parse_value
from simtools.inputs.desired import is_blank

__all__ = ["Change", "changes_of"]

_REPLAN = "plan the changes again with simtools.plan_changes (edit the desired frame, not the plan)"


@dataclass
class Change:
    """One plan row: what it asks for and, once settled, what became of it."""

    change_id: str
    sim_id: str
    field: str
    before: Any
    after: Any
    requests: list[Request]
    depends_on: list[str]
    verdict: str
    reason: str | None
    result: str | None = None
    detail: str | None = None
    live: str | None = None
    error: tuple[str | None, str | None, str] | None = None
    sent: int = 0
    #: Requests whose answer was lost and that reading back showed performed.
    reconciled: int = 0
    extra: dict[str, Any] = dataclasses.field(default_factory=dict)

    def lost_answers(self) -> str:
        """What the outcome's detail adds when answers were lost and reading back confirmed."""
        if not self.reconciled:
            return ""
        lost = "an answer was" if self.reconciled == 1 else f"{self.reconciled} answers were"
        return f"; {lost} lost, confirmed by reading back"

    def settle(self, result: str, detail: str, *, live: str | None = None, **extra: Any) -> None:
        self.result, self.detail = result, detail
        if live is not None:
            self.live = live
        self.extra.update(extra)


def _text(value: Any) -> str | None:
    return None if is_blank(value) else str(value)


def changes_of(frame: pd.DataFrame) -> list[Change]:
    """One :class:`Change` per row of a plan frame; a row a plan would not make (an unknown
    field or verdict, a change row without its SIM or requests, a repeated change id) is
    refused, naming the rows."""
    problems: list[str] = []
    out: list[Change] = []
    seen: set[str] = set()
    for position, row in enumerate(frame.to_dict("records")):
        where = f"row {position} (change {row.get('change_id')})"
        try:
            out.append(_change(row, where))
        except (InvalidInputError, ValueError, TypeError) as exc:
            problems.append(f"{where}: {getattr(exc, 'reason', exc)}")
            continue
        if out[-1].change_id in seen:
            problems.append(f"{where}: the change id appears twice")
        seen.add(out[-1].change_id)
    if problems:
        raise InvalidInputError(
            problems[:20],
            f"{len(problems)} row(s) of the plan are not rows plan_changes makes; nothing was sent",
            _REPLAN,
            problems=problems,
        )
    return out


def _change(row: dict[Any, Any], where: str) -> Change:
    field_name, verdict = _text(row["field"]), _text(row["verdict"])
    change_id = _text(row["change_id"])
    if field_name not in FIELDS or verdict not in VERDICTS or change_id is None:
        raise ValueError(f"field {field_name!r}, verdict {verdict!r} and change_id are needed")
    sim_id = _text(row["sim_card_id"]) or ""
    requests: list[Request] = []
    if verdict == "change":
        if not sim_id:
            raise ValueError("a change row needs its sim_card_id")
        requests = parse_requests(row["request"], where)
        if not all(
            sim_id in r["path"]
            or sim_id == (r["body"] or {}).get("sim_card_id")
            or r["path"].startswith("sim_card_data_usage_notifications/")
            for r in requests
        ):
            raise ValueError("its requests name another SIM")
    return Change(
        change_id=change_id,
        sim_id=sim_id,
        field=field_name,
        before=parse_value(field_name, row["from_value"]),
        after=parse_value(field_name, row["to_value"]) if verdict != "invalid" else None,
        requests=requests,
        depends_on=[d for d in (_text(row["depends_on"]) or "").split(",") if d],
        verdict=verdict,
        reason=_text(row["reason"]),
    )
