"""Pure analysis over fleet frames: usage summaries, near-limit SIMs, top consumers, projections.

Every function takes a frame with the ``sim_cards_frame`` column contract (or any frame that has
the columns the function names), never mutates it, and raises ``InvalidInputError`` naming the
missing columns otherwise.

Billing period: the SIM object only reports consumption of the *current* billing period, and the
API does not say when that period starts. ``project_period_end`` therefore assumes a calendar
month in UTC (from the first of the month 00:00 UTC to the first of the next month) unless it is
given the period's start or end.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from simtools.analysis.group_limits import applied_limits, group_limit_figures
from simtools.errors import InvalidInputError
from simtools.frames.contracts import PROJECTION, TAG_ROWS, USAGE_SUMMARY
from simtools.frames.schema import require_columns
from simtools.inputs.arguments import check_threshold
from simtools.inputs.times import to_utc_timestamp

__all__ = [
    "MIN_DAYS_OBSERVED",
    "MIN_ELAPSED_FRACTION",
    "NO_GROUP",
    "NO_KEY",
    "NO_TAG",
    "PROJECTION_COLUMNS",
    "SUMMARY_COLUMNS",
    "ProjectionBasis",
    "explode_tags",
    "near_limit",
    "project_period_end",
    "projection_basis",
    "top_consumers",
    "usage_summary",
]

#: The key given to SIMs whose grouping value is missing (no group, no status, ...).
NO_KEY = "(none)"
#: The group name shown for SIMs outside every group.
NO_GROUP = "(no group)"
#: The tag SIMs without any tag are counted under in ``usage_summary(df, by="tag")``.
NO_TAG = "(no tag)"

SUMMARY_COLUMNS = USAGE_SUMMARY.names
#: Columns ``project_period_end`` adds to the frame, in this order.
PROJECTION_COLUMNS = PROJECTION.names
_BY_ALIASES = {
    "group": "sim_card_group_id",
    "tag": "tag",
    "tags": "tag",
    "status": "status",
    "type": "type",
}


def _check_threshold(threshold: object) -> float:
    return check_threshold(threshold)


def _floats(df: pd.DataFrame, column: str) -> pd.Series:
    return pd.to_numeric(df[column], errors="coerce").astype("Float64")


def _tag_list(value: object) -> list[str]:
    if isinstance(value, str):
        items: list[object] = [value]
    elif isinstance(value, list | tuple | set | frozenset | np.ndarray | pd.Series):
        items = list(value)
    elif value is None or pd.isna(value):  # type: ignore[call-overload]
        items = []
    else:
        items = [value]
    tags: list[str] = []
    for item in items:
        if item is None or item is pd.NA or (isinstance(item, float) and np.isnan(item)):
            continue
        if str(item) not in tags:
            tags.append(str(item))
    return tags


def explode_tags(df: pd.DataFrame) -> pd.DataFrame:
    """One row per (SIM, tag) with the tag in a ``tag`` column (``string``).

    A SIM without tags keeps one row with ``tag`` missing; a tag repeated on one SIM counts once.
    Every other column is kept as it is; the index is a fresh ``RangeIndex``.
    """
    require_columns(df, ["tags"], caller="explode_tags")
    return _exploded(df, list(df.columns))


def _exploded(df: pd.DataFrame, columns: list[str]) -> pd.DataFrame:
    """``columns`` of ``df`` with one row per (SIM, tag), as :func:`explode_tags` describes.

    Each distinct tag set is read once (a fleet has few: SIMs share their tags), and the rows
    are repeated by position, so the cost is one hash per SIM and a gather per column."""
    return _gathered(df, columns, *_tag_rows(df["tags"]))


def _gathered(
    df: pd.DataFrame, columns: list[str], positions: np.ndarray, tags: np.ndarray
) -> pd.DataFrame:
    """``columns`` of ``df``'s rows at ``positions``, each with its ``tag``."""
    out = df[[c for c in columns if c != "tag"]].iloc[positions].reset_index(drop=True)
    out["tag"] = pd.array(tags, dtype=TAG_ROWS["tag"].dtype)
    return out[columns] if "tag" in columns else out


