"""Reading back what a plan's changes touch, and where each change stands: still at its
``from_value``, already at its ``to_value``, or somewhere else (changed by someone else).

SIMs are read one by one when few, else with one listing of the fleet (pages of 250); data usage
notifications likewise, per SIM or all at once. Reads use the client's retries.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping
from concurrent.futures import ThreadPoolExecutor
from typing import TYPE_CHECKING, Any, Literal

from simtools.frames.change_values import PLACES, Request, mb_text, same_value, tags_text
from simtools.frames.units import to_megabytes
from simtools.models import DataAmount, SimCard

if TYPE_CHECKING:
    from simtools.client import SimClient

__all__ = [
    "ONE_BY_ONE",
    "TRANSITIONAL_TO",
    "Alerts",
    "Position",
    "alerts_position",
    "live_text",
    "live_value",
    "position",
    "read_alerts",
    "read_sims",
    "step_done",
    "threshold_mb",
]

#: Up to this many SIMs are read one request each; more, with one listing of all.
ONE_BY_ONE = 50
#: The status a SIM shows while an action takes it to each status a plan can set.
TRANSITIONAL_TO = {"enabled": "enabling", "disabled": "disabling", "standby": "setting_standby"}
Position = Literal["from", "to", "other"]
#: A SIM's data usage notifications: id -> threshold in MB.
Alerts = dict[str, float]


def _megabytes(amount: DataAmount | None) -> float | None:
    if amount is None or amount.amount is None:
        return None
    try:
        return to_megabytes(amount.amount, amount.unit or "MB")
    except ValueError:
        return None


def read_sims(client: SimClient, ids: Iterable[str]) -> dict[str, SimCard]:
    """The SIMs of ``ids`` that exist, by id."""
    wanted = set(ids)
    if not wanted:
        return {}
    if len(wanted) > ONE_BY_ONE:
        return {s.id: s for s in client.iter_sim_cards() if s.id is not None and s.id in wanted}
    with ThreadPoolExecutor(
        max_workers=client.concurrency, thread_name_prefix="simtools-read"
    ) as pool:
        found = list(pool.map(lambda sid: _sim_or_none(client, sid), sorted(wanted)))
    return {s.id: s for s in found if s is not None and s.id is not None}


def _sim_or_none(client: SimClient, sim_id: str) -> SimCard | None:
    from simtools.errors import NotFoundError

    try:
        return client.get_sim_card(sim_id)
    except NotFoundError:
        return None


def read_alerts(client: SimClient, sim_ids: Iterable[str]) -> dict[str, Alerts]:
    """Each SIM's notifications (an empty dict for a SIM without any)."""
    wanted = set(sim_ids)
    out: dict[str, Alerts] = {sid: {} for sid in wanted}
    if not wanted:
        return out
    if len(wanted) > ONE_BY_ONE:
        notifications = client.list_data_usage_notifications()
    else:
        with ThreadPoolExecutor(
            max_workers=client.concurrency, thread_name_prefix="simtools-read"
        ) as pool:
            per_sim = pool.map(
                lambda sid: client.list_data_usage_notifications(sim_card_id=sid), sorted(wanted)
            )
            notifications = [n for found in per_sim for n in found]
    for n in notifications:
        size = _megabytes(n.threshold)
        if n.sim_card_id in out and n.id is not None and size is not None:
            out[n.sim_card_id][n.id] = size
    return out


def live_value(field: str, sim: SimCard) -> Any:
    """The SIM's value of ``field`` as :func:`~simtools.frames.change_values.parse_value` gives
    a plan's (alerts are read with :func:`read_alerts`)."""
    if field == "data_limit_mb":
        return _megabytes(sim.data_limit)
    if field == "tags":
        return tuple(sim.tags or ())
    if field == "sim_card_group":
        return sim.sim_card_group_id
    return sim.status.value if sim.status else None


def live_text(field: str, value: Any) -> str | None:
    """A live value written as a plan writes values."""
    if field == "data_limit_mb":
        return mb_text(value)
    if field == "tags":
        return tags_text(value)
    if field == "alert_mb":
        return _alerts_text(value)
    return None if value is None else str(value)


def _alerts_text(alerts: Mapping[str, float]) -> str:
    from simtools.frames.change_values import alerts_text

    return alerts_text(alerts.values())


def position(field: str, before: Any, after: Any, value: Any) -> Position:
    """Where a live value stands for a change from ``before`` to ``after``; a status on its way
    to ``after`` (``enabling`` for ``enabled``) counts as there."""
    if same_value(field, value, after):
        return "to"
    if field == "status" and value == TRANSITIONAL_TO.get(str(after)):
        return "to"
    if same_value(field, value, before):
        return "from"
    return "other"


def alerts_position(
    before: tuple[float, ...], after: tuple[float, ...], alerts: Alerts
) -> Position:
    """Where a SIM's notifications stand for an ``alert_mb`` change."""
    return position("alert_mb", before, after, tuple(alerts.values()))


def threshold_mb(body: Mapping[str, Any] | None) -> float | None:
    """The ``threshold`` of a notification request's body, in MB."""
    threshold = (body or {}).get("threshold")
    if not isinstance(threshold, Mapping):
        return None
    return to_megabytes(threshold.get("amount"), threshold.get("unit"))


def step_done(request: Request, alerts: Alerts) -> bool | None:
    """Whether the SIM's notifications show ``request`` done: a PATCH's notification at its new
    threshold, a DELETE's gone, a POST's threshold there. None: the PATCH's notification is gone
    (someone else deleted it)."""
    places = PLACES["alert_mb"]
    size = threshold_mb(request["body"])
    nid = request["path"].rsplit("/", 1)[-1]
    if request["method"] == "DELETE":
        return nid not in alerts
    if request["method"] == "PATCH":
        if nid not in alerts:
            return None
        return size is not None and round(alerts[nid], places) == round(size, places)
    wanted = Counter(round(v, places) for v in alerts.values())
    return size is not None and wanted[round(size, places)] > 0
