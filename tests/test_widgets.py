"""The notebook forms: their plain functions, and the widgets clicked against the sandbox."""

from __future__ import annotations

import base64
import dataclasses
import io
import json
import re
import socket
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import numpy as np
import pandas as pd
import pytest
from conftest import MakeSandbox
from fleetdata import make_fleet_frame
from matplotlib.figure import Figure

from simtools.analysis.usage import NO_KEY, NO_TAG
from simtools.client import SimClient
from simtools.client.retrying import NO_RETRIES
from simtools.errors import AuthenticationError, InvalidInputError, ServerError
from simtools.frames.files import read_frame
from simtools.inputs.codes import parse_codes
from simtools.models import ApiErrorObject, CodeValidation, SimCardGroup
from simtools.results import CodeOutcome, RegistrationResult
from simtools.sandbox import Sandbox
from simtools.widgets import api_key_form, apply_api_key, register_form, usage_explorer
from simtools.widgets.codeinput import (
    Upload,
    group_options,
    parse_tags_text,
    parse_upload,
    preview_frame,
    read_form_codes,
    uploads_from_widget,
)
from simtools.widgets.filtering import FleetFilter, match_caption, top_rows
from simtools.widgets.links import csv_download_link
from simtools.widgets.outputs import reporting, texts
from simtools.widgets.registering import can_retry, merge_retry, retryable, summary_line

REGISTER_PATH = "/v2/actions/register/sim_cards"


class RecordingTransport(httpx.HTTPTransport):
    """Real HTTP, plus the JSON body of every register request sent through it."""

    def __init__(self) -> None:
        super().__init__()
        self.register_bodies: list[dict[str, Any]] = []

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        if request.method == "POST" and request.url.path == REGISTER_PATH:
            self.register_bodies.append(json.loads(request.read()))
        return super().handle_request(request)


@pytest.fixture
def transport() -> RecordingTransport:
    return RecordingTransport()


@pytest.fixture
def client(sandbox: Sandbox, transport: RecordingTransport) -> Iterator[SimClient]:
    """A client of the session sandbox that records the register requests it sends."""
    with SimClient(sandbox.api_key, base_url=sandbox.base_url, transport=transport) as c:
        yield c


def output_text(output: Any) -> str:
    return "\n".join(texts(output))


def link_csv(output: Any) -> pd.DataFrame:
    """The frame inside the first CSV data link of ``output``."""
    for item in output.outputs:
        markup = item.get("data", {}).get("text/html", "")
        found = re.search(r'href="data:text/csv;base64,([^"]+)"', markup)
        if found:
            return pd.read_csv(io.BytesIO(base64.b64decode(found.group(1))), dtype=str)
    raise AssertionError(f"no CSV link in the output: {output_text(output)!r}")


def bars(figure: Figure | None) -> int:
    """How many bars the first Axes of a figure holds."""
    assert figure is not None, "no figure was drawn"
    return len(figure.axes[0].patches)


def register_requests(sandbox: Sandbox) -> int:
    return sum(
        1 for method, path in sandbox.request_log if (method, path) == ("POST", REGISTER_PATH)
    )


def upload_value(name: str, content: bytes) -> tuple[dict[str, Any], ...]:
    """What ipywidgets 8's FileUpload holds after a browser upload."""
    return (
        {
            "name": name,
            "type": "text/csv",
            "size": len(content),
            "content": memoryview(content),
            "last_modified": pd.Timestamp("2026-01-01", tz="UTC").to_pydatetime(),
        },
    )


# -- reading the form's input (pure) -----------------------------------------------------------


def test_form_codes_are_numbered_across_text_and_uploads() -> None:
    """Entries of the text box and the files are numbered 1..N; a code repeated in a file is a
    duplicate of its first appearance, and each entry says where it was found."""
    upload = Upload("batch.csv", b"registration_code,site\n1111111111,a\n2222222222,b\n")
    parsed = read_form_codes("1111111111, 3333333333\n12x", [upload])
    assert [(e.position, e.where, e.kind) for e in parsed.entries] == [
        (1, "line 1", "valid"),
        (2, "line 1", "valid"),
        (3, "line 2", "invalid"),
        (4, "batch.csv row 2", "duplicate"),
        (5, "batch.csv row 3", "valid"),
    ]
    assert parsed.entries[3].reason == "repeats line 1"
    assert parsed.codes == ("1111111111", "3333333333", "2222222222")


