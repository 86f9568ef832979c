"""pyarrow's reader against a compiled scanner (``bench/_scanner.py``) in simtools' frame path.

    python bench/scanner.py --n 100000 --runs 8

Needs numba (in the ``bench`` extra; simtools itself does not use it). In this process: the
first use of the scanner (compiling it, or loading it from numba's cache), then, warm and
alternating, ``json.loads`` + ``pandas.json_normalize``, ``sim_cards_frame(pages)`` as shipped
(pyarrow's reader), and the same with each batch scanned first (a batch the scanner leaves goes
to pyarrow's reader as before); medians and ratios against the baseline. The two frames are
checked equal first.
"""

from __future__ import annotations

import argparse
import statistics
import time
from collections.abc import Callable
from typing import Any
from unittest import mock

import _scanner
import pandas as pd
from _common import baseline_frame, page_file, read_pages, table

from simtools.frames import pages as fastframes
from simtools.frames import sim_cards_frame

_read_batch = fastframes._read_batch


def scanned_batch(bodies: list[bytes], first: int, endpoint: str | None) -> Any:
    """``fastframes._read_batch`` with the scanner tried first."""
    scanned = _scanner.scanned_columns(bodies)
    if scanned is None:
        return _read_batch(bodies, first, endpoint)
    # Times and amounts come ready from the scan; _prepare adds the list columns.
    ready = dict(scanned.ready)
    batch = fastframes._Batch(scanned.n, dict(scanned.known), dict(scanned.other), ready)
    fastframes._prepare(batch)
    return batch


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=100_000)
    parser.add_argument("--runs", type=int, default=8)
    args = parser.parse_args()
    pages = list(read_pages(page_file(args.n)))
    scanning = mock.patch.object(fastframes, "_read_batch", scanned_batch)

    start = time.perf_counter()
    _scanner.scanned_columns(pages[:1])
    first_use = time.perf_counter() - start
    shipped = sim_cards_frame(pages)
    with scanning:
        scanned = sim_cards_frame(pages)
    pd.testing.assert_frame_equal(shipped, scanned)

    def with_scanner(pages: list[bytes]) -> Any:
        with scanning:
            return sim_cards_frame(pages)

    paths: dict[str, Callable[[list[bytes]], Any]] = {
        "json.loads + pandas.json_normalize": baseline_frame,
        "sim_cards_frame(pages), pyarrow's reader": sim_cards_frame,
        "sim_cards_frame(pages), compiled scanner": with_scanner,
    }
    times: dict[str, list[float]] = {name: [] for name in paths}
    for _ in range(args.runs):
        for name, path in paths.items():
            start = time.perf_counter()
            path(pages)
            times[name].append(time.perf_counter() - start)
    base = statistics.median(times["json.loads + pandas.json_normalize"])
    rows = [["path", "median", "best", "baseline / path"]]
    for name, seconds in times.items():
        median = statistics.median(seconds)
        rows.append([name, f"{median:.3f} s", f"{min(seconds):.3f} s", f"{base / median:.1f}x"])
    print(
        f"bench/scanner.py: {args.n:,} SIMs, {args.runs} alternating warm runs each, one process;"
        f" first use of the scanner (compile or load) {first_use:.2f} s; frames equal"
    )
    print(table(rows))


if __name__ == "__main__":
    main()
