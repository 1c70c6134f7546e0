"""Early warning: has a rating moved beyond your usual range in the last two weeks?

Per rating, the check-ins of the last two weeks are smoothed (an exponentially
weighted moving average starting from the usual level), and the rating is
flagged when the smoothed level at the latest check-in is beyond the edge of
the usual range on the harder side. Quick to notice a sudden change, and one
odd day does not count.

The edge allows for three things the textbook chart leaves out: the ratings
carry over from one check-in to the next, the usual level and spread are
themselves estimated from a few weeks (Student's t with the degrees of freedom
they rest on), and the smoothing starts afresh two weeks back. The chance
:data:`EWMA_ALPHA` was set by simulation (see
:mod:`fatigue.analytics.simulation` and docs/analytics.md).
"""
from __future__ import annotations

import datetime as dt
import functools
from dataclasses import dataclass, field
from typing import Any, Literal

import numpy as np
import pandas as pd

from fatigue.analytics.carry_over import mean_variance, t_upper
from fatigue.analytics.frame import day_number, prepare, recent_window, to_date
from fatigue.analytics.usual_range import HIGHER_IS_HARDER, Usual, usual
from fatigue.analytics.words import and_join, fmt_day, lower, num, plural, points

EWMA_LAMBDA = 0.4  # weight of the newest check-in
# One-sided chance, per rating and check-in day, that a stable person's smoothed level
# passes the edge: set by simulation so that the status card's false alarms stay
# within target.
EWMA_ALPHA = 0.007
MIN_RECENT_CHECKINS = 2  # a single check-in is never flagged on its own
CHART_COLUMNS = ["day", "rating", "value", "smoothed", "center", "limit", "outside"]


@dataclass(frozen=True)
class EarlyWarning:
    """One rating whose smoothed level is beyond the usual range at the latest check-in."""

    rating: str
    direction: Literal["higher", "lower"]
    since: dt.date  # first check-in of the current run beyond the edge
    checkins_outside: int  # length of that run
    run_mean: float  # mean of the check-ins of the run
    usual_mean: float
    usual_sd: float  # the floored SD the edge is built on
    difference: float  # run_mean - usual_mean, in points (signed)
    difference_sd: float  # difference / usual_sd
    ewma: float  # the smoothed level at the latest check-in
    limit: float  # the edge of the usual range at the latest check-in
    recent_mean: float  # mean of every check-in in the last two weeks
    recent_n: int
    message: str
    why: str


@dataclass(frozen=True)
class EarlyWarnings:
    """The signals of the last two weeks (strongest first) and the chart data."""

    ready: bool
    recent_n: int
    signals: tuple[EarlyWarning, ...]
    message: str
    # (days, rating, values, ewma, center, limit, outside) per rating charted
    parts: tuple[tuple, ...] = field(default=(), compare=False, repr=False)

    @functools.cached_property
    def chart(self) -> pd.DataFrame:
        """One row per recent check-in and rating: CHART_COLUMNS (built when asked for)."""
        return _chart(self.parts)


def ewma_path(values: Any, start: float, lam: float = EWMA_LAMBDA) -> np.ndarray:
    """z_t = lam * x_t + (1 - lam) * z_(t-1), with z_0 = ``start``."""
    z = np.empty(len(values))
    previous = start
    for i, value in enumerate(np.asarray(values, dtype=float)):
        previous = lam * value + (1.0 - lam) * previous
        z[i] = previous
    return z


def ewma_variance(t: int, phi: float, lam: float = EWMA_LAMBDA) -> np.ndarray:
    """Var(z_1), ..., Var(z_t) of the EWMA of AR(1) values with lag-1 correlation
    ``phi``, in units of their variance (exact; phi = 0 gives the classic
    lam / (2 - lam) * (1 - (1 - lam)^(2t))).

    With D_t = Cov(z_t, x_t): D_t = (1 - lam) phi D_(t-1) + lam and
    V_t = (1 - lam)^2 V_(t-1) + lam^2 + 2 lam (1 - lam) phi D_(t-1), from V_0 = D_0 = 0.
    """
    variance = np.empty(t)
    v = d = 0.0
    for i in range(t):
        v, d = (1 - lam) ** 2 * v + lam**2 + 2 * lam * (1 - lam) * phi * d, (1 - lam) * phi * d + lam
        variance[i] = v
    return variance


