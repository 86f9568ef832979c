"""``usage_summary(fleet, by="tag")`` on a million SIMs: each distinct tag set read once and only
the needed columns repeated, against the row-by-row explode of every column it replaced.

    python bench/summaries.py                 # 1,000,000 SIMs, best of 3
    python bench/summaries.py --n 100000

The frame is ``sim_cards_frame`` of 100,000 generated SIMs (the sandbox's generator, as every
benchmark here), repeated to ``--n`` rows; both paths summarise that same frame in this process,
alternating. The baseline is ``usage_summary`` with its tag explosion swapped for the one it
had before (``explode_tags``: a Python call per row, then ``DataFrame.explode`` of all 28
columns); the two results are checked equal.
"""

from __future__ import annotations

import argparse
import time
from typing import Any

from _common import page_file, read_pages, table


def row_by_row(df: Any, columns: list[str]) -> Any:
    """The baseline's tag explosion: every column, one ``_tag_list`` call per row."""
    import pandas as pd

    from simtools.analysis import usage
    from simtools.frames.contracts import TAG_ROWS

    work = df.copy()
    work["tag"] = pd.Series([usage._tag_list(v) for v in df["tags"]], index=df.index, dtype=object)
    work = work.explode("tag", ignore_index=True)
    work["tag"] = work["tag"].astype(TAG_ROWS["tag"].dtype)
    return work


def main() -> None:
    import pandas as pd

    from simtools.analysis import usage
    from simtools.frames import sim_cards_frame

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=1_000_000)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    base = sim_cards_frame(read_pages(page_file(min(args.n, 100_000))))
    copies = -(-args.n // len(base))
    frame = pd.concat([base] * copies, ignore_index=True).iloc[: args.n]
    distinct = frame["tags"].nunique()
    fast = usage._exploded
    paths = {"row-by-row explode of all columns (before)": row_by_row, "distinct tag sets": fast}
    best: dict[str, float] = {}
    results: dict[str, Any] = {}
    try:
        for _ in range(args.repeat):
            for name, explode in paths.items():
                usage._exploded = explode  # type: ignore[assignment]
                start = time.perf_counter()
                results[name] = usage.usage_summary(frame, by="tag")
                seconds = time.perf_counter() - start
                best[name] = min(best.get(name, seconds), seconds)
    finally:
        usage._exploded = fast  # type: ignore[assignment]
    before, after = results.values()
    pd.testing.assert_frame_equal(before, after)
    rows = [["usage_summary(df, by='tag')", "time"]]
    rows += [[name, f"{seconds:.3f} s"] for name, seconds in best.items()]
    ratio = best["row-by-row explode of all columns (before)"] / best["distinct tag sets"]
    rows.append(["ratio before / now", f"{ratio:.1f}x"])
    print(
        f"bench/summaries.py: {args.n:,} SIMs ({len(frame.columns)} columns, {distinct} distinct "
        f"tag sets), best of {args.repeat}, both paths in one process"
    )
    print(table(rows))
    print(f"target: 3x faster: {'yes' if ratio >= 3 else 'NO'} ({ratio:.1f}x)")


if __name__ == "__main__":
    main()
