"""One person's check-ins as arrays, and the calendar windows the figures use.

Every figure reads :class:`Checkins`: the days (as day numbers) and one float
array per field, NaN where a value was not given, built once from the
DataFrame of :func:`fatigue.checkins.load_history`. A window is a slice found
by binary search, so a page (or a simulation asking about hundreds of days)
pays for the DataFrame only once.

Windows are calendar windows ending on ``today`` (included):

* the last two weeks: ``today - 13`` .. ``today`` (:data:`RECENT_DAYS`);
* your usual: the 12 weeks before them, ``today - 97`` .. ``today - 14``
  (:data:`USUAL_DAYS`).

Days without a check-in are simply absent; nothing is filled in.
"""
from __future__ import annotations

import datetime as dt
import functools
from dataclasses import dataclass
from typing import Any, Mapping

import numpy as np
import pandas as pd

from fatigue.validation import FIELDS, RATINGS

RECENT_DAYS = 14  # "the last two weeks"
USUAL_DAYS = 84  # "your usual": the 12 weeks before them

_EPOCH = dt.date(1970, 1, 1)


def day_number(value: Any) -> int:
    """Days since 1970-01-01 of a date, datetime, Timestamp or ISO string."""
    stamp = pd.Timestamp(value)
    if stamp is pd.NaT:
        raise ValueError("today must be a calendar date")
    return (stamp.date() - _EPOCH).days


def to_date(number: int) -> dt.date:
    return _EPOCH + dt.timedelta(days=int(number))


@dataclass(frozen=True, eq=False)
class Checkins:
    """Check-ins in day order, one per day: ``days`` (day numbers) and float columns."""

    days: np.ndarray  # int64, strictly increasing
    columns: Mapping[str, np.ndarray]  # float64, NaN where not given

    def __len__(self) -> int:
        return len(self.days)

    @functools.cached_property
    def ratings(self) -> np.ndarray:
        """The seven ratings as one 7 x n array, in RATINGS order (NaN where absent)."""
        missing = np.full(len(self.days), np.nan)
        return np.vstack([self.columns.get(name, missing) for name in RATINGS])

    def column(self, name: str) -> np.ndarray:
        if name not in self.columns:
            raise ValueError(f"The history has no '{name}' column.")
        return self.columns[name]

    def span(self, start: int, end: int) -> slice:
        """The positions of the check-ins with ``start <= day <= end``."""
        return slice(int(np.searchsorted(self.days, start, "left")),
                     int(np.searchsorted(self.days, end, "right")))

    def upto(self, end: int) -> "Checkins":
        """The check-ins up to and including day ``end`` (views, not copies)."""
        stop = int(np.searchsorted(self.days, end, "right"))
        if stop == len(self.days):
            return self
        cut = Checkins(self.days[:stop], {k: v[:stop] for k, v in self.columns.items()})
        if "ratings" in self.__dict__:  # already stacked: share it (a simulation asks daily)
            cut.__dict__["ratings"] = self.__dict__["ratings"][:, :stop]
        return cut

    @classmethod
    def from_history(cls, history: pd.DataFrame) -> "Checkins":
        """From a history DataFrame: sorted, one row per day (the last one kept)."""
        if "day" not in history.columns:
            if len(history):
                raise ValueError("The history has no 'day' column.")
            return cls(np.empty(0, dtype=np.int64),
                       {name: np.empty(0) for name in FIELDS if name != "note"})
        stamps = pd.to_datetime(history["day"]).dt.normalize()
        keep = stamps.notna().to_numpy()
        days = (stamps[keep].to_numpy().astype("datetime64[D]").astype(np.int64))
        order = np.argsort(days, kind="stable")
        days = days[order]
        # Of several rows for one day, the last one counts (as a later save would).
        last = np.r_[days[1:] != days[:-1], True] if len(days) else np.empty(0, dtype=bool)
        columns = {}
        for name in history.columns:
            if name in ("day", "note"):
                continue
            values = pd.to_numeric(history[name], errors="coerce").to_numpy(dtype=float)
            columns[name] = values[keep][order][last]
        return cls(days[last], columns)


def prepare(history: pd.DataFrame | Checkins, today: Any | None = None) -> Checkins:
    """``history`` as :class:`Checkins`, without check-ins after ``today``."""
    checkins = history if isinstance(history, Checkins) else Checkins.from_history(history)
    return checkins if today is None else checkins.upto(day_number(today))


def recent_window(today: int) -> tuple[int, int]:
    """(first, last) day number of the last two weeks."""
    return today - RECENT_DAYS + 1, today


def usual_window(today: int) -> tuple[int, int]:
    """(first, last) day number of the 12 weeks before the last two weeks."""
    end = today - RECENT_DAYS
    return end - USUAL_DAYS + 1, end
