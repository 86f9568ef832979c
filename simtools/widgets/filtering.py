"""The usage explorer's filtering, ranking and captions over a fleet frame (pure, vectorised).

``FleetFilter`` factorises the group, status and tag columns once per frame, so each change of a
filter is a few NumPy operations on integer codes, not a Python loop over the SIMs.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from simtools.analysis.risk import RISKS, risk_classes, risk_counts, worst_first
from simtools.analysis.usage import NO_KEY, NO_TAG
from simtools.errors import InvalidInputError

__all__ = [
    "SORT_OPTIONS",
    "TABLE_COLUMNS",
    "Choice",
    "FleetFilter",
    "match_caption",
    "top_rows",
]

#: Sort keys of the explorer with their dropdown labels; all but ``headroom_mb`` rank largest
#: first.
SORT_OPTIONS: tuple[tuple[str, str], ...] = (
    ("utilization (fullest first)", "utilization"),
    ("data used (most first)", "consumed_mb"),
    ("data limit (largest first)", "data_limit_mb"),
    ("headroom (least first)", "headroom_mb"),
)
#: Columns of the explorer's table (those the frame has), followed by ``risk``.
TABLE_COLUMNS = (
    "iccid",
    "sim_card_group_name",
    "status",
    "tags",
    "consumed_mb",
    "data_limit_mb",
    "utilization",
    "headroom_mb",
    "over_limit",
)
NO_GROUP_LABEL = "(no group)"
_REQUIRED = ("sim_card_group_id", "status", "tags", "consumed_mb", "data_limit_mb", "utilization")


@dataclass(frozen=True)
class Choice:
    """One option of a filter: what it shows, the value it stands for, how many SIMs have it."""

    label: str
    value: str
    count: int


def _factorise(values: pd.Series) -> tuple[np.ndarray, list[str]]:
    """Integer codes (missing -> the ``NO_KEY`` code) and the key of each code."""
    text = values.astype("string").fillna(NO_KEY)
    codes, uniques = pd.factorize(text, sort=True)
    return codes.astype(np.int64), [str(u) for u in uniques]


class FleetFilter:
    """Filters over one fleet frame; build once, call ``mask``/``apply`` per change.

    Within a filter the selected values are alternatives (a SIM in any selected group); the
    filters combine with "and". An empty selection does not filter. Tags match when the SIM has
    any selected tag; ``NO_TAG`` selects SIMs without tags, ``NO_KEY`` SIMs without a group or
    status.
    """

    def __init__(self, frame: pd.DataFrame) -> None:
        missing = [c for c in _REQUIRED if c not in frame.columns]
        if missing:
            raise InvalidInputError(
                missing,
                f"the frame lacks the column(s) {', '.join(map(repr, missing))}",
                "pass a frame from simtools.fleet_frame(client) or sim_cards_frame(...)",
            )
        self.frame = frame
        self._group_codes, self._group_keys = _factorise(frame["sim_card_group_id"])
        self._status_codes, self._status_keys = _factorise(frame["status"])
        tags = frame["tags"].reset_index(drop=True).explode()
        tag_text = tags.astype("string")
        known = tag_text.notna().to_numpy()
        self._tag_rows = tags.index.to_numpy(dtype=np.int64)[known]
        codes, uniques = pd.factorize(tag_text[known], sort=True)
        self._tag_codes = codes.astype(np.int64)
        self._tag_keys = [str(u) for u in uniques]
        self._has_tag = np.zeros(len(frame), dtype=bool)
        self._has_tag[self._tag_rows] = True
        names = frame.get("sim_card_group_name")
        self._group_names: dict[str, str] = {}
        if names is not None and len(frame):
            first = (
                pd.DataFrame({"code": self._group_codes, "name": names.astype("string").array})
                .dropna()
                .drop_duplicates("code")
            )
            self._group_names = {
                self._group_keys[c]: str(n)
                for c, n in zip(first["code"], first["name"], strict=True)
            }

    def __len__(self) -> int:
        return len(self.frame)

    # -- options -------------------------------------------------------------------------------

    def group_choices(self) -> list[Choice]:
        """Groups by name (the id when unnamed), with their SIM counts; ``(no group)`` last."""
        counts = np.bincount(self._group_codes, minlength=len(self._group_keys))
        out = []
        for key, count in zip(self._group_keys, counts.tolist(), strict=True):
            name = NO_GROUP_LABEL if key == NO_KEY else self._group_names.get(key, key)
            out.append(Choice(f"{name} ({count:,})", key, count))
        return sorted(out, key=lambda c: (c.value == NO_KEY, c.label.lower()))

    def status_choices(self) -> list[Choice]:
        counts = np.bincount(self._status_codes, minlength=len(self._status_keys))
        return [
            Choice(f"{key} ({count:,})", key, count)
            for key, count in zip(self._status_keys, counts.tolist(), strict=True)
        ]

    def tag_choices(self) -> list[Choice]:
        """Tags with the number of SIMs carrying them, and ``(no tag)`` when some SIMs have none."""
        rows = pd.DataFrame({"row": self._tag_rows, "tag": self._tag_codes}).drop_duplicates()
        counts = np.bincount(rows["tag"].to_numpy(), minlength=len(self._tag_keys))
        out = [
            Choice(f"{key} ({count:,})", key, count)
            for key, count in zip(self._tag_keys, counts.tolist(), strict=True)
        ]
        untagged = int((~self._has_tag).sum())
        if untagged:
            out.append(Choice(f"{NO_TAG} ({untagged:,})", NO_TAG, untagged))
        return out

    # -- filtering -----------------------------------------------------------------------------

    def mask(
        self,
        *,
        groups: Collection[str] = (),
        statuses: Collection[str] = (),
        tags: Collection[str] = (),
    ) -> np.ndarray:
        """A boolean array: True for the SIMs every non-empty selection lets through."""
        keep = np.ones(len(self.frame), dtype=bool)
        if groups:
            keep &= np.isin(self._group_codes, _codes_of(self._group_keys, groups))
        if statuses:
            keep &= np.isin(self._status_codes, _codes_of(self._status_keys, statuses))
        if tags:
            tagged = np.zeros(len(self.frame), dtype=bool)
            hits = np.isin(self._tag_codes, _codes_of(self._tag_keys, tags))
            tagged[self._tag_rows[hits]] = True
            if NO_TAG in tags:
                tagged |= ~self._has_tag
            keep &= tagged
        return keep

    def apply(
        self,
        *,
        groups: Collection[str] = (),
        statuses: Collection[str] = (),
        tags: Collection[str] = (),
    ) -> pd.DataFrame:
        """The SIMs that pass (the frame itself when nothing is selected), index kept."""
        if not (groups or statuses or tags):
            return self.frame
        keep = self.mask(groups=groups, statuses=statuses, tags=tags)
        return self.frame.iloc[np.flatnonzero(keep)]


def _codes_of(keys: Sequence[str], wanted: Collection[str]) -> np.ndarray:
    chosen = set(wanted)
    return np.array([i for i, key in enumerate(keys) if key in chosen], dtype=np.int64)


def top_rows(frame: pd.DataFrame, n: int, sort_by: str, threshold: float = 0.8) -> pd.DataFrame:
    """The ``n`` SIMs the usage plot draws, in its order (:func:`~simtools.analysis.risk
    .worst_first`), as ``TABLE_COLUMNS`` plus ``risk``; SIMs without usage data are left out, as
    the plot leaves them out."""
    if sort_by not in frame.columns:
        raise InvalidInputError(
            sort_by,
            f"the frame has no column {sort_by!r} to sort by",
            f"use one of {', '.join(v for _, v in SORT_OPTIONS)}",
        )
    chosen = worst_first(frame, sort_by)[: int(n)]
    columns = [c for c in TABLE_COLUMNS if c in frame.columns]
    if "sim_card_group_name" not in frame.columns:
        columns.insert(1, "sim_card_group_id")
    out = frame.iloc[chosen][columns].copy()
    out["risk"] = pd.Categorical(risk_classes(out, threshold), categories=list(RISKS))
    return out


def match_caption(filtered: pd.DataFrame, total: int, threshold: float) -> str:
    """``1,234 of 100,000 SIMs match: 12 over limit, 40 near limit (≥ 80%), ...``."""
    found = risk_counts(risk_classes(filtered, threshold))
    phrases = {
        "over": "over limit",
        "near": f"near limit (≥ {threshold:.0%})",
        "ok": "ok",
        "no limit": "without a limit",
    }
    parts = [f"{found[k]:,} {v}" for k, v in phrases.items() if found.get(k)]
    head = f"{len(filtered):,} of {total:,} SIMs match"
    return head + (": " + ", ".join(parts) if parts else "")
