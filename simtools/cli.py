"""The ``simtools`` command: a thin shell over the library.

Every command that talks to the API uses ``TELNYX_API_KEY`` / ``TELNYX_BASE_URL`` when set and
otherwise a sandbox started for the command. Errors print what went wrong and how to fix it, in
flags rather than keyword arguments (:mod:`simtools.cli_hints`), and exit non-zero (2 for bad
input, 1 for everything else); a reader that stops early (``simtools sims | head``) ends the
command quietly with the status of a broken pipe.
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import pandas as pd

from simtools._version import __version__
from simtools.cli_hints import cli_hint, cli_message
from simtools.cli_output import add_output_options, emit
from simtools.errors import InvalidInputError, SimToolsError
from simtools.wording import plural

__all__ = ["BROKEN_PIPE", "build_parser", "main", "threshold_value"]

Command = Callable[[argparse.Namespace], int]
#: Exit status when the reader of standard output went away (128 + SIGPIPE, as a shell reports
#: a program that a closed pipe stopped).
BROKEN_PIPE = 141
#: The columns a printed ``sims`` table starts with (a file keeps the contract's order).
SIMS_LEAD = (
    "id",
    "iccid",
    "status",
    "sim_card_group_name",
    "consumed_mb",
    "data_limit_mb",
    "utilization",
    "tags",
)
#: The columns a printed ``register`` outcome starts with: each entry's outcome and why.
REGISTER_LEAD = ("position", "registration_code", "outcome", "reason", "sim_card_id", "iccid")
#: What ``usage --by`` groups on, and the key columns of the summary it gives.
USAGE_KEYS = ("group", "tag", "status", "type")
USAGE_KEY_COLUMNS = ("sim_card_group_name", "tag", "status", "type")
#: The figures a printed usage summary starts with (near and over the limit before the means).
USAGE_LEAD = (
    "sim_count",
    "consumed_mb",
    "data_limit_mb",
    "near_limit_count",
    "over_limit_count",
    "max_utilization",
)

_output_options = add_output_options
_emit = emit


class _HelpFormatter(argparse.RawDescriptionHelpFormatter):
    """Help that shows each option's default (when it has one worth saying)."""

    def _get_help_string(self, action: argparse.Action) -> str:
        text = action.help or ""
        default = action.default
        if (
            "%(default)" in text
            or "default:" in text
            or default in (None, False, argparse.SUPPRESS)
            or action.option_strings == []
        ):
            return text
        return f"{text} (default: %(default)s)"


def threshold_value(text: str) -> float:
    """``--threshold``: a fraction of the data limit (``0.8``) or a percentage (``80%``), checked
    as the library checks it; a bare ``80`` is refused with the fraction to pass."""
    from simtools.inputs.arguments import check_threshold

    value: float | str = text
    for number in (int, float):
        try:
            value = number(text)
            break
        except ValueError:
            continue
    try:
        return check_threshold(value)
    except InvalidInputError as exc:
        raise argparse.ArgumentTypeError(f"{cli_hint(exc.reason)}; {cli_hint(exc.hint)}") from None


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
    _emit(frame, args.out, lead=SIMS_LEAD)
    return 0


def _cmd_usage(args: argparse.Namespace) -> int:
    from simtools.analysis.usage import usage_summary
    from simtools.workflows.fleet import fleet_frame

    with _client() as client:
        frame = fleet_frame(client, progress=False)
    summary = usage_summary(frame, by=args.by, threshold=args.threshold).reset_index()
    # Printed, the key and the counts that answer "who is near the limit" come first and the
    # long group id last; a file keeps the summary's own order.
    _emit(
        summary,
        args.out,
        lead=(*USAGE_KEY_COLUMNS, *USAGE_LEAD),
        trail=("sim_card_group_id",),
    )
    return 0


