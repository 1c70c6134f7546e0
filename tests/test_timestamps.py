"""Stored timestamps: whole seconds in UTC, from the one clock."""
import datetime as dt

from fatigue import clock
from fatigue.timestamps import iso, parse_iso, utc


def test_utc_reads_the_one_clock(monkeypatch):
    frozen = dt.datetime(2026, 3, 16, 10, 0, 0, 750_000, tzinfo=dt.timezone(dt.timedelta(hours=1)))
    monkeypatch.setattr(clock, "utc_now", lambda: frozen)
    assert iso(utc()) == "2026-03-16T09:00:00Z"


def test_round_trip():
    moment = utc(dt.datetime(2026, 12, 4, 23, 59, 59, tzinfo=dt.timezone.utc))
    assert parse_iso(iso(moment)) == moment
