"""After registering: find the new SIMs in the fleet, then bring them to the target status."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import TYPE_CHECKING, ClassVar

import pandas as pd

from simtools.client.retrying import Deadline, poll
from simtools.errors import InvalidInputError, NotFoundError
from simtools.frames import sim_cards_frame
from simtools.frames.contracts import ACTIONS
from simtools.inputs.arguments import check_register_status
from simtools.models import TRANSITIONAL_STATUSES, SimCard
from simtools.runbook.base import StepReport
from simtools.runbook.prepare import GroupChoice
from simtools.workflows.fleet import fleet_frame
from simtools.workflows.lifecycle import enable, set_standby

if TYPE_CHECKING:
    from simtools.client import SimClient
    from simtools.results import RegistrationResult

__all__ = [
    "Activation",
    "Verification",
    "activate",
    "group_members",
    "verify_registration",
]

_TARGETS = ("enabled", "standby", "disabled")


@dataclass(frozen=True, repr=False)
class Verification(StepReport):
    """The registered SIMs as the fleet shows them now (``frame``: ``registration_code`` then
    the ``sim_cards_frame`` columns) and the registered codes whose SIM was not found."""

    message: str
    frame: pd.DataFrame
    missing: tuple[str, ...] = ()
    shown_columns: ClassVar[tuple[str, ...]] = (
        "registration_code",
        "iccid",
        "status",
        "sim_card_group_id",
        "tags",
        "data_limit_mb",
        "consumed_mb",
    )


def verify_registration(
    client: SimClient, result: RegistrationResult, *, timeout: float = 30.0
) -> Verification:
    """Fetch every SIM the registration created; wait (up to ``timeout`` seconds) while any is
    still in a transitional status such as ``registering``."""
    registered = [o for o in result.outcomes if o.outcome == "registered"]
    known = {o.sim_card.id: o.registration_code for o in registered if o.sim_card and o.sim_card.id}
    missing = [o.registration_code for o in registered if not (o.sim_card and o.sim_card.id)]
    sims: dict[str, SimCard] = {}
    todo = list(known)
    with ThreadPoolExecutor(max_workers=max(1, client.concurrency)) as pool:

        def look() -> bool:  # fetch what is still transitional; True once nothing is
            nonlocal todo
            for sid, sim in zip(
                todo, pool.map(lambda s: _sim_or_none(client, s), todo), strict=True
            ):
                if sim is None:
                    missing.append(known[sid])
                else:
                    sims[sid] = sim
            todo = [s for s, sim in sims.items() if _transitional(sim)]
            return not todo

        if todo and not look():
            poll(look, Deadline.after(timeout))
    frame = sim_cards_frame(list(sims.values()))
    frame.insert(0, "registration_code", frame["id"].map(known).astype("string"))
    still = [s for s in sims.values() if _transitional(s)]
    parts = [f"{len(sims)} of {len(registered)} registered SIM cards found in the fleet"]
    if still:
        parts.append(f"{len(still)} still {still[0].status.value if still[0].status else ''}")
    if missing:
        parts.append(
            f"{len(missing)} not found ({', '.join(missing[:5])}): the API did not say which SIM "
            "such a code became, or it is gone; look for the tags in the fleet"
        )
    if not registered:
        parts = ["Nothing was registered (dry run, or every code was refused)"]
    return Verification("; ".join(parts) + ".", frame, tuple(missing))


def _sim_or_none(client: SimClient, sim_id: str) -> SimCard | None:
    try:
        return client.get_sim_card(sim_id)
    except NotFoundError:
        return None


def _transitional(sim: SimCard) -> bool:
    return sim.status is not None and sim.status.value in TRANSITIONAL_STATUSES


def group_members(
    client: SimClient, verification: Verification, group: GroupChoice | None = None
) -> pd.DataFrame:
    """Every SIM card of the group(s) the new SIM cards joined (``fleet_frame`` columns), with a
    ``new`` column that marks the SIM cards of this run. Without new SIM cards (a dry run), the
    SIM cards of ``group``."""
    groups = verification.frame["sim_card_group_id"].dropna().astype(str).unique().tolist()
    if not groups and group is not None and group.id is not None:
        groups = [group.id]
    frames = [fleet_frame(client, sim_card_group_id=g, progress=False) for g in groups]
    members = pd.concat(frames, ignore_index=True) if frames else _empty_fleet_frame(verification)
    members["new"] = members["id"].isin(verification.frame["id"]).astype("boolean")
    return members


def _empty_fleet_frame(verification: Verification) -> pd.DataFrame:
    """An empty frame with the columns ``fleet_frame`` returns."""
    empty = verification.frame.iloc[0:0].drop(columns="registration_code")
    return empty.assign(sim_card_group_name=pd.Series(dtype="string"))


@dataclass(frozen=True, repr=False)
class Activation(StepReport):
    """The lifecycle actions sent (``frame``, one row per SIM, ``lifecycle.ACTION_COLUMNS``)."""

    target_status: str
    message: str
    frame: pd.DataFrame


def activate(
    client: SimClient, verification: Verification, target_status: str, *, timeout: float = 60.0
) -> Activation:
    """Bring the verified SIMs to ``target_status`` (``enabled`` or ``standby``) and wait for the
    actions to settle. SIMs already there are left alone; ``disabled`` sends nothing, since the
    runbook registers SIMs disabled."""
    target = check_register_status(target_status)
    if target not in _TARGETS:
        raise InvalidInputError(target_status, "target_status is required", "e.g. 'enabled'")
    sims = verification.frame
    status = sims["status"].astype("string")
    todo = sims.loc[status != target, "id"].dropna().astype(str).tolist()
    already = len(sims) - len(todo)
    empty = ACTIONS.empty()
    if target == "disabled":
        message = "The target status is disabled: the SIMs were registered disabled, nothing sent."
        return Activation(target, message, empty)
    if not todo:
        what = f"all {already} SIM cards are already {target}" if already else "no SIM cards"
        return Activation(target, f"Nothing to do: {what}.", empty)
    act = enable if target == "enabled" else set_standby
    frame = act(client, todo, wait=True, timeout=timeout)
    done = frame["sim_status"].astype("string") == target
    parts = [f"{int(done.sum())} of {len(todo)} SIM cards are now {target}"]
    if already:
        parts.append(f"{already} already were")
    unsettled = int((~frame["settled"].fillna(False).astype(bool)).sum())
    if unsettled:
        parts.append(f"{unsettled} still in progress after {timeout:g} s: rerun this cell later")
    failed = frame["action_status"].astype("string").isin(["failed", "not started"]).fillna(False)
    if failed.any():
        parts.append(f"{int(failed.sum())} failed (see the reason column)")
    return Activation(target, "; ".join(parts) + ".", frame)
