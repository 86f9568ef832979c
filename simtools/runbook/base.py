"""What every runbook step shares: the stop that reads as a message, and the step report."""

from __future__ import annotations

import html
from collections.abc import Sequence
from typing import ClassVar

import pandas as pd

from simtools.errors import SimToolsError

__all__ = ["RunbookStop", "StepReport"]


class RunbookStop(SimToolsError):
    """A runbook step cannot go on. In a notebook it shows as its message, not a traceback."""

    def __init__(self, step: str, reason: str, hint: str, *, details: Sequence[str] = ()) -> None:
        self.step = step
        self.reason = reason
        self.hint = hint
        self.details = tuple(details)
        super().__init__("\n".join(self.lines()))

    def lines(self) -> list[str]:
        shown = [f"  - {d}" for d in self.details[:15]]
        if len(self.details) > 15:
            shown.append(f"  - ... and {len(self.details) - 15} more")
        return [f"STOPPED at step '{self.step}': {self.reason}", *shown, f"What to do: {self.hint}"]

    def _render_traceback_(self) -> list[str]:
        # IPython shows these lines instead of the traceback: the stop is an answer, not a bug.
        return self.lines()


class StepReport:
    """A step's result: ``message`` plus ``frame``, shown as both when it ends a cell (the
    columns in ``shown_columns`` when a step names them; the frame itself keeps them all)."""

    message: str
    frame: pd.DataFrame
    shown_columns: ClassVar[tuple[str, ...]] = ()

    def _shown(self) -> pd.DataFrame:
        columns = [c for c in self.shown_columns if c in self.frame.columns]
        table = self.frame[columns] if columns else self.frame
        return table.astype(object).where(table.notna(), "")

    def _repr_html_(self) -> str:
        table = self._shown().to_html(index=False, max_rows=60)
        return f"<p><b>{html.escape(self.message)}</b></p>{table}"

    def __repr__(self) -> str:
        return f"{self.message}\n{self._shown().to_string(index=False, max_rows=60)}"
