"""The usage explorer: filter a fleet by group, tag and status and see who is near the limit."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any

import ipywidgets as widgets
import pandas as pd

from simtools.client import SimClient
from simtools.errors import InvalidInputError
from simtools.widgets.filtering import SORT_OPTIONS, Choice, FleetFilter, match_caption, top_rows
from simtools.widgets.links import csv_download_link
from simtools.widgets.outputs import clear, reporting, show_figure, show_frame, show_html
from simtools.widgets.register_form import banner_html, usage_figure

if TYPE_CHECKING:
    from matplotlib.figure import Figure

__all__ = ["UsageExplorer", "usage_explorer"]

_LABELS = {"description_width": "80px"}


def _options(choices: list[Choice]) -> list[tuple[str, str]]:
    return [(c.label, c.value) for c in choices]


class UsageExplorer:
    """Filters, a usage-vs-limit plot and a table of the worst SIMs, updated as filters change.

    Widgets: ``group_input``, ``tag_input``, ``status_input`` (multiple choice; none chosen means
    all), ``threshold_input``, ``top_input``, ``sort_input``, ``refresh_button`` (only with a
    client), ``export_button``, ``caption``, ``plot_output``, ``table_output``, ``output``
    (messages and the CSV link). ``frame`` is the whole fleet, ``filtered`` what passes the
    filters, ``last_figure`` the plot shown.
    """

    def __init__(self, source: SimClient | pd.DataFrame) -> None:
        if isinstance(source, SimClient):
            self.client: SimClient | None = source
        elif isinstance(source, pd.DataFrame):
            self.client = None
        else:
            raise InvalidInputError(
                type(source).__name__,
                f"usage_explorer needs a SimClient or a DataFrame, got {type(source).__name__}",
                "pass simtools.connect() or a frame from fleet_frame(client)",
            )
        self.last_figure: Figure | None = None
        self._quiet = False
        self.output = widgets.Output()
        self.plot_output = widgets.Output()
        self.table_output = widgets.Output()
        self.caption = widgets.HTML()
        box = widgets.Layout(width="32%", height="150px")
        self.group_input = widgets.SelectMultiple(description="Groups", layout=box, style=_LABELS)
        self.tag_input = widgets.SelectMultiple(description="Tags", layout=box, style=_LABELS)
        self.status_input = widgets.SelectMultiple(description="Status", layout=box, style=_LABELS)
        self.threshold_input = widgets.FloatSlider(
            value=0.8,
            min=0.05,
            max=1.0,
            step=0.05,
            description="Near limit",
            readout_format=".0%",
            style=_LABELS,
            continuous_update=False,
        )
        self.top_input = widgets.IntSlider(
            value=30, min=1, max=100, description="Top SIMs", style=_LABELS, continuous_update=False
        )
        self.sort_input = widgets.Dropdown(
            options=list(SORT_OPTIONS), value="utilization", description="Sort by", style=_LABELS
        )
        self.refresh_button = widgets.Button(
            description="Refresh",
            icon="refresh",
            disabled=self.client is None,
            tooltip="Fetch the fleet again"
            if self.client
            else "built from a frame: nothing to fetch",
        )
        self.export_button = widgets.Button(
            description="Export CSV",
            icon="download",
            tooltip="A download link for the filtered SIMs",
        )

        self.frame = pd.DataFrame()
        self._filter: FleetFilter | None = None
        if self.client is not None:
            self._fetch()
        else:
            self._set_frame(source)  # type: ignore[arg-type]

        for control in (
            self.group_input,
            self.tag_input,
            self.status_input,
            self.threshold_input,
            self.top_input,
            self.sort_input,
        ):
            control.observe(self._on_change, names="value")
        self.refresh_button.on_click(self._on_refresh)
        self.export_button.on_click(self._on_export)

        head = [widgets.HTML(banner_html(self.client))] if self.client is not None else []
        self.widget = widgets.VBox(
            [
                *head,
                widgets.HBox([self.group_input, self.tag_input, self.status_input]),
                widgets.HBox([self.threshold_input, self.top_input, self.sort_input]),
                widgets.HBox([self.refresh_button, self.export_button]),
                self.caption,
                self.output,
                self.plot_output,
                self.table_output,
            ]
        )
        self.update()

    def _repr_mimebundle_(self, **kwargs: Any) -> Any:
        return self.widget._repr_mimebundle_(**kwargs)

    def __repr__(self) -> str:
        source = repr(self.client) if self.client is not None else "a frame"
        return f"UsageExplorer({len(self.frame):,} SIMs from {source})"

    # -- state ---------------------------------------------------------------------------------

    @property
    def filtered(self) -> pd.DataFrame:
        """The SIMs that pass the current filters (all of ``frame`` when none is chosen)."""
        if self._filter is None:
            return self.frame
        return self._filter.apply(
            groups=self.group_input.value,
            statuses=self.status_input.value,
            tags=self.tag_input.value,
        )

    def _set_frame(self, frame: pd.DataFrame) -> None:
        """Take a new fleet; keep the selections that still exist."""
        fleet_filter = FleetFilter(frame)
        self.frame = frame
        self._filter = fleet_filter
        with self._no_updates():
            for control, choices in (
                (self.group_input, fleet_filter.group_choices()),
                (self.tag_input, fleet_filter.tag_choices()),
                (self.status_input, fleet_filter.status_choices()),
            ):
                kept = tuple(v for v in control.value if v in {c.value for c in choices})
                control.options = _options(choices)
                control.value = kept

    def _fetch(self) -> None:
        from simtools.workflows.fleet import fleet_frame

        assert self.client is not None
        with reporting(self.output, "fetch the fleet"):
            self._set_frame(fleet_frame(self.client, progress=False))
            return
        if self._filter is None:  # the first fetch failed: an empty fleet keeps the form usable
            from simtools.frames import sim_cards_frame

            self._set_frame(sim_cards_frame([]))

    @contextmanager
    def _no_updates(self) -> Iterator[None]:
        self._quiet = True
        try:
            yield
        finally:
            self._quiet = False

    # -- handlers ------------------------------------------------------------------------------

    def _on_change(self, _change: Any = None) -> None:
        if not self._quiet:
            self.update()

    def update(self) -> None:
        """Redraw the caption, the plot and the table for the current filters."""
        with reporting(self.output, "update the view"):
            filtered = self.filtered
            threshold = float(self.threshold_input.value)
            top = int(self.top_input.value)
            sort_by = str(self.sort_input.value)
            self.caption.value = f"<b>{match_caption(filtered, len(self.frame), threshold)}</b>"
            # The table first: it is ready in milliseconds, the figure takes a render.
            table = top_rows(filtered, top, sort_by, threshold)
            clear(self.table_output)
            show_frame(self.table_output, table, caption=f"Top {len(table):,} by {sort_by}")
            figure = usage_figure(filtered, top=top, sort_by=sort_by, threshold=threshold)
            self.last_figure = figure
            clear(self.plot_output)
            show_figure(self.plot_output, figure)

    def _on_refresh(self, _button: Any = None) -> None:
        if self.client is None:
            return
        clear(self.output)
        self.refresh_button.disabled = True
        try:
            self._fetch()
        finally:
            self.refresh_button.disabled = False
        self.update()

    def _on_export(self, _button: Any = None) -> None:
        clear(self.output)
        with reporting(self.output, "export the filtered SIMs"):
            stamp = dt.datetime.now(dt.UTC).strftime("%Y%m%dT%H%M%SZ")
            filtered = self.filtered
            link = csv_download_link(filtered, f"sim-usage-{stamp}.csv")
            show_html(self.output, link, f"Download the {len(filtered):,} filtered SIMs as CSV")


def usage_explorer(source: SimClient | pd.DataFrame) -> UsageExplorer:
    """An interactive view of a fleet; pass a client (fetched now, ``Refresh`` fetches again)
    or a frame from ``fleet_frame`` / ``sim_cards_frame``."""
    return UsageExplorer(source)
