"""What the review form shows of a change plan and of its outcome, as plain functions: the
sections (one per field, a row per change), which rows are ticked, and one sentence on an
outcome (pure, so they are tested without widgets)."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Literal

import pandas as pd

from simtools.frames.change_contracts import FIELDS, RESULTS

__all__ = ["FIELD_TITLES", "Section", "outcome_line", "review_sections", "ticked_rows"]

#: How each field is named in the form.
FIELD_TITLES = {
    "data_limit_mb": "Data limits",
    "tags": "Tags",
    "sim_card_group": "Groups",
    "alert_mb": "Usage alerts",
    "status": "Status",
}


@dataclass(frozen=True)
class Section:
    """One field's changes: ``options`` are ``(label, change_id)`` pairs, one per row."""

    field: str
    title: str
    options: tuple[tuple[str, str], ...]


def review_sections(frame: pd.DataFrame) -> list[Section]:
    """The plan's ``change`` rows grouped by field, in the order they are applied."""
    changes = frame[frame["verdict"] == "change"]
    out = []
    for name in FIELDS:
        rows = changes[changes["field"] == name]
        if rows.empty:
            continue
        options = tuple(
            (f"{iccid or sim}  {text}", str(cid))
            for iccid, sim, text, cid in zip(
                rows["iccid"].tolist(),
                rows["sim_card_id"].tolist(),
                rows["description"].tolist(),
                rows["change_id"].tolist(),
                strict=True,
            )
        )
        out.append(Section(name, f"{FIELD_TITLES[name]} ({len(options):,})", options))
    return out


def ticked_rows(frame: pd.DataFrame, ticked: Iterable[str]) -> pd.DataFrame:
    """The ``change`` rows whose ids are ticked, in plan order."""
    wanted = set(ticked)
    keep = (frame["verdict"] == "change") & frame["change_id"].isin(wanted)
    return frame[keep.to_numpy(dtype=bool)]


def outcome_line(outcome: pd.DataFrame) -> tuple[str, Literal["success", "warning", "error"]]:
    """One sentence on an outcome frame, and how it should look."""
    found = outcome["result"].value_counts()
    counts = {r: int(found.get(r, 0)) for r in RESULTS if found.get(r, 0)}
    said = ", ".join(f"{n:,} {r}" for r, n in counts.items()) or "nothing to do"
    text = f"{len(outcome):,} changes: {said}."
    trouble = sum(counts.get(r, 0) for r in ("conflict", "failed", "unknown"))
    if counts.get("unknown"):
        text += " Unknown outcomes are reconciled by applying again with the same ledger."
    if not trouble:
        return text, "success"
    return text, "error" if trouble == len(outcome) else "warning"
