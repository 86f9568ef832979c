"""Plots, summaries and the usage explorer on a 100,000-SIM frame built by the columnar path.

    python bench/plots.py --n 100000

Builds the frame with ``sim_cards_frame(pages)``, then times (best of ``--repeat``, Agg
backend, figures drawn to pixels) what a notebook does next.
"""

from __future__ import annotations

import argparse
import time
from collections.abc import Callable
from typing import Any

from _common import page_file, read_pages, table


def main() -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    from simtools.analysis.usage import usage_summary
    from simtools.frames import sim_cards_frame
    from simtools.plots import plot_usage_vs_limit, plot_utilization_histogram
    from simtools.widgets import usage_explorer

    def drawn(plot: Callable[[Any], Any]) -> Callable[[Any], None]:
        """Run a plot function and render its figure, as a notebook would."""

        def run(frame: Any) -> None:
            ax = plot(frame)
            ax.figure.canvas.draw()
            plt.close(ax.figure)

        return run

    def explore(frame: Any) -> None:
        """Open the usage explorer on the frame and narrow it to one status."""
        explorer = usage_explorer(frame)
        explorer.status_input.value = ("enabled",)
        plt.close("all")

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=100_000)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    start = time.perf_counter()
    frame = sim_cards_frame(read_pages(page_file(args.n)))
    built = time.perf_counter() - start
    steps: dict[str, Callable[[Any], Any]] = {
        "plot_usage_vs_limit(df), drawn": drawn(plot_usage_vs_limit),
        "plot_utilization_histogram(df), drawn": drawn(plot_utilization_histogram),
        "usage_summary(df, by='status')": lambda df: usage_summary(df, by="status"),
        "usage_explorer(df) + a status filter": explore,
    }
    rows = [["step", "time"], ["sim_cards_frame(pages), first call", f"{built:.3f} s"]]
    for name, step in steps.items():
        best = float("inf")
        for _ in range(args.repeat):
            t = time.perf_counter()
            step(frame)
            best = min(best, time.perf_counter() - t)
        rows.append([name, f"{best:.3f} s"])
    print(
        f"bench/plots.py: a {len(frame):,}-row frame from the columnar path, best of {args.repeat}"
    )
    print(table(rows))


if __name__ == "__main__":
    main()
