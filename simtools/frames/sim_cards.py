"""SIM cards as a DataFrame with the ``SIM_CARDS`` contract (:mod:`simtools.frames.contracts`).

``sim_cards_frame`` has the columns of :data:`SIM_CARD_COLUMNS` in that order, then the full-form
fields of ``GET /sim_cards/{id}`` when the source has them (:data:`FULL_FORM_COLUMNS`), then every
other top-level field the source carries, in first-seen order. An unknown field keeps its values
as sent in an ``object`` column, nested values as JSON text (so no dict or list sits in a scalar
column); one that would clash with a contract column is prefixed ``api_``. An unknown key inside
``status``, ``data_limit``, ``current_billing_period_consumed_data`` or
``current_device_location`` becomes ``<parent>_<key>``; such a parent that is not an object is kept
in ``<parent>_raw``. These follow the unknown top-level fields, parent by parent in that order
(``<parent>_raw`` first, then the keys in first-seen order), so a columnar reader that sees each
parent's keys apart from the top level orders them the same way.

Dtypes follow each column's kind in the contract: ids and other text ``string``; enums
(``record_type``, ``type``, ``status``, units, ``esim_installation_status``,
``live_data_session``) ``category`` whose categories are the contract's values followed by any
other value seen; amounts, megabytes, ``utilization`` and device coordinates ``Float64``; flags
``boolean``; ``tags`` and ``authorized_imeis`` ``object`` columns of tuples of str (``None``
where the API sent null or nothing); ``resources_with_in_progress_actions`` JSON text;
``created_at``/``updated_at`` ``datetime64[ns, UTC]``.

Units convert in 1024 steps (B, KB, MB, GB, TB, any case; see :mod:`simtools.frames.units`).
Computed: ``utilization = consumed_mb / data_limit_mb`` (missing without a limit or with a limit of
0); ``headroom_mb = data_limit_mb - consumed_mb`` (negative when over); ``over_limit`` is True when
consumption exceeds the limit or the status is ``data_limit_exceeded``, False when a limit is known
and not exceeded, and also False when the SIM has no data limit at all (nothing to exceed), and
missing only when it cannot be told (consumption unknown, or the limit malformed). A consumed amount
without a unit is taken as MB (the API's documented default); a data limit without one is not
converted.

Values that do not fit (an unknown unit or status, an amount that is not a non-negative number, a
time that does not parse, a flag that is not true/false) never raise and never drop the row: the
value is kept as sent, whatever derives from it is missing, and one :class:`SimToolsDataWarning`
per call names each field with the SIM ids involved. When a value cannot be held in its column's
dtype (an amount, a time, a flag, a list) it is kept as text in a ``<column>_raw`` column, which
exists only when some value needed it and is missing on the rows that were fine.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import pandas as pd

from simtools.errors import InvalidInputError
from simtools.frames.build import RawColumns, read_columns
from simtools.frames.contracts import FLEET, SIM_CARDS
from simtools.frames.layout import is_sim_card
from simtools.frames.page_bodies import page_bodies
from simtools.frames.pages import sim_card_page_columns
from simtools.frames.records import collect_records, dump, refuse_other_record_types
from simtools.frames.series import BOOLEAN
from simtools.frames.units import megabytes
from simtools.results import RegistrationResult

__all__ = [
    "FULL_FORM_COLUMNS",
    "SIM_CARD_COLUMNS",
    "SIM_CARD_FIELD_PATHS",
    "checked_copy",
    "extract_sim_columns",
    "frame_from_columns",
    "sim_cards_frame",
    "with_group_names",
]

#: The columns of every SIM card frame, in order.
SIM_CARD_COLUMNS = SIM_CARDS.names
#: Fields only the full form (``GET /sim_cards/{id}``) has; present when the source has them.
FULL_FORM_COLUMNS = SIM_CARDS.optional_names
#: Where each raw column comes from in a SIM card object. ``frame_from_columns`` takes columns
#: by these names (values as sent, nothing computed), so a columnar reader can fill them directly.
SIM_CARD_FIELD_PATHS = SIM_CARDS.paths
_HINT = (
    "pass a register or list response (dict, JSON text or bytes), a list of SIM card dicts or "
    "models, a RegistrationResult, or an SDK response object"
)


def sim_cards_frame(source: Any) -> pd.DataFrame:
    """SIM cards as a DataFrame with the :data:`SIM_CARD_COLUMNS` contract (module docstring).

    ``source`` may be a :class:`~simtools.results.RegistrationResult`; a response dict
    (``{"data": [...]}`` or ``{"data": {...}}``), or its JSON text or bytes; an iterable (list,
    generator) of such page bodies as bytes or text, read column by column without an object per
    SIM (:mod:`simtools.frames.pages`; a body that is not a response with ``data`` raises
    :class:`~simtools.errors.InvalidInputError` naming the page); a list of SIM card dicts or
    :class:`~simtools.models.SimCard` models; an official ``telnyx`` SDK response or model (an
    SDK page object gives that page only: pass ``list(page)`` for all of them); or a DataFrame
    already in this shape (returned as a copy). Empty input gives an empty frame with the same
    columns and dtypes. The source is not mutated.
    """
    if isinstance(source, pd.DataFrame):
        return checked_copy(source, SIM_CARD_COLUMNS, _HINT)
    if isinstance(source, RegistrationResult):
        records: list[Mapping[str, Any]] = [dump(sim) or {} for sim in source.data]
    else:
        pages, source = page_bodies(source)
        if pages is not None:
            return frame_from_columns(sim_card_page_columns(pages))
        records = collect_records(source, "data", is_sim_card, "SIM cards", _HINT)
    refuse_other_record_types(records, "sim_card", _HINT)
    return frame_from_columns(extract_sim_columns(records))


def extract_sim_columns(records: list[Mapping[str, Any]]) -> dict[str, list[Any]]:
    """Step one for SIM card records: raw columns named as in :data:`SIM_CARD_FIELD_PATHS`,
    values as sent, plus one column per unknown field."""
    return SIM_CARDS.layout.extract(records)


def frame_from_columns(columns: Mapping[str, Any]) -> pd.DataFrame:
    """Step two: raw columns into the finished SIM card frame, with vectorised pandas operations.

    ``columns`` maps the names of :data:`SIM_CARD_FIELD_PATHS` (plus any unknown fields) to
    equal-length lists, numpy arrays, pandas Series, pyarrow arrays or polars Series holding the
    values as sent: ``status`` is ``status.value``, ``data_limit_amount`` the amount's decimal
    string, and so on. Missing contract columns are filled with missing values; full-form columns
    appear when given. The computed columns are computed here and may not be given.
    """
    raw = RawColumns(columns, SIM_CARDS)
    out = read_columns(raw)
    issues = raw.issues
    limit_mb = megabytes(out["data_limit_amount"], out["data_limit_unit"], "data_limit", issues)
    used_mb = megabytes(
        out["consumed_amount"], out["consumed_unit"], "consumed", issues, default_unit="MB"
    )
    exceeded = out["status"] == "data_limit_exceeded"  # codes compared; a missing status is False
    no_limit = raw.get("data_limit_amount").isna() & raw.get("data_limit_raw").isna()
    over = ((used_mb > limit_mb) | exceeded).mask(no_limit & ~exceeded, False)
    out |= {
        "data_limit_mb": limit_mb,
        "consumed_mb": used_mb,
        "utilization": used_mb / limit_mb.where(limit_mb > 0),
        "over_limit": over.astype(BOOLEAN),
        "headroom_mb": limit_mb - used_mb,
    }
    return raw.finish(out)


def with_group_names(frame: pd.DataFrame, names: Mapping[str, str | None]) -> pd.DataFrame:
    """A SIM card frame as the ``FLEET`` contract has it: ``sim_card_group_name`` (from
    ``names``, group id -> name; missing for an unknown id) right after ``sim_card_group_id``."""
    out = frame.drop(columns=["sim_card_group_name"], errors="ignore")
    mapped = out["sim_card_group_id"].map(dict(names)) if len(out) else out["sim_card_group_id"]
    at = list(out.columns).index("sim_card_group_id") + 1
    out.insert(at, "sim_card_group_name", mapped.astype(FLEET["sim_card_group_name"].dtype))
    return out


def checked_copy(frame: pd.DataFrame, columns: Sequence[str], hint: str) -> pd.DataFrame:
    """A copy of a frame already in a contract's shape; one lacking some columns is refused."""
    missing = [c for c in columns if c not in frame.columns]
    if missing:
        raise InvalidInputError(missing, f"the DataFrame lacks the columns {missing!r}", hint)
    return frame.copy()
