"""Registration outcomes are true under hostile conditions: every code's outcome matches what the
server holds, unknown stays unknown until reconciled, and nothing is registered twice."""

from __future__ import annotations

import subprocess
import sys
import textwrap
from collections import Counter
from pathlib import Path
from typing import Any

import httpx
import pytest
from conftest import MakeSandbox

from simtools.client import SimClient
from simtools.client.retrying import RetryPolicy
from simtools.errors import AuthenticationError, InvalidInputError, RateLimitError, SimToolsError
from simtools.results import RegistrationResult
from simtools.sandbox import Sandbox
from simtools.workflows.ledger import LedgerMismatchError, RegistrationLedger
from simtools.workflows.ledger_lock import LedgerLockedError
from simtools.workflows.registration import register

#: Quick retries, so that a run under heavy faults takes seconds, not minutes.
QUICK = RetryPolicy(attempts=6, deadline=30, initial_wait=0.01, max_wait=0.05)
GROUP = "6a09cdc3-8948-47f0-aa62-74ac943d6c58"


def client_of(sb: Sandbox, **options: Any) -> SimClient:
    options.setdefault("retry", QUICK)
    return SimClient(sb.api_key, base_url=sb.base_url, **options)


def assert_true_to_the_server(result: RegistrationResult, sb: Sandbox) -> None:
    """Registered codes are on the server once, with the SIM named; failed and skipped codes are
    not registered; unknown ones may be either, but never twice."""
    with client_of(sb) as client:
        fleet = {sim.id for sim in client.iter_sim_cards()}
    for outcome in result.outcomes:
        times = sb.registrations(outcome.registration_code)
        assert times <= 1, outcome
        if outcome.outcome == "registered":
            assert times == 1, outcome
            if outcome.sim_card is not None:
                assert outcome.sim_card.id in fleet, outcome
        elif outcome.outcome in ("failed", "skipped"):
            assert times == 0, outcome


def test_all_answers_dropped_then_a_rerun_reports_every_code_registered_with_its_sim(
    make_sandbox: MakeSandbox, tmp_path: Path
) -> None:
    """With every answer dropped after the server acted, 100 codes come back unknown (not
    failed); the rerun with the same ledger on a healthy API reports all 100 registered, each with
    its SIM, and the server holds each once."""
    ledger = tmp_path / "ledger.db"
    with make_sandbox(fleet_size=20, seed=1, code_pool=300) as sb, client_of(sb) as client:
        codes = sb.available_codes(100)
        sb.faults.drop_rate = 1.0
        first = register(client, codes, ledger=ledger, progress=False)
        assert first.counts()["unknown"] == 100
        assert [sb.registrations(c) for c in codes] == [1] * 100
        sb.faults.drop_rate = 0.0
        again = register(client, codes, ledger=ledger, progress=False)
        assert again.counts()["registered"] == 100
        assert all(o.source == "reconciled" and o.sim_card for o in again.outcomes)
        assert len({o.sim_card.id for o in again.outcomes if o.sim_card}) == 100
        assert [sb.registrations(c) for c in codes] == [1] * 100
        assert_true_to_the_server(again, sb)
    with RegistrationLedger(ledger, read_only=True) as book:
        assert book.counts()["registered"] == 100


@pytest.mark.slow
@pytest.mark.parametrize(
    ("drop_rate", "error_rate"), [(0.5, 0.0), (0.7, 0.0), (0.85, 0.0), (0.5, 0.5)]
)
def test_a_thousand_codes_under_heavy_faults_end_true_after_one_rerun(
    make_sandbox: MakeSandbox, tmp_path: Path, drop_rate: float, error_rate: float
) -> None:
    """1,000 codes under dropped answers (and server errors): every outcome is true to the
    server after the first run, and after one rerun with the ledger every code is registered
    once."""
    ledger = tmp_path / "ledger.db"
    with make_sandbox(fleet_size=30, seed=7, code_pool=1200) as sb, client_of(sb) as client:
        codes = sb.available_codes(1000)
        sb.faults.drop_rate, sb.faults.error_rate = drop_rate, error_rate
        first = register(client, codes, ledger=ledger, progress=False)
        sb.faults.drop_rate = sb.faults.error_rate = 0.0
        assert_true_to_the_server(first, sb)
        again = register(client, codes, ledger=ledger, progress=False)
        assert again.counts()["registered"] == 1000, again.counts()
        assert [sb.registrations(c) for c in codes] == [1] * 1000
        assert_true_to_the_server(again, sb)
    counts = Counter(o.outcome for o in first.outcomes)
    assert set(counts) <= {"registered", "failed", "unknown"}, counts


