"""UTC timestamps as the database stores them: ``2026-03-16T09:00:00Z`` (whole seconds)."""
from __future__ import annotations

import datetime as dt

from fatigue import clock

FORMAT = "%Y-%m-%dT%H:%M:%SZ"


def utc(now: dt.datetime | None = None) -> dt.datetime:
    """``now`` (default: :func:`fatigue.clock.utc_now`) in UTC, to the whole second."""
    now = now or clock.utc_now()
    return now.astimezone(dt.timezone.utc).replace(microsecond=0)


def iso(moment: dt.datetime) -> str:
    """``moment`` (in UTC) as stored."""
    return moment.strftime(FORMAT)


def parse_iso(text: str) -> dt.datetime:
    """A stored timestamp back as an aware UTC datetime."""
    return dt.datetime.strptime(text, FORMAT).replace(tzinfo=dt.timezone.utc)
