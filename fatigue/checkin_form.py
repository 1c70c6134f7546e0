"""What the quick daily form needs besides saving: its workload line and its answers.

The form (``fatigue/pages/_checkin_form.py``) asks the ratings as one-tap choices
with nothing chosen, copies the workload of the person's last check-in unless
they change it, and asks the yes/no questions with neither answer chosen. Here,
without Streamlit: the words for the copied workload (:func:`workload_line`),
the values to save from what the form holds (:func:`answers`), and the one-line
"your week so far" shown with the confirmation (:func:`week_so_far`).
"""
from __future__ import annotations

import datetime as dt
from typing import Any, Mapping

from sqlite_utils import Database

from fatigue.checkins import LastWorkload
from fatigue.dates import day_text
from fatigue.validation import FLAGS, REQUIRED, WORKLOAD

YES, NO = "Yes", "No"


def workload_line(last: LastWorkload) -> str:
    """``caseload 18 · 6 contacts (1 crisis, 2 traumatic) · 4.5 h with clients · 30 min
    outside hours``: what "same as last check-in" copies, with only the values given."""
    v = last.values
    parts = []
    if v["caseload"] is not None:
        parts.append(f"caseload {v['caseload']}")
    if v["contacts"] is not None:
        extra = [f"{v[name]} {word}" for name, word in
                 (("crisis_contacts", "crisis"), ("trauma_contacts", "traumatic"))
                 if v[name] is not None]
        parts.append(f"{v['contacts']} contacts" + (f" ({', '.join(extra)})" if extra else ""))
    else:
        parts += [f"{v[name]} {word} contacts" for name, word in
                  (("crisis_contacts", "crisis"), ("trauma_contacts", "traumatic"))
                  if v[name] is not None]
    if v["direct_hours"] is not None:
        parts.append(f"{v['direct_hours']:g} h with clients")
    if v["after_hours_minutes"] is not None:
        parts.append(f"{v['after_hours_minutes']} min outside hours")
    return " · ".join(parts)


def answers(ratings: Mapping[str, Any], workload: Mapping[str, Any],
            flags: Mapping[str, str | None], note: str) -> dict[str, Any]:
    """The values to save: a rating not chosen, a count left empty or a yes/no not
    chosen is None (not answered); "Yes"/"No" become True/False."""
    values: dict[str, Any] = {name: ratings.get(name) for name in ratings}
    values.update({name: workload.get(name) for name in WORKLOAD})
    for name in FLAGS:
        choice = flags.get(name)
        values[name] = None if choice is None else choice == YES
    values["note"] = note or ""
    return values


def missing_needed(ratings: Mapping[str, Any]) -> list[str]:
    """The needed ratings (:data:`fatigue.validation.REQUIRED`) not chosen."""
    return [name for name in REQUIRED if ratings.get(name) is None]


def week_so_far(db: Database, user_id: int, day: dt.date) -> str:
    """One calm line about the week of ``day`` (Monday to ``day``): how many check-ins
    and the exhaustion of each, e.g. "Your week so far: 3 check-ins; exhaustion Mon 6,
    Tue 7, Wed 5." No streaks and nothing about the days without one."""
    monday = day - dt.timedelta(days=day.weekday())
    rows = db.execute(
        "SELECT day, exhaustion FROM checkins WHERE user_id = ? AND day BETWEEN ? AND ?"
        " ORDER BY day", [user_id, monday.isoformat(), day.isoformat()]).fetchall()
    if not rows:
        return ""
    days = ", ".join(f"{day_text(dt.date.fromisoformat(d))[:3]} {e}" for d, e in rows)
    count = f"{len(rows)} check-in{'s' if len(rows) != 1 else ''}"
    return f"Your week so far: {count}; exhaustion {days}."
