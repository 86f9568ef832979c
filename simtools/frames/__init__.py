"""The frame layer: API objects and files as pandas DataFrames with declared columns (pure).

Everything about a frame's columns lives in this package: where each column comes from on the
wire, its dtype, how values are coerced (and reported when they do not fit), the columnar page
reader, units, the builders and the file round trip.
"""

from __future__ import annotations

from simtools.frames.files import read_frame, write_frame
from simtools.frames.sim_cards import (
    ERROR_COLUMNS,
    FULL_FORM_COLUMNS,
    REGISTRATION_COLUMNS,
    SIM_CARD_COLUMNS,
    SIM_CARD_FIELD_PATHS,
    SIM_CARD_GROUP_COLUMNS,
    SimToolsDataWarning,
    errors_frame,
    extract_sim_columns,
    frame_from_columns,
    registration_frame,
    sim_card_groups_frame,
    sim_cards_frame,
)

__all__ = [
    "ERROR_COLUMNS",
    "FULL_FORM_COLUMNS",
    "REGISTRATION_COLUMNS",
    "SIM_CARD_COLUMNS",
    "SIM_CARD_FIELD_PATHS",
    "SIM_CARD_GROUP_COLUMNS",
    "SimToolsDataWarning",
    "errors_frame",
    "extract_sim_columns",
    "frame_from_columns",
    "read_frame",
    "registration_frame",
    "sim_card_groups_frame",
    "sim_cards_frame",
    "write_frame",
]