def test_uploaded_csv_without_header_and_text_file_are_read() -> None:
    """A one-column CSV without a header and a plain text file both give their codes."""
    assert parse_upload(Upload("c.csv", b"0123456789\n1234567890\n")).codes == (
        "0123456789",
        "1234567890",
    )
    parsed = parse_upload(Upload("c.txt", b"\xef\xbb\xbf0123456789 1234567890"))
    assert [e.where for e in parsed.entries] == ["c.txt line 1", "c.txt line 1"]


def test_upload_errors_name_the_uploaded_file() -> None:
    """An unreadable upload is refused with its own name, not a temporary path."""
    with pytest.raises(InvalidInputError, match="spreadsheet") as caught:
        parse_upload(Upload("codes.xlsx", b"PK\x03\x04"))
    assert "codes.xlsx" in str(caught.value)
    with pytest.raises(InvalidInputError, match=r"codes\.csv") as caught:
        parse_upload(Upload("codes.csv", b"a,b\n1234567890,2345678901\n"))
    assert "simtools-upload" not in str(caught.value)


def test_file_upload_value_is_turned_into_uploads() -> None:
    """The FileUpload value (tuple of dicts with memoryview content) becomes name + bytes."""
    uploads = uploads_from_widget(upload_value("x.csv", b"1234567890\n"))
    assert uploads == [Upload("x.csv", b"1234567890\n")]
    assert uploads_from_widget(()) == []


def test_nothing_entered_is_refused() -> None:
    """An empty box and no upload is an InvalidInputError that says how to enter codes."""
    with pytest.raises(InvalidInputError, match="no registration codes were entered"):
        read_form_codes("  \n ", [])


def test_tags_text_is_split_on_commas() -> None:
    """Tags are comma separated and trimmed; a trailing comma is fine, an empty tag is not."""
    assert parse_tags_text(" fleet-a, berlin ,") == ["fleet-a", "berlin"]
    assert parse_tags_text("   ") is None
    with pytest.raises(InvalidInputError, match="empty tag"):
        parse_tags_text("fleet-a,,berlin")


def test_group_options_preselect_the_default_group() -> None:
    """Options read "name (N SIMs)", the default group first and preselected."""
    groups = [
        SimCardGroup(id="b", name="Beta", sim_card_count=1),
        SimCardGroup(id="a", name="Alpha", sim_card_count=1200, default=True),
    ]
    options, default = group_options(groups)
    assert options == [("Alpha (1,200 SIMs) [default]", "a"), ("Beta (1 SIM)", "b")]
    assert default == "a"
    options, default = group_options(groups[:1])
    assert options[0] == ("(account default)", None)
    assert default is None


def test_preview_frame_names_each_entry_check() -> None:
    """The preview has one row per entry: valid, already used, rejected, duplicate, malformed."""
    parsed = read_form_codes("1111111111\n2222222222\n3333333333\n1111111111\nabc")
    answers = [
        CodeValidation(registration_code="1111111111", valid=True),
        CodeValidation(
            registration_code="2222222222",
            valid=False,
            invalid_detail="This code has already been used.",
        ),
        CodeValidation(registration_code="3333333333", valid=False, invalid_detail="Not found"),
    ]
    preview = preview_frame(parsed, answers)
    assert list(preview["check"]) == ["valid", "already used", "rejected", "duplicate", "malformed"]
    assert list(preview["position"]) == [1, 2, 3, 4, 5]
    unchecked = preview_frame(parsed)
    assert list(unchecked["check"])[:3] == ["valid", "valid", "valid"]


