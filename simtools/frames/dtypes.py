"""The frame contracts' column dtypes, restored on frames that lost them (pure).

Text formats (CSV, JSON, Excel) and tools that concatenate or convert frames drop dtypes.
``FRAME_DTYPES`` names the kind of every column of the simtools frames; ``restore_frame_dtypes``
puts it back, and ``typed_frame`` turns a frame of raw cells (as read from a file) into one with
the contract dtypes for known columns and inferred ones for the rest. A column whose values do not
fit its kind is kept as it was (as text when it was raw cells) with a ``SimToolsDataWarning``.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import json
import re
import warnings
from typing import Any

import numpy as np
import pandas as pd

from simtools.errors import SimToolsDataWarning
from simtools.frames.units import DATA_UNITS
from simtools.history import CURRENCIES
from simtools.models import SIM_STATUSES, SIM_TYPES

__all__ = ["CATEGORY_VALUES", "FRAME_DTYPES", "restore_frame_dtypes", "typed_frame"]

_STRING = (
    "id iccid imsi msisdn status_reason sim_card_group_id sim_card_group_name eid version "
    "current_imei current_mcc current_mnc ipv4 ipv6 sim_card_id sim_group_id sim_group_name "
    "mcc mnc phone_number tag"
)
_FLOAT = (
    "data_limit_amount data_limit_mb consumed_amount consumed_mb utilization headroom_mb "
    "device_latitude device_longitude device_accuracy uplink_mb downlink_mb total_mb "
    "duration_s cost mean_utilization max_utilization elapsed_fraction projected_mb "
    "projected_utilization"
)
_BOOLEAN = "over_limit actions_in_progress voice_enabled projected_over_limit"
_INT = "sim_count sims_with_limit over_limit_count near_limit_count sessions"
_DATETIME = "created_at updated_at taken_at snapshot_date date limit_crossing_at"
_TUPLES = "tags authorized_imeis"
#: The values each category column of the frames knows; read-back categories list these first,
#: then any other value seen (sorted), as the frame builders do.
CATEGORY_VALUES: dict[str, tuple[str, ...]] = {
    "type": SIM_TYPES,
    "status": SIM_STATUSES,
    "data_limit_unit": DATA_UNITS,
    "consumed_unit": DATA_UNITS,
    "esim_installation_status": ("released", "disabled"),
    "live_data_session": ("connected", "disconnected", "unknown"),
    "device_accuracy_unit": ("m",),
    "currency": CURRENCIES,
}

#: Column -> kind for the columns of the simtools frames (sim cards, fleet, usage records,
#: daily usage, summaries, projections, snapshots); kinds: string, category, Float64, Int64,
#: boolean, datetime (UTC), tuple (of str). Columns named ``*_raw`` are string too.
FRAME_DTYPES: dict[str, str] = {
    **dict.fromkeys(_STRING.split(), "string"),
    **dict.fromkeys(CATEGORY_VALUES, "category"),
    **dict.fromkeys(_FLOAT.split(), "Float64"),
    **dict.fromkeys(_BOOLEAN.split(), "boolean"),
    **dict.fromkeys(_INT.split(), "Int64"),
    **dict.fromkeys(_DATETIME.split(), "datetime"),
    **dict.fromkeys(_TUPLES.split(), "tuple"),
}
_ISO_TIME = re.compile(r"^\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})?$")
_INTEGER = re.compile(r"^-?(0|[1-9]\d*)$")
_DECIMAL = re.compile(r"^-?((0|[1-9]\d*)(\.\d+)?|\.\d+)([eE][-+]?\d+)?$")
_TRUE_FALSE = {"true": True, "false": False}


def _coerce_or_keep(values: pd.Series, kind: str, column: object, where: str) -> pd.Series:
    try:
        return _coerce(values, kind, column)
    except (ValueError, TypeError) as exc:
        warnings.warn(
            f"{where}: column {column!r} does not read as {kind} ({exc}); kept as it was",
            SimToolsDataWarning,
            stacklevel=4,
        )
        return values if values.dtype != object else _coerce(values, "string")


def typed_frame(raw: pd.DataFrame, where: str, *, numbers: bool, lists: bool) -> pd.DataFrame:
    """Contract dtypes for known columns, inferred ones for the rest; ``numbers`` and ``lists``
    say whether text cells may hold numbers/booleans (CSV) or JSON lists (CSV, Excel)."""
    out = pd.DataFrame(index=pd.RangeIndex(len(raw)))
    for column in raw.columns:
        values = raw[column].astype(object).where(raw[column].notna(), None).reset_index(drop=True)
        kind = _contract_kind(column) or _infer_kind(values, numbers=numbers, lists=lists)
        out[column] = _coerce_or_keep(values, kind, column, where)
    return out


def _infer_kind(values: pd.Series, *, numbers: bool, lists: bool) -> str:
    present = [v for v in values if v is not None]
    if not present:
        return "object"
    for kind, types in (("boolean", bool), ("list", list), ("datetime", dt.datetime)):
        if all(isinstance(v, types) for v in present):
            return kind
    if all(isinstance(v, int | float) and not isinstance(v, bool) for v in present):
        return "Int64" if all(isinstance(v, int) for v in present) else "Float64"
    if not all(isinstance(v, str) for v in present):
        return "string"
    if numbers and all(v.lower() in _TRUE_FALSE for v in present):
        return "boolean"
    if numbers and all(_INTEGER.match(v) for v in present):
        return "Int64"
    if all(_ISO_TIME.match(v) for v in present):
        return "datetime"
    if lists and all(v.startswith("[") and v.endswith("]") for v in present):
        with contextlib.suppress(ValueError):
            if all(isinstance(json.loads(v), list) for v in present):
                return "list"
    if numbers and all(_DECIMAL.match(v) for v in present):
        return "Float64"
    return "string"


def _as_text(value: object) -> str:
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def _as_bool(value: object) -> bool:
    if isinstance(value, bool | np.bool_):
        return bool(value)
    if isinstance(value, str) and value.strip().lower() in _TRUE_FALSE:
        return _TRUE_FALSE[value.strip().lower()]
    if isinstance(value, int | float) and value in (0, 1):
        return bool(value)
    raise ValueError(f"{value!r} is not true or false")


def _as_list(value: object) -> list[Any]:
    parsed: object = value
    if isinstance(value, str):
        parsed = json.loads(value)
    elif isinstance(value, tuple | np.ndarray):
        parsed = list(value)
    if not isinstance(parsed, list):
        raise ValueError(f"{value!r} is not a list")
    return parsed


def _coerce(values: pd.Series, kind: str, column: object = None) -> pd.Series:
    """``values`` (missing as None or NA) as the dtype of ``kind``."""
    present = values.notna()
    if kind == "string":
        return values.map(_as_text, na_action="ignore").astype("string")
    if kind == "category":
        if isinstance(values.dtype, pd.CategoricalDtype):
            return values
        texts = values.astype(object).map(_as_text, na_action="ignore")
        known = CATEGORY_VALUES.get(str(column), ())
        others = sorted(set(texts.dropna()) - set(known))
        return texts.astype(pd.CategoricalDtype([*known, *others]))
    if kind in ("Float64", "Int64"):
        numbers = pd.to_numeric(values.astype(object).where(present, np.nan), errors="raise")
        return numbers.astype("Float64" if kind == "Float64" else "Int64")
    if kind == "boolean":
        return values.map(_as_bool, na_action="ignore").astype("boolean")
    if kind == "datetime":
        if isinstance(values.dtype, pd.DatetimeTZDtype) or values.dtype.kind == "M":
            parsed = pd.to_datetime(values, utc=True)
        elif all(isinstance(v, str) for v in values[present]):
            parsed = pd.to_datetime(values, utc=True, format="ISO8601")
        else:
            parsed = pd.to_datetime(values.map(pd.Timestamp, na_action="ignore"), utc=True)
        return parsed.astype("datetime64[ns, UTC]")
    if kind in ("list", "tuple"):
        shape = list if kind == "list" else tuple
        return values.astype(object).map(lambda v: shape(_as_list(v)), na_action="ignore")
    return values.astype(object)


def _contract_kind(column: object) -> str | None:
    name = str(column)
    return FRAME_DTYPES.get(name) or ("string" if name.endswith("_raw") else None)


def restore_frame_dtypes(df: pd.DataFrame) -> pd.DataFrame:
    """A copy of ``df`` whose ``FRAME_DTYPES`` columns have their contract dtype again (e.g.
    after ``pd.concat`` turned categories into objects); other columns are left as they are."""
    out = df.copy()
    for column in out.columns:
        kind = _contract_kind(column)
        if kind is not None and str(out[column].dtype) != kind:
            out[column] = _coerce_or_keep(out[column], kind, column, "restore_frame_dtypes")
    return out
