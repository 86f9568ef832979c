"""The onboarding runbook's steps (simtools.runbook) against the sandbox."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from pathlib import Path

import pandas as pd
import pytest

from simtools import runbook
from simtools.client import SimClient
from simtools.errors import InvalidInputError
from simtools.models import SimCard
from simtools.results import CodeOutcome, RegistrationResult
from simtools.runbook import RunbookStop
from simtools.sandbox import Sandbox
from simtools.workflows.ledger import RegistrationLedger
from simtools.workflows.lifecycle import ACTION_COLUMNS
from tests.conftest import MakeSandbox

FRAME_MARKERS = ("Traceback", 'File "', "Cell In[", "---->")


@pytest.fixture
def client(sandbox: Sandbox) -> Iterator[SimClient]:
    """A client of the shared sandbox that knows its sandbox, as ``simtools.connect()`` gives."""
    with SimClient(sandbox.api_key, base_url=sandbox.base_url) as c:
        c.sandbox = sandbox
        yield c


def _register(
    client: SimClient,
    codes: list[str],
    *,
    ledger: Path | None = None,
    sim_card_group_id: str | None = None,
) -> RegistrationResult:
    return client.register(
        codes,
        status="disabled",
        progress=False,
        ledger=ledger,
        sim_card_group_id=sim_card_group_id,
    )


# -- RunbookStop ----------------------------------------------------------------------------------


def test_stop_renders_as_its_message_without_frames() -> None:
    """IPython's custom rendering gives the headline, each detail and the hint, no frames."""
    stop = RunbookStop("check codes", "nothing to do", "paste codes", details=["a", "b"])
    lines = stop._render_traceback_()
    assert lines == [
        "STOPPED at step 'check codes': nothing to do",
        "  - a",
        "  - b",
        "What to do: paste codes",
    ]
    assert str(stop) == "\n".join(lines)
    assert not any(marker in line for line in lines for marker in FRAME_MARKERS)


def test_stop_lists_at_most_fifteen_details() -> None:
    """Long detail lists are cut after fifteen, with a count of the rest."""
    stop = RunbookStop("x", "y", "z", details=[str(i) for i in range(40)])
    assert "  - ... and 25 more" in stop.lines()
    assert len(stop.lines()) == 1 + 15 + 1 + 1


def test_stop_is_a_simtools_error() -> None:
    """Code that catches SimToolsError also catches a stop."""
    from simtools.errors import SimToolsError

    assert isinstance(RunbookStop("a", "b", "c"), SimToolsError)


# -- setting up -----------------------------------------------------------------------------------


def test_environment_note_explains_base_url_without_key() -> None:
    """TELNYX_BASE_URL without TELNYX_API_KEY gets a note naming the URL and what to do."""
    note = runbook.environment_note({"TELNYX_BASE_URL": "http://127.0.0.1:8080/v2"})
    assert note is not None
    assert "http://127.0.0.1:8080/v2" in note
    assert "TELNYX_API_KEY" in note


@pytest.mark.parametrize(
    "env",
    [{}, {"TELNYX_API_KEY": "KEY123"}, {"TELNYX_API_KEY": "KEY1", "TELNYX_BASE_URL": "http://x"}],
)
def test_environment_note_is_none_when_nothing_surprises(env: dict[str, str]) -> None:
    """No note without a base URL, or when a key goes with it."""
    assert runbook.environment_note(env) is None


def test_codes_source_makes_up_demo_codes_on_the_sandbox(client: SimClient) -> None:
    """None on a sandbox: four fresh codes, one repeat, one malformed line, one used code."""
    text = runbook.codes_source(client, None)
    lines = text.splitlines()
    assert len(lines) == 7
    assert lines[4] == lines[1]
    assert "x" in lines[5]
    checks = client.validate_codes([*lines[:4], lines[6]])
    assert [c.valid for c in checks] == [True, True, True, True, False]
    assert "already been used" in str(checks[4].invalid_detail)


