"""Exhaustion and intrusion up, empathy down: one combination, described as it is.

On at least :data:`PATTERN_MIN` of the last :data:`PATTERN_CHECKINS` check-ins
(within two weeks), exhaustion and intrusion above the usual level while
empathy is below it. Three of our own daily items cannot measure compassion
fatigue (the ProQOL defines it as burnout plus secondary traumatic stress), so
the pattern is named for what it shows, and it never raises the status card on
its own: it is listed with other signs, and it can bring a suggestion.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

import numpy as np

from fatigue.analytics.frame import Checkins, day_number, prepare, to_date
from fatigue.analytics.usual_range import Usual, usual
from fatigue.analytics.words import plural

PATTERN_CHECKINS = 7
PATTERN_MIN = 5
PATTERN_SPAN_DAYS = 14  # only check-ins of the last two weeks count
PATTERN_NAME = "Exhaustion and intrusion up, empathy down"
PATTERN_RATINGS = ("exhaustion", "intrusion", "empathy")


@dataclass(frozen=True)
class CombinedPattern:
    """Exhaustion and intrusion above, empathy below, the usual level."""

    ready: bool  # the usual is ready and 5+ check-ins were looked at
    present: bool
    count: int  # check-ins matching the pattern
    considered: int  # check-ins looked at (at most 7)
    needed: int  # PATTERN_MIN
    days: tuple[dt.date, ...]  # the matching days
    checked_days: tuple[dt.date, ...]  # all days looked at
    message: str


def last_checkins(checkins: Checkins, today: int) -> slice:
    """The last PATTERN_CHECKINS check-ins within the last PATTERN_SPAN_DAYS days."""
    where = checkins.span(today - PATTERN_SPAN_DAYS + 1, today)
    return slice(max(where.start, where.stop - PATTERN_CHECKINS), where.stop)


def combined_pattern(history: Any, today: Any, base: Usual | None = None) -> CombinedPattern:
    """Present when it holds on at least 5 of the last 7 check-ins."""
    checkins = prepare(history, today)
    base = base if base is not None else usual(checkins, today)
    if not base.ready or any(name not in base.ratings for name in PATTERN_RATINGS):
        return CombinedPattern(False, False, 0, 0, PATTERN_MIN, (), (), base.message)
    where = last_checkins(checkins, day_number(today))
    mean = {name: base.ratings[name].mean for name in PATTERN_RATINGS}
    with np.errstate(invalid="ignore"):
        match = ((checkins.columns["exhaustion"][where] > mean["exhaustion"])
                 & (checkins.columns["intrusion"][where] > mean["intrusion"])
                 & (checkins.columns["empathy"][where] < mean["empathy"]))
    checked = tuple(to_date(d) for d in checkins.days[where])
    days = tuple(d for d, m in zip(checked, match) if m)
    count, considered = len(days), len(checked)
    present = count >= PATTERN_MIN
    what = "exhaustion and intrusion were above your usual level while empathy was below it"
    if present:
        message = (
            f"On {count} of your last {considered} check-ins, {what}. Such a combination can be "
            "worth talking through with your supervisor or someone you trust."
        )
    elif considered < PATTERN_MIN:
        some = "No check-ins" if considered == 0 else f"Only {plural(considered, 'check-in')}"
        message = f"{some} in the last two weeks, so this combination was not looked at."
    elif count == 0:
        message = f"This combination did not show on any of your last {considered} check-ins."
    else:
        message = (
            f"This combination showed on {count} of your last {considered} check-ins; it is "
            f"pointed out from {PATTERN_MIN}."
        )
    return CombinedPattern(considered >= PATTERN_MIN, present, count, considered, PATTERN_MIN,
                           days, checked, message)