def test_a_ledger_is_refused_against_another_api_and_nothing_is_sent(
    make_sandbox: MakeSandbox, tmp_path: Path
) -> None:
    """A ledger written against one sandbox, reused against another, is refused before anything
    is sent: it says nothing about that API."""
    ledger = tmp_path / "ledger.db"
    with make_sandbox(fleet_size=5, seed=2) as one, client_of(one) as client:
        codes = one.available_codes(2)
        assert register(client, codes, ledger=ledger, progress=False).ok
    with make_sandbox(fleet_size=5, seed=3) as other, client_of(other) as client:
        other.clear_request_log()
        with pytest.raises(LedgerMismatchError, match=r"was written against http://127\.0\.0\.1"):
            register(client, codes, ledger=ledger, progress=False)
        assert other.request_log == []


def test_a_ledger_is_refused_for_another_key_on_the_same_api(
    make_sandbox: MakeSandbox, tmp_path: Path
) -> None:
    """Two accounts on one host are told apart by the key's fingerprint."""
    ledger = tmp_path / "ledger.db"
    with make_sandbox(fleet_size=5, seed=2, accept_any_key=True) as sb:
        with SimClient("KEY_ACCOUNT_ONE", base_url=sb.base_url, retry=QUICK) as one:
            assert register(one, sb.available_codes(1), ledger=ledger, progress=False).ok
        with SimClient("KEY_ACCOUNT_TWO", base_url=sb.base_url, retry=QUICK) as two:
            with pytest.raises(LedgerMismatchError, match="another API key"):
                register(two, sb.available_codes(1), ledger=ledger, progress=False)
    assert b"KEY_ACCOUNT" not in ledger.read_bytes()


