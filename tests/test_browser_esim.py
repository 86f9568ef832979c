"""The eSIM QR widget and label sheet in a real browser (JupyterLab, headless Chromium, the
sandbox): the QR codes appear on a click and scan back to the codes, and the notebook saved with
widget state holds none of them."""

from __future__ import annotations

import json
import time
from pathlib import Path

import pytest
from browser.lab import CHROMIUM_ARGS, jupyter_server, need_browser, write_notebook
from conftest import MakeSandbox

from simtools.client import SimClient

PAGE_TIMEOUT_MS = 120_000
KERNEL_IDLE = ".jp-Notebook-ExecutionIndicator[data-status='idle']"
TAG = "browser-esim"
CELLS = [
    "import simtools\n"
    "from simtools.client import SimClient\n"
    "\n"
    "client = SimClient.from_env()\n"
    f"onboarding = simtools.onboard_esims(client, 3, tags=[{TAG!r}])\n"
    "simtools.write_label_sheet(onboarding, 'labels.html')\n"
    "form = simtools.esim_qr_form(onboarding, title='Browser batch')\n"
    "form",
]


def scanned(png: Path) -> set[str]:
    """The texts of every QR code zxing-cpp finds in the image, as a phone would read them."""
    import zxingcpp  # a dev dependency: missing, the test fails rather than skips
    from PIL import Image

    return {result.text for result in zxingcpp.read_barcodes(Image.open(png))}


def saved_with_widget_state(path: Path, timeout: float = 60.0) -> str:
    """The notebook file once JupyterLab has saved it with its widget state."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        text = path.read_text(encoding="utf-8")
        if "application/vnd.jupyter.widget-state+json" in text:
            return text
        time.sleep(0.25)
    raise AssertionError(f"{path} was not saved with widget state")


@pytest.mark.browser
@pytest.mark.slow
def test_qr_codes_show_on_a_click_scan_back_and_are_not_saved(
    make_sandbox: MakeSandbox, tmp_path: Path
) -> None:
    """Show QR codes draws one QR code per eSIM, each scanning back to its activation code; the
    notebook saved with widget state on holds no code and no QR image; the label sheet the cell
    named holds every code, scannable."""
    chromium = need_browser()
    from playwright.sync_api import sync_playwright

    with make_sandbox(fleet_size=40, seed=71) as sandbox:
        env = {"TELNYX_API_KEY": sandbox.api_key, "TELNYX_BASE_URL": sandbox.base_url}
        with jupyter_server(tmp_path / "lab", env, ui="lab") as lab:
            settings = tmp_path / "lab" / "settings" / "@jupyter-widgets" / "jupyterlab-manager"
            settings.mkdir(parents=True, exist_ok=True)
            (settings / "plugin.jupyterlab-settings").write_text(json.dumps({"saveState": True}))
            notebook = write_notebook(lab.root / "esim.ipynb", CELLS)
            widget_png = tmp_path / "esim-qr-widget.png"
            sheet_png = tmp_path / "esim-label-sheet.png"
            with sync_playwright() as playwright:
                browser = playwright.chromium.launch(
                    executable_path=str(chromium), args=CHROMIUM_ARGS
                )
                try:
                    page = browser.new_page(viewport={"width": 1300, "height": 900})
                    page.set_default_timeout(PAGE_TIMEOUT_MS)
                    page.goto(lab.notebook_url("esim.ipynb"))
                    page.wait_for_selector(".jp-Notebook")
                    lab.wait_kernel_connected()
                    page.locator(KERNEL_IDLE).wait_for()
                    page.locator(".jp-Cell .cm-content").first.click()
                    page.keyboard.press("Shift+Enter")
                    toggle = page.locator("button.simtools-qr-toggle")
                    toggle.wait_for()
                    assert page.locator(".simtools-qr-card").count() == 0
                    toggle.click()
                    cards = page.locator(".simtools-qr-card svg")
                    cards.nth(2).wait_for()
                    assert cards.count() == 3
                    page.locator(".simtools-qr").evaluate(
                        "element => element.scrollIntoView({block: 'center'})"
                    )
                    page.locator(".simtools-qr").screenshot(path=str(widget_png))
                    page.keyboard.press("Control+s")
                    saved = saved_with_widget_state(notebook)
                    sheet = browser.new_page(viewport={"width": 900, "height": 1270})
                    sheet.goto((lab.root / "labels.html").as_uri())
                    sheet.screenshot(path=str(sheet_png), full_page=True)
                except Exception:
                    page.screenshot(path=str(tmp_path / "failure-esim.png"))
                    raise
                finally:
                    browser.close()
        with SimClient(sandbox.api_key, base_url=sandbox.base_url) as client:
            ids = [s.id for s in client.iter_sim_cards(tags=[TAG]) if s.id]
            codes = {
                client.get_activation_code(i).activation_code.get_secret_value()  # type: ignore[union-attr]
                for i in ids
            }
    assert len(codes) == 3
    assert scanned(widget_png) == codes
    assert scanned(sheet_png) == codes
    assert "<svg" not in saved
    for code in codes:
        assert code not in saved
        assert code.rsplit("$", 1)[-1] not in saved