def _tag_rows(values: pd.Series) -> tuple[np.ndarray, np.ndarray]:
    """(row position, tag or None) for every row of the exploded frame, in row then tag order."""
    cells = values.to_numpy(dtype=object)
    try:
        codes, uniques = pd.factorize(cells, use_na_sentinel=True)
    except TypeError:  # unhashable cells (lists): as tuples, the one Python call per row
        hashable = (tuple(v) if isinstance(v, list | np.ndarray | set) else v for v in cells)
        cells = np.fromiter(hashable, dtype=object, count=len(cells))
        codes, uniques = pd.factorize(cells, use_na_sentinel=True)
    sets: list[list[str | None]] = [[*_tag_list(u)] or [None] for u in uniques]
    sets.append([None])  # the set of missing cells
    codes = np.where(codes < 0, len(sets) - 1, codes)
    lengths = np.array([len(t) for t in sets], dtype=np.int64)
    starts = np.concatenate([[0], np.cumsum(lengths)[:-1]])
    flat = np.array([tag for tags in sets for tag in tags], dtype=object)
    counts = lengths[codes]
    positions = np.repeat(np.arange(len(values)), counts)
    row_starts = np.repeat(np.cumsum(counts) - counts, counts)
    within = np.arange(int(counts.sum())) - row_starts
    return positions, flat[np.repeat(starts[codes], counts) + within]


def _resolve_by(by: object) -> list[str]:
    specs = [by] if isinstance(by, str) else by
    if not isinstance(specs, Sequence) or isinstance(specs, bytes) or not specs:
        raise InvalidInputError(
            by,
            f"by={by!r} is neither a column name nor a list of them",
            "pass e.g. by='group', by='tag', by='status', by='type' or by=['group', 'status']",
        )
    keys: list[str] = []
    for spec in specs:
        if not isinstance(spec, str):
            raise InvalidInputError(
                spec, f"by entry {spec!r} is not a column name", "pass column names as strings"
            )
        key = _BY_ALIASES.get(spec, spec)
        if key in keys:
            raise InvalidInputError(by, f"by names {key!r} twice", "name each key once")
        keys.append(key)
    return keys


def _key_series(values: pd.Series) -> pd.Series:
    """The grouping values with missing ones replaced by ``NO_KEY``."""
    if not values.isna().any():
        return values
    if isinstance(values.dtype, pd.CategoricalDtype):
        if NO_KEY not in values.cat.categories:
            values = values.cat.add_categories([NO_KEY])
        return values.fillna(NO_KEY)
    if pd.api.types.is_string_dtype(values.dtype):
        return values.fillna(NO_KEY)
    return values.astype(object).where(values.notna(), NO_KEY)