def test_codes_source_stops_without_codes_on_a_real_account() -> None:
    """None on a real account stops at the codes step and says where to put the codes."""
    with SimClient("KEY-not-used", base_url="https://api.example.com/v2") as remote:
        with pytest.raises(RunbookStop, match="no registration codes") as info:
            runbook.codes_source(remote, None)
    assert info.value.step == "codes"
    assert info.value.hint == (
        "set `codes` in the parameters cell to the pasted codes or a CSV path, then rerun"
    )


def test_codes_source_stops_on_a_sandbox_started_elsewhere(client: SimClient) -> None:
    """None on a sandbox named by the environment (no handle): a stop that says where codes are."""
    client.sandbox = None
    with pytest.raises(RunbookStop, match="no registration codes") as info:
        runbook.codes_source(client, None)
    assert "`simtools sandbox` prints codes to try" in info.value.hint


def test_codes_source_reads_a_csv_path(client: SimClient, tmp_path: Path) -> None:
    """A string naming an existing CSV file becomes a Path; so does a PathLike."""
    csv = tmp_path / "codes.csv"
    csv.write_text("registration_code\n1234567890\n", encoding="utf-8")
    assert runbook.codes_source(client, str(csv)) == csv
    assert runbook.codes_source(client, csv) == csv


def test_codes_source_stops_on_a_missing_file(client: SimClient, tmp_path: Path) -> None:
    """A CSV path that does not exist stops with the path in the message."""
    missing = tmp_path / "nope.csv"
    with pytest.raises(RunbookStop, match=r"nope\.csv"):
        runbook.codes_source(client, str(missing))


def test_codes_source_keeps_pasted_text(client: SimClient) -> None:
    """Pasted text (several lines, or one code) is returned as it is."""
    assert runbook.codes_source(client, "1234567890\n2345678901") == "1234567890\n2345678901"
    assert runbook.codes_source(client, "1234567890") == "1234567890"


def test_resolve_group_default(client: SimClient) -> None:
    """None picks the account's default group by its id; the table lists every group."""
    choice = runbook.resolve_group(client, None)
    default = next(g for g in client.list_sim_card_groups() if g.default)
    assert choice.id == default.id
    assert choice.name == "Default"
    assert choice.message == f"New SIMs go into the default group, Default ({default.id})."
    assert set(choice.frame["name"]) >= {"Default", "Asset trackers"}


def test_resolve_group_by_name_any_case_and_by_id(client: SimClient) -> None:
    """A group is found by its exact name, by its name in another case, and by its id."""
    exact = runbook.resolve_group(client, "Asset trackers")
    assert exact.id is not None
    assert runbook.resolve_group(client, "asset TRACKERS").id == exact.id
    assert runbook.resolve_group(client, exact.id).name == "Asset trackers"


def test_resolve_group_stops_on_unknown_name(client: SimClient) -> None:
    """An unknown group stops with every group listed."""
    with pytest.raises(RunbookStop, match="no SIM card group") as info:
        runbook.resolve_group(client, "Nowhere")
    assert any(d.startswith("Default (") for d in info.value.details)


def test_resolve_group_stops_on_ambiguous_name(make_sandbox: MakeSandbox) -> None:
    """Two groups with the same name stop and ask for the id."""
    with (
        make_sandbox(fleet_size=20) as sb,
        SimClient(sb.api_key, base_url=sb.base_url) as c,
    ):
        c.create_sim_card_group("Twins")
        c.create_sim_card_group("Twins")
        with pytest.raises(RunbookStop, match="2 SIM card groups are called 'Twins'"):
            runbook.resolve_group(c, "Twins")


def test_prepare_ledger_defaults_into_the_output_dir(client: SimClient, tmp_path: Path) -> None:
    """Without a ledger path the ledger goes into output_dir (created if needed)."""
    path = runbook.prepare_ledger(client, None, tmp_path / "out")
    assert path == tmp_path / "out" / "registration-ledger.sqlite"
    assert path.parent.is_dir()