def test_a_second_process_on_the_same_ledger_is_refused_at_once(
    sandbox: Sandbox, tmp_path: Path
) -> None:
    """While one process writes a ledger, another is refused at once, told which process holds
    it, and sends nothing."""
    ledger = tmp_path / "ledger.db"
    holder = subprocess.Popen(
        [
            sys.executable,
            "-c",
            textwrap.dedent(
                f"""
                import sys, time
                from simtools.workflows.ledger import RegistrationLedger
                with RegistrationLedger({str(ledger)!r}):
                    print("holding", flush=True)
                    time.sleep(60)
                """
            ),
        ],
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert holder.stdout is not None
        assert holder.stdout.readline().strip() == "holding"
        sandbox.clear_request_log()
        with client_of(sandbox) as client, pytest.raises(LedgerLockedError) as info:
            register(client, sandbox.available_codes(2), ledger=ledger, progress=False)
        assert f"process {holder.pid}" in str(info.value)
        assert sandbox.request_log == []
    finally:
        holder.kill()
        holder.wait()
        if holder.stdout is not None:
            holder.stdout.close()


def test_garbled_answers_to_performed_requests_end_true(
    make_sandbox: MakeSandbox, tmp_path: Path
) -> None:
    """HTML, JSON cut short or fields of the wrong type on the 202 of a performed request make
    its codes unknown, never lost; a rerun with the ledger reports them registered once."""
    ledger = tmp_path / "ledger.db"
    with make_sandbox(fleet_size=10, seed=4) as sb, client_of(sb) as client:
        codes = sb.available_codes(120)
        sb.faults.garble_rate = 1.0
        first = register(client, codes, ledger=ledger, progress=False)
        assert first.counts()["unknown"] == 120
        sb.faults.garble_rate = 0.5
        middle = register(client, codes, ledger=ledger, progress=False)
        sb.faults.garble_rate = 0.0
        assert_true_to_the_server(middle, sb)
        last = register(client, codes, ledger=ledger, progress=False)
        assert last.counts()["registered"] == 120
        assert [sb.registrations(c) for c in codes] == [1] * 120


def mock_register(*answers: Any) -> tuple[SimClient, list[httpx.Request]]:
    """A client whose transport answers each request with the next of ``answers`` (a
    response, an exception to raise, or a function of the request)."""
    seen: list[httpx.Request] = []
    queue = list(answers)

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        answer = queue.pop(0)
        if isinstance(answer, Exception):
            raise answer
        return answer(request) if callable(answer) else answer

    transport = httpx.MockTransport(handler)
    client = SimClient("KEY_TEST", base_url="https://api.example.test/v2", transport=transport)
    return client, seen


USED = {"data": [{"registration_code": "1111111111", "valid": False,
                  "invalid_detail": "This code has already been used."}]}  # fmt: skip
GROUPS = {"data": [{"id": GROUP, "name": "Default", "default": True}], "meta": {}}


def new_sims(count: int) -> httpx.Response:
    import pandas as pd

    now = pd.Timestamp.now(tz="UTC").isoformat()
    sims = [{"id": f"00000000-0000-4000-8000-{i:012d}", "created_at": now} for i in range(count)]
    return httpx.Response(200, json={"data": sims, "meta": {"total_pages": 1}})


def test_a_later_error_keeps_the_codes_reconciled_before_it(tmp_path: Path) -> None:
    """A chunk reconciled as registered is reported even when a later chunk is refused (403),
    with no ledger: the error carries the whole result."""
    client, _ = mock_register(
        httpx.RemoteProtocolError("peer closed connection"),
        httpx.Response(200, json=USED),
        httpx.Response(200, json=GROUPS),
        lambda r: new_sims(1),
        httpx.Response(403, json={"errors": [{"code": "10010", "title": "Forbidden"}]}),
    )
    with client, pytest.raises(SimToolsError) as info:
        register(client, ["1111111111", "2222222222"], chunk_size=1, progress=False)
    result = info.value.partial
    assert isinstance(result, RegistrationResult)
    assert [o.outcome for o in result.outcomes] == ["registered", "skipped"]
    assert result.outcomes[0].source == "reconciled"


def test_an_error_naming_no_code_does_not_make_a_used_code_registered() -> None:
    """A 202 with an error that points at no code, for a code that turns out used, with no SIM
    added to the account: the code is failed (used elsewhere), not registered."""
    client, _ = mock_register(
        httpx.Response(202, json={"data": [], "errors": [{"code": "10015", "title": "No"}]}),
        httpx.Response(200, json=USED),
        httpx.Response(200, json=GROUPS),
        lambda r: new_sims(0),
    )
    with client:
        result = register(client, ["1111111111"], progress=False)
    assert result.outcomes[0].outcome == "failed"


def test_an_unreadable_202_is_reconciled_not_lost() -> None:
    """An HTML body on a 202 makes the chunk's codes checked: used, with a new SIM, registered."""
    client, seen = mock_register(
        httpx.Response(202, content=b"<html>oops</html>", headers={"content-type": "text/html"}),
        httpx.Response(200, json=USED),
        httpx.Response(200, json=GROUPS),
        lambda r: new_sims(1),
    )
    with client:
        result = register(client, ["1111111111"], progress=False)
    assert (result.outcomes[0].outcome, result.outcomes[0].source) == ("registered", "reconciled")
    assert sum(r.url.path.endswith("register/sim_cards") for r in seen) == 1


def test_a_wrong_key_before_any_answer_raises_with_every_entry_in_the_result() -> None:
    """A 401 on the first chunk is raised, and its partial result has a row per entry."""
    body = {"errors": [{"code": "10009", "title": "Authentication failed"}]}
    client, _ = mock_register(httpx.Response(401, json=body))
    with client, pytest.raises(AuthenticationError) as info:
        register(client, ["1111111111", "2222222222", "bad"], on_invalid="skip", progress=False)
    outcomes = [o.outcome for o in info.value.partial.outcomes]
    assert outcomes == ["skipped", "skipped", "invalid"]


def test_float32_codes_are_refused_before_anything_is_sent() -> None:
    """A float32 column turns 1234567890 into 1234567936: refused, naming the column."""
    import numpy as np
    import pandas as pd

    frame = pd.DataFrame({"code": np.array([1234567890], dtype="float32")})
    client, seen = mock_register()
    with client, pytest.raises(InvalidInputError, match="column 'code' holds float32"):
        register(client, frame, progress=False)
    assert seen == []


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"this is not a database, it is a text file " * 100, "not an SQLite database"),
        (None, "another program"),
    ],
)
def test_a_file_that_is_not_a_ledger_is_refused_saying_what_it_is(
    tmp_path: Path, content: bytes | None, message: str
) -> None:
    """A corrupted file or another program's database is refused with what the file is."""
    path = tmp_path / "ledger.db"
    if content is None:
        import sqlite3

        db = sqlite3.connect(path)
        db.execute("CREATE TABLE orders (id INTEGER)")
        db.commit()
        db.close()
    else:
        path.write_bytes(content)
    with pytest.raises(InvalidInputError, match=message):
        RegistrationLedger(path)
    with pytest.raises(InvalidInputError, match=message):
        RegistrationLedger(path, read_only=True)


