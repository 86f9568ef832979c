"""Buying eSIMs without ever buying twice by accident: a purchase whose answer was lost is
reconciled, not sent again.

A purchase is charged and Telnyx takes no idempotency key, so the client sends it once past the
server. When the outcome is unknown (the connection dropped after the request went out, a 5xx, an
answer that does not read) the purchase is :data:`UNKNOWN` and simtools looks for the eSIMs it
would have made: eSIMs in the purchase's group with all its tags, created since the purchase
started (less :data:`RECONCILE_CLOCK_SKEW`, as the server's clock is not ours). Exactly as many as
were bought: ``reconciled``, those are them. Any other count (none yet, or eSIMs of another purchase
with the same group and tags) leaves it ``unknown``; call :meth:`EsimPurchase.reconcile` again
later, and give each run a tag of its own so that no other purchase can match.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING, Literal

from simtools.errors import ResponseError, ServerError, SimToolsError, TransportError
from simtools.inputs.arguments import check_tags, check_uuid
from simtools.models import ApiErrorObject, SimCard

if TYPE_CHECKING:
    from simtools.client import SimClient

__all__ = [
    "PURCHASED",
    "RECONCILED",
    "RECONCILE_CLOCK_SKEW",
    "UNKNOWN",
    "EsimPurchase",
    "EsimPurchaseUnknown",
    "purchase_esims",
]

PurchaseState = Literal["purchased", "reconciled", "unknown"]
PURCHASED: PurchaseState = "purchased"
RECONCILED: PurchaseState = "reconciled"
UNKNOWN: PurchaseState = "unknown"
#: Seconds the server's clock may run behind ours: eSIMs created that long before the purchase
#: started still count as its own when reconciling.
RECONCILE_CLOCK_SKEW = 300.0


class EsimPurchaseUnknown(SimToolsError):
    """The purchase's outcome is unknown and reconciling did not settle it; ``partial`` is the
    :class:`EsimPurchase` (call its ``reconcile(client)`` later; do not buy again until then)."""

    def __init__(self, purchase: EsimPurchase) -> None:
        self.partial = purchase
        super().__init__(
            f"the purchase of {purchase.amount} eSIM(s) may or may not have happened: "
            f"{purchase.reason}\nHow to fix: do not buy again yet; call "
            "purchase.reconcile(client) later (the error's .partial), or look for the eSIMs "
            "in the portal"
        )


@dataclass(frozen=True)
class EsimPurchase:
    """One purchase of ``amount`` eSIMs and what is known of it: ``state`` ``purchased`` (the
    API answered), ``reconciled`` (the answer was lost, the eSIMs were found) or ``unknown``
    (``reason`` says why); ``sims`` are the eSIMs bought, ``errors`` the API's."""

    amount: int
    state: PurchaseState
    started_at: dt.datetime
    sim_card_group_id: str | None = None
    tags: tuple[str, ...] = ()
    sims: tuple[SimCard, ...] = ()
    errors: tuple[ApiErrorObject, ...] = ()
    reason: str | None = field(default=None, compare=False)

    def __repr__(self) -> str:
        head = f"EsimPurchase({self.amount} eSIM(s), {self.state}, {len(self.sims)} known"
        return head + (f": {self.reason})" if self.reason else ")")

    def reconcile(self, client: SimClient) -> EsimPurchase:
        """This purchase with its eSIMs looked up (a known outcome is returned as it is)."""
        if self.state != UNKNOWN:
            return self
        since = self.started_at - dt.timedelta(seconds=RECONCILE_CLOCK_SKEW)
        try:
            found = [
                sim
                for sim in client.iter_sim_cards(
                    sim_card_group_id=self.sim_card_group_id, tags=list(self.tags) or None
                )
                if sim.type == "esim" and _created_since(sim, since)
            ]
        except SimToolsError as exc:
            return replace(self, reason=f"{self.reason}; looking the eSIMs up failed: {exc}")
        if len(found) == self.amount:
            found.sort(key=lambda sim: sim.created_at or "")
            return replace(self, state=RECONCILED, sims=tuple(found), reason=None)
        return replace(
            self,
            sims=(),
            reason=(
                f"{len(found)} eSIM(s) with this group and tags were created since it started, "
                f"not {self.amount}"
            ),
        )


def _created_since(sim: SimCard, since: dt.datetime) -> bool:
    try:
        created = dt.datetime.fromisoformat((sim.created_at or "").replace("Z", "+00:00"))
    except ValueError:
        return False
    if created.tzinfo is None:
        created = created.replace(tzinfo=dt.UTC)
    return created >= since


def purchase_esims(
    client: SimClient,
    amount: int,
    *,
    sim_card_group_id: str | None = None,
    tags: Iterable[str] | None = None,
    status: str | None = None,
    product: str | None = None,
    whitelabel_name: str | None = None,
) -> EsimPurchase:
    """Buy ``amount`` eSIMs once. A refusal (4xx) raises the ``ApiError`` and buys nothing; an
    unknown outcome is reconciled at once and raises :class:`EsimPurchaseUnknown` when that does
    not settle it."""
    group = check_uuid(sim_card_group_id, "sim_card_group_id") if sim_card_group_id else None
    tag_list = check_tags(list(tags) if tags is not None and not isinstance(tags, str) else tags)
    started = dt.datetime.now(dt.UTC)
    base = EsimPurchase(amount, UNKNOWN, started, group, tuple(tag_list or ()))
    try:
        answer = client.purchase_esims(
            amount,
            sim_card_group_id=group,
            tags=tag_list,
            status=status,
            product=product,
            whitelabel_name=whitelabel_name,
        )
    except TransportError as exc:
        if not exc.request_sent:
            raise  # it never reached the server: nothing was bought
        purchase = replace(base, reason=f"the answer was lost ({exc})").reconcile(client)
    except (ServerError, ResponseError) as exc:
        purchase = replace(base, reason=f"the answer was an error ({exc})").reconcile(client)
    else:
        return replace(base, state=PURCHASED, sims=tuple(answer.data), errors=tuple(answer.errors))
    if purchase.state == UNKNOWN:
        raise EsimPurchaseUnknown(purchase)
    return purchase
