"""API errors and registration outcomes as DataFrames (``ERRORS`` and ``REGISTRATION`` contracts).

``errors_frame`` gives Telnyx's ``errors`` list, one row per error, with the registration code an
error points at; ``registration_frame`` one row per entry a registration was given, with what
became of it. Both follow the rules of :mod:`simtools.frames.build`: declared columns in order,
values that do not fit kept and reported (pure).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import pandas as pd

from simtools.errors import ApiError, InvalidInputError
from simtools.frames.build import RawColumns, read_columns
from simtools.frames.contracts import ERRORS, REGISTRATION
from simtools.frames.layout import is_error
from simtools.frames.records import collect_records, dump
from simtools.models import ApiErrorObject
from simtools.results import RegistrationResult
from simtools.wording import a_type

__all__ = ["ERROR_COLUMNS", "REGISTRATION_COLUMNS", "errors_frame", "registration_frame"]

ERROR_COLUMNS = ERRORS.names
REGISTRATION_COLUMNS = REGISTRATION.names
_ERROR_HINT = (
    "pass a response with 'errors' (dict, JSON text or bytes), a list of error objects, a "
    "RegistrationResult, an ApiError, or an SDK response or exception"
)


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
    raw = RawColumns(ERRORS.layout.extract(records), ERRORS)
    out = read_columns(raw)
    out["registration_code"] = pd.Series(mapped, dtype=ERRORS["registration_code"].dtype)
    return raw.finish(out)


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
            f"registration_frame needs a RegistrationResult, got {a_type(result)}",
            "pass what SimClient.register(...) returned",
        )
    outcomes = result.outcomes
    sims = [o.sim_card for o in outcomes]
    errors = [o.error for o in outcomes]
    columns = {
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
    }
    raw = RawColumns(columns, REGISTRATION, label_name="code")
    return raw.finish(read_columns(raw))