@pytest.mark.parametrize(
    ("ledger", "message"),
    [(123, "must be a file path"), ("missing-folder/ledger.db", "does not exist")],
)
def test_a_ledger_that_cannot_be_is_refused_before_anything_is_sent(
    sandbox: Sandbox, ledger: Any, message: str
) -> None:
    """ledger=123 or a ledger in a folder that does not exist is refused with what to do."""
    sandbox.clear_request_log()
    with client_of(sandbox) as client, pytest.raises(InvalidInputError, match=message):
        register(client, sandbox.available_codes(1), ledger=ledger, progress=False)
    assert sandbox.request_log == []


def test_an_outcome_never_moves_back_from_registered(tmp_path: Path) -> None:
    """Once registered, a later record of failed or in flight does not change the state."""
    with RegistrationLedger(tmp_path / "l.db") as book:
        book.record("1111111111", "registered", sim_card_id="sim-1")
        book.record("1111111111", "failed", error_detail="already used")
        book.mark_in_flight(["1111111111"])
        entry = book.entries()["1111111111"]
    assert (entry.state, entry.sim_card_id, entry.error_detail) == ("registered", "sim-1", None)


def test_a_persistent_429_stops_the_batch_at_the_deadline_saying_nothing_was_sent() -> None:
    """A server that answers 429 to every register ends the call with RateLimitError after the
    client's deadline; every code has a row, and none claims to have been checked or sent."""
    seen: list[httpx.Request] = []

    def limited(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return httpx.Response(429, headers={"Retry-After": "0.2"}, json={"errors": []})

    policy = RetryPolicy(attempts=100, deadline=1.0, initial_wait=0.01, max_wait=0.05)
    transport = httpx.MockTransport(limited)
    with (
        SimClient(
            "KEY_TEST", base_url="https://api.example.test/v2", transport=transport, retry=policy
        ) as client,  # fmt: skip
        pytest.raises(RateLimitError) as info,
    ):
        register(client, ["1111111111", "2222222222"], chunk_size=1, progress=False)
    result = info.value.partial
    assert [o.outcome for o in result.outcomes] == ["skipped", "skipped"]
    assert all("not sent" in (o.reason or "") for o in result.outcomes)
    assert len(seen) <= 6


def test_the_form_reports_garbled_answers_as_checked_not_as_not_sent(
    make_sandbox: MakeSandbox,
) -> None:
    """In the register form, a chunk whose 202 cannot be read is reconciled like in the library:
    no code is reported "skipped: not sent", and Retry registers the rest once."""
    from simtools.widgets.register_form import register_form

    with make_sandbox(fleet_size=10, seed=6) as sb, client_of(sb) as client:
        codes = sb.available_codes(3)
        form = register_form(client)
        form.codes_input.value = " ".join(codes)
        sb.faults.garble_rate = 1.0
        form.register_button.click()
        assert form.last_frame is not None
        assert set(form.last_frame["outcome"].astype(str)) == {"unknown"}
        assert "not sent" not in " ".join(form.last_frame["reason"].dropna())
        sb.faults.garble_rate = 0.0
        form.retry_button.click()
        assert list(form.last_frame["outcome"].astype(str)) == ["registered"] * 3
        assert [sb.registrations(c) for c in codes] == [1, 1, 1]
