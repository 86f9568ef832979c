"""The simtools command as a shell user meets it: run as a subprocess against a sandbox, each
test asserts what it prints and its exit status."""

from __future__ import annotations

import argparse
import os
import socket
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pandas as pd
import pytest

from simtools.cli import BROKEN_PIPE, build_parser
from simtools.cli_hints import FLAG_FOR, PHRASES, cli_hint, cli_message
from simtools.errors import InvalidInputError
from simtools.sandbox import Sandbox, serve


@pytest.fixture(scope="module")
def sb() -> Iterator[Sandbox]:
    """A private sandbox: these tests change statuses, which the shared one must not see."""
    with serve(fleet_size=60, seed=3, action_delay=0.0) as sandbox:
        yield sandbox


def run(
    sb: Sandbox | None, *args: str, key: str | None = None, stdin: str | None = None
) -> subprocess.CompletedProcess[str]:
    """``simtools ARGS`` on ``sb`` (with its key unless ``key`` is given), 100 columns wide."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("TELNYX_")}
    env["COLUMNS"] = "100"
    if sb is not None:
        env["TELNYX_BASE_URL"] = sb.base_url
        env["TELNYX_API_KEY"] = key or sb.api_key
    return subprocess.run(
        [sys.executable, "-m", "simtools", *args],
        capture_output=True,
        text=True,
        env=env,
        input=stdin,
        timeout=120,
        check=False,
    )


def test_register_names_the_flag_for_a_duplicate_and_a_malformed_line(
    sb: Sandbox, tmp_path: Path
) -> None:
    """A file with a duplicate and a malformed line is refused (status 2) with each line named
    and --skip-invalid as the fix; with --skip-invalid the valid code is registered (status 0)."""
    (code,) = sb.available_codes(1)
    codes = tmp_path / "codes.txt"
    codes.write_text(f"{code}\n{code}\n12345abc\n")
    refused = run(sb, "register", str(codes))
    assert refused.returncode == 2
    assert "at line 2 repeats line 1" in refused.stderr
    assert "'12345abc' at line 3" in refused.stderr
    assert "pass --skip-invalid to register only the valid codes" in refused.stderr
    assert "errors=" not in refused.stderr
    assert "Traceback" not in refused.stderr
    assert sb.registrations(code) == 0
    done = run(sb, "register", str(codes), "--skip-invalid")
    assert done.returncode == 0, done.stderr
    assert "3 entries: 1 registered, 1 invalid, 1 duplicate" in done.stderr
    assert sb.registrations(code) == 1


def test_threshold_as_a_percentage_is_refused_or_read_with_its_sign(
    sb: Sandbox, tmp_path: Path
) -> None:
    """`--threshold 80` is refused with what to pass; `80%` is read as 0.8."""
    refused = run(sb, "usage", "--threshold", "80")
    assert refused.returncode == 2
    assert "threshold 80 looks like a percentage" in refused.stderr
    assert "pass --threshold 0.8 for 80% of the limit (or 80%)" in refused.stderr
    as_percent, as_share = tmp_path / "percent.csv", tmp_path / "share.csv"
    assert run(sb, "usage", "--threshold", "80%", "--out", str(as_percent)).returncode == 0
    assert run(sb, "usage", "--threshold", "0.8", "--out", str(as_share)).returncode == 0
    percent = pd.read_csv(as_percent)
    pd.testing.assert_frame_equal(percent, pd.read_csv(as_share))
    assert percent["near_limit_count"].sum() > 0


def test_usage_by_an_unknown_key_lists_the_choices(sb: Sandbox) -> None:
    """`--by foo` is refused (status 2) with the valid choices listed."""
    out = run(sb, "usage", "--by", "foo")
    assert out.returncode == 2
    assert "invalid choice: 'foo' (choose from 'group', 'tag', 'status', 'type')" in out.stderr
    assert "simtools.frames" not in out.stderr


def test_a_closed_pipe_ends_quietly(sb: Sandbox) -> None:
    """A reader that goes away (`simtools sims | head -1`) ends the command with status 141
    and nothing on stderr but the banner."""
    env = {**os.environ, "TELNYX_BASE_URL": sb.base_url, "TELNYX_API_KEY": sb.api_key}
    with subprocess.Popen(
        [sys.executable, "-m", "simtools", "sims"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        env=env,
        text=True,
    ) as proc:
        assert proc.stdout is not None
        assert proc.stderr is not None
        proc.stdout.close()  # no reader left before the command writes its first line
        err = proc.stderr.read()
        status = proc.wait(timeout=120)
    assert status == BROKEN_PIPE
    assert "Traceback" not in err
    assert "BrokenPipeError" not in err


def test_tables_fit_the_terminal_and_name_what_they_leave_out(sb: Sandbox) -> None:
    """At 100 columns no printed line is wider; the columns left out are named on stderr."""
    out = run(sb, "sims")
    assert out.returncode == 0
    assert max(len(line) for line in out.stdout.splitlines()) <= 100
    assert "columns not shown" in out.stderr
    assert "tags" in out.stderr
    assert "--out FILE writes them all" in out.stderr
    first_id = out.stdout.splitlines()[1].split()[0]
    assert len(first_id) == 36  # ids are never cut: they are copied into the next command


def test_a_wrong_key_says_how_to_fix_it(sb: Sandbox) -> None:
    """A key the API refuses: status 1, the 401, and a How to fix line naming TELNYX_API_KEY;
    the key itself is never printed."""
    out = run(sb, "groups", key="KEY_not_this_one")
    assert out.returncode == 1
    assert "HTTP 401" in out.stderr
    assert "How to fix: the API refused the key: check TELNYX_API_KEY" in out.stderr
    assert "KEY_not_this_one" not in out.stdout + out.stderr


def test_sandbox_on_a_busy_port_names_the_flag() -> None:
    """`simtools sandbox --port <busy>` says `--port 0`, not `port=0`, with status 2."""
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        out = run(None, "sandbox", "--port", str(busy.getsockname()[1]), "--fleet-size", "5")
    assert out.returncode == 2
    assert "or --port 0 for any free one" in out.stderr
    assert "port=0" not in out.stderr


def test_validate_gives_each_entry_a_verdict(sb: Sandbox, tmp_path: Path) -> None:
    """`validate` registers nothing, writes a verdict per entry and exits 1 when any entry cannot
    be registered, 0 when all can."""
    fresh = sb.available_codes(2)
    (used,) = sb.used_codes(1)
    codes = tmp_path / "codes.txt"
    codes.write_text(f"{fresh[0]}\n{used}\nnot-a-code\n")
    verdicts = tmp_path / "verdicts.csv"
    mixed = run(sb, "validate", str(codes), "--out", str(verdicts))
    assert mixed.returncode == 1
    frame = pd.read_csv(verdicts, dtype=str)
    assert list(frame["verdict"]) == ["ready", "already used", "invalid"]
    assert "3 entries: 1 ready, 1 already used, 1 invalid" in mixed.stderr
    good = run(sb, "validate", "-", stdin=" ".join(fresh))
    assert good.returncode == 0
    assert "2 entries: 2 ready" in good.stderr
    assert all(sb.registrations(code) == 0 for code in fresh)


def test_disable_and_enable_ids_from_a_file_and_from_arguments(sb: Sandbox, tmp_path: Path) -> None:
    """`disable --file` reads ids (one a line, comments allowed) and disables them; `enable ID`
    enables one again; each says what happened and exits 0."""
    sims = tmp_path / "sims.csv"
    assert run(sb, "sims", "--status", "enabled", "--out", str(sims)).returncode == 0
    fleet = pd.read_csv(sims, dtype=str)
    grouped = fleet[fleet["sim_card_group_id"].notna()]["id"].tolist()[:2]
    ids = tmp_path / "ids.txt"
    ids.write_text("# two SIMs to pause\n" + "\n".join(grouped) + "\n")
    off = run(sb, "disable", "--file", str(ids))
    assert off.returncode == 0, off.stderr
    assert "disable: 2 SIM cards: 2 completed" in off.stderr
    assert {sb.state.sims[i].status for i in grouped} == {"disabled"}
    on = run(sb, "enable", grouped[0], "--out", str(tmp_path / "enabled.csv"))
    assert on.returncode == 0, on.stderr
    assert "wrote 1 row to" in on.stderr
    assert sb.state.sims[grouped[0]].status == "enabled"


def test_actions_without_ids_or_with_a_bad_one_are_refused(sb: Sandbox) -> None:
    """No ids, or an id that is not a UUID: status 2 and how to fix it, nothing sent."""
    none = run(sb, "standby")
    assert none.returncode == 2
    assert "How to fix: name them, or pass --file" in none.stderr
    bad = run(sb, "standby", "not-a-uuid")
    assert bad.returncode == 2
    assert "'not-a-uuid' is not a UUID" in bad.stderr


def test_groups_lists_the_accounts_groups(sb: Sandbox, tmp_path: Path) -> None:
    """`groups` writes every SIM card group and counts them."""
    out = tmp_path / "groups.csv"
    done = run(sb, "groups", "--out", str(out))
    assert done.returncode == 0
    names = set(pd.read_csv(out)["name"])
    assert "Default" in names
    assert f"{len(names)} SIM card groups" in done.stderr


def _subcommands(parser: argparse.ArgumentParser) -> Iterator[tuple[str, argparse.ArgumentParser]]:
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            for name, sub in action.choices.items():
                yield name, sub
                for inner, deeper in _subcommands(sub):
                    yield f"{name} {inner}", deeper


def test_every_option_has_help_and_shows_its_default() -> None:
    """Each option of each command has help text, and help shows every default worth saying."""
    for name, sub in _subcommands(build_parser()):
        text = sub.format_help()
        for action in sub._actions:
            if isinstance(action, argparse._SubParsersAction | argparse._HelpAction):
                continue
            assert action.help, f"{name} {action.dest} has no help"
            if action.option_strings and action.default not in (None, False):
                assert f"(default: {action.default})" in " ".join(text.split()), (name, action)


def test_history_end_says_it_is_exclusive() -> None:
    """`history --help` says --end is exclusive."""
    (history,) = [sub for name, sub in _subcommands(build_parser()) if name == "history"]
    assert "end, exclusive" in history.format_help()


def test_every_flag_a_hint_may_name_exists() -> None:
    """The flags the translation table writes are options of some command."""
    options = {
        o for _, sub in _subcommands(build_parser()) for a in sub._actions for o in a.option_strings
    }
    assert set(FLAG_FOR.values()) <= options


@pytest.mark.parametrize(
    ("library", "cli"),
    [
        ("pass errors='collect' to register only", "pass --skip-invalid to register only"),
        ("choose another port, or port=0 for any free one", "or --port 0 for any free one"),
        ("pass e.g. threshold=0.8 for SIMs at 80%", "pass e.g. --threshold 0.8 for SIMs at 80%"),
        ("pass by='group', by=['group', 'status']", "pass --by group, --by group status"),
        ("sort_by='x' stays", "sort_by='x' stays"),
        ("pass threshold=0.8 (or the text '80%')", "pass --threshold 0.8 (or 80%)"),
        ("pass e.g. tags=['fleet-a', 'berlin']", "pass e.g. --tag fleet-a --tag berlin"),
        ("pass e.g. start='2026-05-01T00:00:00Z'", "pass e.g. --start 2026-05-01T00:00:00Z"),
        (
            "pass a path such as ledger='onboarding.db'",
            "pass a path such as --ledger onboarding.db",
        ),
    ],
)
def test_hints_name_flags(library: str, cli: str) -> None:
    """A keyword argument in a library hint reads as the flag of the same meaning."""
    assert cli in cli_hint(library)


def test_the_message_keeps_every_problem_line() -> None:
    """An InvalidInputError prints its reason, one line per problem and How to fix."""
    exc = InvalidInputError(["a"], "1 of 2 entries is bad", "pass errors='collect'", problems=["a"])
    assert cli_message(exc).splitlines() == [
        "1 of 2 entries is bad",
        "  - a",
        "How to fix: pass --skip-invalid",
    ]


def test_the_sandbox_banner_says_its_faults_in_words() -> None:
    """The banner's faults line is text people read, not a dataclass repr."""
    from simtools.sandbox.faults import Faults

    assert Faults().describe() == "none"
    said = Faults(rate_limit=10, error_rate=0.05, latency=0.2).describe()
    assert said == (
        "HTTP 429 past 10 requests a second; 5% of requests answered 500/503; "
        "0.2 s added to every request"
    )


@pytest.mark.parametrize(
    ("count", "noun", "said"),
    [
        (1, "row", "1 row"),
        (2, "row", "2 rows"),
        (1, "entry", "1 entry"),
        (1200, "entry", "1,200 entries"),
    ],
)
def test_counts_read_as_english(count: int, noun: str, said: str) -> None:
    """Counts take the noun's singular or plural."""
    from simtools.wording import a_type, plural

    assert plural(count, noun) == said
    assert a_type(80) == "an int"
    assert a_type("x") == "a str"


def test_every_phrase_translated_is_still_in_the_library() -> None:
    """Each whole phrase the table rewrites is still written somewhere in simtools (a reworded
    hint would otherwise slip through untranslated)."""
    import ast

    import simtools

    texts = [
        node.value
        for path in Path(simtools.__file__).parent.rglob("*.py")
        for node in ast.walk(ast.parse(path.read_text()))
        if isinstance(node, ast.Constant) and isinstance(node.value, str)
    ]
    for phrase in PHRASES:
        assert any(phrase in text for text in texts), phrase
