"""``simtools sandbox``: run the sandbox server in the foreground until Ctrl-C (or SIGTERM)."""

from __future__ import annotations

import argparse
import signal
import sys
import threading
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from typing import TextIO

from simtools.cli_hints import cli_message
from simtools.errors import InvalidInputError
from simtools.sandbox.server import Sandbox, SandboxStartError, serve

__all__ = ["add_sandbox_arguments", "main", "run_sandbox_command"]


def add_sandbox_arguments(parser: argparse.ArgumentParser) -> None:
    """The options of ``simtools sandbox``."""
    parser.add_argument("--port", type=int, default=8765, help="port to listen on (0: any free)")
    parser.add_argument("--host", default="127.0.0.1", help="address to listen on")
    parser.add_argument("--fleet-size", type=int, default=500, help="synthetic SIM cards")
    parser.add_argument("--seed", type=int, default=0, help="seed of the fleet and the faults")
    parser.add_argument("--api-key", default=None, help="API key to accept (default: a new one)")
    parser.add_argument(
        "--accept-any-key",
        action="store_true",
        help="accept any non-empty Bearer key (for test suites that bring their own key)",
    )
    parser.add_argument(
        "--rate-limit",
        type=int,
        default=None,
        help="requests per second before HTTP 429 (default: no limit)",
    )
    parser.add_argument(
        "--error-rate", type=float, default=0.0, help="share of requests answered 500/503"
    )
    parser.add_argument(
        "--drop-rate",
        type=float,
        default=0.0,
        help="share of requests performed, then left unanswered (connection closed)",
    )
    parser.add_argument("--latency", type=float, default=0.0, help="seconds added to every request")
    parser.add_argument(
        "--action-delay",
        type=float,
        default=0.2,
        help="seconds before enable/disable/standby and registrations settle",
    )


def describe(sb: Sandbox, codes: Sequence[str]) -> str:
    """What the command prints once the server is up."""
    key_line = f"API key: {sb.api_key}"
    if sb.accept_any_key:
        key_line += " (any other non-empty key is accepted too)"
    lines = [
        f"simtools sandbox: {sb.fleet_size} SIM cards (seed {sb.seed}) at {sb.base_url}",
        key_line,
        "",
        "Unused registration codes to try: " + ", ".join(codes),
        "",
        "Point simtools (or any Telnyx client) at it:",
        f"  export TELNYX_BASE_URL={sb.base_url}",
        f"  export TELNYX_API_KEY={sb.api_key}",
        "",
        "Or the official SDK:",
        f'  telnyx.Telnyx(api_key="{sb.api_key}", base_url="{sb.base_url}")',
        "",
        f"Faults: {sb.faults.describe()}",
        "Press Ctrl-C to stop.",
    ]
    return "\n".join(lines) + "\n"


#: Signals that stop the server cleanly when the command runs in the main thread.
_STOP_SIGNALS = (signal.SIGINT, signal.SIGTERM)


@contextmanager
def _stopping_on_signals(stop: threading.Event) -> Iterator[None]:
    """Ctrl-C (SIGINT) and SIGTERM set ``stop`` while the block runs, as uvicorn's own server
    does. Both are taken over even when inherited as ignored: a shell without job control (a
    script's ``cmd &``) starts background programs with SIGINT ignored, and a sandbox started
    that way would otherwise outlive every Ctrl-C its starter sends."""
    if threading.current_thread() is not threading.main_thread():
        yield  # only the main thread receives signals; the caller stops us with ``stop``
        return

    def on_signal(_signum: int, _frame: object) -> None:
        stop.set()

    previous = {number: signal.signal(number, on_signal) for number in _STOP_SIGNALS}
    try:
        yield
    finally:
        for number, handler in previous.items():
            signal.signal(number, handler)


def run_sandbox_command(
    args: argparse.Namespace, *, out: TextIO | None = None, stop: threading.Event | None = None
) -> int:
    """Run the server until Ctrl-C or SIGTERM (or until ``stop`` is set); 0 on a clean stop.

    A signal that arrives while the fleet is being built stops the server as soon as it is up.
    """
    out = out or sys.stdout
    stop = stop or threading.Event()
    try:
        with (
            _stopping_on_signals(stop),
            serve(
                args.port,
                fleet_size=args.fleet_size,
                seed=args.seed,
                api_key=args.api_key,
                rate_limit=args.rate_limit,
                error_rate=args.error_rate,
                drop_rate=args.drop_rate,
                latency=args.latency,
                action_delay=args.action_delay,
                host=args.host,
                accept_any_key=args.accept_any_key,
            ) as sb,
        ):
            out.write(describe(sb, sb.available_codes(min(5, len(sb.state.codes.pool)))))
            out.flush()
            while not stop.wait(0.5):
                if not sb.running:
                    sys.stderr.write("simtools sandbox: the server stopped unexpectedly\n")
                    return 1
        out.write("simtools sandbox: stopped\n")
        return 0
    except (InvalidInputError, SandboxStartError) as exc:
        sys.stderr.write(f"simtools sandbox: {cli_message(exc)}\n")
        return 2


def main(argv: Sequence[str] | None = None) -> int:
    """``python -m simtools.sandbox`` and ``simtools sandbox``."""
    parser = argparse.ArgumentParser(
        prog="simtools sandbox", description="Run a local Telnyx-compatible SIM API server."
    )
    add_sandbox_arguments(parser)
    return run_sandbox_command(parser.parse_args(argv))