def test_prepare_ledger_keeps_a_ledger_of_the_same_api(client: SimClient, tmp_path: Path) -> None:
    """A ledger written against this API is kept for resuming."""
    path = tmp_path / "l.sqlite"
    with RegistrationLedger(
        path, api_base_url=client.base_url, fingerprint=client.account_fingerprint
    ) as book:
        book.record("1234567890", "registered")
    assert runbook.prepare_ledger(client, path, tmp_path) == path
    with RegistrationLedger(path, read_only=True) as book:
        assert "1234567890" in book.entries()


def test_prepare_ledger_sets_aside_an_old_sandbox_ledger(client: SimClient, tmp_path: Path) -> None:
    """A ledger of another sandbox is renamed, and a fresh one starts at the same path."""
    path = tmp_path / "l.sqlite"
    with RegistrationLedger(path, api_base_url="http://127.0.0.1:1/v2") as book:
        book.record("1234567890", "registered")
    assert runbook.prepare_ledger(client, path, tmp_path) == path
    assert not path.exists()
    assert len(list(tmp_path.glob("l.sqlite.*.old-sandbox"))) == 1


def test_prepare_ledger_refuses_a_ledger_of_another_account(
    client: SimClient, tmp_path: Path
) -> None:
    """A ledger of the real API is never set aside when talking to a sandbox: the run stops."""
    path = tmp_path / "l.sqlite"
    with RegistrationLedger(path, api_base_url="https://api.telnyx.com/v2") as book:
        book.record("1234567890", "registered")
    with pytest.raises(RunbookStop, match=r"api\.telnyx\.com") as info:
        runbook.prepare_ledger(client, path, tmp_path)
    assert info.value.step == "ledger"
    assert path.exists()


# -- checking -------------------------------------------------------------------------------------


def test_check_codes_gives_every_entry_a_verdict(client: SimClient) -> None:
    """The demo input: four ready, one duplicate, one invalid, one already used, in order."""
    source = runbook.codes_source(client, None)
    check = runbook.check_codes(client, source)
    assert list(check.frame.columns) == list(runbook.PREVIEW_COLUMNS)
    assert check.frame["verdict"].astype(str).tolist() == [
        "ready",
        "ready",
        "ready",
        "ready",
        "duplicate",
        "invalid",
        "already used",
    ]
    assert check.ready == tuple(source.splitlines()[:4])
    assert check.counts() == {
        "ready": 4,
        "registered earlier": 0,
        "already used": 1,
        "rejected": 0,
        "invalid": 1,
        "duplicate": 1,
    }
    assert check.message == "7 entries checked: 4 ready, 1 already used, 1 invalid, 1 duplicate."
    assert check.frame["where"].tolist()[4] == "line 5"
    assert check.frame["detail"].tolist()[4] == "repeats line 2"


def test_check_codes_marks_unknown_codes_rejected(client: SimClient, sandbox: Sandbox) -> None:
    """A well-formed code the API does not know is rejected, with the API's reason."""
    fresh = sandbox.available_codes(1)[0]
    check = runbook.check_codes(client, f"{fresh}\n0000000001")
    rejected = check.frame[check.frame["verdict"] == "rejected"]
    assert rejected["entry"].tolist() == ["0000000001"]
    assert "not valid" in str(rejected["detail"].iloc[0])
    assert check.ready == (fresh,)


def test_check_codes_stops_when_every_entry_is_malformed(client: SimClient) -> None:
    """Only malformed entries: a stop at 'check codes' listing each entry and why."""
    with pytest.raises(RunbookStop) as info:
        runbook.check_codes(client, "12x\n999")
    stop = info.value
    assert stop.step == "check codes"
    assert stop.reason == "none of the 2 entries can be registered"
    assert stop.details[0] == "line 1: '12x' is not 10 digits (it contains 'x')"
    assert stop.details[1].startswith("line 2: '999' is not 10 digits (it has 3)")


