"""Progress bars name what they count."""

from __future__ import annotations

import io

from simtools.workflows.progress import progress_bar


def test_the_bar_counts_codes_not_items() -> None:
    out = io.StringIO()
    bar = progress_bar(10, "registering", True, unit="codes")
    bar.fp = out
    bar.update(4)
    bar.refresh()
    text = str(bar)
    bar.close()
    assert "4/10" in text
    assert "codes/s" in text or " codes" in text
    assert "it/s" not in text
    assert "item" not in text


def test_a_bar_without_a_total_counts_pages() -> None:
    bar = progress_bar(None, "fetching SIM cards", True, unit="pages")
    bar.fp = io.StringIO()
    bar.update(3)
    text = str(bar)
    bar.close()
    assert text.startswith("fetching SIM cards: 3 pages")
