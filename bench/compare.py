"""This tree's frame path against another revision of it, in alternating fresh processes.

    python bench/compare.py --against 77dda6d --n 100000 --runs 10

On a shared 2-core machine the speed drifts by a third within minutes, so two separate runs of
``bench/frames.py`` cannot tell a 5% change from noise. Here each run is a fresh process that
times ``sim_cards_frame(pages)`` as ``bench/frames.py`` does, with ``simtools`` imported from this
tree or from the other revision (checked out in a temporary git worktree), alternating, and the
medians are compared. Both read the same page file with this tree's ``bench/_common.py``.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from _common import page_file, read_pages, table

ROOT = Path(__file__).resolve().parent.parent


def child(pages: Path) -> None:
    """One measured run; ``simtools`` comes from ``PYTHONPATH`` (imports done first)."""
    import pandas  # noqa: F401

    from simtools.frames import sim_cards_frame

    start, cpu = time.perf_counter(), time.process_time()
    frame = sim_cards_frame(read_pages(pages))
    seconds, cpu = time.perf_counter() - start, time.process_time() - cpu
    sys.stdout.write(json.dumps({"seconds": seconds, "cpu": cpu, "rows": len(frame)}))


def run(root: Path, pages: Path) -> dict[str, float]:
    env = {**os.environ, "PYTHONPATH": str(root)}
    args = [sys.executable, __file__, "--child", "--pages", str(pages)]
    out = subprocess.run(args, env=env, capture_output=True, text=True, check=True).stdout
    result: dict[str, float] = json.loads(out)
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--against", help="a git revision (commit, tag, branch)")
    parser.add_argument("--n", type=int, default=100_000, help="SIM records (default 100000)")
    parser.add_argument("--runs", type=int, default=10, help="runs of each (default 10)")
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--pages", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        child(args.pages)
        return
    if not args.against:
        parser.error("--against REVISION is required")
    pages = page_file(args.n)
    with tempfile.TemporaryDirectory(prefix="simtools-compare-") as tmp:
        other = Path(tmp) / "other"
        git = ["git", "-C", str(ROOT)]
        subprocess.run(
            [*git, "worktree", "add", "-q", "--detach", str(other), args.against], check=True
        )
        try:
            results: dict[str, list[dict[str, float]]] = {"this tree": [], args.against: []}
            for _ in range(args.runs):
                for name, root in (("this tree", ROOT), (args.against, other)):
                    result = run(root, pages)
                    if result["rows"] != args.n:
                        raise SystemExit(f"{name}: {result['rows']} rows, expected {args.n}")
                    results[name].append(result)
        finally:
            subprocess.run([*git, "worktree", "remove", "--force", str(other)], check=True)
    rows = [["simtools from", "best", "median", "median cpu"]]
    medians = {}
    for name, runs in results.items():
        walls = [r["seconds"] for r in runs]
        medians[name] = statistics.median(walls)
        cpu = statistics.median(r["cpu"] for r in runs)
        rows.append([name, f"{min(walls):.3f} s", f"{medians[name]:.3f} s", f"{cpu:.3f} s"])
    print(
        f"bench/compare.py: sim_cards_frame(pages) of {args.n:,} SIMs, {args.runs} alternating "
        "runs each, one process per run"
    )
    print(table(rows))
    ratio = medians[args.against] / medians["this tree"]
    print(f"this tree is {ratio:.2f}x the speed of {args.against} (ratio of medians)")


if __name__ == "__main__":
    main()
