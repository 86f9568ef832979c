"""The API key stays secret: no repr, log record, exception, warning, ledger or saved frame."""

from __future__ import annotations

import logging
import warnings
from pathlib import Path
from typing import Any

import pytest

from simtools.client import SimClient
from simtools.errors import AuthenticationError, SimToolsError
from simtools.frames import errors_frame, registration_frame
from simtools.frames.files import write_frame
from simtools.workflows.fleet import fleet_frame


def test_key_appears_nowhere_after_a_full_workflow(
    make_sandbox: Any, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    """Register (with a ledger and faults), list, fail, save: the key is in none of the traces."""
    caplog.set_level(logging.DEBUG)
    seen: list[str] = []
    with make_sandbox(fleet_size=120, seed=9, error_rate=0.2) as sb:
        key = sb.api_key
        assert len(key) >= 16
        seen += [repr(sb), str(sb)]
        codes = [*sb.available_codes(5), *sb.used_codes(1), "12x"]
        ledger = tmp_path / "ledger.db"
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            with SimClient(key, base_url=sb.base_url) as client:
                seen += [repr(client), str(client)]
                result = client.register(codes, on_invalid="skip", ledger=ledger, progress=False)
                seen += [repr(result), str(result.outcomes), str(result.responses)]
                fleet = fleet_frame(client, progress=False)
                for frame in (fleet, registration_frame(result), errors_frame(result)):
                    for suffix in (".csv", ".parquet", ".json"):
                        write_frame(frame, tmp_path / f"{len(seen)}{suffix}")
                        seen.append(str(len(seen)))
                try:
                    client.get_sim_card("00000000-0000-4000-8000-000000000000")
                except SimToolsError as exc:
                    seen += [str(exc), repr(exc)]
            with SimClient(key + "x", base_url=sb.base_url) as wrong:
                with pytest.raises(AuthenticationError) as info:
                    wrong.list_sim_card_groups()
                seen += [str(info.value), repr(info.value), repr(wrong)]
        seen += [str(w.message) for w in caught]
    seen += [r.getMessage() for r in caplog.records]
    seen += [str(r.args) for r in caplog.records]
    files = [p for p in tmp_path.rglob("*") if p.is_file()]
    assert ledger in files
    assert len(files) >= 10
    for path in files:
        assert key.encode() not in path.read_bytes(), path
    for text in seen:
        assert key not in text


@pytest.mark.parametrize("bad", ["\n", "\r", "\x00", " ", "\t", "\u2028"])
def test_a_key_with_a_line_break_or_control_character_leaves_no_trace(
    sandbox: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, bad: str
) -> None:
    """Such a key is refused by the client, from_env, the key form and the CLI alike, before
    anything is sent; no exception text, frame, export or ledger can then carry it."""
    from simtools.cli import main
    from simtools.widgets.api_key import apply_api_key

    key = f"KEYSECRET{bad}PART"
    texts: list[str] = []
    sandbox.clear_request_log()
    for attempt in (
        lambda: SimClient(key, base_url=sandbox.base_url),
        lambda: SimClient.from_env({"TELNYX_API_KEY": key, "TELNYX_BASE_URL": sandbox.base_url}),
        lambda: apply_api_key(key, sandbox.base_url, env={}),
    ):
        with pytest.raises(SimToolsError) as info:
            attempt()
        texts += [str(info.value), repr(info.value), repr(info.value.value)]
    if "\x00" not in key:  # an environment variable cannot hold a NUL
        monkeypatch.setenv("TELNYX_API_KEY", key)
        monkeypatch.setenv("TELNYX_BASE_URL", sandbox.base_url)
        capture = tmp_path / "out.txt"
        with capture.open("w") as out, pytest.MonkeyPatch.context() as patch:
            patch.setattr("sys.stdout", out)
            patch.setattr("sys.stderr", out)
            code = main(["sims", "--out", str(tmp_path / "sims.csv")])
        assert code != 0
        texts.append(capture.read_text())
        assert not (tmp_path / "sims.csv").exists()
    assert sandbox.request_log == []
    for text in texts:
        assert "SECRET" not in text, text
        assert "PART" not in text, text
