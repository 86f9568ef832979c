"""The whole fleet as one frame: every page, checked against the server's own count."""

from __future__ import annotations

import warnings
from collections.abc import Iterable
from concurrent.futures import ThreadPoolExecutor
from typing import TYPE_CHECKING, Any

import pandas as pd

from simtools.errors import SimToolsDataWarning
from simtools.frames import frame_from_columns
from simtools.frames.pages import sim_card_page_columns
from simtools.frames.sim_cards import with_group_names
from simtools.models import PaginationMeta
from simtools.workflows.fleet_extras import check_include, join_extras
from simtools.workflows.progress import progress_bar

if TYPE_CHECKING:
    from simtools.client import SimClient

__all__ = ["fleet_frame"]


def fleet_frame(
    client: SimClient,
    *,
    status: str | Iterable[str] | None = None,
    tags: str | Iterable[str] | None = None,
    sim_card_group_id: str | None = None,
    iccid: str | None = None,
    msisdn: str | None = None,
    concurrency: int | None = None,
    progress: bool | None = None,
    group_names: bool = True,
    include: Iterable[str] | str | None = None,
) -> pd.DataFrame:
    """Every matching SIM card as a frame of the ``FLEET`` contract: the ``sim_cards_frame``
    columns with ``sim_card_group_name`` after ``sim_card_group_id`` (missing with
    ``group_names=False``, which saves the request for the names).

    The group names are asked for alongside page 1; pages of 250 follow as soon as page 1 gives
    their count, with an adaptive number in flight up to ``concurrency`` (default
    ``client.concurrency``; see :mod:`simtools.client.paging`), and a progress bar where someone
    watches (``progress=False`` hides it). ``df.attrs["fetched_at"]`` holds the UTC time the
    fetch started (ISO 8601 text) and ``df.attrs["total_results"]`` the server's count. SIMs
    that moved between pages while paging are kept once and reported in a
    ``SimToolsDataWarning``, as is any difference from the server's count. A filter the server
    did not apply is detected on the rows that came back, warned about, and applied here. Pages
    are read column by column as they arrive (:mod:`simtools.frames.pages`); one that is not a
    list response (an HTML error page, truncated JSON) raises
    :class:`~simtools.errors.ResponseError` naming ``GET .../sim_cards`` and the page.
    ``include`` names what else to join onto each SIM (:data:`~simtools.workflows.fleet_extras
    .FLEET_EXTRAS`), each adding its own declared columns.
    """
    extras = check_include(include)
    params = client.sim_card_params(
        status=status, tags=tags, sim_card_group_id=sim_card_group_id, iccid=iccid, msisdn=msisdn
    )
    fetched_at = pd.Timestamp.now(tz="UTC")
    meta_box: list[PaginationMeta] = []
    bar = progress_bar(None, "fetching SIM cards", progress, unit="pages")

    def on_meta(meta: PaginationMeta) -> None:
        meta_box.append(meta)
        bar.reset(total=meta.total_pages or 1)
        bar.unit = "page"

    # The group names are asked for alongside page 1, so that their latency overlaps the pages'.
    names_pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="simtools-groups")
    names = names_pool.submit(_group_names, client) if group_names else None
    # Pages go to the columnar reader as they arrive: no list of every body, no object per SIM.
    try:
        pages = _counting(
            client.iter_page_bodies("sim_cards", params, concurrency=concurrency, on_meta=on_meta),
            bar,
        )
        columns = sim_card_page_columns(pages, endpoint=f"{client.base_url}/sim_cards")
    finally:
        bar.close()
        names_pool.shutdown(wait=False, cancel_futures=True)
    frame = frame_from_columns(columns)
    frame = _dedupe(frame)
    total = meta_box[0].total_results if meta_box else None
    if total is not None and total != len(frame):
        warnings.warn(
            f"the server reported {total} SIM cards but {len(frame)} arrived; the fleet changed "
            "while paging (fetch again for a consistent view)",
            SimToolsDataWarning,
            stacklevel=2,
        )
    frame = _enforce_filters(frame, params)
    frame = with_group_names(frame, names.result() if names is not None else {})
    frame = join_extras(client, frame, extras)
    frame.attrs["fetched_at"] = fetched_at.isoformat()
    frame.attrs["total_results"] = total
    return frame


def _counting(pages: Iterable[bytes], bar: Any) -> Iterable[bytes]:
    for page in pages:
        bar.update(1)
        yield page


def _dedupe(frame: pd.DataFrame) -> pd.DataFrame:
    dupes = frame["id"].notna() & frame["id"].duplicated(keep="first")
    if not dupes.any():
        return frame
    ids = frame.loc[dupes, "id"].astype(str).tolist()
    warnings.warn(
        f"{len(ids)} SIM card(s) appeared on two pages (the fleet changed while paging) and are "
        f"kept once: {', '.join(ids[:5])}" + (" ..." if len(ids) > 5 else ""),
        SimToolsDataWarning,
        stacklevel=3,
    )
    return frame.loc[~dupes].reset_index(drop=True)


def _enforce_filters(frame: pd.DataFrame, params: dict[str, str]) -> pd.DataFrame:
    if frame.empty or not params:
        return frame
    keep = pd.Series(True, index=frame.index)
    ignored: list[str] = []

    def apply(name: str, mask: pd.Series) -> None:
        nonlocal keep
        mask = mask.fillna(False).astype(bool)
        if not mask.all():
            ignored.append(name)
        keep &= mask

    if "filter[status]" in params:
        wanted = set(params["filter[status]"].split(","))
        apply("filter[status]", frame["status"].astype("string").isin(wanted))
    if "filter[tags]" in params:
        wanted_tags = set(params["filter[tags]"].split(","))
        apply(
            "filter[tags]",
            frame["tags"].map(lambda t: wanted_tags.issubset(t or ())).astype(bool),
        )
    if "filter[sim_card_group_id]" in params:
        gid = params["filter[sim_card_group_id]"]
        apply("filter[sim_card_group_id]", frame["sim_card_group_id"] == gid)
    if "filter[iccid]" in params:
        apply(
            "filter[iccid]",
            frame["iccid"].str.contains(params["filter[iccid]"], regex=False),
        )
    if "filter[msisdn]" in params:
        apply("filter[msisdn]", frame["msisdn"] == params["filter[msisdn]"])
    # filter[status]=unauthorized_imei matches a condition, not a status value: never enforce it.
    if "filter[status]" in ignored and "unauthorized_imei" in params["filter[status]"]:
        return frame
    if not ignored:
        return frame
    dropped = int((~keep).sum())
    warnings.warn(
        f"the server ignored {', '.join(ignored)}: {dropped} SIM card(s) that do not match were "
        "returned and have been filtered out here",
        SimToolsDataWarning,
        stacklevel=3,
    )
    return frame.loc[keep].reset_index(drop=True)


def _group_names(client: SimClient) -> dict[str, str | None]:
    return {g.id: g.name for g in client.list_sim_card_groups() if g.id is not None}
