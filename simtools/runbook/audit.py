"""The audit trail: one row per submitted entry, from registration to final SIM status."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

import pandas as pd

from simtools.frames import registration_frame

if TYPE_CHECKING:
    from simtools.client import SimClient
    from simtools.results import RegistrationResult
    from simtools.runbook.sims import Activation, Verification

__all__ = ["OUTCOME_COLUMNS", "outcome_frame", "outcome_summary", "write_outcome"]

#: The audit trail: ``registration_frame`` columns, then what verification and activation saw.
OUTCOME_COLUMNS = (
    "position",
    "registration_code",
    "outcome",
    "error_code",
    "error_detail",
    "reason",
    "sim_card_id",
    "iccid",
    "verified",
    "action_status",
    "final_status",
)


def outcome_frame(
    result: RegistrationResult,
    verification: Verification | None = None,
    activation: Activation | None = None,
) -> pd.DataFrame:
    """One row per submitted entry (:data:`OUTCOME_COLUMNS`): the registration outcome, whether
    the SIM was found in the fleet, the action's status and the SIM's last known status."""
    out = registration_frame(result)
    status = out["status"].astype("string")
    verified = pd.Series(pd.NA, index=out.index, dtype="boolean")
    action = pd.Series(pd.NA, index=out.index, dtype="string")
    if verification is not None:
        seen = verification.frame.set_index("id")["status"].astype("string")
        ids = out["sim_card_id"].astype("string")
        registered = out["outcome"].astype("string") == "registered"
        verified = verified.mask(registered.fillna(False), ids.isin(seen.index))
        status = ids.map(seen).astype("string").fillna(status)
    if activation is not None and not activation.frame.empty:
        acts = activation.frame.set_index("sim_card_id")
        ids = out["sim_card_id"].astype("string")
        action = ids.map(acts["action_status"].astype("string")).astype("string")
        status = ids.map(acts["sim_status"].astype("string")).astype("string").fillna(status)
    out["verified"] = verified
    out["action_status"] = action
    out["final_status"] = status
    return out[list(OUTCOME_COLUMNS)]


def outcome_summary(outcome: pd.DataFrame) -> pd.DataFrame:
    """Entries per registration outcome and final SIM status."""
    keys = outcome[["outcome", "final_status"]].astype("string").fillna("-")
    return keys.value_counts(sort=False).rename("entries").reset_index()


def write_outcome(outcome: pd.DataFrame, output_dir: Any, *, client: SimClient) -> Path:
    """Save the outcome frame as ``onboarding-outcome-<UTC time>.csv`` in ``output_dir``, with
    the API it was run against and when (never the key)."""
    from simtools.frames.files import write_frame

    now = pd.Timestamp.now(tz="UTC")
    folder = Path(output_dir)
    folder.mkdir(parents=True, exist_ok=True)
    frame = outcome.assign(api_base_url=client.base_url, run_at=now)
    return write_frame(frame, folder / f"onboarding-outcome-{now:%Y%m%dT%H%M%SZ}.csv")
