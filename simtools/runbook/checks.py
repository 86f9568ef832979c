"""The check step: every entry gets a verdict before anything is registered."""

from __future__ import annotations

import os
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pandas as pd

from simtools.errors import InvalidInputError
from simtools.inputs.codes import ParsedCodes, parse_codes
from simtools.models import CodeValidation
from simtools.runbook.base import RunbookStop, StepReport
from simtools.workflows.ledger import RegistrationLedger

if TYPE_CHECKING:
    from simtools.client import SimClient
from simtools.wording import plural

__all__ = ["PREVIEW_COLUMNS", "VERDICTS", "CodeCheck", "check_codes", "code_verdicts"]

#: What the check says of each entry: ``ready`` (will be sent), ``registered earlier`` (the
#: ledger shows this run's account has it; not sent again), ``already used`` and ``rejected``
#: (the API's validation refused it; sending it would fail), ``invalid`` and ``duplicate``
#: (malformed or repeated; never sent).
VERDICTS = ("ready", "registered earlier", "already used", "rejected", "invalid", "duplicate")
PREVIEW_COLUMNS = ("position", "where", "entry", "verdict", "detail")
_USED = ("already been used", "already used", "already registered")


@dataclass(frozen=True, repr=False)
class CodeCheck(StepReport):
    """Every entry with a verdict (``frame``), the codes to send (``ready``) and a summary."""

    source: Any
    parsed: ParsedCodes
    validations: tuple[CodeValidation, ...]
    ready: tuple[str, ...]
    message: str
    frame: pd.DataFrame

    def counts(self) -> dict[str, int]:
        """Entries per verdict, every verdict present."""
        counts = self.frame["verdict"].value_counts()
        return {v: int(counts.get(v, 0)) for v in VERDICTS}


def check_codes(
    client: SimClient, source: Any, *, ledger: str | os.PathLike[str] | None = None
) -> CodeCheck:
    """Check every entry of ``source``: well-formed, not repeated, and accepted by the API's
    validation. Codes a ``ledger`` shows registered count as ``registered earlier``. Raises
    :class:`RunbookStop` when no code is left to register."""
    try:
        parsed = parse_codes(source, errors="collect")
    except InvalidInputError as exc:
        raise RunbookStop("check codes", exc.reason, exc.hint) from None
    validations, frame = _verdicts(client, parsed, ledger)
    ok = frame["verdict"].isin(["ready", "registered earlier"])
    ready = tuple(frame.loc[ok, "entry"].astype(str))
    if not ready:
        problems = [
            f"{row.where}: {row.entry!r} {row.detail}" for row in frame.itertuples(index=False)
        ]
        raise RunbookStop(
            "check codes",
            f"none of the {len(frame)} entries can be registered",
            "fix the codes listed above in the parameters cell (or the CSV file), then rerun",
            details=problems,
        )
    counts = frame["verdict"].value_counts()
    parts = [f"{int(counts[v])} {v}" for v in VERDICTS if counts.get(v, 0)]
    message = f"{plural(len(frame), 'entry')} checked: {', '.join(parts)}."
    return CodeCheck(source, parsed, validations, ready, message, frame)


def code_verdicts(
    client: SimClient, source: Any, *, ledger: str | os.PathLike[str] | None = None
) -> pd.DataFrame:
    """One row per entry of ``source`` (``PREVIEW_COLUMNS``) with its verdict, as
    :func:`check_codes` gives them, whether or not any code can be registered. Raises
    :class:`~simtools.errors.InvalidInputError` when ``source`` cannot be read at all."""
    return _verdicts(client, parse_codes(source, errors="collect"), ledger)[1]


def _verdicts(
    client: SimClient, parsed: ParsedCodes, ledger: str | os.PathLike[str] | None
) -> tuple[tuple[CodeValidation, ...], pd.DataFrame]:
    validations = tuple(client.validate_codes(list(parsed.codes))) if parsed.codes else ()
    by_code = {v.registration_code: v for v in validations}
    earlier = _ledger_states(ledger, parsed.codes)
    rows = []
    for entry in parsed.entries:
        verdict: str = entry.kind
        detail = entry.reason
        if entry.kind == "valid":
            verdict, detail = _verdict(by_code.get(entry.value), earlier.get(entry.value))
        rows.append((entry.position, entry.where, entry.value, verdict, detail))
    frame = pd.DataFrame.from_records(rows, columns=list(PREVIEW_COLUMNS)).astype(
        {"position": "Int64", "where": "string", "entry": "string", "detail": "string"}
    )
    frame["verdict"] = pd.Categorical(frame["verdict"], categories=VERDICTS)
    return validations, frame


def _verdict(check: CodeValidation | None, ledger_state: str | None) -> tuple[str, str | None]:
    if check is None:
        return "ready", "not checked by the API (it returned no verdict)"
    if check.valid:
        return "ready", None
    detail = check.invalid_detail or "the API's validation refused it"
    if any(marker in detail.lower() for marker in _USED):
        if ledger_state == "registered":
            return "registered earlier", "the ledger shows an earlier run registered it"
        if ledger_state in ("in_flight", "unknown"):
            # The run that sent it stopped before the answer came back: the code being used now
            # says that request went through; registering confirms it without sending it again.
            return "registered earlier", "sent by an earlier run that stopped before the answer"
        return "already used", detail
    return "rejected", detail


def _ledger_states(ledger: str | os.PathLike[str] | None, codes: Sequence[str]) -> dict[str, str]:
    if ledger is None or not Path(ledger).exists():
        return {}
    with RegistrationLedger(ledger, read_only=True) as book:
        return {c: e.state for c, e in book.entries(codes).items()}
