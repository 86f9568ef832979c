"""The review form of a change plan: the changes grouped by field with counts, rows to untick,
and Apply with a progress bar and the outcome table."""

from __future__ import annotations

import datetime as dt
import os
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import ipywidgets as widgets
import pandas as pd

from simtools.analysis.changes import ChangePlan
from simtools.client import SimClient
from simtools.errors import InvalidInputError
from simtools.widgets.links import csv_download_link
from simtools.widgets.outputs import clear, reporting, show_frame, show_html, show_message
from simtools.widgets.register_form import banner_html
from simtools.widgets.reviewing import outcome_line, review_sections, ticked_rows
from simtools.workflows.changes import apply_changes

__all__ = ["ChangesForm", "changes_form"]

_WIDE = widgets.Layout(width="100%")
_SHOWN = ["iccid", "field", "description", "result", "result_detail", "error_detail"]


class ChangesForm:
    """Review a plan and apply it; display it as the last expression of a cell.

    Widgets: ``sections`` (per field: a ``Checkbox`` for the whole field and a
    ``SelectMultiple`` of its rows, all ticked at first), ``apply_button``, ``progress``,
    ``output``. After Apply: ``last_outcome`` (the outcome frame of the ticked rows).
    """

    def __init__(
        self,
        client: SimClient,
        plan: ChangePlan | pd.DataFrame,
        *,
        ledger: str | os.PathLike[str] | None = None,
    ) -> None:
        if not isinstance(client, SimClient):
            raise InvalidInputError(
                type(client).__name__,
                f"changes_form needs a SimClient, got {type(client).__name__}",
                "pass simtools.connect() or SimClient(api_key, base_url=...)",
            )
        frame = plan.frame if isinstance(plan, ChangePlan) else plan
        if not isinstance(frame, pd.DataFrame) or "verdict" not in frame.columns:
            raise InvalidInputError(
                type(plan).__name__, "changes_form needs a change plan", "pass plan_changes(...)"
            )
        self.client, self.frame, self.ledger = client, frame, ledger
        self.last_outcome: pd.DataFrame | None = None
        self.sections: dict[str, tuple[widgets.Checkbox, widgets.SelectMultiple]] = {}
        boxes = [self._section(s.field, s.title, s.options) for s in review_sections(frame)]
        self.accordion = widgets.Accordion(children=boxes, layout=_WIDE)
        for i, section in enumerate(review_sections(frame)):
            self.accordion.set_title(i, section.title)
        self.summary = widgets.HTML(self._summary_html(), layout=_WIDE)
        self.ticked_label = widgets.Label("")
        self.apply_button = widgets.Button(
            description="Apply", icon="check", button_style="primary"
        )
        self.progress = widgets.IntProgress(
            min=0, max=1, value=0, layout=widgets.Layout(visibility="hidden")
        )
        self.status_label = widgets.Label("")
        self.output = widgets.Output(layout=_WIDE)
        self.apply_button.on_click(self._on_apply)
        self._count()
        self.widget = widgets.VBox(
            [
                widgets.HTML(banner_html(client), layout=_WIDE),
                self.summary,
                self.accordion,
                widgets.HBox([self.apply_button, self.ticked_label, self.progress]),
                self.status_label,
                self.output,
            ],
            layout=_WIDE,
        )
        self._show_invalid()

    def _repr_mimebundle_(self, **kwargs: Any) -> Any:
        return self.widget._repr_mimebundle_(**kwargs)

    def __repr__(self) -> str:
        return f"ChangesForm({len(self.frame)} rows, client={self.client!r})"

    # -- building --------------------------------------------------------------------------

    def _section(
        self, field: str, title: str, options: tuple[tuple[str, str], ...]
    ) -> widgets.VBox:
        whole = widgets.Checkbox(
            value=True, description=f"apply these {len(options):,}", indent=False
        )
        rows = widgets.SelectMultiple(
            options=list(options),
            value=[cid for _, cid in options],
            rows=min(10, len(options)),
            layout=_WIDE,
        )
        whole.observe(lambda change: self._toggle(rows, change["new"]), names="value")
        rows.observe(lambda _change: self._count(), names="value")
        self.sections[field] = (whole, rows)
        hint = widgets.HTML("<small>Ctrl/Cmd-click a row to untick or tick it again.</small>")
        return widgets.VBox([whole, hint, rows], layout=_WIDE)

    def _toggle(self, rows: widgets.SelectMultiple, on: bool) -> None:
        rows.value = [cid for _, cid in rows.options] if on else []
        self._count()

    def _summary_html(self) -> str:
        counts = pd.crosstab(self.frame["field"], self.frame["verdict"])
        counts = counts.loc[counts.sum(axis=1) > 0]
        counts.columns.name = None
        table = counts.reset_index()
        return "<h4 style='margin: 6px 0;'>The plan</h4>" + table.to_html(
            index=False, border=0, classes="simtools-table simtools-plan-summary"
        )

    def _show_invalid(self) -> None:
        invalid = self.frame[self.frame["verdict"] == "invalid"]
        if len(invalid):
            shown = invalid[["desired_row", "iccid", "field", "reason", "hint"]]
            rows = f"{len(invalid):,} invalid row{'' if len(invalid) == 1 else 's'}"
            show_frame(self.output, shown, caption=f"{rows} (not applied)")

    # -- state -----------------------------------------------------------------------------

    def ticked(self) -> list[str]:
        """The change ids ticked now."""
        return [cid for whole, rows in self.sections.values() if whole.value for cid in rows.value]

    def _count(self) -> None:
        total = sum(len(rows.options) for _, rows in self.sections.values())
        n = len(self.ticked())
        self.ticked_label.value = f"{n:,} of {total:,} changes ticked"
        self.apply_button.description = f"Apply {n:,}"
        self.apply_button.disabled = n == 0 or self.last_outcome is not None

    # -- applying --------------------------------------------------------------------------

    def _on_apply(self, _button: Any = None) -> None:
        clear(self.output)
        rows = ticked_rows(self.frame, self.ticked())
        with self._busy(), reporting(self.output, "apply the changes"):
            outcome = apply_changes(
                self.client, rows, ledger=self.ledger, progress=False, on_progress=self._progress
            )
            self.last_outcome = outcome
            text, kind = outcome_line(outcome)
            show_message(self.output, text, kind, title="Applied")
            trouble = outcome[~outcome["result"].isin(["applied", "no-op"])]
            if len(trouble):
                show_frame(self.output, trouble[_SHOWN], caption="Not applied", hide_empty=True)
            show_frame(self.output, outcome[_SHOWN], caption="Outcome per change", hide_empty=True)
            stamp = dt.datetime.now(dt.UTC).strftime("%Y%m%dT%H%M%SZ")
            link = csv_download_link(outcome, f"changes-{stamp}.csv", "Download the outcome CSV")
            show_html(self.output, link, "Download the outcome CSV")
        self._count()

    def _progress(self, done: int, total: int) -> None:
        self.progress.max = max(total, 1)
        self.progress.value = done
        self.status_label.value = f"Applying: {done:,} of {total:,} changes settled"

    @contextmanager
    def _busy(self) -> Iterator[None]:
        """Apply off (so a second click cannot send the plan twice) while working."""
        self.apply_button.disabled = True
        self.progress.value = 0
        self.progress.layout.visibility = "visible"
        self.status_label.value = "Reading the SIMs back…"
        try:
            yield
        finally:
            self.status_label.value = ""


def changes_form(
    client: SimClient,
    plan: ChangePlan | pd.DataFrame,
    *,
    ledger: str | os.PathLike[str] | None = None,
) -> ChangesForm:
    """A form that reviews ``plan`` and applies the ticked changes with ``client``; see
    ``ChangesForm``."""
    return ChangesForm(client, plan, ledger=ledger)
