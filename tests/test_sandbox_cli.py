"""``simtools sandbox``: prints how to connect, serves until stopped, stops cleanly on Ctrl-C or
SIGTERM."""

from __future__ import annotations

import argparse
import io
import re
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager

import httpx
import pytest

from simtools.sandbox.cli import add_sandbox_arguments, run_sandbox_command


def parse(*argv: str) -> argparse.Namespace:
    parser = argparse.ArgumentParser()
    add_sandbox_arguments(parser)
    return parser.parse_args(list(argv))


class Buffer(io.StringIO):
    """A StringIO that signals when the banner has been written."""

    def __init__(self) -> None:
        super().__init__()
        self.ready = threading.Event()

    def write(self, text: str) -> int:
        written = super().write(text)
        if "Ctrl-C" in self.getvalue():
            self.ready.set()
        return written


def test_arguments_and_defaults() -> None:
    """The options parse into the names run_sandbox_command reads."""
    args = parse("--port", "0", "--fleet-size", "40", "--rate-limit", "5", "--drop-rate", "0.1")
    assert (args.port, args.fleet_size, args.seed, args.rate_limit) == (0, 40, 0, 5)
    assert (args.error_rate, args.drop_rate, args.latency, args.api_key) == (0.0, 0.1, 0.0, None)
    assert args.accept_any_key is False
    assert parse("--accept-any-key").accept_any_key is True


def test_accept_any_key_command_says_so_and_takes_another_key() -> None:
    """With --accept-any-key the banner says any key is taken, and a request with another key
    is answered."""
    out, stop = Buffer(), threading.Event()
    args = parse("--port", "0", "--fleet-size", "5", "--accept-any-key")
    worker = threading.Thread(
        target=run_sandbox_command, args=(args,), kwargs={"out": out, "stop": stop}
    )
    worker.start()
    try:
        assert out.ready.wait(30), out.getvalue()
        text = out.getvalue()
        assert "any other non-empty key is accepted too" in text
        base_url = re.search(r"export TELNYX_BASE_URL=(\S+)", text)
        assert base_url
        answer = httpx.get(base_url[1] + "/sim_cards", headers={"Authorization": "Bearer x"})
        assert answer.status_code == 200
    finally:
        stop.set()
        worker.join(30)


def test_command_prints_how_to_connect_and_serves() -> None:
    """The banner's URL, key, codes, env lines and SDK line work; stopping returns 0."""
    out, stop = Buffer(), threading.Event()
    args = parse("--port", "0", "--fleet-size", "30", "--seed", "2")
    result: list[int] = []
    worker = threading.Thread(
        target=lambda: result.append(run_sandbox_command(args, out=out, stop=stop))
    )
    worker.start()
    try:
        assert out.ready.wait(30), out.getvalue()
        text = out.getvalue()
        base_url = re.search(r"export TELNYX_BASE_URL=(\S+)", text)
        key = re.search(r"export TELNYX_API_KEY=(\S+)", text)
        assert base_url
        assert key
        assert f'telnyx.Telnyx(api_key="{key[1]}", base_url="{base_url[1]}")' in text
        codes = re.search(r"Unused registration codes to try: (.+)", text)
        assert codes
        assert all(re.fullmatch(r"\d{10}", c) for c in codes[1].split(", "))
        answer = httpx.get(
            base_url[1] + "/sim_cards", headers={"Authorization": f"Bearer {key[1]}"}
        )
        assert answer.json()["meta"]["total_results"] == 30
    finally:
        stop.set()
        worker.join(30)
    assert result == [0]
    assert out.getvalue().endswith("stopped\n")


def test_bad_option_value_is_one_line_and_exit_2(capsys: pytest.CaptureFixture[str]) -> None:
    """An impossible setting prints one clear line on stderr and returns 2."""
    args = parse("--port", "0", "--error-rate", "3")
    assert run_sandbox_command(args, out=io.StringIO()) == 2
    err = capsys.readouterr().err
    assert "error_rate" in err
    assert err.count("\n") <= 3


#: The sandbox as a program; the shell's ``trap '' INT`` starts it with SIGINT ignored, as a
#: shell without job control starts every background program (a script's ``cmd &``).
PROGRAM = [sys.executable, "-m", "simtools.sandbox", "--port", "0", "--fleet-size", "10"]
IGNORING_SIGINT = ["sh", "-c", 'trap "" INT; exec "$@"', "sh", *PROGRAM]


@contextmanager
def running(command: list[str]) -> Iterator[tuple[subprocess.Popen[str], dict[str, str]]]:
    """The sandbox program, once its banner is out, with the variables the banner exports;
    killed if the test leaves it running."""
    program = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        assert program.stdout is not None
        exports = {}
        for line in program.stdout:
            if found := re.search(r"export (\w+)=(\S+)", line):
                exports[found[1]] = found[2]
            if "Ctrl-C" in line:
                break
        yield program, exports
    finally:
        if program.poll() is None:
            program.kill()
            program.wait(10)


@pytest.mark.parametrize(
    ("command", "stop_signal"),
    [
        pytest.param(PROGRAM, signal.SIGINT, id="ctrl-c"),
        pytest.param(PROGRAM, signal.SIGTERM, id="sigterm"),
        pytest.param(IGNORING_SIGINT, signal.SIGINT, id="ctrl-c-started-with-sigint-ignored"),
    ],
)
def test_a_stop_signal_stops_the_server_cleanly(command: list[str], stop_signal: int) -> None:
    """Run as a program, the sandbox stops on Ctrl-C or SIGTERM with exit code 0 and says so,
    also when it was started with SIGINT ignored."""
    with running(command) as (program, exports):
        health = exports["TELNYX_BASE_URL"].removesuffix("/v2") + "/health"
        assert httpx.get(health).status_code == 200
        program.send_signal(stop_signal)
        stdout, stderr = program.communicate(timeout=30)
    assert program.returncode == 0, stderr
    assert "stopped" in stdout
    assert "Traceback" not in stderr
    with pytest.raises(httpx.ConnectError):
        httpx.get(health, timeout=5)


def test_a_stop_during_a_slow_request_says_so_in_one_line() -> None:
    """A request still running when the sandbox is stopped is cut off after the graceful
    timeout (the client gets a 500); the program still exits 0, with one line about it and no
    traceback."""
    answers: list[object] = []
    with running([*PROGRAM, "--latency", "60"]) as (program, exports):

        def slow_request() -> None:
            try:
                answer = httpx.get(
                    exports["TELNYX_BASE_URL"] + "/sim_cards",
                    headers={"Authorization": f"Bearer {exports['TELNYX_API_KEY']}"},
                    timeout=60,
                )
                answers.append(answer.status_code)
            except httpx.HTTPError as exc:
                answers.append(exc)

        request = threading.Thread(target=slow_request)
        request.start()
        time.sleep(1.0)  # the request is in the sandbox's 60 s latency by now
        program.send_signal(signal.SIGINT)
        stdout, stderr = program.communicate(timeout=30)
        request.join(30)
    assert program.returncode == 0, stderr
    assert "stopped" in stdout
    assert "Traceback" not in stderr
    assert "a request still running at the stop was cut off" in stderr
    assert answers == [500], answers
