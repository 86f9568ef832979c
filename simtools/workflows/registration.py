"""Registering codes without losing or doubling one: chunks, reconciliation, and the ledger.

The register endpoint is not idempotent and Telnyx offers no idempotency key, so a register
request whose outcome is unknown (timeout, dropped connection, 5xx) is never blindly re-sent.
Instead the affected codes are reconciled through the validate endpoint: a code that is now
"already used" was registered by that request; a code that is still valid is sent again.
(Assumption: a code found "already used" right after our own unanswered request was used by that
request. A code that was already used before the batch is refused by the API in ``errors`` on the
first answered attempt, so it cannot reach reconciliation unless every attempt went unanswered.)

Which SIM a code became: the register response lists SIM cards but not their codes. When a
chunk's ``data`` holds exactly as many SIMs as codes it registered, they are paired in submission
order (``PAIR_SIMS_IN_ORDER``; the sandbox keeps that order, Telnyx documents none); otherwise the
SIM columns of ``registration_frame`` stay empty for that chunk.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from typing import TYPE_CHECKING, Any, Literal

from simtools.client.retrying import backoff, sleep
from simtools.errors import (
    ApiError,
    InvalidInputError,
    RateLimitError,
    ServerError,
    SimToolsError,
    TransportError,
)
from simtools.inputs.arguments import check_register_status, check_tags, check_uuid
from simtools.inputs.codes import ParsedCodes, parse_codes
from simtools.models import ApiErrorObject, RegisterResponse, SimCard
from simtools.results import CodeOutcome, RegistrationResult
from simtools.workflows.ledger import RegistrationLedger
from simtools.workflows.progress import progress_bar

if TYPE_CHECKING:
    import os

    from simtools.client import SimClient

__all__ = ["MAX_ROUNDS", "PAIR_SIMS_IN_ORDER", "ProgressCallback", "register"]

#: ``on_progress(done, total)``: valid codes settled so far, of all valid codes.
ProgressCallback = Callable[[int, int], None]

#: Pair the SIMs of a chunk's ``data`` with its registered codes in submission order.
PAIR_SIMS_IN_ORDER = True
#: Attempts per chunk while its outcome stays unknown (each after a reconciliation).
MAX_ROUNDS = 6


def register(
    client: SimClient,
    codes: Any,
    *,
    sim_card_group_id: str | None = None,
    tags: Iterable[str] | None = None,
    status: str | None = None,
    on_invalid: Literal["raise", "skip"] = "raise",
    ledger: str | os.PathLike[str] | None = None,
    chunk_size: int | None = None,
    progress: bool | None = None,
    dry_run: bool = False,
    on_progress: ProgressCallback | None = None,
) -> RegistrationResult:
    """Register SIM cards by registration code.

    Every argument is checked before anything is sent. ``on_invalid="raise"`` refuses input with
    malformed or repeated entries; ``"skip"`` registers the valid codes and reports the rest as
    ``invalid``/``duplicate``. Codes go out in chunks of ``chunk_size`` (default
    ``client.chunk_size``). A 202 with errors is a partial success, reported per code. With
    ``ledger=path`` the run can be resumed after a crash (see ``simtools.workflows.ledger``).
    ``dry_run`` checks everything and reports the valid codes as ``skipped``.
    ``on_progress(done, total)`` is called with the valid codes settled so far, before the first
    chunk and after each one (a form's progress bar).

    An error that affects every code (a wrong key, a 403) stops the batch: the codes not sent are
    ``skipped`` and the result's ``error`` names it. When no code got an answer at all, that error
    is raised instead, with the result (a row for every entry) in its ``partial``.
    """
    if on_invalid not in ("raise", "skip"):
        raise InvalidInputError(
            on_invalid, f"on_invalid={on_invalid!r} is not an option", "use 'raise' or 'skip'"
        )
    size = client.chunk_size if chunk_size is None else chunk_size
    if not isinstance(size, int) or isinstance(size, bool) or size < 1:
        raise InvalidInputError(size, "chunk_size must be a positive integer", "e.g. 50")
    parsed = parse_codes(codes, errors="raise" if on_invalid == "raise" else "collect")
    group = (
        None if sim_card_group_id is None else check_uuid(sim_card_group_id, "sim_card_group_id")
    )
    tag_list = check_tags(tags)
    wanted_status = check_register_status(status)

    result = RegistrationResult(
        submitted=tuple(e.value for e in parsed.entries),
        sim_card_group_id=group,
        tags=tuple(tag_list or ()),
        status=wanted_status,
    )
    book = RegistrationLedger(ledger, api_host=client.base_url) if ledger is not None else None
    run = _Run(client, parsed, group, tag_list, wanted_status, book)
    try:
        todo = run.resume_from_ledger(list(parsed.codes)) if book else list(parsed.codes)
        if dry_run:
            for code in todo:
                run.settle(code, "skipped", reason="dry run: checked, not sent", source="input")
        else:
            run.send_all(todo, size, progress, result, on_progress)
    except SimToolsError as exc:
        run.skip_unsettled(f"not sent: the batch stopped on {exc}")
        result.outcomes = run.ordered()
        result.error = exc
        exc.partial = result
        raise
    finally:
        if book is not None:
            book.close()
    result.outcomes = run.ordered()
    return result


class _Run:
    """State of one register call: outcomes by input position, the ledger, the request options."""

    def __init__(
        self,
        client: SimClient,
        parsed: ParsedCodes,
        group: str | None,
        tags: list[str] | None,
        status: str | None,
        book: RegistrationLedger | None,
    ) -> None:
        self.client = client
        self.group = group
        self.tags = tags
        self.status = status
        self.book = book
        self.answered = False
        #: Outcomes by entry position; malformed and repeated entries are settled up front.
        self.outcomes: dict[int, CodeOutcome] = {
            e.position: CodeOutcome(e.value, e.position, e.kind, reason=e.reason, source="input")
            for e in parsed.entries
            if e.kind != "valid"
        }
        #: Where each valid code stood in the input.
        self.position = {e.value: e.position for e in parsed.entries if e.kind == "valid"}

    def ordered(self) -> list[CodeOutcome]:
        """The outcomes in entry order."""
        return [self.outcomes[p] for p in sorted(self.outcomes)]

    def skip_unsettled(self, reason: str) -> None:
        """Report every valid code without an outcome yet as ``skipped`` (not sent)."""
        for code, position in self.position.items():
            if position not in self.outcomes:
                self.settle(code, "skipped", reason=reason, source="input")

    def settle(
        self,
        code: str,
        outcome: Literal["registered", "failed", "skipped"],
        *,
        error: ApiErrorObject | None = None,
        reason: str | None = None,
        sim: SimCard | None = None,
        source: Literal["response", "reconciled", "ledger", "input"] = "response",
    ) -> None:
        pos = self.position[code]
        self.outcomes[pos] = CodeOutcome(code, pos, outcome, error, reason, sim, source)
        if self.book is not None and outcome != "skipped" and source != "ledger":
            self.book.record(
                code,
                outcome,
                sim_card_id=sim.id if sim else None,
                iccid=sim.iccid if sim else None,
                error_code=error.code if error else None,
                error_detail=(error.detail if error else None) or reason,
            )

    # -- resuming ----------------------------------------------------------------------------

    def resume_from_ledger(self, codes: list[str]) -> list[str]:
        """Settle what the ledger already knows; return the codes still to send."""
        assert self.book is not None
        known = self.book.entries(codes)
        in_flight = [c for c in codes if c in known and known[c].state == "in_flight"]
        for code in codes:
            entry = known.get(code)
            if entry is not None and entry.state == "registered":
                sim = (
                    SimCard(id=entry.sim_card_id, iccid=entry.iccid) if entry.sim_card_id else None
                )
                self.settle(
                    code,
                    "registered",
                    sim=sim,
                    source="ledger",
                    reason="registered by an earlier run (ledger)",
                )
        still = set(self.reconcile(in_flight)) if in_flight else set()
        return [c for c in codes if c not in known or known[c].state == "failed" or c in still]

    # -- sending -----------------------------------------------------------------------------

    def send_all(
        self,
        todo: list[str],
        size: int,
        progress: bool | None,
        result: RegistrationResult,
        on_progress: ProgressCallback | None,
    ) -> None:
        bar = progress_bar(len(todo), "registering", progress, unit="code")
        total = len(self.position)
        if on_progress is not None:
            on_progress(total - len(todo), total)
        try:
            for start in range(0, len(todo), size):
                chunk = todo[start : start + size]
                try:
                    self.send_chunk(chunk, result)
                except ApiError as exc:
                    if not self.answered and not result.responses:
                        raise
                    self.skip_unsettled(f"not sent: the batch stopped on {exc}")
                    result.error = exc
                    return
                bar.update(len(chunk))
                if on_progress is not None:
                    on_progress(total - len(todo) + start + len(chunk), total)
        finally:
            bar.close()

    def send_chunk(self, chunk: list[str], result: RegistrationResult) -> None:
        pending = list(chunk)
        last: SimToolsError | None = None
        for attempt in range(MAX_ROUNDS):
            if not pending:
                return
            if self.book is not None:
                self.book.mark_in_flight(pending)
            try:
                response = self.client.register_chunk(
                    pending, sim_card_group_id=self.group, tags=self.tags, status=self.status
                )
            except RateLimitError as exc:  # not performed: wait as told, send again
                last = exc
                sleep(backoff(attempt, exc.retry_after))
                continue
            except (TransportError, ServerError) as exc:  # performed or not: find out first
                last = exc
                pending = self.reconcile(pending)
                if pending:
                    sleep(backoff(attempt))
                continue
            self.answered = True
            result.responses.append(response)
            self.apply(response, pending)
            return
        reason = (
            f"outcome unknown after {MAX_ROUNDS} attempts (last: {last}); the code was still "
            "unregistered when last checked, so it is safe to register again"
        )
        for code in pending:
            self.settle(code, "failed", reason=reason)

    def apply(self, response: RegisterResponse, sent: Sequence[str]) -> None:
        """Turn one answered response into outcomes for the codes it was sent."""
        failed: dict[str, ApiErrorObject] = {}
        unattributed: list[ApiErrorObject] = []
        for err in response.errors:
            index = err.registration_index
            if index is not None and 0 <= index < len(sent):
                failed.setdefault(sent[index], err)
                continue
            named = [c for c in sent if err.detail and c in err.detail]
            if named:
                failed.setdefault(named[0], err)
            else:
                unattributed.append(err)
        for code, err in failed.items():
            self.settle(code, "failed", error=err)
        ok = [c for c in sent if c not in failed]
        sims = list(response.data)
        if len(sims) == len(ok):
            paired: list[SimCard | None] = list(sims) if PAIR_SIMS_IN_ORDER else [None] * len(ok)
            for code, sim in zip(ok, paired, strict=True):
                self.settle(code, "registered", sim=sim)
            return
        # The response does not account for every code: ask the API what became of them.
        still = set(self.reconcile(ok, error=unattributed[0] if unattributed else None))
        for code in ok:
            if code in still:
                first = unattributed[0] if unattributed else None
                self.settle(
                    code,
                    "failed",
                    error=first,
                    reason=None if first else "not in the response's data and still unregistered",
                )

    def reconcile(self, codes: list[str], error: ApiErrorObject | None = None) -> list[str]:
        """Check ``codes`` with the validate endpoint; settle the used ones, return the rest.

        Codes now "already used" are settled as registered; codes invalid for another reason
        as failed; still-valid codes are returned for sending.
        """
        if not codes:
            return []
        try:
            checks = self.client.validate_codes(codes)
        except SimToolsError as exc:
            reason = (
                f"outcome unknown: the check after an unanswered request failed ({exc}); "
                "rerun with the same ledger or check the code with validate_codes"
            )
            for code in codes:
                self.settle(code, "failed", reason=reason)
            return []
        by_code = {c.registration_code: c for c in checks}
        still: list[str] = []
        for code in codes:
            check = by_code.get(code)
            if check is None:
                still.append(code)
            elif check.valid:
                still.append(code)
            elif check.already_used:
                self.settle(
                    code,
                    "registered",
                    source="reconciled",
                    reason="confirmed registered by the validate endpoint",
                )
            else:
                self.settle(
                    code,
                    "failed",
                    error=error,
                    reason=check.invalid_detail or "the validate endpoint rejected the code",
                )
        return still
