"""What did not fit a frame's contract in one build, and the one warning path that reports it.

Every builder and the file reader collect problems in a :class:`DataIssues` while they coerce
columns, then :meth:`DataIssues.warn` raises one :class:`~simtools.errors.SimToolsDataWarning`
per field, naming the first few rows (by their label, else row number) and how many there are.
The warning points at the first frame outside simtools: the user's own line (pure).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from simtools.errors import data_warning
from simtools.frames.cells import as_text, unicode_text
from simtools.frames.series import STRING

__all__ = ["DataIssues", "data_warning"]

_LISTED = 5


class DataIssues:
    """What did not fit the contract in one frame build; one warning per field, each naming the
    first few records (by ``label`` and the value in ``ids``, else row number) and how many there
    are, after ``where`` (say, a file name) when given."""

    def __init__(
        self, ids: pd.Series, noun: str, label: str = "id", *, where: str | None = None
    ) -> None:
        self._ids = ids
        self._noun = noun
        self._label = label
        self._where = f"{where}: " if where else ""
        self.messages: list[str] = []
        self.raw: dict[str, pd.Series] = {}

    def report(self, field: str, bad: pd.Series, what: str, then: str) -> None:
        """Record that ``field`` is ``what`` in the rows where ``bad`` is true; ``then`` says
        what the frame does about it."""
        rows = np.flatnonzero(bad.fillna(False).to_numpy(dtype=bool))
        if not len(rows):
            return
        labels = []
        for row in rows[:_LISTED]:
            ident = self._ids.iloc[row]
            labels.append(
                f"{self._label} {ident!r}" if isinstance(ident, str) else f"row {row + 1}"
            )
        more = f" and {len(rows) - _LISTED} more" if len(rows) > _LISTED else ""
        count = f"{len(rows)} {self._noun}{'' if len(rows) == 1 else 's'}"
        listed = f"{', '.join(labels)}{more}"
        self.messages.append(
            f"{self._where}{field}: {what} for {count} ({listed}); {then} (rows kept)"
        )

    def reject(self, column: str, raw: pd.Series, bad: pd.Series, what: str) -> None:
        """Report ``column`` as ``what`` where ``bad`` is true and keep those values as sent, as
        text, in ``<column>_raw`` (the caller leaves them missing in ``column``)."""
        self.report(column, bad, what, f"left missing, the value as sent is in {column}_raw")
        mask = bad.fillna(False).to_numpy(dtype=bool)
        if mask.any():
            kept = self.raw.setdefault(
                f"{column}_raw", pd.Series(pd.NA, index=raw.index, dtype=STRING)
            )
            kept[mask] = [unicode_text(as_text(v)) for v in raw[mask].tolist()]

    def warn(self) -> None:
        """One warning per field that had problems."""
        for message in self.messages:
            data_warning(message)
