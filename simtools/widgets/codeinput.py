"""What the registration form reads (pure): pasted and uploaded codes, tags, groups, the preview.

Every decision the form makes about its input lives here, so it can be tested without widgets.
"""

from __future__ import annotations

import dataclasses
import tempfile
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path, PurePath
from typing import Any

import pandas as pd

from simtools.errors import InvalidInputError
from simtools.inputs.arguments import check_tags
from simtools.inputs.codes import CodeEntry, ParsedCodes, parse_codes
from simtools.models import CodeValidation, SimCardGroup

__all__ = [
    "PREVIEW_CHECKS",
    "PREVIEW_COLUMNS",
    "Upload",
    "group_label",
    "group_options",
    "parse_tags_text",
    "parse_upload",
    "preview_frame",
    "read_form_codes",
    "uploads_from_widget",
]

#: Columns of the Validate preview, one row per entry.
PREVIEW_COLUMNS = ("position", "where", "value", "check", "detail")
#: What the preview says about an entry: ``valid`` (and, after the API check, not yet used),
#: ``duplicate`` of an earlier entry, ``malformed`` (not 10 digits), ``already used`` (the API says
#: it was registered before), ``rejected`` (the API refused it for another reason),
#: ``not checked`` (the API answered nothing about it).
PREVIEW_CHECKS = ("valid", "duplicate", "malformed", "already used", "rejected", "not checked")
_TEXT_SUFFIXES = ("", ".txt", ".text", ".lst", ".dat")
_TABLE_SUFFIXES = (".csv", ".tsv")
_SPREADSHEETS = (".xlsx", ".xlsm", ".xls", ".ods", ".numbers")
_NOTHING_HINT = (
    "paste codes into the box (one per line, or separated by commas or spaces) "
    "or upload a CSV or text file"
)


@dataclass(frozen=True)
class Upload:
    """One uploaded file: its name as the browser gave it, and its bytes."""

    name: str
    content: bytes

    def __repr__(self) -> str:
        return f"Upload(name={self.name!r}, {len(self.content):,} bytes)"


def uploads_from_widget(value: Any) -> list[Upload]:
    """The files of a ``FileUpload.value`` (ipywidgets 8: a tuple of dicts with name/content)."""
    if isinstance(value, Mapping):  # ipywidgets 7 kept a {name: {...}} dict
        items: Iterable[Any] = [{"name": k, **v} for k, v in value.items()]
    else:
        items = value or ()
    uploads = []
    for item in items:
        name = item.get("name") if isinstance(item, Mapping) else getattr(item, "name", None)
        content = (
            item.get("content") if isinstance(item, Mapping) else getattr(item, "content", None)
        )
        if content is None:
            continue
        uploads.append(Upload(str(name or "upload"), bytes(content)))
    return uploads


def parse_upload(upload: Upload) -> ParsedCodes:
    """The entries of one uploaded CSV/TSV (header row found as for a file) or text file.

    Each entry's ``where`` names the file, e.g. ``codes.csv row 3``.
    """
    name = PurePath(upload.name).name or "upload"
    suffix = PurePath(name).suffix.lower()
    if suffix in _SPREADSHEETS:
        raise InvalidInputError(
            name,
            f"{name!r} is a spreadsheet, which the form cannot read",
            "save it as CSV (with the codes formatted as text) and upload the CSV",
        )
    if suffix in _TABLE_SUFFIXES:
        # The CSV reader of parse_codes works on files; a private folder holds the upload.
        with tempfile.TemporaryDirectory(prefix="simtools-upload-") as folder:
            path = Path(folder) / name
            path.write_bytes(upload.content)
            try:
                parsed = parse_codes(path, errors="collect")
            except InvalidInputError as exc:
                raise _in_upload(exc, name, str(path)) from None
    else:
        try:
            parsed = parse_codes(upload.content, errors="collect")
        except InvalidInputError as exc:
            raise _in_upload(exc, name, None) from None
    entries = (dataclasses.replace(e, where=f"{name} {e.where}") for e in parsed.entries)
    return ParsedCodes(tuple(entries))


def _in_upload(exc: InvalidInputError, name: str, temp_path: str | None) -> InvalidInputError:
    reason = exc.reason
    if temp_path is not None:
        reason = reason.replace(repr(temp_path), repr(name)).replace(temp_path, name)
    else:
        reason = reason.replace("the text", f"upload {name!r}")
    if name not in reason:
        reason = f"upload {name!r}: {reason}"
    return InvalidInputError(exc.value, reason, exc.hint, problems=exc.problems)


