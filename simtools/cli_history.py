"""The history store commands for a nightly job: ``simtools snapshot --store PATH`` and
``simtools history sync --store PATH --since DATE`` (a thin shell over the history store and
its sync, hooked into :mod:`simtools.cli`)."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable

from simtools.errors import InvalidInputError

__all__ = ["add_history_sync", "add_snapshot_store"]

Command = Callable[[argparse.Namespace], int]


def add_snapshot_store(parser: argparse.ArgumentParser, plain: Command) -> None:
    """``snapshot --store PATH``: the snapshot goes into a history store (any fsspec URL)
    instead of the snapshot folder given as ``directory``."""
    parser.add_argument(
        "--store", help="history store (folder or fsspec URL) to append the snapshot to"
    )

    def run(args: argparse.Namespace) -> int:
        if args.store is None:
            if args.directory is None:
                raise InvalidInputError(
                    None, "snapshot needs a folder or --store", "pass e.g. --store history/"
                )
            return plain(args)
        if args.directory is not None:
            raise InvalidInputError(
                str(args.directory), "pass a folder or --store, not both", "drop one of them"
            )
        return _cmd_snapshot_store(args)

    parser.set_defaults(func=run)


def _cmd_snapshot_store(args: argparse.Namespace) -> int:
    from simtools.cli import _client
    from simtools.store import history_store
    from simtools.workflows.history_sync import snapshot_fleet

    store = history_store(args.store)
    with _client() as client:
        snapshot_fleet(client, store)
    return 0


def add_history_sync(parser: argparse.ArgumentParser, plain: Command) -> None:
    """``history sync``: fetch usage records into a history store from where the last sync
    ended; plain ``history --start --end`` still prints the records of a range."""
    sub = parser.add_subparsers(dest="history_command", metavar="ACTION")
    sync = sub.add_parser(
        "sync",
        help="append usage records to a history store, from where its last sync ended",
        description="Append usage records (WDRs) to a history store, from where its last sync "
        "ended (less --overlap) up to now; on the first run from --since. Rerunning stores "
        "nothing twice, so it suits a nightly job.",
    )
    sync.add_argument("--store", required=True, help="history store folder or fsspec URL")
    sync.add_argument("--since", help="first run: ISO date or datetime (UTC) to start from")
    sync.add_argument("--until", help="ISO date or datetime (UTC); default now")
    sync.add_argument(
        "--window", default="7D", help="fetch this much at a time (default: %(default)s)"
    )
    sync.add_argument(
        "--overlap", default="1D", help="refetch before the last end (default: %(default)s)"
    )
    sync.set_defaults(func=_cmd_history_sync)

    def run(args: argparse.Namespace) -> int:
        if args.start is None or args.end is None:
            raise InvalidInputError(
                None,
                "history needs --start and --end, or the sync action",
                "pass e.g. --start 2026-11-01 --end 2026-12-01, or: history sync --store PATH",
            )
        return plain(args)

    parser.set_defaults(func=run)


def _cmd_history_sync(args: argparse.Namespace) -> int:
    from simtools.cli import _client
    from simtools.store import history_store
    from simtools.workflows.history_sync import sync_usage

    store = history_store(args.store)
    with _client() as client:
        sync_usage(
            client,
            store,
            since=args.since,
            until=args.until,
            window=args.window,
            overlap=args.overlap,
            on_window=lambda done: print(done, file=sys.stderr),
        )
    return 0
