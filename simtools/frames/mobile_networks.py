"""Mobile networks by MCC and MNC: each network's country and operator name, from the table shipped
in ``simtools/frames/data/mcc_mnc.csv`` (its header names its origin, Wikipedia's lists of ITU-T
E.212 assignments, and its licence, CC BY-SA 3.0) (pure).

No well-kept package with a licence compatible with simtools' MIT was found: ``mcc-mnc-p1`` (kept
up, the source of this table's data) is AGPL-3.0 for its code, ``mccmnc`` downloads its table at
run time and ``mobile-codes`` was last released in 2014. An MNC is matched as written and, failing
that, by its number (``"015"`` and ``"15"``: networks and records do not always pad alike).
"""

from __future__ import annotations

import csv
from collections.abc import Mapping
from dataclasses import dataclass
from functools import cache
from importlib import resources
from types import MappingProxyType

import numpy as np
import pandas as pd

__all__ = ["MobileNetwork", "mobile_network", "mobile_networks", "name_networks"]


@dataclass(frozen=True, slots=True)
class MobileNetwork:
    """One network of the table: its codes, ISO 3166-1 alpha-2 country code (None for networks
    that span countries), country and operator names."""

    mcc: str
    mnc: str
    country_code: str | None
    country: str
    network_name: str


def _mnc_number(mnc: str) -> str:
    return mnc.lstrip("0") or "0"


@cache
def mobile_networks() -> Mapping[tuple[str, str], MobileNetwork]:
    """The shipped table, ``(mcc, mnc) -> MobileNetwork``; each MNC also by its number."""
    text = resources.files("simtools.frames").joinpath("data/mcc_mnc.csv").read_text("utf-8")
    lines = (line for line in text.splitlines() if not line.startswith("#"))
    table: dict[tuple[str, str], MobileNetwork] = {}
    for row in csv.DictReader(lines):
        network = MobileNetwork(
            row["mcc"], row["mnc"], row["country_code"] or None, row["country"], row["network_name"]
        )
        table.setdefault((network.mcc, network.mnc), network)
    for (mcc, mnc), network in list(table.items()):
        table.setdefault((mcc, _mnc_number(mnc)), network)
    return MappingProxyType(table)


def mobile_network(mcc: object, mnc: object) -> MobileNetwork | None:
    """The network with these codes, or None when the table has none (or a code is missing)."""
    if not isinstance(mcc, str) or not isinstance(mnc, str):
        return None
    table = mobile_networks()
    mcc, mnc = mcc.strip(), mnc.strip()
    return table.get((mcc, mnc)) or table.get((mcc, _mnc_number(mnc)))


def name_networks(mcc: pd.Series, mnc: pd.Series) -> dict[str, pd.Series]:
    """``country_code``, ``country`` and ``network_name`` (``string``) for each (mcc, mnc) pair,
    missing where the table has no such network. Looked up once per distinct pair (codes are
    factorized, never joined as text), so a year of records costs two factorizes."""
    mcc_codes, mccs = pd.factorize(mcc.astype("string"), use_na_sentinel=True)
    mnc_codes, mncs = pd.factorize(mnc.astype("string"), use_na_sentinel=True)
    pair = np.where(
        (mcc_codes < 0) | (mnc_codes < 0), -1, mcc_codes.astype(np.int64) * len(mncs) + mnc_codes
    )
    codes, pairs = pd.factorize(pair)
    networks = [
        None if p < 0 else mobile_network(str(mccs[p // len(mncs)]), str(mncs[p % len(mncs)]))
        for p in pairs
    ]
    out = {}
    for field in ("country_code", "country", "network_name"):
        values = pd.array(
            [None if n is None else getattr(n, field) for n in networks], dtype="string"
        )
        taken = values.take(codes) if len(values) else pd.array([], dtype="string")
        out[field] = pd.Series(taken, index=mcc.index, dtype="string")
    return out