def test_check_codes_stops_when_every_code_is_used(client: SimClient, sandbox: Sandbox) -> None:
    """Codes all on an account already: nothing to register, so the run stops."""
    with pytest.raises(RunbookStop, match="none of the 2 entries") as info:
        runbook.check_codes(client, sandbox.used_codes(2))
    assert all("already been used" in d for d in info.value.details)


def test_check_codes_stops_on_empty_input(client: SimClient) -> None:
    """Input without any entry stops with parse_codes' reason and hint."""
    with pytest.raises(RunbookStop, match="no registration codes found") as info:
        runbook.check_codes(client, "  \n \n")
    assert "10-digit" in info.value.hint


def test_check_codes_counts_ledger_registrations_as_registered_earlier(
    client: SimClient, sandbox: Sandbox, tmp_path: Path
) -> None:
    """After a run with a ledger, its codes are 'registered earlier' and still go forward."""
    ledger = tmp_path / "ledger.sqlite"
    codes = sandbox.available_codes(2)
    _register(client, codes, ledger=ledger)
    check = runbook.check_codes(client, codes, ledger=ledger)
    assert check.frame["verdict"].astype(str).tolist() == ["registered earlier"] * 2
    assert check.ready == tuple(codes)
    again = _register(client, list(check.ready), ledger=ledger)
    assert [o.source for o in again.outcomes] == ["ledger", "ledger"]
    assert all(sandbox.registrations(c) == 1 for c in codes)


def test_check_codes_resumes_codes_left_in_flight(
    client: SimClient, sandbox: Sandbox, tmp_path: Path
) -> None:
    """A kernel that died after sending: the codes count as registered earlier, and registering
    again confirms them with the API instead of sending them twice."""
    ledger = tmp_path / "ledger.sqlite"
    codes = sandbox.available_codes(2)
    sandbox.advance(2)  # time passes since the codes other tests registered (Date is to the second)
    client.list_sim_card_groups()  # an answer whose Date tells the API's clock, as a run has
    sent_at = client.server_time_floor()
    assert sent_at is not None
    with RegistrationLedger(
        ledger, api_base_url=client.base_url, fingerprint=client.account_fingerprint
    ) as book:
        book.mark_in_flight(codes, sent_at=sent_at.isoformat(timespec="milliseconds"))
    client.register_chunk(codes)  # the request the dead kernel sent; its answer was lost
    check = runbook.check_codes(client, codes, ledger=ledger)
    assert check.frame["verdict"].astype(str).tolist() == ["registered earlier"] * 2
    assert "stopped before the answer" in str(check.frame["detail"].iloc[0])
    again = _register(client, list(check.ready), ledger=ledger)
    assert again.counts()["registered"] == 2
    assert [o.source for o in again.outcomes] == ["reconciled", "reconciled"]
    assert all(sandbox.registrations(c) == 1 for c in codes)


def test_check_codes_without_ledger_calls_own_codes_already_used(
    client: SimClient, sandbox: Sandbox
) -> None:
    """Without the ledger, a code registered before is just 'already used'."""
    code = sandbox.available_codes(1)[0]
    _register(client, [code])
    with pytest.raises(RunbookStop):
        runbook.check_codes(client, [code])


# -- after registering ----------------------------------------------------------------------------


def test_verify_finds_the_new_sims_once_registered(client: SimClient, sandbox: Sandbox) -> None:
    """Every registered code's SIM is fetched, and waited for until no longer registering."""
    codes = sandbox.available_codes(2)
    result = _register(client, codes)
    sims = runbook.verify_registration(client, result)
    assert sims.frame["registration_code"].tolist() == codes
    assert sims.frame["status"].astype(str).tolist() == ["disabled", "disabled"]
    assert sims.missing == ()
    assert sims.message == "2 of 2 registered SIM cards found in the fleet."