def _cmd_snapshot(args: argparse.Namespace) -> int:
    from simtools.snapshots import save_snapshot
    from simtools.workflows.fleet import fleet_frame

    with _client() as client:
        frame = fleet_frame(client, progress=False)
    path = save_snapshot(frame, args.directory)
    print(f"saved a snapshot of {plural(len(frame), 'SIM card')} to {path}")
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
    _emit(registration_frame(result), args.out, lead=REGISTER_LEAD)
    said = ", ".join(f"{n:,} {outcome}" for outcome, n in result.counts().items() if n)
    print(f"{plural(len(result), 'entry')}: {said or 'none'}", file=sys.stderr)
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
    print(", ".join(f"{k}: {v:,}" for k, v in counts.items()), file=sys.stderr)
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
        epilog="Exit status: 0 done, 1 not everything succeeded (or an API error), 2 bad "
        "input, 130 interrupted, 141 the output pipe was closed. `simtools COMMAND --help` "
        "describes each command.",
    )
    parser.add_argument("--version", action="version", version=f"simtools {__version__}")
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    def command(name: str, func: Command, help_text: str) -> argparse.ArgumentParser:
        p = sub.add_parser(
            name, help=help_text, description=help_text, formatter_class=_HelpFormatter
        )
        p.set_defaults(func=func)
        return p

    p = command("demo", _cmd_demo, "run the whole workflow on a sandbox and write a report")
    p.add_argument(
        "--out-dir", type=Path, default=Path("simtools-demo"), help="folder of the outputs"
    )
    p.add_argument("--fleet-size", type=int, default=2000, help="SIM cards in the sandbox fleet")
    p.add_argument("--no-notebooks", action="store_true", help="skip the notebook report")

    p = command("frame", _cmd_frame, "flatten a saved register or list response")
    p.add_argument("file", type=Path, help="a saved JSON response (register or list SIM cards)")
    p.add_argument("--errors", action="store_true", help="the errors list instead of the SIMs")
    _output_options(p)

    p = command("register", _cmd_register, "register codes from a file (text or CSV) or stdin")
    p.add_argument("codes", help="file of codes, or - for standard input")
    p.add_argument("--group", help="SIM card group id (default: the account's default group)")
    p.add_argument("--tag", action="append", help="a tag; repeat for several")
    p.add_argument(
        "--status",
        choices=("enabled", "disabled", "standby"),
        help="status of the new SIMs (default: the API's, enabled)",
    )
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
    p.add_argument("--by", default="group", choices=USAGE_KEYS, help="what each row sums up")
    p.add_argument(
        "--threshold",
        type=threshold_value,
        default=0.8,
        metavar="SHARE",
        help="a SIM is near its limit from this share of it on: 0.8 or 80%%",
    )
    _output_options(p)

    p = command("snapshot", _cmd_snapshot, "append a fleet snapshot to a Parquet dataset")
    p.add_argument("directory", type=Path, help="the dataset's folder (created when missing)")

    p = command("history", _cmd_history, "usage records (WDRs) between two dates")
    p.add_argument("--start", required=True, help="first moment, ISO date or datetime (UTC)")
    p.add_argument(
        "--end",
        required=True,
        help="end, exclusive: ISO date or datetime (UTC); --end 2026-12-01 stops at the end of "
        "30 November",
    )
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

    p = command("ledger", _cmd_ledger, "inspect a registration ledger")
    ledger_sub = p.add_subparsers(dest="ledger_command", required=True, metavar="ACTION")
    show = ledger_sub.add_parser(
        "show",
        help="print every code in the ledger and its state",
        formatter_class=_HelpFormatter,
    )
    show.add_argument("path", type=Path, help="the ledger file given to register --ledger")
    show.set_defaults(func=_cmd_ledger)
    _output_options(show)

    from simtools.cli_changes import add_change_commands

    add_change_commands(command, _output_options, _emit)

    from simtools.cli_fleet import add_fleet_commands

    add_fleet_commands(command)

    p = command(
        "sandbox", _cmd_sandbox, "run a local Telnyx-compatible sandbox until Ctrl-C or SIGTERM"
    )
    from simtools.sandbox.cli import add_sandbox_arguments

    add_sandbox_arguments(p)
    return parser


def _quiet_broken_pipe() -> int:
    # Whatever is still buffered for the closed pipe would fail again at exit: point standard
    # output at /dev/null so the interpreter's own flush has nowhere to fail.
    devnull = os.open(os.devnull, os.O_WRONLY)
    try:
        os.dup2(devnull, sys.stdout.fileno())
    except (OSError, ValueError):
        pass  # stdout is not a file descriptor (a test's capture): nothing left to flush
    finally:
        os.close(devnull)
    return BROKEN_PIPE


def main(argv: Sequence[str] | None = None) -> int:
    """Run one command; its exit status."""
    parser = build_parser()
    args = parser.parse_args(argv)
    func: Command = args.func
    try:
        status = func(args)
        sys.stdout.flush()
        return status
    except BrokenPipeError:
        return _quiet_broken_pipe()
    except InvalidInputError as exc:
        print(f"simtools: {cli_message(exc)}", file=sys.stderr)
        return 2
    except SimToolsError as exc:
        print(f"simtools: {cli_message(exc)}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print("simtools: interrupted", file=sys.stderr)
        return 130


if __name__ == "__main__":  # pragma: no cover
    raise SystemExit(main())
