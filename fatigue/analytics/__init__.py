"""Personal analytics over one person's check-in history (see docs/analytics.md).

Everything compares the person with their own usual, never with other people.
One module per figure:

* :mod:`~fatigue.analytics.frame`: the check-ins as arrays, the calendar windows;
* :mod:`~fatigue.analytics.usual_range`: your usual (and how much ratings carry over);
* :mod:`~fatigue.analytics.early_warning`: a rating beyond the usual range lately;
* :mod:`~fatigue.analytics.direction`: the direction over the last two weeks;
* :mod:`~fatigue.analytics.pattern`: exhaustion and intrusion up, empathy down;
* :mod:`~fatigue.analytics.drivers`: what goes with heavier strain;
* :mod:`~fatigue.analytics.card`: the status card;
* :mod:`~fatigue.analytics.simulation`: simulated people, and the false-alarm
  rates and power of all of the above (``python -m fatigue.analytics.simulation``).

Every function is pure: a history (the DataFrame of
:func:`fatigue.checkins.load_history`) and a date in, a small frozen dataclass
out. Nothing reads the clock or the database, and nothing is random.
"""
from __future__ import annotations

import datetime as dt
import functools
from dataclasses import dataclass, field
from typing import Any

from fatigue.analytics.card import DISCLAIMER, TITLES, Reason, Status, decide
from fatigue.analytics.direction import Trend, is_worsening, trend, trends
from fatigue.analytics.drivers import (
    DRIVER_NAMES, DriverResult, StrainDrivers, _strain_drivers, strain_drivers,
)
from fatigue.analytics.early_warning import (
    EarlyWarning, EarlyWarnings, RatingLevel, early_warnings, rating_levels,
)
from fatigue.analytics.frame import RECENT_DAYS, USUAL_DAYS, Checkins, day_number, prepare, to_date
from fatigue.analytics.pattern import PATTERN_NAME, CombinedPattern, combined_pattern
from fatigue.analytics.usual_range import HIGHER_IS_HARDER, MIN_USUAL_CHECKINS, Usual, usual
from fatigue.analytics.words import format_signed
from fatigue.workload import DEFAULT_CASELOAD_STANDARD

__all__ = [
    "DISCLAIMER", "DRIVER_NAMES", "HIGHER_IS_HARDER", "MIN_USUAL_CHECKINS", "PATTERN_NAME",
    "RECENT_DAYS", "TITLES", "USUAL_DAYS", "CombinedPattern", "DriverResult", "EarlyWarning",
    "EarlyWarnings", "PersonalSummary", "RatingLevel", "Reason", "Status", "StrainDrivers",
    "Trend", "Usual", "combined_pattern", "data_version", "early_warnings", "format_signed",
    "is_worsening", "personal_summary", "status", "status_on", "strain_drivers", "trend",
    "trends", "usual",
]


@dataclass(frozen=True)
class PersonalSummary:
    """Everything the personal pages show, from one call."""

    today: dt.date
    usual: Usual
    levels: tuple[RatingLevel, ...]  # per rating: usual, last two weeks, the way it moved
    warnings: EarlyWarnings
    trends: dict[str, Trend]
    pattern: CombinedPattern
    status: Status
    caseload_standard: float
    disclaimer: str
    checkins: Checkins = field(repr=False, compare=False)

    @functools.cached_property
    def drivers(self) -> StrainDrivers:
        """What goes with heavier strain: made when first asked for (only My patterns
        shows it, and its dozens of model fits were most of a summary's cost)."""
        return _strain_drivers(self.checkins, self.caseload_standard)


def status_on(checkins: Checkins, today: int) -> Status:
    """The status card of prepared check-ins on day number ``today`` (check-ins after
    it are ignored): the same rules as :func:`personal_summary`, without the rest."""
    checkins = checkins.upto(today)
    base = usual(checkins, to_date(today))
    warnings = early_warnings(checkins, to_date(today), base)
    pattern = combined_pattern(checkins, to_date(today), base)
    return decide(checkins, today, base, warnings, pattern)


def status(history: Any, today: Any) -> Status:
    """quiet / building / steady / watch / act, with the reasons in words."""
    return status_on(prepare(history), day_number(today))


def personal_summary(
    history: Any, today: Any, caseload_standard: float = DEFAULT_CASELOAD_STANDARD
) -> PersonalSummary:
    """Usual, early warnings, trends, the combined pattern, drivers and the status card."""
    day = day_number(today)
    checkins = prepare(history, today)
    date = to_date(day)
    base = usual(checkins, date)
    warnings = early_warnings(checkins, date, base)
    pattern = combined_pattern(checkins, date, base)
    return PersonalSummary(
        date, base, rating_levels(checkins, date, base, warnings), warnings,
        trends(checkins, date, base.carry_over), pattern,
        decide(checkins, day, base, warnings, pattern), float(caseload_standard), DISCLAIMER,
        checkins,
    )


def data_version(db: Any, user_id: int) -> int:
    """A stamp that changes with every write to ``user_id``'s check-ins.

    Kept in ``data_versions`` by triggers on ``checkins`` (migration
    ``0007_performance``), so every write path bumps it, in the same
    transaction. 0 for someone who never checked in. A cache of a person's
    figures keyed by (user id, this stamp) can never serve stale numbers.
    """
    row = db.execute("SELECT version FROM data_versions WHERE user_id = ?", [int(user_id)]).fetchone()
    return 0 if row is None else int(row[0])
