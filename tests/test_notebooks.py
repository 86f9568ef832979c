"""The notebooks run top to bottom on a fresh kernel against their own sandbox, as CI runs them."""

from __future__ import annotations

import ast
import json
import os
import re
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from simtools.report import NotebookFailed, cell_outputs_text, execute_notebook, notebook_dir
from simtools.sandbox import Sandbox
from simtools.sandbox.server import new_api_key

NOTEBOOKS = sorted(notebook_dir().glob("*.ipynb"))
RUNBOOK = notebook_dir() / "01-onboarding-runbook.ipynb"
#: Telnyx keys start with KEY (the sandbox's too: ``KEYSANDBOX_`` and 32 URL-safe characters).
KEY_LIKE = re.compile(r"KEY[A-Za-z0-9_\-]{20,}")
#: What a Python or IPython traceback frame looks like.
FRAME_MARKERS = ("Traceback (most recent call last)", 'File "', "Cell In[", "---->", "<module>")
ANSI = re.compile(r"\x1b\[[0-9;]*m")


def _cells(path: Path) -> list[dict[str, Any]]:
    cells: list[dict[str, Any]] = json.loads(path.read_text(encoding="utf-8"))["cells"]
    return cells


def _outputs(path: Path, kind: str) -> list[dict[str, Any]]:
    return [o for c in _cells(path) for o in c.get("outputs", []) if o["output_type"] == kind]


def _execute(path: Path, out: Path, env: dict[str, str] | None = None, **options: Any) -> Path:
    # CI exports MPLBACKEND=Agg; the notebooks must still draw inline.
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("MPLBACKEND", "Agg")
        for name, value in (env or {}).items():
            mp.setenv(name, value)
        return execute_notebook(path, out, **options)


@pytest.fixture(scope="module")
def executed(tmp_path_factory: pytest.TempPathFactory) -> Callable[[Path], Path]:
    """``executed(path)``: the notebook run once on a fresh kernel (shared by this module)."""
    done: dict[Path, Path] = {}

    def run(path: Path) -> Path:
        if path not in done:
            done[path] = _execute(path, tmp_path_factory.mktemp(path.stem))
        return done[path]

    return run


def test_there_are_notebooks() -> None:
    """The notebooks are where the report runner looks."""
    assert [p.name for p in NOTEBOOKS] == [
        "00-quickstart.ipynb",
        "01-onboarding-runbook.ipynb",
        "02-fleet-usage-analysis.ipynb",
        "03-fleet-changes.ipynb",
        "04-usage-history.ipynb",
        "05-esim-onboarding.ipynb",
    ]


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_notebook_is_stored_without_outputs(path: Path) -> None:
    """Code cells are committed without outputs and execution counts."""
    for cell in _cells(path):
        if cell["cell_type"] == "code":
            assert cell["outputs"] == [], cell["source"]
            assert cell["execution_count"] is None, cell["source"]


def test_key_pattern_matches_a_sandbox_key() -> None:
    """The secret check below would see a sandbox key if one were printed."""
    assert KEY_LIKE.search(f"api_key={new_api_key()}") is not None


def test_outputs_text_holds_text_and_tracebacks_but_not_images(tmp_path: Path) -> None:
    """The text searched for secrets covers printed text, rich text and tracebacks, not PNGs."""
    nb = {
        "cells": [
            {
                "cell_type": "code",
                "outputs": [
                    {"output_type": "stream", "name": "stdout", "text": ["printed\n"]},
                    {
                        "output_type": "display_data",
                        "data": {"text/html": "<b>rich</b>", "image/png": "iVBORKEY" + "A" * 30},
                    },
                    {"output_type": "error", "traceback": ["frame one", "frame two"]},
                ],
            }
        ]
    }
    path = tmp_path / "nb.ipynb"
    path.write_text(json.dumps(nb), encoding="utf-8")
    text = cell_outputs_text(path)
    for part in ("printed", "<b>rich</b>", "frame one", "frame two"):
        assert part in text
    assert "iVBOR" not in text


@pytest.mark.slow
@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_notebook_runs_top_to_bottom(path: Path, executed: Callable[[Path], Path]) -> None:
    """No error, nothing on stderr, at least one figure, and nothing that looks like a key."""
    done = executed(path)
    code = [c for c in _cells(done) if c["cell_type"] == "code"]
    assert all(c["execution_count"] for c in code)
    assert _outputs(done, "error") == []
    stderr = [o for o in _outputs(done, "stream") if o["name"] == "stderr"]
    assert ["".join(o["text"]) for o in stderr] == []
    figures = [o for o in _outputs(done, "display_data") if "image/png" in o["data"]]
    assert len(figures) >= 1
    assert KEY_LIKE.search(cell_outputs_text(done)) is None
    assert KEY_LIKE.search(json.dumps([c["source"] for c in _cells(done)])) is None


def test_quickstart_is_short() -> None:
    """The quickstart stays under a dozen cells."""
    assert len(_cells(notebook_dir() / "00-quickstart.ipynb")) < 12


