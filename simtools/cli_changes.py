"""The ``simtools plan`` and ``simtools apply`` commands: fleet changes from a desired file, a
plan to review, and its application with a confirmation (a thin shell over plan_changes and
apply_changes, hooked into :mod:`simtools.cli`)."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pandas as pd

from simtools.errors import InvalidInputError

__all__ = ["add_change_commands", "read_desired"]

Command = Callable[[argparse.Namespace], int]
AddCommand = Callable[[str, Command, str], argparse.ArgumentParser]
#: Exit status of apply when some change was not applied (conflict, failed, unknown).
NOT_ALL_APPLIED = 1


def read_desired(path: Path) -> pd.DataFrame:
    """A desired-changes file as typed: CSV and Excel cells as text (ICCIDs keep every digit,
    ``80; 160`` stays a list), JSON and Parquet as they are."""
    if not path.is_file():
        raise InvalidInputError(str(path), f"there is no file {str(path)!r}", "check the path")
    suffix = path.suffix.lower()
    if suffix == ".csv":
        return pd.read_csv(path, dtype=str, keep_default_na=False, na_values=[""])
    if suffix == ".xlsx":
        return pd.read_excel(path, dtype=object)
    from simtools.frames.files import read_frame

    return read_frame(path)


def _counts(frame: pd.DataFrame, column: str) -> str:
    found = frame[column].value_counts()
    return ", ".join(f"{n:,} {value}" for value, n in found.items() if n) or "no rows"


def _cmd_plan(args: argparse.Namespace, emit: Callable[[pd.DataFrame, Path | None], None]) -> int:
    from simtools.analysis.changes import plan_changes
    from simtools.cli import _client
    from simtools.frames.groups import sim_card_groups_frame
    from simtools.workflows.fleet import fleet_frame

    desired = read_desired(args.desired)
    include = ["alerts"] if "alert_mb" in desired.columns else None
    with _client() as client:
        fleet = fleet_frame(client, include=include, progress=False)
        groups = sim_card_groups_frame(client)
    plan = plan_changes(fleet, desired, key=args.key, groups=groups)
    emit(plan.frame, args.out)
    print(f"plan: {_counts(plan.frame, 'verdict')}", file=sys.stderr)
    for row in plan.invalid.head(20).itertuples():
        print(f"  row {row.desired_row} {row.field}: {row.reason} ({row.hint})", file=sys.stderr)
    if plan.ignored_columns:
        print(f"columns not used: {', '.join(plan.ignored_columns)}", file=sys.stderr)
    return 0


def _confirm(question: str) -> bool:
    if not sys.stdin.isatty():
        raise InvalidInputError(
            "stdin", "apply asks before sending and there is no terminal to ask on", "pass --yes"
        )
    return input(f"{question} [y/N] ").strip().lower() in ("y", "yes")


def _cmd_apply(args: argparse.Namespace, emit: Callable[[pd.DataFrame, Path | None], None]) -> int:
    from simtools.cli import _client
    from simtools.frames.files import read_frame
    from simtools.workflows.changes import apply_changes
    from simtools.workflows.connect import connection_banner

    if not args.plan.is_file():
        raise InvalidInputError(str(args.plan), f"there is no plan {str(args.plan)!r}", "run plan")
    plan = read_frame(args.plan)
    changes = plan[plan["verdict"] == "change"] if "verdict" in plan.columns else plan
    with _client() as client:
        if not changes.empty:
            print(f"the plan changes: {_counts(changes, 'field')}", file=sys.stderr)
        question = f"Apply {len(changes):,} changes to {connection_banner(client)}?"
        if not args.yes and not _confirm(question):
            print("simtools: cancelled; nothing was sent", file=sys.stderr)
            return NOT_ALL_APPLIED
        outcome = apply_changes(client, plan, ledger=args.ledger, wait=not args.no_wait)
    emit(outcome, args.out)
    print(f"outcome: {_counts(outcome, 'result')}", file=sys.stderr)
    applied = outcome["result"].isin(["applied", "no-op", "skipped"]).all()
    return 0 if applied else NOT_ALL_APPLIED


def add_change_commands(
    command: AddCommand,
    output_options: Callable[[argparse.ArgumentParser], None],
    emit: Callable[[pd.DataFrame, Path | None], Any],
) -> None:
    """Add ``plan`` and ``apply`` to the parser with ``command`` (the CLI's own helper)."""
    p = command(
        "plan",
        lambda a: _cmd_plan(a, emit),
        "plan fleet changes from a desired CSV, Excel, JSON or Parquet file (nothing is sent)",
    )
    p.add_argument("desired", type=Path, help="one row per SIM: iccid (or id) and what to change")
    p.add_argument("--key", choices=("iccid", "id"), default="iccid", help="what names the SIM")
    output_options(p)
    p = command(
        "apply",
        lambda a: _cmd_apply(a, emit),
        "apply a saved plan's change rows (asks first; --yes for unattended runs)",
    )
    p.add_argument("plan", type=Path, help="a plan written by `simtools plan --out`")
    p.add_argument("--ledger", type=Path, help="SQLite change ledger, to resume after a crash")
    p.add_argument("--yes", action="store_true", help="do not ask before sending")
    p.add_argument("--no-wait", action="store_true", help="do not wait for status actions")
    output_options(p)
