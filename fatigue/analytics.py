"""Personal analytics over one person's check-in history (see docs/analytics.md).

Every function here is pure: it takes the DataFrame from
:func:`fatigue.checkins.load_history` (one row per check-in day) plus
parameters such as ``today`` and the team's caseload standard, and returns a
small frozen dataclass a page can render in words. Nothing reads the clock or
the database, and nothing is random, so results are reproducible.

Windows are calendar windows ending on ``today`` (included):

* recent period: the most recent 7 calendar days, ``today - 6`` .. ``today``;
* baseline: the 28 calendar days before them, ``today - 34`` .. ``today - 7``;
* long-term drift: the last 28 days, ``today - 27`` .. ``today``, against the
  154 days (22 weeks) before them, ``today - 181`` .. ``today - 28``.

Days without a check-in (weekends, leave, forgotten days) are simply absent:
nothing is interpolated. Check-ins dated after ``today`` are ignored. Every
phrase is descriptive and worded as an association in the person's own data,
never as a cause or a diagnosis.
"""
from __future__ import annotations

import datetime as dt
import functools
import math
from dataclasses import dataclass, field
from typing import Any, Literal

import numpy as np
import pandas as pd
from scipy import stats

from fatigue.validation import FIELDS, LABELS, RATINGS
from fatigue.workload import DEFAULT_CASELOAD_STANDARD, workload_index

# ----------------------------------------------------------------- parameters
RECENT_DAYS = 7
BASELINE_DAYS = 28
MIN_BASELINE_CHECKINS = 10
SD_FLOOR = 1.0  # points on the 0-10 scale

EWMA_LAMBDA = 0.3
EWMA_L = 3.0
MIN_RECENT_CHECKINS = 2  # per rating in the recent 7 days before any early warning
# Which side of the baseline is the worrying one for each rating.
HIGHER_IS_HARDER: dict[str, bool] = {
    "exhaustion": True,
    "detachment": True,
    "intrusion": True,
    "time_pressure": True,
    "empathy": False,
    "meaning": False,
    "recovery": False,
}

# Long-term drift: the last 4 weeks against the months before them.
DRIFT_RECENT_DAYS = 28
DRIFT_REFERENCE_DAYS = 154  # 22 weeks: today-181 .. today-28
MIN_DRIFT_RECENT = 8  # check-ins with the rating in the last 4 weeks
MIN_DRIFT_REFERENCE = 10  # check-ins with the rating in the reference window
DRIFT_MIN_POINTS = 1.5  # the difference must be at least this many points ...
DRIFT_MIN_SD = 1.5  # ... and at least this many floored reference SDs

TREND_DAYS = 14
MIN_TREND_POINTS = 5
TREND_CONFIDENCE = 0.95

CF_CHECKINS = 7
CF_MIN_MATCHES = 5
CF_MAX_SPAN_DAYS = 14

MIN_DRIVER_DAYS = 21
MIN_GROUP_DAYS = 5
DRIVER_CONFIDENCE = 0.95
# Workload measures: (words for heavier days, singular unit, plural unit).
DRIVERS: dict[str, tuple[str, str, str]] = {
    "workload_index": ("heavier workload days", "workload index", "workload index"),
    "crisis_contacts": ("heavier crisis-contact days", "crisis contact", "crisis contacts"),
    "trauma_contacts": (
        "heavier trauma-exposure days",
        "contact involving traumatic material",
        "contacts involving traumatic material",
    ),
    "after_hours_minutes": ("days with more after-hours work", "minute after hours", "minutes after hours"),
}
OUTCOMES: tuple[str, ...] = ("exhaustion", "intrusion")
LAGS: dict[int, str] = {0: "same day", 1: "next day"}

# The one fixed rule on the 0-10 scale (a safety net, not a clinical cut-point).
HIGH_EXHAUSTION = 8
HIGH_EXHAUSTION_MIN = 5  # of the last CF_CHECKINS check-ins (within CF_MAX_SPAN_DAYS)
# A worsening trend in one of these raises the status to "watch".
STATUS_TREND_RATINGS: tuple[str, ...] = ("exhaustion", "detachment", "intrusion", "empathy")

DISCLAIMER = (
    "This is not a diagnosis. The World Health Organization describes burnout as an "
    "occupational phenomenon, not a medical condition (ICD-11, QD85). Apart from one fixed "
    "rule about very high exhaustion, these figures only compare your check-ins with your "
    "own earlier ones; they are here to support your own "
    "reflection and conversations, for example with your supervisor. If you are struggling, "
    "please reach out to someone you trust or to your employee assistance programme."
)

Level = Literal["building", "quiet", "steady", "watch", "act"]
Direction = Literal["rising", "falling", "no clear change", "not enough check-ins"]


# ----------------------------------------------------------------- helpers
def _day(value: Any) -> pd.Timestamp:
    """A midnight Timestamp from a date, datetime, Timestamp or ISO string."""
    stamp = pd.Timestamp(value)
    if stamp is pd.NaT:
        raise ValueError("today must be a calendar date")
    if stamp.tzinfo is not None:
        stamp = stamp.tz_localize(None)
    return stamp.normalize()


