"""``apply_changes``: carry out a change plan without overwriting anyone and without sending a
change twice, and say what became of every row.

The SIMs (and notifications) the plan touches are read first; a change whose live value is no
longer its ``from_value`` is a ``conflict`` and is not sent, one already at its ``to_value`` is a
``no-op``. The rest go out field by field in plan order (limits, tags and groups by PATCH, then
alerts, then statuses through the lifecycle actions and their settle-wait), with the client's
retries and pacing, each request at most once past the server: a request whose answer was lost
(or that met a 5xx) is reconciled by reading the SIM back, and sent again only if it was not
performed. With a ledger (:mod:`simtools.workflows.change_ledger`) every request is written down
before it is sent, so a run killed at any moment resumes where it stopped when run again.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Callable, Iterable
from concurrent.futures import ThreadPoolExecutor
from typing import TYPE_CHECKING, Any

import pandas as pd

from simtools.errors import SimToolsError
from simtools.frames.change_contracts import CHANGE_OUTCOMES, CHANGE_PLAN
from simtools.frames.change_values import Request
from simtools.frames.schema import require_columns
from simtools.workflows.change_ledger import ChangeLedger, LedgerChange
from simtools.workflows.change_live import (
    Alerts,
    live_text,
    live_value,
    position,
    read_alerts,
    read_sims,
    step_done,
    threshold_mb,
)
from simtools.workflows.change_rows import Change, changes_of
from simtools.workflows.change_send import error_fields, outcome_unknown, send
from simtools.workflows.change_status import apply_statuses
from simtools.workflows.progress import progress_bar

if TYPE_CHECKING:
    from simtools.client import SimClient
    from simtools.models import SimCard

__all__ = ["MAX_SENDS", "ProgressCallback", "apply_changes", "outcome_frame"]

#: Sends of one request at most while each attempt's outcome stays unknown.
MAX_SENDS = 5
#: ``on_progress(done, total)``: changes settled so far, of all the plan's rows.
ProgressCallback = Callable[[int, int], None]
_PATCHED = ("data_limit_mb", "tags", "sim_card_group")
_PLAN_HINT = "pass plan_changes(...) or its frame (as saved with write_frame and read back)"


def apply_changes(
    client: SimClient,
    plan: Any,
    *,
    ledger: str | os.PathLike[str] | None = None,
    wait: bool = True,
    timeout: float = 60.0,
    progress: bool | None = None,
    on_progress: ProgressCallback | None = None,
) -> pd.DataFrame:
    """Apply ``plan`` (a :class:`~simtools.analysis.changes.ChangePlan` or its frame, filtered or
    read back from a file) and return the outcome frame: the plan's rows with ``result``
    (``applied``, ``no-op``, ``conflict``, ``failed``, ``skipped``, ``unknown``), why
    (``result_detail``), the live value that conflicted, the API's error and the requests sent.
    Only ``change`` rows are sent. ``wait`` waits up to ``timeout`` seconds for status actions
    to settle. ``ledger`` (a file path) makes the run resumable: run the same plan again with the
    same ledger after a crash and nothing is sent twice. A damaged plan is refused before
    anything is sent."""
    frame = _plan_frame(plan)
    changes = changes_of(frame)
    book = ChangeLedger(ledger, base_url=client.base_url) if ledger is not None else None
    bar = progress_bar(len(changes), "applying changes", progress, unit="changes")
    try:
        run = _Run(client, changes, book, _Progress(len(changes), bar, on_progress))
        run.go(wait=wait, timeout=timeout)
    finally:
        bar.close()
        if book is not None:
            book.close()
    return outcome_frame(frame, changes)


def _plan_frame(plan: Any) -> pd.DataFrame:
    frame = require_columns(
        getattr(plan, "frame", plan), CHANGE_PLAN.names, caller="apply_changes", hint=_PLAN_HINT
    )
    return frame.reset_index(drop=True)


class _Progress:
    def __init__(self, total: int, bar: Any, callback: ProgressCallback | None) -> None:
        self._lock = threading.Lock()
        self.total, self.done, self._bar, self._callback = total, 0, bar, callback

    def step(self, n: int = 1) -> None:
        # The callback runs under the lock: calls come one at a time, ``done`` never goes back.
        with self._lock:
            self.done += n
            self._bar.update(n)
            if self._callback is not None:
                self._callback(self.done, self.total)


class _Run:
    """One apply_changes call: the changes, the ledger, the live values read."""

    def __init__(
        self,
        client: SimClient,
        changes: list[Change],
        book: ChangeLedger | None,
        progress: _Progress,
    ) -> None:
        self.client = client
        self.changes = changes
        self.book = book
        self.progress = progress
        self.entries: dict[str, LedgerChange] = book.entries() if book is not None else {}
        self.by_id = {c.change_id: c for c in changes}
        self.sims: dict[str, SimCard] = {}
        self.alerts: dict[str, Alerts] = {}

    def go(self, *, wait: bool, timeout: float) -> None:
        todo = [c for c in self.changes if not self._settled_up_front(c)]
        self.progress.step(len(self.changes) - len(todo))  # also says how many there are
        sims = {c.sim_id for c in todo}
        self.sims = read_sims(self.client, sims)
        self.alerts = read_alerts(self.client, {c.sim_id for c in todo if c.field == "alert_mb"})
        self._each([c for c in todo if c.field in _PATCHED], self._patch)
        self._each([c for c in todo if c.field == "alert_mb"], self._alert_row)
        statuses = [c for c in todo if c.field == "status" and self._ready(c)]
        self.progress.step(sum(1 for c in todo if c.field == "status") - len(statuses))
        apply_statuses(self, statuses, wait=wait, timeout=timeout)

    def _each(self, changes: list[Change], apply: Callable[[Change], None]) -> None:
        def one(change: Change) -> None:
            if self._ready(change):
                apply(change)
            self.progress.step()

        workers = max(1, min(self.client.concurrency, len(changes)))
        with ThreadPoolExecutor(max_workers=workers, thread_name_prefix="simtools-apply") as pool:
            list(pool.map(one, changes))

    # -- before sending ------------------------------------------------------------------------

    def _settled_up_front(self, change: Change) -> bool:
        entry = self.entries.get(change.change_id)
        if change.verdict == "no-op":
            change.settle("no-op", "nothing to send: the plan found it already so")
        elif change.verdict == "invalid":
            change.settle("skipped", f"invalid in the plan: {change.reason}")
        elif entry is not None and entry.state in ("applied", "no-op"):
            change.settle(entry.state, f"{entry.state} by an earlier run (ledger)")
            change.sent = entry.sends
        else:
            return False
        return True

    def _ready(self, change: Change) -> bool:
        """Whether the changes it needs happened, and its SIM is still there."""
        for needed in change.depends_on:
            other = self.by_id.get(needed)
            if other is not None and other.result not in ("applied", "no-op"):
                change.settle(
                    "skipped",
                    f"not sent: it needs the {other.field} change {needed}, which is "
                    f"{other.result or 'not done'}",
                )
                return False
        if change.sim_id not in self.sims:
            change.settle("conflict", "the SIM is no longer on the account")
            return False
        return True

    def in_flight(self, change: Change) -> bool:
        entry = self.entries.get(change.change_id)
        return entry is not None and entry.state == "sending"

    def already(self, change: Change, live: str | None) -> None:
        """The live value is the change's: applied by an earlier run, or by someone else."""
        if self.in_flight(change):
            self.finish(change, "applied", "applied: confirmed by reading it back")
        else:
            self.finish(change, "no-op", "already so when read back", live=live)

    def finish(self, change: Change, result: str, detail: str, **extra: Any) -> None:
        change.settle(result, detail, **extra)
        if self.book is not None and result in ("applied", "failed", "conflict", "no-op"):
            code, _title, error_detail = change.error or (None, None, None)
            self.book.finish(
                change.change_id,
                change.sim_id,
                change.field,
                result,  # type: ignore[arg-type]
                detail=detail,
                error_code=code,
                error_detail=error_detail,
                action_id=extra.get("action_id"),
            )

    # -- sending -------------------------------------------------------------------------------

    def send_step(self, change: Change, step: int, check: Callable[[], bool | None]) -> Any:
        """Send request ``step`` of ``change`` until its outcome is known: the answer, or
        ``None`` once the change is settled otherwise (``check`` reads back: True done, False
        not performed, None changed by someone else)."""
        request = change.requests[step]
        for _ in range(MAX_SENDS):
            if self.book is not None:
                self.book.sending(change.change_id, change.sim_id, change.field, step)
            change.sent += 1
            try:
                return send(self.client, request)
            except SimToolsError as exc:
                if not outcome_unknown(exc, request):
                    change.error = error_fields(exc)
                    self.finish(change, "failed", f"the API refused it: {change.error[2]}")
                    return None
                try:
                    done = check()
                except SimToolsError as read_error:
                    change.settle(
                        "unknown",
                        f"sent, its answer lost ({exc}), and it could not be read back "
                        f"({read_error}); run again with the same ledger to reconcile",
                    )
                    return None
            if done is None:
                self.finish(change, "conflict", "changed by someone else while it was sent")
                return None
            if done:
                change.reconciled += 1
                return _RECONCILED
        change.settle("unknown", f"sent {MAX_SENDS} times without a confirmed outcome")
        return None

    def _patch(self, change: Change) -> None:
        now = live_value(change.field, self.sims[change.sim_id])
        where = position(change.field, change.before, change.after, now)
        if where == "to":
            return self.already(change, live_text(change.field, now))
        if where == "other":
            text = live_text(change.field, now)
            return self.finish(change, "conflict", f"the live value is {text}", live=text)

        def check() -> bool | None:
            value = live_value(change.field, self.client.get_sim_card(change.sim_id))
            found = position(change.field, change.before, change.after, value)
            return True if found == "to" else False if found == "from" else None

        if self.send_step(change, 0, check) is not None:
            self.finish(change, "applied", "applied" + change.lost_answers())
        return None

    def _alert_row(self, change: Change) -> None:
        alerts = self.alerts.get(change.sim_id, {})
        where = position("alert_mb", change.before, change.after, tuple(alerts.values()))
        if where == "to":
            return self.already(change, live_text("alert_mb", alerts))
        # Between from and to is where a run that was stopped left a change of several requests.
        if where == "other" and not self.in_flight(change):
            text = live_text("alert_mb", alerts)
            return self.finish(change, "conflict", f"the live thresholds are {text}", live=text)

        def reread() -> Alerts:
            return read_alerts(self.client, [change.sim_id])[change.sim_id]

        for step, request in enumerate(change.requests):
            if step_done(request, alerts):
                continue

            def check(request: Request = request) -> bool | None:
                return step_done(request, reread())

            answer = self.send_step(change, step, check)
            if answer is None:
                return None
            alerts = reread() if answer is _RECONCILED else _after(request, answer, alerts)
            if self.book is not None:
                self.book.step_done(change.change_id, step + 1)
        n = len(change.requests)
        detail = f"applied ({n} request{'' if n == 1 else 's'})" + change.lost_answers()
        self.finish(change, "applied", detail)
        return None


