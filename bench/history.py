"""The history store at scale: a fleet's 13 months of usage records in a store, its size, the time
to sync it from the sandbox over HTTP, and two questions asked three ways, each in a fresh process
with its peak memory:

- "cost by group and month" and "anomalies in the last 30 days";
- through pandas on one month (the baseline: what fits in memory today), DuckDB on the whole
  store, and Dask (a 2-worker LocalCluster, threads, so one process's peak RSS is all of it) on
  the whole store.

The store is written straight from the sandbox's usage model (the sessions and amounts its WDR
endpoint serves, with ids made from (SIM, day, session) rather than the wire's hashed ones): an
HTTP sync of 100,000 SIMs would take hours on a 2-core machine. The HTTP sync is measured on a
smaller fleet (``--sync-sims``) and extrapolated by records per second. The physical floor is
pyarrow reading the cost query's three columns of the whole store.

    python bench/history.py --sims 100000          # about 65 million records
    python bench/history.py --sims 5000 --sync-sims 200   # a quick run
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _common import CACHE, measure_child, table

#: The anomaly query scores the last 30 days against the 28 days before each (plus the 14 days
#: of history a SIM needs), so it reads the last 72 days.
LOOKBACK_DAYS = 30 + 28 + 14


# -- the store ---------------------------------------------------------------------------------


def generate(path: Path, sims: int, seed: int) -> dict[str, Any]:
    """Write the fleet's whole history into a store at ``path`` (one file per drawn chunk)."""
    import numpy as np
    import pandas as pd
    import pyarrow as pa
    import pyarrow.compute as pc
    import pyarrow.parquet as pq

    from simtools.frames.mobile_networks import name_networks
    from simtools.sandbox.networks import ACCOUNT_CURRENCY, NETWORKS
    from simtools.sandbox.state import SandboxState
    from simtools.sandbox.synthetic import build_fleet
    from simtools.sandbox.wdrs import WdrQuery
    from simtools.store import usage_schema

    t0 = time.perf_counter()
    fleet = build_fleet(sims, seed, now=time.time(), code_pool=0)
    index = SandboxState(fleet, action_delay=0.0).wdrs
    model = index.model
    ids = pa.array(model.ids, pa.string())
    group_ids = pa.array([lab[0] if lab else None for lab in model.labels], pa.string())
    group_names = pa.array([lab[1] if lab else None for lab in model.labels], pa.string())
    named = name_networks(
        pd.Series([n.mcc for n in NETWORKS]), pd.Series([n.mnc for n in NETWORKS])
    )
    net = {
        "mcc": pa.array([n.mcc for n in NETWORKS]),
        "mnc": pa.array([n.mnc for n in NETWORKS]),
        **{k: pa.array(v.astype(object).where(v.notna(), None)) for k, v in named.items()},
    }
    schema = usage_schema()
    rows = files = 0
    pending: dict[str, list[pa.Table]] = {}

    def flush(month: str) -> None:
        nonlocal files
        parts = pending.pop(month, [])
        if not parts:
            return
        table = pa.concat_tables(parts).sort_by("start")
        folder = path / "usage" / f"month={month}"
        folder.mkdir(parents=True, exist_ok=True)
        pq.write_table(table, folder / f"part-{files:06d}.parquet")
        files += 1

    for batch in index.every(WdrQuery(), ordered=False):
        if not len(batch):
            continue
        amounts = index.amounts(batch)
        start = pa.array(batch.t_ms * 1_000_000, pa.timestamp("ns", tz="UTC"))
        sim = pa.array(batch.sim)
        netx = pa.array(batch.net)
        record = pc.binary_join_element_wise(
            pc.cast(pa.array(batch.sim), pa.string()),
            pc.cast(pa.array(batch.day), pa.string()),
            pc.cast(pa.array(batch.ordinal), pa.string()),
            "-",
        )
        columns = {
            "record_id": record,
            "history_source": pa.array(np.full(len(batch), "wdr", dtype=object)),
            "sim_card_id": ids.take(sim),
            "sim_group_id": group_ids.take(sim),
            "sim_group_name": group_names.take(sim),
            "start": start,
            "end": pa.array((batch.t_ms + batch.dur * 1000) * 1_000_000, start.type),
            "duration_s": pa.array(batch.dur.astype(np.float64)),
            "uplink_mb": pa.array(amounts.uplink),
            "downlink_mb": pa.array(amounts.downlink),
            "total_mb": pa.array(amounts.uplink + amounts.downlink),
            **{k: v.take(netx) for k, v in net.items()},
            "cost": pa.array(amounts.cost),
            "currency": pa.array(np.full(len(batch), ACCOUNT_CURRENCY, dtype=object)),
            "sessions": pa.array(np.ones(len(batch), dtype=np.int64)),
            "row_key": pa.nulls(len(batch), pa.string()),
        }
        table = pa.table({f.name: columns[f.name] for f in schema}).cast(schema)
        months = pc.strftime(start, format="%Y-%m")
        for month in pc.unique(months).to_pylist():
            pending.setdefault(month, []).append(table.filter(pc.equal(months, month)))
            if sum(t.num_rows for t in pending[month]) >= 1_000_000:
                flush(month)
        rows += len(batch)
    for month in list(pending):
        flush(month)
    size = sum(p.stat().st_size for p in path.rglob("*.parquet"))
    return {"rows": rows, "files": files, "bytes": size, "seconds": time.perf_counter() - t0}


