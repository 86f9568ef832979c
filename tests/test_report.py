"""The static HTML report: where a notebook showed a widget, it says how to see it live."""

from __future__ import annotations

from pathlib import Path

import nbformat

from simtools.report import notebook_to_html


def test_a_widget_output_becomes_a_note_on_the_static_page(tmp_path: Path) -> None:
    nb = nbformat.v4.new_notebook()
    cell = nbformat.v4.new_code_cell("simtools.usage_explorer(fleet)")
    cell.outputs = [
        nbformat.v4.new_output(
            "display_data",
            data={
                "application/vnd.jupyter.widget-view+json": {
                    "model_id": "abc",
                    "version_major": 2,
                    "version_minor": 0,
                },
                "text/plain": "VBox(children=(...))",
            },
        )
    ]
    nb.cells = [cell, nbformat.v4.new_code_cell("1 + 1")]
    source = tmp_path / "02-fleet-usage-analysis.ipynb"
    nbformat.write(nb, source)
    page = notebook_to_html(source, tmp_path / "out.html").read_text(encoding="utf-8")
    assert "An interactive form was here." in page
    assert "jupyter lab notebooks/02-fleet-usage-analysis.ipynb" in page
    assert "VBox(children" not in page
    # The notebook file itself is left as it was.
    again = nbformat.read(source, as_version=4)
    assert "application/vnd.jupyter.widget-view+json" in again.cells[0].outputs[0]["data"]
