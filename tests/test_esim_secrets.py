"""eSIM activation codes stay secret: in no log record, repr, warning, exception, frame or saved
file, and not in the executed eSIM runbook (outputs, widget state, sources), unless the user
names a file for the label sheet, which then holds them all."""

from __future__ import annotations

import json
import logging
import warnings
from pathlib import Path
from typing import Any

import pytest

from simtools.client import SimClient
from simtools.errors import SimToolsError
from simtools.frames.files import write_frame
from simtools.report import cell_outputs_text, execute_notebook, notebook_dir
from simtools.sandbox import Sandbox
from simtools.widgets.esim_qr import esim_qr_form
from simtools.workflows.esim_onboarding import follow_installation, onboard_esims

RUNBOOK = notebook_dir() / "05-esim-onboarding.ipynb"


def secrets_of(codes: list[str]) -> list[str]:
    """Each code and its matching id (the part after the last ``$``), which alone is enough to
    download the profile from the SM-DP+."""
    return [*codes, *(code.rsplit("$", 1)[-1] for code in codes)]


def test_codes_appear_nowhere_after_a_whole_onboarding(
    make_sandbox: Any, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    """Buy (with server errors retried), fetch codes, show the widget, follow, fail on an
    installed eSIM, save the frame in every format: no trace holds a code or its matching id."""
    caplog.set_level(logging.DEBUG)
    seen: list[str] = []
    with make_sandbox(fleet_size=30, seed=61, error_rate=0.2) as sb:
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            with SimClient(sb.api_key, base_url=sb.base_url) as client:
                onboarding = onboard_esims(client, 4, tags=["secret-test"])
                codes = [label.activation_code.get_secret_value() for label in onboarding.labels()]
                form = esim_qr_form(onboarding)
                seen += [repr(onboarding), str(onboarding), onboarding._repr_html_()]
                seen += [repr(onboarding.purchase), repr(onboarding.labels()), repr(form)]
                seen += [repr(form.get_state()), onboarding.frame.to_string()]
                installed = onboarding.sim_card_ids[0]
                sb.state.enrolment.install_esim(installed)
                followed = follow_installation(client, onboarding)
                seen += [repr(followed), followed.frame.to_string()]
                try:
                    client.get_activation_code(installed)
                except SimToolsError as exc:
                    seen += [str(exc), repr(exc)]
                for suffix in (".csv", ".parquet", ".json", ".xlsx"):
                    write_frame(followed.frame, tmp_path / f"onboarding{suffix}")
        seen += [str(w.message) for w in caught]
    assert len(codes) == 4
    assert any("secret-test" in text for text in seen)
    seen += [r.getMessage() for r in caplog.records] + [str(r.args) for r in caplog.records]
    files = [p for p in tmp_path.rglob("*") if p.is_file()]
    assert len(files) == 4
    for secret in secrets_of(codes):
        for text in seen:
            assert secret not in text
        for path in files:
            assert secret.encode() not in path.read_bytes(), path


@pytest.mark.slow
def test_the_executed_runbook_holds_no_code_but_the_sheet_asked_for_holds_all(
    sandbox: Sandbox, tmp_path: Path
) -> None:
    """The eSIM runbook on a sandbox named by the environment, with a label sheet asked for:
    the executed notebook (outputs, saved widget state, sources) holds none of the batch's codes
    and no QR image; the sheet holds every one, so the search could see them."""
    env = {"TELNYX_BASE_URL": sandbox.base_url, "TELNYX_API_KEY": sandbox.api_key}
    parameters = {"amount": 3, "tags": ["notebook-secrets"], "label_sheet": "labels.html"}
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("MPLBACKEND", "Agg")
        for name, value in env.items():
            mp.setenv(name, value)
        done = execute_notebook(RUNBOOK, tmp_path, parameters=parameters, sandbox_only=False)
    with SimClient(sandbox.api_key, base_url=sandbox.base_url) as client:
        batch = [s.id for s in client.iter_sim_cards(tags=["notebook-secrets"]) if s.id]
        codes = [
            client.get_activation_code(i).activation_code.get_secret_value()  # type: ignore[union-attr]
            for i in batch
        ]
    assert len(codes) == 3
    notebook = done.read_text(encoding="utf-8")
    saved = json.loads(notebook)
    widget_state = json.dumps(saved["metadata"]["widgets"])
    assert '"count": 3' in widget_state
    assert "<svg" not in notebook
    assert "image/svg+xml" not in notebook
    for secret in secrets_of(codes):
        assert secret not in notebook
        assert secret not in cell_outputs_text(done)
    sheet = (done.parent / "work" / "runbook-output" / "labels.html").read_text(encoding="utf-8")
    assert all(code in sheet for code in codes)
    assert sheet.count("<svg") == 3