def test_runbook_parameters_cell_names_every_parameter() -> None:
    """One cell tagged 'parameters' assigns each documented parameter, sandbox-ready defaults."""
    tagged = [c for c in _cells(RUNBOOK) if "parameters" in c["metadata"].get("tags", [])]
    assert len(tagged) == 1
    tree = ast.parse("".join(tagged[0]["source"]))
    values = {
        node.targets[0].id: ast.literal_eval(node.value)
        for node in tree.body
        if isinstance(node, ast.Assign) and isinstance(node.targets[0], ast.Name)
    }
    assert values == {
        "codes": None,
        "sim_card_group": None,
        "tags": ["onboarding"],
        "target_status": "enabled",
        "dry_run": False,
        "ledger": None,
        "output_dir": "runbook-output",
    }


@pytest.mark.slow
def test_runbook_writes_the_audit_trail(executed: Callable[[Path], Path]) -> None:
    """The default run on the sandbox leaves an outcome CSV with every kind of outcome."""
    import pandas as pd

    done = executed(RUNBOOK)
    (csv,) = (done.parent / "work" / "runbook-output").glob("onboarding-outcome-*.csv")
    outcome = pd.read_csv(csv, dtype=str)
    assert outcome["outcome"].tolist() == ["registered"] * 4 + ["duplicate", "invalid", "failed"]
    assert outcome["final_status"].tolist()[:4] == ["enabled"] * 4


@pytest.mark.slow
def test_runbook_stops_readably_on_malformed_codes(tmp_path: Path) -> None:
    """Only malformed codes: the run stops at the check step with the message, no traceback."""
    with pytest.raises(NotebookFailed) as info:
        _execute(RUNBOOK, tmp_path, parameters={"codes": "12x\n999"})
    assert "RunbookStop: STOPPED at step 'check codes'" in str(info.value)
    ran = [c for c in _cells(info.value.path) if c.get("execution_count")]
    assert "check-codes" in ran[-1]["metadata"]["tags"]
    (error,) = [o for o in ran[-1]["outputs"] if o["output_type"] == "error"]
    assert error["ename"] == "RunbookStop"
    lines = [ANSI.sub("", line) for line in error["traceback"]]
    assert lines[0] == "STOPPED at step 'check codes': none of the 2 entries can be registered"
    assert lines[1] == "  - line 1: '12x' is not 10 digits (it contains 'x')"
    assert lines[-1].startswith("What to do: fix the codes")
    assert not [line for line in lines for marker in FRAME_MARKERS if marker in line]


@pytest.mark.slow
def test_runbook_on_a_sandbox_named_by_the_environment(sandbox: Sandbox, tmp_path: Path) -> None:
    """With TELNYX_BASE_URL and TELNYX_API_KEY naming a running sandbox, the runbook registers
    codes from a CSV file there, into a named group and on standby, and never prints the key."""
    import pandas as pd

    codes = sandbox.available_codes(3)
    csv = tmp_path / "codes.csv"
    csv.write_text("registration_code\n" + "\n".join(codes) + "\n", encoding="utf-8")
    env = {"TELNYX_BASE_URL": sandbox.base_url, "TELNYX_API_KEY": sandbox.api_key}
    parameters = {"codes": str(csv), "sim_card_group": "Retail POS", "target_status": "standby"}
    done = _execute(RUNBOOK, tmp_path, env, parameters=parameters, sandbox_only=False)

    text = cell_outputs_text(done)
    assert f"SANDBOX: a local simulated Telnyx API at {sandbox.base_url}" in text
    assert sandbox.api_key not in text
    assert all(sandbox.registrations(code) == 1 for code in codes)
    (outcome_csv,) = (tmp_path / "work" / "runbook-output").glob("onboarding-outcome-*.csv")
    outcome = pd.read_csv(outcome_csv, dtype=str)
    assert outcome["registration_code"].tolist() == codes
    assert outcome["final_status"].tolist() == ["standby"] * 3
    assert sandbox.api_key not in outcome_csv.read_text(encoding="utf-8")


@pytest.mark.slow
def test_runbook_dry_run_registers_nothing(tmp_path: Path) -> None:
    """A dry run goes through every step: valid codes end 'skipped', nothing is verified."""
    import pandas as pd

    parameters = {"dry_run": True, "target_status": "disabled"}
    done = _execute(RUNBOOK, tmp_path, parameters=parameters)
    text = cell_outputs_text(done)
    assert "Nothing was registered" in text
    assert "The target status is disabled" in text
    (outcome_csv,) = (tmp_path / "work" / "runbook-output").glob("onboarding-outcome-*.csv")
    outcome = pd.read_csv(outcome_csv, dtype=str)
    assert outcome["outcome"].tolist() == ["skipped"] * 4 + ["duplicate", "invalid", "skipped"]
    assert outcome["sim_card_id"].isna().all()


def test_the_history_notebook_runs_without_dask_and_says_how_to_add_it(tmp_path: Path) -> None:
    """`pip install .` has no Dask (the extra simtools[history]): the demo still runs notebook
    04 to the end, whose Dask part says how to install it instead of failing."""
    blocked = tmp_path / "blocked"
    for name in ("distributed", "dask"):
        (blocked / name).mkdir(parents=True)
        (blocked / name / "__init__.py").write_text(f"raise ImportError('{name} is blocked')\n")
    path = notebook_dir() / "04-usage-history.ipynb"
    pythonpath = os.pathsep.join([str(blocked), *sys.path])
    done = _execute(path, tmp_path / "run", {"PYTHONPATH": pythonpath})
    text = cell_outputs_text(done)
    assert "Dask is not installed here: pip install 'simtools[history]'" in text
    assert "Dask's cost per group and month equals pandas'" not in text