def edge_factor(n_usual: int, phi: float, alpha: float) -> float:
    """How many standard errors from the usual mean an edge lies: the one-sided
    Student's t quantile for ``alpha``, with the degrees of freedom the usual's spread
    rests on. Carried-over days carry less information: n (1 - phi^2) / (1 + phi^2)
    check-ins' worth for a spread (Bartlett 1946)."""
    effective = n_usual * (1 - phi**2) / (1 + phi**2)
    return t_upper(alpha, max(round(effective) - 1, 2))


def half_widths(t: int, sd: float, n_usual: int, phi: float) -> np.ndarray:
    """Distance from the usual mean to the edge at each of t check-ins: edge_factor
    standard errors of (smoothed level - usual mean), allowing for carry-over ``phi``
    and for the usual mean being estimated from ``n_usual`` check-ins."""
    return edge_factor(n_usual, phi, EWMA_ALPHA) * sd * np.sqrt(
        ewma_variance(t, phi, EWMA_LAMBDA) + mean_variance(n_usual, phi))


def _message(rating: str, up: bool, since: dt.date, run: np.ndarray, usual_mean: float) -> str:
    side = "above" if up else "below"
    mean = float(run.mean())
    level = (f"that check-in was {num(mean)}" if len(run) == 1
             else f"your {len(run)} check-ins since then averaged {num(mean)}")
    return (
        f"Your {lower(rating)} has been {side} your usual range since {fmt_day(since)}: "
        f"{level} out of 10, {points(abs(mean - usual_mean))} {side} your usual "
        f"{num(usual_mean)}."
    )


def _why(up: bool, limit: float) -> str:
    return (
        f"Your recent check-ins, smoothed so that one odd day does not count, went "
        f"{'above' if up else 'below'} {num(limit)}, the edge of the range your own "
        "check-ins usually stay within."
    )


def _chart(parts: tuple[tuple, ...]) -> pd.DataFrame:
    """CHART_COLUMNS from (days, rating, values, ewma, center, limit, outside) per rating."""
    if not parts:
        return pd.DataFrame(columns=CHART_COLUMNS)
    return pd.DataFrame({
        "day": pd.to_datetime(np.concatenate([p[0] for p in parts]), unit="D")
        .astype("datetime64[ns]"),
        "rating": pd.array([p[1] for p in parts for _ in p[2]], dtype="str"),
        "value": np.concatenate([p[2] for p in parts]),
        "smoothed": np.concatenate([p[3] for p in parts]),
        "center": np.concatenate([np.full(len(p[2]), p[4]) for p in parts]),
        "limit": np.concatenate([p[5] for p in parts]),
        "outside": np.concatenate([p[6] for p in parts]),
    })