def test_merge_retry_replaces_only_the_retried_outcomes() -> None:
    """A retry's outcomes replace the failed entries of the first run, keeping their positions."""
    first = RegistrationResult(
        submitted=("1111111111", "2222222222", "x"),
        outcomes=[
            CodeOutcome("1111111111", 1, "registered"),
            CodeOutcome("2222222222", 2, "failed", reason="timeout"),
            CodeOutcome("x", 3, "invalid", source="input"),
        ],
    )
    retry = RegistrationResult(
        submitted=("2222222222",), outcomes=[CodeOutcome("2222222222", 1, "registered")]
    )
    merged = merge_retry(first, retry)
    assert [(o.position, o.outcome) for o in merged.outcomes] == [
        (1, "registered"),
        (2, "registered"),
        (3, "invalid"),
    ]
    assert summary_line(merged) == ("2 of 3 entries registered (1 invalid).", "warning")


def test_reporting_shows_errors_and_warnings_instead_of_raising() -> None:
    """A SimToolsError shows its message, anything else a short summary; nothing escapes."""
    import ipywidgets as widgets

    output = widgets.Output()
    with reporting(output, "do it"):
        raise InvalidInputError("v", "the value is wrong", "use another")
    with reporting(output, "do it"):
        raise KeyError("surprise")
    shown = texts(output)
    assert shown[0].startswith("Could not do it: the value is wrong")
    assert "How to fix: use another" in shown[0]
    assert shown[1] == "Unexpected error while trying to do it: KeyError: 'surprise'"


def test_csv_link_holds_the_frame(tmp_path: Path) -> None:
    """The download link's data URL holds the frame as write_frame writes it: read_frame reads
    the downloaded file back with its columns."""
    frame = make_fleet_frame([{"tags": ["a", "b"], "consumed_mb": 5.0}])
    markup = csv_download_link(frame, "my fleet.csv")
    assert 'download="my-fleet.csv"' in markup
    encoded = re.search(r"base64,([^\"]+)", markup)
    assert encoded is not None
    downloaded = tmp_path / "my-fleet.csv"
    downloaded.write_bytes(base64.b64decode(encoded.group(1)))
    back = read_frame(downloaded)
    assert back["iccid"].tolist() == frame["iccid"].tolist()
    assert list(back["tags"].iloc[0]) == ["a", "b"]


# -- the registration form against the sandbox -------------------------------------------------


def test_register_form_lists_groups_and_shows_the_sandbox_banner(client: SimClient) -> None:
    """The group dropdown holds every group as "name (N SIMs)" with the default preselected."""
    form = register_form(client)
    groups = client.list_sim_card_groups()
    default = next(g for g in groups if g.default)
    assert form.group_input.value == default.id
    assert len(form.group_input.options) == len(groups)
    assert re.fullmatch(r".+ \([\d,]+ SIMs?\) \[default\]", form.group_input.label)
    assert "SANDBOX" in form.banner.value
    assert form.retry_button.disabled


def test_validate_previews_every_entry_and_registers_nothing(
    client: SimClient, sandbox: Sandbox
) -> None:
    """Validate shows one row per entry and sends no register request."""
    fresh, used = sandbox.available_codes(1)[0], sandbox.used_codes(1)[0]
    form = register_form(client)
    form.codes_input.value = f"{fresh}\n{used}\n{fresh}\n12345"
    before = register_requests(sandbox)
    form.validate_button.click()
    assert form.last_preview is not None
    assert list(form.last_preview["check"]) == ["valid", "already used", "duplicate", "malformed"]
    assert register_requests(sandbox) == before
    assert sandbox.registrations(fresh) == 0
    assert "1 would be registered" in output_text(form.output)


