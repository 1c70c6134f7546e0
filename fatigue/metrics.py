"""Trend figures for one person's own history: calendar rolling means and summaries.

Rolling windows are calendar windows (the last 7 calendar days), computed here
in pandas rather than in the chart, because a chart's row window would count
check-ins, not days. Days without a check-in are missing, never interpolated:
a 7-day mean is given only where its window holds at least ``MIN_POINTS``
check-ins, and is a gap otherwise.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import numpy as np
import pandas as pd

from fatigue.validation import LABELS

WINDOW_DAYS = 7
MIN_POINTS = 3
RECENT_DAYS = 7
BEFORE_DAYS = 28


def rolling_means(
    history: pd.DataFrame, fields: list[str], *, window_days: int = WINDOW_DAYS,
    min_points: int = MIN_POINTS,
) -> pd.DataFrame:
    """One row per calendar day from the first to the last check-in.

    Columns: ``day``, each field (missing where there was no check-in) and
    ``<field>_mean`` (the mean of the check-ins in the ``window_days`` ending
    that day, missing where fewer than ``min_points`` of them exist).
    """
    columns = ["day", *fields, *(f"{f}_mean" for f in fields)]
    if history.empty:
        return pd.DataFrame(columns=columns)
    daily = history.set_index("day")[fields].astype(float)
    grid = pd.date_range(daily.index.min(), daily.index.max(), freq="D")
    daily = daily.reindex(grid)
    means = daily.rolling(f"{window_days}D", min_periods=min_points).mean()
    out = daily.join(means.add_suffix("_mean"))
    out.index.name = "day"
    return out.reset_index()[columns]


def long_for_chart(
    frame: pd.DataFrame, fields: list[str], start: dt.date, end: dt.date
) -> pd.DataFrame:
    """Tidy rows (day, measure, series, value) for the days in [start, end].

    ``series`` is "daily" for the check-in values and "7-day mean" for the
    rolling means; missing values stay as missing rows so lines break there.
    """
    if not fields:
        return pd.DataFrame(columns=["day", "measure", "series", "value"])
    inside = frame[(frame["day"] >= pd.Timestamp(start)) & (frame["day"] <= pd.Timestamp(end))]
    pairs = [(field, column, series) for field in fields
             for column, series in ((field, "daily"), (f"{field}_mean", "7-day mean"))]
    n = len(inside)  # built as arrays: a frame per part took most of My trends' drawing
    return pd.DataFrame({
        "day": np.tile(inside["day"].to_numpy(), len(pairs)),
        "measure": np.repeat([LABELS[field] for field, _, _ in pairs], n),
        "series": np.repeat([series for _, _, series in pairs], n),
        "value": np.concatenate([inside[column].to_numpy(dtype=float) for _, column, _ in pairs]),
    })


@dataclass(frozen=True)
class Comparison:
    """Mean of one field over the last 7 days against the 28 days before."""

    field: str
    recent_mean: float | None
    recent_n: int
    before_mean: float | None
    before_n: int

    @property
    def change(self) -> float | None:
        if self.recent_mean is None or self.before_mean is None:
            return None
        return self.recent_mean - self.before_mean


def compare_recent(history: pd.DataFrame, field: str, today: dt.date) -> Comparison:
    """The last 7 calendar days (today included) against the 28 days before them."""
    recent_start = pd.Timestamp(today) - pd.Timedelta(days=RECENT_DAYS - 1)
    before_start = recent_start - pd.Timedelta(days=BEFORE_DAYS)
    days = history["day"]
    recent = history.loc[(days >= recent_start) & (days <= pd.Timestamp(today)), field]
    before = history.loc[(days >= before_start) & (days < recent_start), field]

    def mean(values: pd.Series) -> float | None:
        return float(values.mean()) if len(values) else None

    return Comparison(field, mean(recent), len(recent), mean(before), len(before))


def _describe(comparison: Comparison, *, unit: str = "") -> str:
    label = LABELS[comparison.field].lower()
    if comparison.recent_mean is None:
        return f"no check-ins in the last 7 days, so no {label} figure"
    recent = f"{comparison.recent_mean:.1f}{unit}"
    if comparison.before_mean is None:
        return f"{label} averaged {recent} (nothing to compare with in the 4 weeks before)"
    change = comparison.change or 0.0
    if abs(change) < 0.5:
        return f"{label} averaged {recent}, about the same as the 4 weeks before ({comparison.before_mean:.1f}{unit})"
    direction = "up" if change > 0 else "down"
    return (
        f"{label} averaged {recent}, {direction} {abs(change):.1f} from "
        f"{comparison.before_mean:.1f}{unit} in the 4 weeks before"
    )


def summary_sentence(history: pd.DataFrame, today: dt.date) -> str:
    """Plain words for the trends page: the last 7 days against the 4 weeks before."""
    if history.empty:
        return "No check-ins yet. Your trends appear here after your first check-in."
    exhaustion = compare_recent(history, "exhaustion", today)
    n = exhaustion.recent_n
    parts = [
        _describe(exhaustion),
        _describe(compare_recent(history, "empathy", today)),
        _describe(compare_recent(history, "caseload", today)).replace(
            "active caseload averaged", "your caseload averaged"
        ),
    ]
    head = f"Over the last 7 days ({n} check-in{'s' if n != 1 else ''}), "
    sentence = head + "; ".join(parts) + "."
    return sentence[0].upper() + sentence[1:]
