"""What the register form does with the codes it read: the registration workflow, with progress.

:func:`register_entries` hands the form's entries to :func:`simtools.workflows.registration
.register` (chunks, reconciliation, outcomes) with a progress callback, and returns the error that
stopped a batch beside the result instead of raising it, so the form can show both (plain code).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Literal

from simtools.errors import InvalidInputError, SimToolsError
from simtools.inputs.codes import ParsedCodes, parse_codes
from simtools.results import RegistrationResult
from simtools.workflows.registration import ProgressCallback, register

if TYPE_CHECKING:
    from simtools.client import SimClient

__all__ = ["merge_retry", "register_entries", "retry_failed", "summary_line"]

#: What a retry takes up again: refused or not sent, and unknown (checked first).
_AGAIN = ("failed", "skipped", "unknown")


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
    """Send the ``failed`` and ``skipped`` codes of ``result`` again with the same options, after
    checking the ``unknown`` ones (reconciled before anything is sent, never sent blindly).

    Returns ``result`` with those entries' outcomes replaced (see ``merge_retry``).
    """
    again = [o.registration_code for o in result.outcomes if o.outcome in _AGAIN]
    if not again:
        raise InvalidInputError(
            None, "there are no failed codes to retry", "register some codes first"
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
    if counts["failed"] or counts["skipped"]:
        text += " Use “Retry failed” to send the failed codes again."
    if counts["registered"] == 0:
        return text, "error"
    if counts["registered"] == total:
        return text, "success"
    return text, "warning"