def test_register_reports_every_entry_and_creates_the_sims(
    client: SimClient, sandbox: Sandbox
) -> None:
    """Register sends the valid codes once, with the chosen group, tags and status, and shows the
    outcome per entry, the API errors, the usage plot and a CSV link."""
    fresh = sandbox.available_codes(3)
    used = sandbox.used_codes(1)[0]
    form = register_form(client)
    group = next(v for _, v in form.group_input.options if v != form.group_input.value)
    form.codes_input.value = f"{fresh[0]}, {fresh[1]}\n{used}\n{fresh[0]}\n12x45\n{fresh[2]}"
    form.group_input.value = group
    form.tags_input.value = "widget-test, berlin"
    form.status_input.value = "standby"
    form.register_button.click()

    frame = form.last_frame
    assert frame is not None
    assert list(frame["registration_code"]) == [
        fresh[0],
        fresh[1],
        used,
        fresh[0],
        "12x45",
        fresh[2],
    ]
    assert list(frame["outcome"]) == [
        "registered",
        "registered",
        "failed",
        "duplicate",
        "invalid",
        "registered",
    ]
    assert [sandbox.registrations(c) for c in fresh] == [1, 1, 1]
    sims = list(client.iter_sim_cards(tags=["widget-test", "berlin"], sim_card_group_id=group))
    assert {s.iccid for s in sims} == set(frame["iccid"].dropna())
    assert len(sims) == 3
    # New SIM cards have used no data yet: no (empty) usage plot is drawn.
    assert form.last_figure is None
    assert not any("image/png" in item["data"] for item in form.output.outputs)
    shown = output_text(form.output)
    assert "3 of 6 entries registered" in shown
    assert "A retry would not help: the API refused those codes" in shown
    assert "Retry" not in shown.split("A retry would not help")[0]
    assert "Errors returned by the API" in shown
    assert "already been used" in shown
    assert list(link_csv(form.output)["outcome"]) == list(frame["outcome"].astype(str))
    # Nothing here can be fixed by sending again (already used, duplicate, malformed).
    assert form.retry_button.disabled


def test_the_outcome_table_puts_problems_first_and_keeps_reasons_short(
    client: SimClient, sandbox: Sandbox
) -> None:
    """Problem rows come before the registered ones; the reason is a few words, its full text
    on hover; the ICCID is a column of its own."""
    fresh = sandbox.available_codes(3)
    used = sandbox.used_codes(1)[0]
    form = register_form(client)
    form.codes_input.value = "\n".join([fresh[0], fresh[1], used, fresh[2], "12x45"])
    form.register_button.click()
    table = next(
        item["data"]["text/html"]
        for item in form.output.outputs
        if "Outcome per entry" in item["data"].get("text/plain", "")
    )
    rows = [r for r in re.findall(r"<tr>(.*?)</tr>", table) if "<td" in r]
    outcomes = [re.findall(r"<td[^>]*>(.*?)</td>", row)[2] for row in rows]
    assert outcomes == ["failed", "invalid", "registered", "registered", "registered"]
    assert "Registration code already used" in rows[0]
    assert "title='Registration code" in rows[0]  # the API's full detail on hover
    assert "ICCID" in table
    assert all(len(cell) <= 64 for row in rows for cell in re.findall(r">([^<]*)</td>", row))
    assert "2 needing attention first" in table


def test_a_closed_client_gives_a_form_that_says_so_with_its_buttons_off(
    sandbox: Sandbox,
) -> None:
    """A closed client is caught when the form is built: a clear message, no RuntimeError,
    every button disabled (a click does nothing)."""
    c = SimClient(sandbox.api_key, base_url=sandbox.base_url)
    c.close()
    form = register_form(c)
    shown = output_text(form.output)
    assert "The form cannot be used: This client is closed" in shown
    assert "simtools.connect()" in shown
    assert "RuntimeError" not in shown
    buttons = (form.validate_button, form.register_button, form.retry_button)
    assert all(b.disabled for b in buttons)
    form.codes_input.value = sandbox.available_codes(1)[0]
    form.register_button.click()
    assert form.last_result is None
    assert all(b.disabled for b in buttons)


