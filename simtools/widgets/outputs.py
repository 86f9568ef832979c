"""Put messages, tables, figures and errors into an ``ipywidgets.Output`` as mime bundles.

The bundles are appended to ``Output.outputs`` directly rather than through ``with output:``, so
the same code works in a kernel (the front end renders the new state) and in a plain Python
process (tests read ``outputs``), and nothing depends on IPython's display formatters.
"""

from __future__ import annotations

import base64
import html
import io
import traceback
import warnings
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any, Literal

import pandas as pd

from simtools.errors import SimToolsError

__all__ = [
    "Kind",
    "clear",
    "figure_png",
    "frame_html",
    "message_html",
    "reporting",
    "show_figure",
    "show_frame",
    "show_html",
    "show_message",
    "texts",
]

Kind = Literal["info", "success", "warning", "error"]
_COLOURS: dict[Kind, tuple[str, str]] = {
    # (border, background): readable in light and dark JupyterLab themes.
    "info": ("#4c7fb0", "rgba(76, 127, 176, 0.10)"),
    "success": ("#2e8540", "rgba(46, 133, 64, 0.10)"),
    "warning": ("#f0a030", "rgba(240, 160, 48, 0.12)"),
    "error": ("#d1452f", "rgba(209, 69, 47, 0.10)"),
}


def clear(output: Any) -> None:
    """Remove everything from ``output``."""
    output.outputs = ()


def show_html(output: Any, markup: str, text: str) -> None:
    """Append HTML with a plain-text alternative (what tests and text front ends read)."""
    bundle = {"text/html": markup, "text/plain": text}
    output.outputs = (
        *output.outputs,
        {"output_type": "display_data", "data": bundle, "metadata": {}},
    )


def message_html(text: str, kind: Kind = "info", *, title: str | None = None) -> str:
    """A coloured box holding ``text`` (escaped, line breaks kept)."""
    border, background = _COLOURS[kind]
    head = f"<strong>{html.escape(title)}</strong><br>" if title else ""
    return (
        f'<div class="simtools-message simtools-{kind}" style="border-left: 4px solid {border}; '
        f'background: {background}; padding: 6px 10px; margin: 4px 0; white-space: pre-wrap;">'
        f"{head}{html.escape(text)}</div>"
    )


def show_message(output: Any, text: str, kind: Kind = "info", *, title: str | None = None) -> None:
    """Append a message box; its plain text is ``title: text``."""
    plain = f"{title}: {text}" if title else text
    show_html(output, message_html(text, kind, title=title), plain)


def frame_html(frame: pd.DataFrame, *, max_rows: int = 200, hide_empty: bool = False) -> str:
    """A DataFrame as an HTML table: missing values blank, at most ``max_rows`` rows (with a note
    when cut), and with ``hide_empty`` without the columns that hold no value at all."""
    shown = frame.head(max_rows)
    if hide_empty:
        shown = shown.loc[:, shown.notna().any(axis=0)]
    shown = shown.astype(object).where(shown.notna(), "").map(_cell_text)
    table = shown.to_html(index=False, border=0, classes="simtools-table")
    note = ""
    if len(frame) > max_rows:
        note = f"<p><em>showing {max_rows:,} of {len(frame):,} rows</em></p>"
    return f'<div style="max-height: 420px; overflow: auto;">{table}</div>{note}'


def _cell_text(value: Any) -> Any:
    """Lists of tags as ``a, b``; floats to at most two decimals (display only)."""
    if isinstance(value, list | tuple):
        return ", ".join(str(v) for v in value)
    if isinstance(value, float):
        return f"{value:,.2f}".rstrip("0").rstrip(".") if abs(value) < 1e15 else f"{value:.3g}"
    return value


def show_frame(
    output: Any, frame: pd.DataFrame, *, caption: str | None = None, hide_empty: bool = False
) -> None:
    """Append a table, optionally under a caption (see ``frame_html``)."""
    head = f"<h4 style='margin: 8px 0 4px 0;'>{html.escape(caption)}</h4>" if caption else ""
    plain = (f"{caption}\n" if caption else "") + frame.to_string(index=False, max_rows=60)
    show_html(output, head + frame_html(frame, hide_empty=hide_empty), plain)


def figure_png(figure: Any, *, dpi: int = 100) -> bytes:
    """The figure rendered to PNG bytes (no pyplot and no backend needed)."""
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png", dpi=dpi)
    return buffer.getvalue()


def show_figure(output: Any, figure: Any) -> None:
    """Append a matplotlib figure as a PNG image.

    The PNG is rendered here because a bare ``Figure`` only displays as an image once the inline
    backend has been activated (by importing pyplot), which a form cannot rely on.
    """
    data = base64.b64encode(figure_png(figure)).decode("ascii")
    bundle = {"image/png": data, "text/plain": repr(figure)}
    output.outputs = (
        *output.outputs,
        {"output_type": "display_data", "data": bundle, "metadata": {}},
    )


def texts(output: Any) -> list[str]:
    """The plain text of everything in ``output``, one string per item (for scripts and tests)."""
    found: list[str] = []
    for item in output.outputs:
        if item.get("output_type") == "stream":
            found.append(str(item.get("text", "")))
        else:
            found.append(str(item.get("data", {}).get("text/plain", "")))
    return found


@contextmanager
def reporting(output: Any, action: str) -> Iterator[None]:
    """Show what goes wrong inside the block in ``output`` instead of raising.

    A ``SimToolsError`` shows its own message (it says what was wrong and how to fix it); any
    other exception shows a one-line summary with the traceback folded away. Warnings raised in
    the block (surprising data, a fleet that changed while paging) are shown as notes.
    """
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        try:
            yield
        except SimToolsError as exc:
            show_message(output, str(exc), "error", title=f"Could not {action}")
        except Exception as exc:
            _show_unexpected(output, action, exc)
    for warning in caught:
        show_message(output, str(warning.message), "warning", title="Note")


def _show_unexpected(output: Any, action: str, exc: Exception) -> None:
    summary = f"{type(exc).__name__}: {exc}".strip()
    if len(summary) > 300:
        summary = summary[:297] + "..."
    trace = "".join(traceback.format_exception(exc))
    markup = message_html(summary, "error", title=f"Unexpected error while trying to {action}")
    markup += (
        "<details><summary>Traceback</summary><pre style='font-size: 85%;'>"
        f"{html.escape(trace)}</pre></details>"
    )
    show_html(output, markup, f"Unexpected error while trying to {action}: {summary}")
