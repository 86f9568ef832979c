"""eSIM activation codes as QR codes, and the printable sheet of labels written where the user
names.

The sheet is the one place simtools writes activation codes: as QR codes a phone or module scans,
and as text for devices that take the LPA string by hand. It is written only by
:func:`write_label_sheet`, to a path the caller gives, readable by its owner alone (mode 0600),
and it says on every page that it holds secrets. QR codes are drawn with segno (pure Python, no
dependencies), as inline SVG so that the sheet is one self-contained HTML file that prints sharp at
any size; print it to paper or PDF from the browser.
"""

from __future__ import annotations

import html
import os
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import segno
from pydantic import SecretStr

from simtools.errors import InvalidInputError
from simtools.workflows.esim_onboarding import EsimLabel, EsimOnboarding

__all__ = ["label_payload", "label_sheet_html", "qr_svg", "write_label_sheet"]

#: Each label on an A4 page: three across, as on common 63.5 x 38.1 mm sticker sheets, a little
#: taller so that the code's text fits below the QR code.
_CSS = """
@page { size: A4; margin: 10mm; }
body { font-family: system-ui, sans-serif; margin: 0; color: #111; }
header { border: 2px solid #b00020; padding: 6px 10px; margin: 0 0 6mm 0; font-size: 10pt; }
header strong { color: #b00020; }
.sheet { display: grid; grid-template-columns: repeat(3, 63.5mm); gap: 3mm; }
.label { border: 1px dashed #999; padding: 2mm; height: 50mm; box-sizing: border-box;
         break-inside: avoid; display: flex; flex-direction: column; align-items: center; }
.label svg { width: 36mm; height: 36mm; }
.iccid { font: 600 9pt ui-monospace, monospace; margin-top: 1mm; }
.meta { font-size: 7pt; color: #444; text-align: center; overflow-wrap: anywhere; }
.code { font: 6.5pt ui-monospace, monospace; overflow-wrap: anywhere; text-align: center;
        margin-top: 1mm; }
"""
_WARNING = (
    "<strong>Secret:</strong> each code below installs an eSIM on any device that scans it. "
    "Keep this sheet with the devices it is for, and destroy it once they are installed."
)


def qr_svg(code: SecretStr | str, *, scale: int = 4) -> str:
    """The activation code as an inline SVG QR code, with the four-module quiet zone the
    standard asks for (error correction M, or higher where it fits: segno boosts it without
    growing the symbol). It has a viewBox and no size, so CSS sizes it."""
    value = code.get_secret_value() if isinstance(code, SecretStr) else code
    try:
        symbol = segno.make(value, error="m", micro=False)
    except segno.DataOverflowError:
        # The message quotes no data; the code itself must not reach the traceback.
        raise InvalidInputError(
            "<activation code>", "the activation code is too long for a QR code", "check it"
        ) from None
    return str(symbol.svg_inline(scale=scale, dark="#000", light="#fff", border=4, omitsize=True))


def _label_html(label: EsimLabel) -> str:
    code = label.activation_code.get_secret_value()
    return (
        '<div class="label">'
        f"{qr_svg(code)}"
        f'<div class="iccid">ICCID {html.escape(label.iccid or "?")}</div>'
        f'<div class="meta">SIM {html.escape(label.sim_card_id)}</div>'
        f'<div class="code">{html.escape(code)}</div>'
        "</div>"
    )


def _labels(source: EsimOnboarding | Iterable[EsimLabel]) -> list[EsimLabel]:
    labels = source.labels() if isinstance(source, EsimOnboarding) else list(source)
    wrong = [type(label).__name__ for label in labels if not isinstance(label, EsimLabel)]
    if wrong:
        raise InvalidInputError(
            wrong[0], f"a label must be an EsimLabel, got {wrong[0]}", "pass onboarding.labels()"
        )
    return labels


def label_sheet_html(
    source: EsimOnboarding | Iterable[EsimLabel], *, title: str = "eSIM activation codes"
) -> str:
    """The printable sheet as one HTML document: a warning, then one label per eSIM whose code
    is still valid (QR code, ICCID, SIM id, the code as text)."""
    labels = _labels(source)
    body = "".join(_label_html(label) for label in labels) or "<p>No activation codes held.</p>"
    return (
        "<!DOCTYPE html><html lang='en'><head><meta charset='utf-8'>"
        f"<title>{html.escape(title)}</title><style>{_CSS}</style></head><body>"
        f"<header>{_WARNING} {len(labels)} label(s).</header>"
        f'<div class="sheet">{body}</div></body></html>'
    )


def write_label_sheet(
    source: EsimOnboarding | Iterable[EsimLabel],
    path: str | os.PathLike[str],
    *,
    title: str = "eSIM activation codes",
    overwrite: bool = False,
) -> Path:
    """Write the label sheet to ``path`` (an ``.html`` file, mode 0600) and return it. An
    existing file is replaced only with ``overwrite=True``."""
    if not isinstance(path, str | os.PathLike) or not str(path).strip():
        raise InvalidInputError(
            path, "the label sheet needs a file path", "pass e.g. path='esim-labels.html'"
        )
    target = Path(path)
    if target.suffix.lower() not in (".html", ".htm"):
        raise InvalidInputError(
            str(target), "the label sheet is an HTML file", "name it e.g. 'esim-labels.html'"
        )
    if target.exists() and not overwrite:
        raise InvalidInputError(
            str(target), "the file exists already", "pass overwrite=True or another path"
        )
    text = label_sheet_html(source, title=title)
    target.parent.mkdir(parents=True, exist_ok=True)
    flags = os.O_WRONLY | os.O_CREAT | os.O_TRUNC
    descriptor = os.open(target, flags, 0o600)
    with os.fdopen(descriptor, "w", encoding="utf-8") as handle:
        handle.write(text)
    os.chmod(target, 0o600)  # also when the file existed with wider rights
    return target


def label_payload(labels: Iterable[EsimLabel], *, scale: int = 4) -> list[dict[str, Any]]:
    """What the QR widget sends its view for each label: the QR code's SVG, ICCID and SIM id
    (the code's text is not sent: the view only draws it)."""
    return [
        {
            "sim_card_id": label.sim_card_id,
            "iccid": label.iccid,
            "svg": qr_svg(label.activation_code, scale=scale),
        }
        for label in labels
    ]