def usage_summary(
    df: pd.DataFrame,
    by: str | Sequence[str] = "sim_card_group_id",
    *,
    threshold: float = 0.8,
    groups: pd.DataFrame | None = None,
) -> pd.DataFrame:
    """Consumption and limit figures per group, tag, status, type or any column(s).

    ``by`` is a column name, an alias (``"group"`` for ``sim_card_group_id``, ``"tag"`` to count
    each SIM under every one of its tags and under ``NO_TAG`` when it has none, ``"status"``,
    ``"type"``) or a list of them. The result is indexed by the key(s) and holds
    ``SUMMARY_COLUMNS``: ``consumed_mb`` and ``data_limit_mb`` are sums (the latter over SIMs with
    a limit; missing when no SIM of the row has one), utilizations are the mean and max over SIMs
    with a known utilization, ``near_limit_count`` counts SIMs at ``threshold`` or more of their
    limit that are not over it. When grouping by group and the frame has ``sim_card_group_name``,
    that column comes first; grouped by the alias ``"group"`` the summary is instead indexed by
    that name (``(no group)`` for SIMs outside every group), with ``sim_card_group_id`` kept as
    its first column. Missing keys form an explicit ``NO_KEY`` row; categories without a
    SIM get no row. Rows are sorted by ``consumed_mb``, largest first.

    With ``groups`` (a ``sim_card_groups_frame``), SIMs without a limit of their own are judged
    against their group's limit where it has one (:mod:`simtools.analysis.group_limits`): they
    count as near or over when the group is, and ``sims_on_group_limit`` counts them; grouped by
    group, ``group_data_limit_mb`` and ``group_utilization`` give each group's own limit and how
    full it is.
    """
    keys = _resolve_by(by)
    limit_value = _check_threshold(threshold)
    needed = ["consumed_mb", "data_limit_mb", "utilization", "over_limit"]
    needed += ["tags" if k == "tag" else k for k in keys]
    require_columns(df, needed, caller="usage_summary")
    positions = None
    if "tag" in keys:  # only the columns the summary reads are repeated per tag
        wanted = [*needed, "sim_card_group_name"]
        positions, tags = _tag_rows(df["tags"])
        work = _gathered(df, [c for c in dict.fromkeys(wanted) if c in df.columns], positions, tags)
    else:
        work = df
    if "tag" in keys:
        work = work.assign(tag=work["tag"].fillna(NO_TAG))
    for key in keys:
        sample = work[key].dropna()
        if len(sample) and isinstance(sample.iloc[0], list | tuple | np.ndarray):
            raise InvalidInputError(
                key,
                f"column {key!r} holds lists, which cannot be grouped on",
                "group by 'tag' to count a SIM under each of its tags",
            )
    util = _floats(work, "utilization")
    over = work["over_limit"].astype("boolean").fillna(False)
    limit = _floats(work, "data_limit_mb")
    judged = util  # the utilization a SIM is judged by: its own, or with groups its group's
    # Limits are judged per SIM, before a SIM's row is repeated for each of its tags (a group's
    # data summed over repeated rows would count a SIM with two tags twice).
    applied = None if groups is None else applied_limits(df, groups)
    if applied is not None and positions is not None:
        applied = applied.iloc[positions].reset_index(drop=True)
    if applied is not None:
        on_group = (applied["limit_source"] == "group").fillna(False)
        judged = applied["applied_utilization"]
        over = over | (on_group & (judged > 1).fillna(False))
    near = (judged >= limit_value).fillna(False) & ~over
    parts: dict[str, pd.Series] = {k: _key_series(work[k]) for k in keys}
    parts |= {
        "_consumed": _floats(work, "consumed_mb"),
        "_limit": limit,
        "_has_limit": limit.notna().astype("int64"),
        "_util": util,
        "_over": over.astype("int64"),
        "_near": near.astype("int64"),
    }
    if applied is not None:
        parts["_on_group"] = on_group.astype("int64")
    with_name = "sim_card_group_id" in keys and "sim_card_group_name" in work.columns
    if with_name and "sim_card_group_name" not in keys:
        parts["_name"] = work["sim_card_group_name"].astype("string")
    grouped = pd.DataFrame(parts, index=work.index).groupby(
        keys, observed=True, sort=True, dropna=False
    )
    out = pd.DataFrame(
        {
            "sim_count": grouped.size(),
            "consumed_mb": grouped["_consumed"].sum(min_count=1),
            "data_limit_mb": grouped["_limit"].sum(min_count=1),
            "sims_with_limit": grouped["_has_limit"].sum(),
            "mean_utilization": grouped["_util"].mean(),
            "max_utilization": grouped["_util"].max(),
            "over_limit_count": grouped["_over"].sum(),
            "near_limit_count": grouped["_near"].sum(),
        }
    ).astype({name: USAGE_SUMMARY.dtypes[name] for name in SUMMARY_COLUMNS})
    if groups is not None:
        out = _with_group_limits(out, grouped["_on_group"].sum(), groups, work, keys)
    if "_name" in parts:
        names = grouped["_name"].first().astype("string")
        no_group = out.index.get_level_values("sim_card_group_id") == NO_KEY
        out.insert(0, "sim_card_group_name", names.mask(no_group & names.isna(), NO_GROUP))
        if _asks_for_group(by):
            out = _indexed_by_name(out)
    return out.sort_values("consumed_mb", ascending=False, na_position="last", kind="stable")


def _asks_for_group(by: object) -> bool:
    return by == "group" or (not isinstance(by, str) and "group" in list(by))  # type: ignore[call-overload]


def _indexed_by_name(out: pd.DataFrame) -> pd.DataFrame:
    """A by-group summary indexed by the group's name, its id kept as the first column (missing
    for ``(no group)``). An unnamed group goes by its id; two groups of one name are told apart
    by the start of their ids."""
    ids = pd.Series(out.index.get_level_values("sim_card_group_id"), dtype="string")
    names = out["sim_card_group_name"].astype("string").reset_index(drop=True).fillna(ids)
    per_id = pd.DataFrame({"id": ids, "name": names.array}).drop_duplicates("id")
    shared = per_id["name"].duplicated(keep=False)
    twins = per_id.loc[shared]
    per_id.loc[shared, "name"] = [
        f"{n} ({i[:8]})" for n, i in zip(twins["name"], twins["id"], strict=True)
    ]
    label = dict(zip(per_id["id"], per_id["name"], strict=True))
    out = out.drop(columns="sim_card_group_name")
    out.insert(0, "sim_card_group_id", ids.where(ids != NO_KEY).array)
    readable = [label[i] for i in ids.tolist()]
    if isinstance(out.index, pd.MultiIndex):
        levels = [
            readable if n == "sim_card_group_id" else out.index.get_level_values(i)
            for i, n in enumerate(out.index.names)
        ]
        names_out = [
            "sim_card_group_name" if n == "sim_card_group_id" else n for n in out.index.names
        ]
        out.index = pd.MultiIndex.from_arrays(levels, names=names_out)
    else:
        out.index = pd.Index(readable, name="sim_card_group_name", dtype="string")
    return out


