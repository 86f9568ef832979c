"""The ``simtools`` command: a thin shell over the library.

Every command that talks to the API uses ``TELNYX_API_KEY`` / ``TELNYX_BASE_URL`` when set and
otherwise a sandbox started for the command. Errors print one line and exit non-zero (2 for bad
input, 1 for everything else).
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import pandas as pd

from simtools._version import __version__
from simtools.errors import InvalidInputError, SimToolsError

__all__ = ["main"]

Command = Callable[[argparse.Namespace], int]


def _output_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--out",
        type=Path,
        help="write the frame to this file; the suffix picks the format "
        "(.csv, .parquet, .json, .xlsx); without it a table is printed",
    )


def _emit(frame: pd.DataFrame, out: Path | None) -> None:
    if out is None:
        with pd.option_context("display.width", 200, "display.max_columns", 12):
            print(frame.to_string(max_rows=60))
        return
    from simtools.frames.files import write_frame

    path = write_frame(frame, out)
    print(f"wrote {len(frame)} rows to {path}", file=sys.stderr)


def _client() -> Any:
    from simtools.workflows.connect import connect, connection_banner

    client = connect()
    print(connection_banner(client), file=sys.stderr)
    return client


# -- commands -----------------------------------------------------------------------------------


def _cmd_frame(args: argparse.Namespace) -> int:
    from simtools.frames import errors_frame, sim_cards_frame

    path: Path = args.file
    if not path.is_file():
        raise InvalidInputError(
            str(path), f"{str(path)!r} does not exist", "pass the path of a saved JSON response"
        )
    text = path.read_bytes()
    frame = errors_frame(text) if args.errors else sim_cards_frame(text)
    _emit(frame, args.out)
    return 0


def _cmd_sims(args: argparse.Namespace) -> int:
    from simtools.workflows.fleet import fleet_frame

    with _client() as client:
        frame = fleet_frame(
            client,
            status=args.status,
            tags=args.tag,
            sim_card_group_id=args.group,
            progress=False,
        )
    _emit(frame, args.out)
    return 0


def _cmd_usage(args: argparse.Namespace) -> int:
    from simtools.analysis.usage import usage_summary
    from simtools.workflows.fleet import fleet_frame

    with _client() as client:
        frame = fleet_frame(client, progress=False)
    summary = usage_summary(frame, by=args.by, threshold=args.threshold).reset_index()
    _emit(summary, args.out)
    return 0


def _cmd_snapshot(args: argparse.Namespace) -> int:
    from simtools.snapshots import save_snapshot
    from simtools.workflows.fleet import fleet_frame

    with _client() as client:
        frame = fleet_frame(client, progress=False)
    path = save_snapshot(frame, args.directory)
    print(f"saved a snapshot of {len(frame)} SIM cards to {path}")
    return 0


def _cmd_history(args: argparse.Namespace) -> int:
    from simtools.analysis.daily import daily_usage
    from simtools.frames import usage_records_frame

    with _client() as client:
        records = client.usage_records(
            args.start, args.end, sim_card_id=args.sim, sim_group_id=args.group
        )
    frame = usage_records_frame(records)
    if args.daily:
        frame = daily_usage(frame, by=args.daily if args.daily != "total" else None)
    _emit(frame, args.out)
    return 0


def _cmd_register(args: argparse.Namespace) -> int:
    from simtools.frames import registration_frame

    source: Any = sys.stdin.read() if str(args.codes) == "-" else Path(args.codes)
    with _client() as client:
        result = client.register(
            source,
            sim_card_group_id=args.group,
            tags=args.tag,
            status=args.status,
            on_invalid="skip" if args.skip_invalid else "raise",
            ledger=args.ledger,
            dry_run=args.dry_run,
        )
    _emit(registration_frame(result), args.out)
    print(result, file=sys.stderr)
    return 0 if not (result.failed or result.unknown) else 1


def _cmd_ledger(args: argparse.Namespace) -> int:
    from simtools.workflows.ledger import RegistrationLedger

    if not args.path.is_file():
        raise InvalidInputError(
            str(args.path), f"there is no ledger at {str(args.path)!r}", "pass the ledger file"
        )
    with RegistrationLedger(args.path, read_only=True) as ledger:
        entries = list(ledger.entries().values())
        counts = ledger.counts()
    frame = pd.DataFrame([e.__dict__ for e in entries])
    _emit(frame, args.out)
    print(", ".join(f"{k}: {v}" for k, v in counts.items()), file=sys.stderr)
    return 0


def _cmd_demo(args: argparse.Namespace) -> int:
    from simtools.demo import run_demo

    run_demo(args.out_dir, fleet_size=args.fleet_size, notebooks=not args.no_notebooks)
    return 0


def _cmd_sandbox(args: argparse.Namespace) -> int:
    from simtools.sandbox.cli import run_sandbox_command

    return run_sandbox_command(args)


# -- parser -------------------------------------------------------------------------------------


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="simtools",
        description="Register Telnyx SIM cards and analyse fleet usage. Commands that talk to the "
        "API use TELNYX_API_KEY (and TELNYX_BASE_URL) when set, else a local sandbox.",
    )
    parser.add_argument("--version", action="version", version=f"simtools {__version__}")
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    def command(name: str, func: Command, help_text: str) -> argparse.ArgumentParser:
        p = sub.add_parser(name, help=help_text, description=help_text)
        p.set_defaults(func=func)
        return p

    p = command("demo", _cmd_demo, "run the whole workflow on a sandbox and write a report")
    p.add_argument("--out-dir", type=Path, default=Path("simtools-demo"))
    p.add_argument("--fleet-size", type=int, default=2000)
    p.add_argument("--no-notebooks", action="store_true", help="skip the notebook report")

    p = command("frame", _cmd_frame, "flatten a saved register or list response")
    p.add_argument("file", type=Path)
    p.add_argument("--errors", action="store_true", help="the errors list instead of the SIMs")
    _output_options(p)

    p = command("register", _cmd_register, "register codes from a file (text or CSV) or stdin")
    p.add_argument("codes", help="file of codes, or - for standard input")
    p.add_argument("--group", help="SIM card group id (default: the account's default group)")
    p.add_argument("--tag", action="append", help="a tag; repeat for several")
    p.add_argument("--status", choices=("enabled", "disabled", "standby"))
    p.add_argument("--ledger", type=Path, help="SQLite ledger file, to resume after a crash")
    p.add_argument("--skip-invalid", action="store_true", help="register the valid codes only")
    p.add_argument("--dry-run", action="store_true", help="check everything, send nothing")
    _output_options(p)

    p = command("sims", _cmd_sims, "list the fleet (all pages) as a frame")
    p.add_argument("--status", action="append", help="a status to keep; repeat for several")
    p.add_argument("--tag", action="append", help="a tag every SIM must have; repeat")
    p.add_argument("--group", help="SIM card group id")
    _output_options(p)

    p = command("usage", _cmd_usage, "usage summary of the fleet")
    p.add_argument("--by", default="group", help="group, tag, status or type")
    p.add_argument("--threshold", type=float, default=0.8, help="near-limit utilisation")
    _output_options(p)

    p = command("snapshot", _cmd_snapshot, "append a fleet snapshot to a Parquet dataset")
    p.add_argument("directory", type=Path, nargs="?")
    from simtools.cli_history import add_history_sync, add_snapshot_store

    add_snapshot_store(p, _cmd_snapshot)

    p = command("history", _cmd_history, "usage records (WDRs) between two dates")
    p.add_argument("--start", help="ISO date or datetime (UTC)")
    p.add_argument("--end", help="ISO date or datetime (UTC)")
    p.add_argument("--sim", help="only this SIM card id")
    p.add_argument("--group", help="only this SIM card group id")
    p.add_argument(
        "--daily",
        nargs="?",
        const="total",
        choices=("total", "sim", "group"),
        help="aggregate per day (optionally per SIM or group)",
    )
    _output_options(p)
    add_history_sync(p, _cmd_history)

    p = command("ledger", _cmd_ledger, "inspect a registration ledger")
    ledger_sub = p.add_subparsers(dest="ledger_command", required=True, metavar="ACTION")
    show = ledger_sub.add_parser("show", help="print every code in the ledger and its state")
    show.add_argument("path", type=Path)
    show.set_defaults(func=_cmd_ledger)
    _output_options(show)

    from simtools.cli_changes import add_change_commands

    add_change_commands(command, _output_options, _emit)

    p = command(
        "sandbox", _cmd_sandbox, "run a local Telnyx-compatible sandbox until Ctrl-C or SIGTERM"
    )
    from simtools.sandbox.cli import add_sandbox_arguments

    add_sandbox_arguments(p)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    func: Command = args.func
    try:
        return func(args)
    except InvalidInputError as exc:
        print(f"simtools: {exc}", file=sys.stderr)
        return 2
    except SimToolsError as exc:
        print(f"simtools: {exc}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print("simtools: interrupted", file=sys.stderr)
        return 130


if __name__ == "__main__":  # pragma: no cover
    raise SystemExit(main())