def read_form_codes(text: str, uploads: Sequence[Upload] = ()) -> ParsedCodes:
    """Every entry of the text box and the uploaded files, numbered 1, 2, ... across all of them.

    A code repeated in a later source is a ``duplicate`` of its first appearance. Raises
    ``InvalidInputError`` when there is nothing at all to read.
    """
    sources: list[ParsedCodes] = []
    if text and text.strip():
        sources.append(parse_codes(text, errors="collect"))
    sources.extend(parse_upload(u) for u in uploads)
    if not sources:
        raise InvalidInputError(text, "no registration codes were entered", _NOTHING_HINT)
    first_seen: dict[str, str] = {}
    entries: list[CodeEntry] = []
    for parsed in sources:
        for entry in parsed.entries:
            kind, reason = entry.kind, entry.reason
            if kind == "valid":
                if entry.value in first_seen:
                    kind, reason = "duplicate", f"repeats {first_seen[entry.value]}"
                else:
                    first_seen[entry.value] = entry.where
            entries.append(
                dataclasses.replace(entry, position=len(entries) + 1, kind=kind, reason=reason)
            )
    return ParsedCodes(tuple(entries))


def parse_tags_text(text: str) -> list[str] | None:
    """Tags typed as ``fleet-a, berlin``; ``None`` when the box is empty.

    Empty pieces between commas are refused rather than dropped, so a stray comma is noticed.
    """
    if text is None or not str(text).strip():
        return None
    pieces = [piece.strip() for piece in str(text).split(",")]
    if pieces and not pieces[-1]:  # one trailing comma is harmless
        pieces.pop()
    if any(not piece for piece in pieces):
        raise InvalidInputError(
            text,
            f"the tags {text!r} contain an empty tag (two commas in a row, or a leading comma)",
            "separate tags with single commas, e.g. fleet-a, berlin",
        )
    return check_tags(pieces)


def group_label(group: SimCardGroup) -> str:
    """``name (N SIMs)``, or the id when the group has no name."""
    name = group.name or group.id or "(unnamed group)"
    count = group.sim_card_count
    if count is None:
        return name
    return f"{name} ({count:,} SIM{'' if count == 1 else 's'})"


def group_options(
    groups: Sequence[SimCardGroup],
) -> tuple[list[tuple[str, str | None]], str | None]:
    """Dropdown options ``(label, group id)`` sorted by name, and the value to preselect.

    The account's default group is preselected; without one, the first option ``(account
    default)`` sends no group, so the API picks the default itself.
    """
    named = sorted(
        (g for g in groups if g.id),
        key=lambda g: (not g.default, (g.name or "").lower(), g.id or ""),
    )
    options: list[tuple[str, str | None]] = [
        (group_label(g) + (" [default]" if g.default else ""), g.id) for g in named
    ]
    default = next((g.id for g in named if g.default), None)
    if default is None:
        options.insert(0, ("(account default)", None))
    return options, default


def preview_frame(
    parsed: ParsedCodes, validations: Sequence[CodeValidation] | None = None
) -> pd.DataFrame:
    """One row per entry (``PREVIEW_COLUMNS``) saying whether it would be registered.

    ``validations`` are the API's answers for the valid codes; without them valid entries are
    ``valid`` on their format alone.
    """
    answers = {v.registration_code: v for v in validations or () if v.registration_code}
    rows: list[tuple[int, str, str, str, str | None]] = []
    for entry in parsed.entries:
        check, detail = _entry_check(entry, answers, validations is not None)
        rows.append((entry.position, entry.where, entry.value, check, detail))
    frame = pd.DataFrame(rows, columns=list(PREVIEW_COLUMNS))
    return frame.astype(
        {
            "position": "Int64",
            "where": "string",
            "value": "string",
            "check": pd.CategoricalDtype(list(PREVIEW_CHECKS)),
            "detail": "string",
        }
    )


def _entry_check(
    entry: CodeEntry, answers: Mapping[str, CodeValidation], checked: bool
) -> tuple[str, str | None]:
    if entry.kind == "invalid":
        return "malformed", entry.reason
    if entry.kind == "duplicate":
        return "duplicate", entry.reason
    if not checked:
        return "valid", "format is fine (not checked with the API)"
    answer = answers.get(entry.value)
    if answer is None:
        return "not checked", "the API did not report on this code"
    if answer.valid:
        return "valid", None
    if answer.already_used:
        return "already used", answer.invalid_detail
    return "rejected", answer.invalid_detail or "the API refused this code"
