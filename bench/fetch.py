"""SIMs from the sandbox into a DataFrame over a slow or rate-limited network: simtools against a
sequential httpx page loop and the official SDK's auto-pagination, with the floor beside each.

    python bench/fetch.py                            # the whole grid, one run per cell
    python bench/fetch.py --only latency --repeat 3  # 100,000 SIMs at 0, 50 and 200 ms
    python bench/fetch.py --only rate                # 20,000 SIMs at 10 requests/s

For each setting a sandbox starts in its own process (``python -m simtools.sandbox --latency L
--rate-limit R``); each path then runs ``--repeat`` times, alternating, each in a fresh process
(imports untimed), after one untimed listing that warms the sandbox's JSON cache:

* simtools: ``fleet_frame(SimClient(...), progress=False)``, by default (nothing set) and with
  ``concurrency=N`` where a row names it;
* httpx loop: one ``httpx.Client``, ``GET /sim_cards?page[number]=k&page[size]=250`` for k = 1,
  2, ... up to ``meta.total_pages``, sleeping ``Retry-After`` on a 429, ``json.loads`` of each
  page, then ``pandas.json_normalize`` of all SIMs (no group names);
* SDK: ``telnyx.Telnyx(..., max_retries=8).sim_cards.list(page_size=250)`` iterated to the end,
  each SIM as a dict, then ``pandas.json_normalize`` (the SDK retries 429s itself).

Every path's requests go through a counting httpx transport: the number of requests, of 429s
among them and the most in flight at once are printed with the time. The floor of a run is
``requests x latency / in flight`` (the most in flight that run reached) under latency and
``requests / rate`` under a rate limit (requests answered 429 not counted in either).
"""

from __future__ import annotations

import argparse
import json
import math
import os
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import Any

from _common import measure_child, table

_TICKS = os.sysconf("SC_CLK_TCK")
PAGE = 250


def counting_transport() -> Any:
    """An httpx transport that counts requests, 429s and the most in flight at once."""
    import httpx

    class Counting(httpx.HTTPTransport):
        def __init__(self) -> None:
            super().__init__(
                limits=httpx.Limits(max_connections=100, max_keepalive_connections=100)
            )
            self.lock = threading.Lock()
            self.requests = self.throttled = self.in_flight = self.peak = 0

        def handle_request(self, request: httpx.Request) -> httpx.Response:
            with self.lock:
                self.requests += 1
                self.in_flight += 1
                self.peak = max(self.peak, self.in_flight)
            try:
                response = super().handle_request(request)
            finally:
                with self.lock:
                    self.in_flight -= 1
            if response.status_code == 429:
                with self.lock:
                    self.throttled += 1
            return response

    return Counting()


def httpx_loop(transport: Any, api_key: str, base_url: str) -> Any:
    """The baseline: one page after another, a 429 waited out by its Retry-After."""
    import httpx
    import pandas as pd

    sims: list[dict[str, Any]] = []
    headers = {"Authorization": f"Bearer {api_key}", "Accept": "application/json"}
    with httpx.Client(base_url=base_url, headers=headers, transport=transport, timeout=60) as http:
        number, last = 1, 1
        while number <= last:
            response = http.get("/sim_cards", params={"page[number]": number, "page[size]": PAGE})
            if response.status_code == 429:
                time.sleep(float(response.headers.get("retry-after", "1")))
                continue
            response.raise_for_status()
            body = json.loads(response.content)
            sims.extend(body["data"])
            last = body["meta"]["total_pages"]
            number += 1
    return pd.json_normalize(sims)


def child(path_name: str, base_url: str, key_file: Path, concurrency: int) -> None:
    """One measured run in this process; prints its result as JSON."""
    import httpx
    import pandas as pd
    import telnyx

    from simtools.client import SimClient
    from simtools.workflows.fleet import fleet_frame

    api_key = key_file.read_text().strip()
    transport = counting_transport()
    start = time.perf_counter()
    if path_name == "simtools":
        kwargs: dict[str, Any] = {"concurrency": concurrency} if concurrency else {}
        with SimClient(api_key, base_url=base_url, transport=transport, **kwargs) as client:
            frame = fleet_frame(client, progress=False)
    elif path_name == "loop":
        frame = httpx_loop(transport, api_key, base_url)
    else:
        http = httpx.Client(transport=transport, timeout=60)
        sdk = telnyx.Telnyx(api_key=api_key, base_url=base_url, max_retries=8, http_client=http)
        sims = [sim.to_dict() for sim in sdk.sim_cards.list(page_size=PAGE)]
        frame = pd.json_normalize(sims)
    seconds = time.perf_counter() - start
    result = {
        "seconds": seconds,
        "rows": len(frame),
        "requests": transport.requests,
        "throttled": transport.throttled,
        "peak": transport.peak,
    }
    sys.stdout.write(json.dumps(result))


