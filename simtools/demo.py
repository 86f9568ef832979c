"""``simtools demo``: the whole workflow on a sandbox, written to ``./simtools-demo/``.

Onboarding (check, register, verify, enable) and fleet analysis (summaries, near-limit SIMs,
end-of-period projection), with CSV frames, PNG plots and an HTML report of the executed
notebooks. Nothing touches a real account, whatever the environment says.
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pandas as pd

__all__ = ["run_demo"]


def _say(text: str = "") -> None:
    print(text, flush=True)  # noqa: T201 - the demo's job is to print


def _table(frame: pd.DataFrame, rows: int = 20) -> str:
    with pd.option_context("display.width", 160, "display.max_columns", 12):
        return frame.to_string(max_rows=rows)


def run_demo(
    out_dir: str | Path = "simtools-demo",
    *,
    fleet_size: int = 2000,
    seed: int = 7,
    notebooks: bool = True,
) -> Path:
    """Run the demo and return the output folder."""
    import matplotlib

    matplotlib.use("Agg")
    from simtools.client import SimClient
    from simtools.codes import parse_codes
    from simtools.connect import connection_banner
    from simtools.fleet import fleet_frame
    from simtools.frames import errors_frame, registration_frame
    from simtools.sandbox import serve
    from simtools.usage import near_limit, project_period_end, usage_summary

    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    with serve(port=0, fleet_size=fleet_size, seed=seed) as sandbox:
        client = SimClient(sandbox.api_key, base_url=sandbox.base_url)
        with client:
            _say(connection_banner(client))
            fresh = sandbox.available_codes(6)
            used = sandbox.used_codes(1)
            pasted = "\n".join([*fresh, fresh[0], "12345x7890", *used])
            _say("\n1. Check the pasted codes")
            parsed = parse_codes(pasted, errors="collect")
            for problem in parsed.problems:
                _say(f"   refused locally: {problem}")
            for check in client.validate_codes(parsed.codes):
                verdict = "ok" if check.valid else check.invalid_detail
                _say(f"   {check.registration_code}: {verdict}")

            _say("\n2. Register the valid codes (malformed and repeated lines are not sent)")
            result = client.register(pasted, on_invalid="skip", tags=["demo"], progress=False)
            outcome = registration_frame(result)
            _say(
                _table(
                    outcome[
                        [
                            "position",
                            "registration_code",
                            "outcome",
                            "error_detail",
                            "reason",
                            "iccid",
                        ]
                    ]
                )
            )
            outcome.to_csv(out / "registration_outcome.csv", index=False)
            errors_frame(result).to_csv(out / "registration_errors.csv", index=False)

            _say("\n3. Enable the new SIM cards and wait for the actions to settle")
            new_ids = [o.sim_card.id for o in result.outcomes if o.sim_card and o.sim_card.id]
            if new_ids:
                actions = client.enable(new_ids, timeout=30)
                _say(_table(actions[["sim_card_id", "action_status", "sim_status"]]))
                actions.to_csv(out / "enable_actions.csv", index=False)

            _say("\n4. The fleet, summarised by group")
            fleet = fleet_frame(client, progress=False)
            summary = usage_summary(fleet, by="group")
            _say(_table(summary))
            fleet.to_csv(out / "fleet.csv", index=False)
            summary.to_csv(out / "usage_by_group.csv")
            risky = near_limit(fleet)
            _say(f"\n   {len(risky)} of {len(fleet)} SIM cards are at 80% of their limit or more")

            _say("\n5. End-of-period projection (calendar month, UTC)")
            projected = project_period_end(fleet)
            crossing = projected[projected["projected_over_limit"].fillna(False).astype(bool)]
            _say(f"   {len(crossing)} SIM cards will be over their limit by the end of the month")
            projected.to_csv(out / "projection.csv", index=False)

            _say("\n6. Plots")
            for path in _plots(out, fleet, summary, client, result):
                _say(f"   {path}")
    if notebooks:
        _say("\n7. Notebook report (each notebook runs on a fresh kernel and its own sandbox)")
        for path in _notebook_report(out):
            _say(f"   {path}")
    _say(f"\nDone. Everything is in {out.resolve()}")
    return out


def _plots(
    out: Path, fleet: pd.DataFrame, summary: pd.DataFrame, client: Any, result: Any
) -> list[Path]:
    from matplotlib.figure import Figure

    from simtools.frames import sim_cards_frame
    from simtools.history import daily_usage, usage_records_frame
    from simtools.plots import (
        plot_daily_usage,
        plot_group_usage,
        plot_usage_vs_limit,
        plot_utilization_histogram,
    )

    now = pd.Timestamp.now(tz="UTC")
    records = usage_records_frame(client.usage_records(now.replace(day=1).normalize(), now))
    jobs: dict[str, Callable[[Any], Any]] = {
        "new_sims_usage_vs_limit.png": lambda ax: plot_usage_vs_limit(
            sim_cards_frame(result), ax=ax
        ),
        "fleet_usage_vs_limit.png": lambda ax: plot_usage_vs_limit(fleet, ax=ax),
        "utilization_histogram.png": lambda ax: plot_utilization_histogram(fleet, ax=ax),
        "group_usage.png": lambda ax: plot_group_usage(summary, ax=ax),
        "daily_usage.png": lambda ax: plot_daily_usage(daily_usage(records), ax=ax),
    }
    paths = []
    for name, draw in jobs.items():
        fig = Figure(figsize=(10, 7))
        draw(fig.add_subplot())
        fig.tight_layout()
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
