"""What ``fleet_frame(client, include=[...])`` can join onto the fleet, by name.

Each entry is a function ``(client, fleet) -> fleet`` that fetches what it needs for the SIMs of
the frame and returns the frame with its own declared columns added (declare them in
:mod:`simtools.frames.contracts`); the names are what users pass in ``include``.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from types import MappingProxyType
from typing import TYPE_CHECKING

import pandas as pd

from simtools.errors import InvalidInputError
from simtools.workflows.fleet_alerts import join_alerts
from simtools.workflows.wireless_extras import WIRELESS_EXTRAS

if TYPE_CHECKING:
    from simtools.client import SimClient

__all__ = ["FLEET_EXTRAS", "check_include", "join_extras"]

Extra = Callable[["SimClient", pd.DataFrame], pd.DataFrame]

#: Name -> the function that joins it on.
FLEET_EXTRAS: Mapping[str, Extra] = MappingProxyType(
    {
        **WIRELESS_EXTRAS,
        # alert_mb, alert_ids: each SIM's data usage notification thresholds (FLEET_ALERTS).
        "alerts": join_alerts,
    }
)


def check_include(include: Iterable[str] | str | None) -> tuple[str, ...]:
    """The names of ``include``, each known, in the order given (before anything is sent)."""
    if include is None:
        return ()
    names = [include] if isinstance(include, str) else list(include)
    unknown = [n for n in names if not isinstance(n, str) or n not in FLEET_EXTRAS]
    if unknown:
        known = ", ".join(map(repr, FLEET_EXTRAS)) or "none yet"
        raise InvalidInputError(
            unknown,
            f"fleet_frame cannot include {', '.join(map(repr, unknown))}",
            f"pass include= with any of: {known}",
        )
    return tuple(dict.fromkeys(names))


def join_extras(client: SimClient, fleet: pd.DataFrame, names: tuple[str, ...]) -> pd.DataFrame:
    """``fleet`` with each named extra joined on, in order."""
    for name in names:
        fleet = FLEET_EXTRAS[name](client, fleet)
    return fleet