def test_verify_reports_sims_that_are_gone(client: SimClient) -> None:
    """A registered outcome whose SIM does not exist is reported missing, not raised."""
    ghost = SimCard(id=str(uuid.uuid4()))
    result = RegistrationResult(
        submitted=("1234567890",),
        outcomes=[CodeOutcome("1234567890", 1, "registered", sim_card=ghost)],
    )
    sims = runbook.verify_registration(client, result)
    assert sims.missing == ("1234567890",)
    assert sims.frame.empty
    assert "1 not found (1234567890)" in sims.message


def test_verify_says_when_nothing_was_registered(client: SimClient, sandbox: Sandbox) -> None:
    """A dry run registers nothing; verification says so."""
    result = client.register(sandbox.available_codes(1), dry_run=True, progress=False)
    sims = runbook.verify_registration(client, result)
    assert sims.frame.empty
    assert sims.message.startswith("Nothing was registered")


def test_activate_enables_and_then_leaves_alone(client: SimClient, sandbox: Sandbox) -> None:
    """Enable reaches 'enabled' and settles; a second run sends nothing."""
    sims = runbook.verify_registration(client, _register(client, sandbox.available_codes(2)))
    first = runbook.activate(client, sims, "enabled")
    assert list(first.frame.columns) == list(ACTION_COLUMNS)
    assert first.frame["sim_status"].astype(str).tolist() == ["enabled", "enabled"]
    assert first.frame["settled"].tolist() == [True, True]
    assert first.message == "2 of 2 SIM cards are now enabled."
    again = runbook.activate(
        client, runbook.verify_registration(client, _with_ids(sims)), "enabled"
    )
    assert again.frame.empty
    assert again.message == "Nothing to do: all 2 SIM cards are already enabled."


def _with_ids(sims: runbook.Verification) -> RegistrationResult:
    outcomes = [
        CodeOutcome(str(code), i, "registered", sim_card=SimCard(id=str(sid)))
        for i, (code, sid) in enumerate(
            zip(sims.frame["registration_code"], sims.frame["id"], strict=True), start=1
        )
    ]
    return RegistrationResult(
        submitted=tuple(o.registration_code for o in outcomes), outcomes=outcomes
    )


def test_activate_sets_standby(client: SimClient, sandbox: Sandbox) -> None:
    """Standby is reached through set_standby."""
    sims = runbook.verify_registration(client, _register(client, sandbox.available_codes(1)))
    done = runbook.activate(client, sims, "standby")
    assert done.frame["action_type"].astype(str).tolist() == ["set_standby"]
    assert done.frame["sim_status"].astype(str).tolist() == ["standby"]


def test_activate_disabled_sends_nothing(client: SimClient, sandbox: Sandbox) -> None:
    """Target 'disabled': no action, an empty frame of the action columns, a message saying so."""
    sims = runbook.verify_registration(client, _register(client, sandbox.available_codes(1)))
    sandbox.clear_request_log()
    done = runbook.activate(client, sims, "disabled")
    assert done.frame.empty
    assert list(done.frame.columns) == list(ACTION_COLUMNS)
    assert "target status is disabled" in done.message
    assert not [p for _, p in sandbox.request_log if "actions" in p]


def test_activate_refuses_an_unknown_target(client: SimClient, sandbox: Sandbox) -> None:
    """A target that is not a status a SIM can be brought to is bad input."""
    sims = runbook.verify_registration(client, _register(client, sandbox.available_codes(1)))
    with pytest.raises(InvalidInputError, match="'active'"):
        runbook.activate(client, sims, "active")


def test_group_members_marks_the_new_sims(client: SimClient, sandbox: Sandbox) -> None:
    """The joined group's SIMs, with the new ones flagged."""
    group = runbook.resolve_group(client, "Retail POS")
    result = _register(client, sandbox.available_codes(2), sim_card_group_id=group.id)
    sims = runbook.verify_registration(client, result)
    members = runbook.group_members(client, sims)
    assert set(members["sim_card_group_id"]) == {group.id}
    assert members["new"].sum() == 2
    assert set(members.loc[members["new"], "id"]) == set(sims.frame["id"])