def test_an_unreachable_api_gives_a_form_that_says_so_with_its_buttons_off() -> None:
    """Nothing listens at the URL: the form names it and how to fix it, buttons off."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    with SimClient("KEY-test", base_url=f"http://127.0.0.1:{port}/v2", retry=NO_RETRIES) as c:
        form = register_form(c)
    shown = output_text(form.output)
    assert f"The API at http://127.0.0.1:{port}/v2 cannot be reached" in shown
    assert "How to fix:" in shown
    assert form.register_button.disabled
    assert form.validate_button.disabled


def test_register_reads_an_uploaded_csv(client: SimClient, sandbox: Sandbox) -> None:
    """Codes in an uploaded CSV with a header are registered; the form names their rows."""
    fresh = sandbox.available_codes(2)
    form = register_form(client)
    content = f"site,registration_code\nberlin,{fresh[0]}\nparis,{fresh[1]}\n".encode()
    form.upload_input.value = upload_value("codes.csv", content)
    form.validate_button.click()
    assert form.last_preview is not None
    assert list(form.last_preview["where"]) == ["codes.csv row 2", "codes.csv row 3"]
    form.register_button.click()
    assert form.last_frame is not None
    assert list(form.last_frame["outcome"]) == ["registered", "registered"]
    assert [sandbox.registrations(c) for c in fresh] == [1, 1]


@pytest.mark.parametrize(
    ("codes", "tags", "message"),
    [
        ("", "", "no registration codes were entered"),
        ("12345\nabcdefghij\n", "", "none of the 2 entries is a registration code"),
        ("{fresh}", "ok,,bad", "contain an empty tag"),
    ],
    ids=["no-codes", "only-malformed", "bad-tags"],
)
def test_bad_input_shows_a_message_and_sends_nothing(
    client: SimClient, sandbox: Sandbox, codes: str, tags: str, message: str
) -> None:
    """Register with bad input explains the problem in the output and sends no request."""
    fresh = sandbox.available_codes(1)[0]
    form = register_form(client)
    form.codes_input.value = codes.format(fresh=fresh)
    form.tags_input.value = tags
    before = len(sandbox.request_log)
    form.register_button.click()
    assert len(sandbox.request_log) == before
    assert sandbox.registrations(fresh) == 0
    shown = output_text(form.output)
    assert shown.startswith("Could not register the codes: ")
    assert message in shown
    assert form.last_result is None


def test_retry_is_not_offered_for_codes_the_api_refused(
    client: SimClient, sandbox: Sandbox, transport: RecordingTransport
) -> None:
    """An already used code fails again however often it is sent: Retry stays off, and a
    click on it (were it on) sends nothing."""
    fresh = sandbox.available_codes(2)
    used = sandbox.used_codes(1)[0]
    form = register_form(client)
    form.codes_input.value = f"{fresh[0]}\n{used}\n{fresh[1]}"
    form.tags_input.value = "retry-test"
    form.register_button.click()
    assert transport.register_bodies[-1]["registration_codes"] == [fresh[0], used, fresh[1]]
    assert form.last_frame is not None
    assert list(form.last_frame["outcome"]) == ["registered", "failed", "registered"]
    assert form.retry_button.disabled
    assert form.last_result is not None
    assert retryable(form.last_result) == []
    sent_before = len(transport.register_bodies)
    form._on_retry()
    assert transport.register_bodies[sent_before:] == []
    assert "no code of the last run can be helped by a retry" in output_text(form.output)
    assert [sandbox.registrations(c) for c in fresh] == [1, 1]


def test_can_retry_tells_passing_failures_from_refusals() -> None:
    """unknown: yes; skipped after a 5xx or a lost connection: yes, after a 401: no; failed
    without an answer: yes; failed with the API's refusal: no."""
    refusal = CodeOutcome(
        "1234567890", 1, "failed", error=ApiErrorObject(code="10015", title="Already used")
    )
    unanswered = CodeOutcome(
        "1234567890", 1, "failed", reason="not registered: ...; so it is safe to send again"
    )
    assert can_retry(CodeOutcome("1234567890", 1, "unknown"))
    assert can_retry(CodeOutcome("1234567890", 1, "skipped"), ServerError(503, "POST", "u"))
    assert not can_retry(
        CodeOutcome("1234567890", 1, "skipped"), AuthenticationError(401, "POST", "u")
    )
    assert can_retry(unanswered)
    assert not can_retry(refusal)
    assert not can_retry(CodeOutcome("1234567890", 1, "failed", reason="This code is not valid."))
    assert not can_retry(CodeOutcome("1234567890", 1, "duplicate"))


def test_retry_after_an_outage_registers_the_codes(make_sandbox: MakeSandbox) -> None:
    """Codes whose register and check both got 5xx are unknown (a 5xx may come after the work
    is done); Retry checks them first, then registers them once."""
    with make_sandbox(fleet_size=20, seed=5) as sb:
        fresh = sb.available_codes(2)
        quick = dataclasses.replace(NO_RETRIES, initial_wait=0.01, max_wait=0.05)
        with SimClient(sb.api_key, base_url=sb.base_url, retry=quick) as c:
            form = register_form(c)
            form.codes_input.value = " ".join(fresh)
            sb.faults.error_rate = 1.0
            form.register_button.click()
            assert form.last_frame is not None
            assert list(form.last_frame["outcome"]) == ["unknown", "unknown"]
            assert [sb.registrations(code) for code in fresh] == [0, 0]
            assert not form.retry_button.disabled
            sb.faults.error_rate = 0.0
            form.retry_button.click()
            assert list(form.last_frame["outcome"]) == ["registered", "registered"]
            assert [sb.registrations(code) for code in fresh] == [1, 1]
            assert form.retry_button.disabled


