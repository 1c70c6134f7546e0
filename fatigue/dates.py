"""How the app writes dates and times for people: one format everywhere.

- a day: ``Thu 26 Nov 2026`` (:func:`day_text`);
- a period: ``26 Nov - 2 Dec 2026``, the year written once unless the period
  crosses into a new one (:func:`period_text`);
- a moment: ``Thu 26 Nov 2026, 14:05``, in the viewer's time zone (:func:`moment_text`);
- charts (Vega-Lite writes dates with d3-time-format): :data:`CHART_DAY`, and
  :data:`CHART_TICK` for an axis (``26 Nov``, the same style without the rest).

Dates that are stored or exchanged (database, CSV, audit detail) stay ISO 8601.
"""
from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

CHART_DAY = "%a %-d %b %Y"  # d3-time-format for day_text: "Thu 26 Nov 2026"
CHART_TICK = "%-d %b"  # an axis tick: "26 Nov"


def day_text(day: dt.date) -> str:
    """``Thu 26 Nov 2026``."""
    return f"{day:%a} {day.day} {day:%b %Y}"


def period_text(start: dt.date, end: dt.date) -> str:
    """``26 Nov - 2 Dec 2026``, or ``29 Dec 2025 - 4 Jan 2026`` across a year."""
    first = f"{start.day} {start:%b}" + (f" {start.year}" if start.year != end.year else "")
    return f"{first} - {end.day} {end:%b %Y}"


def zone_or_utc(name: str | None) -> ZoneInfo:
    """The time zone ``name`` (an IANA name), or UTC when it is missing or unknown."""
    if name:
        try:
            return ZoneInfo(name)
        except (ZoneInfoNotFoundError, ValueError):
            pass
    return ZoneInfo("UTC")


def moment_text(moment: dt.datetime | str, zone: str | None) -> str:
    """``Thu 26 Nov 2026, 14:05`` in the time zone ``zone`` (UTC if unknown).

    ``moment`` is timezone-aware, or an ISO 8601 text as the database stores
    it (``2026-11-26T14:05:09Z``); a naive moment is taken to be UTC.
    """
    if isinstance(moment, str):
        moment = dt.datetime.fromisoformat(moment.replace("Z", "+00:00"))
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=dt.timezone.utc)
    local = moment.astimezone(zone_or_utc(zone))
    return f"{day_text(local.date())}, {local:%H:%M}"
