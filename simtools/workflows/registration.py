"""Registering codes without losing or doubling one, and without reporting what did not happen.

Every entry ends in one of :data:`~simtools.results.OUTCOMES`. The register endpoint is not
idempotent and offers no idempotency key, so a request whose answer is lost or cannot be read (a
dropped connection, a 5xx, a 2xx with a garbled body) is never sent again blindly: its codes are
reconciled first (:mod:`simtools.workflows.reconcile`), and so is an "already used" answer for a
code this run or its ledger sent before. A code whose outcome no check could tell yet is
``unknown`` -- never ``failed`` -- until a run with the same ledger reconciles it.

Every chunk's outcome is recorded before the next chunk is sent. An error that affects every
code (a wrong key, a 403, a persistent 429, an API that cannot be reached even to check) stops
the batch: the codes not sent are ``skipped``, and every entry still gets its row (in the result
the error is raised with, as ``partial``, or in ``result.error`` when some chunks were answered).

Which SIM a code became: the register response lists SIM cards but not their codes. When a
chunk's ``data`` holds exactly as many SIMs as codes it registered, they are paired in submission
order (``PAIR_SIMS_IN_ORDER``; the sandbox keeps that order, Telnyx documents none).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import TYPE_CHECKING, Any, Literal

from simtools.client.retrying import backoff, sleep
from simtools.errors import (
    ApiError,
    InvalidInputError,
    RateLimitError,
    ResponseError,
    ServerError,
    SimToolsError,
    TransportError,
)
from simtools.inputs.arguments import check_register_status, check_tags, check_uuid
from simtools.inputs.codes import ParsedCodes, parse_codes
from simtools.models import ALREADY_USED_PHRASES, ApiErrorObject, RegisterResponse, SimCard
from simtools.results import CodeOutcome, Outcome, RegistrationResult
from simtools.workflows.ledger import RegistrationLedger
from simtools.workflows.progress import progress_bar
from simtools.workflows.reconcile import Reconciler

if TYPE_CHECKING:
    import os

    from simtools.client import SimClient

__all__ = ["MAX_ROUNDS", "PAIR_SIMS_IN_ORDER", "ProgressCallback", "register"]

#: ``on_progress(done, total)``: valid codes settled so far, of all valid codes.
ProgressCallback = Callable[[int, int], None]
#: Pair the SIMs of a chunk's ``data`` with its registered codes in submission order.
PAIR_SIMS_IN_ORDER = True
#: Attempts per chunk while its codes stay unregistered (each after a reconciliation).
MAX_ROUNDS = 6
Source = Literal["response", "reconciled", "ledger", "input"]
#: Errors after which a chunk's request may or may not have been performed (a transport error
#: only when the request was sent).
_UNCERTAIN = (TransportError, ServerError, ResponseError)


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
    earlier_sends: Mapping[str, str] | None = None,
) -> RegistrationResult:
    """Register SIM cards by registration code.

    Every argument is checked before anything is sent. ``on_invalid="raise"`` refuses input with
    malformed or repeated entries; ``"skip"`` registers the valid codes and reports the rest as
    ``invalid``/``duplicate``. Codes go out in chunks of ``chunk_size`` (default
    ``client.chunk_size``). A 202 with errors is a partial success, reported per code. With
    ``ledger=path`` the run can be resumed after a crash (see :mod:`simtools.workflows.ledger`;
    a ledger written against another API or key is refused). ``dry_run`` checks everything and
    reports the valid codes as ``skipped``. ``on_progress(done, total)`` is called with the valid
    codes settled so far, before the first chunk and after each one. ``earlier_sends`` (code ->
    when an earlier run first sent it, as in ``result.sent_at``) names codes whose outcome that
    run left ``unknown``: they are reconciled before anything is sent, as a ledger's would be.

    An error that affects every code stops the batch (module docstring): when no chunk got an
    answer it is raised, with the result (a row for every entry) in its ``partial``; otherwise
    the result is returned with the error in ``result.error``.
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
    book = None
    if ledger is not None:
        book = RegistrationLedger(
            ledger, api_base_url=client.base_url, fingerprint=client.account_fingerprint
        )
    run = _Run(client, parsed, group, tag_list, wanted_status, book)
    try:
        todo = run.resume(list(parsed.codes)) if book else list(parsed.codes)
        todo = run.check_earlier(todo, earlier_sends or {})
        if dry_run:
            for code in todo:
                run.settle(code, "skipped", reason="dry run: checked, not sent", source="input")
        else:
            run.send_all(todo, size, progress, result, on_progress)
    except SimToolsError as exc:
        run.skip_unsettled(f"not sent: the batch stopped on {exc}")
        run.finish(result)
        result.error = exc
        exc.partial = result
        raise
    finally:
        if book is not None:
            book.close()
    run.finish(result)
    return result