def _is_prepared(history: pd.DataFrame, today: Any | None) -> bool:
    """Whether ``history`` is what :func:`_prepare` would return (checked cheaply).

    :func:`personal_summary` prepares once and hands the result to each part,
    which would otherwise copy and sort it again (a third of its time).
    """
    if "day" not in history.columns or history["day"].dtype != np.dtype("datetime64[ns]"):
        return False
    if not isinstance(history.index, pd.RangeIndex) or history.index.start != 0 \
            or history.index.step != 1:
        return False
    days = history["day"].to_numpy().view("int64")
    if len(days) == 0:
        return True
    if history["day"].isna().any() or np.any(days % 86_400_000_000_000 != 0):
        return False
    if len(days) > 1 and not bool(np.all(days[1:] > days[:-1])):
        return False
    return today is None or days[-1] <= _day(today).value


def _prepare(history: pd.DataFrame, today: Any | None) -> pd.DataFrame:
    """A sorted copy with ``day`` as midnight datetimes, one row per day, none after today."""
    if "day" not in history.columns:
        if len(history) == 0:  # a bare empty frame is an empty history
            history = pd.DataFrame({name: pd.Series(dtype=float) for name in FIELDS})
            history.insert(0, "day", pd.Series(dtype="datetime64[ns]"))
        else:
            raise ValueError("The history has no 'day' column.")
    if _is_prepared(history, today):
        return history  # already sorted, one row per day, none after today: no copy needed
    frame = history.copy()
    frame["day"] = pd.to_datetime(frame["day"]).astype("datetime64[ns]").dt.normalize()
    frame = frame[frame["day"].notna()]
    if today is not None:
        frame = frame[frame["day"] <= _day(today)]
    frame = frame.sort_values("day", kind="stable").drop_duplicates("day", keep="last")
    return frame.reset_index(drop=True)


def _values(frame: pd.DataFrame, column: str) -> pd.Series:
    if column not in frame.columns:
        raise ValueError(f"The history has no '{column}' column.")
    return pd.to_numeric(frame[column], errors="coerce").astype(float)


def _between(frame: pd.DataFrame, start: pd.Timestamp, end: pd.Timestamp) -> pd.DataFrame:
    return frame[(frame["day"] >= start) & (frame["day"] <= end)]


def _windows(
    today: Any, recent_days: int = RECENT_DAYS, baseline_days: int = BASELINE_DAYS
) -> tuple[pd.Timestamp, pd.Timestamp, pd.Timestamp, pd.Timestamp]:
    """(baseline_start, baseline_end, recent_start, recent_end): the recent days up to
    ``today`` and the baseline days just before them."""
    end = _day(today)
    recent_start = end - pd.Timedelta(days=recent_days - 1)
    baseline_end = recent_start - pd.Timedelta(days=1)
    baseline_start = recent_start - pd.Timedelta(days=baseline_days)
    return baseline_start, baseline_end, recent_start, end


def _label(name: str) -> str:
    return LABELS.get(name, name.replace("_", " ").capitalize())


def _lower(name: str) -> str:
    return _label(name).lower()


def _fmt_day(day: dt.date) -> str:
    return f"{day:%a} {day.day} {day:%b}"


def _fmt_day_year(day: dt.date, today: dt.date) -> str:
    """Like :func:`_fmt_day`, with the year when it is not today's year."""
    return _fmt_day(day) if day.year == today.year else f"{_fmt_day(day)} {day.year}"


def _plural(n: int, word: str) -> str:
    return f"{n} {word}{'' if n == 1 else 's'}"


def _num(value: float) -> str:
    """One decimal; a value that rounds to zero is "0.0", never "-0.0"."""
    text = f"{value:.1f}"
    return "0.0" if text == "-0.0" else text


def format_signed(value: float) -> str:
    """One decimal with its sign ("+0.4", "-1.2"); a value that rounds to zero is "0.0".

    Public so that pages can format slopes and intervals the same way.
    """
    text = f"{value:+.1f}"
    return "0.0" if text in ("+0.0", "-0.0") else text


_signed = format_signed


def _compare(difference: float, usual_words: str) -> str:
    """ "1.3 points above your usual 4.0" with the sign of ``difference`` in words."""
    if abs(difference) < 0.05:
        return f"about the same as {usual_words}"
    return f"{_num(abs(difference))} points {'above' if difference > 0 else 'below'} {usual_words}"


# ----------------------------------------------------------------- baseline
@dataclass(frozen=True)
class RatingBaseline:
    """Mean and spread of one rating over the baseline window."""

    rating: str
    mean: float
    sd: float  # sample SD (ddof=1) of the check-ins
    sd_used: float  # max(sd, SD_FLOOR): what the warnings compare against
    n: int


@dataclass(frozen=True)
class Baseline:
    """The person's usual level: 28 calendar days before the most recent 7."""

    ready: bool
    n: int  # check-ins in the window
    needed: int  # MIN_BASELINE_CHECKINS
    start: dt.date
    end: dt.date
    ratings: dict[str, RatingBaseline]  # empty until ready
    message: str