def test_a_refused_key_stops_the_run_and_says_so(sandbox: Sandbox) -> None:
    """With a wrong key the form shows the 401 and reports the codes as not sent."""
    fresh = sandbox.available_codes(1)[0]
    with SimClient("KEY-wrong", base_url=sandbox.base_url) as c:
        form = register_form(c)
        assert "Could not load the SIM card groups" in output_text(form.output)
        form.codes_input.value = fresh
        form.register_button.click()
    assert form.last_result is not None
    assert [o.outcome for o in form.last_result.outcomes] == ["skipped"]
    shown = output_text(form.output)
    assert "Registration stopped" in shown
    assert "401" in shown
    assert "KEY-wrong" not in shown
    assert sandbox.registrations(fresh) == 0


# -- the usage explorer --------------------------------------------------------------------------


@pytest.fixture
def fleet_sandbox(make_sandbox: MakeSandbox) -> Iterator[Sandbox]:
    """A private fleet of 300 SIMs, so counts do not depend on other tests' registrations."""
    with make_sandbox(fleet_size=300, seed=3) as sb:
        yield sb


def test_explorer_filters_narrow_the_table_and_the_plot(fleet_sandbox: Sandbox) -> None:
    """Choosing a group, then a status, narrows the filtered frame, the table and the bars."""
    with SimClient(fleet_sandbox.api_key, base_url=fleet_sandbox.base_url) as c:
        explorer = usage_explorer(c)
    assert len(explorer.frame) == 300
    explorer.top_input.value = 100
    bars_all = bars(explorer.last_figure)
    label, group = explorer.group_input.options[0]
    explorer.group_input.value = (group,)
    in_group = explorer.filtered
    assert 0 < len(in_group) < 300
    assert set(in_group["sim_card_group_id"]) == {group}
    assert label.endswith(f"({len(in_group)})")
    bars_group = bars(explorer.last_figure)
    assert bars_group < bars_all
    assert bars_group == min(100, int(in_group["consumed_mb"].notna().sum()))
    table_text = explorer.table_output.outputs[0]["data"]["text/plain"]
    assert f"Top {bars_group} by utilization" in table_text
    status = explorer.status_input.options[0][1]
    explorer.status_input.value = (status,)
    narrowed = explorer.filtered
    assert len(narrowed) < len(in_group)
    assert set(narrowed["status"].astype(str)) <= {status}
    assert f"{len(narrowed):,} of 300 SIMs match" in explorer.caption.value


def test_explorer_table_lists_the_plotted_sims_in_plot_order(fleet_sandbox: Sandbox) -> None:
    """The table's ICCIDs are the plot's bar labels, worst first, for any sort key."""
    with SimClient(fleet_sandbox.api_key, base_url=fleet_sandbox.base_url) as c:
        explorer = usage_explorer(c)
    explorer.top_input.value = 12
    for sort_by in ("utilization", "consumed_mb", "headroom_mb"):
        explorer.sort_input.value = sort_by
        assert explorer.last_figure is not None
        labels = [t.get_text() for t in explorer.last_figure.axes[0].get_yticklabels()]
        table = top_rows(explorer.filtered, 12, sort_by)
        assert labels == list(table["iccid"])


def test_explorer_refresh_fetches_the_fleet_again(fleet_sandbox: Sandbox) -> None:
    """Refresh lists the SIM cards again and shows SIMs registered since; filters are kept."""
    with SimClient(fleet_sandbox.api_key, base_url=fleet_sandbox.base_url) as c:
        explorer = usage_explorer(c)
        status = explorer.status_input.options[0][1]
        explorer.status_input.value = (status,)
        c.register(fleet_sandbox.available_codes(2))
        lists_before = fleet_sandbox.request_log.count(("GET", "/v2/sim_cards"))
        explorer.refresh_button.click()
        assert fleet_sandbox.request_log.count(("GET", "/v2/sim_cards")) > lists_before
    assert len(explorer.frame) == 302
    assert explorer.status_input.value == (status,)


