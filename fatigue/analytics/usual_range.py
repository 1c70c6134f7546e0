"""Your usual: the one reference every personal figure compares with.

For each rating, the mean and spread (an SD that allows for carry-over) of the
check-ins in the 12 weeks before the last two weeks, ready from :data:`MIN_USUAL_CHECKINS`
check-ins. With it comes the person's **carry-over**: how much a rating on one
check-in tends to resemble the one before (the lag-1 autocorrelation, pooled
over the seven ratings). Daily ratings carry over (bad weeks cluster), so the
limits of the early warning and the intervals of the trend allow for it.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

import numpy as np

from fatigue.analytics.carry_over import (
    CARRY_OVER_PRIOR, carry_over, deviations_from_mean, mean_variance,
)
from fatigue.analytics.frame import day_number, prepare, to_date, usual_window
from fatigue.analytics.words import fmt_day
from fatigue.validation import RATINGS

MIN_USUAL_CHECKINS = 20
SD_FLOOR = 1.0  # points: a very steady person is not flagged for a one-point wobble
# Which side of the usual is the harder one for each rating.
HIGHER_IS_HARDER: dict[str, bool] = {
    "exhaustion": True,
    "detachment": True,
    "intrusion": True,
    "time_pressure": True,
    "empathy": False,
    "meaning": False,
    "recovery": False,
}


@dataclass(frozen=True)
class RatingUsual:
    """One rating's usual level and spread."""

    rating: str
    mean: float
    sd: float  # SD of the check-ins, allowing for carry-over (see usual())
    sd_used: float  # max(sd, SD_FLOOR): what the limits are built on
    n: int


@dataclass(frozen=True)
class Usual:
    """The person's usual: 12 weeks of check-ins ending two weeks ago."""

    ready: bool
    n: int  # check-ins in the window
    needed: int  # MIN_USUAL_CHECKINS
    start: dt.date
    end: dt.date
    ratings: dict[str, RatingUsual]  # empty until ready
    carry_over: float  # used by limits and intervals (CARRY_OVER_PRIOR until ready)
    message: str


def usual(history: Any, today: Any) -> Usual:
    """Each rating's mean and SD over ``today - 97 .. today - 14``; ready from 20 check-ins.

    The SD allows for carry-over: the squared deviations are divided by
    n (1 - v), with v the variance of the mean of n AR(1) values (n - 1 when there
    is no carry-over), so that carried-over days do not make the spread look small.
    """
    checkins = prepare(history, today)
    start, end = usual_window(day_number(today))
    where = checkins.span(start, end)
    n = where.stop - where.start
    block = checkins.ratings[:, where]
    if n < MIN_USUAL_CHECKINS:
        return Usual(False, n, MIN_USUAL_CHECKINS, to_date(start), to_date(end), {},
                     CARRY_OVER_PRIOR, _building(n))
    phi = carry_over(block)
    present = ~np.isnan(block)
    counts = present.sum(axis=1)
    deviations = deviations_from_mean(block, present, counts)
    ratings: dict[str, RatingUsual] = {}
    for row, rating in enumerate(RATINGS):
        count = int(counts[row])
        if count < MIN_USUAL_CHECKINS:
            continue
        mean = float(np.where(present[row], block[row], 0.0).sum()) / count
        squares = float((deviations[row] ** 2).sum())
        sd = float(np.sqrt(squares / (count * (1.0 - mean_variance(count, phi)))))
        ratings[rating] = RatingUsual(rating, mean, sd, max(sd, SD_FLOOR), count)
    if not ratings:  # check-ins, but no rating answered often enough
        return Usual(False, n, MIN_USUAL_CHECKINS, to_date(start), to_date(end), {},
                     CARRY_OVER_PRIOR, _building(int(counts.max())))
    days = checkins.days[where]
    message = (
        f"Your usual is your average over the 12 weeks before the last two weeks: "
        f"{n} check-ins, from {fmt_day(to_date(days[0]))} to {fmt_day(to_date(days[-1]))}."
    )
    return Usual(True, n, MIN_USUAL_CHECKINS, to_date(start), to_date(end), ratings, phi, message)


def _building(n: int) -> str:
    return (
        f"Your usual builds up from check-ins that are more than two weeks old: "
        f"{min(n, MIN_USUAL_CHECKINS)} of the {MIN_USUAL_CHECKINS} needed so far."
    )
