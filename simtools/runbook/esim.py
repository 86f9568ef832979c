"""The eSIM onboarding runbook's steps (``notebooks/05-esim-onboarding.ipynb``): buy, show the
codes as QR codes or a label sheet, follow installation, write the audit trail without codes.

>>> client = simtools.connect()  # doctest: +SKIP
>>> onboarding = buy_esims(client, 4, group=None, tags=["pos"], status="enabled")  # doctest: +SKIP
>>> sheet = label_sheet_step(onboarding, "esim-labels.html", "out")  # doctest: +SKIP
>>> onboarding = follow_step(client, onboarding, timeout=0)  # doctest: +SKIP
>>> write_esim_outcome(onboarding, "out", client=client)  # doctest: +SKIP
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pandas as pd

from simtools.errors import ApiError
from simtools.esim_labels import write_label_sheet
from simtools.frames.files import write_frame
from simtools.runbook.base import RunbookStop
from simtools.runbook.prepare import resolve_group
from simtools.workflows.esim import EsimPurchaseUnknown
from simtools.workflows.esim_onboarding import EsimOnboarding, follow_installation, onboard_esims

if TYPE_CHECKING:
    from simtools.client import SimClient

__all__ = [
    "batch_tag",
    "buy_esims",
    "follow_step",
    "label_sheet_step",
    "simulate_installs",
    "write_esim_outcome",
]


def batch_tag(now: dt.datetime | None = None) -> str:
    """A tag of this run's own (``esim-<UTC time>``): with it no other purchase can match when
    a lost answer is reconciled."""
    return f"esim-{(now or dt.datetime.now(dt.UTC)):%Y%m%dT%H%M%SZ}"


def buy_esims(
    client: SimClient,
    amount: int,
    *,
    group: str | None,
    tags: Sequence[str],
    status: str,
) -> EsimOnboarding:
    """Buy ``amount`` eSIMs into the group (name, id or None for the default) with the tags
    and this run's batch tag, and fetch their activation codes."""
    choice = resolve_group(client, group)
    try:
        return onboard_esims(
            client,
            amount,
            sim_card_group_id=choice.id,
            tags=[*tags, batch_tag()],
            status=status,
        )
    except EsimPurchaseUnknown as exc:
        raise RunbookStop(
            "buy eSIMs",
            f"the purchase's outcome is unknown ({exc.partial.reason})",
            "do NOT run this step again: check the account for eSIMs tagged "
            f"{', '.join(exc.partial.tags)} (the portal, or simtools.fleet_frame(client, "
            "tags=...)), then continue from what is there",
        ) from None
    except ApiError as exc:
        raise RunbookStop(
            "buy eSIMs",
            f"the API refused the purchase: {exc}",
            "fix the parameters (amount, group, status) and run again",
        ) from None


def simulate_installs(client: SimClient, onboarding: EsimOnboarding, count: int) -> list[str]:
    """On a sandbox only: devices install the first ``count`` eSIMs (the ids). Elsewhere
    nothing happens: real devices install eSIMs by scanning their QR codes."""
    sandbox: Any = client.sandbox
    if sandbox is None or count <= 0:
        return []
    installed = onboarding.sim_card_ids[:count]
    for sim_id in installed:
        sandbox.state.enrolment.install_esim(sim_id)
    return installed


def label_sheet_step(
    onboarding: EsimOnboarding, label_sheet: str | None, output_dir: Any
) -> Path | None:
    """Write the label sheet to ``<output_dir>/<label_sheet>`` when a name is given."""
    if not label_sheet:
        return None
    return write_label_sheet(onboarding, Path(output_dir) / label_sheet, overwrite=True)


def follow_step(client: SimClient, onboarding: EsimOnboarding, *, timeout: float) -> EsimOnboarding:
    """The onboarding with each waiting eSIM read again (for up to ``timeout`` seconds)."""
    return follow_installation(client, onboarding, timeout=timeout)


def write_esim_outcome(onboarding: EsimOnboarding, output_dir: Any, *, client: SimClient) -> Path:
    """Save the onboarding frame (no codes) as ``esim-onboarding-<UTC time>.csv`` with the API
    it ran against and when."""
    now = pd.Timestamp.now(tz="UTC")
    folder = Path(output_dir)
    folder.mkdir(parents=True, exist_ok=True)
    frame = onboarding.frame.assign(api_base_url=client.base_url, run_at=now)
    return write_frame(frame, folder / f"esim-onboarding-{now:%Y%m%dT%H%M%SZ}.csv")
