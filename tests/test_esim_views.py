"""The views of eSIM onboarding: the QR widget sends QR codes to a view that asks and holds none in
its state; the label sheet is written only where asked, owner-only, with every valid code."""

from __future__ import annotations

import io
import stat
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import segno

from simtools.client import SimClient
from simtools.errors import InvalidInputError
from simtools.esim_labels import label_sheet_html, qr_svg, write_label_sheet
from simtools.sandbox import Sandbox, serve
from simtools.widgets.esim_qr import EsimQrForm, esim_qr_form
from simtools.workflows.esim_onboarding import (
    EsimOnboarding,
    follow_installation,
    onboard_esims,
)


@pytest.fixture(scope="module")
def sb() -> Iterator[Sandbox]:
    with serve(fleet_size=20, seed=51) as sandbox:
        yield sandbox


@pytest.fixture(scope="module")
def onboarding(sb: Sandbox) -> Iterator[EsimOnboarding]:
    """Three eSIMs bought, one of them installed since."""
    with SimClient(sb.api_key, base_url=sb.base_url) as client:
        bought = onboard_esims(client, 3, tags=["views"])
        sb.state.enrolment.install_esim(bought.sim_card_ids[0])
        yield follow_installation(client, bought)


def codes(onboarding: EsimOnboarding) -> list[str]:
    return [label.activation_code.get_secret_value() for label in onboarding.labels()]


def recording(form: EsimQrForm) -> list[dict[str, Any]]:
    """The messages the widget sends its views, as a front end would receive them."""
    sent: list[dict[str, Any]] = []
    form.comm.send = lambda data=None, metadata=None, buffers=None: sent.append(data)  # type: ignore[method-assign, union-attr]
    return sent


def test_clicking_show_sends_the_qr_codes_of_the_valid_codes(onboarding: EsimOnboarding) -> None:
    """The view's Show click reaches the kernel, which answers with one QR code per eSIM still
    waiting for a device (the installed one has none), with its ICCID."""
    form = esim_qr_form(onboarding, title="Batch 7")
    sent = recording(form)
    assert form.count == 2
    form._handle_custom_msg({"type": "show"}, [])
    ((message,),) = [[m for m in sent if m["method"] == "custom"]]
    labels = message["content"]["labels"]
    assert [label["sim_card_id"] for label in labels] == onboarding.sim_card_ids[1:]
    assert [label["svg"] for label in labels] == [qr_svg(code) for code in codes(onboarding)]
    assert all(label["iccid"] for label in labels)
    assert form.sent == 1


def test_the_widgets_state_holds_no_code_and_no_qr_code(onboarding: EsimOnboarding) -> None:
    """What a saved notebook would keep of the widget (its synced state, its repr) holds
    neither the codes nor their QR codes, before and after a Show."""
    form = esim_qr_form(onboarding)
    recording(form)
    form._handle_custom_msg({"type": "show"}, [])
    saved = f"{form.get_state()!r} {form!r}"
    for code in codes(onboarding):
        assert code not in saved
        assert code.rsplit("$", 1)[-1] not in saved
        assert qr_svg(code) not in saved
    assert "<svg" not in saved


def test_forget_drops_the_codes_and_hides_them_everywhere(onboarding: EsimOnboarding) -> None:
    """After forget() the widget holds no code, tells its views to hide, and a Show sends none."""
    form = esim_qr_form(onboarding)
    sent = recording(form)
    form.forget()
    form._handle_custom_msg({"type": "show"}, [])
    custom = [m["content"] for m in sent if m["method"] == "custom"]
    assert custom == [{"type": "hide"}, {"type": "labels", "labels": []}]
    assert form.count == 0


def test_the_label_sheet_is_written_owner_only_with_every_valid_code(
    onboarding: EsimOnboarding, tmp_path: Path
) -> None:
    """The sheet at the named path holds each valid code as a QR code and as text, warns that it
    is secret, and only its owner may read it."""
    path = write_label_sheet(onboarding, tmp_path / "labels" / "batch.html")
    text = path.read_text(encoding="utf-8")
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert "Secret:" in text
    for code in codes(onboarding):
        assert code in text
        assert qr_svg(code) in text
    assert text.count('class="label"') == 2
    assert label_sheet_html(onboarding) == text


@pytest.mark.parametrize(
    ("path", "match"),
    [(None, "needs a file path"), ("", "needs a file path"), ("labels.pdf", "HTML file")],
)
def test_the_label_sheet_needs_an_html_path(
    onboarding: EsimOnboarding, path: Any, match: str
) -> None:
    with pytest.raises(InvalidInputError, match=match):
        write_label_sheet(onboarding, path)


def test_an_existing_sheet_is_replaced_only_when_asked(
    onboarding: EsimOnboarding, tmp_path: Path
) -> None:
    """An existing file is refused, then replaced (and made owner-only) with overwrite=True."""
    path = tmp_path / "labels.html"
    path.write_text("old")
    path.chmod(0o644)
    with pytest.raises(InvalidInputError, match="exists"):
        write_label_sheet(onboarding, path)
    write_label_sheet(onboarding, path, overwrite=True)
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert "old" not in path.read_text()


def test_a_qr_code_scans_back_to_its_activation_code(onboarding: EsimOnboarding) -> None:
    """The symbol qr_svg draws decodes (zxing-cpp, as a phone's scanner would) to the code."""
    import zxingcpp  # a dev dependency: missing, the test fails rather than skips
    from PIL import Image

    for code in codes(onboarding):
        symbol = segno.make(code, error="m", micro=False)
        buffer = io.BytesIO()
        symbol.save(buffer, kind="png", scale=6, border=4)
        buffer.seek(0)
        assert symbol.svg_inline(
            scale=4, dark="#000", light="#fff", border=4, omitsize=True
        ) == qr_svg(code)
        assert [r.text for r in zxingcpp.read_barcodes(Image.open(buffer))] == [code]