class _Run:
    """State of one register call: outcomes by input position, the ledger, the checks."""

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
        self.checks = Reconciler(client, group=group, tags=tags, book=book)
        #: Codes sent whose check failed: checked again with the next ones.
        self.unchecked: dict[str, None] = {}
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

    def finish(self, result: RegistrationResult) -> None:
        result.outcomes = self.ordered()
        result.sent_at = {c: at for c, at in self.checks.sent_at.items() if c in self.position}

    def check_earlier(self, todo: list[str], earlier: Mapping[str, str]) -> list[str]:
        """Reconcile the codes an earlier run sent without learning their outcome; return
        ``todo`` without the ones that tells."""
        open_codes = [c for c in todo if c in earlier]
        if not open_codes:
            return todo
        for code in open_codes:
            self.checks.tried.add(code)
            self.checks.sent_at[code] = earlier[code]
        still = set(self.reconcile(open_codes, stop_if_unreachable=False))
        return [c for c in todo if c not in earlier or c in still]

    def skip_unsettled(self, reason: str) -> None:
        """Report every valid code without an outcome yet as ``skipped`` (not sent)."""
        for code, position in self.position.items():
            if position not in self.outcomes:
                self.settle(code, "skipped", reason=reason, source="input")

    def settle(
        self,
        code: str,
        outcome: Outcome,
        *,
        error: ApiErrorObject | None = None,
        reason: str | None = None,
        sim: SimCard | None = None,
        source: Source = "response",
    ) -> None:
        pos = self.position[code]
        self.outcomes[pos] = CodeOutcome(code, pos, outcome, error, reason, sim, source)
        if sim is not None and sim.id:
            self.checks.paired.add(sim.id)
        if self.book is None or source in ("ledger", "input"):
            return
        if outcome in ("registered", "failed", "unknown"):
            self.book.record(
                code,
                outcome,
                sim_card_id=sim.id if sim else None,
                iccid=sim.iccid if sim else None,
                error_code=error.code if error else None,
                error_detail=(error.detail if error else None) or reason,
            )

    # -- resuming ----------------------------------------------------------------------------

    def resume(self, codes: list[str]) -> list[str]:
        """Settle what the ledger already knows and reconcile what it left open; return the
        codes still to send."""
        assert self.book is not None
        known = self.book.entries(codes)
        everything = self.book.entries()
        self.checks.paired.update(e.sim_card_id for e in everything.values() if e.sim_card_id)
        open_codes = []
        for code in codes:
            entry = known.get(code)
            if entry is None:
                continue
            if entry.state == "registered":
                sim = (
                    SimCard(id=entry.sim_card_id, iccid=entry.iccid) if entry.sim_card_id else None
                )
                reason = "registered by an earlier run (ledger)"
                self.settle(code, "registered", sim=sim, source="ledger", reason=reason)
            elif entry.state in ("in_flight", "unknown"):
                open_codes.append(code)
                self.checks.tried.add(code)
                if entry.first_sent_at:
                    self.checks.sent_at[code] = entry.first_sent_at
        still = set(self.reconcile(open_codes, stop_if_unreachable=False)) if open_codes else set()
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
        bar = progress_bar(len(todo), "registering", progress, unit="codes")
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
            self.check_open()
        finally:
            bar.close()

    def check_open(self) -> None:
        """Before reporting, check again (a few rounds, paused by the retry policy) the codes
        whose outcome is still unknown: a check that failed under faults may pass now."""
        for attempt in range(MAX_ROUNDS):
            if not self.unchecked and not self.checks.pool:
                return
            sleep(self.pause(attempt))
            if self.unchecked:
                codes = list(self.unchecked)
                for code in self.reconcile(codes, stop_if_unreachable=False):
                    why = "not registered: still unregistered when checked after its attempts"
                    self.settle(code, "failed", reason=why + ", so it is safe to send again")
            else:
                self.attribute_pool()

    def send_chunk(self, chunk: list[str], result: RegistrationResult) -> None:
        pending = list(chunk)
        last: SimToolsError | None = None
        for attempt in range(MAX_ROUNDS):
            if not pending:
                return
            sent_at = self.checks.sending(pending)
            if self.book is not None:
                self.book.mark_in_flight(pending, sent_at=sent_at)
            try:
                response = self.client.register_chunk(
                    pending, sim_card_group_id=self.group, tags=self.tags, status=self.status
                )
            except RateLimitError:  # not performed, and the client waited out its deadline
                self._not_performed(pending)
                raise
            except _UNCERTAIN as exc:  # performed or not: find out before sending again
                if isinstance(exc, TransportError) and not exc.request_sent:
                    self._not_performed(pending)  # the API cannot be reached: nothing was sent
                    raise
                last = exc
                self.checks.tried.update(pending)
                pending = self.reconcile(pending, stop_if_unreachable=True, cause=exc)
                if pending:
                    sleep(self.pause(attempt))
                continue
            self.answered = True
            result.responses.append(response)
            self.apply(response, pending)
            return
        reason = (
            f"not registered: {MAX_ROUNDS} attempts ended without an answer (last: {last}); the "
            "code was still unregistered when last checked, so it is safe to send again"
        )
        for code in pending:
            self.settle(code, "failed", reason=reason)

    def pause(self, attempt: int) -> float:
        """Seconds to wait before sending a chunk again: the client's own retry policy's."""
        policy = self.client.retry
        return backoff(attempt, first=policy.initial_wait, cap=policy.max_wait)

    def _not_performed(self, codes: list[str]) -> None:
        if self.book is not None:
            self.book.forget(c for c in codes if c not in self.checks.tried)

    # -- answers -----------------------------------------------------------------------------

    def apply(self, response: RegisterResponse, sent: Sequence[str]) -> None:
        """Turn one answered response into outcomes for the codes it was sent."""
        failed, unattributed = _errors_by_code(response.errors, sent)
        used_before = [c for c, e in failed.items() if c in self.checks.tried and _used(e)]
        for code, err in failed.items():
            if code not in used_before:
                self.settle(code, "failed", error=err)
        if self.book is not None:
            self.book.saw_sims(s.id for s in response.data if s.id)
        ok = [c for c in sent if c not in failed]
        sims = list(response.data)
        if not unattributed and not used_before and len(sims) == len(ok):
            paired: list[SimCard | None] = list(sims) if PAIR_SIMS_IN_ORDER else [None] * len(ok)
            for code, sim in zip(ok, paired, strict=True):
                self.settle(code, "registered", sim=sim)
            return
        # The answer does not account for every code (or says "already used" of a code sent
        # before): what it returned is this account's; the rest is checked, not taken as said.
        first = unattributed[0] if unattributed else None
        still = set(self.reconcile([*ok, *used_before], stop_if_unreachable=True, error=first))
        for code in [*ok, *used_before]:
            if code in still:
                why = None if first else "not in the response's data and still unregistered"
                self.settle(code, "failed", error=first, reason=why)

    def reconcile(
        self,
        codes: list[str],
        *,
        stop_if_unreachable: bool,
        error: ApiErrorObject | None = None,
        cause: SimToolsError | None = None,
    ) -> list[str]:
        """Check ``codes`` (validate, then the fleet for the used ones); settle what can be told
        and return the codes still unregistered (safe to send again). When the check cannot be
        made the codes are ``unknown``, and with ``stop_if_unreachable`` the batch stops. Codes an
        earlier check could not tell are checked again with these, so that the fleet's count of
        new SIMs is compared with every code that may have made one."""
        if not codes:
            return []
        asked = [*codes, *(c for c in self.unchecked if c not in codes)]
        checked = self.checks.validate(asked)
        if checked.error is not None:
            exc = checked.error
            why = f"outcome unknown: the request {'failed: ' + str(cause) if cause else 'was sent'}"
            why += f"; the check that would tell failed too ({exc}); rerun with the same ledger"
            for code in checked.unanswered:
                self.settle(code, "unknown", reason=why)
                self.unchecked[code] = None
            if stop_if_unreachable and _unreachable(exc) and len(checked.unanswered) == len(asked):
                raise exc
        for code in asked:
            if code not in checked.unanswered:
                self.unchecked.pop(code, None)
        for code, detail in checked.rejected.items():
            self.settle(code, "failed", error=error, reason=detail)
        self.checks.add_used(checked.used)
        self.attribute_pool()
        return checked.valid

    def attribute_pool(self) -> None:
        """Settle the used codes the fleet can tell apart; the rest are ``unknown`` for now."""
        try:
            told = self.checks.attribute()
        except SimToolsError as exc:
            for code in list(self.checks.pool):
                why = f"used, and the fleet could not be read to tell by whom ({exc})"
                self.settle(code, "unknown", reason=why)
            return
        for code, sim in told.registered.items():
            reason = "confirmed registered: the code is used and its SIM joined this account"
            self.settle(code, "registered", sim=sim, source="reconciled", reason=reason)
        for code in told.elsewhere:
            why = "already used, and no SIM card joined this account since it was sent"
            self.settle(code, "failed", reason=why, source="reconciled")
        for code in told.undecided:
            self.settle(code, "unknown", reason=f"outcome unknown: {told.reason}")


def _errors_by_code(
    errors: Sequence[ApiErrorObject], sent: Sequence[str]
) -> tuple[dict[str, ApiErrorObject], list[ApiErrorObject]]:
    """The errors that name a code (by ``source.pointer``, else by the code in ``detail``), and
    the ones that name none."""
    failed: dict[str, ApiErrorObject] = {}
    unattributed: list[ApiErrorObject] = []
    for err in errors:
        index = err.registration_index
        if index is not None and 0 <= index < len(sent):
            failed.setdefault(sent[index], err)
            continue
        named = [c for c in sent if err.detail and c in err.detail]
        if named:
            failed.setdefault(named[0], err)
        else:
            unattributed.append(err)
    return failed, unattributed


def _used(error: ApiErrorObject) -> bool:
    text = (error.detail or "").lower()
    return any(phrase in text for phrase in ALREADY_USED_PHRASES)


def _unreachable(exc: SimToolsError) -> bool:
    """Whether an error says the API cannot be reached or used at all, so that no later chunk
    could be sent or checked either (a lost answer says the server is acting: not this)."""
    if isinstance(exc, TransportError):
        return not exc.request_sent
    return isinstance(exc, ApiError) and exc.status_code in (401, 403)
