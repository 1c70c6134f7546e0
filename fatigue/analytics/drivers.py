"""What goes with heavier strain for me: workload against exhaustion and intrusion.

For each workload measure, rating and timing (same day, next day), the days
are split at the person's own median of the measure, and the result is the
difference in the rating between heavier and lighter days. Its uncertainty
allows for two things a plain t-test ignores:

* the ratings carry over from day to day (and so does the workload), so the
  difference is estimated by generalised least squares with the person's
  carry-over, Student's t with n - 2 degrees of freedom (see
  :mod:`fatigue.analytics.carry_over`). Newey-West standard errors were tried
  first: with 60 check-ins they made a link look clear about three times as
  often as they should (docs/analytics.md);
* 16 comparisons are made, so a link is called clear only after the
  Benjamini-Hochberg correction over every comparison shown (5%; with no real
  link at all, that is a 5% chance that any link looks clear), and every range
  is drawn at the one level that matches it (1 - k x 5% / m for k clear links
  out of m, at least 1: Benjamini & Yekutieli 2005), so a range leaves out zero
  exactly when its link is called clear.

Every comparison is shown with its range, the clear ones and the others.
"""
from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
from scipy import stats

from fatigue.analytics.carry_over import carry_over, fit_with_carry_over
from fatigue.analytics.frame import Checkins, prepare
from fatigue.analytics.words import lower, num
from fatigue.workload import DEFAULT_CASELOAD_STANDARD, workload_index

MIN_DRIVER_DAYS = 21
MIN_GROUP_DAYS = 5
DRIVER_ALPHA = 0.05  # false-discovery rate over every comparison shown
# Workload measures: (words for heavier days, singular unit, plural unit).
DRIVERS: dict[str, tuple[str, str, str]] = {
    "workload_index": ("heavier workload days", "workload index", "workload index"),
    "crisis_contacts": ("heavier crisis-contact days", "crisis contact", "crisis contacts"),
    "trauma_contacts": (
        "heavier trauma-exposure days",
        "contact involving traumatic material",
        "contacts involving traumatic material",
    ),
    "after_hours_minutes": ("days with more after-hours work", "minute after hours",
                            "minutes after hours"),
}
# Short names for charts and tables.
DRIVER_NAMES: dict[str, str] = {
    "workload_index": "Workload index",
    "crisis_contacts": "Crisis contacts",
    "trauma_contacts": "Contacts with traumatic material",
    "after_hours_minutes": "After-hours work",
}
OUTCOMES: tuple[str, ...] = ("exhaustion", "intrusion")
LAGS: dict[int, str] = {0: "same day", 1: "next day"}


@dataclass(frozen=True)
class DriverResult:
    """Heavier-minus-lighter difference of one rating for one workload measure."""

    driver: str  # workload_index, crisis_contacts, trauma_contacts, after_hours_minutes
    outcome: str  # exhaustion or intrusion
    lag: int  # 0 = same day, 1 = the next calendar day's check-in
    n_pairs: int
    split: float  # the person's median of the driver
    heavier_rule: str  # e.g. "more than 2 crisis contacts"
    n_heavier: int
    n_lighter: int
    mean_heavier: float
    mean_lighter: float
    difference: float  # heavier minus lighter days, points (allowing for carry-over)
    low: float  # the range at ``level``
    high: float
    level: float  # confidence of the range (the same for every comparison shown)
    p_value: float  # unadjusted, two-sided
    clear: bool  # Benjamini-Hochberg rejects "no difference" (the range leaves out zero)
    message: str


@dataclass(frozen=True)
class StrainDrivers:
    """Links between workload and strain in the person's own history."""

    ready: bool
    n_paired_days: int  # same-day pairs (days with a workload figure and both ratings)
    needed: int
    results: tuple[DriverResult, ...]
    skipped: tuple[str, ...]  # why a comparison is not shown
    message: str


def benjamini_hochberg(p_values: list[float],
                       alpha: float = DRIVER_ALPHA) -> tuple[list[bool], float]:
    """Which comparisons are clear (BH-adjusted p at most ``alpha``, ``scipy``), and the
    confidence level at which every range leaves out zero exactly when it is clear:
    1 - max(k, 1) x alpha / m for k clear out of m."""
    m = len(p_values)
    if m == 0:
        return [], 1.0 - alpha
    adjusted = stats.false_discovery_control(np.asarray(p_values, dtype=float), method="bh")
    clear = [bool(p <= alpha) for p in adjusted]
    return clear, 1.0 - max(sum(clear), 1) * alpha / m


