"""The commands a runbook needs around registration: ``validate`` (check a codes file without
registering), ``enable`` / ``disable`` / ``standby`` (SIM ids given or read from a file) and
``groups`` (the account's SIM card groups), hooked into :mod:`simtools.cli`."""

from __future__ import annotations

import argparse
import re
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pandas as pd

from simtools.cli_output import add_output_options, emit
from simtools.errors import InvalidInputError
from simtools.wording import plural

__all__ = ["ACTIONS", "add_fleet_commands", "read_ids"]

Command = Callable[[argparse.Namespace], int]
AddCommand = Callable[[str, Command, str], argparse.ArgumentParser]
#: Command -> the lifecycle function it runs and what it does, for its help.
ACTIONS = {
    "enable": ("enable", "enable SIM cards (they must be in a SIM card group)"),
    "disable": ("disable", "disable SIM cards"),
    "standby": ("set_standby", "put SIM cards on standby (they must be in a SIM card group)"),
}
#: Columns of a table file that may hold the SIM ids, in the order they are looked for.
ID_COLUMNS = ("id", "sim_card_id")
_SEPARATORS = re.compile(r"[\s,;]+")


def read_ids(path: Path) -> list[str]:
    """SIM card ids from a file: a table (``.csv``, ``.xlsx``, ``.parquet``, ``.json``) with an
    ``id`` or ``sim_card_id`` column, or text with ids separated by lines, commas or spaces
    (``-`` reads standard input; lines starting with ``#`` are comments)."""
    if str(path) == "-":
        return _text_ids(sys.stdin.read())
    if not path.is_file():
        raise InvalidInputError(str(path), f"there is no file {str(path)!r}", "check the path")
    if path.suffix.lower() in (".csv", ".xlsx", ".parquet", ".json"):
        from simtools.cli_changes import read_desired

        frame = read_desired(path)
        for column in ID_COLUMNS:
            if column in frame.columns:
                return [str(v) for v in frame[column].dropna() if str(v).strip()]
        raise InvalidInputError(
            list(frame.columns),
            f"{path.name} has no {' or '.join(map(repr, ID_COLUMNS))} column",
            "name the column of SIM card ids 'id' (as simtools sims --out writes it)",
        )
    return _text_ids(path.read_text(encoding="utf-8-sig"))


def _text_ids(text: str) -> list[str]:
    lines = (line.split("#", 1)[0] for line in text.splitlines())
    return [item for line in lines for item in _SEPARATORS.split(line) if item]


def _cmd_validate(args: argparse.Namespace) -> int:
    from simtools.cli import _client
    from simtools.runbook.checks import code_verdicts

    source: Any = sys.stdin.read() if str(args.codes) == "-" else Path(args.codes)
    with _client() as client:
        frame = code_verdicts(client, source, ledger=args.ledger)
    emit(frame, args.out)
    counts = frame["verdict"].value_counts()
    said = ", ".join(f"{int(n):,} {verdict}" for verdict, n in counts.items() if n)
    print(f"{plural(len(frame), 'entry')}: {said or 'none'}", file=sys.stderr)
    return 0 if frame["verdict"].isin(["ready", "registered earlier"]).all() else 1


def _cmd_action(args: argparse.Namespace) -> int:
    from simtools.cli import _client
    from simtools.workflows import lifecycle

    ids = list(args.ids or [])
    if args.file is not None:
        ids += read_ids(args.file)
    if not ids:
        raise InvalidInputError(
            [], "no SIM card ids were given", "name them, or pass --file with one id a line"
        )
    run = getattr(lifecycle, ACTIONS[args.command][0])
    with _client() as client:
        frame: pd.DataFrame = run(client, ids, wait=not args.no_wait, timeout=args.timeout)
    emit(frame, args.out)
    counts = frame["action_status"].astype("string").fillna("no answer").value_counts()
    said = ", ".join(f"{int(n):,} {status}" for status, n in counts.items())
    print(f"{args.command}: {plural(len(frame), 'SIM card')}: {said}", file=sys.stderr)
    not_done = frame["action_status"].isin(["failed", "not started"])
    if not args.no_wait:
        not_done |= ~frame["settled"].fillna(False).astype(bool)
    return 1 if not_done.any() else 0


def _cmd_groups(args: argparse.Namespace) -> int:
    from simtools.cli import _client
    from simtools.frames.groups import sim_card_groups_frame

    with _client() as client:
        frame = sim_card_groups_frame(client.list_sim_card_groups(name=args.name))
    emit(frame, args.out)
    print(plural(len(frame), "SIM card group"), file=sys.stderr)
    return 0


def add_fleet_commands(command: AddCommand) -> None:
    """Add ``validate``, ``enable``, ``disable``, ``standby`` and ``groups`` with ``command``
    (the CLI's own helper)."""
    p = command(
        "validate",
        _cmd_validate,
        "check a codes file (text or CSV) or stdin without registering: each entry's verdict; "
        "exit status 1 when any entry cannot be registered",
    )
    p.add_argument("codes", help="file of codes, or - for standard input")
    p.add_argument(
        "--ledger", type=Path, help="a registration ledger: its codes count as registered earlier"
    )
    add_output_options(p)
    for name, (_function, help_text) in ACTIONS.items():
        p = command(name, _cmd_action, help_text)
        p.add_argument("ids", nargs="*", metavar="ID", help="SIM card ids")
        p.add_argument(
            "--file",
            type=Path,
            help="read the ids from FILE: text (one a line; - for stdin) or a table with an id "
            "column, such as simtools sims --out writes",
        )
        p.add_argument("--no-wait", action="store_true", help="start the actions, do not wait")
        p.add_argument(
            "--timeout",
            type=float,
            default=60.0,
            metavar="SECONDS",
            help="how long to wait for the actions to settle",
        )
        add_output_options(p)
    p = command("groups", _cmd_groups, "list the account's SIM card groups")
    p.add_argument("--name", help="only the group of this name")
    add_output_options(p)
