"""``simtools demo``: the whole workflow on a sandbox, written to ``./simtools-demo/``.

Onboarding with the runbook's steps (check, register, verify, enable) and fleet analysis
(summaries, near-limit SIMs, end-of-period projection, daily usage), with CSV frames, PNG plots
and an HTML report of the executed notebooks. Nothing touches a real account, whatever the
environment says.
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pandas as pd

if TYPE_CHECKING:
    from simtools.client import SimClient

__all__ = ["run_demo"]

_OUTCOME_SHOWN = ["position", "registration_code", "outcome", "reason", "error_detail"]


def _say(text: str = "") -> None:
    print(text, flush=True)  # noqa: T201 - the demo's job is to print


def _table(frame: pd.DataFrame, rows: int = 20) -> str:
    """The frame as people read it (``simtools.format_frame``), indented under its step."""
    from simtools.display import format_frame

    shown = format_frame(frame, max_rows=rows)
    named = any(n is not None for n in frame.index.names)
    with pd.option_context("display.width", 160, "display.max_columns", 12):
        text = shown.to_string(index=named, max_colwidth=60)
    if len(frame) > rows:
        text += f"\n... {len(frame) - rows:,} more rows"
    return "\n".join(f"   {line}" for line in text.splitlines())


def run_demo(
    out_dir: str | Path = "simtools-demo",
    *,
    fleet_size: int = 2000,
    seed: int = 7,
    notebooks: bool = True,
) -> Path:
    """Run the demo and return the output folder."""
    from simtools.client import SimClient
    from simtools.sandbox import serve
    from simtools.workflows.connect import connection_banner

    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    with (
        serve(port=0, fleet_size=fleet_size, seed=seed) as sandbox,
        SimClient(sandbox.api_key, base_url=sandbox.base_url) as client,
    ):
        client.sandbox = sandbox
        _say(connection_banner(client))
        members = _onboard(client, out)
        _analyse(client, out, members)
    if notebooks:
        _say("\n8. Notebook report (each notebook runs on a fresh kernel and its own sandbox)")
        for path in _notebook_report(out):
            _say(f"   {path}")
    _say(f"\nDone. Everything is in {out.resolve()}")
    return out


def _onboard(client: SimClient, out: Path) -> pd.DataFrame:
    """The runbook's steps on made-up input; returns the SIMs of the group they joined."""
    from simtools import runbook
    from simtools.frames import errors_frame
    from simtools.frames.files import write_frame

    _say("\n1. Check the pasted codes (four fresh, one repeated, one malformed, one already used)")
    check = runbook.check_codes(client, runbook.codes_source(client, None))
    _say(f"   {check.message}\n{_table(check.frame)}")

    group = runbook.resolve_group(client, "Asset trackers")
    _say(f"\n2. Register the codes: {group.message} They come up disabled.")
    result = client.register(
        check.source,
        on_invalid="skip",
        sim_card_group_id=group.id,
        tags=["demo"],
        status="disabled",
        progress=False,
    )
    _say(_table(runbook.outcome_frame(result)[_OUTCOME_SHOWN]))

    _say("\n3. Verify the new SIM cards in the fleet")
    sims = runbook.verify_registration(client, result)
    _say(f"   {sims.message}")

    _say("\n4. Enable them and wait for the actions to settle")
    actions = runbook.activate(client, sims, "enabled")
    _say(f"   {actions.message}\n{_table(actions.frame[['sim_card_id', 'action_status']])}")
    write_frame(actions.frame, out / "enable_actions.csv")

    outcome = runbook.outcome_frame(result, sims, actions)
    write_frame(outcome, out / "registration_outcome.csv")
    write_frame(errors_frame(result), out / "registration_errors.csv")
    _say(f"\n   Outcome per entry:\n{_table(runbook.outcome_summary(outcome))}")
    return runbook.group_members(client, sims, group)


def _analyse(client: SimClient, out: Path, members: pd.DataFrame) -> None:
    from simtools.analysis.daily import daily_usage
    from simtools.analysis.usage import (
        near_limit,
        project_period_end,
        projection_basis,
        top_consumers,
        usage_summary,
    )
    from simtools.frames import usage_records_frame
    from simtools.frames.files import write_frame
    from simtools.workflows.fleet import fleet_frame

    _say("\n5. The fleet, summarised by group")
    fleet = fleet_frame(client, progress=False)
    summary = usage_summary(fleet, by="group")
    _say(_table(summary.drop(columns="sim_card_group_id")))
    write_frame(fleet, out / "fleet.csv")
    write_frame(summary.reset_index(), out / "usage_by_group.csv")
    risky = near_limit(fleet)
    over = int(risky["over_limit"].fillna(False).astype(bool).sum())
    _say(f"\n   {len(risky)} of {len(fleet)} SIM cards are at 80% of their limit or more")
    _say(f"   ({over} over it); the top consumers:")
    top = top_consumers(fleet, 5)[["iccid", "sim_card_group_name", "consumed_mb", "data_limit_mb"]]
    _say(_table(top))

    _say("\n6. End-of-period projection (calendar month, UTC)")
    projected = project_period_end(fleet)
    _say(f"   {projection_basis(projected)}")
    write_frame(projected, out / "projection.csv")

    now = pd.Timestamp.now(tz="UTC")
    records = usage_records_frame(client.usage_records(now.normalize().replace(day=1), now))
    daily = daily_usage(records)
    write_frame(daily, out / "daily_usage.csv")

    _say("\n7. Plots")
    for path in _plots(out, fleet, summary, members, daily):
        _say(f"   {path}")


def _plots(
    out: Path,
    fleet: pd.DataFrame,
    summary: pd.DataFrame,
    members: pd.DataFrame,
    daily: pd.DataFrame,
) -> list[Path]:
    # Figures made without pyplot: no backend is chosen or changed for the calling process.
    from matplotlib.figure import Figure

    from simtools.plots import (
        plot_daily_usage,
        plot_group_usage,
        plot_usage_vs_limit,
        plot_utilization_histogram,
    )

    jobs: dict[str, Callable[[Any], Any]] = {
        "onboarded_group_usage_vs_limit.png": lambda ax: plot_usage_vs_limit(
            members, top=20, ax=ax
        ),
        "fleet_usage_vs_limit.png": lambda ax: plot_usage_vs_limit(fleet, ax=ax),
        "utilization_histogram.png": lambda ax: plot_utilization_histogram(fleet, ax=ax),
        "group_usage.png": lambda ax: plot_group_usage(summary, ax=ax),
        "daily_usage.png": lambda ax: plot_daily_usage(daily, ax=ax),
    }
    paths = []
    for name, draw in jobs.items():
        fig = Figure(figsize=(10, 7), layout="constrained")
        draw(fig.add_subplot())
        path = out / name
        fig.savefig(path, dpi=110)
        paths.append(path)
    return paths


def _notebook_report(out: Path) -> list[Path]:
    from simtools.report import execute_notebook, notebook_dir, notebook_to_html

    report = out / "report"
    written = []
    for nb in sorted(notebook_dir().glob("*.ipynb")):
        executed = execute_notebook(nb, report / "executed")
        written.append(notebook_to_html(executed, report / f"{nb.stem}.html"))
    return written


if __name__ == "__main__":  # pragma: no cover
    run_demo(sys.argv[1] if len(sys.argv) > 1 else "simtools-demo")