def _pair_arrays(days: np.ndarray, x: np.ndarray, y: np.ndarray,
                 lag: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """x on day d with y on day d + lag (only when that day has a check-in), both
    present; and the position of each y among the check-ins (for the carry-over)."""
    target = days + lag
    at = np.searchsorted(days, target)
    found = at < len(days)
    found[found] = days[at[found]] == target[found]
    xs, ys, positions = x[found], y[at[found]], at[found]
    keep = ~(np.isnan(xs) | np.isnan(ys))
    return xs[keep], ys[keep], positions[keep]


def heavier_rule(driver: str, median: float, strict: bool, whole: bool = False) -> str:
    """Which days count as heavier, in words, e.g. "more than 2 crisis contacts".

    ``whole``: the measure only takes whole numbers, so "more than 1.5" is
    said as "more than 1" (the same days).
    """
    _, one, many = DRIVERS[driver]
    if whole and strict and driver != "workload_index":
        median = float(math.floor(median))
    value = f"{median:.1f}".rstrip("0").rstrip(".")
    if driver == "workload_index":
        return f"workload index above {value}" if strict else f"workload index {value} or more"
    if strict and median == 0:  # most days have none: heavier days are those with any
        return "any after-hours work" if driver == "after_hours_minutes" else f"any {one}"
    if strict:
        return f"more than {value} {one if median == 1 else many}"
    return f"{value} or more {many}"


def _by(value: float) -> str:
    """ "1.4 points higher", "0.8 points lower", "no different"."""
    if num(abs(value)) == "0.0":
        return "no different"
    return f"{num(abs(value))} points {'higher' if value > 0 else 'lower'}"


def driver_message(driver: str, outcome: str, lag: int, rule: str, difference: float,
                   low: float, high: float, clear: bool) -> str:
    when = f"On your {DRIVERS[driver][0]}" if lag == 0 else f"On the day after your {DRIVERS[driver][0]}"
    amount = _by(difference)
    head = (f"{when} ({rule}), your {lower(outcome)} was "
            f"{amount + ' than' if amount != 'no different' else 'no different from'} lighter days")
    if clear:
        return f"{head} (between {_by(low)} and {_by(high)}, allowing for chance)."
    return (f"{head}; chance alone could give that (anywhere between {_by(low)} and "
            f"{_by(high)}), so there is no clear link.")


def strain_drivers(
    history: Any,
    caseload_standard: float = DEFAULT_CASELOAD_STANDARD,
    min_days: int = MIN_DRIVER_DAYS,
    *,
    today: Any | None = None,
) -> StrainDrivers:
    """Heavier vs lighter days (own median split) for each workload measure and rating."""
    checkins = prepare(history, today)
    return _strain_drivers(checkins, caseload_standard, min_days)


def _measures(checkins: Checkins, caseload_standard: float) -> dict[str, np.ndarray]:
    columns = {name: checkins.column(name) for name in
               ("caseload", "contacts", "crisis_contacts", "trauma_contacts", "after_hours_minutes")}
    index = workload_index(pd.DataFrame(columns), caseload_standard).to_numpy(dtype=float)
    return {"workload_index": index,
            **{name: columns[name] for name in DRIVERS if name != "workload_index"}}


def _strain_drivers(checkins: Checkins, caseload_standard: float,
                    min_days: int = MIN_DRIVER_DAYS) -> StrainDrivers:
    xs = _measures(checkins, caseload_standard)
    ys = {name: checkins.column(name) for name in OUTCOMES}
    n_paired = int((~(np.isnan(xs["workload_index"]) | np.isnan(ys[OUTCOMES[0]])
                      | np.isnan(ys[OUTCOMES[1]]))).sum())
    if n_paired < min_days:
        message = (
            f"Links between your workload and how you feel are shown once there are {min_days} "
            f"days with a full check-in; so far there "
            f"{'is 1' if n_paired == 1 else f'are {n_paired}'}."
        )
        return StrainDrivers(False, n_paired, min_days, (), (message,), message)
    phi = carry_over(checkins.ratings)
    found: list[tuple] = []
    skipped: list[str] = []
    for driver in DRIVERS:
        for outcome in OUTCOMES:
            for lag, lag_words in LAGS.items():
                what = f"{lower(outcome)} ({lag_words}) and {DRIVERS[driver][2]}"
                x, y, positions = _pair_arrays(checkins.days, xs[driver], ys[outcome], lag)
                if len(x) < min_days:
                    skipped.append(f"{what}: {len(x)} of {min_days} paired days so far.")
                    continue
                if np.all(x == x[0]):
                    skipped.append(f"{what}: no variation in {DRIVERS[driver][2]}.")
                    continue
                median = float(np.median(x))
                strict = bool(np.any(x > median))
                # Days at the median count as lighter, unless the median is also
                # the maximum: then they are the heavier days.
                heavy = x > median if strict else x >= median
                rule = heavier_rule(driver, median, strict, bool(np.all(x == np.round(x))))
                n_h, n_l = int(heavy.sum()), int((~heavy).sum())
                if min(n_h, n_l) < MIN_GROUP_DAYS:
                    skipped.append(
                        f"{what}: too few heavier or lighter days ({n_h} and {n_l}; "
                        f"{MIN_GROUP_DAYS} of each needed)."
                    )
                    continue
                test = fit_with_carry_over(y, heavy.astype(float), positions, phi)
                found.append((driver, outcome, lag, len(x), median, rule, n_h, n_l,
                              float(y[heavy].mean()), float(y[~heavy].mean()), test))
    clear, level = benjamini_hochberg([f[-1].p_value for f in found])
    results = []
    for (driver, outcome, lag, n, median, rule, n_h, n_l, m_h, m_l, test), is_clear \
            in zip(found, clear):
        low, high = test.interval(level)
        results.append(DriverResult(
            driver, outcome, lag, n, median, rule, n_h, n_l, m_h, m_l, test.estimate, low,
            high, level, test.p_value, is_clear,
            driver_message(driver, outcome, lag, rule, test.estimate, low, high, is_clear),
        ))
    message = (
        f"Based on {n_paired} days with a full check-in. These are links in your own "
        "check-ins, not proof that one thing causes another. Each range allows for chance "
        f"across all {len(results)} comparisons at once, so a link is called clear only when "
        "chance alone is an unlikely explanation."
    )
    return StrainDrivers(True, n_paired, min_days, tuple(results), tuple(skipped), message)