_RECONCILED = object()


def _after(request: Request, answer: Any, alerts: Alerts) -> Alerts:
    """A SIM's notifications once ``request`` was answered with ``answer``."""
    out = dict(alerts)
    nid = request["path"].rsplit("/", 1)[-1]
    if request["method"] == "DELETE":
        out.pop(nid, None)
        return out
    size = threshold_mb(request["body"])
    key = getattr(answer, "id", None) or nid
    if size is not None:
        out[str(key)] = size
    return out


def outcome_frame(frame: pd.DataFrame, changes: Iterable[Change]) -> pd.DataFrame:
    """The plan's rows, in order, with what became of each (``CHANGE_OUTCOMES``)."""
    rows = list(changes)
    code = [c.error[0] if c.error else None for c in rows]
    title = [c.error[1] if c.error else None for c in rows]
    detail = [c.error[2] if c.error else None for c in rows]
    out = frame[list(CHANGE_PLAN.names)].copy()
    out["result"] = [c.result or "unknown" for c in rows]
    out["result_detail"] = [c.detail for c in rows]
    out["live_value"] = [c.live for c in rows]
    out["error_code"], out["error_title"], out["error_detail"] = code, title, detail
    out["requests_sent"] = [c.sent for c in rows]
    return out.astype(dict(CHANGE_OUTCOMES.dtypes))
