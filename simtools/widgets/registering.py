"""What the register form does with the codes it read: the registration workflow, with progress.

:func:`register_entries` hands the form's entries to :func:`simtools.workflows.registration
.register` (chunks, reconciliation, outcomes) with a progress callback, and returns the error that
stopped a batch beside the result instead of raising it, so the form can show both (plain code).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Literal

import pandas as pd

from simtools.errors import (
    InvalidInputError,
    RateLimitError,
    ResponseError,
    ServerError,
    SimToolsError,
    TransportError,
)
from simtools.inputs.codes import ParsedCodes, parse_codes
from simtools.results import CodeOutcome, RegistrationResult
from simtools.workflows.registration import ProgressCallback, register

if TYPE_CHECKING:
    from simtools.client import SimClient

__all__ = [
    "can_retry",
    "merge_retry",
    "outcome_table",
    "register_entries",
    "retry_failed",
    "retryable",
    "short_reason",
    "summary_line",
]

#: What a retry takes up again: refused or not sent, and unknown (checked first).
_AGAIN = ("failed", "skipped", "unknown")
#: Errors that stop a batch and may be gone on the next try: the network, the server, a rate
#: limit, a garbled answer (a wrong key or a refused option stays as it is).
_PASSING = (TransportError, ServerError, RateLimitError, ResponseError)
#: How a ``failed`` outcome says that the code was never registered for want of an answer.
_UNANSWERED = ("safe to send again", "still unregistered")


def can_retry(outcome: CodeOutcome, stopped_by: SimToolsError | None = None) -> bool:
    """Whether sending ``outcome``'s code again can change it: ``unknown`` (checked first, never
    sent blindly); ``skipped`` when the batch was stopped by a passing error (``stopped_by``:
    network, 5xx, rate limit); ``failed`` only when no answer came (the API never refused the
    code). A code the API refused -- already used, unknown, malformed -- fails again."""
    if outcome.outcome == "unknown":
        return True
    if outcome.outcome == "skipped":
        return stopped_by is None or isinstance(stopped_by, _PASSING)
    if outcome.outcome == "failed":
        reason = outcome.reason or ""
        return outcome.error is None and any(words in reason for words in _UNANSWERED)
    return False


def retryable(result: RegistrationResult) -> list[str]:
    """The codes of ``result`` a retry can help (see :func:`can_retry`), in entry order."""
    return [o.registration_code for o in result.outcomes if can_retry(o, result.error)]


def register_entries(
    client: SimClient,
    parsed: ParsedCodes,
    *,
    sim_card_group_id: str | None = None,
    tags: Sequence[str] | None = None,
    status: str | None = None,
    on_progress: ProgressCallback | None = None,
    earlier_sends: Mapping[str, str] | None = None,
) -> tuple[RegistrationResult, SimToolsError | None]:
    """Register the valid codes of ``parsed``; return the result and the error that stopped it.

    Every option is checked and at least one valid code is required before anything is sent
    (``InvalidInputError`` otherwise). ``on_progress(done, total)`` is called after each chunk.
    When a chunk fails as a whole (wrong key, server down), the codes not yet sent are reported
    as ``skipped`` and the error is returned next to the result instead of raised.
    """
    if not parsed.codes:
        problems = parsed.problems
        raise InvalidInputError(
            [p.value for p in problems],
            f"none of the {len(parsed.entries)} entries is a registration code that can be sent",
            "fix the entries listed above; a registration code is exactly 10 digits",
            problems=[str(p) for p in problems],
        )
    try:
        result = register(
            client,
            parsed,
            sim_card_group_id=sim_card_group_id,
            tags=list(tags) if tags is not None else None,
            status=status,
            on_invalid="skip",
            progress=False,
            on_progress=on_progress,
            earlier_sends=earlier_sends,
        )
    except InvalidInputError:
        raise
    except SimToolsError as exc:
        if not isinstance(exc.partial, RegistrationResult):
            raise
        return exc.partial, exc
    return result, result.error


def retry_failed(
    client: SimClient,
    result: RegistrationResult,
    *,
    on_progress: ProgressCallback | None = None,
) -> tuple[RegistrationResult, SimToolsError | None]:
    """Send the codes of ``result`` a retry can help (:func:`can_retry`) again with the same
    options, after checking the ``unknown`` ones (reconciled first, never sent blindly).

    Returns ``result`` with those entries' outcomes replaced (see ``merge_retry``).
    """
    again = retryable(result)
    if not again:
        raise InvalidInputError(
            None,
            "no code of the last run can be helped by a retry: the API refused them (already "
            "used, unknown or malformed codes fail again)",
            "correct or replace those codes, then Register",
        )
    retry, stopped = register_entries(
        client,
        parse_codes(again, errors="collect"),
        sim_card_group_id=result.sim_card_group_id,
        tags=list(result.tags) if result.tags else None,
        status=result.status,
        on_progress=on_progress,
        earlier_sends={c: at for c, at in result.sent_at.items() if c in set(result.unknown)},
    )
    return merge_retry(result, retry), stopped


def merge_retry(first: RegistrationResult, retry: RegistrationResult) -> RegistrationResult:
    """``first`` with the outcome of every code the retry sent replaced by the retry's outcome.

    Entries keep their position; the responses of both runs are kept, in order.
    """
    latest = {o.registration_code: o for o in retry.outcomes if o.outcome != "duplicate"}
    outcomes = []
    for outcome in first.outcomes:
        newer = latest.get(outcome.registration_code)
        if newer is not None and outcome.outcome in _AGAIN:
            outcome = dataclasses.replace(newer, position=outcome.position)
        outcomes.append(outcome)
    return RegistrationResult(
        submitted=first.submitted,
        outcomes=outcomes,
        responses=[*first.responses, *retry.responses],
        sim_card_group_id=first.sim_card_group_id,
        tags=first.tags,
        status=first.status,
        error=retry.error,
        sent_at={**first.sent_at, **retry.sent_at},
    )


def summary_line(result: RegistrationResult) -> tuple[str, Literal["success", "warning", "error"]]:
    """One sentence on a result and how it should look: all registered, some, or none."""
    counts = result.counts()
    total = len(result.outcomes)
    rest = ", ".join(f"{n} {name}" for name, n in counts.items() if n and name != "registered")
    text = f"{counts['registered']} of {total} entries registered"
    text += f" ({rest})." if rest else "."
    again = len(retryable(result))
    if again:
        text += f" “Retry” can help {again} of them (no answer or a passing error)."
    elif counts["failed"] or counts["skipped"]:
        text += " A retry would not help: the API refused those codes"
        text += " (see why per entry)." if counts["failed"] else " or the request (see below)."
    if counts["registered"] == 0:
        return text, "error"
    if counts["registered"] == total:
        return text, "success"
    return text, "warning"


#: Outcome -> order in the form's table: what needs attention first, registered last.
_ROW_ORDER = {"failed": 0, "unknown": 1, "skipped": 2, "invalid": 3, "duplicate": 4}
_SHORT = 60


def short_reason(text: str) -> str:
    """The gist of a reason: up to its first ``;`` or parenthesis, at most ``_SHORT``
    characters (the full text stays in the frame and shows on hover)."""
    cut = len(text)
    for mark in ("; ", " (", ". "):
        at = text.find(mark)
        if 0 < at < cut:
            cut = at
    gist = text[:cut].rstrip(" .:")
    return gist if len(gist) <= _SHORT else gist[: _SHORT - 1].rstrip() + "…"


def outcome_table(
    frame: pd.DataFrame, result: RegistrationResult
) -> tuple[pd.DataFrame, dict[str, list[str]]]:
    """The form's compact view of a ``registration_frame``: problem rows first (then by
    position), the why in a few words with the full text for hover, whether a retry can help,
    and the SIM's ICCID and status. Returns the view and its hover texts."""
    retry = [can_retry(o, result.error) for o in result.outcomes]
    full = (
        frame["error_detail"]
        .astype("string")
        .fillna(frame["reason"].astype("string"))
        .fillna(frame["error_title"].astype("string"))
    )
    if "reason" in frame and "error_detail" in frame:
        both = frame["error_detail"].notna() & frame["reason"].notna()
        full = full.where(~both, frame["error_detail"] + " — " + frame["reason"])
    title = frame["error_title"].astype("string")
    why = [
        str(t) if pd.notna(t) else short_reason(str(f)) if pd.notna(f) else ""
        for t, f in zip(title, full, strict=True)
    ]
    view = pd.DataFrame(
        {
            "#": frame["position"],
            "registration code": frame["registration_code"],
            "outcome": frame["outcome"].astype("string"),
            "why": why,
            "retry helps": ["yes" if r else "" for r in retry],
            "ICCID": frame["iccid"],
            "status": frame["status"].astype("string"),
        }
    )
    order = view["outcome"].map(_ROW_ORDER).fillna(len(_ROW_ORDER)).astype(int)
    keys = pd.DataFrame({"order": order.to_numpy(), "position": frame["position"].to_numpy()})
    rows = keys.sort_values(["order", "position"], kind="stable").index.to_numpy()
    view = view.iloc[rows].reset_index(drop=True)
    if not any(retry):
        view = view.drop(columns="retry helps")
    hover = {"why": [str(v) if pd.notna(v) else "" for v in full.iloc[rows]]}
    return view, hover