def sync(sims: int, seed: int) -> dict[str, Any]:
    """Sync a fresh ``sims``-SIM sandbox's 13 months into a temporary store over HTTP."""
    import tempfile

    import pandas as pd

    from simtools.client import SimClient
    from simtools.sandbox import serve
    from simtools.store import history_store
    from simtools.workflows.history_sync import sync_usage

    with (
        tempfile.TemporaryDirectory() as tmp,
        serve(fleet_size=sims, seed=seed) as sb,
        SimClient(api_key=sb.api_key, base_url=sb.base_url) as client,
    ):
        store = history_store(tmp)
        t0 = time.perf_counter()
        result = sync_usage(
            client, store, since=pd.Timestamp.now(tz="UTC") - pd.Timedelta(days=400)
        )
        seconds = time.perf_counter() - t0
        size = sum(p.stat().st_size for p in Path(tmp).rglob("*.parquet"))
    return {"rows": result.written, "seconds": seconds, "bytes": size}


def rollup(source: Path, target: Path) -> dict[str, Any]:
    """The sessions store rolled up to days (``history_by_day``) month by month, appended to a
    store at ``target`` through ``append_usage`` (its key and idempotency checks included)."""
    import pandas as pd

    from simtools.analysis.rollup import history_by_day
    from simtools.store import history_store

    sessions, days = history_store(source), history_store(target)
    t0 = time.perf_counter()
    rows = 0
    for month in sessions.months():
        start = pd.Timestamp(f"{month}-01", tz="UTC")
        rows += days.append_usage(
            history_by_day(sessions.read_usage(start, start + pd.offsets.MonthBegin(1)))
        )
    size = sum(p.stat().st_size for p in target.rglob("*.parquet"))
    return {"rows": rows, "bytes": size, "seconds": time.perf_counter() - t0}


# -- the queries -------------------------------------------------------------------------------


def _last_month(path: Path) -> tuple[Any, Any]:
    """The last whole month in the store (the current one is partial)."""
    import pandas as pd

    from simtools.store import history_store

    month = history_store(path).months()[-2]
    start = pd.Timestamp(f"{month}-01", tz="UTC")
    return start, start + pd.offsets.MonthBegin(1)


def _recent(path: Path) -> Any:
    import pandas as pd

    from simtools.store import history_store

    (latest,) = history_store(path).duckdb().execute("SELECT max(start) FROM usage").fetchall()
    return pd.Timestamp(latest[0]).tz_convert("UTC").normalize() - pd.Timedelta(
        days=LOOKBACK_DAYS - 1
    )


def _in_last_30(anomalies: Any, since: Any) -> Any:
    import pandas as pd

    return anomalies[anomalies["date"] >= since + pd.Timedelta(days=LOOKBACK_DAYS - 30)]


def query(engine: str, question: str, path: Path) -> dict[str, Any]:
    """One question through one engine; the answer's size and the time taken."""
    from simtools.analysis.anomalies import usage_anomalies
    from simtools.analysis.cost import cost_by
    from simtools.store import history_store

    store = history_store(path)
    t0 = time.perf_counter()
    if engine == "floor":
        import pyarrow.dataset as ds

        table = ds.dataset(store.usage_path, format="parquet", partitioning="hive").to_table(
            columns=["start", "sim_group_name", "cost"]
        )
        return {"rows": table.num_rows, "answer": 0, "seconds": time.perf_counter() - t0}
    if engine == "pandas":
        if question == "cost":
            records = store.read_usage(*_last_month(path))
            answer = cost_by(records)
        else:
            since = _recent(path)
            t0 = time.perf_counter()
            records = store.read_usage(since, columns=["start", "sim_card_id", "total_mb"])
            answer = _in_last_30(usage_anomalies(records), since)
        rows = len(records)
    elif engine == "duckdb":
        con = store.duckdb()
        if question == "cost":
            answer = con.sql(
                "SELECT date_trunc('month', start) AS month, sim_group_name, currency, "
                "sum(total_mb) AS total_mb, sum(cost) AS cost, count(*) AS sessions "
                "FROM usage GROUP BY ALL ORDER BY month, sim_group_name"
            ).df()
            (count,) = con.execute("SELECT count(*) FROM usage").fetchall()[0]
            rows = int(count)
        else:
            since = _recent(path)
            t0 = time.perf_counter()
            daily = con.execute(
                "SELECT sim_card_id, date_trunc('day', start) AS date, sum(total_mb) AS total_mb "
                "FROM usage WHERE start >= ? GROUP BY ALL",
                [since.to_pydatetime()],
            ).df()
            daily["date"] = daily["date"].dt.tz_convert("UTC").dt.as_unit("ns")
            answer = _in_last_30(usage_anomalies(daily), since)
            rows = len(daily)
    else:
        from distributed import Client, LocalCluster

        from simtools.workflows.history_dask import cost_by_dask, usage_anomalies_dask

        with (
            LocalCluster(
                n_workers=2, threads_per_worker=1, processes=False, dashboard_address=":0"
            ) as cluster,
            Client(cluster),
        ):
            t0 = time.perf_counter()  # the cluster's start (about 1 s) is left out
            if question == "cost":
                frame = store.to_dask(
                    columns=["start", "sim_group_name", "total_mb", "cost", "currency", "sessions"]
                )
                answer = cost_by_dask(frame)
            else:
                since = _recent(path)
                t0 = time.perf_counter()
                frame = store.to_dask(since, columns=["start", "sim_card_id", "total_mb"])
                answer = _in_last_30(usage_anomalies_dask(frame), since)
            rows = -1
    return {"rows": rows, "answer": len(answer), "seconds": time.perf_counter() - t0}


