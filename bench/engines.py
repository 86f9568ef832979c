"""Which engine turns raw SIM list pages into columns fastest: the figures behind fastframes.

    python bench/engines.py --n 100000

Each engine gets the same page bodies (bytes, pages of 250 SIMs from the sandbox's fleet
generator) and stops at columns: one value per SIM for each field, nested objects flattened or
kept as structs. Prints the best wall and CPU time of three rounds over all engines in this
process (after one warm-up each), and the ratio of the baseline simtools is measured against
(``json.loads`` + ``pandas.json_normalize``, which also builds its frame) to each engine: how
far an engine alone, before the frame's work, gets towards a target such as 10x.
"""

from __future__ import annotations

import argparse
import io
import json
import time
from collections.abc import Callable
from typing import Any
from unittest import mock

import duckdb
import msgspec
import polars as pl
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.json as pj
from _common import baseline_frame, page_file, read_pages, table

from simtools.frames import pages as fastframes


def json_loads(pages: list[bytes]) -> Any:
    return [r for body in pages for r in json.loads(body)["data"]]


class _Amount(msgspec.Struct):
    amount: str | None = None
    unit: str | None = None


class _Status(msgspec.Struct):
    value: str | None = None
    reason: str | None = None


class _Sim(msgspec.Struct):
    id: str | None = None
    record_type: str | None = None
    status: _Status | None = None
    type: str | None = None
    iccid: str | None = None
    imsi: str | None = None
    msisdn: str | None = None
    sim_card_group_id: str | None = None
    tags: list[str] | None = None
    authorized_imeis: list[str] | None = None
    data_limit: _Amount | None = None
    current_billing_period_consumed_data: _Amount | None = None
    actions_in_progress: bool | None = None
    resources_with_in_progress_actions: msgspec.Raw = msgspec.Raw(b"null")
    eid: str | None = None
    esim_installation_status: str | None = None
    version: str | None = None
    voice_enabled: bool | None = None
    created_at: str | None = None
    updated_at: str | None = None


class _Page(msgspec.Struct):
    data: list[_Sim]


_DECODER = msgspec.json.Decoder(_Page)


def msgspec_structs(pages: list[bytes]) -> Any:
    sims = [sim for body in pages for sim in _DECODER.decode(body).data]
    return {name: [getattr(s, name) for s in sims] for name in _Sim.__struct_fields__}


_S = pl.String
_AMOUNT = pl.Struct({"amount": _S, "unit": _S})
_POLARS_SCHEMA = {
    "data": pl.List(
        pl.Struct(
            {
                "id": _S,
                "record_type": _S,
                "status": pl.Struct({"value": _S, "reason": _S}),
                "type": _S,
                "iccid": _S,
                "imsi": _S,
                "msisdn": _S,
                "sim_card_group_id": _S,
                "tags": pl.List(_S),
                "authorized_imeis": pl.List(_S),
                "data_limit": _AMOUNT,
                "current_billing_period_consumed_data": _AMOUNT,
                "actions_in_progress": pl.Boolean,
                "resources_with_in_progress_actions": pl.List(pl.Null),
                "eid": _S,
                "esim_installation_status": _S,
                "version": _S,
                "voice_enabled": pl.Boolean,
                "created_at": _S,
                "updated_at": _S,
            }
        )
    )
}


def polars_ndjson(pages: list[bytes]) -> Any:
    frame = pl.read_ndjson(io.BytesIO(b"\n".join(pages)), schema=_POLARS_SCHEMA)
    return frame.explode("data").unnest("data")


_DUCK_SHAPE = json.dumps(
    {
        "data": [
            {
                "id": "VARCHAR",
                "record_type": "VARCHAR",
                "status": {"value": "VARCHAR", "reason": "VARCHAR"},
                "type": "VARCHAR",
                "iccid": "VARCHAR",
                "imsi": "VARCHAR",
                "msisdn": "VARCHAR",
                "sim_card_group_id": "VARCHAR",
                "tags": ["VARCHAR"],
                "authorized_imeis": ["VARCHAR"],
                "data_limit": {"amount": "VARCHAR", "unit": "VARCHAR"},
                "current_billing_period_consumed_data": {"amount": "VARCHAR", "unit": "VARCHAR"},
                "actions_in_progress": "BOOLEAN",
                "resources_with_in_progress_actions": "JSON",
                "eid": "VARCHAR",
                "esim_installation_status": "VARCHAR",
                "version": "VARCHAR",
                "voice_enabled": "BOOLEAN",
                "created_at": "VARCHAR",
                "updated_at": "VARCHAR",
            }
        ]
    }
)


