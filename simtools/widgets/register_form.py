"""The registration form: paste or upload codes, check them, register them, see what happened."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any

import ipywidgets as widgets
import pandas as pd

from simtools.client import SimClient
from simtools.display import show
from simtools.errors import InvalidInputError, SimToolsError, TransportError
from simtools.frames import errors_frame, registration_frame, sim_cards_frame
from simtools.models import REGISTER_STATUSES
from simtools.results import RegistrationResult
from simtools.widgets.codeinput import (
    group_options,
    parse_tags_text,
    preview_frame,
    read_form_codes,
    uploads_from_widget,
)
from simtools.widgets.links import csv_download_link
from simtools.widgets.outputs import (
    clear,
    message_html,
    reporting,
    show_figure,
    show_frame,
    show_html,
    show_message,
)
from simtools.widgets.registering import (
    outcome_table,
    register_entries,
    retry_failed,
    retryable,
    summary_line,
)
from simtools.workflows.connect import connection_banner

if TYPE_CHECKING:
    from matplotlib.figure import Figure

__all__ = ["RegisterForm", "banner_html", "register_form", "usage_figure"]

_WIDE = widgets.Layout(width="100%")
_LABELS = {"description_width": "90px"}


def banner_html(client: SimClient) -> str:
    """The connection banner: blue for a sandbox, orange for a real account."""
    text = connection_banner(client)
    return message_html(text, "info" if text.startswith("SANDBOX") else "warning")


def usage_figure(sims: pd.DataFrame, *, top: int = 30, **options: Any) -> Figure:
    """A new figure (not managed by pyplot) with ``plot_usage_vs_limit`` of ``sims``."""
    from matplotlib.figure import Figure

    from simtools.plots import plot_usage_vs_limit

    bars = min(top, max(len(sims), 1))
    figure = Figure(figsize=(9.0, 1.9 + 0.27 * bars), layout="constrained")
    plot_usage_vs_limit(sims, top=top, ax=figure.add_subplot(), **options)
    return figure


class RegisterForm:
    """Register SIM cards from a notebook; display it as the last expression of a cell.

    Widgets: ``codes_input``, ``upload_input``, ``group_input``, ``tags_input``, ``status_input``,
    ``validate_button``, ``register_button``, ``retry_button``, ``progress``, ``output``.
    After a click: ``last_preview`` (Validate), ``last_result``, ``last_frame`` and
    ``last_figure`` (Register and Retry; the usage plot only once a new SIM has used data).
    ``unusable`` says why the form cannot be used (its buttons are then off): a closed client
    or an API it cannot reach when the form was built.
    """

    def __init__(self, client: SimClient) -> None:
        if not isinstance(client, SimClient):
            raise InvalidInputError(
                type(client).__name__,
                f"register_form needs a SimClient, got {type(client).__name__}",
                "pass simtools.connect() or SimClient(api_key, base_url=...)",
            )
        self.client = client
        self.last_result: RegistrationResult | None = None
        self.last_frame: pd.DataFrame | None = None
        self.last_preview: pd.DataFrame | None = None
        self.last_figure: Figure | None = None

        self.banner = widgets.HTML(banner_html(client), layout=_WIDE)
        self.codes_input = widgets.Textarea(
            description="Codes",
            placeholder="10-digit registration codes: one per line, or separated by commas "
            "or spaces",
            layout=widgets.Layout(width="100%", height="130px"),
            style=_LABELS,
        )
        self.upload_input = widgets.FileUpload(
            accept=".csv,.tsv,.txt", multiple=True, description="Upload CSV/text"
        )
        self.group_input = widgets.Dropdown(
            description="SIM group", layout=widgets.Layout(width="60%"), style=_LABELS
        )
        self.tags_input = widgets.Text(
            description="Tags",
            placeholder="comma separated, e.g. fleet-a, berlin",
            layout=widgets.Layout(width="60%"),
            style=_LABELS,
        )
        self.status_input = widgets.ToggleButtons(
            options=list(REGISTER_STATUSES),
            value="enabled",
            description="Status",
            style={**_LABELS, "button_width": "90px"},
        )
        self.validate_button = widgets.Button(
            description="Validate", icon="check", tooltip="Check the codes without registering"
        )
        self.register_button = widgets.Button(
            description="Register", icon="upload", button_style="primary"
        )
        self.retry_button = widgets.Button(
            description="Retry",
            icon="redo",
            disabled=True,
            tooltip="Send again the codes of the last run that a retry can help: no answer, a "
            "passing error (network, server, rate limit) or an unknown outcome (checked first)",
        )
        self.progress = widgets.IntProgress(
            min=0, max=1, value=0, description="", layout=widgets.Layout(visibility="hidden")
        )
        self.status_label = widgets.Label("")
        self.output = widgets.Output(layout=_WIDE)

        #: Why the form cannot be used (a closed client, an API it cannot reach), or None.
        self.unusable: str | None = None
        self.validate_button.on_click(self._on_validate)
        self.register_button.on_click(self._on_register)
        self.retry_button.on_click(self._on_retry)
        self._load_groups()
        if self.unusable is not None:
            for button in (self.validate_button, self.register_button, self.retry_button):
                button.disabled = True

        buttons = widgets.HBox(
            [self.validate_button, self.register_button, self.retry_button, self.progress]
        )
        self.widget = widgets.VBox(
            [
                self.banner,
                self.codes_input,
                widgets.HBox([widgets.Label("or", layout={"width": "90px"}), self.upload_input]),
                self.group_input,
                self.tags_input,
                self.status_input,
                buttons,
                self.status_label,
                self.output,
            ],
            layout=_WIDE,
        )

    def _repr_mimebundle_(self, **kwargs: Any) -> Any:
        return self.widget._repr_mimebundle_(**kwargs)

    def __repr__(self) -> str:
        return f"RegisterForm(client={self.client!r})"

    # -- handlers ------------------------------------------------------------------------------

    def _load_groups(self) -> None:
        options: list[tuple[str, str | None]] = [("(account default)", None)]
        default: str | None = None
        if self.client.closed:
            self._refuse(
                "This client is closed (client.close() was called, or its with block ended), "
                "so nothing can be sent with it.",
                "Make a new client with simtools.connect() and build the form again.",
            )
        else:
            try:
                options, default = group_options(self.client.list_sim_card_groups())
            except TransportError as exc:
                self._refuse(
                    f"The API at {self.client.base_url} cannot be reached ({exc.reason}).",
                    "Check the network, or TELNYX_BASE_URL for a sandbox that is no longer "
                    "running, then build the form again.",
                )
            except SimToolsError as exc:
                title = "Could not load the SIM card groups"
                show_message(self.output, str(exc), "error", title=title)
        self.group_input.options = options
        self.group_input.value = default

    def _refuse(self, why: str, fix: str) -> None:
        self.unusable = why
        show_message(
            self.output, f"{why}\nHow to fix: {fix}", "error", title="The form cannot be used"
        )

    def _on_validate(self, _button: Any = None) -> None:
        if self.unusable is not None:
            return
        clear(self.output)
        with self._busy("Validating…"), reporting(self.output, "validate the codes"):
            parsed = read_form_codes(
                self.codes_input.value, uploads_from_widget(self.upload_input.value)
            )
            answers = self.client.validate_codes(list(parsed.codes)) if parsed.codes else []
            preview = preview_frame(parsed, answers)
            self.last_preview = preview
            counts = preview["check"].value_counts(sort=False)
            said = ", ".join(f"{n} {check}" for check, n in counts.items() if n)
            ready = int(counts.get("valid", 0))
            show_message(
                self.output,
                f"{len(preview)} entries: {said}. {ready} would be registered.",
                "success" if ready == len(preview) else "warning" if ready else "error",
                title="Validation",
            )
            show_frame(self.output, preview, caption="Preview (nothing has been registered)")

    def _on_register(self, _button: Any = None) -> None:
        if self.unusable is not None:
            return
        clear(self.output)
        with self._busy("Registering…"), reporting(self.output, "register the codes"):
            parsed = read_form_codes(
                self.codes_input.value, uploads_from_widget(self.upload_input.value)
            )
            tags = parse_tags_text(self.tags_input.value)
            result, stopped = register_entries(
                self.client,
                parsed,
                sim_card_group_id=self.group_input.value,
                tags=tags,
                status=self.status_input.value,
                on_progress=self._on_progress,
            )
            self._show_result(result, stopped)

    def _on_retry(self, _button: Any = None) -> None:
        if self.last_result is None or self.unusable is not None:
            return
        clear(self.output)
        with self._busy("Retrying…"), reporting(self.output, "retry the failed codes"):
            result, stopped = retry_failed(
                self.client, self.last_result, on_progress=self._on_progress
            )
            self._show_result(result, stopped)

    def _on_progress(self, done: int, total: int) -> None:
        self.progress.max = max(total, 1)
        self.progress.value = done
        self.status_label.value = f"Registering: {done:,} of {total:,} codes sent"

    # -- showing a result ----------------------------------------------------------------------

    def _show_result(self, result: RegistrationResult, stopped: SimToolsError | None) -> None:
        self.last_result = result
        self.last_figure = None
        text, kind = summary_line(result)
        show_message(self.output, text, kind, title="Registration")
        if stopped is not None:
            show_message(self.output, str(stopped), "error", title="Registration stopped")
        frame = registration_frame(result)
        self.last_frame = frame
        view, hover = outcome_table(frame, result)
        problems = int((frame["outcome"] != "registered").sum())
        caption = "Outcome per entry" + (
            f" ({problems} needing attention first; hover over a reason for its full text)"
            if problems
            else ""
        )
        shown = show(view, max_rows=200, caption=caption, hover=hover)
        show_html(self.output, shown.to_html(), repr(shown))
        errors = errors_frame(result)
        if len(errors):
            wanted = ("registration_code", "code", "title", "detail")
            details = show(errors[[c for c in wanted if c in errors]], max_rows=50)
            show_html(
                self.output,
                "<details><summary>Errors returned by the API "
                f"({len(errors)})</summary>{details.to_html()}</details>",
                "Errors returned by the API\n" + repr(details),
            )
        sims = sim_cards_frame(result)
        has_usage = "consumed_mb" in sims and bool(
            (pd.to_numeric(sims["consumed_mb"], errors="coerce") > 0).any()
        )
        if has_usage:
            figure = usage_figure(sims)
            self.last_figure = figure
            show_figure(self.output, figure)
        stamp = dt.datetime.now(dt.UTC).strftime("%Y%m%dT%H%M%SZ")
        link = csv_download_link(frame, f"registration-{stamp}.csv", "Download the outcome CSV")
        show_html(self.output, link, "Download the outcome CSV")

    @contextmanager
    def _busy(self, label: str) -> Iterator[None]:
        """Buttons off (so a second click cannot send the codes twice) while working."""
        buttons = (self.validate_button, self.register_button, self.retry_button)
        for button in buttons:
            button.disabled = True
        self.status_label.value = label
        self.progress.value = 0
        self.progress.layout.visibility = "visible"
        try:
            yield
        finally:
            self.progress.layout.visibility = "hidden"
            self.status_label.value = ""
            self.validate_button.disabled = False
            self.register_button.disabled = False
            last = self.last_result
            self.retry_button.disabled = last is None or not retryable(last)
            if self.unusable is not None:
                for button in buttons:
                    button.disabled = True


def register_form(client: SimClient) -> RegisterForm:
    """A form that registers SIM cards with ``client``; see ``RegisterForm``."""
    return RegisterForm(client)
