"""A simple, documented daily workload index (see docs/analytics.md).

    intensity      = contacts + 2 x crisis_contacts + 1 x trauma_contacts
                     + after_hours_minutes / 60
    caseload_part  = 10 x caseload / caseload_standard
    workload_index = caseload_part + intensity

Every client contact counts 1 point; a crisis contact adds 2 more (3 in all);
a contact involving traumatic material adds 1 more (2 in all); a contact that
is both adds both (4 in all); each hour worked outside scheduled hours adds 1.
Because crisis and trauma are counted as *extras* on top of every contact, the
total does not depend on whether the crisis and trauma contacts were the same
contacts, so nothing is counted twice or lost. ``caseload_part`` is 10 points
when the active caseload equals the team's standard (a team setting, default
15), 5 at half of it, 20 at double. Pure functions, vectorised, no database.
"""
from __future__ import annotations

import pandas as pd

DEFAULT_CASELOAD_STANDARD = 15
CASELOAD_POINTS = 10.0  # points when the caseload equals the standard
CONTACT_POINTS = 1.0  # every contact
CRISIS_EXTRA = 2.0  # on top of the contact itself: a crisis contact is 3 in all
TRAUMA_EXTRA = 1.0  # on top of the contact itself: a traumatic-material contact is 2 in all
AFTER_HOURS_POINTS_PER_HOUR = 1.0

FORMULA_TEXT = """\
**Daily workload index** = caseload points + contact points

- **Caseload points** = 10 × your active caseload ÷ your team's caseload standard
  (currently {standard}). At the standard this is 10 points; at half of it, 5; at double, 20.
- **Contact points** for the day:
  - 1 point for every client contact,
  - 2 extra points for each crisis or high-intensity contact (so 3 in all),
  - 1 extra point for each contact involving traumatic material (so 2 in all;
    a contact that was both counts 4),
  - 1 point for each hour worked outside scheduled hours (30 minutes = 0.5).

Example: caseload 18 with a standard of 15, 6 contacts of which 1 was a crisis
contact and 2 involved traumatic material, and 45 minutes after hours:
10 × 18 ÷ 15 = 12, plus 6 + 2 + 2 + 0.75 = 10.75, so the index is 22.75.

The index is a rough, personal yardstick for comparing your own days with each
other. It is not a validated measure and not a target; the weights are simple
choices, written here so you can judge them.
"""

_COLUMNS = ("caseload", "contacts", "crisis_contacts", "trauma_contacts", "after_hours_minutes")


def formula_text(caseload_standard: float = DEFAULT_CASELOAD_STANDARD) -> str:
    """FORMULA_TEXT with the team's caseload standard filled in."""
    return FORMULA_TEXT.format(standard=f"{caseload_standard:g}")


def _check_standard(caseload_standard: float) -> float:
    standard = float(caseload_standard)
    if not standard > 0:  # also rejects NaN
        raise ValueError(f"The caseload standard must be a positive number, not {caseload_standard!r}.")
    return standard


def _column(history: pd.DataFrame, name: str) -> pd.Series:
    if name not in history.columns:
        raise ValueError(f"The history has no '{name}' column.")
    return pd.to_numeric(history[name], errors="coerce").astype(float)


def caseload_ratio(history: pd.DataFrame, caseload_standard: float = DEFAULT_CASELOAD_STANDARD) -> pd.Series:
    """Active caseload divided by the team's caseload standard, per check-in."""
    standard = _check_standard(caseload_standard)
    return (_column(history, "caseload") / standard).rename("caseload_ratio")


def contact_intensity(history: pd.DataFrame) -> pd.Series:
    """Contact points per check-in (see the module docstring); NaN stays NaN."""
    contacts = _column(history, "contacts")
    crisis = _column(history, "crisis_contacts")
    trauma = _column(history, "trauma_contacts")
    minutes = _column(history, "after_hours_minutes")
    # Validation keeps crisis and trauma within contacts; should an imported row
    # break that, count at least as many contacts as the larger of the two.
    base = pd.concat([contacts, crisis, trauma], axis=1).max(axis=1, skipna=False)
    points = (
        CONTACT_POINTS * base
        + CRISIS_EXTRA * crisis
        + TRAUMA_EXTRA * trauma
        + AFTER_HOURS_POINTS_PER_HOUR * minutes / 60.0
    )
    return points.rename("contact_intensity")


def workload_index(history: pd.DataFrame, caseload_standard: float = DEFAULT_CASELOAD_STANDARD) -> pd.Series:
    """The daily workload index per check-in, indexed like ``history`` (float)."""
    index = CASELOAD_POINTS * caseload_ratio(history, caseload_standard) + contact_intensity(history)
    return index.rename("workload_index")


def workload_frame(history: pd.DataFrame, caseload_standard: float = DEFAULT_CASELOAD_STANDARD) -> pd.DataFrame:
    """Columns day, caseload_ratio, caseload_points, contact_intensity, workload_index."""
    ratio = caseload_ratio(history, caseload_standard)
    intensity = contact_intensity(history)
    frame = pd.DataFrame(
        {
            "day": history["day"] if "day" in history.columns else pd.Series(dtype="datetime64[ns]"),
            "caseload_ratio": ratio,
            "caseload_points": CASELOAD_POINTS * ratio,
            "contact_intensity": intensity,
            "workload_index": CASELOAD_POINTS * ratio + intensity,
        },
        index=history.index,
    )
    return frame


def describe_caseload(caseload: float, caseload_standard: float = DEFAULT_CASELOAD_STANDARD) -> str:
    """One neutral sentence comparing a caseload with the team's standard."""
    standard = _check_standard(caseload_standard)
    ratio = float(caseload) / standard
    if abs(ratio - 1.0) < 0.05:
        where = "about at"
    elif ratio > 1.0:
        where = f"{ratio:.1f} times"
    else:
        where = f"{ratio:.0%} of"
    return f"Your active caseload of {caseload:g} is {where} your team's standard of {standard:g}."


RECENT_WORKLOAD_DAYS = 56


def recent_workload(
    history: pd.DataFrame, today, caseload_standard: float = DEFAULT_CASELOAD_STANDARD,
    days: int = RECENT_WORKLOAD_DAYS,
) -> tuple[pd.DataFrame, str]:
    """The daily workload index over the last ``days`` calendar days, and it in words.

    The frame is :func:`workload_frame` cut to the window (empty if no check-in
    falls in it); the sentence gives its mean and highest value and the latest
    caseload against the standard.
    """
    frame = workload_frame(history, caseload_standard)
    start = pd.Timestamp(today) - pd.Timedelta(days=days - 1)
    recent = frame[frame["day"] >= start]
    if recent.empty:
        return recent, f"No check-ins in the last {days // 7} weeks."
    index = recent["workload_index"]
    sentence = (
        f"Over the last {days // 7} weeks your workload index averaged {index.mean():.1f} "
        f"(highest {index.max():.1f}). "
        + describe_caseload(float(history["caseload"].iloc[-1]), caseload_standard)
    )
    return recent, sentence
