"""Telling what became of codes whose register request may have been performed.

A register request whose answer was lost (a dropped connection, a 5xx, a body that cannot be
read) may have registered its codes, and the API offers no idempotency key and no way to ask
which SIM a code became. Two checks tell, before anything is sent again:

1. The validate endpoint: a code still ``valid`` was not registered (it may be sent again); one
   refused for another reason is refused; one "already used" was used by someone -- possibly
   by the lost request.
2. The fleet, for the used codes: the SIM cards that joined this account's group (with the
   run's tags) since the codes were first sent, less those already paired with a code. When
   there are exactly as many as used codes, they are this run's: paired in the order the codes
   were sent and the SIMs created (``PAIR_SIMS_IN_ORDER``, as for answered chunks). When there
   are none, the codes were used elsewhere (``failed``). Any other count cannot be told apart:
   the codes stay ``unknown`` until a later check can.

Assumption (the contract is silent): a SIM card's ``created_at`` is when it was registered to
this account, on the API's clock. When a code is sent, the API's clock is read off the last
answer's ``Date`` header (to the second, so the window opens a second early); before any answer,
this machine's clock less :data:`CLOCK_MARGIN` stands in.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import pandas as pd

from simtools.errors import SimToolsError
from simtools.models import SimCard

if TYPE_CHECKING:
    from simtools.client import SimClient
    from simtools.workflows.ledger import RegistrationLedger

__all__ = ["CLOCK_MARGIN", "Attribution", "Checked", "Reconciler"]

#: How far apart this machine's clock and the API's may be, where no answer has told the API's.
CLOCK_MARGIN = dt.timedelta(minutes=2)


@dataclass(frozen=True)
class Checked:
    """What the validate endpoint said of some codes, and the codes whose check got no answer
    (with the last error), to be checked again later."""

    valid: list[str]
    used: list[str]
    rejected: dict[str, str]
    unanswered: list[str] = field(default_factory=list)
    error: SimToolsError | None = None


@dataclass(frozen=True)
class Attribution:
    """The used codes of the pool, told apart: registered here (with their SIMs), used
    elsewhere, or not yet decidable (with the reason)."""

    registered: dict[str, SimCard] = field(default_factory=dict)
    elsewhere: list[str] = field(default_factory=list)
    undecided: list[str] = field(default_factory=list)
    reason: str = ""


class Reconciler:
    """The checks of one registration run, and what it knows so far: when each code was first
    sent, which codes may have been performed, which SIMs are paired, and the pool of used
    codes not yet told apart."""

    def __init__(
        self,
        client: SimClient,
        *,
        group: str | None,
        tags: Sequence[str] | None,
        book: RegistrationLedger | None,
    ) -> None:
        self.client = client
        self.group = group
        self.tags = list(tags) if tags else None
        self.book = book
        self.sent_at: dict[str, str] = {}
        #: Codes a request may have registered (sent, and the answer not read).
        self.tried: set[str] = set()
        #: SIMs paired with a code (by this run or the ledger), never candidates again.
        self.paired: set[str] = set()
        #: Used codes not yet told apart, in the order they were sent.
        self.pool: dict[str, None] = {}

    def sending(self, codes: Iterable[str]) -> str:
        """Note that ``codes`` are about to be sent; returns when, as a moment the API's clock
        has passed (ISO 8601), which SIMs registered for them are created after."""
        floor = self.client.server_time_floor()
        if floor is None:
            floor = dt.datetime.now(dt.UTC) - CLOCK_MARGIN
        at = floor.isoformat(timespec="milliseconds")
        for code in codes:
            self.sent_at.setdefault(code, at)
        return at

    def validate(self, codes: Sequence[str]) -> Checked:
        """The validate endpoint's verdict on ``codes``, a request per chunk, each chunk's
        answer kept even when another's is lost (a code it does not mention is taken as still
        valid, as it is not known to be used)."""
        checks = {}
        unanswered: list[str] = []
        error: SimToolsError | None = None
        size = self.client.chunk_size
        for start in range(0, len(codes), size):
            chunk = list(codes[start : start + size])
            try:
                answer = self.client.validate_codes(chunk)
            except SimToolsError as exc:
                unanswered += chunk
                error = exc
                continue
            checks.update({c.registration_code: c for c in answer})
        valid, used, rejected = [], [], {}
        for code in codes:
            if code in unanswered:
                continue
            check = checks.get(code)
            if check is None or check.valid:
                valid.append(code)
            elif check.already_used:
                used.append(code)
            else:
                rejected[code] = check.invalid_detail or "the validate endpoint rejected the code"
        return Checked(valid, used, rejected, unanswered, error)

    def add_used(self, codes: Iterable[str]) -> None:
        for code in codes:
            self.pool[code] = None

    def attribute(self) -> Attribution:
        """Tell the pool's codes apart by the SIMs that joined the fleet since they were sent
        (module docstring); the codes decided leave the pool."""
        if not self.pool:
            return Attribution()
        codes = sorted(self.pool, key=lambda c: self.sent_at.get(c, ""))
        fallback = (dt.datetime.now(dt.UTC) - CLOCK_MARGIN).isoformat()
        candidates = self._new_sims(min(self.sent_at.get(c, fallback) for c in codes))
        if len(candidates) == len(codes):
            self.pool.clear()
            self.paired.update(s.id for s in candidates if s.id)
            return Attribution(registered=dict(zip(codes, candidates, strict=True)))
        if not candidates:
            self.pool.clear()
            return Attribution(elsewhere=codes)
        return Attribution(
            undecided=codes,
            reason=(
                f"{len(codes)} of the codes sent are used and {len(candidates)} SIM cards joined "
                f"the fleet{self._where()} since: which are this run's cannot be told"
            ),
        )

    def _new_sims(self, since: str) -> list[SimCard]:
        start = pd.Timestamp(since)
        group = self.group or self._default_group()
        found = []
        for sim in self.client.iter_sim_cards(sim_card_group_id=group, tags=self.tags):
            if sim.id is None or sim.id in self.paired or sim.created_at is None:
                continue
            created = pd.Timestamp(sim.created_at)
            if created >= start:
                found.append((created, sim))
        found.sort(key=lambda pair: pair[0])  # stable: the listing's order breaks ties
        return [sim for _, sim in found]

    def _default_group(self) -> str | None:
        groups = self.client.list_sim_card_groups()
        return next((g.id for g in groups if g.default and g.id), None)

    def _where(self) -> str:
        parts = [f"group {self.group}" if self.group else "the default group"]
        if self.tags:
            parts.append(f"tags {', '.join(self.tags)}")
        return " (" + ", ".join(parts) + ")"
