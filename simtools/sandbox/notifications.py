"""Data usage notifications (``/sim_card_data_usage_notifications``) and when they fired.

Telnyx alerts the account when a SIM's consumption in the billing period reaches a notification's
threshold. The sandbox has nobody to alert, so it records each firing instead, as a
:class:`FiredNotification` that tests read back with
:meth:`~simtools.sandbox.state.SandboxState.notifications_fired`.

A notification fires once, the moment the SIM's ``current_billing_period_consumed_data`` is at or
above its threshold: at creation when the SIM is already there (the synthetic fleet's consumption
is fixed when it is built, so this is the usual case), else when the consumption grows past it
(:meth:`~simtools.sandbox.state.SandboxState.add_usage`). Changing its threshold or SIM arms it
again, and it is checked at once. Deleting a SIM deletes its notifications; what fired stays on
record. Not locked on its own: every public method takes the store's lock.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from simtools.sandbox.records import SimRecord, to_mb
from simtools.sandbox.wire import ApiProblem, iso

if TYPE_CHECKING:
    from simtools.sandbox.state import SandboxState

__all__ = ["FiredNotification", "NotificationBook"]

_NOUN = "SIM card data usage notification"


@dataclass(frozen=True)
class FiredNotification:
    """One firing: which notification, for which SIM, at what threshold and consumption, when
    (``fired_at`` as the API writes timestamps, ``2018-02-02T22:25:27.521Z``)."""

    notification_id: str
    sim_card_id: str
    threshold_amount: str
    threshold_unit: str
    consumed_mb: float
    fired_at: str


class NotificationBook:
    """The data usage notifications of one sandbox and the record of their firings."""

    def __init__(self, state: SandboxState) -> None:
        self._state = state
        self.records: dict[str, dict[str, Any]] = {}
        self._armed: set[str] = set()
        self._fired: list[FiredNotification] = []

    def create(self, sim_id: str, threshold: Mapping[str, str]) -> dict[str, Any]:
        state = self._state
        with state.locked():
            sim = self._sim(sim_id)
            now = state.clock.now()
            record: dict[str, Any] = {
                "id": state.new_id(),
                "record_type": "sim_card_data_usage_notification",
                "sim_card_id": sim_id,
                "threshold": dict(threshold),
                "created_at": iso(now),
                "updated_at": iso(now),
            }
            self.records[record["id"]] = record
            self._arm(record, sim, now)
            return dict(record)

    def _sim(self, sim_id: str) -> SimRecord:
        sim = self._state.sims.get(sim_id)
        if sim is None:
            raise ApiProblem.single(
                422, "10017", f"SIM card {sim_id} does not exist.", pointer="/sim_card_id"
            )
        return sim

    def get(self, notification_id: str) -> dict[str, Any]:
        return dict(self._state.lookup(self.records, notification_id, _NOUN))

    def matching(self, sim_id: str | None) -> list[dict[str, Any]]:
        """The notifications (of one SIM), oldest first."""
        with self._state.locked():
            return [
                dict(r)
                for r in self.records.values()
                if sim_id is None or r["sim_card_id"] == sim_id
            ]

    def update(
        self, notification_id: str, sim_id: str | None, threshold: Mapping[str, str] | None
    ) -> dict[str, Any]:
        state = self._state
        with state.locked():
            record = state.lookup(self.records, notification_id, _NOUN)
            sim = self._sim(sim_id if sim_id is not None else record["sim_card_id"])
            if sim_id is not None:
                record["sim_card_id"] = sim_id
            if threshold is not None:
                record["threshold"] = dict(threshold)
            now = state.clock.now()
            record["updated_at"] = iso(now)
            if sim_id is not None or threshold is not None:
                self._arm(record, sim, now)
            return dict(record)

    def delete(self, notification_id: str) -> dict[str, Any]:
        with self._state.locked():
            record = self._state.lookup(self.records, notification_id, _NOUN)
            del self.records[notification_id]
            self._armed.discard(notification_id)
            return dict(record)

    def forget_sim(self, sim_id: str) -> None:
        for notification_id in [i for i, r in self.records.items() if r["sim_card_id"] == sim_id]:
            del self.records[notification_id]
            self._armed.discard(notification_id)

    # -- firing ------------------------------------------------------------------------------

    def _arm(self, record: dict[str, Any], sim: SimRecord, now: float) -> None:
        self._armed.add(record["id"])
        self._fire_if_reached(record, sim, now)

    def check(self, sim: SimRecord, now: float) -> None:
        """Fire the armed notifications of ``sim`` that its consumption now reaches."""
        for record in list(self.records.values()):
            if record["sim_card_id"] == sim.id and record["id"] in self._armed:
                self._fire_if_reached(record, sim, now)

    def _fire_if_reached(self, record: dict[str, Any], sim: SimRecord, now: float) -> None:
        threshold = record["threshold"]
        if sim.consumed_mb < to_mb(threshold["amount"], threshold["unit"]):
            return
        self._armed.discard(record["id"])
        self._fired.append(
            FiredNotification(
                notification_id=record["id"],
                sim_card_id=sim.id,
                threshold_amount=threshold["amount"],
                threshold_unit=threshold["unit"],
                consumed_mb=sim.consumed_mb,
                fired_at=iso(now),
            )
        )

    def fired(self, sim_id: str | None) -> list[FiredNotification]:
        return [f for f in self._fired if sim_id is None or f.sim_card_id == sim_id]
