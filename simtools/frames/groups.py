"""SIM card groups as a DataFrame with the ``SIM_CARD_GROUPS`` contract (pure)."""

from __future__ import annotations

from typing import Any

import pandas as pd

from simtools.frames.build import raw_wire_columns
from simtools.frames.contracts import SIM_CARD_GROUPS
from simtools.frames.layout import is_sim_card_group
from simtools.frames.sim_cards import checked_copy
from simtools.frames.units import megabytes

__all__ = ["SIM_CARD_GROUP_COLUMNS", "sim_card_groups_frame"]

SIM_CARD_GROUP_COLUMNS = SIM_CARD_GROUPS.names
_HINT = (
    "pass a SIM card group response (dict, JSON text or bytes), a list of SimCardGroup models "
    "or dicts, or an SDK response object"
)


def sim_card_groups_frame(source: Any) -> pd.DataFrame:
    """SIM card groups with the :data:`SIM_CARD_GROUP_COLUMNS` contract.

    ``data_limit_mb`` and ``consumed_mb`` are converted like the SIM frame's (1024 steps; a
    consumed amount without a unit is MB), ``default`` is ``boolean``, ``sim_card_count``
    ``Int64`` (missing outside list responses), the amounts and units as sent follow, then
    unknown fields. ``source``: a list of :class:`~simtools.models.SimCardGroup` models or dicts,
    a response dict, JSON text or bytes, an SDK response or model, a DataFrame in this shape, or
    a client (anything with ``list_sim_card_groups()``), whose groups are fetched.
    """
    if isinstance(source, pd.DataFrame):
        return checked_copy(source, SIM_CARD_GROUP_COLUMNS, _HINT)
    lister = getattr(source, "list_sim_card_groups", None)
    if callable(lister):
        source = lister()
    raw, out = raw_wire_columns(
        source, SIM_CARD_GROUPS, "sim_card_group", is_record=is_sim_card_group, hint=_HINT
    )
    issues = raw.issues
    out["data_limit_mb"] = megabytes(
        out["data_limit_amount"], out["data_limit_unit"], "data_limit", issues
    )
    out["consumed_mb"] = megabytes(
        out["consumed_amount"], out["consumed_unit"], "consumed", issues, default_unit="MB"
    )
    return raw.finish(out)
