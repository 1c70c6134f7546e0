"""The status card: one headline, the reasons (each with why it is there), a suggestion.

Levels, decided in this order:

* **quiet**: check-ins, but none in the last 7 days (nothing is judged from old ones);
* **act** ("Time to look after yourself"): the fixed safety rule (exhaustion of 8 or
  more on 5 of the last 7 check-ins), or several ratings beyond the usual range at
  once, each for at least two check-ins in a row (:data:`ACT_MIN_RATINGS`, :data:`ACT_MIN_RUN`);
* **watch** ("Worth watching"): any rating beyond the usual range;
* **building**: the usual is not ready yet;
* **steady**: none of these.

The combined pattern and the trends never raise the level on their own; the
pattern is listed as a further reason when the level is already raised. The
false-alarm rates and the power of these rules are measured in
:mod:`fatigue.analytics.simulation` and stated in docs/analytics.md.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

import numpy as np

from fatigue.analytics.early_warning import EarlyWarnings
from fatigue.analytics.frame import Checkins, to_date
from fatigue.analytics.pattern import CombinedPattern, last_checkins
from fatigue.analytics.usual_range import Usual
from fatigue.analytics.words import fmt_day_year

QUIET_DAYS = 7  # no check-in in this many days: "No recent check-ins"
# The one fixed number on the status card: a safety net, not a clinical cut-point.
HIGH_EXHAUSTION = 8
HIGH_EXHAUSTION_MIN = 5  # of the last 7 check-ins (within 14 days)
ACT_MIN_RATINGS = 2  # ratings beyond the usual range at once for "act" ...
ACT_MIN_RUN = 2  # ... each for at least this many check-ins in a row
MAX_SHOWN_REASONS = 3  # on the card; the rest one click away

DISCLAIMER = (
    "This is not a diagnosis. The World Health Organization describes burnout as an "
    "occupational phenomenon, not a medical condition (ICD-11, QD85). Apart from one fixed "
    "rule about very high exhaustion, these figures only compare your check-ins with your "
    "own usual; they are here to support your own reflection and conversations, for example "
    "with your supervisor. If you are struggling, please reach out to someone you trust or "
    "to your employee assistance programme."
)

Level = Literal["building", "quiet", "steady", "watch", "act"]
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
        "Something has shifted from your usual. It may be worth noticing what has changed "
        "and what usually helps you recover."
    ),
    "act": (
        "Several signs point the same way. Consider talking with your supervisor or someone "
        "you trust about how things are going and what could be lightened or shared."
    ),
}
# For someone with check-ins from before the usual's window (back after a break).
REBUILDING_SUGGESTION = (
    "Welcome back. Keep checking in; your usual builds up again over the next few weeks."
)


@dataclass(frozen=True)
class Reason:
    """One reason on the card and why it is there."""

    text: str
    why: str
    rating: str | None = None  # the rating it is about, if it is about one


@dataclass(frozen=True)
class Status:
    """The status card: a level, its headline, the reasons, a suggestion, the disclaimer."""

    level: Level
    title: str
    reasons: tuple[Reason, ...]  # most telling first
    suggestion: str
    disclaimer: str

    @property
    def shown(self) -> tuple[Reason, ...]:
        """The reasons on the card itself (at most MAX_SHOWN_REASONS)."""
        return self.reasons[:MAX_SHOWN_REASONS]

    @property
    def more(self) -> tuple[Reason, ...]:
        """The reasons one click away."""
        return self.reasons[MAX_SHOWN_REASONS:]


def high_exhaustion(checkins: Checkins, today: int) -> tuple[int, int]:
    """(check-ins with exhaustion >= HIGH_EXHAUSTION, check-ins considered) of the last 7."""
    values = checkins.column("exhaustion")[last_checkins(checkins, today)]
    values = values[~np.isnan(values)]
    return int((values >= HIGH_EXHAUSTION).sum()), len(values)


def _card(level: Level, reasons: list[Reason], suggestion: str | None = None) -> Status:
    return Status(level, TITLES[level], tuple(reasons), suggestion or SUGGESTIONS[level], DISCLAIMER)


def decide(checkins: Checkins, today: int, base: Usual, warnings: EarlyWarnings,
           pattern: CombinedPattern) -> Status:
    """The card for ``today`` (a day number) from the figures already worked out;
    ``checkins`` holds no check-in after it (see :func:`fatigue.analytics.status_on`)."""
    if len(checkins) and checkins.days[-1] <= today - QUIET_DAYS:
        last = to_date(checkins.days[-1])
        return _card("quiet", [Reason(
            f"Your last check-in was on {fmt_day_year(last, to_date(today))}; the picture here "
            "starts again with your next one.",
            "Nothing is judged from check-ins more than a week old.",
        )])
    reasons: list[Reason] = []
    high, considered = high_exhaustion(checkins, today)
    fixed = high >= HIGH_EXHAUSTION_MIN
    if fixed:
        reasons.append(Reason(
            f"Exhaustion was {HIGH_EXHAUSTION} or more on {high} of your last {considered} "
            "check-ins.",
            "This tool always points this out: a fixed safety net for days that stay very "
            "hard, not a clinical cut-point.",
        ))
    if not base.ready:
        if fixed:
            return _card("act", reasons + [Reason(base.message, "Everything else compares you "
                                                  "with your usual, which is not ready yet.")])
        returning = len(checkins) > 0 and to_date(checkins.days[0]) < base.start
        return _card("building", [Reason(base.message, "Every other figure compares you with "
                                         "your own usual, so it needs a few weeks first.")],
                     REBUILDING_SUGGESTION if returning else None)
    reasons += [Reason(s.message, s.why, s.rating) for s in warnings.signals]
    lasting = [s for s in warnings.signals if s.checkins_outside >= ACT_MIN_RUN]
    several = len(lasting) >= ACT_MIN_RATINGS
    if (fixed or warnings.signals) and pattern.present:
        reasons.append(Reason(pattern.message, "Listed with the other signs; on its own this "
                              "combination does not change the card."))
    if fixed or several:
        return _card("act", reasons)
    if warnings.signals:
        return _card("watch", reasons)
    return _card("steady", [Reason(warnings.message, base.message)])