def early_warnings(history: Any, today: Any, base: Usual | None = None) -> EarlyWarnings:
    """Per rating with 2+ check-ins in the last two weeks: the smoothed level against
    the usual range, flagged on the harder side only."""
    checkins = prepare(history, today)
    base = base if base is not None else usual(checkins, today)
    start, end = recent_window(day_number(today))
    where = checkins.span(start, end)
    recent_n = where.stop - where.start
    if not base.ready:
        return EarlyWarnings(False, recent_n, (), base.message)
    days = checkins.days[where]
    signals: list[EarlyWarning] = []
    parts: list[tuple[np.ndarray, str, np.ndarray, np.ndarray, float, np.ndarray, np.ndarray]] = []
    for rating, rb in base.ratings.items():
        every = checkins.columns[rating][where]
        present = ~np.isnan(every)
        if int(present.sum()) < MIN_RECENT_CHECKINS:
            continue
        up = HIGHER_IS_HARDER.get(rating, True)
        values, on = every[present], days[present]
        z = ewma_path(values, rb.mean, EWMA_LAMBDA)
        width = half_widths(len(values), rb.sd_used, rb.n, base.carry_over)
        limit = rb.mean + width if up else rb.mean - width
        outside = z > limit if up else z < limit
        parts.append((on, rating, values, z, rb.mean, limit, outside))
        if not outside[-1]:
            continue
        inside = np.flatnonzero(~outside)
        run = len(outside) - (int(inside[-1]) + 1 if len(inside) else 0)
        since = to_date(on[-run])
        run_values = values[-run:]
        difference = float(run_values.mean()) - rb.mean
        signals.append(EarlyWarning(
            rating, "higher" if up else "lower", since, run, float(run_values.mean()), rb.mean,
            rb.sd_used, difference, difference / rb.sd_used, float(z[-1]), float(limit[-1]),
            float(values.mean()), len(values),
            _message(rating, up, since, run_values, rb.mean), _why(up, float(limit[-1])),
        ))
    signals.sort(key=lambda s: -abs(s.difference_sd))
    if recent_n == 0:
        message = "No check-ins in the last two weeks, so nothing to compare with your usual."
    elif recent_n < MIN_RECENT_CHECKINS:
        message = (
            f"Only {plural(recent_n, 'check-in')} in the last two weeks; a change is pointed "
            f"out from {MIN_RECENT_CHECKINS} check-ins on, so a single day never counts on its own."
        )
    elif signals:
        message = f"Beyond your usual range recently: {and_join(lower(s.rating) for s in signals)}."
    else:
        message = "Your check-ins in the last two weeks are within your usual range."
    return EarlyWarnings(True, recent_n, tuple(signals), message, tuple(parts))


@dataclass(frozen=True)
class RatingLevel:
    """One row of "your usual and the last two weeks", in words a page shows as is."""

    rating: str
    usual_mean: float | None  # None until the usual is ready
    recent_mean: float | None  # None without check-ins in the last two weeks
    recent_n: int
    moved: Literal["up", "down", "same", ""]  # how the value moved ("": nothing to compare)
    change: str  # e.g. "↑ 1.2 points", "↓ 0.4 points", "→ about the same", ""
    state: str  # e.g. "within your usual range", "above it since Tue 10 Mar"


def rating_levels(history: Any, today: Any, base: Usual,
                  warnings: EarlyWarnings) -> tuple[RatingLevel, ...]:
    """Per rating: the usual, the mean of the last two weeks, which way it moved
    (the arrow follows the number, whichever side is the harder one) and whether it
    is beyond the usual range."""
    checkins = prepare(history, today)
    where = checkins.span(*recent_window(day_number(today)))
    flagged = {s.rating: s for s in warnings.signals}
    rows = []
    for rating in base.ratings if base.ready else ():
        values = checkins.column(rating)[where]
        values = values[~np.isnan(values)]
        usual_mean = base.ratings[rating].mean
        recent = float(values.mean()) if len(values) else None
        moved: Literal["up", "down", "same", ""] = ""
        change = ""
        if recent is not None:
            difference = recent - usual_mean
            moved = "same" if num(abs(difference)) == "0.0" else "up" if difference > 0 else "down"
            change = {"up": f"↑ {points(difference)}", "down": f"↓ {points(-difference)}",
                      "same": "→ about the same"}[moved]
        if rating in flagged:
            signal = flagged[rating]
            side = "above" if signal.direction == "higher" else "below"
            state = f"{side} your usual range since {fmt_day(signal.since)}"
        elif len(values) < MIN_RECENT_CHECKINS:
            state = "too few check-ins to tell"
        else:
            state = "within your usual range"
        rows.append(RatingLevel(rating, usual_mean, recent, len(values), moved, change, state))
    return tuple(rows)