def test_explorer_from_a_frame_exports_the_filtered_rows() -> None:
    """Built from a frame, Refresh is off; Export CSV links exactly the filtered SIMs."""
    frame = make_fleet_frame(
        [
            {"tags": ["a"], "consumed_mb": 90.0, "data_limit_mb": 100.0},
            {"tags": ["b"], "consumed_mb": 10.0, "data_limit_mb": 100.0},
            {"tags": [], "consumed_mb": 50.0, "data_limit_mb": 100.0},
        ]
    )
    explorer = usage_explorer(frame)
    assert explorer.refresh_button.disabled
    assert bars(explorer.last_figure) == 3
    explorer.tag_input.value = ("a", NO_TAG)
    assert list(explorer.filtered["id"]) == ["sim-0", "sim-2"]
    assert bars(explorer.last_figure) == 2
    explorer.export_button.click()
    assert list(link_csv(explorer.output)["id"]) == ["sim-0", "sim-2"]


def test_forms_refuse_other_sources() -> None:
    """The explorer takes a client or a frame, the registration form a client; anything else
    is an InvalidInputError."""
    with pytest.raises(InvalidInputError, match="SimClient or a DataFrame"):
        usage_explorer([1, 2, 3])  # type: ignore[arg-type]
    with pytest.raises(InvalidInputError, match="register_form needs a SimClient"):
        register_form("KEY123")  # type: ignore[arg-type]


def test_fleet_filter_combines_selections() -> None:
    """Selections within a filter are alternatives, filters combine with and; missing groups and
    tags can be chosen too."""
    frame = make_fleet_frame(
        [
            {"sim_card_group_id": "g1", "status": "enabled", "tags": ["x", "y"]},
            {"sim_card_group_id": "g1", "status": "disabled", "tags": ["y"]},
            {"sim_card_group_id": "g2", "status": "enabled", "tags": []},
            {"sim_card_group_id": None, "status": "enabled", "tags": ["x"]},
        ]
    )
    fleet = FleetFilter(frame)
    assert fleet.mask().tolist() == [True, True, True, True]
    assert fleet.mask(tags=["x"]).tolist() == [True, False, False, True]
    assert fleet.mask(tags=["x", NO_TAG]).tolist() == [True, False, True, True]
    assert fleet.mask(groups=["g1"], statuses=["enabled"]).tolist() == [True, False, False, False]
    assert fleet.mask(groups=[NO_KEY]).tolist() == [False, False, False, True]
    assert [c.label for c in fleet.group_choices()] == ["g1 (2)", "g2 (1)", "(no group) (1)"]
    assert [c.label for c in fleet.tag_choices()] == ["x (2)", "y (2)", "(no tag) (1)"]
    assert fleet.apply() is frame


def test_fleet_filter_handles_a_large_fleet() -> None:
    """On 100,000 SIMs the filters pick exactly the rows a plain pandas filter picks."""
    rng = np.random.default_rng(7)
    n = 100_000
    vocabulary = np.array(["tracker", "meter", "vehicle", "pos", "eu", "us"], dtype=object)
    tags = pd.Series([tuple(vocabulary[rng.random(6) < 0.3]) for _ in range(n)], dtype="object")
    frame = pd.DataFrame(
        {
            "sim_card_group_id": pd.array(rng.choice(["g1", "g2", "g3"], n), dtype="string"),
            "status": pd.Categorical(rng.choice(["enabled", "disabled", "standby"], n)),
            "tags": tags,
            "consumed_mb": pd.array(rng.random(n) * 100, dtype="Float64"),
            "data_limit_mb": pd.array(np.full(n, 80.0), dtype="Float64"),
        }
    )
    frame["utilization"] = frame["consumed_mb"] / frame["data_limit_mb"]
    fleet = FleetFilter(frame)
    picked = fleet.apply(groups=["g2"], statuses=["enabled", "standby"], tags=["meter", "eu"])
    expected = frame[
        (frame["sim_card_group_id"] == "g2")
        & frame["status"].isin(["enabled", "standby"])
        & frame["tags"].map(lambda t: "meter" in t or "eu" in t)
    ]
    assert picked.index.equals(expected.index)
    caption = match_caption(picked, n, 0.8)
    assert caption.startswith(f"{len(expected):,} of 100,000 SIMs match")


