"""Pages of SIM records to a DataFrame: simtools against json.loads + pandas.json_normalize.

    python bench/frames.py --n 100000          # also 10000 or 1000000
    python bench/frames.py --n 1000000 --repeat 1

Generates ``--n`` SIM records with the sandbox's fleet generator as list-response pages of 250
(cached in the temp directory), then runs each path ``--repeat`` times, alternating, each run in
a fresh process (both import pandas and simtools first, untimed) that reads the pages one by
one from the file. Prints the best wall time of each path, the CPU time of that run, the peak RSS
of its process (``wait4``: Arrow's buffers included), and the ratios.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

from _common import measure_child, page_file, read_pages, table


def child(path_name: str, pages: Path) -> None:
    """One measured run in this process (imports done first); prints its result as JSON."""
    import pandas as pd

    from simtools.frames import sim_cards_frame

    start, cpu = time.perf_counter(), time.process_time()
    if path_name == "baseline":
        records = []
        for body in read_pages(pages):
            records.extend(json.loads(body)["data"])
        frame = pd.json_normalize(records)
    else:
        frame = sim_cards_frame(read_pages(pages))
    seconds, cpu = time.perf_counter() - start, time.process_time() - cpu
    result = {"seconds": seconds, "cpu": cpu, "rows": len(frame), "columns": frame.shape[1]}
    sys.stdout.write(json.dumps(result))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=100_000, help="SIM records (default 100000)")
    parser.add_argument("--repeat", type=int, default=3, help="runs of each path (best counts)")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument(
        "--drift",
        action="store_true",
        help="every SIM carries an unknown field holding an object (read the exact way)",
    )
    parser.add_argument("--child", choices=["baseline", "simtools"], help=argparse.SUPPRESS)
    parser.add_argument("--pages", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        child(args.child, args.pages)
        return

    pages = page_file(args.n, args.seed, drift=args.drift)
    size_mb = pages.stat().st_size / 1e6
    labels = {
        "baseline": "json.loads + pandas.json_normalize",
        "simtools": "simtools sim_cards_frame(pages)",
    }
    best: dict[str, tuple[float, float, float, dict[str, float]]] = {}
    for _ in range(args.repeat):
        for name in labels:
            result, peak = measure_child(
                [__file__, "--child", name, "--pages", str(pages), "--n", str(args.n)]
            )
            if result["rows"] != args.n:
                raise SystemExit(f"{name}: {result['rows']} rows, expected {args.n}")
            if name not in best or result["seconds"] < best[name][0]:
                best[name] = (result["seconds"], result["cpu"], peak, result)
    base, fast = best["baseline"], best["simtools"]
    rows = [["path", "time", "cpu", "peak RSS"]]
    for name, label in labels.items():
        seconds, cpu, peak, _ = best[name]
        rows.append([label, f"{seconds:.3f} s", f"{cpu:.3f} s", f"{peak:,.0f} MB"])
    rows.append(
        [
            "ratio baseline / simtools",
            f"{base[0] / fast[0]:.1f}x",
            f"{base[1] / fast[1]:.1f}x",
            f"{base[2] / fast[2]:.1f}x",
        ]
    )
    drifted = ", every SIM with an unknown object field" if args.drift else ""
    print(
        f"bench/frames.py: {args.n:,} SIM records in {-(-args.n // 250):,} pages of 250 "
        f"({size_mb:,.1f} MB of JSON{drifted}), "
        f"best of {args.repeat} runs each, one process per run"
    )
    print(table(rows))
    faster = base[0] / fast[0]
    verdict = [f"10x faster: {'yes' if faster >= 10 else 'NO'} ({faster:.1f}x)"]
    if args.n >= 1_000_000:
        verdict.append(f"peak <= 1.5 GB: {'yes' if fast[2] <= 1536 else 'NO'} ({fast[2]:,.0f} MB)")
    print("target: " + "; ".join(verdict))
    print(
        f"frames: baseline {base[3]['columns']} columns (json_normalize), "
        f"simtools {fast[3]['columns']} columns (contract dtypes, derived columns)"
    )


if __name__ == "__main__":
    main()