def duckdb_transform(pages: list[bytes]) -> Any:
    # json_transform (not _strict, which refuses a missing key) nulls a value of another type
    # without a word: fast, but it would hide schema drift.
    bodies = pa.table({"body": pa.array(pages, pa.large_binary()).cast(pa.large_string())})
    with duckdb.connect() as con:
        con.register("pages", bodies)
        query = (
            f"SELECT unnest(json_transform(body, '{_DUCK_SHAPE}').data, recursive := true) "
            "FROM pages"
        )
        return con.sql(query).to_arrow_table()


def pyarrow_threads(pages: list[bytes]) -> Any:
    # The reader's own threads over batches of 8 MB, one batch at a time (as fastframes once did).
    tables = []
    for start in range(0, len(pages), 44):
        table = pj.read_json(
            io.BytesIO(b"\n".join(pages[start : start + 44])),
            read_options=pj.ReadOptions(block_size=1 << 20, use_threads=True),
            parse_options=fastframes._PARSE,
        )
        tables.append(pc.list_flatten(table.column("data")).combine_chunks().flatten())
    return tables


_NOTHING = pj.ParseOptions(
    explicit_schema=pa.schema([("nothing", pa.null())]), unexpected_field_behavior="ignore"
)


def pyarrow_tokenizer(pages: list[bytes]) -> Any:
    # The floor for this reader: every field ignored, so only its tokenizer runs (one thread).
    for start in range(0, len(pages), 22):
        pj.read_json(
            io.BytesIO(b"\n".join(pages[start : start + 22])),
            read_options=pj.ReadOptions(block_size=1 << 20, use_threads=False),
            parse_options=_NOTHING,
        )


def pyarrow_json(pages: list[bytes]) -> Any:
    # Columns only: without the frame forms its workers also make batch by batch.
    with mock.patch.object(fastframes, "_prepare", return_value=None):
        return fastframes.sim_card_page_columns(pages)


BASELINE = "json.loads + pandas.json_normalize (the baseline)"
ENGINES: dict[str, Callable[[list[bytes]], Any]] = {
    BASELINE: baseline_frame,  # so that each engine's own ratio shows
    "json.loads (dicts, no columns)": json_loads,
    "msgspec Structs -> columns": msgspec_structs,
    "polars read_ndjson + explode/unnest": polars_ndjson,
    "DuckDB json_transform + unnest": duckdb_transform,
    "pyarrow read_json, its own threads, 8 MB at a time": pyarrow_threads,
    f"pyarrow read_json, {fastframes.WORKERS} batches of 4 MB at a time (fastframes)": pyarrow_json,
    "pyarrow read_json, every field ignored, one thread (its floor)": pyarrow_tokenizer,
}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=100_000, help="SIM records (default 100000)")
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    pages = list(read_pages(page_file(args.n)))
    best: dict[str, tuple[float, float]] = {}
    for name, engine in ENGINES.items():
        engine(pages[:8])
        best[name] = (float("inf"), 0.0)
    # Rounds over every engine, so that the machine's drift does not favour one of them.
    for _ in range(args.repeat):
        for name, engine in ENGINES.items():
            start, cpu = time.perf_counter(), time.process_time()
            engine(pages)
            best[name] = min(best[name], (time.perf_counter() - start, time.process_time() - cpu))
    rows = [["engine", "wall", "cpu", "baseline / engine"]]
    for name, (wall, cpu) in best.items():
        ratio = best[BASELINE][0] / wall
        rows.append([name, f"{wall:.3f} s", f"{cpu:.3f} s", f"{ratio:.1f}x"])
    size = sum(map(len, pages)) / 1e6
    print(
        f"bench/engines.py: {args.n:,} SIMs in {len(pages)} pages ({size:.1f} MB), best of "
        f"{args.repeat}, warm, in this process; pages -> columns only, no frame (the baseline "
        "makes its frame)"
    )
    print(table(rows))


if __name__ == "__main__":
    main()
