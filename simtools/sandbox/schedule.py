"""Changes that complete later (actions, registrations, deletions, provisioning), one per slot.

A slot is what a change changes: ``(owner id, aspect)``, such as a SIM's ``"status"``, ``"voice"``
or ``"public_ip"``, or a group's ``"gateway"``. A new change in a slot that still has one
supersedes it. Nothing runs in the background: the store asks :meth:`Schedule.pop_due` for what
is due on each call and settles it then. Not locked: the store calls it under its own lock.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass

__all__ = ["Change", "Schedule", "Slot"]

Slot = tuple[str, str]


def _nothing(_when: float) -> None:
    return None


@dataclass(slots=True, eq=False)
class Change:
    """What happens to a slot at ``due`` (sandbox clock time).

    ``settle`` applies the change and is given ``due``; ``supersede`` is called instead, with the
    current time, when a later change takes the slot first. ``label`` names the change for
    checks such as "is this SIM being deleted".
    """

    due: float
    settle: Callable[[float], None]
    supersede: Callable[[float], None] = _nothing
    label: str = ""


class Schedule:
    """The pending :class:`Change` of each slot, and when the next one is due."""

    def __init__(self) -> None:
        self._changes: dict[Slot, Change] = {}
        self._next = math.inf

    def __len__(self) -> int:
        return len(self._changes)

    @property
    def next_due(self) -> float:
        """When the earliest pending change is due (infinity when none is)."""
        return self._next

    def get(self, slot: Slot) -> Change | None:
        return self._changes.get(slot)

    def put(self, slot: Slot, change: Change, now: float) -> None:
        """Make ``change`` the slot's pending change, superseding the one it had."""
        self.cancel(slot, now)
        self._changes[slot] = change
        self._next = min(self._next, change.due)

    def cancel(self, slot: Slot, now: float) -> None:
        """Drop the slot's pending change, if any, telling it that it was superseded at ``now``."""
        previous = self._changes.pop(slot, None)
        if previous is not None:
            previous.supersede(now)

    def pop_due(self, now: float) -> list[Change]:
        """The changes due by ``now``, earliest first, taken off the schedule."""
        if now < self._next:
            return []
        due = [(slot, change) for slot, change in self._changes.items() if change.due <= now]
        for slot, _change in due:
            del self._changes[slot]
        self._next = min((change.due for change in self._changes.values()), default=math.inf)
        return sorted((change for _slot, change in due), key=lambda change: change.due)
