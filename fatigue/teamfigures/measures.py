"""What team figures are made of: each person's week, then a group's sums.

Each person counts once per week: their counted check-ins of the week are
averaged first (in SQLite, ``GROUP BY user``), then a group's figure is the
mean over its people. Ratings a person left unanswered are missing, never
zero (SQLite's ``avg`` skips them). Nothing here decides what is shown
(:mod:`~fatigue.teamfigures.rules` does) and nothing reads a note.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Iterable, Mapping

from sqlite_utils import Database

from fatigue.validation import RATINGS
from fatigue.workload import DEFAULT_CASELOAD_STANDARD

HIGH_STRAIN_EXHAUSTION = 7.0  # a person's mean exhaustion in the week of 7 or more
REGULAR_AFTER_HOURS_MINUTES = 15.0  # a person's mean of 15+ minutes per check-in day

MEANS: tuple[str, ...] = (
    *RATINGS, "caseload", "caseload_ratio", "contacts", "crisis_contacts",
    "trauma_contacts", "after_hours_minutes",
)
INDICATORS: tuple[str, ...] = ("high_strain", "supervision", "after_hours_regular")
VALUES: tuple[str, ...] = (*MEANS, *INDICATORS)
# The bounds each person-level value is clamped to before noise is added.
BOUNDS: dict[str, tuple[float, float]] = {
    **{name: (0.0, 10.0) for name in RATINGS},
    "caseload": (0.0, 60.0),
    "caseload_ratio": (0.0, 3.0),
    "contacts": (0.0, 15.0),
    "crisis_contacts": (0.0, 5.0),
    "trauma_contacts": (0.0, 5.0),
    "after_hours_minutes": (0.0, 240.0),
    **{name: (0.0, 1.0) for name in INDICATORS},
}
# Report column -> (person-level value, multiplier, rounding step).
NUMERIC: dict[str, tuple[str, float, float]] = {
    **{name: (name, 1.0, 0.5) for name in RATINGS},
    "caseload_mean": ("caseload", 1.0, 1.0),
    "caseload_vs_standard_pct": ("caseload_ratio", 100.0, 10.0),
    "contacts_per_day": ("contacts", 1.0, 0.5),
    "crisis_contacts_per_day": ("crisis_contacts", 1.0, 0.1),
    "trauma_contacts_per_day": ("trauma_contacts", 1.0, 0.1),
    "after_hours_minutes_per_day": ("after_hours_minutes", 1.0, 5.0),
}
# Report column (a share in percent) -> yes/no person-level value.
SHARES: dict[str, str] = {
    "high_strain_share_pct": "high_strain",
    "after_hours_share_pct": "after_hours_regular",
    "supervision_share_pct": "supervision",
}
NOISY_VALUES = len(VALUES) + 1  # every value plus the respondent count

_WEEK_SQL = f"""
    SELECT user_id, {", ".join(f"avg({name})" for name in RATINGS)},
           avg(caseload), avg(contacts), avg(crisis_contacts), avg(trauma_contacts),
           avg(after_hours_minutes), max(supervision)
    FROM checkins
    WHERE counts_for_team = 1 AND day BETWEEN ? AND ?
    GROUP BY user_id
"""
_RAW = (*RATINGS, "caseload", "contacts", "crisis_contacts", "trauma_contacts",
        "after_hours_minutes", "supervision")

Person = dict[str, "float | None"]


def person_weeks(db: Database, week: dt.date) -> dict[int, Person]:
    """Each person's means over their counted check-ins of the week (by user id)."""
    end = week + dt.timedelta(days=6)
    return {
        int(row[0]): dict(zip(_RAW, (None if v is None else float(v) for v in row[1:])))
        for row in db.execute(_WEEK_SQL, [week.isoformat(), end.isoformat()])
    }


def person_values(raw: Person, caseload_standard: int) -> Person:
    """The person-level values of :data:`VALUES` from one person's week."""
    out: Person = {name: raw.get(name) for name in _RAW if name != "supervision"}
    caseload, exhaustion = raw.get("caseload"), raw.get("exhaustion")
    after_hours = raw.get("after_hours_minutes")
    out["caseload_ratio"] = None if caseload is None else caseload / caseload_standard
    out["high_strain"] = None if exhaustion is None else float(exhaustion >= HIGH_STRAIN_EXHAUSTION)
    out["supervision"] = None if raw.get("supervision") is None else float(raw["supervision"] > 0)
    out["after_hours_regular"] = (
        None if after_hours is None else float(after_hours >= REGULAR_AFTER_HOURS_MINUTES))
    return out


@dataclass
class Cell:
    """A group's week: its roster, respondents and, per value, how many people
    gave it, the sum and the sum clamped to :data:`BOUNDS`. No per-person data."""

    roster: tuple[int, ...] = ()
    respondents: int = 0
    givers: dict[str, int] = field(default_factory=lambda: dict.fromkeys(VALUES, 0))
    sums: dict[str, float] = field(default_factory=lambda: dict.fromkeys(VALUES, 0.0))
    clamped: dict[str, float] = field(default_factory=lambda: dict.fromkeys(VALUES, 0.0))

    @classmethod
    def of(cls, roster: Iterable[int], people: Mapping[int, Person]) -> "Cell":
        """The cell of the people on ``roster`` (``people``: values by user id)."""
        cell = cls(roster=tuple(sorted(roster)))
        for uid in cell.roster:
            values = people.get(uid)
            if values is None:
                continue
            cell.respondents += 1
            for name in VALUES:
                value = values.get(name)
                if value is None:
                    continue
                low, high = BOUNDS[name]
                cell.givers[name] += 1
                cell.sums[name] += value
                cell.clamped[name] += min(max(value, low), high)
        return cell

    @classmethod
    def combine(cls, cells: Iterable["Cell"]) -> "Cell":
        out = cls()
        for cell in cells:
            out.roster = tuple(sorted((*out.roster, *cell.roster)))
            out.respondents += cell.respondents
            for name in VALUES:
                out.givers[name] += cell.givers[name]
                out.sums[name] += cell.sums[name]
                out.clamped[name] += cell.clamped[name]
        return out
