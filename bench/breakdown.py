"""Where simtools' time goes on N SIMs: reading pages into columns, then the frame's contract.

    python bench/breakdown.py --n 100000

Times (best of ``--repeat``, in this process, after one warm-up run) the two steps of the
columnar path, with and without the frame forms the readers' workers make batch by batch
(times, amounts, lists), and the list columns (``tags``, ``authorized_imeis``) built from Arrow
lists at once against the cell-by-cell way the record path takes.
"""

from __future__ import annotations

import argparse
import contextlib
import time
from collections.abc import Callable
from functools import partial
from typing import Any
from unittest import mock

import pandas as pd
from _common import page_file, read_pages, table

from simtools.frames import frame_from_columns
from simtools.frames import pages as fastframes
from simtools.frames.coerce import DataIssues, listing
from simtools.frames.series import text_tuples


def best(step: Callable[[], Any], repeat: int) -> float:
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        step()
        times.append(time.perf_counter() - start)
    return min(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=100_000)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    pages = list(read_pages(page_file(args.n)))
    read = partial(fastframes.sim_card_page_columns, pages)
    no_forms = mock.patch.object(fastframes, "_prepare", return_value=None)
    columns = read()
    with no_forms:
        raw = read()
    frame_from_columns(columns)
    rows = [["step", "time"]]
    for label, cols, patch in (
        ("with", columns, contextlib.nullcontext()),
        ("without", raw, no_forms),
    ):
        with patch:
            reading = best(read, args.repeat)
        building = best(partial(frame_from_columns, cols), args.repeat)
        rows.append([f"pages -> raw columns, {label} the batch-wise forms", f"{reading:.3f} s"])
        rows.append([f"raw columns -> frame, {label} them", f"{building:.3f} s"])
        rows.append([f"  total {label}", f"{reading + building:.3f} s"])
    for name in ("tags", "authorized_imeis"):
        arrow = raw[name]
        cells = pd.Series(arrow.to_pylist(), dtype=object)
        issues = DataIssues(pd.Series([None] * len(cells)), "SIM card")
        distinct = len(set(map(lambda v: None if v is None else tuple(v), cells)))
        at_once = best(partial(text_tuples, arrow), args.repeat)
        by_cell = best(partial(listing, cells, name, issues), args.repeat)
        rows.append(
            [f"{name}: tuples from Arrow lists ({distinct:,} distinct)", f"{at_once:.3f} s"]
        )
        rows.append([f"{name}: tuples cell by cell (record path)", f"{by_cell:.3f} s"])
    print(f"bench/breakdown.py: {args.n:,} SIMs, best of {args.repeat}, warm")
    print(table(rows))


if __name__ == "__main__":
    main()
