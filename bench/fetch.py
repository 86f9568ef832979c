"""100,000 SIMs from the sandbox into a DataFrame: simtools against the official SDK.

    python bench/fetch.py                   # 100,000 SIMs, best of 3
    python bench/fetch.py --n 20000 --repeat 1

Starts the sandbox in its own process (``python -m simtools.sandbox``), then runs each path
``--repeat`` times, alternating, each in a fresh process (imports untimed):

* simtools: ``fleet_frame(client, progress=False)`` (pages of 250, ``client.concurrency``
  requests in flight, the columnar page reader, group names);
* SDK: ``telnyx.Telnyx(..., max_retries=0).sim_cards.list(page_size=250)`` iterated to the
  end (its auto-pagination), each SIM as a dict, then ``pandas.json_normalize``.

Prints the best wall time of each path, the server's CPU time during that run (from
``/proc``; close to the wall time means the server is the bottleneck), the peak RSS of the
client process, and the ratio.
"""

from __future__ import annotations

import argparse
import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

from _common import measure_child, table

_TICKS = os.sysconf("SC_CLK_TCK")


def child(path_name: str, base_url: str, key_file: Path) -> None:
    """One measured run in this process; prints its result as JSON."""
    import pandas as pd
    import telnyx

    from simtools.client import SimClient
    from simtools.workflows.fleet import fleet_frame

    api_key = key_file.read_text().strip()
    start = time.perf_counter()
    if path_name == "simtools":
        with SimClient(api_key, base_url=base_url) as client:
            frame = fleet_frame(client, progress=False)
    else:
        sdk = telnyx.Telnyx(api_key=api_key, base_url=base_url, max_retries=0)
        sims = [sim.to_dict() for sim in sdk.sim_cards.list(page_size=250)]
        frame = pd.json_normalize(sims)
    seconds = time.perf_counter() - start
    sys.stdout.write(json.dumps({"seconds": seconds, "rows": len(frame)}))


def server_cpu(pid: int) -> float:
    """User + system CPU seconds the server process has used so far (all its threads)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / _TICKS


def start_sandbox(n: int, key_file: Path) -> tuple[subprocess.Popen[str], str]:
    """The sandbox in its own process; its base URL once it serves."""
    proc = subprocess.Popen(
        [sys.executable, "-m", "simtools.sandbox", "--port", "0", "--fleet-size", str(n)],
        stdout=subprocess.PIPE,
        text=True,
    )
    assert proc.stdout is not None
    base_url = ""
    for line in proc.stdout:
        if " at http" in line:
            base_url = line.rsplit(" at ", 1)[1].strip()
        if line.startswith("API key: "):
            key_file.write_text(line.removeprefix("API key: ").strip())
            key_file.chmod(0o600)
            return proc, base_url
    raise SystemExit("the sandbox did not start")


def stop(server: subprocess.Popen[str]) -> None:
    """Ctrl-C for the sandbox (it stops cleanly on it, even when this script runs in the
    background with SIGINT ignored); killed if it has not stopped within 20 seconds."""
    server.send_signal(signal.SIGINT)
    try:
        server.wait(timeout=20)
    except subprocess.TimeoutExpired:
        sys.stderr.write("bench/fetch.py: the sandbox did not stop within 20 s of Ctrl-C; killed\n")
        server.kill()
        server.wait(timeout=20)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=100_000, help="SIMs in the sandbox")
    parser.add_argument("--repeat", type=int, default=3, help="runs of each path (best counts)")
    parser.add_argument("--child", choices=["simtools", "sdk"], help=argparse.SUPPRESS)
    parser.add_argument("--base-url", help=argparse.SUPPRESS)
    parser.add_argument("--key-file", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        child(args.child, args.base_url, args.key_file)
        return

    key_file = Path(os.environ.get("TMPDIR", "/tmp")) / f"simtools-bench-key-{os.getpid()}"
    started = time.perf_counter()
    server, base_url = start_sandbox(args.n, key_file)
    ready = time.perf_counter() - started
    labels = {
        "simtools": "simtools fleet_frame(client)",
        "sdk": "SDK sim_cards.list + json_normalize",
    }
    best: dict[str, tuple[float, float, float]] = {}
    try:
        for _ in range(args.repeat):
            for name in labels:
                before = server_cpu(server.pid)
                result, peak = measure_child(
                    [__file__, "--child", name, "--base-url", base_url, "--key-file", str(key_file)]
                )
                busy = server_cpu(server.pid) - before
                if result["rows"] != args.n:
                    raise SystemExit(f"{name}: {result['rows']} rows, expected {args.n}")
                if name not in best or result["seconds"] < best[name][0]:
                    best[name] = (result["seconds"], busy, peak)
    finally:
        stop(server)
        key_file.unlink(missing_ok=True)
    rows = [["path", "time", "server cpu", "client peak RSS"]]
    for name, label in labels.items():
        seconds, busy, peak = best[name]
        rows.append([label, f"{seconds:.3f} s", f"{busy:.3f} s", f"{peak:,.0f} MB"])
    ratio = best["sdk"][0] / best["simtools"][0]
    rows.append(["ratio SDK / simtools", f"{ratio:.1f}x", "", ""])
    print(
        f"bench/fetch.py: {args.n:,} SIMs from a sandbox in its own process (ready in "
        f"{ready:.1f} s), pages of 250, best of {args.repeat} runs each, one process per run"
    )
    print(table(rows))
    print(f"target: 3x faster: {'yes' if ratio >= 3 else 'NO'} ({ratio:.1f}x)")


if __name__ == "__main__":
    main()
