"""Shared by the benchmarks: generated page files, measured child processes, tables."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

PAGE_SIZE = 250
CHUNK = 100_000
CACHE = Path(tempfile.gettempdir()) / "simtools-bench"


#: What ``--drift`` adds to every SIM: a field the contract does not know, holding an object.
DRIFT = b',"sim_card_group":{"id":"6a09cdc3-8948-47f0-aa62-74ac943d6c58","name":"Fleet"}}'


def page_file(n: int, seed: int = 0, *, drift: bool = False) -> Path:
    """``n`` SIM records from the sandbox's fleet generator, as list-response bodies of 250, one
    page per line (compact JSON holds no newline); made once and kept in the temp directory.
    With ``drift`` every SIM also carries :data:`DRIFT`."""
    path = CACHE / f"sim-pages-{n}-seed{seed}{'-drift' if drift else ''}.ndjson"
    if path.exists():
        return path
    from simtools.sandbox.synthetic import build_fleet

    CACHE.mkdir(parents=True, exist_ok=True)
    partial = path.with_suffix(".partial")
    total_pages = -(-n // PAGE_SIZE)
    number = 0
    with partial.open("wb") as out:
        for start in range(0, n, CHUNK):
            size = min(CHUNK, n - start)
            # Chunks of 100,000 from different seeds: ids and ICCIDs stay unique.
            fleet = build_fleet(size, seed * 1_000 + start // CHUNK, now=1.79e9, code_pool=0)
            sims = [s.simple_json() for s in fleet.sims]
            if drift:
                sims = [sim[:-1] + DRIFT for sim in sims]
            for i in range(0, size, PAGE_SIZE):
                number += 1
                meta = {
                    "page_number": number,
                    "page_size": PAGE_SIZE,
                    "total_pages": total_pages,
                    "total_results": n,
                }
                out.write(b'{"data":[' + b",".join(sims[i : i + PAGE_SIZE]) + b'],"meta":')
                out.write(json.dumps(meta, separators=(",", ":")).encode() + b"}\n")
    partial.rename(path)
    return path


def read_pages(path: Path) -> Iterator[bytes]:
    """The page bodies of a page file, one at a time. The 1 MB buffer keeps the reading itself
    (timed in both paths alike) at about 0.02 s per 100,000 SIMs: the default 8 KB buffer
    spends 0.09 s on lines of 180 KB."""
    with path.open("rb", buffering=1 << 20) as lines:
        for line in lines:
            yield line.rstrip(b"\n")


def baseline_frame(pages: Sequence[bytes]) -> Any:
    """The baseline simtools is measured against, over page bodies held in memory:
    ``json.loads`` of each page, then ``pandas.json_normalize`` of all their SIMs."""
    import pandas as pd

    return pd.json_normalize([sim for body in pages for sim in json.loads(body)["data"]])


def measure_child(args: Sequence[str]) -> tuple[dict[str, Any], float]:
    """Run ``python <args>`` in a fresh process; its JSON answer and its peak RSS in MB.

    The peak comes from ``wait4`` for that child alone: tracemalloc would not see Arrow's
    buffers, and ``RUSAGE_CHILDREN`` is the largest of all children so far.
    """
    proc = subprocess.Popen([sys.executable, *args], stdout=subprocess.PIPE)
    assert proc.stdout is not None
    out = proc.stdout.read()
    proc.stdout.close()
    _, status, usage = os.wait4(proc.pid, 0)
    proc.returncode = os.waitstatus_to_exitcode(status)
    if proc.returncode != 0:
        raise SystemExit(f"benchmark child {args} failed with exit code {proc.returncode}")
    return json.loads(out), usage.ru_maxrss / 1024


def table(rows: Sequence[Sequence[str]]) -> str:
    """Rows of cells as aligned text: first column left, the rest right."""
    widths = [max(len(r[i]) for r in rows) for i in range(len(rows[0]))]
    lines = []
    for row in rows:
        cells = [row[0].ljust(widths[0])] + [
            c.rjust(w) for c, w in zip(row[1:], widths[1:], strict=True)
        ]
        lines.append("  ".join(cells).rstrip())
    return "\n".join(lines)
