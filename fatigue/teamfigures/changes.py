"""What changed: a team's headline figures against its previous period and the agency.

Made from released rows only: a team report and the agency's rows next to it
(:func:`.reports.agency_alongside`). A change is the difference of two figures
already shown, so it holds nothing the rows do not. Each change says whether
it is better or worse for people, in words and as a tone, and shares are
compared as the words they are shown as ("about 30%"), never as false precision.
"""
from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from fatigue.analytics import HIGHER_IS_HARDER
from fatigue.teamfigures.display import UNITS, figure_text
from fatigue.teamfigures.measures import NUMERIC, SHARES

# The figures a lead sees first, with their labels and what they are in a sentence.
HEADLINE: dict[str, tuple[str, str]] = {
    "exhaustion": ("Mean exhaustion (0-10)", "mean exhaustion"),
    "empathy": ("Mean empathy (0-10)", "mean empathy"),
    "high_strain_share_pct": ("In high strain", "the share in high strain"),
    "caseload_vs_standard_pct": ("Caseload vs standard", "the mean caseload against the standard"),
}
# Whether a rise is worse for people (None: neither, e.g. more contacts).
HIGHER_IS_WORSE: dict[str, bool | None] = {
    **HIGHER_IS_HARDER,
    "caseload_mean": True,
    "caseload_vs_standard_pct": True,
    "contacts_per_day": None,
    "crisis_contacts_per_day": True,
    "trauma_contacts_per_day": True,
    "after_hours_minutes_per_day": True,
    "high_strain_share_pct": True,
    "after_hours_share_pct": True,
    "supervision_share_pct": False,
}


def tone(column: str, difference: float) -> str:
    """``better``, ``worse`` or ``same`` for people (``neutral`` when neither)."""
    if difference == 0:
        return "same"
    worse = HIGHER_IS_WORSE.get(column)
    if worse is None:
        return "neutral"
    return "worse" if (difference > 0) == worse else "better"


@dataclass(frozen=True)
class Step:
    """One comparison of a figure with an earlier one, or with the agency's."""

    other: str  # the other figure as shown
    text: str  # the difference as a metric delta: "+0.5", "+10 points", "from about 30%"
    arrow: str  # "up", "down" or "off"
    tone: str  # see :func:`tone`
    words: str  # "up 0.5 from 6 in 9 - 15 Nov 2026"


def difference(row: pd.Series, other: pd.Series, column: str) -> float:
    """``row``'s figure minus ``other``'s (both shown); shares by their rounded numbers."""
    if column in SHARES:
        return float(row[column]) - float(other[column])
    return round(float(row[column]) - float(other[column]), 6)


def _step(row: pd.Series, other: pd.Series, column: str, *, agency: bool) -> Step | None:
    if not figure_text(row, column) or not figure_text(other, column):
        return None
    delta = difference(row, other, column)
    shown = figure_text(other, column)
    arrow = "off" if delta == 0 else ("up" if delta > 0 else "down")
    unit = " points" if column in UNITS else ""
    size = f"{abs(delta):g}{unit}"
    if column in SHARES:
        if agency:
            text = {"up": "team higher", "down": "team lower", "off": "the same"}[arrow]
            words = {"up": f"higher than the agency ({shown})",
                     "down": f"lower than the agency ({shown})",
                     "off": f"the same as the agency ({shown})"}[arrow]
        else:
            text = "no change" if arrow == "off" else f"{arrow} from {shown}"
            words = f"the same as in {other['label']}" if arrow == "off" else (
                f"{arrow} from {shown} in {other['label']}")
    elif agency:
        text = "the same" if arrow == "off" else f"{delta:+g}{unit}"
        words = (f"the same as the agency ({shown})" if arrow == "off" else
                 f"{size} {'above' if arrow == 'up' else 'below'} the agency ({shown})")
    else:
        text = "no change" if arrow == "off" else f"{delta:+g}{unit}"
        words = (f"the same as in {other['label']}" if arrow == "off" else
                 f"{arrow} {size} from {shown} in {other['label']}")
    return Step(shown, text, arrow, tone(column, delta), words)


@dataclass(frozen=True)
class Change:
    """A headline figure of the latest period shown, and how it compares."""

    column: str
    label: str
    value: str
    period: str
    previous_period: str | None  # the latest period shown before it (None: none)
    previous: Step | None
    agency: Step | None
    words: str


def _sentence(column: str, value: str, period: str, previous: Step | None,
              agency: Step | None) -> str:
    noun = HEADLINE.get(column, (column, column.replace("_", " ")))[1]
    parts = [f"{noun[0].upper()}{noun[1:]} was {value} in {period}"]
    if previous is None:
        parts.append("no earlier period is shown to compare with")
    else:
        mood = {"better": " (better for people)", "worse": " (worse for people)"}
        parts.append(previous.words + mood.get(previous.tone, ""))
    if agency is not None:
        parts.append(agency.words)
    return "; ".join(parts) + "."


def headline_changes(report: pd.DataFrame, agency: pd.DataFrame | None = None,
                     columns: tuple[str, ...] = tuple(HEADLINE)) -> list[Change]:
    """The ``columns`` of the latest shown period of ``report``, each against the
    latest shown period before it and against ``agency``'s row for the same
    period (only where both are shown). Empty when no period is shown."""
    shown = report[report["shown"]].sort_values("period_start")
    if shown.empty:
        return []
    latest = shown.iloc[-1]
    before = shown.iloc[-2] if len(shown) > 1 else None
    same = None
    if agency is not None and not agency.empty:
        match = agency[agency["shown"] & (agency["period_start"] == latest["period_start"])]
        same = match.iloc[0] if len(match) else None
    out = []
    for column in columns:
        if column not in NUMERIC and column not in SHARES:
            raise ValueError(f"'{column}' is not a figure of the report")
        value = figure_text(latest, column)
        if not value:
            continue
        previous = None if before is None else _step(latest, before, column, agency=False)
        versus = None if same is None else _step(latest, same, column, agency=True)
        label = HEADLINE.get(column, (column, ""))[0]
        out.append(Change(column, label, value, latest["label"],
                          None if before is None else before["label"], previous, versus,
                          _sentence(column, value, latest["label"], previous, versus)))
    return out