def test_group_members_of_a_dry_run_are_the_chosen_group(
    client: SimClient, sandbox: Sandbox
) -> None:
    """Nothing registered: the chosen group's SIMs, none of them new."""
    group = runbook.resolve_group(client, "Field sensors")
    result = client.register(sandbox.available_codes(1), dry_run=True, progress=False)
    members = runbook.group_members(client, runbook.verify_registration(client, result), group)
    assert len(members) > 0
    assert set(members["sim_card_group_id"]) == {group.id}
    assert not members["new"].any()
    assert runbook.group_members(client, runbook.verify_registration(client, result)).empty


# -- the audit trail ------------------------------------------------------------------------------


def test_outcome_frame_follows_each_entry_to_its_final_status(
    client: SimClient, tmp_path: Path
) -> None:
    """One row per entry: registered ones verified and enabled, the others with their reason."""
    source = runbook.codes_source(client, None)
    check = runbook.check_codes(client, source)
    result = client.register(check.source, on_invalid="skip", status="disabled", progress=False)
    sims = runbook.verify_registration(client, result)
    actions = runbook.activate(client, sims, "enabled")
    outcome = runbook.outcome_frame(result, sims, actions)
    assert list(outcome.columns) == list(runbook.OUTCOME_COLUMNS)
    assert outcome["outcome"].astype(str).tolist() == [
        "registered",
        "registered",
        "registered",
        "registered",
        "duplicate",
        "invalid",
        "failed",
    ]
    assert outcome["verified"].tolist()[:4] == [True] * 4
    assert outcome["verified"].isna().tolist()[4:] == [True] * 3
    assert outcome["final_status"].tolist()[:4] == ["enabled"] * 4
    assert outcome["action_status"].tolist()[:4] == ["completed"] * 4
    assert "already been used" in str(outcome["error_detail"].iloc[6])

    summary = runbook.outcome_summary(outcome)
    rows = {(r.outcome, r.final_status): r.entries for r in summary.itertuples()}
    assert rows == {
        ("registered", "enabled"): 4,
        ("duplicate", "-"): 1,
        ("invalid", "-"): 1,
        ("failed", "-"): 1,
    }

    path = runbook.write_outcome(outcome, tmp_path / "audit", client=client)
    assert path.name.startswith("onboarding-outcome-")
    assert path.suffix == ".csv"
    written = pd.read_csv(path, dtype=str)
    assert len(written) == 7
    assert set(written["api_base_url"]) == {client.base_url}
    assert client.sandbox.api_key not in path.read_text(encoding="utf-8")


def test_outcome_frame_without_later_steps(client: SimClient, sandbox: Sandbox) -> None:
    """Before verification the final status is the one the registration answered with."""
    result = _register(client, sandbox.available_codes(1))
    outcome = runbook.outcome_frame(result)
    assert outcome["final_status"].tolist() == ["registering"]
    assert outcome["verified"].isna().all()


# -- showing a step -------------------------------------------------------------------------------


def test_reports_show_message_and_table(client: SimClient) -> None:
    """A step report ending a cell shows its message (escaped) above its table."""
    check = runbook.check_codes(client, runbook.codes_source(client, None))
    page = check._repr_html_()
    assert page.startswith(f"<p><b>{check.message}</b></p>")
    assert "<table" in page
    assert "12345x7890" in page
    text = repr(check)
    assert text.splitlines()[0] == check.message
    assert "already used" in text


def test_verification_shows_a_few_columns_and_keeps_them_all(
    client: SimClient, sandbox: Sandbox
) -> None:
    """The verification table shows the columns that matter; its frame has the full contract."""
    sims = runbook.verify_registration(client, _register(client, sandbox.available_codes(1)))
    header = repr(sims).splitlines()[1].split()
    assert header == list(runbook.Verification.shown_columns)
    assert "imsi" in sims.frame.columns
    assert "imsi" not in sims._repr_html_()