def baseline(history: pd.DataFrame, today: Any) -> Baseline:
    """Per-rating mean and SD over ``today-34 .. today-7``; ready with 10+ check-ins."""
    start, end, _, _ = _windows(today)
    window = _between(_prepare(history, today), start, end)
    n = len(window)
    ready = n >= MIN_BASELINE_CHECKINS
    ratings: dict[str, RatingBaseline] = {}
    if ready:
        for rating in RATINGS:
            values = _values(window, rating).dropna()
            if len(values) < MIN_BASELINE_CHECKINS:
                continue
            sd = float(values.std(ddof=1))
            ratings[rating] = RatingBaseline(
                rating, float(values.mean()), sd, max(sd, SD_FLOOR), len(values)
            )
        ready = bool(ratings)
    if ready:
        message = (
            f"Your usual range is based on {_plural(n, 'check-in')} from "
            f"{_fmt_day(start.date())} to {_fmt_day(end.date())}."
        )
    else:
        message = (
            f"Building your baseline ({min(n, MIN_BASELINE_CHECKINS)} of "
            f"{MIN_BASELINE_CHECKINS} check-ins in the 4 weeks before the last 7 days)."
        )
    return Baseline(ready, n, MIN_BASELINE_CHECKINS, start.date(), end.date(), ratings, message)


_compute_baseline = baseline  # for functions whose ``baseline`` argument shadows the name


# ----------------------------------------------------------------- early warning
@dataclass(frozen=True)
class EarlyWarning:
    """One rating whose EWMA is outside the usual range at the latest check-in."""

    rating: str
    direction: Literal["higher", "lower"]
    since: dt.date  # first check-in of the current run outside the limit
    checkins_outside: int  # length of that run
    recent_mean: float  # mean of all the check-ins in the recent 7 days
    recent_n: int
    baseline_mean: float
    baseline_sd: float  # the floored SD used for the limits
    difference: float  # run_mean - baseline_mean, in points (signed)
    difference_sd: float  # difference / baseline_sd
    message: str
    run_mean: float = math.nan  # mean of the check-ins since ``since`` (the run)
    ewma: float = math.nan  # the smoothed level at the latest check-in
    limit: float = math.nan  # the edge of the usual range at the latest check-in


@dataclass(frozen=True)
class EarlyWarnings:
    """All EWMA signals for the recent period, plus the chart data."""

    ready: bool
    recent_n: int
    signals: tuple[EarlyWarning, ...]
    message: str
    # Columns: day, rating, value, ewma, center, limit, outside (one row per
    # recent check-in and rating); empty when not ready.
    chart: pd.DataFrame = field(default_factory=pd.DataFrame, compare=False, repr=False)


def ewma_path(values: list[float] | np.ndarray, mean: float, sd: float,
              lam: float = EWMA_LAMBDA, limit: float = EWMA_L) -> tuple[np.ndarray, np.ndarray]:
    """EWMA z_t (z_0 = mean) and the exact half-width L*sd*sqrt(lam/(2-lam)*(1-(1-lam)^(2t)))."""
    x = np.asarray(values, dtype=float)
    z = np.empty_like(x)
    previous = mean
    for i, value in enumerate(x):
        previous = lam * value + (1.0 - lam) * previous
        z[i] = previous
    t = np.arange(1, len(x) + 1, dtype=float)
    width = limit * sd * np.sqrt(lam / (2.0 - lam) * (1.0 - (1.0 - lam) ** (2.0 * t)))
    return z, width


def _warning_message(rating: str, direction: str, since: dt.date, run_values: np.ndarray,
                     usual: float, sd: float) -> str:
    run_mean = float(run_values.mean())
    difference = run_mean - usual
    head = f"Your {_lower(rating)} has been {direction} than your usual range since {_fmt_day(since)}."
    if len(run_values) == 1:
        level = f"That check-in was {_num(run_mean)}"
    else:
        level = f"Your {len(run_values)} check-ins from that day on averaged {_num(run_mean)}"
    text = f"{head} {level}, {_compare(difference, f'your usual {_num(usual)}')}"
    if abs(difference) >= 0.05:
        text += f" (about {_num(abs(difference) / sd)} times your usual day-to-day variation)"
    return text + "."


def early_warnings(
    history: pd.DataFrame, today: Any, baseline: Baseline | None = None
) -> EarlyWarnings:
    """One-sided EWMA chart per rating over the recent check-ins against the baseline.

    A rating needs at least ``MIN_RECENT_CHECKINS`` check-ins in the recent 7
    days to be charted or flagged.
    """
    base = baseline if baseline is not None else _compute_baseline(history, today)
    _, _, recent_start, end = _windows(today)
    recent = _between(_prepare(history, today), recent_start, end)
    if not base.ready:
        return EarlyWarnings(False, len(recent), (), base.message)
    signals: list[EarlyWarning] = []
    parts: list[tuple[np.ndarray, str, np.ndarray, np.ndarray, float, np.ndarray, np.ndarray]] = []
    recent_days = recent["day"].to_numpy()
    for rating, rb in base.ratings.items():
        every = _values(recent, rating).to_numpy()
        present = ~np.isnan(every)
        if int(present.sum()) < MIN_RECENT_CHECKINS:
            continue
        up = HIGHER_IS_HARDER.get(rating, True)
        values = every[present]
        days = recent_days[present]
        z, width = ewma_path(values, rb.mean, rb.sd_used)
        limit = rb.mean + width if up else rb.mean - width
        outside = z > limit if up else z < limit
        parts.append((days, rating, values, z, rb.mean, limit, outside))
        if not outside[-1]:
            continue
        run = 0
        for flag in outside[::-1]:
            if not flag:
                break
            run += 1
        since = pd.Timestamp(days[len(values) - run]).date()
        run_values = values[len(values) - run:]
        run_mean = float(run_values.mean())
        difference = run_mean - rb.mean
        direction: Literal["higher", "lower"] = "higher" if up else "lower"
        signals.append(
            EarlyWarning(
                rating, direction, since, run, float(values.mean()), len(values), rb.mean,
                rb.sd_used, difference, difference / rb.sd_used,
                _warning_message(rating, direction, since, run_values, rb.mean, rb.sd_used),
                run_mean, float(z[-1]), float(limit[-1]),
            )
        )
    chart = (
        pd.DataFrame({  # built once from arrays: a frame per rating cost more than the maths
            "day": np.concatenate([p[0] for p in parts]),
            "rating": pd.array([p[1] for p in parts for _ in p[2]], dtype="str"),
            "value": np.concatenate([p[2] for p in parts]),
            "ewma": np.concatenate([p[3] for p in parts]),
            "center": np.concatenate([np.full(len(p[2]), p[4]) for p in parts]),
            "limit": np.concatenate([p[5] for p in parts]),
            "outside": np.concatenate([p[6] for p in parts]),
        })
        if parts
        else pd.DataFrame(columns=["day", "rating", "value", "ewma", "center", "limit", "outside"])
    )
    if recent.empty:
        message = "No check-ins in the last 7 days, so nothing to compare with your usual range."
    elif len(recent) < MIN_RECENT_CHECKINS:
        message = (
            f"Only {_plural(len(recent), 'check-in')} in the last 7 days; the early warning "
            f"starts from {MIN_RECENT_CHECKINS} check-ins, so a single day is never flagged "
            "on its own."
        )
    elif signals:
        names = ", ".join(_lower(s.rating) for s in signals)
        message = f"Outside your usual range recently: {names}."
    else:
        message = "Your recent check-ins are within your usual range."
    return EarlyWarnings(True, len(recent), tuple(signals), message, chart)