def server_cpu(pid: int) -> float:
    """User + system CPU seconds the server process has used so far (all its threads)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / _TICKS


def start_sandbox(
    n: int, key_file: Path, *, latency: float, rate_limit: int | None
) -> tuple[subprocess.Popen[str], str]:
    """The sandbox in its own process; its base URL once it serves."""
    command = [sys.executable, "-m", "simtools.sandbox", "--port", "0", "--fleet-size", str(n)]
    command += ["--latency", str(latency)]
    if rate_limit is not None:
        command += ["--rate-limit", str(rate_limit)]
    proc = subprocess.Popen(command, stdout=subprocess.PIPE, text=True)
    assert proc.stdout is not None
    base_url = ""
    for line in proc.stdout:
        if " at http" in line:
            base_url = line.rsplit(" at ", 1)[1].strip()
        if line.startswith("API key: "):
            key_file.write_text(line.removeprefix("API key: ").strip().split()[0])
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


Cell = tuple[str, int]  # (path, concurrency: 0 for the default)


def label(cell: Cell) -> str:
    path, concurrency = cell
    if path == "simtools":
        return "simtools fleet_frame" + (f", concurrency={concurrency}" if concurrency else "")
    return {"loop": "httpx page loop (sequential)", "sdk": "SDK auto-pagination"}[path]


def run_setting(
    n: int, cells: list[Cell], repeat: int, *, latency: float, rate_limit: int | None
) -> None:
    """Every cell ``repeat`` times against one sandbox; prints the table."""
    key_file = Path(os.environ.get("TMPDIR", "/tmp")) / f"simtools-bench-key-{os.getpid()}"
    started = time.perf_counter()
    server, base_url = start_sandbox(n, key_file, latency=latency, rate_limit=rate_limit)
    ready = time.perf_counter() - started
    best: dict[Cell, tuple[dict[str, Any], float]] = {}
    try:
        # Untimed: the sandbox's first listing builds and caches each SIM's JSON, which would
        # otherwise fall on whichever path runs first.
        warm = [__file__, "--child", "simtools", "--base-url", base_url]
        measure_child([*warm, "--key-file", str(key_file), "--concurrency", "16"])
        for _ in range(repeat):
            for cell in cells:
                path, concurrency = cell
                before = server_cpu(server.pid)
                args = [__file__, "--child", path, "--base-url", base_url]
                args += ["--key-file", str(key_file), "--concurrency", str(concurrency)]
                result, _peak = measure_child(args)
                busy = server_cpu(server.pid) - before
                if result["rows"] != n:
                    raise SystemExit(f"{label(cell)}: {result['rows']} rows, expected {n}")
                if cell not in best or result["seconds"] < best[cell][0]["seconds"]:
                    best[cell] = (result, busy)
    finally:
        stop(server)
        key_file.unlink(missing_ok=True)
    loop = best[("loop", 0)][0]["seconds"]
    rows = [["path", "time", "floor", "x floor", "loop/this", "requests", "429s", "in flight"]]
    for cell in cells:
        result, busy = best[cell]
        if rate_limit is not None:
            floor = (result["requests"] - result["throttled"]) / rate_limit
        else:
            floor = (result["requests"] - result["throttled"]) * latency / result["peak"]
        rows.append(
            [
                label(cell),
                f"{result['seconds']:.2f} s",
                f"{floor:.2f} s",
                f"{result['seconds'] / floor:.2f}" if floor > 0 else "-",
                f"{loop / result['seconds']:.1f}x",
                f"{result['requests']}",
                f"{result['throttled']}",
                f"{result['peak']}",
            ]
        )
    setting = f"{latency * 1000:g} ms per request" + (
        f", {rate_limit} requests/s" if rate_limit is not None else ""
    )
    print(
        f"\n{n:,} SIMs ({math.ceil(n / PAGE)} pages of {PAGE}), {setting}; sandbox ready in "
        f"{ready:.1f} s; best of {repeat}, one process per run",
        flush=True,
    )
    print(table(rows), flush=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=100_000, help="SIMs for the latency grid")
    parser.add_argument("--rate-n", type=int, default=20_000, help="SIMs for the rate grid")
    parser.add_argument("--rate", type=int, default=10, help="requests/s for the rate grid")
    parser.add_argument(
        "--latencies", default="0,0.05,0.2", help="seconds per request, comma-separated"
    )
    parser.add_argument("--only", choices=["latency", "rate"], help="one half of the grid")
    parser.add_argument("--repeat", type=int, default=1, help="runs of each path (best counts)")
    parser.add_argument("--child", choices=["simtools", "loop", "sdk"], help=argparse.SUPPRESS)
    parser.add_argument("--base-url", help=argparse.SUPPRESS)
    parser.add_argument("--key-file", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--concurrency", type=int, default=0, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        child(args.child, args.base_url, args.key_file, args.concurrency)
        return
    print(f"bench/fetch.py: {time.strftime('%Y-%m-%d %H:%M:%S UTC', time.gmtime())}")
    if args.only != "rate":
        cells: list[Cell] = [("simtools", 0), ("simtools", 16), ("loop", 0), ("sdk", 0)]
        for latency in (float(x) for x in args.latencies.split(",")):
            run_setting(args.n, cells, args.repeat, latency=latency, rate_limit=None)
    if args.only != "latency":
        cells = [("simtools", 0), ("simtools", 1), ("simtools", 4), ("simtools", 16)]
        cells += [("loop", 0), ("sdk", 0)]
        run_setting(args.rate_n, cells, args.repeat, latency=0.0, rate_limit=args.rate)


if __name__ == "__main__":
    main()
