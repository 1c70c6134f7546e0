"""The one way the app writes dates and times (fatigue/dates.py)."""
import datetime as dt

import pytest

from fatigue import dates


@pytest.mark.parametrize("day, text", [
    (dt.date(2026, 11, 26), "Thu 26 Nov 2026"),
    (dt.date(2026, 3, 2), "Mon 2 Mar 2026"),
    (dt.date(2027, 1, 3), "Sun 3 Jan 2027"),
])
def test_day(day, text):
    assert dates.day_text(day) == text


@pytest.mark.parametrize("start, end, text", [
    (dt.date(2026, 11, 26), dt.date(2026, 12, 2), "26 Nov - 2 Dec 2026"),
    (dt.date(2026, 11, 16), dt.date(2026, 11, 22), "16 Nov - 22 Nov 2026"),
    (dt.date(2025, 12, 29), dt.date(2026, 1, 4), "29 Dec 2025 - 4 Jan 2026"),
])
def test_period(start, end, text):
    assert dates.period_text(start, end) == text


@pytest.mark.parametrize("moment, zone, text", [
    ("2026-11-26T14:05:09Z", "UTC", "Thu 26 Nov 2026, 14:05"),
    ("2026-11-26T14:05:09Z", "Europe/London", "Thu 26 Nov 2026, 14:05"),  # GMT in winter
    ("2026-07-01T23:30:00Z", "Europe/Berlin", "Thu 2 Jul 2026, 01:30"),  # the next day there
    ("2026-11-27T03:00:00Z", "America/New_York", "Thu 26 Nov 2026, 22:00"),
    (dt.datetime(2026, 11, 26, 14, 5, tzinfo=dt.timezone.utc), "Asia/Kolkata",
     "Thu 26 Nov 2026, 19:35"),
    (dt.datetime(2026, 11, 26, 14, 5), None, "Thu 26 Nov 2026, 14:05"),  # naive: UTC
    ("2026-11-26T14:05:09Z", "Not/AZone", "Thu 26 Nov 2026, 14:05"),  # unknown zone: UTC
])
def test_moment_in_the_viewers_time_zone(moment, zone, text):
    assert dates.moment_text(moment, zone) == text


def test_the_chart_format_writes_the_same_day():
    """d3-time-format's %-d is the day without padding, as in day_text."""
    day = dt.date(2026, 3, 2)
    python = dates.CHART_DAY.replace("%-d", str(day.day))
    assert day.strftime(python) == dates.day_text(day)
