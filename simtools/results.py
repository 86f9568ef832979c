"""What a registration call hands back: every submitted entry and what became of it."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Literal

from simtools.errors import SimToolsError
from simtools.models import ApiErrorObject, RegisterResponse, SimCard
from simtools.wording import plural

__all__ = ["OUTCOMES", "CodeOutcome", "Outcome", "RegistrationResult"]

Outcome = Literal["registered", "failed", "unknown", "invalid", "duplicate", "skipped"]
#: ``registered``: the code is now on the account (seen in a response, or confirmed by
#: reconciliation or by the ledger); ``failed``: not registered -- the API refused it
#: (``error_*`` say why), it was used elsewhere, or every attempt ended without an answer while
#: it stayed unregistered (safe to send again); ``unknown``: sent, and no check could tell yet
#: whether it was registered -- a rerun with the same ledger reconciles it; ``invalid``:
#: malformed, never sent; ``duplicate``: a repeat of an earlier entry, never sent; ``skipped``:
#: valid but not sent (dry run, or the batch stopped early on an error that affects every code,
#: such as a wrong API key).
OUTCOMES: tuple[Outcome, ...] = (
    "registered",
    "failed",
    "unknown",
    "invalid",
    "duplicate",
    "skipped",
)


@dataclass(frozen=True)
class CodeOutcome:
    """The fate of one submitted entry.

    ``position`` is the entry's 1-based number among everything the user gave (several codes on
    one pasted line get consecutive positions; ``ParsedCodes.entries`` says where each stood).
    ``sim_card`` is the SIM the code became when the response lets us tell (see
    ``simtools.workflows.registration``).
    """

    registration_code: str
    position: int
    outcome: Outcome
    error: ApiErrorObject | None = None
    reason: str | None = None
    sim_card: SimCard | None = None
    source: Literal["response", "reconciled", "ledger", "input"] = "response"


@dataclass
class RegistrationResult:
    """Everything one ``SimClient.register`` call did.

    ``submitted`` are the entries as given, ``outcomes`` one per entry in the same order,
    ``responses`` every register response body received (one per chunk and attempt), ``error``
    the error that stopped the batch before every code was sent (the codes not sent are
    ``skipped``), else ``None``; ``sent_at`` when each code sent was first sent (ISO 8601, UTC),
    which a later run needs to reconcile a code whose outcome is ``unknown``.
    """

    submitted: tuple[str, ...]
    outcomes: list[CodeOutcome] = field(default_factory=list)
    responses: list[RegisterResponse] = field(default_factory=list)
    sim_card_group_id: str | None = None
    tags: tuple[str, ...] = ()
    status: str | None = None
    error: SimToolsError | None = None
    sent_at: dict[str, str] = field(default_factory=dict)

    @property
    def data(self) -> list[SimCard]:
        """Every SIM card the responses returned, in order."""
        return [sim for response in self.responses for sim in response.data]

    @property
    def errors(self) -> list[ApiErrorObject]:
        """Every error the responses returned, in order."""
        return [err for response in self.responses for err in response.errors]

    def codes_with(self, outcome: Outcome) -> list[str]:
        return [o.registration_code for o in self.outcomes if o.outcome == outcome]

    @property
    def registered(self) -> list[str]:
        return self.codes_with("registered")

    @property
    def failed(self) -> list[str]:
        return self.codes_with("failed")

    @property
    def unknown(self) -> list[str]:
        return self.codes_with("unknown")

    @property
    def ok(self) -> bool:
        """True when every entry was registered."""
        return all(o.outcome == "registered" for o in self.outcomes)

    def counts(self) -> dict[str, int]:
        """How many entries ended in each outcome (all outcomes present, zeros included)."""
        counts: dict[str, int] = dict.fromkeys(OUTCOMES, 0)
        for o in self.outcomes:
            counts[o.outcome] += 1
        return counts

    def __iter__(self) -> Iterator[CodeOutcome]:
        return iter(self.outcomes)

    def __len__(self) -> int:
        return len(self.outcomes)

    def __repr__(self) -> str:
        summary = ", ".join(f"{k}={v}" for k, v in self.counts().items() if v)
        return f"RegistrationResult({plural(len(self.outcomes), 'entry')}: {summary or 'none'})"
