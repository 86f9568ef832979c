"""Enable, disable and set standby for many SIM cards, and wait (bounded) until they settle."""

from __future__ import annotations

from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from typing import TYPE_CHECKING, Any

import pandas as pd

from simtools.client.retrying import Deadline, poll
from simtools.errors import InvalidInputError, SimToolsError
from simtools.frames.contracts import ACTIONS
from simtools.inputs.arguments import check_uuids
from simtools.models import SimCard, SimCardAction

if TYPE_CHECKING:
    from simtools.client import ActionName, SimClient

__all__ = ["ACTION_COLUMNS", "disable", "enable", "run_action", "set_standby", "settle_actions"]

#: Columns of the outcome frame, one row per SIM (the ``ACTIONS`` contract).
ACTION_COLUMNS = ACTIONS.names
_NEEDS_GROUP = ("enable", "set_standby")


def _sim_ids(values: Any) -> list[str]:
    if isinstance(values, pd.DataFrame):
        if "id" not in values.columns:
            raise InvalidInputError(
                list(values.columns), "the frame has no 'id' column", "pass a sim_cards_frame"
            )
        values = values["id"].dropna().tolist()
    elif isinstance(values, pd.Series):
        values = values.dropna().tolist()
    return check_uuids(values, "sim_card_id")


def run_action(
    client: SimClient,
    action: ActionName,
    sim_card_ids: Any,
    *,
    wait: bool = True,
    timeout: float = 60.0,
) -> pd.DataFrame:
    """Start ``action`` on every SIM and (with ``wait``) poll its SIM card action until it is no
    longer in progress or ``timeout`` seconds have passed. Enable and standby need the SIM to be
    in a group; that is checked for every SIM before any action is sent."""
    ids = _sim_ids(sim_card_ids)
    if not isinstance(timeout, int | float) or timeout <= 0:
        raise InvalidInputError(timeout, "timeout must be a positive number of seconds", "e.g. 60")
    workers = min(client.concurrency, len(ids))
    with ThreadPoolExecutor(max_workers=workers, thread_name_prefix="simtools-action") as pool:
        if action in _NEEDS_GROUP:
            sims: list[SimCard] = list(pool.map(client.get_sim_card, ids))
            orphans = [s.id or "?" for s in sims if not s.sim_card_group_id]
            if orphans:
                raise InvalidInputError(
                    orphans,
                    f"{action} needs every SIM card to be in a SIM card group; "
                    f"{len(orphans)} are not: {', '.join(orphans[:5])}"
                    + (" ..." if len(orphans) > 5 else ""),
                    "move them first with client.update_sim_card(id, sim_card_group_id=...)",
                )
        started: list[SimCardAction | SimToolsError] = list(
            pool.map(lambda sid: _start(client, sid, action), ids)
        )
        deadline = Deadline.after(timeout)
        if wait:
            started = list(pool.map(lambda a: _settle(client, a, deadline), started))
            final: list[SimCard | None] = list(
                pool.map(lambda sid: _status_or_none(client, sid), ids)
            )
        else:
            final = [None] * len(ids)
    rows: list[tuple[Any, ...]] = []
    for sid, act, sim in zip(ids, started, final, strict=True):
        if isinstance(act, SimToolsError):
            rows.append((sid, action, None, "not started", str(act), None, False))
            continue
        value = act.status.value if act.status else None
        reason = act.status.reason if act.status else None
        sim_status = sim.status.value if sim is not None and sim.status else None
        settled = value not in (None, "in-progress")
        rows.append((sid, act.action_type or action, act.id, value, reason, sim_status, settled))
    frame = pd.DataFrame.from_records(rows, columns=list(ACTION_COLUMNS))
    return frame.astype(dict(ACTIONS.dtypes))


def _start(client: SimClient, sim_id: str, action: ActionName) -> SimCardAction | SimToolsError:
    try:
        return client.post_sim_card_action(sim_id, action)
    except SimToolsError as exc:  # reported per SIM in the outcome frame
        return exc


def settle_actions(
    client: SimClient, actions: Sequence[SimCardAction | SimToolsError], *, timeout: float = 60.0
) -> list[SimCardAction | SimToolsError]:
    """The settle-wait of :func:`run_action` for actions started elsewhere: each is polled until
    it is no longer in progress or ``timeout`` seconds have passed, and returned as last seen
    (an error stays as it is)."""
    deadline = Deadline.after(timeout)
    workers = max(1, min(client.concurrency, len(actions)))
    with ThreadPoolExecutor(max_workers=workers, thread_name_prefix="simtools-settle") as pool:
        return list(pool.map(lambda a: _settle(client, a, deadline), actions))


def _settle(
    client: SimClient, action: SimCardAction | SimToolsError, deadline: Deadline
) -> SimCardAction | SimToolsError:
    if isinstance(action, SimToolsError) or action.id is None or _done(action):
        return action
    action_id = action.id
    latest: list[SimCardAction | SimToolsError] = [action]

    def settled() -> bool:
        try:
            current = client.get_sim_card_action(action_id)
        except SimToolsError as exc:
            latest.append(exc)
            return True
        latest.append(current)
        return _done(current)

    poll(settled, deadline)
    return latest[-1]


def _done(action: SimCardAction) -> bool:
    return action.status is not None and action.status.value != "in-progress"


def _status_or_none(client: SimClient, sim_id: str) -> SimCard | None:
    try:
        return client.get_sim_card(sim_id)
    except SimToolsError:
        return None


def enable(
    client: SimClient, sim_card_ids: Any, *, wait: bool = True, timeout: float = 60.0
) -> pd.DataFrame:
    """Enable SIM cards (ids, a Series or a frame with ``id``); see :func:`run_action`."""
    return run_action(client, "enable", sim_card_ids, wait=wait, timeout=timeout)


def disable(
    client: SimClient, sim_card_ids: Any, *, wait: bool = True, timeout: float = 60.0
) -> pd.DataFrame:
    """Disable SIM cards; see :func:`run_action`."""
    return run_action(client, "disable", sim_card_ids, wait=wait, timeout=timeout)


def set_standby(
    client: SimClient, sim_card_ids: Any, *, wait: bool = True, timeout: float = 60.0
) -> pd.DataFrame:
    """Put SIM cards on standby; see :func:`run_action`."""
    return run_action(client, "set_standby", sim_card_ids, wait=wait, timeout=timeout)
