"""API objects as pandas DataFrames with a fixed column and dtype contract (pure, no I/O).

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

Dtypes: ids and other text ``string``; enums (``type``, ``status``, units,
``esim_installation_status``, ``live_data_session``) ``category`` whose categories are the
contract's values followed by any other value seen; amounts, megabytes, ``utilization`` and device
coordinates ``Float64``; flags ``boolean``; ``tags`` and ``authorized_imeis`` ``object`` columns
of tuples of str (``None`` where the API sent null or nothing); ``created_at``/``updated_at``
``datetime64[ns, UTC]``.

Units convert in 1024 steps (B, KB, MB, GB, TB, any case; see :mod:`simtools.frames.units`).
Derived: ``utilization = consumed_mb / data_limit_mb`` (missing without a limit or with a
limit of 0);
``headroom_mb = data_limit_mb - consumed_mb`` (negative when over); ``over_limit`` is True when
consumption exceeds the limit or the status is ``data_limit_exceeded``, False when a limit is known
and not exceeded, and also False when the SIM has no data limit at all (nothing to exceed), and
missing only when it cannot be told (consumption unknown, or the limit malformed). A consumed
amount without a unit is taken as MB (the API's documented default); a data limit without one is
not converted.

Values that do not fit (an unknown unit or status, an amount that is not a non-negative number, a
time that does not parse, a flag that is not true/false) never raise and never drop the row: the
value is kept as sent, whatever derives from it is missing, and one :class:`SimToolsDataWarning`
per call names each field with the SIM ids involved. When a value cannot be held in its column's
dtype (an amount, a time, a flag, a list) it is kept as text in a ``<column>_raw`` column, which
exists only when some value needed it and is missing on the rows that were fine.

``errors_frame``, ``registration_frame`` and ``sim_card_groups_frame`` follow the same rules with
their own column tuples (:data:`ERROR_COLUMNS`, :data:`REGISTRATION_COLUMNS`,
:data:`SIM_CARD_GROUP_COLUMNS`).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any, get_args, get_type_hints

import pandas as pd

from simtools.errors import ApiError, InvalidInputError, SimToolsDataWarning
from simtools.frames.coerce import (
    DataIssues,
    RawColumns,
    boolean,
    category,
    integer,
    json_text,
    number,
    text,
    timestamp,
)
from simtools.frames.layout import (
    DERIVED_COLUMNS,
    DEVICE_COLUMNS,
    ERROR_COLUMNS,
    ERROR_LAYOUT,
    FULL_FORM_COLUMNS,
    SIM_CARD_COLUMNS,
    SIM_CARD_FIELD_PATHS,
    SIM_CARD_GROUP_COLUMNS,
    SIM_CARD_GROUP_LAYOUT,
    SIM_CARD_LAYOUT,
    extract_sim_columns,
    is_error,
    is_sim_card,
    is_sim_card_group,
)
from simtools.frames.page_bodies import page_bodies
from simtools.frames.pages import sim_card_page_columns
from simtools.frames.records import collect_records, dump, refuse_other_record_types
from simtools.frames.series import BOOLEAN
from simtools.frames.units import amount_columns
from simtools.models import SIM_STATUSES, SIM_TYPES, ApiErrorObject
from simtools.results import OUTCOMES, CodeOutcome, RegistrationResult

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
    "registration_frame",
    "sim_card_groups_frame",
    "sim_cards_frame",
]


REGISTRATION_COLUMNS = (
    "position",
    "registration_code",
    "outcome",
    "error_code",
    "error_title",
    "error_detail",
    "reason",
    "source",
    "sim_card_id",
    "iccid",
    "status",
)
_OUTCOME_SOURCES: tuple[str, ...] = get_args(get_type_hints(CodeOutcome)["source"])
_ESIM_STATES = ("released", "disabled")
_SESSIONS = ("connected", "disconnected", "unknown")
_HINT = (
    "pass a register or list response (dict, JSON text or bytes), a list of SIM card dicts or "
    "models, a RegistrationResult, or an SDK response object"
)
_ERROR_HINT = (
    "pass a response with 'errors' (dict, JSON text or bytes), a list of error objects, a "
    "RegistrationResult, an ApiError, or an SDK response or exception"
)
_GROUP_HINT = (
    "pass a SIM card group response (dict, JSON text or bytes), a list of SimCardGroup models "
    "or dicts, or an SDK response object"
)


# -- SIM cards ----------------------------------------------------------------------------------


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
        return _checked_copy(source, SIM_CARD_COLUMNS, _HINT)
    if isinstance(source, RegistrationResult):
        records: list[Mapping[str, Any]] = [dump(sim) or {} for sim in source.data]
    else:
        pages, source = page_bodies(source)
        if pages is not None:
            return frame_from_columns(sim_card_page_columns(pages))
        records = collect_records(source, "data", is_sim_card, "SIM cards", _HINT)
    refuse_other_record_types(records, "sim_card", _HINT)
    return frame_from_columns(extract_sim_columns(records))


def frame_from_columns(columns: Mapping[str, Any]) -> pd.DataFrame:
    """Step two: raw columns into the finished SIM card frame, with vectorised pandas operations.

    ``columns`` maps the names of :data:`SIM_CARD_FIELD_PATHS` (plus any unknown fields) to
    equal-length lists, numpy arrays, pandas Series, pyarrow arrays or polars Series holding the
    values as sent: ``status`` is ``status.value``, ``data_limit_amount`` the amount's decimal
    string, and so on. Missing contract columns are filled with missing values; full-form columns
    appear when given. The derived columns are computed here and may not be given.
    """
    raw = RawColumns(columns, computed=DERIVED_COLUMNS, noun="SIM card")
    get, issues = raw.get, raw.issues
    out = {name: text(get(name), name, issues) for name in ("id", "iccid", "imsi", "msisdn")}
    out["type"] = category(get("type"), SIM_TYPES, "type", issues)
    out["status"] = category(get("status"), SIM_STATUSES, "status", issues)
    out["status_reason"] = text(get("status_reason"), "status_reason", issues)
    out["sim_card_group_id"] = text(get("sim_card_group_id"), "sim_card_group_id", issues)
    out["tags"] = raw.lists("tags")
    limit, limit_unit, limit_mb = amount_columns(
        get("data_limit_amount"), get("data_limit_unit"), "data_limit", issues
    )
    used, used_unit, used_mb = amount_columns(
        get("consumed_amount"), get("consumed_unit"), "consumed", issues, default_unit="MB"
    )
    exceeded = out["status"] == "data_limit_exceeded"  # codes compared; a missing status is False
    no_limit = get("data_limit_amount").isna() & get("data_limit_raw").isna()
    over = ((used_mb > limit_mb) | exceeded).mask(no_limit & ~exceeded, False)
    out |= {
        "data_limit_amount": limit,
        "data_limit_unit": limit_unit,
        "data_limit_mb": limit_mb,
        "consumed_amount": used,
        "consumed_unit": used_unit,
        "consumed_mb": used_mb,
        "utilization": used_mb / limit_mb.where(limit_mb > 0),
        "over_limit": over.astype(BOOLEAN),
        "headroom_mb": limit_mb - used_mb,
        "actions_in_progress": boolean(get("actions_in_progress"), "actions_in_progress", issues),
        "voice_enabled": boolean(get("voice_enabled"), "voice_enabled", issues),
        "esim_installation_status": category(
            get("esim_installation_status"), _ESIM_STATES, "esim_installation_status", issues
        ),
        "eid": text(get("eid"), "eid", issues),
        "version": text(get("version"), "version", issues),
        "authorized_imeis": raw.lists("authorized_imeis"),
        "created_at": timestamp(get("created_at"), "created_at", issues),
        "updated_at": timestamp(get("updated_at"), "updated_at", issues),
    }
    device = any(c in raw.raw for c in DEVICE_COLUMNS)
    for name in FULL_FORM_COLUMNS:
        if name in raw.raw or (device and name in DEVICE_COLUMNS):
            out[name] = _full_form_column(get(name), name, issues)
    return raw.finish(out, SIM_CARD_LAYOUT, SimToolsDataWarning)


def _full_form_column(values: pd.Series, name: str, issues: DataIssues) -> pd.Series:
    if name == "live_data_session":
        return category(values, _SESSIONS, name, issues)
    if name == "device_accuracy_unit":
        return category(values, ("m",), name, issues, warn=False)
    if name in DEVICE_COLUMNS:
        return number(values, name, issues, negative=True)
    return text(values, name, issues)


def _checked_copy(frame: pd.DataFrame, columns: Sequence[str], hint: str) -> pd.DataFrame:
    missing = [c for c in columns if c not in frame.columns]
    if missing:
        raise InvalidInputError(missing, f"the DataFrame lacks the columns {missing!r}", hint)
    return frame.copy()


# -- errors -------------------------------------------------------------------------------------


def errors_frame(source: Any, *, codes: Sequence[str] | None = None) -> pd.DataFrame:
    """API errors as a DataFrame with the :data:`ERROR_COLUMNS` contract, all ``string``.

    ``meta`` holds the error's ``meta`` object as JSON text. ``registration_code`` is the code an
    error points at (``source.pointer`` ``/registration_codes/<i>``): for a
    :class:`~simtools.results.RegistrationResult` it comes from the outcome that carries the
    error; for a raw response, pass the submitted ``codes`` to map the index. ``source`` may also
    be a response dict, JSON text or bytes, a list of error objects (dicts,
    :class:`~simtools.models.ApiErrorObject`, SDK models), an :class:`~simtools.errors.ApiError`
    or an SDK exception with a ``body``. A RegistrationResult gives every error its responses
    returned, plus errors attached to outcomes that no stored response holds.
    """
    if isinstance(source, RegistrationResult):
        if codes is not None:
            raise InvalidInputError(
                "codes", "codes= is for raw responses", "leave it out: the result knows its codes"
            )
        errors, mapped = _result_errors(source)
        records: list[Mapping[str, Any]] = [dump(e) or {} for e in errors]
    else:
        if isinstance(source, ApiError):
            source = source.errors
        elif isinstance(source, BaseException):
            source = getattr(source, "body", None) or source
        records = collect_records(source, "errors", is_error, "API errors", _ERROR_HINT)
        mapped = [_code_at(record, codes) for record in records]
    columns: dict[str, Any] = dict(ERROR_LAYOUT.extract(records))
    columns["registration_code"] = mapped
    raw = RawColumns(columns, noun="error", label_column=None)
    out = {
        name: json_text(raw.get(name)) if name == "meta" else text(raw.get(name), name, raw.issues)
        for name in ERROR_COLUMNS
    }
    return raw.finish(out, ERROR_LAYOUT, SimToolsDataWarning)


def _result_errors(result: RegistrationResult) -> tuple[list[ApiErrorObject], list[str | None]]:
    errors = list(result.errors)
    known = {id(e) for e in errors}
    for outcome in result.outcomes:
        if outcome.error is not None and id(outcome.error) not in known:
            known.add(id(outcome.error))
            errors.append(outcome.error)
    mapped: list[str | None] = []
    for error in errors:
        same = {o.registration_code for o in result.outcomes if o.error is error}
        if not same:
            same = {o.registration_code for o in result.outcomes if o.error == error}
        mapped.append(same.pop() if len(same) == 1 else None)
    return errors, mapped


def _code_at(record: Mapping[str, Any], codes: Sequence[str] | None) -> str | None:
    where = record.get("source")
    pointer = where.get("pointer") if isinstance(where, Mapping) else None
    if codes is None or not isinstance(pointer, str):
        return None
    index = ApiErrorObject.model_validate({"source": {"pointer": pointer}}).registration_index
    return codes[index] if index is not None and index < len(codes) else None


# -- registration -------------------------------------------------------------------------------


def registration_frame(result: RegistrationResult) -> pd.DataFrame:
    """One row per submitted entry (``result.outcomes``), :data:`REGISTRATION_COLUMNS`.

    ``outcome`` is a category of :data:`simtools.results.OUTCOMES`; ``error_*`` come from the
    API error that refused the code; ``sim_card_id``, ``iccid`` and ``status`` from the SIM the
    code became. The register response does not say which code became which SIM: the
    registration layer pairs them in submission order only when a response holds as many SIMs
    as codes, so these columns may be missing for registered codes.
    """
    if not isinstance(result, RegistrationResult):
        raise InvalidInputError(
            type(result).__name__,
            f"registration_frame needs a RegistrationResult, got a {type(result).__name__}",
            "pass what SimClient.register(...) returned",
        )
    outcomes = result.outcomes
    sims = [o.sim_card for o in outcomes]
    errors = [o.error for o in outcomes]
    raw = RawColumns(
        {
            "position": [o.position for o in outcomes],
            "registration_code": [o.registration_code for o in outcomes],
            "outcome": [o.outcome for o in outcomes],
            "error_code": [e.code if e else None for e in errors],
            "error_title": [e.title if e else None for e in errors],
            "error_detail": [e.detail if e else None for e in errors],
            "reason": [o.reason for o in outcomes],
            "source": [o.source for o in outcomes],
            "sim_card_id": [s.id if s else None for s in sims],
            "iccid": [s.iccid if s else None for s in sims],
            "status": [s.status.value if s and s.status else None for s in sims],
        },
        noun="entry",
        label_column="registration_code",
        label="code",
    )
    get, issues = raw.get, raw.issues
    out = {
        "position": integer(get("position"), "position", issues),
        "registration_code": text(get("registration_code"), "registration_code", issues),
        "outcome": category(get("outcome"), OUTCOMES, "outcome", issues),
        **{n: text(get(n), n, issues) for n in ("error_code", "error_title", "error_detail")},
        "reason": text(get("reason"), "reason", issues),
        "source": category(get("source"), _OUTCOME_SOURCES, "source", issues),
        "sim_card_id": text(get("sim_card_id"), "sim_card_id", issues),
        "iccid": text(get("iccid"), "iccid", issues),
        "status": category(get("status"), SIM_STATUSES, "status", issues),
    }
    return raw.finish(out, None, SimToolsDataWarning)


# -- SIM card groups ----------------------------------------------------------------------------


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
        return _checked_copy(source, SIM_CARD_GROUP_COLUMNS, _GROUP_HINT)
    lister = getattr(source, "list_sim_card_groups", None)
    if callable(lister):
        source = lister()
    records = collect_records(source, "data", is_sim_card_group, "SIM card groups", _GROUP_HINT)
    refuse_other_record_types(records, "sim_card_group", _GROUP_HINT)
    raw = RawColumns(SIM_CARD_GROUP_LAYOUT.extract(records), noun="SIM card group")
    get, issues = raw.get, raw.issues
    limit, limit_unit, limit_mb = amount_columns(
        get("data_limit_amount"), get("data_limit_unit"), "data_limit", issues
    )
    used, used_unit, used_mb = amount_columns(
        get("consumed_amount"), get("consumed_unit"), "consumed", issues, default_unit="MB"
    )
    built = {
        "default": boolean(get("default"), "default", issues),
        "data_limit_mb": limit_mb,
        "consumed_mb": used_mb,
        "sim_card_count": integer(get("sim_card_count"), "sim_card_count", issues),
        "data_limit_amount": limit,
        "data_limit_unit": limit_unit,
        "consumed_amount": used,
        "consumed_unit": used_unit,
        "created_at": timestamp(get("created_at"), "created_at", issues),
        "updated_at": timestamp(get("updated_at"), "updated_at", issues),
    }
    out = {c: built[c] if c in built else text(get(c), c, issues) for c in SIM_CARD_GROUP_COLUMNS}
    return raw.finish(out, SIM_CARD_GROUP_LAYOUT, SimToolsDataWarning)