# ----------------------------------------------------------------- trend
@dataclass(frozen=True)
class Trend:
    """Theil-Sen slope of one rating over the last ``days`` calendar days."""

    rating: str
    days: int
    n: int  # check-ins with this rating in the window
    direction: Direction
    slope_per_day: float | None
    low_per_day: float | None  # 95% interval (scipy.stats.theilslopes)
    high_per_day: float | None
    slope_per_week: float | None
    low_per_week: float | None
    high_per_week: float | None
    message: str


@functools.lru_cache(maxsize=8)
def _normal_quantile(q: float) -> float:
    return float(stats.norm.ppf(q))


def _repeat_weight(values: np.ndarray) -> int:
    counts = np.unique(values, return_counts=True)[1]
    return sum(int(k) * (int(k) - 1) * (2 * int(k) + 5) for k in counts if k > 1)


def theil_sen(y: np.ndarray, x: np.ndarray, alpha: float) -> tuple[float, float, float]:
    """(slope, low, high) exactly as ``scipy.stats.theilslopes(y, x, alpha)`` (Sen 1968,
    with ties), without its per-call set-up: the normal quantile is computed once."""
    y = np.asarray(y, dtype=float)
    x = np.asarray(x, dtype=float)
    deltax = x[:, np.newaxis] - x
    deltay = y[:, np.newaxis] - y
    slopes = np.sort(deltay[deltax > 0] / deltax[deltax > 0])
    slope = float(np.median(slopes))
    if alpha > 0.5:
        alpha = 1.0 - alpha
    z = _normal_quantile(alpha / 2.0)
    ny, nt = len(y), len(slopes)
    sigsq = 1 / 18.0 * (ny * (ny - 1) * (2 * ny + 5) - _repeat_weight(x) - _repeat_weight(y))
    try:
        sigma = np.sqrt(sigsq)
        upper = min(int(np.round((nt - z * sigma) / 2.0)), nt - 1)
        lower = max(int(np.round((nt + z * sigma) / 2.0)) - 1, 0)
        low, high = slopes[[lower, upper]]
    except (ValueError, IndexError):
        low, high = np.nan, np.nan
    return slope, float(low), float(high)


def trend(history: pd.DataFrame, today: Any, rating: str, days: int = TREND_DAYS) -> Trend:
    """Robust slope over ``today-days+1 .. today`` against calendar days (gaps kept)."""
    end = _day(today)
    start = end - pd.Timedelta(days=days - 1)
    window = _between(_prepare(history, today), start, end)
    return _trend_in(window, start, rating, days)


