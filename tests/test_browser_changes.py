"""The change review form in a real browser: JupyterLab, headless Chromium, the sandbox."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest
from browser.lab import CHROMIUM_ARGS, jupyter_server, need_browser, write_notebook
from conftest import MakeSandbox

PAGE_TIMEOUT_MS = 120_000
KERNEL_IDLE = ".jp-Notebook-ExecutionIndicator[data-status='idle']"
#: Where to leave copies of the screenshots, when set (they are always in the test's tmp dir).
SHOTS_ENV = "SIMTOOLS_SCREENSHOTS"

NOTEBOOK_CELLS = [
    # The key and URL come from the server's environment, never from the notebook itself.
    "import pandas as pd\n"
    "import simtools\n"
    "from simtools.client import SimClient\n"
    "\n"
    "client = SimClient.from_env()\n"
    "fleet = simtools.fleet_frame(client, include=['alerts'], progress=False)\n"
    "sims = fleet[fleet['status'] == 'enabled'].head(8)\n"
    "desired = pd.DataFrame({'iccid': [*sims['iccid'], '8931041099999999999']})\n"
    "desired['data_limit_mb'] = [*range(600, 608), 5]\n"
    "desired['tags_add'] = ['reviewed'] * 8 + [None]\n"
    "desired['alert_mb'] = [[480.0]] * 8 + [None]\n"
    "desired['status'] = ['standby'] * 3 + [None] * 6\n"
    "plan = simtools.plan_changes(fleet, desired)\n"
    "form = simtools.changes_form(client, plan)\n"
    "form",
]


def _keep(shot: Path) -> None:
    folder = os.environ.get(SHOTS_ENV)
    if folder:
        Path(folder).mkdir(parents=True, exist_ok=True)
        shutil.copy(shot, Path(folder) / shot.name)


@pytest.mark.browser
@pytest.mark.slow
def test_the_review_form_applies_the_ticked_changes_in_chromium(
    make_sandbox: MakeSandbox, tmp_path: Path
) -> None:
    """The form shows the plan by field with counts; unticking the tags and pressing Apply in
    JupyterLab applies the rest (the sandbox has the new limits, alerts and statuses, and not
    the tags) and shows the outcome table."""
    chromium = need_browser()
    from playwright.sync_api import sync_playwright

    with make_sandbox(fleet_size=80, seed=13) as sandbox:
        env = {"TELNYX_API_KEY": sandbox.api_key, "TELNYX_BASE_URL": sandbox.base_url}
        with jupyter_server(tmp_path / "lab", env, ui="lab") as lab:
            write_notebook(lab.root / "changes.ipynb", NOTEBOOK_CELLS)
            before, after = (
                tmp_path / "changes-form-before.png",
                tmp_path / "changes-form-after.png",
            )
            with sync_playwright() as playwright:
                browser = playwright.chromium.launch(
                    executable_path=str(chromium), args=CHROMIUM_ARGS
                )
                try:
                    page = browser.new_page(viewport={"width": 1400, "height": 1300})
                    page.set_default_timeout(PAGE_TIMEOUT_MS)
                    page.goto(lab.notebook_url("changes.ipynb"))
                    page.wait_for_selector(".jp-Notebook")
                    lab.wait_kernel_connected()
                    page.locator(KERNEL_IDLE).wait_for()
                    page.locator(".jp-Cell .cm-content").first.click()
                    page.keyboard.press("Shift+Enter")

                    apply = page.locator("button.jupyter-button:has-text('Apply')")
                    apply.wait_for()
                    assert (
                        "Data limits (8)"
                        in page.locator(".jp-OutputArea-output").first.inner_text()
                    )
                    page.locator("text=Tags (8)").click()
                    tags_box = page.locator(".widget-checkbox input[type=checkbox]").nth(1)
                    tags_box.wait_for()
                    tags_box.uncheck()
                    page.locator("text=19 of 27 changes ticked").wait_for()
                    page.screenshot(path=str(before))
                    _keep(before)
                    apply.click()
                    page.locator("h4:has-text('Outcome per change')").wait_for()
                    page.locator("text=19 changes: 19 applied").wait_for()
                    apply.evaluate("element => element.scrollIntoView({block: 'start'})")
                    page.screenshot(path=str(after))
                    _keep(after)
                except Exception:
                    page.screenshot(path=str(tmp_path / "failure.png"))
                    _keep(tmp_path / "failure.png")
                    raise
                finally:
                    browser.close()
        changed = [
            sim
            for sim in sandbox.state.sims.values()
            if (sim.wire.get("data_limit") or {}).get("amount")
            in {f"{600 + i}.0" for i in range(8)}
        ]
        assert len(changed) == 8, lab.log_tail()
        assert all("reviewed" not in (sim.wire["tags"] or []) for sim in changed)
        assert sorted(sim.status for sim in changed).count("standby") == 3
        assert all(len(sandbox.state.notifications.matching(sim.id)) == 1 for sim in changed)
    assert before.stat().st_size > 10_000
    assert after.stat().st_size > 10_000