def _with_group_limits(
    out: pd.DataFrame,
    on_group: pd.Series,
    groups: pd.DataFrame,
    work: pd.DataFrame,
    keys: list[str],
) -> pd.DataFrame:
    """The summary with the group-limit columns of ``USAGE_SUMMARY`` (each group's own figures
    only when grouped by group)."""
    if "sim_card_group_id" in keys:
        figures = group_limit_figures(groups, work)
        ids = out.index.get_level_values("sim_card_group_id").astype("string")
        for name in ("group_data_limit_mb", "group_utilization"):
            values = figures[name].reindex(ids.to_numpy()).to_numpy()
            out[name] = pd.array(values, dtype=USAGE_SUMMARY.dtypes[name])
    out["sims_on_group_limit"] = on_group.astype(USAGE_SUMMARY.dtypes["sims_on_group_limit"])
    return out


def near_limit(
    df: pd.DataFrame, threshold: float = 0.8, *, groups: pd.DataFrame | None = None
) -> pd.DataFrame:
    """SIMs at ``threshold`` or more of their data limit (over-limit SIMs included), fullest
    first; SIMs without a known utilization are not near any limit. The index is kept.

    With ``groups`` (a ``sim_card_groups_frame``) a SIM without a limit of its own is judged by
    its group's limit (:mod:`simtools.analysis.group_limits`), and the result says which limit
    applied: ``limit_source`` (``sim`` or ``group``), ``applied_limit_mb`` and
    ``applied_utilization`` (the ``APPLIED_LIMITS`` columns)."""
    limit_value = _check_threshold(threshold)
    require_columns(df, ["utilization"], caller="near_limit")
    applied = None if groups is None else applied_limits(df, groups)
    judged = df["utilization"] if applied is None else applied["applied_utilization"]
    values = pd.to_numeric(judged, errors="coerce").to_numpy(dtype="float64", na_value=np.nan)
    with np.errstate(invalid="ignore"):
        rows = np.flatnonzero(values >= limit_value)
    rows = rows[np.argsort(-values[rows], kind="stable")]
    if applied is None:
        return df.iloc[rows].copy()
    return pd.concat([df, applied], axis=1).iloc[rows].copy()


def top_consumers(df: pd.DataFrame, n: int = 20) -> pd.DataFrame:
    """The ``n`` SIMs with the largest ``consumed_mb``, largest first; SIMs whose consumption
    is unknown are left out. The index is kept."""
    if isinstance(n, bool) or not isinstance(n, int | np.integer) or n < 1:
        raise InvalidInputError(
            n, f"n={n!r} is not a positive whole number", "pass e.g. n=20 for the top twenty SIMs"
        )
    require_columns(df, ["consumed_mb"], caller="top_consumers")
    values = _floats(df, "consumed_mb").to_numpy(dtype="float64", na_value=np.nan)
    rows = np.flatnonzero(~np.isnan(values))
    rows = rows[np.argsort(-values[rows], kind="stable")][: int(n)]
    return df.iloc[rows].copy()


def _billing_period(
    df: pd.DataFrame, as_of: object, period_start: object, period_end: object
) -> tuple[pd.Timestamp, pd.Timestamp, pd.Timestamp]:
    if as_of is not None:
        now = to_utc_timestamp(as_of, name="as_of")
    elif df.attrs.get("fetched_at") is not None:
        now = to_utc_timestamp(df.attrs["fetched_at"], name="df.attrs['fetched_at']")
    else:
        now = pd.Timestamp.now(tz="UTC").as_unit("ns")
    month = pd.DateOffset(months=1)
    if period_start is None and period_end is None:
        start = now.normalize().replace(day=1)
        end = start + month
    elif period_end is None:
        start = to_utc_timestamp(period_start, name="period_start")
        end = start + month
    elif period_start is None:
        end = to_utc_timestamp(period_end, name="period_end")
        start = end - month
    else:
        start = to_utc_timestamp(period_start, name="period_start")
        end = to_utc_timestamp(period_end, name="period_end")
    if start >= end:
        raise InvalidInputError(
            [str(start), str(end)],
            f"the billing period starts ({start}) at or after it ends ({end})",
            "pass a period_start earlier than period_end",
        )
    if not start < now <= end:
        raise InvalidInputError(
            str(now),
            f"as_of {now} lies outside the billing period {start} .. {end}; consumption figures "
            "describe the current period, so a projection needs a moment inside it",
            "pass an as_of after period_start and no later than period_end, or leave the "
            "period out to use the calendar month (UTC) of as_of",
        )
    return now, start, end


