"""Constructed check-in histories, in the shape ``checkins.load_history`` returns."""
from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd

from fatigue.validation import FLAGS, INT_RANGES

USUAL = dict(
    exhaustion=4, empathy=7, detachment=2, intrusion=3, meaning=7, recovery=5, time_pressure=5
)


def weekdays(end: dt.date, n: int) -> list[dt.date]:
    """The ``n`` weekdays ending on ``end`` (or the weekday before it)."""
    return [d.date() for d in pd.bdate_range(end=end, periods=n)]


def make_history(days: list[dt.date], **columns) -> pd.DataFrame:
    """A history like load_history's: scalars broadcast, sequences per day."""
    n = len(days)
    values = {
        **USUAL,
        "caseload": 15, "contacts": 5, "crisis_contacts": 1, "trauma_contacts": 1,
        "direct_hours": 4.0, "after_hours_minutes": 0, "supervision": False,
        "break_taken": True, "note": "",
        **columns,
    }
    frame = pd.DataFrame({"day": pd.to_datetime(pd.Series(days, dtype=object)).astype("datetime64[ns]")})
    for name, value in values.items():
        frame[name] = np.resize(np.asarray(value), n) if np.ndim(value) else [value] * n
    for name in INT_RANGES:
        frame[name] = frame[name].astype("int64")
    for name in FLAGS:
        frame[name] = frame[name].astype(bool)
    frame["direct_hours"] = frame["direct_hours"].astype(float)
    return frame
