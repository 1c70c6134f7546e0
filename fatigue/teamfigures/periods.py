"""Weeks, and the longer views made of them (4 weeks, a quarter).

Team figures are released per ISO week (Monday to Sunday, in the agency's
time zone). Longer views are fixed blocks of whole weeks counted from Monday
2024-01-01 (:data:`EPOCH`), so they never shift with the day you look: 4-week
blocks of 28 days and quarters of 13 weeks (91 days).
"""
from __future__ import annotations

import datetime as dt
import functools

from fatigue.dates import period_text
from fatigue.errors import ValidationError

EPOCH = dt.date(2024, 1, 1)  # a Monday (ISO 2024-W01-1)
VIEW_WEEKS: dict[str, int] = {"week": 1, "4week": 4, "quarter": 13}
VIEW_NAMES: dict[str, str] = {"week": "week", "4week": "4-week period", "quarter": "quarter"}
DEFAULT_PERIODS: dict[str, int] = {"week": 26, "4week": 13, "quarter": 8}
MAX_PERIODS = 260


def check_view(view: str) -> int:
    """The number of weeks in ``view``; :class:`ValidationError` for an unknown one."""
    if view not in VIEW_WEEKS:
        raise ValidationError({"period": "The period must be 'week', '4week' or 'quarter'."})
    return VIEW_WEEKS[view]


def week_start(day: dt.date) -> dt.date:
    """The Monday of the week containing ``day``."""
    return day - dt.timedelta(days=day.weekday())


def block_start(day: dt.date, view: str) -> dt.date:
    """The first day (a Monday) of the fixed ``view`` block containing ``day``."""
    length = 7 * check_view(view)
    return EPOCH + dt.timedelta(days=length * ((day - EPOCH).days // length))


def block_weeks(start: dt.date, view: str) -> list[dt.date]:
    """The week starts of the block beginning at ``start``."""
    return [start + dt.timedelta(days=7 * i) for i in range(check_view(view))]


def block_end(start: dt.date, view: str) -> dt.date:
    return start + dt.timedelta(days=7 * check_view(view) - 1)


@functools.lru_cache(maxsize=4096)  # a report words the same few periods for every group
def label(start: dt.date, view: str) -> str:
    """``16 Nov - 22 Nov 2026``, or ``29 Dec 2025 - 4 Jan 2026`` across a year
    (:func:`fatigue.dates.period_text`)."""
    return period_text(start, block_end(start, view))


def starts(first: dt.date, last: dt.date, view: str, count: int) -> list[dt.date]:
    """Block starts from the block containing ``first`` to the one containing
    ``last``, at most the latest ``count`` of them."""
    length = 7 * check_view(view)
    current = block_start(last, view)
    earliest = current - dt.timedelta(days=length * (count - 1))
    start = max(block_start(min(first, last), view), earliest)
    out: list[dt.date] = []
    while start <= current:
        out.append(start)
        start += dt.timedelta(days=length)
    return out
