"""Direction over the last two weeks: rising, falling, no clear change, or too few to tell.

The slope is a straight line through the check-ins against calendar days,
fitted by generalised least squares with the person's carry-over (see
:mod:`fatigue.analytics.carry_over`). Its interval uses Student's t with n - 2
degrees of freedom and the error variance estimated from the same check-ins, so
it stays honest for a handful of tied whole numbers that carry over from one
check-in to the next. Below :data:`MIN_TREND_POINTS` check-ins the page says
"too few check-ins to tell".
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Literal

import numpy as np

from fatigue.analytics.frame import RECENT_DAYS, Checkins, day_number, prepare, recent_window
from fatigue.analytics.carry_over import fit_with_carry_over
from fatigue.analytics.usual_range import HIGHER_IS_HARDER
from fatigue.analytics.words import format_signed, label
from fatigue.validation import RATINGS

TREND_DAYS = RECENT_DAYS
MIN_TREND_POINTS = 7
TREND_CONFIDENCE = 0.95

Direction = Literal["rising", "falling", "no clear change", "too few check-ins to tell"]


@dataclass(frozen=True)
class Trend:
    """The straight-line change of one rating over the last ``days`` calendar days."""

    rating: str
    days: int
    n: int  # check-ins with this rating in the window
    direction: Direction
    slope_per_day: float | None
    low_per_day: float | None  # the interval (TREND_CONFIDENCE)
    high_per_day: float | None
    slope_per_week: float | None
    low_per_week: float | None
    high_per_week: float | None
    message: str


def slope_interval(x: Any, y: Any, positions: Any, phi: float,
                   confidence: float = TREND_CONFIDENCE) -> tuple[float, float, float]:
    """(slope, low, high) of y against x, for errors that carry over from check-in to
    check-in with lag-1 correlation ``phi`` (check-ins at ``positions``)."""
    fit = fit_with_carry_over(np.asarray(y, dtype=float), np.asarray(x, dtype=float),
                              np.asarray(positions), phi)
    low, high = fit.interval(confidence)
    return fit.estimate, low, high


def _trend_of(checkins: Checkins, where: slice, start: int, rating: str, phi: float) -> Trend:
    every = checkins.column(rating)[where]
    keep = ~np.isnan(every)
    y = every[keep]
    x = (checkins.days[where][keep] - start).astype(float)
    n = len(y)
    name = label(rating)
    if n < MIN_TREND_POINTS:
        return Trend(
            rating, TREND_DAYS, n, "too few check-ins to tell", None, None, None, None, None,
            None, f"{name}: too few check-ins in the last two weeks to tell a direction "
                  f"({n} of the {MIN_TREND_POINTS} needed).",
        )
    slope, low, high = slope_interval(x, y, np.flatnonzero(keep), phi)
    direction: Direction = "rising" if low > 0 else "falling" if high < 0 else "no clear change"
    weekly = (f"{format_signed(slope * 7)} points a week, somewhere between "
              f"{format_signed(low * 7)} and {format_signed(high * 7)}")
    words = "no clear change" if direction == "no clear change" else direction
    return Trend(rating, TREND_DAYS, n, direction, slope, low, high, slope * 7, low * 7, high * 7,
                 f"{name}: {words} over the last two weeks ({weekly}).")


def trends(history: Any, today: Any, phi: float) -> dict[str, Trend]:
    """The trend of every rating over the last two weeks (``phi``: the person's carry-over)."""
    checkins = prepare(history, today)
    start, end = recent_window(day_number(today))
    where = checkins.span(start, end)
    return {rating: _trend_of(checkins, where, start, rating, phi) for rating in RATINGS
            if rating in checkins.columns}


def trend(history: Any, today: Any, rating: str, phi: float) -> Trend:
    """:func:`trends` for one rating."""
    checkins = prepare(history, today)
    start, end = recent_window(day_number(today))
    return _trend_of(checkins, checkins.span(start, end), start, rating, phi)


def is_worsening(t: Trend) -> bool:
    """True when the trend moves towards the harder side for that rating."""
    return t.direction == ("rising" if HIGHER_IS_HARDER.get(t.rating, True) else "falling")
