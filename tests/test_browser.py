"""The registration form in a real browser: JupyterLab and Notebook 7, headless Chromium, the
sandbox."""

from __future__ import annotations

from pathlib import Path

import browser.lab
import pytest
from browser.lab import (
    CHROMIUM_ARGS,
    REQUIRE_ENV,
    UIS,
    Ui,
    jupyter_server,
    need_browser,
    write_notebook,
)
from conftest import MakeSandbox

# Waits, not assertions on time: a cold kernel importing pandas and matplotlib on a busy
# machine can take a while, and the test only fails when the thing never shows up.
PAGE_TIMEOUT_MS = 120_000
# The kernel indicator in the notebook toolbar, which both front ends show.
KERNEL_IDLE = ".jp-Notebook-ExecutionIndicator[data-status='idle']"

NOTEBOOK_CELLS = [
    # The key and URL come from the server's environment, never from the notebook itself.
    "from simtools.client import SimClient\n"
    "from simtools.widgets import register_form\n"
    "\n"
    "client = SimClient.from_env()\n"
    "form = register_form(client)\n"
    "form",
]


@pytest.mark.browser
@pytest.mark.slow
@pytest.mark.parametrize("ui", UIS)
def test_register_form_registers_codes_typed_in_chromium(
    make_sandbox: MakeSandbox, tmp_path: Path, ui: Ui
) -> None:
    """In JupyterLab and in Notebook 7, running the notebook shows the form; codes typed into
    it and registered with the Register button appear as registered in the outcome table, and
    the sandbox registered each code once."""
    chromium = need_browser()
    from playwright.sync_api import sync_playwright

    with make_sandbox(fleet_size=50, seed=11) as sandbox:
        codes = sandbox.available_codes(2)
        env = {"TELNYX_API_KEY": sandbox.api_key, "TELNYX_BASE_URL": sandbox.base_url}
        with jupyter_server(tmp_path / ui, env, ui=ui) as lab:
            notebook = write_notebook(lab.root / "register.ipynb", NOTEBOOK_CELLS)
            assert sandbox.api_key not in notebook.read_text()
            screenshot = tmp_path / f"register-form-{ui}.png"
            with sync_playwright() as playwright:
                browser = playwright.chromium.launch(
                    executable_path=str(chromium), args=CHROMIUM_ARGS
                )
                try:
                    page = browser.new_page(viewport={"width": 1400, "height": 1100})
                    page.set_default_timeout(PAGE_TIMEOUT_MS)
                    page.goto(lab.notebook_url("register.ipynb"))
                    page.wait_for_selector(".jp-Notebook")
                    # Run the cell only once the kernel is connected and idle: a cell run while
                    # the kernel is still connecting is silently dropped.
                    lab.wait_kernel_connected()
                    page.locator(KERNEL_IDLE).wait_for()
                    page.locator(".jp-Cell .cm-content").first.click()
                    page.keyboard.press("Shift+Enter")

                    textarea = page.locator(".widget-textarea textarea")
                    textarea.wait_for()
                    assert "SANDBOX" in page.locator(".simtools-message").first.inner_text()
                    textarea.fill("\n".join(codes))
                    textarea.press("Tab")  # blur, so the value is synced before the click
                    page.locator("button.jupyter-button:has-text('Register')").click()

                    table = page.locator(".simtools-table").first
                    table.wait_for()
                    for code in codes:
                        row = table.locator("tr", has_text=code)
                        row.wait_for()
                        assert "registered" in row.inner_text()
                    # New SIM cards have used no data: the form draws no (empty) usage plot.
                    page.locator("a:has-text('Download the outcome CSV')").first.wait_for()
                    assert page.locator(".jp-OutputArea-output img").count() == 0
                    # Plain DOM scrolling: Notebook 7 keeps re-laying out its output area for a
                    # while, so playwright's scroll (which waits for a still element) can time out.
                    table.evaluate("element => element.scrollIntoView({block: 'nearest'})")
                    page.screenshot(path=str(screenshot))
                except Exception:
                    page.screenshot(path=str(tmp_path / f"failure-{ui}.png"))
                    raise
                finally:
                    browser.close()
        assert [sandbox.registrations(code) for code in codes] == [1, 1], lab.log_tail()
    assert screenshot.stat().st_size > 10_000


def test_missing_chromium_skips_unless_required(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """Without /usr/bin/chromium the browser test is skipped with the reason, and fails when
    SIMTOOLS_REQUIRE_BROWSER=1."""
    monkeypatch.setattr(browser.lab, "CHROMIUM", tmp_path / "no-chromium")
    monkeypatch.delenv(REQUIRE_ENV, raising=False)
    with pytest.raises(pytest.skip.Exception, match="no-chromium is missing"):
        need_browser()
    monkeypatch.setenv(REQUIRE_ENV, "1")
    with pytest.raises(pytest.fail.Exception, match="SIMTOOLS_REQUIRE_BROWSER=1 but"):
        need_browser()