# -- the run -----------------------------------------------------------------------------------


def _child(*args: str) -> tuple[dict[str, Any], float]:
    return measure_child([__file__, *args])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--sims", type=int, default=100_000)
    parser.add_argument("--sync-sims", type=int, default=300)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--store", type=Path, default=None)
    parser.add_argument(
        "--daily",
        action="store_true",
        help="roll the store up to one row per SIM, day and network, and query that instead",
    )
    parser.add_argument("--child", nargs="+", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        kind, *rest = args.child
        if kind == "generate":
            out = generate(Path(rest[0]), int(rest[1]), int(rest[2]))
        elif kind == "sync":
            out = sync(int(rest[0]), int(rest[1]))
        elif kind == "rollup":
            out = rollup(Path(rest[0]), Path(rest[1]))
        else:
            out = query(rest[0], rest[1], Path(rest[2]))
        print(json.dumps(out))
        return
    store = args.store or CACHE / f"history-{args.sims}-seed{args.seed}"
    if not (store / "usage").exists():
        made, rss = _child("--child", "generate", str(store), str(args.sims), str(args.seed))
        print(
            f"generated {made['rows']:,} records in {made['files']} files, "
            f"{made['bytes'] / 2**20:,.0f} MB, in {made['seconds']:.0f} s (peak {rss:,.0f} MB)"
        )
    if args.daily:
        daily = store.with_name(store.name + "-daily")
        if not (daily / "usage").exists():
            made, rss = _child("--child", "rollup", str(store), str(daily))
            print(
                f"rolled up to {made['rows']:,} SIM-days through append_usage, "
                f"{made['bytes'] / 2**20:,.0f} MB, in {made['seconds']:.0f} s (peak {rss:,.0f} MB)"
            )
        store = daily
    rows = sum(1 for _ in store.rglob("part-*.parquet"))
    size = sum(p.stat().st_size for p in store.rglob("*.parquet"))
    synced, sync_rss = _child("--child", "sync", str(args.sync_sims), str(args.seed))
    rate = synced["rows"] / synced["seconds"]
    print(f"store: {store} ({rows} files, {size / 2**20:,.0f} MB)")
    print(
        f"HTTP sync of {args.sync_sims} SIMs: {synced['rows']:,} records in "
        f"{synced['seconds']:.1f} s ({rate:,.0f} records/s, peak {sync_rss:,.0f} MB, "
        f"{synced['bytes'] / max(1, synced['rows']):.0f} B/record)"
    )
    floor, floor_rss = _child("--child", "query", "floor", "cost", str(store))
    total = floor["rows"]
    print(f"  extrapolated to {total:,} records: {total / rate / 3600:,.1f} h")
    print(
        f"physical floor: pyarrow reads 3 columns of {total:,} records in "
        f"{floor['seconds']:.2f} s (peak {floor_rss:,.0f} MB)"
    )
    results: dict[tuple[str, str], tuple[dict[str, Any], float]] = {}
    for question in ("cost", "anomalies"):
        for engine in ("pandas", "duckdb", "dask"):
            results[engine, question] = _child("--child", "query", engine, question, str(store))
    rows_out = [["query", "engine (scope)", "seconds", "peak MB", "x pandas time", "answer rows"]]
    scope = {
        ("pandas", "cost"): "pandas, last whole month",
        ("duckdb", "cost"): "DuckDB, whole store",
        ("dask", "cost"): "Dask, whole store",
        ("pandas", "anomalies"): "pandas, last 72 days",
        ("duckdb", "anomalies"): "DuckDB daily sums + pandas",
        ("dask", "anomalies"): "Dask, shuffled by SIM",
    }
    for question in ("cost", "anomalies"):
        base = results["pandas", question][0]["seconds"]
        for engine in ("pandas", "duckdb", "dask"):
            got, rss = results[engine, question]
            rows_out.append(
                [
                    "cost by group and month" if question == "cost" else "anomalies, last 30 days",
                    scope[engine, question],
                    f"{got['seconds']:.2f}",
                    f"{rss:,.0f}",
                    f"{got['seconds'] / base:.2f}",
                    f"{got['answer']:,}",
                ]
            )
    print(table(rows_out))


if __name__ == "__main__":
    main()
