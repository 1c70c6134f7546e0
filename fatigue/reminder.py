"""A downloadable calendar file with a recurring check-in reminder.

:func:`calendar_file` builds an iCalendar (RFC 5545) file with the
``icalendar`` library: one VEVENT "Daily check-in" at the chosen local time,
repeating weekly on the chosen weekdays (``RRULE:FREQ=WEEKLY;BYDAY=...``), with
a display alarm at the start. A named time zone gets its VTIMEZONE definition,
so the file works in any calendar app. Nothing is sent anywhere: the page only
offers the bytes for download.
"""
from __future__ import annotations

import datetime as dt
import uuid
from zoneinfo import ZoneInfo

from icalendar import Alarm, Calendar, Event

from fatigue.errors import ValidationError
from fatigue.validation import time_zone

FILENAME = "check-in-reminder.ics"
MIME = "text/calendar"
SUMMARY = "Daily check-in"
DESCRIPTION = (
    "A minute for yourself: how drained, how connected and how recovered do you feel today? "
    "Open the check-in page of the self-monitoring tool. Missing a day is fine."
)
ALARM_TEXT = "Time for your daily check-in"
PRODID = "-//Fatigue self-monitoring//Check-in reminder//EN"
# Monday = 0, as datetime.date.weekday().
BYDAY: tuple[str, ...] = ("MO", "TU", "WE", "TH", "FR", "SA", "SU")
WEEKDAY_NAMES: tuple[str, ...] = (
    "Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday",
)
MIN_DURATION = 1
MAX_DURATION = 240


def _check(time: object, weekdays: object, start: object, tz: object,
           duration_minutes: object) -> tuple[dt.time, list[int], dt.date, ZoneInfo | None, int]:
    errors: dict[str, str] = {}
    if not isinstance(time, dt.time):
        errors["time"] = "Choose a time of day for the reminder."
    elif time.tzinfo is not None:
        errors["time"] = "Give the time without a time zone; choose the time zone separately."
    days: list[int] = []
    if isinstance(weekdays, (str, bytes)) or not hasattr(weekdays, "__iter__"):
        errors["weekdays"] = "Choose at least one weekday."
    else:
        for day in weekdays:  # type: ignore[union-attr]
            if isinstance(day, bool) or not isinstance(day, int) or not 0 <= day <= 6:
                errors["weekdays"] = "Weekdays are numbers from 0 (Monday) to 6 (Sunday)."
                break
            days.append(day)
        else:
            if not days:
                errors["weekdays"] = "Choose at least one weekday."
    if isinstance(start, dt.datetime) or not isinstance(start, dt.date):
        errors["start"] = "Choose the date the reminder starts."
    zone: ZoneInfo | None = None
    if not isinstance(tz, str) or not tz.strip():
        errors["tz"] = "Choose a time zone, for example Europe/London."
    elif tz.strip().upper() != "UTC":
        zone = time_zone(tz)
        if zone is None:
            shown = tz.strip() if len(tz.strip()) <= 40 else tz.strip()[:40] + "..."
            errors["tz"] = f"'{shown}' is not a time zone this server knows (e.g. Europe/London)."
    if (isinstance(duration_minutes, bool) or not isinstance(duration_minutes, int)
            or not MIN_DURATION <= duration_minutes <= MAX_DURATION):
        errors["duration_minutes"] = (
            f"The reminder lasts from {MIN_DURATION} to {MAX_DURATION} minutes."
        )
    if errors:
        raise ValidationError(errors)
    return time, sorted(set(days)), start, zone, duration_minutes  # type: ignore[return-value]


def first_day(start: dt.date, weekdays: list[int]) -> dt.date:
    """The first date on or after ``start`` that falls on one of ``weekdays``.

    RFC 5545 counts DTSTART as an occurrence even when it does not match the
    rule, so the event starts on a chosen weekday.
    """
    day = start
    while day.weekday() not in weekdays:
        day += dt.timedelta(days=1)
    return day


def calendar_file(
    time: dt.time,
    weekdays: list[int],
    start: dt.date,
    tz: str = "UTC",
    duration_minutes: int = 5,
    *,
    uid: str | None = None,
    now: dt.datetime | None = None,
) -> bytes:
    """An .ics file: "Daily check-in" at ``time`` on ``weekdays`` (0 = Monday) from ``start``.

    ``tz`` is an IANA time zone name (default UTC). ``uid`` and ``now`` (the
    DTSTAMP) default to a random UUID and the current UTC time. Raises
    :class:`ValidationError` for no weekday, an unknown time zone, a bad
    time, date or duration.
    """
    time, days, start, zone, minutes = _check(time, weekdays, start, tz, duration_minutes)
    naive = dt.datetime.combine(first_day(start, days), time.replace(second=0, microsecond=0))
    begin = naive.replace(tzinfo=zone if zone is not None else dt.timezone.utc)
    stamp = (now or dt.datetime.now(dt.timezone.utc)).astimezone(dt.timezone.utc)

    calendar = Calendar()
    calendar.add("prodid", PRODID)
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("method", "PUBLISH")

    event = Event()
    event.add("uid", uid or f"{uuid.uuid4()}@fatigue-check-in")
    event.add("dtstamp", stamp)
    event.add("summary", SUMMARY)
    event.add("description", DESCRIPTION)
    event.add("dtstart", begin)
    event.add("duration", dt.timedelta(minutes=minutes))
    event.add("rrule", {"freq": "weekly", "byday": [BYDAY[d] for d in days]})
    event.add("transp", "TRANSPARENT")  # a reminder, not a busy slot

    alarm = Alarm()
    alarm.add("action", "DISPLAY")
    alarm.add("description", ALARM_TEXT)
    alarm.add("trigger", dt.timedelta(0))
    event.add_component(alarm)

    calendar.add_component(event)
    if zone is not None:
        calendar.add_missing_timezones()
    return calendar.to_ical()


def describe(time: dt.time, weekdays: list[int], tz: str = "UTC") -> str:
    """The schedule in words, e.g. "At 16:30 (Europe/London) on Monday, Wednesday"."""
    days = ", ".join(WEEKDAY_NAMES[d] for d in sorted(set(weekdays)) if 0 <= d <= 6)
    return f"At {time:%H:%M} ({tz}) on {days}."