def project_period_end(
    df: pd.DataFrame,
    *,
    as_of: object = None,
    period_start: object = None,
    period_end: object = None,
) -> pd.DataFrame:
    """The frame with ``PROJECTION_COLUMNS`` added: consumption at the period's end at the
    average burn rate so far.

    ``as_of`` (the moment ``consumed_mb`` describes) defaults to ``df.attrs["fetched_at"]``, else
    now. The billing period defaults to the calendar month of ``as_of`` in UTC; given only its
    start (or end), it lasts one calendar month. Naive times are taken as UTC.

    Per SIM the clock starts at ``max(period_start, created_at)``, so a SIM created mid-period
    is judged on its own days. ``elapsed_fraction`` is the share of that SIM's part of the period
    that has passed, ``projected_mb = consumed_mb / elapsed_fraction``,
    ``projected_utilization = projected_mb / data_limit_mb`` (missing without a positive limit),
    ``projected_over_limit`` is ``projected_mb > data_limit_mb`` (missing without a limit).
    ``limit_crossing_at`` is when the SIM reaches its limit at that burn rate: a future moment
    within the period, NaT if it will not get there by the period's end, has no limit or no
    consumption; for a SIM already at or over its limit, the estimated moment it got there (at or
    before ``as_of``). A SIM created at or after ``as_of`` has no burn rate yet: its projections are
    missing. ``as_of``, ``period_start`` and ``period_end`` are stored in the result's ``attrs`` as
    ISO 8601 text.
    """
    require_columns(df, ["consumed_mb", "data_limit_mb", "created_at"], caller="project_period_end")
    now, start, end = _billing_period(df, as_of, period_start, period_end)
    created = pd.to_datetime(
        df["created_at"], utc=True, errors="coerce", format="ISO8601"
    ).dt.as_unit("ns")
    created_ns = created.to_numpy(dtype="datetime64[ns]").astype("int64")
    begin = np.where(
        created.notna().to_numpy() & (created_ns > start.value), created_ns, start.value
    )
    window = (now.value - begin).astype("float64")
    span = (end.value - begin).astype("float64")
    consumed = _floats(df, "consumed_mb").to_numpy(dtype="float64", na_value=np.nan)
    limit = _floats(df, "data_limit_mb").to_numpy(dtype="float64", na_value=np.nan)
    with np.errstate(divide="ignore", invalid="ignore"):
        fraction = np.where(window > 0, window / span, np.nan)
        projected = consumed / fraction
        utilization = np.where(limit > 0, projected / limit, np.nan)
        crossing = begin + (limit / consumed) * window
        crosses = (consumed > 0) & (window > 0) & (crossing <= end.value)
    over = pd.array(projected > limit, dtype="boolean")
    over[np.isnan(projected) | np.isnan(limit)] = pd.NA
    crossing_ns = np.where(crosses, np.round(np.where(crosses, crossing, 0.0)), 0).astype("int64")
    crossing_times = pd.to_datetime(crossing_ns, unit="ns", utc=True)
    crossing_at = pd.Series(crossing_times, index=df.index).where(crosses)
    out = df.copy()
    added = {
        "elapsed_fraction": pd.array(fraction),
        "projected_mb": pd.array(projected),
        "projected_utilization": pd.array(utilization),
        "projected_over_limit": over,
        "limit_crossing_at": crossing_at,
    }
    for name in PROJECTION_COLUMNS:
        out[name] = pd.Series(added[name], index=df.index).astype(PROJECTION.dtypes[name])
    out.attrs.update(
        as_of=now.isoformat(), period_start=start.isoformat(), period_end=end.isoformat()
    )
    return out


#: Below this many days observed, or this share of the period elapsed, a projection is too early.
MIN_DAYS_OBSERVED = 3.0
MIN_ELAPSED_FRACTION = 0.10
_NS_PER_DAY = 86_400 * 10**9