# -- the API key form ------------------------------------------------------------------------------


def test_api_key_form_sets_the_key_without_echoing_it(monkeypatch: pytest.MonkeyPatch) -> None:
    """Set key puts the key in the environment, empties the password box and shows no part of
    the key."""
    monkeypatch.delenv("TELNYX_API_KEY", raising=False)
    monkeypatch.delenv("TELNYX_BASE_URL", raising=False)
    form = api_key_form()
    secret = "KEY01234567890SECRETXYZ4"
    form.key_input.value = secret
    form.base_url_input.value = "http://127.0.0.1:9/v2"
    form.submit_button.click()
    import os

    assert os.environ["TELNYX_API_KEY"] == secret
    assert os.environ["TELNYX_BASE_URL"] == "http://127.0.0.1:9/v2"
    assert form.key_input.value == ""
    shown = output_text(form.output)
    assert shown.startswith("API key set for this kernel")
    assert "XYZ4" not in shown
    assert "SECRET" not in shown
    for widget in (form.key_input, form.base_url_input, form.submit_button, form.output):
        assert "XYZ4" not in json.dumps(widget.get_state(), default=str)


def test_api_key_form_refuses_a_bad_url_and_still_clears_the_key(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """A plain-http remote URL is refused: nothing is set, and the box is emptied anyway."""
    monkeypatch.setenv("TELNYX_API_KEY", "KEY-before")
    form = api_key_form()
    form.key_input.value = "KEY-after-1234"
    form.base_url_input.value = "http://api.example.com/v2"
    form.submit_button.click()
    import os

    assert os.environ["TELNYX_API_KEY"] == "KEY-before"
    assert form.key_input.value == ""
    shown = output_text(form.output)
    assert shown.startswith("Could not set the API key: plain http is only allowed")
    assert "KEY-after" not in shown


def test_apply_api_key_checks_before_setting() -> None:
    """An empty key is refused; an empty base URL removes a previous one."""
    env = {"TELNYX_BASE_URL": "http://127.0.0.1:1/v2"}
    with pytest.raises(InvalidInputError, match="no API key was entered"):
        apply_api_key("   ", env=env)
    assert apply_api_key(" KEY123 ", "", env=env).startswith("API key set for this kernel")
    assert env == {"TELNYX_API_KEY": "KEY123"}


def test_register_with_a_bad_key_raises_nothing_through_the_client(sandbox: Sandbox) -> None:
    """The plain function under the form reports the 401 as the error that stopped the run."""
    from simtools.widgets.registering import register_entries

    with SimClient("KEY-wrong", base_url=sandbox.base_url) as c:
        result, stopped = register_entries(c, parse_codes(sandbox.available_codes(1)))
    assert isinstance(stopped, AuthenticationError)
    assert result.counts()["skipped"] == 1


def test_explorer_shows_a_failed_fetch_and_stays_usable(sandbox: Sandbox) -> None:
    """When the fleet cannot be fetched the explorer says why and shows an empty fleet."""
    with SimClient("KEY-wrong", base_url=sandbox.base_url) as c:
        explorer = usage_explorer(c)
        explorer.refresh_button.click()
    shown = output_text(explorer.output)
    assert shown.startswith("Could not fetch the fleet: GET")
    assert "401" in shown
    assert len(explorer.frame) == 0
    assert explorer.caption.value == "<b>0 of 0 SIMs match</b>"
    assert explorer.group_input.options == ()


def test_forms_display_as_their_widget_box(client: SimClient) -> None:
    """Ending a cell with a form shows its VBox (a widget view of the box's model)."""
    for form in (register_form(client), api_key_form()):
        bundle = form._repr_mimebundle_()
        view = bundle["application/vnd.jupyter.widget-view+json"]
        assert view["model_id"] == form.widget.model_id
