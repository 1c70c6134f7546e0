"""The check-in reminder calendar file parses back with icalendar and has the chosen rule."""
from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
from dateutil.rrule import rrulestr
from icalendar import Calendar

from fatigue import reminder
from fatigue.errors import ValidationError

START = dt.date(2026, 3, 17)  # a Tuesday
NOW = dt.datetime(2026, 3, 16, 12, 0, tzinfo=dt.timezone.utc)


def parse(data: bytes):
    calendar = Calendar.from_ical(data)
    [event] = calendar.walk("VEVENT")
    return calendar, event


@pytest.mark.parametrize("time, weekdays, tz, byday, first", [
    (dt.time(16, 30), [0, 2, 4], "Europe/London", ["MO", "WE", "FR"], dt.date(2026, 3, 18)),
    (dt.time(8, 0), [1], "America/New_York", ["TU"], dt.date(2026, 3, 17)),
    (dt.time(17, 45), [4, 0, 0], "UTC", ["MO", "FR"], dt.date(2026, 3, 20)),
    (dt.time(9, 15), [0, 1, 2, 3, 4, 5, 6], "Asia/Kolkata", list(reminder.BYDAY), START),
])
def test_parses_back_with_the_chosen_rule(time, weekdays, tz, byday, first):
    data = reminder.calendar_file(time, weekdays, START, tz)
    assert isinstance(data, bytes)
    calendar, event = parse(data)
    assert str(calendar["VERSION"]) == "2.0" and calendar["PRODID"]
    assert str(event["SUMMARY"]) == "Daily check-in"
    rule = event["RRULE"]
    assert rule["FREQ"] == ["WEEKLY"]
    assert list(rule["BYDAY"]) == byday
    start = event.decoded("DTSTART")
    assert start.date() == first and start.time() == time
    assert start.utcoffset() == dt.datetime.combine(first, time, ZoneInfo(tz)).utcoffset()
    assert event.decoded("DURATION") == dt.timedelta(minutes=5)
    assert event["UID"] and event.decoded("DTSTAMP").tzinfo is not None
    [alarm] = event.walk("VALARM")
    assert str(alarm["ACTION"]) == "DISPLAY" and alarm["DESCRIPTION"]
    assert alarm.decoded("TRIGGER") == dt.timedelta(0)
    timezones = [str(t["TZID"]) for t in calendar.walk("VTIMEZONE")]
    assert timezones == ([] if tz == "UTC" else [tz])


def test_occurrences_fall_on_the_chosen_days_at_the_chosen_local_time():
    data = reminder.calendar_file(dt.time(16, 30), [0, 2, 4], START, "Europe/London")
    _, event = parse(data)
    start = event.decoded("DTSTART")
    rule = rrulestr(event["RRULE"].to_ical().decode(), dtstart=start)
    days = list(rule[:9])
    assert [d.weekday() for d in days] == [2, 4, 0, 2, 4, 0, 2, 4, 0]
    assert all(d.time() == dt.time(16, 30) for d in days)
    # across the change to summer time (29 March 2026) the local time stays 16:30
    assert {d.utcoffset() for d in days} == {dt.timedelta(0), dt.timedelta(hours=1)}


def test_deterministic_with_uid_and_now():
    args = (dt.time(7, 5), [3], START, "UTC")
    one = reminder.calendar_file(*args, uid="fixed@test", now=NOW)
    two = reminder.calendar_file(*args, uid="fixed@test", now=NOW)
    assert one == two
    text = one.decode()
    assert "UID:fixed@test" in text and "DTSTAMP:20260316T120000Z" in text
    assert "DTSTART:20260319T070500Z" in text and "RRULE:FREQ=WEEKLY;BYDAY=TH" in text
    assert "BEGIN:VALARM" in text and "ACTION:DISPLAY" in text


def test_uids_differ_by_default():
    a = parse(reminder.calendar_file(dt.time(9), [0], START))[1]["UID"]
    b = parse(reminder.calendar_file(dt.time(9), [0], START))[1]["UID"]
    assert a != b


@pytest.mark.parametrize("kwargs, field", [
    (dict(weekdays=[]), "weekdays"),
    (dict(weekdays=[7]), "weekdays"),
    (dict(weekdays=[-1]), "weekdays"),
    (dict(weekdays=[True]), "weekdays"),
    (dict(weekdays=["1"]), "weekdays"),
    (dict(weekdays="0"), "weekdays"),
    (dict(tz="Mars/Olympus"), "tz"),
    (dict(tz=""), "tz"),
    (dict(tz="../../etc/passwd"), "tz"),
    (dict(time="09:00"), "time"),
    (dict(time=dt.time(9, tzinfo=dt.timezone.utc)), "time"),
    (dict(start=dt.datetime(2026, 3, 17, 9)), "start"),
    (dict(start="2026-03-17"), "start"),
    (dict(duration_minutes=0), "duration_minutes"),
    (dict(duration_minutes=241), "duration_minutes"),
])
def test_validation(kwargs, field):
    args = dict(time=dt.time(9), weekdays=[0], start=START, tz="UTC") | kwargs
    with pytest.raises(ValidationError) as err:
        reminder.calendar_file(**args)
    assert field in err.value.errors


def test_describe():
    assert reminder.describe(dt.time(16, 30), [4, 0], "Europe/London") == (
        "At 16:30 (Europe/London) on Monday, Friday."
    )