@dataclass(frozen=True)
class ProjectionBasis:
    """What a projection from ``project_period_end`` rests on.

    ``days_observed`` of ``period_days`` have passed (``elapsed_fraction`` of the period) at
    ``as_of``; a straight line from them multiplies consumption by ``1 / elapsed_fraction``.
    ``too_early`` holds below ``MIN_DAYS_OBSERVED`` days or ``MIN_ELAPSED_FRACTION`` of the
    period. ``counted`` SIMs have been observed long enough themselves (a SIM created
    mid-period is judged on its own days); ``will_cross`` of them are projected over their limit
    at the period's end and are not over it yet (``None`` when too early).
    """

    as_of: pd.Timestamp
    period_start: pd.Timestamp
    period_end: pd.Timestamp
    days_observed: float
    period_days: float
    elapsed_fraction: float
    too_early: bool
    counted: int
    too_new: int
    will_cross: int | None

    def __str__(self) -> str:
        # Rounded down, so that a basis just short of the minimum does not read as reaching it.
        days = math.floor(self.days_observed * 10) / 10
        share = math.floor(self.elapsed_fraction * 100)
        basis = (
            f"{days:.1f} of {self.period_days:.0f} days observed "
            f"({share}% of the period to {self.period_end:%Y-%m-%d %H:%M} UTC)"
        )
        if self.too_early:
            return (
                f"Too early to project: {basis}. A straight line from so little would multiply "
                f"consumption by {1 / self.elapsed_fraction:.0f}; wait for at least "
                f"{MIN_DAYS_OBSERVED:.0f} days and {MIN_ELAPSED_FRACTION:.0%} of the period."
            )
        text = (
            f"{self.will_cross:,} more SIM cards will be over their limit by the period's end at "
            f"their average rate so far; basis: {basis}, a x{1 / self.elapsed_fraction:.1f} "
            "straight-line extrapolation"
        )
        if self.too_new:
            text += (
                f"; {self.too_new:,} SIM cards created less than "
                f"{MIN_DAYS_OBSERVED:.0f} days ago are not counted"
            )
        return text + "."


def projection_basis(projected: pd.DataFrame) -> ProjectionBasis:
    """The basis of a ``project_period_end`` result and what it allows saying (see
    :class:`ProjectionBasis`; ``str()`` of it is the sentence to show with the result)."""
    require_columns(
        projected,
        ["elapsed_fraction", "projected_over_limit", "over_limit"],
        caller="projection_basis",
        hint="pass the frame simtools.project_period_end(fleet) returned",
    )
    attrs = projected.attrs
    if not {"as_of", "period_start", "period_end"} <= set(attrs):
        raise InvalidInputError(
            sorted(attrs),
            "the frame's attrs lack as_of, period_start and period_end",
            "pass the frame simtools.project_period_end(fleet) returned, attrs intact",
        )
    now = to_utc_timestamp(attrs["as_of"], name="as_of")
    start = to_utc_timestamp(attrs["period_start"], name="period_start")
    end = to_utc_timestamp(attrs["period_end"], name="period_end")
    days = (now - start).value / _NS_PER_DAY
    span = (end - start).value / _NS_PER_DAY
    share = days / span
    too_early = days < MIN_DAYS_OBSERVED or share < MIN_ELAPSED_FRACTION
    # A SIM's own window is elapsed_fraction of its own part of the period.
    own = _floats(projected, "elapsed_fraction").to_numpy(dtype="float64", na_value=np.nan)
    if "created_at" in projected.columns:
        created = pd.to_datetime(projected["created_at"], utc=True, errors="coerce")
        begin = created.where(created > start, start).fillna(start)
        own_days = ((now - begin).dt.total_seconds() / 86_400).to_numpy(dtype="float64")
    else:
        own_days = np.where(np.isnan(own), np.nan, days)
    long_enough = own_days >= MIN_DAYS_OBSERVED
    crossing = projected["projected_over_limit"].astype("boolean").fillna(False).to_numpy(bool)
    over = projected["over_limit"].astype("boolean").fillna(False).to_numpy(bool)
    will = None if too_early else int((crossing & ~over & long_enough).sum())
    return ProjectionBasis(
        as_of=now,
        period_start=start,
        period_end=end,
        days_observed=days,
        period_days=span,
        elapsed_fraction=share,
        too_early=too_early,
        counted=int(long_enough.sum()),
        too_new=int((~long_enough & ~np.isnan(own)).sum()),
        will_cross=will,
    )
