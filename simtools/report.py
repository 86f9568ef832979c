"""Executing the bundled notebooks (with parameters) and rendering them to HTML."""

from __future__ import annotations

import copy
import html
import json
import os
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from importlib import resources
from pathlib import Path
from typing import Any

from simtools.errors import InvalidInputError, SimToolsError

__all__ = [
    "NotebookFailed",
    "cell_outputs_text",
    "execute_notebook",
    "notebook_dir",
    "notebook_to_html",
    "widget_note",
]


class NotebookFailed(SimToolsError):
    """A notebook cell raised; ``path`` is the executed notebook with the traceback in it."""

    def __init__(self, name: str, path: Path, error: str) -> None:
        self.path = path
        super().__init__(f"notebook {name} failed: {error} (executed copy: {path})")


def notebook_dir() -> Path:
    """Where the notebooks are: the source tree's ``notebooks/`` or the copy in the wheel."""
    source = Path(__file__).resolve().parents[1] / "notebooks"
    if source.is_dir():
        return source
    bundled = Path(str(resources.files("simtools") / "_notebooks"))
    if bundled.is_dir():
        return bundled
    raise InvalidInputError(
        None, "the simtools notebooks are not installed", "reinstall simtools from its source"
    )


@contextmanager
def _sandbox_environment() -> Iterator[None]:
    # The notebooks start their own sandbox unless a key is set; a report must never use a real
    # account by accident, so the kernel sees no Telnyx variables.
    saved = {k: os.environ.pop(k) for k in ("TELNYX_API_KEY", "TELNYX_BASE_URL") if k in os.environ}
    try:
        yield
    finally:
        os.environ.update(saved)


def _inject(nb: Any, parameters: Mapping[str, Any]) -> None:
    import nbformat

    for index, cell in enumerate(nb.cells):
        if "parameters" in cell.get("metadata", {}).get("tags", []):
            source = "# Injected parameters\n" + "\n".join(
                f"{name} = {value!r}" for name, value in parameters.items()
            )
            injected = nbformat.v4.new_code_cell(source)
            injected.metadata["tags"] = ["injected-parameters"]
            nb.cells.insert(index + 1, injected)
            return
    raise InvalidInputError(
        list(parameters), "the notebook has no cell tagged 'parameters'", "tag one, then retry"
    )


def execute_notebook(
    path: str | os.PathLike[str],
    out_dir: str | os.PathLike[str],
    *,
    parameters: Mapping[str, Any] | None = None,
    timeout: int = 300,
    sandbox_only: bool = True,
) -> Path:
    """Run a notebook top to bottom on a fresh kernel and save the executed copy in ``out_dir``.

    ``parameters`` are injected after the cell tagged ``parameters``. Raises ``NotebookFailed``
    (after saving the executed copy, traceback included) when a cell fails.
    """
    import nbformat
    from nbclient import NotebookClient
    from nbclient.exceptions import CellExecutionError

    src = Path(path)
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    nb = nbformat.read(src, as_version=4)
    if parameters:
        _inject(nb, parameters)
    work = out / "work"
    work.mkdir(exist_ok=True)
    client = NotebookClient(
        nb,
        timeout=timeout,
        # The kernel's own start-up notices (its logger, not cell output) would only clutter
        # the demo's terminal; errors still show.
        extra_arguments=["--IPKernelApp.log_level=ERROR"],
        kernel_name="python3",
        resources={"metadata": {"path": str(work)}},
    )
    target = out / src.name
    env = _sandbox_environment() if sandbox_only else _nothing()
    with env:
        try:
            client.execute()
        except CellExecutionError as exc:
            nbformat.write(nb, target)
            raise NotebookFailed(src.name, target, _headline(exc)) from None
    nbformat.write(nb, target)
    return target


@contextmanager
def _nothing() -> Iterator[None]:
    yield


def _headline(exc: Any) -> str:
    """``ename: first line of evalue``, e.g. ``RunbookStop: STOPPED at step 'check codes': ...``."""
    ename = getattr(exc, "ename", None) or type(exc).__name__
    lines = [line for line in str(getattr(exc, "evalue", "") or "").splitlines() if line.strip()]
    return f"{ename}: {lines[0][:300]}" if lines else str(ename)


def notebook_to_html(path: str | os.PathLike[str], target: str | os.PathLike[str]) -> Path:
    """Render an executed notebook to a standalone HTML page."""
    import nbformat
    from nbconvert import HTMLExporter

    nb = copy.deepcopy(nbformat.read(Path(path), as_version=4))
    _mark_widgets(nb, Path(path).name)
    body, _ = HTMLExporter().from_notebook_node(nb)
    out = Path(target)
    out.write_text(body, encoding="utf-8")
    return out


_WIDGET_VIEW = "application/vnd.jupyter.widget-view+json"


def widget_note(notebook: str) -> str:
    """What a static page shows where a notebook displayed a widget."""
    return (
        '<div class="simtools-widget-note" style="border: 1px dashed #8a8a8a; '
        'background: #f6f6f6; padding: 8px 12px; margin: 4px 0; color: #333;">'
        "<strong>An interactive form was here.</strong> Widgets need a running notebook "
        "kernel, so this static page cannot show them. To use it live, open "
        f"<code>{html.escape(notebook)}</code> in JupyterLab (<code>jupyter lab "
        f"notebooks/{html.escape(notebook)}</code>) and run the cells.</div>"
    )


def _mark_widgets(nb: Any, notebook: str) -> None:
    """Replace each widget output (empty on a static page) with a note saying how to see it."""
    for cell in nb.cells:
        for output in cell.get("outputs", []):
            data = output.get("data", {})
            if _WIDGET_VIEW in data:
                del data[_WIDGET_VIEW]
                data["text/html"] = widget_note(notebook)
                data["text/plain"] = "(an interactive form: open the notebook in JupyterLab)"


def cell_outputs_text(path: str | os.PathLike[str]) -> str:
    """All text outputs of an executed notebook, tracebacks included, for checks (e.g. no secret
    was printed). Base64 image payloads are left out: they are not text, and random letters in
    them could look like anything."""
    nb = json.loads(Path(path).read_text(encoding="utf-8"))
    parts: list[str] = []
    for cell in nb.get("cells", []):
        for output in cell.get("outputs", []):
            if "text" in output:
                text = output["text"]
                parts.append("".join(text) if isinstance(text, list) else text)
            for mime, value in output.get("data", {}).items():
                if mime.startswith("image/") and mime != "image/svg+xml":
                    continue
                parts.append(json.dumps(value) if not isinstance(value, str) else value)
            if "traceback" in output:
                parts.extend(output["traceback"])
    return "\n".join(parts)