def _trend_in(window: pd.DataFrame, start: pd.Timestamp, rating: str, days: int) -> Trend:
    """:func:`trend` on the window already cut out (so :func:`trends` cuts it once)."""
    every = _values(window, rating).to_numpy()
    keep = ~np.isnan(every)
    y = every[keep]
    x = ((window["day"].to_numpy()[keep] - start.to_datetime64())
         // np.timedelta64(1, "D")).astype(float)
    n = len(y)
    label = _label(rating)
    if n < MIN_TREND_POINTS:
        return Trend(
            rating, days, n, "not enough check-ins", None, None, None, None, None, None,
            f"{label}: not enough check-ins in the last {days} days for a trend "
            f"({n} of {MIN_TREND_POINTS} needed).",
        )
    slope, low, high = theil_sen(y, x, TREND_CONFIDENCE)
    if low > 0:
        direction: Direction = "rising"
    elif high < 0:
        direction = "falling"
    else:
        direction = "no clear change"
    per_week = (
        f"{_signed(slope * 7)} points per week; 95% interval {_signed(low * 7)} to "
        f"{_signed(high * 7)}"
    )
    if direction == "no clear change":
        message = f"{label}: no clear change over the last {days} days ({per_week})."
    else:
        message = f"{label}: {direction} over the last {days} days ({per_week})."
    return Trend(rating, days, n, direction, slope, low, high, slope * 7, low * 7, high * 7, message)


def trends(history: pd.DataFrame, today: Any, days: int = TREND_DAYS) -> dict[str, Trend]:
    """:func:`trend` for every rating."""
    end = _day(today)
    start = end - pd.Timedelta(days=days - 1)
    window = _between(_prepare(history, today), start, end)
    return {rating: _trend_in(window, start, rating, days) for rating in RATINGS}


def is_worsening(t: Trend) -> bool:
    """True when the trend moves in the harder direction for that rating."""
    up = HIGHER_IS_HARDER.get(t.rating, True)
    return t.direction == ("rising" if up else "falling")


# ----------------------------------------------------------------- compassion fatigue
@dataclass(frozen=True)
class CompassionFatiguePattern:
    """Exhaustion and intrusion above, empathy below, the usual level."""

    ready: bool
    present: bool
    count: int  # check-ins matching the pattern
    considered: int  # check-ins looked at (at most 7)
    needed: int  # CF_MIN_MATCHES
    days: tuple[dt.date, ...]  # the matching days
    checked_days: tuple[dt.date, ...]  # all days looked at
    message: str


def _last_checkins(frame: pd.DataFrame, today: Any) -> pd.DataFrame:
    """The last CF_CHECKINS check-ins within the last CF_MAX_SPAN_DAYS calendar days."""
    end = _day(today)
    start = end - pd.Timedelta(days=CF_MAX_SPAN_DAYS - 1)
    return _between(frame, start, end).tail(CF_CHECKINS)


def compassion_fatigue_pattern(
    history: pd.DataFrame, today: Any, baseline: Baseline | None = None
) -> CompassionFatiguePattern:
    """Pattern present when it holds on at least 5 of the last 7 check-ins."""
    base = baseline if baseline is not None else _compute_baseline(history, today)
    needed = ("exhaustion", "intrusion", "empathy")
    if not base.ready or any(name not in base.ratings for name in needed):
        return CompassionFatiguePattern(False, False, 0, 0, CF_MIN_MATCHES, (), (), base.message)
    last = _last_checkins(_prepare(history, today), today)
    exhaustion = _values(last, "exhaustion") > base.ratings["exhaustion"].mean
    intrusion = _values(last, "intrusion") > base.ratings["intrusion"].mean
    empathy = _values(last, "empathy") < base.ratings["empathy"].mean
    match = (exhaustion & intrusion & empathy).to_numpy()
    checked = tuple(d.date() for d in last["day"])
    days = tuple(d for d, m in zip(checked, match) if m)
    count, considered = len(days), len(checked)
    present = count >= CF_MIN_MATCHES
    if present:
        message = (
            f"On {count} of your last {considered} check-ins, exhaustion and intrusion were "
            "above your usual level while empathy was below it. This combination is often "
            "described as compassion fatigue; it can be a good moment to talk it through "
            "with your supervisor or someone you trust."
        )
    elif considered == 0:
        message = (
            f"No check-ins in the last {CF_MAX_SPAN_DAYS} days, so the compassion-fatigue "
            "pattern was not checked."
        )
    elif considered < CF_MIN_MATCHES:
        message = (
            f"Only {_plural(considered, 'check-in')} in the last {CF_MAX_SPAN_DAYS} days, "
            "so the compassion-fatigue pattern was not checked."
        )
    elif count == 0:
        message = (
            f"The compassion-fatigue pattern (exhaustion and intrusion up, empathy down) did "
            f"not show on any of your last {considered} check-ins; it is flagged from "
            f"{CF_MIN_MATCHES}."
        )
    else:
        message = (
            f"The compassion-fatigue pattern (exhaustion and intrusion up, empathy down) showed "
            f"on {count} of your last {considered} check-ins; it is flagged from "
            f"{CF_MIN_MATCHES}."
        )
    return CompassionFatiguePattern(
        considered >= CF_MIN_MATCHES, present, count, considered, CF_MIN_MATCHES, days, checked,
        message,
    )


# ----------------------------------------------------------------- strain drivers
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
    difference: float  # mean_heavier - mean_lighter
    low: float  # Welch 95% interval for the difference
    high: float
    clear: bool  # the interval excludes zero
    message: str


@dataclass(frozen=True)
class StrainDrivers:
    """Associations between workload and strain in the person's own history."""

    ready: bool
    n_paired_days: int  # same-day pairs (days with a workload figure and both ratings)
    needed: int
    results: tuple[DriverResult, ...]
    skipped: tuple[str, ...]  # why a comparison is not shown
    message: str


def welch_interval(a: np.ndarray, b: np.ndarray, confidence: float = DRIVER_CONFIDENCE) -> tuple[float, float, float]:
    """mean(a) - mean(b) and its Welch t interval; a zero-width interval if both groups are constant."""
    a, b = np.asarray(a, dtype=float), np.asarray(b, dtype=float)
    diff = float(a.mean() - b.mean())
    va, vb = a.var(ddof=1) / len(a), b.var(ddof=1) / len(b)
    se = math.sqrt(va + vb)
    if se == 0.0:
        return diff, diff, diff
    df = (va + vb) ** 2 / (va**2 / (len(a) - 1) + vb**2 / (len(b) - 1))
    half = float(stats.t.ppf(0.5 + confidence / 2.0, df)) * se
    return diff, diff - half, diff + half


def _pairs(frame: pd.DataFrame, driver: pd.Series, outcome: str, lag: int) -> pd.DataFrame:
    """Driver on day d with the outcome on day d + lag (only when that day has a check-in)."""
    left = pd.DataFrame({"day": frame["day"], "x": driver.to_numpy()})
    right = pd.DataFrame(
        {"day": frame["day"] - pd.Timedelta(days=lag), "y": _values(frame, outcome).to_numpy()}
    )
    return left.merge(right, on="day", how="inner").dropna()


def _pair_arrays(days: np.ndarray, x: np.ndarray, y: np.ndarray, lag: int) -> tuple[np.ndarray, np.ndarray]:
    """As :func:`_pairs` on a prepared frame (``days`` sorted and unique, int64 ns),
    as arrays: x on day d with y on day d + lag, both present. Same pairs, same order."""
    target = days + lag * 86_400_000_000_000
    at = np.searchsorted(days, target)
    found = at < len(days)
    found[found] = days[at[found]] == target[found]
    xs, ys = x[found], y[at[found]]
    keep = ~(np.isnan(xs) | np.isnan(ys))
    return xs[keep], ys[keep]


def strain_drivers(
    history: pd.DataFrame,
    caseload_standard: float = DEFAULT_CASELOAD_STANDARD,
    min_days: int = MIN_DRIVER_DAYS,
    *,
    today: Any | None = None,
) -> StrainDrivers:
    """Heavier vs lighter days (own median split) for each workload measure and rating."""
    frame = _prepare(history, today)
    measures = {
        "workload_index": workload_index(frame, caseload_standard).astype(float),
        **{name: _values(frame, name) for name in DRIVERS if name != "workload_index"},
    }
    days = frame["day"].to_numpy().view("int64")
    xs = {name: series.to_numpy(dtype=float) for name, series in measures.items()}
    ys = {name: _values(frame, name).to_numpy() for name in OUTCOMES}
    n_paired = int((~(np.isnan(xs["workload_index"]) | np.isnan(ys[OUTCOMES[0]])
                      | np.isnan(ys[OUTCOMES[1]]))).sum())
    if n_paired < min_days:
        message = (
            f"Links between your workload and how you feel are shown once there are {min_days} "
            f"days with a full check-in; so far there "
            f"{'is 1' if n_paired == 1 else f'are {n_paired}'}."
        )
        return StrainDrivers(False, n_paired, min_days, (), (message,), message)
    results: list[DriverResult] = []
    skipped: list[str] = []
    for driver in DRIVERS:
        for outcome in OUTCOMES:
            for lag, lag_words in LAGS.items():
                what = f"{_lower(outcome)} ({lag_words}) and {DRIVERS[driver][2]}"
                x, y = _pair_arrays(days, xs[driver], ys[outcome], lag)
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
                rule = _heavier_rule(driver, median, strict, bool(np.all(x == np.round(x))))
                n_h, n_l = int(heavy.sum()), int((~heavy).sum())
                if min(n_h, n_l) < MIN_GROUP_DAYS:
                    skipped.append(
                        f"{what}: too few heavier or lighter days ({n_h} and {n_l}; "
                        f"{MIN_GROUP_DAYS} of each needed)."
                    )
                    continue
                diff, low, high = welch_interval(y[heavy], y[~heavy])
                clear = low > 0 or high < 0
                results.append(
                    DriverResult(
                        driver, outcome, lag, len(x), median, rule, n_h, n_l,
                        float(y[heavy].mean()), float(y[~heavy].mean()), diff, low, high, clear,
                        _driver_message(driver, outcome, lag, rule, diff, low, high, clear),
                    )
                )
    message = (
        f"Based on {n_paired} days with a full check-in. These are associations in your own "
        "check-ins, not proof that one thing causes another; with several comparisons, an "
        "occasional clear-looking difference can also arise by chance."
    )
    return StrainDrivers(True, n_paired, min_days, tuple(results), tuple(skipped), message)


def _heavier_rule(driver: str, median: float, strict: bool, whole: bool = False) -> str:
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


def _driver_message(driver: str, outcome: str, lag: int, rule: str, diff: float,
                    low: float, high: float, clear: bool) -> str:
    days = DRIVERS[driver][0]
    when = f"On your {days}" if lag == 0 else f"On the day after your {days}"
    interval = f"95% interval {_num(low)} to {_num(high)}"
    if abs(diff) < 0.05:
        amount = f"about the same ({interval}) as"
    else:
        amount = f"{_num(abs(diff))} points {'higher' if diff > 0 else 'lower'} ({interval}) than"
    text = f"{when} ({rule}), your {_lower(outcome)} was {amount} on lighter days."
    if not clear:
        text += " The interval includes no difference, so there is no clear link."
    return text


# ----------------------------------------------------------------- long-term drift
@dataclass(frozen=True)
class Drift:
    """One rating whose last-4-weeks level is well beyond the person's level before."""

    rating: str
    direction: Literal["higher", "lower"]
    recent_mean: float  # mean over the last 28 days
    recent_n: int
    reference_mean: float  # mean over the 22 weeks before them
    reference_sd: float  # max(sample SD, SD_FLOOR)
    reference_n: int
    reference_first: dt.date  # first check-in with this rating in the reference window
    reference_last: dt.date  # last one
    difference: float  # recent_mean - reference_mean (signed, points)
    difference_sd: float  # difference / reference_sd
    message: str


@dataclass(frozen=True)
class LongTermDrift:
    """The last 4 weeks against the months before them, per rating, in its harder direction."""

    ready: bool  # at least one rating had enough check-ins in both windows
    recent_start: dt.date
    recent_end: dt.date
    reference_start: dt.date
    reference_end: dt.date
    recent_n: int  # check-ins in the last 28 days
    reference_n: int  # check-ins in the reference window
    signals: tuple[Drift, ...]
    message: str


def _drift_windows(today: Any) -> tuple[pd.Timestamp, pd.Timestamp, pd.Timestamp, pd.Timestamp]:
    """(reference_start, reference_end, recent_start, recent_end)."""
    return _windows(today, DRIFT_RECENT_DAYS, DRIFT_REFERENCE_DAYS)


def long_term_drift(history: pd.DataFrame, today: Any) -> LongTermDrift:
    """Slow, lasting change that the rolling baseline absorbs (see docs/analytics.md).

    For each rating with at least ``MIN_DRIFT_RECENT`` check-ins in the last 28
    days and ``MIN_DRIFT_REFERENCE`` in the 154 days before them, drift is
    flagged when the last-28-day mean is beyond the reference mean, in the
    harder direction, by at least ``DRIFT_MIN_POINTS`` points and at least
    ``DRIFT_MIN_SD`` times the reference SD (floored at ``SD_FLOOR``).
    """
    ref_start, ref_end, recent_start, end = _drift_windows(today)
    frame = _prepare(history, today)
    reference = _between(frame, ref_start, ref_end)
    recent = _between(frame, recent_start, end)
    signals: list[Drift] = []
    compared = 0
    for rating in RATINGS:
        ref_values = _values(reference, rating)
        keep = ref_values.notna()
        ref_values = ref_values[keep]
        now = _values(recent, rating).dropna()
        if len(ref_values) < MIN_DRIFT_REFERENCE or len(now) < MIN_DRIFT_RECENT:
            continue
        compared += 1
        ref_mean = float(ref_values.mean())
        ref_sd = max(float(ref_values.std(ddof=1)), SD_FLOOR)
        recent_mean = float(now.mean())
        difference = recent_mean - ref_mean
        up = HIGHER_IS_HARDER.get(rating, True)
        harder = difference if up else -difference
        if harder < DRIFT_MIN_POINTS or harder < DRIFT_MIN_SD * ref_sd:
            continue
        first = reference.loc[keep, "day"].iloc[0].date()
        last = reference.loc[keep, "day"].iloc[-1].date()
        span = "months" if (last - first).days >= 56 else "weeks"
        direction: Literal["higher", "lower"] = "higher" if up else "lower"
        message = (
            f"Your {_lower(rating)} over the last 4 weeks ({_num(recent_mean)}) has been well "
            f"{'above' if up else 'below'} your level in the {span} before "
            f"({_num(ref_mean)}, from {_fmt_day_year(first, end.date())} to "
            f"{_fmt_day_year(last, end.date())})."
        )
        signals.append(
            Drift(
                rating, direction, recent_mean, len(now), ref_mean, ref_sd, len(ref_values),
                first, last, difference, difference / ref_sd, message,
            )
        )
    if compared == 0:
        message = (
            f"A longer-term comparison needs {MIN_DRIFT_RECENT} check-ins in the last 4 weeks "
            f"(so far {len(recent)}) and {MIN_DRIFT_REFERENCE} in the "
            f"{DRIFT_REFERENCE_DAYS // 7} weeks before them (so far {len(reference)})."
        )
    elif signals:
        names = ", ".join(_lower(d.rating) for d in signals)
        message = f"Well away from your earlier level over the last 4 weeks: {names}."
    else:
        message = "Over the last 4 weeks your check-ins are in line with your level before them."
    return LongTermDrift(
        compared > 0, recent_start.date(), end.date(), ref_start.date(), ref_end.date(),
        len(recent), len(reference), tuple(signals), message,
    )


# ----------------------------------------------------------------- status
@dataclass(frozen=True)
class Status:
    """The status card: a level, reasons in words, a suggestion and the disclaimer."""

    level: Level
    title: str
    reasons: tuple[str, ...]
    suggestion: str
    disclaimer: str


TITLES: dict[str, str] = {
    "building": "Not enough check-ins yet",
    "quiet": "No recent check-ins",
    "steady": "Steady",
    "watch": "Worth watching",
    "act": "Time to look after yourself",
}
SUGGESTIONS: dict[str, str] = {
    "building": "Keep checking in; your personal picture builds up over the first few weeks.",
    "quiet": (
        "There is nothing to catch up on. Whenever you check in next, this page picks up "
        "from there."
    ),
    "steady": "Your check-ins are within your usual range. Keep noticing what helps.",
    "watch": (
        "Something has shifted from your usual pattern. It may be worth noticing what has "
        "changed and what usually helps you recover."
    ),
    "act": (
        "Several signs point the same way. Consider talking with your supervisor or someone "
        "you trust about how things are going and what could be lightened or shared."
    ),
}
# For someone with check-ins from before the baseline window (back after a break).
REBUILDING_SUGGESTION = (
    "Welcome back. Keep checking in; your usual range builds up again over the next few weeks."
)


def _high_exhaustion(frame: pd.DataFrame, today: Any) -> tuple[int, int]:
    """(check-ins with exhaustion >= HIGH_EXHAUSTION, check-ins considered)."""
    last = _last_checkins(frame, today)
    values = _values(last, "exhaustion").dropna()
    return int((values >= HIGH_EXHAUSTION).sum()), len(values)


def _card(level: Level, reasons: list[str], suggestion: str | None = None) -> Status:
    return Status(level, TITLES[level], tuple(reasons), suggestion or SUGGESTIONS[level], DISCLAIMER)


def _status_from(
    base: Baseline,
    warnings: EarlyWarnings,
    trend_by_rating: dict[str, Trend],
    cf: CompassionFatiguePattern,
    high: tuple[int, int],
    drift: LongTermDrift | None = None,
    checkin_days: tuple[dt.date, dt.date] | None = None,
) -> Status:
    """The card; ``checkin_days`` is (first, last) check-in day up to today, None if none.

    Order: quiet (check-ins, but none in the recent 7 days), then act, watch,
    building (baseline not ready) and steady.
    """
    recent_start = base.end + dt.timedelta(days=1)
    if checkin_days is not None and checkin_days[1] < recent_start:
        # Nothing in the recent 7 days: no verdict from old check-ins.
        today = recent_start + dt.timedelta(days=RECENT_DAYS - 1)
        return _card(
            "quiet",
            [f"Your last check-in was on {_fmt_day_year(checkin_days[1], today)}; the picture "
             "here starts again with your next one."],
        )
    act: list[str] = []
    watch: list[str] = []
    high_count, high_n = high
    if high_count >= HIGH_EXHAUSTION_MIN:
        act.append(
            f"Exhaustion was {HIGH_EXHAUSTION} or more (a fixed level this tool always points "
            f"out) on {high_count} of your last {high_n} check-ins."
        )
    drift_reasons = [d.message for d in drift.signals] if drift is not None else []
    if not base.ready:
        if act or drift_reasons:
            return _card("act" if act else "watch", act + drift_reasons + [base.message])
        returning = checkin_days is not None and checkin_days[0] < base.start
        return _card("building", [base.message], REBUILDING_SUGGESTION if returning else None)
    if cf.present:
        act.append(cf.message)
    exhaustion_signal = next((s for s in warnings.signals if s.rating == "exhaustion"), None)
    exhaustion_trend = trend_by_rating.get("exhaustion")
    combined = (
        exhaustion_signal is not None
        and exhaustion_trend is not None
        and exhaustion_trend.direction == "rising"
    )
    if combined:
        act.append(
            f"{exhaustion_signal.message} It has also been rising over the last "
            f"{exhaustion_trend.days} days."
        )
    for signal in warnings.signals:
        if not (combined and signal.rating == "exhaustion"):
            watch.append(signal.message)
    for rating in STATUS_TREND_RATINGS:
        t = trend_by_rating.get(rating)
        if t is not None and is_worsening(t) and not (combined and rating == "exhaustion"):
            watch.append(t.message)
    watch.extend(drift_reasons)
    if act:
        return _card("act", act + watch)
    if watch:
        return _card("watch", watch)
    reasons = [warnings.message]
    if cf.ready:
        reasons.append(cf.message)
    return _card("steady", reasons)


def status(history: pd.DataFrame, today: Any, caseload_standard: float = DEFAULT_CASELOAD_STANDARD) -> Status:
    """quiet / steady / watch / act (or building) with the reasons in words."""
    return personal_summary(history, today, caseload_standard).status


# ----------------------------------------------------------------- one call
@dataclass(frozen=True)
class PersonalSummary:
    """Everything the personal page shows, from one call."""

    today: dt.date
    baseline: Baseline
    warnings: EarlyWarnings
    trends: dict[str, Trend]
    compassion_fatigue: CompassionFatiguePattern
    drivers: StrainDrivers
    status: Status
    caseload_standard: float
    disclaimer: str
    drift: LongTermDrift  # the last 4 weeks against the months before them


def personal_summary(
    history: pd.DataFrame, today: Any, caseload_standard: float = DEFAULT_CASELOAD_STANDARD
) -> PersonalSummary:
    """Baseline, warnings, trends, compassion-fatigue pattern, drivers, drift and status."""
    frame = _prepare(history, today)
    base = baseline(frame, today)
    warnings = early_warnings(frame, today, base)
    trend_by_rating = trends(frame, today)
    cf = compassion_fatigue_pattern(frame, today, base)
    drivers = strain_drivers(frame, caseload_standard, today=today)
    drift = long_term_drift(frame, today)
    days = frame["day"]
    span = None if days.empty else (days.iloc[0].date(), days.iloc[-1].date())
    card = _status_from(
        base, warnings, trend_by_rating, cf, _high_exhaustion(frame, today), drift, span
    )
    return PersonalSummary(
        _day(today).date(), base, warnings, trend_by_rating, cf, drivers, card,
        float(caseload_standard), DISCLAIMER, drift,
    )


# ----------------------------------------------------------------- caching support
def data_version(db: Any, user_id: int) -> int:
    """A stamp that changes with every write to ``user_id``'s check-ins.

    Kept in ``data_versions`` by triggers on ``checkins`` (migration
    ``0007_performance``), so every write path bumps it, in the same
    transaction. 0 for someone who never checked in. A cache of a person's
    figures keyed by (user id, this stamp) can never serve stale numbers.
    """
    row = db.execute("SELECT version FROM data_versions WHERE user_id = ?", [int(user_id)]).fetchone()
    return 0 if row is None else int(row[0])
