"""Jobs of many requests, over the client and the frames: the whole fleet as one frame,
registration with its ledger, lifecycle actions and their settle-wait, and connecting to the
real API or a local sandbox."""

from __future__ import annotations
