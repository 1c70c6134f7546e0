"""The one clock the release rules read (tests freeze it; nothing else should).

Check-ins count towards team figures, and weeks are released, by the date in
the agency's time zone (:func:`fatigue.teamfigures.rules.agency_today`), which
comes from here, never from a date a caller or a browser passes in.
"""
from __future__ import annotations

import datetime as dt


def utc_now() -> dt.datetime:
    """The current moment, timezone-aware, in UTC."""
    return dt.datetime.now(dt.timezone.utc)
