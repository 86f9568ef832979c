"""Pure analysis over frames: usage summaries, near-limit SIMs, top consumers, projections,
daily usage, and the risk classes and worst-first order that plots and widgets share."""

from __future__ import annotations
