"""eSIM onboarding: buy eSIMs, fetch each one's activation code, follow each installation.

The codes are secrets for as long as they are valid, so an :class:`EsimOnboarding` holds them as
``SecretStr`` and shows them nowhere: not in its repr, its frame, a warning or an exception. They
leave it only as :class:`EsimLabel` objects, which the views turn into QR codes on screen
(without storing them in the notebook) or into the label sheet written to a path the user names.
Once a device has installed an eSIM its code is used: it is dropped.

An eSIM's installation is read from ``esim_installation_status``. The contract names two values,
``released`` and ``disabled``; the activation code is served only before installation (the
API's docs), so ``released`` is read as "waiting on the SM-DP+ for a device" (``pending``) and
any other value as ``installed`` (an installed profile is disabled on the device until
enabled, GSMA SGP.22). A missing value is ``unknown``.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import pandas as pd
from pydantic import SecretStr

from simtools.client.retrying import Deadline, poll
from simtools.errors import ApiError, InvalidInputError
from simtools.frames.wireless_contracts import ESIM_ONBOARDING
from simtools.models import SimCard
from simtools.wireless_models import ActivationCode
from simtools.workflows.esim import EsimPurchase, purchase_esims
from simtools.workflows.per_sim import fetch_each

if TYPE_CHECKING:
    from simtools.client import SimClient

__all__ = [
    "EsimLabel",
    "EsimOnboarding",
    "follow_installation",
    "installation_state",
    "onboard_esims",
]


def installation_state(value: str | None) -> str:
    """``pending``, ``installed`` or ``unknown`` for an ``esim_installation_status``."""
    if value is None:
        return "unknown"
    return "pending" if value == "released" else "installed"


def _pending(sim: SimCard) -> bool:
    return installation_state(sim.esim_installation_status) == "pending"


@dataclass(frozen=True)
class EsimLabel:
    """What a label shows of one eSIM; ``activation_code`` is a ``SecretStr``."""

    sim_card_id: str
    iccid: str | None
    eid: str | None
    activation_code: SecretStr = field(repr=False)


@dataclass
class EsimOnboarding:
    """A purchase's eSIMs, their activation codes (held, never shown) and installations.

    ``frame`` is the ``ESIM_ONBOARDING`` table (no codes); ``labels()`` the eSIMs whose code is
    still valid, for :func:`simtools.esim_qr_form` and :func:`simtools.write_label_sheet`.
    """

    purchase: EsimPurchase
    sims: dict[str, SimCard]
    _codes: dict[str, SecretStr] = field(repr=False)
    _problems: dict[str, tuple[str, str]] = field(repr=False)

    @property
    def sim_card_ids(self) -> list[str]:
        return list(self.sims)

    def code_state(self, sim_card_id: str) -> tuple[str, str | None]:
        """``held``, ``used``, ``unavailable`` or ``failed``, with the reason of the last two."""
        if sim_card_id in self._codes:
            return "held", None
        state, reason = self._problems.get(sim_card_id, ("failed", "no code was fetched"))
        return state, reason

    def labels(self) -> list[EsimLabel]:
        """One label per eSIM whose code is held (not yet installed), in purchase order."""
        return [
            EsimLabel(sim_id, sim.iccid, sim.eid, self._codes[sim_id])
            for sim_id, sim in self.sims.items()
            if sim_id in self._codes
        ]

    @property
    def frame(self) -> pd.DataFrame:
        rows = []
        for sim_id, sim in self.sims.items():
            code, reason = self.code_state(sim_id)
            rows.append(
                {
                    "sim_card_id": sim_id,
                    "iccid": sim.iccid,
                    "eid": sim.eid,
                    "status": sim.status.value if sim.status else None,
                    "esim_installation_status": sim.esim_installation_status,
                    "installation": installation_state(sim.esim_installation_status),
                    "activation_code": code,
                    "reason": reason,
                    "sim_card_group_id": sim.sim_card_group_id,
                    "tags": tuple(sim.tags) if sim.tags is not None else None,
                    "created_at": sim.created_at,
                }
            )
        frame = pd.DataFrame(rows, columns=list(ESIM_ONBOARDING.names))
        frame["created_at"] = pd.to_datetime(frame["created_at"], utc=True, format="ISO8601")
        return frame.astype(dict(ESIM_ONBOARDING.dtypes))

    def counts(self) -> dict[str, int]:
        states = [installation_state(s.esim_installation_status) for s in self.sims.values()]
        return {state: states.count(state) for state in ("pending", "installed", "unknown")}

    def __repr__(self) -> str:
        counts = self.counts()
        return (
            f"EsimOnboarding({len(self.sims)} eSIM(s), purchase {self.purchase.state}; "
            f"{counts['pending']} waiting for a device, {counts['installed']} installed, "
            f"{len(self._codes)} activation code(s) held, never shown)"
        )

    def _repr_html_(self) -> str:
        shown = self.frame.drop(columns=["sim_card_group_id", "tags"])
        table = shown.astype(object).where(shown.notna(), "").to_html(index=False)
        return f"<p><b>{repr(self)[len('EsimOnboarding(') : -1]}</b></p>{table}"


def _fetch_codes(
    client: SimClient, ids: list[str]
) -> tuple[dict[str, SecretStr], dict[str, tuple[str, str]]]:
    def fetch(sim_id: str) -> ActivationCode | ApiError:
        try:
            return client.get_activation_code(sim_id)
        except ApiError as exc:  # 422: a physical SIM, or installed already
            if exc.status_code == 422:
                return exc
            raise

    found = fetch_each(client, ids, fetch, what="activation codes")
    codes: dict[str, SecretStr] = {}
    problems: dict[str, tuple[str, str]] = {}
    for sim_id in ids:
        answer = found.get(sim_id)
        if isinstance(answer, ActivationCode) and answer.activation_code is not None:
            codes[sim_id] = answer.activation_code
        elif isinstance(answer, ApiError):
            detail = answer.errors[0].detail if answer.errors else None
            problems[sim_id] = ("unavailable", detail or f"HTTP {answer.status_code}")
        else:
            problems[sim_id] = ("failed", "the activation code could not be read")
    return codes, problems


def onboard_esims(
    client: SimClient,
    amount: int | None = None,
    *,
    sim_card_group_id: str | None = None,
    tags: Iterable[str] | None = None,
    status: str | None = None,
    product: str | None = None,
    whitelabel_name: str | None = None,
    purchase: EsimPurchase | None = None,
) -> EsimOnboarding:
    """Buy ``amount`` eSIMs (see :func:`~simtools.workflows.esim.purchase_esims`; or continue a
    reconciled ``purchase``) and fetch each one's activation code, ``client.concurrency`` at a
    time."""
    if purchase is None:
        if amount is None:
            raise InvalidInputError(None, "how many eSIMs?", "pass amount=, e.g. 5")
        purchase = purchase_esims(
            client,
            amount,
            sim_card_group_id=sim_card_group_id,
            tags=tags,
            status=status,
            product=product,
            whitelabel_name=whitelabel_name,
        )
    elif purchase.state == "unknown":
        raise InvalidInputError(
            purchase, "the purchase's outcome is unknown", "call purchase.reconcile(client) first"
        )
    sims = {sim.id: sim for sim in purchase.sims if sim.id is not None}
    codes, problems = _fetch_codes(client, list(sims))
    return EsimOnboarding(purchase, sims, codes, problems)


def follow_installation(
    client: SimClient, onboarding: EsimOnboarding, *, timeout: float = 0.0
) -> EsimOnboarding:
    """Read each waiting eSIM again (once, then until all are installed or ``timeout`` seconds
    pass) and return the onboarding as it now is; the codes of installed eSIMs are dropped."""
    sims = dict(onboarding.sims)
    codes = dict(onboarding._codes)
    problems = dict(onboarding._problems)

    def look() -> bool:
        waiting = [sim_id for sim_id, sim in sims.items() if _pending(sim)]
        found: Mapping[str, Any] = fetch_each(client, waiting, client.get_sim_card, what="eSIMs")
        for sim_id, sim in found.items():
            if sim is None:
                continue
            sims[sim_id] = sim
            if installation_state(sim.esim_installation_status) == "installed":
                codes.pop(sim_id, None)
                problems[sim_id] = ("used", "installed on a device")
        return not any(_pending(sim) for sim in sims.values())

    if not look() and timeout > 0:
        poll(look, Deadline.after(timeout), first=0.5, cap=5.0)
    return EsimOnboarding(onboarding.purchase, sims, codes, problems)
