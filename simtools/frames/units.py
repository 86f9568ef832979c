"""Data amounts and their units: conversion to megabytes in 1024 steps (pure).

Telnyx sends amounts as decimal strings with a unit, ``{"amount": "2048.0", "unit": "MB"}``, and
writes 2 GB as ``"2048.0 MB"``: its units step by 1024, so 1 GB = 1024 MB and 1 MB = 1024 KB.
Units are matched case-insensitively after trimming spaces: ``B``, ``KB``, ``MB``, ``GB``, ``TB``.
"""

from __future__ import annotations

import math
import numbers
from collections.abc import Mapping
from types import MappingProxyType

import numpy as np
import pandas as pd

from simtools.errors import InvalidInputError
from simtools.frames.issues import DataIssues
from simtools.frames.series import FLOAT

__all__ = ["DATA_UNITS", "MB_PER_UNIT", "megabytes", "to_megabytes", "unit_factor"]

#: The units the contract knows, smallest first.
DATA_UNITS = ("B", "KB", "MB", "GB", "TB")
#: Megabytes in one of each unit (1024 steps).
MB_PER_UNIT: Mapping[str, float] = MappingProxyType(
    {unit: 1024.0 ** (i - 2) for i, unit in enumerate(DATA_UNITS)}
)


def unit_factor(unit: object) -> float | None:
    """Megabytes per ``unit`` (``"gb"`` and ``" GB "`` work too), or ``None`` if unknown."""
    if not isinstance(unit, str):
        return None
    return MB_PER_UNIT.get(unit.strip().upper())


def to_megabytes(amount: object, unit: object = "MB") -> float:
    """``amount`` of ``unit`` in megabytes: ``to_megabytes("2", "GB") == 2048.0``.

    ``amount`` may be a number or a decimal string. Raises
    :class:`~simtools.errors.InvalidInputError` for an unknown unit or an amount that is not a
    finite, non-negative number.
    """
    factor = unit_factor(unit)
    if factor is None:
        raise InvalidInputError(
            unit, f"{unit!r} is not a data unit", f"use one of {', '.join(DATA_UNITS)}"
        )
    value: float | None = None
    if isinstance(amount, numbers.Real) and not isinstance(amount, bool):
        value = float(amount)
    elif isinstance(amount, str):
        try:
            value = float(amount.strip())
        except ValueError:
            value = None
    if value is None or not math.isfinite(value) or value < 0:
        raise InvalidInputError(
            amount,
            f"{amount!r} is not a non-negative amount of data",
            "pass a number or a decimal string such as '2048.0'",
        )
    return value * factor


def megabytes(
    amount: pd.Series,
    unit: pd.Series,
    prefix: str,
    issues: DataIssues,
    *,
    default_unit: str | None = None,
) -> pd.Series:
    """Vectorised megabytes of one ``{amount, unit}`` field, from its coerced columns.

    ``amount`` is the ``Float64`` amount and ``unit`` the unit as sent (``category``). An unknown
    unit, or an amount without a unit (unless ``default_unit`` applies), leaves the megabytes
    missing and is reported under ``<prefix>_unit``.
    """
    # One factor per distinct unit, then one lookup per row by category code.
    per_category = [unit_factor(u) for u in unit.cat.categories]
    factors = np.array([np.nan if f is None else f for f in per_category] + [np.nan])
    codes = unit.cat.codes.to_numpy()
    missing = pd.Series(codes == -1, index=unit.index)
    factor = pd.Series(factors[codes], index=unit.index).astype(FLOAT)
    unknown = ~missing & factor.isna()
    issues.report(
        f"{prefix}_unit",
        unknown,
        "a unit the contract does not know "
        f"({', '.join(map(repr, sorted(set(unit[unknown].astype(str)))[:5]))}; "
        f"known: {', '.join(DATA_UNITS)})",
        f"kept as sent, {prefix}_mb left missing",
    )
    if default_unit is not None:
        factor = factor.mask(missing, MB_PER_UNIT[default_unit])
    else:
        no_unit = amount.notna() & missing
        issues.report(
            f"{prefix}_unit", no_unit, "an amount without a unit", f"{prefix}_mb left missing"
        )
    return amount * factor
