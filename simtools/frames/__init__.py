"""The frame layer: API objects and files as pandas DataFrames with declared columns (pure).

Everything about a frame's columns lives in this package. Each frame family's columns are
declared once, in :mod:`simtools.frames.contracts`; the rest is derived from those tables: where
each column comes from on the wire (the record path, :mod:`~simtools.frames.layout`, and the
columnar page reader, :mod:`~simtools.frames.pages`), the dtypes and how values are coerced and
reported when they do not fit (:mod:`~simtools.frames.build`), units, the builders and the file
round trip (:mod:`~simtools.frames.files`).
"""

from __future__ import annotations

from simtools.frames.contracts import CONTRACTS
from simtools.frames.files import read_frame, write_frame
from simtools.frames.groups import SIM_CARD_GROUP_COLUMNS, sim_card_groups_frame
from simtools.frames.outcomes import (
    ERROR_COLUMNS,
    REGISTRATION_COLUMNS,
    errors_frame,
    registration_frame,
)
from simtools.frames.restore import restore_frame_dtypes
from simtools.frames.sim_cards import (
    FULL_FORM_COLUMNS,
    SIM_CARD_COLUMNS,
    SIM_CARD_FIELD_PATHS,
    extract_sim_columns,
    frame_from_columns,
    sim_cards_frame,
)
from simtools.frames.usage_records import USAGE_RECORD_COLUMNS, usage_records_frame

__all__ = [
    "CONTRACTS",
    "ERROR_COLUMNS",
    "FULL_FORM_COLUMNS",
    "REGISTRATION_COLUMNS",
    "SIM_CARD_COLUMNS",
    "SIM_CARD_FIELD_PATHS",
    "SIM_CARD_GROUP_COLUMNS",
    "USAGE_RECORD_COLUMNS",
    "errors_frame",
    "extract_sim_columns",
    "frame_from_columns",
    "read_frame",
    "registration_frame",
    "restore_frame_dtypes",
    "sim_card_groups_frame",
    "sim_cards_frame",
    "usage_records_frame",
    "write_frame",
]
