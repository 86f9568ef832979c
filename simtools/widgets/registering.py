"""Registering what the form read, chunk by chunk so the form can show progress (plain code).

The valid codes go to ``SimClient.register`` in chunks of ``client.chunk_size``; malformed and
repeated entries become ``invalid``/``duplicate`` outcomes without being sent. The result has
one outcome per entry, in entry order, like a single ``register`` call would return.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Literal

from simtools.checks import check_register_status, check_tags, check_uuid
from simtools.codes import ParsedCodes, parse_codes
from simtools.errors import InvalidInputError, SimToolsError
from simtools.results import CodeOutcome, RegistrationResult

if TYPE_CHECKING:
    from simtools.client import SimClient

__all__ = ["merge_retry", "register_entries", "retry_failed", "summary_line"]

ProgressCallback = Callable[[int, int], None]


def register_entries(
    client: SimClient,
    parsed: ParsedCodes,
    *,
    sim_card_group_id: str | None = None,
    tags: Sequence[str] | None = None,
    status: str | None = None,
    on_progress: ProgressCallback | None = None,
) -> tuple[RegistrationResult, SimToolsError | None]:
    """Register the valid codes of ``parsed``; return the result and the error that stopped it.

    Every option is checked and at least one valid code is required before anything is sent
    (``InvalidInputError`` otherwise). ``on_progress(done, total)`` is called after each chunk.
    When a chunk fails as a whole (wrong key, server down), the codes not yet sent are reported
    as ``skipped`` and the error is returned next to the partial result instead of raised.
    """
    group = None if sim_card_group_id is None else check_uuid(sim_card_group_id, "group")
    tag_list = check_tags(list(tags) if tags is not None else None)
    wanted = check_register_status(status)
    codes = list(parsed.codes)
    if not codes:
        problems = parsed.problems
        raise InvalidInputError(
            [p.value for p in problems],
            f"none of the {len(parsed.entries)} entries is a registration code that can be sent",
            "fix the entries listed above; a registration code is exactly 10 digits",
            problems=[str(p) for p in problems],
        )
    position = {e.value: e.position for e in parsed.entries if e.kind == "valid"}
    outcomes: dict[int, CodeOutcome] = {}
    for entry in parsed.entries:
        if entry.kind != "valid":
            kind: Literal["invalid", "duplicate"] = entry.kind
            outcomes[entry.position] = CodeOutcome(
                entry.value, entry.position, kind, reason=entry.reason, source="input"
            )
    result = RegistrationResult(
        submitted=tuple(e.value for e in parsed.entries),
        sim_card_group_id=group,
        tags=tuple(tag_list or ()),
        status=wanted,
    )
    stopped: SimToolsError | None = None
    size = max(1, int(client.chunk_size))
    done = 0
    if on_progress is not None:
        on_progress(0, len(codes))
    for start in range(0, len(codes), size):
        chunk = codes[start : start + size]
        if stopped is None:
            try:
                part = client.register(
                    chunk,
                    sim_card_group_id=group,
                    tags=tag_list,
                    status=wanted,
                    on_invalid="skip",
                    progress=False,
                )
            except SimToolsError as exc:
                stopped = exc
            else:
                result.responses.extend(part.responses)
                for outcome in part.outcomes:
                    pos = position[outcome.registration_code]
                    outcomes[pos] = dataclasses.replace(outcome, position=pos)
                done += len(chunk)
                if on_progress is not None:
                    on_progress(done, len(codes))
                continue
        reason = f"not sent: registration stopped on an earlier error ({stopped})"
        for code in chunk:
            outcomes[position[code]] = CodeOutcome(
                code, position[code], "skipped", reason=reason, source="input"
            )
    result.outcomes = [outcomes[p] for p in sorted(outcomes)]
    return result, stopped


def retry_failed(
    client: SimClient,
    result: RegistrationResult,
    *,
    on_progress: ProgressCallback | None = None,
) -> tuple[RegistrationResult, SimToolsError | None]:
    """Send the ``failed`` and ``skipped`` codes of ``result`` again with the same options.

    Returns ``result`` with those entries' outcomes replaced (see ``merge_retry``).
    """
    again = [o.registration_code for o in result.outcomes if o.outcome in ("failed", "skipped")]
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
        if newer is not None and outcome.outcome in ("failed", "skipped"):
            outcome = dataclasses.replace(newer, position=outcome.position)
        outcomes.append(outcome)
    return RegistrationResult(
        submitted=first.submitted,
        outcomes=outcomes,
        responses=[*first.responses, *retry.responses],
        sim_card_group_id=first.sim_card_group_id,
        tags=first.tags,
        status=first.status,
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
