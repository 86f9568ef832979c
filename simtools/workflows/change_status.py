"""The status rows of a change plan: each SIM's lifecycle action (enable, disable, set_standby),
started at most once past the server, then the lifecycle settle-wait
(:func:`simtools.workflows.lifecycle.settle_actions`) until the actions complete."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from typing import TYPE_CHECKING, Any, Protocol

from simtools.analysis.change_fields import ACTION_FOR
from simtools.errors import SimToolsError
from simtools.models import SimCardAction
from simtools.workflows.change_live import TRANSITIONAL_TO, live_text, live_value, position
from simtools.workflows.change_rows import Change
from simtools.workflows.lifecycle import settle_actions

if TYPE_CHECKING:
    from collections.abc import Callable

    from simtools.client import SimClient
    from simtools.models import SimCard
    from simtools.workflows.change_ledger import LedgerChange

__all__ = ["apply_statuses"]


class Run(Protocol):
    """What the status rows need of the apply run (:class:`simtools.workflows.changes._Run`)."""

    client: SimClient
    sims: dict[str, SimCard]
    entries: dict[str, LedgerChange]
    progress: Any

    def in_flight(self, change: Change) -> bool: ...
    def already(self, change: Change, live: str | None) -> None: ...
    def finish(self, change: Change, result: str, detail: str, **extra: Any) -> None: ...
    def send_step(self, change: Change, step: int, check: Callable[[], bool | None]) -> Any: ...


def apply_statuses(run: Run, changes: list[Change], *, wait: bool, timeout: float) -> None:
    """Start each change's action, then (with ``wait``) wait up to ``timeout`` seconds for them
    to settle; a failed or interrupted action makes its change ``failed``."""

    def start(change: Change) -> tuple[Change, SimCardAction] | None:
        try:
            return _start(run, change)
        finally:
            run.progress.step()  # a change counts as done once its action is accepted

    workers = max(1, min(run.client.concurrency, len(changes)))
    with ThreadPoolExecutor(max_workers=workers, thread_name_prefix="simtools-status") as pool:
        started = [s for s in pool.map(start, changes) if s is not None]
    if not started or not wait:
        return
    settled = settle_actions(run.client, [action for _, action in started], timeout=timeout)
    for (change, _), final in zip(started, settled, strict=True):
        _settled(run, change, final, timeout)


def _start(run: Run, change: Change) -> tuple[Change, SimCardAction] | None:
    """The change's action once accepted (found again when its answer was lost), or None when
    the change is settled without one to wait for."""
    now = live_value("status", run.sims[change.sim_id])
    where = position("status", change.before, change.after, now)
    if where == "to":
        run.already(change, now)
        on_its_way = now == TRANSITIONAL_TO.get(str(change.after))
        action = _find_action(run, change) if on_its_way and change.result == "applied" else None
        return (change, action) if action is not None else None
    if where == "other":
        run.finish(change, "conflict", f"the live status is {now}", live=live_text("status", now))
        return None

    def check() -> bool | None:
        value = live_value("status", run.client.get_sim_card(change.sim_id))
        found = position("status", change.before, change.after, value)
        return True if found == "to" else False if found == "from" else None

    answer = run.send_step(change, 0, check)
    if answer is None:
        return None
    action = answer if isinstance(answer, SimCardAction) else _find_action(run, change)
    action_id = action.id if action is not None else None
    detail = "accepted: the action is under way" + change.lost_answers()
    run.finish(change, "applied", detail, action_id=action_id)
    return (change, action) if action is not None else None


def _find_action(run: Run, change: Change) -> SimCardAction | None:
    """The SIM's newest action of the change's kind (the one whose answer was lost)."""
    wanted = ACTION_FOR.get(str(change.after))
    entry = run.entries.get(change.change_id)
    try:
        if entry is not None and entry.action_id:
            return run.client.get_sim_card_action(entry.action_id)
        actions = run.client.list_sim_card_actions(sim_card_id=change.sim_id)
    except SimToolsError:
        return None
    mine = [a for a in actions if a.action_type == wanted]
    return max(mine, key=lambda a: a.created_at or "", default=None)


def _settled(
    run: Run, change: Change, final: SimCardAction | SimToolsError, timeout: float
) -> None:
    if isinstance(final, SimToolsError):
        change.detail = f"accepted; the action could not be followed ({final})"
        return
    value = final.status.value if final.status else None
    reason = final.status.reason if final.status else None
    if value == "completed":
        change.detail = f"applied: the {final.action_type} action completed" + change.lost_answers()
    elif value in ("failed", "interrupted"):
        change.error = (None, f"action {value}", reason or f"the action {value}")
        run.finish(
            change, "failed", f"the {final.action_type} action {value}: {reason or ''}".strip()
        )
    else:
        change.detail = f"accepted; the action was still in progress after {timeout:g} s"
