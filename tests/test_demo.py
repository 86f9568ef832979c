"""``simtools demo``: onboarding and analysis on a sandbox, written out as CSV, PNG and HTML."""

from __future__ import annotations

import re
from pathlib import Path

import pandas as pd
import pytest

from simtools.demo import run_demo

KEY_LIKE = re.compile(r"KEY[A-Za-z0-9_\-]{20,}")
#: Base64 runs (images in outputs, in widget state, in data URIs; JSON may escape / and \n).
IMAGE_DATA = re.compile(r"(?:[A-Za-z0-9+/=]|\\/|\\n){200,}")
CSVS = (
    "registration_outcome.csv",
    "registration_errors.csv",
    "enable_actions.csv",
    "fleet.csv",
    "usage_by_group.csv",
    "projection.csv",
    "daily_usage.csv",
)
PNGS = (
    "onboarded_group_usage_vs_limit.png",
    "fleet_usage_vs_limit.png",
    "utilization_histogram.png",
    "group_usage.png",
    "daily_usage.png",
)
REPORTS = ("00-quickstart.html", "01-onboarding-runbook.html", "02-fleet-usage-analysis.html")


@pytest.mark.slow
def test_demo_writes_frames_plots_and_report(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """Every promised file is written, the outcomes are the expected ones, and a key set in the
    environment is neither used nor written anywhere."""
    secret = "KEY0123456789ABCDEFGHIJKLMNOPQRSTUV"
    monkeypatch.setenv("TELNYX_API_KEY", secret)
    monkeypatch.setenv("TELNYX_BASE_URL", "https://api.telnyx.com/v2")
    monkeypatch.setenv("MPLBACKEND", "Agg")
    out = run_demo(tmp_path / "demo", fleet_size=300)

    printed = capsys.readouterr().out
    assert printed.startswith("SANDBOX: ")
    assert f"Done. Everything is in {out.resolve()}" in printed
    for name in CSVS:
        assert (out / name).stat().st_size > 0, name
    for name in PNGS:
        assert (out / name).read_bytes()[:8] == b"\x89PNG\r\n\x1a\n", name
    for name in REPORTS:
        page = (out / "report" / name).read_text(encoding="utf-8")
        assert "data:image/png;base64," in page, name
    # Where a notebook showed a form, the static page says how to see it live.
    explorer = (out / "report" / "02-fleet-usage-analysis.html").read_text(encoding="utf-8")
    assert "An interactive form was here." in explorer
    assert "jupyter lab notebooks/02-fleet-usage-analysis.ipynb" in explorer
    # The projection states its basis; tables read as people write numbers.
    assert "days observed" in printed
    assert "(% of the period" not in printed
    assert "data used (MB)" in printed

    outcome = pd.read_csv(out / "registration_outcome.csv", dtype=str)
    assert outcome["outcome"].tolist() == ["registered"] * 4 + ["duplicate", "invalid", "failed"]
    assert outcome["final_status"].tolist()[:4] == ["enabled"] * 4
    assert "already been used" in outcome["error_detail"].iloc[6]
    errors = pd.read_csv(out / "registration_errors.csv", dtype=str)
    assert errors["registration_code"].tolist() == [outcome["registration_code"].iloc[6]]

    written = [p for p in out.rglob("*") if p.suffix in {".csv", ".html", ".ipynb"}]
    assert len(written) >= len(CSVS) + len(REPORTS)
    for path in written:
        text = path.read_text(encoding="utf-8", errors="replace")
        # Base64 images are not text; random letters in them could look like a key.
        text = IMAGE_DATA.sub("", text)
        assert "iVBORw0KGgo" not in text, path  # every PNG was taken out
        assert KEY_LIKE.search(text) is None, path
