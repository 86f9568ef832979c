"""``simtools sandbox``: run the sandbox server in the foreground until Ctrl-C."""

from __future__ import annotations

import argparse
import sys
import threading
from collections.abc import Sequence
from typing import TextIO

from simtools.errors import InvalidInputError
from simtools.sandbox.server import Sandbox, SandboxStartError, serve

__all__ = ["add_sandbox_arguments", "main", "run_sandbox_command"]


def add_sandbox_arguments(parser: argparse.ArgumentParser) -> None:
    """The options of ``simtools sandbox``."""
    parser.add_argument("--port", type=int, default=8765, help="port to listen on (0: any free)")
    parser.add_argument("--host", default="127.0.0.1", help="address to listen on")
    parser.add_argument("--fleet-size", type=int, default=500, help="synthetic SIM cards")
    parser.add_argument("--seed", type=int, default=0, help="seed of the fleet and the faults")
    parser.add_argument("--api-key", default=None, help="API key to accept (default: generated)")
    parser.add_argument(
        "--rate-limit", type=int, default=None, help="requests per second before HTTP 429"
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
    lines = [
        f"simtools sandbox: {sb.fleet_size} SIM cards (seed {sb.seed}) at {sb.base_url}",
        f"API key: {sb.api_key}",
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
        f"Faults: {sb.faults}",
        "Press Ctrl-C to stop.",
    ]
    return "\n".join(lines) + "\n"


def run_sandbox_command(
    args: argparse.Namespace, *, out: TextIO | None = None, stop: threading.Event | None = None
) -> int:
    """Run the server until Ctrl-C (or until ``stop`` is set); 0 on a clean stop."""
    out = out or sys.stdout
    stop = stop or threading.Event()
    try:
        with serve(
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
        ) as sb:
            out.write(describe(sb, sb.available_codes(min(5, len(sb.state.codes.pool)))))
            out.flush()
            try:
                while not stop.wait(0.5):
                    if not sb.running:
                        sys.stderr.write("simtools sandbox: the server stopped unexpectedly\n")
                        return 1
            except KeyboardInterrupt:
                pass
        out.write("simtools sandbox: stopped\n")
        return 0
    except (InvalidInputError, SandboxStartError) as exc:
        sys.stderr.write(f"simtools sandbox: {exc}\n")
        return 2


def main(argv: Sequence[str] | None = None) -> int:
    """``python -m simtools.sandbox`` and ``simtools sandbox``."""
    parser = argparse.ArgumentParser(
        prog="simtools sandbox", description="Run a local Telnyx-compatible SIM API server."
    )
    add_sandbox_arguments(parser)
    return run_sandbox_command(parser.parse_args(argv))
