"""Released cells as report rows: words for the numbers and the reasons.

Rows are built only from what was released (:mod:`.store`): the numbers as
stored, shares and participation as words (:func:`.rules.share_text`), and
hidden cells as missing values with a reason. Longer views (4 weeks, a
quarter) are averages of the weeks shown to this viewer, made here, so they
hold nothing the weekly rows do not.
"""
from __future__ import annotations

import datetime as dt
import math
from typing import Any

import numpy as np
import pandas as pd

from fatigue.teamfigures import rules
from fatigue.teamfigures.measures import NUMERIC, SHARES
from fatigue.teamfigures.periods import VIEW_NAMES, block_end, block_weeks, day_text, label
from fatigue.teamfigures.store import Released
from fatigue.validation import RATINGS

PM_COLUMNS: tuple[str, ...] = (*(f"{c}_pm95" for c in NUMERIC), *(f"{c}_pm95" for c in SHARES))
SHARE_TEXT = {column: column.replace("_pct", "_text") for column in SHARES}
REPORT_COLUMNS: tuple[str, ...] = (
    "period", "period_start", "period_end", "label",
    "shown", "hidden_code", "hidden_reason", "weeks_text",
    "team_size_text", "respondents_band", "participation_text", "participation_pct",
    *RATINGS,
    "high_strain_share_text", "high_strain_share_pct",
    "caseload_mean", "caseload_standard", "caseload_vs_standard_pct",
    "contacts_per_day", "crisis_contacts_per_day", "trauma_contacts_per_day",
    "after_hours_minutes_per_day", "after_hours_share_text", "after_hours_share_pct",
    "supervision_share_text", "supervision_share_pct",
    "dp", *PM_COLUMNS,
)
ORG_COLUMNS: tuple[str, ...] = (
    *REPORT_COLUMNS[:4], "group", "team_id", "team", "scope_text", *REPORT_COLUMNS[4:],
)
NO_WEEK_SHOWN = "no_week_shown"  # a longer view none of whose weeks could be shown
_FLOATS = frozenset((*NUMERIC, *SHARES, *PM_COLUMNS, "participation_pct", "caseload_standard"))


def reason(code: str, k: int, view: str = "week", *, shown_from: dt.date | None = None,
           group: str = "team") -> str:
    """Why a row is hidden, in words."""
    name = VIEW_NAMES[view]
    if code == rules.NOT_FINAL:
        return (f"This {name} is still open, or late check-ins can still be added to it. "
                f"It is shown from {day_text(shown_from)}." if shown_from else
                f"This {name} is still open.")
    if code in (rules.TEAM_TOO_SMALL, rules.TOO_FEW) and group == "pool":
        return ("Too few people in the smaller teams, even combined, to show them without "
                "revealing individuals. They are left out of the agency total.")
    return {
        rules.TEAM_TOO_SMALL: (
            f"Fewer than {k + 1} people (not counting team leads) belonged to this team when "
            "the week began, so its figures are not shown on their own: they could reveal who "
            "took part. They count in the smaller teams combined where that can be shown."),
        rules.TOO_FEW: (f"Fewer than {k} people (not counting team leads) checked in this week, "
                        "so its figures are hidden to protect individuals."),
        rules.OVER_BUDGET: ("Privacy noise was on, and one week's figures would have cost more "
                            "than the weekly privacy cap, so nothing was released for this week."),
        rules.OWN_DATA: ("You were counted in this group that week, so its figures could include "
                         "your own answers: they are not shown to you."),
        rules.NOTHING_TO_COMBINE: "Every team is shown on its own: there is nothing to combine.",
        rules.NO_GROUPS_SHOWN: ("No team, nor the smaller teams combined, could be shown for "
                                "this week, so there is no agency total either."),
        rules.NOT_KEPT: ("Released before the upgrade to the current privacy rules and not kept "
                         "(only team weeks released before the upgrade were kept)."),
        NO_WEEK_SHOWN: f"None of the weeks of this {name} could be shown.",
    }.get(code, "Hidden to protect individuals.")


def blank(view: str, start: dt.date) -> dict[str, Any]:
    row: dict[str, Any] = dict.fromkeys(REPORT_COLUMNS)
    row.update(period=view, period_start=start, period_end=block_end(start, view),
               label=label(start, view), shown=False, dp=False)
    return row


def hidden(view: str, start: dt.date, code: str, text: str) -> dict[str, Any]:
    row = blank(view, start)
    row["hidden_code"], row["hidden_reason"] = code, text
    return row


def week_row(cell: Released, k: int, viewer_id: int, group: str = "team") -> dict[str, Any]:
    """One released week as this viewer may see it."""
    row = blank("week", cell.week)
    row["team_size_text"] = rules.team_size_text(len(cell.roster), k) if group == "team" else None
    code = cell.hidden_code
    if code is None and not rules.viewer_may_see(viewer_id, cell.roster):
        code = rules.OWN_DATA
    if code is not None:
        row["hidden_code"], row["hidden_reason"] = code, reason(code, k, group=group)
        return row
    figures = cell.figures
    row.update(shown=True, dp=bool(figures.get("dp")),
               respondents_band=figures["respondents_band"],
               caseload_standard=figures.get("caseload_standard"))
    for column in (*NUMERIC, *SHARES, *SHARE_TEXT.values(), *PM_COLUMNS, "participation_pct",
                   "participation_text"):
        row[column] = figures.get(column)
    return row


def with_words(row: dict[str, Any]) -> dict[str, Any]:
    """The share columns' words from their (averaged) numbers."""
    for column, text in (("participation_pct", "participation_text"), *SHARE_TEXT.items()):
        if row.get(column) is not None:
            row[text], row[column] = rules.share_text(float(row[column]))
    return row


def _given(values: list[Any]) -> list[float]:
    return [float(v) for v in values if v is not None and not pd.isna(v)]


def _mean(values: list[Any]) -> float | None:
    given = _given(values)
    return sum(given) / len(given) if given else None


def _pm(values: list[Any], count: int) -> float | None:
    """The 95% half-width of an average of independent noisy values (normal approximation)."""
    given = _given(values)
    return math.sqrt(sum(v * v for v in given)) / count if given else None


def block_row(weeks: list[dict[str, Any]], view: str, start: dt.date, *,
              released: int, first_release: dt.date) -> dict[str, Any]:
    """A 4-week or quarter row: the average of the weekly rows shown in it."""
    total = len(block_weeks(start, view))
    shown = [w for w in weeks if w["shown"]]
    if not released:
        return hidden(view, start, rules.NOT_FINAL,
                      reason(rules.NOT_FINAL, 0, view, shown_from=first_release))
    if not shown:
        return hidden(view, start, NO_WEEK_SHOWN, reason(NO_WEEK_SHOWN, 0, view))
    row = blank(view, start)
    so_far = " so far" if released < total else ""
    row.update(shown=True, dp=any(w["dp"] for w in shown),
               weeks_text=f"{len(shown)} of {total} weeks{so_far}",
               team_size_text=shown[-1]["team_size_text"],
               caseload_standard=shown[-1]["caseload_standard"])
    bands = sorted({w["respondents_band"] for w in shown}, key=lambda b: int(b.split("-")[0].split(" ")[0]))
    row["respondents_band"] = "per week: " + (bands[0] if len(bands) == 1 else f"{bands[0]} to {bands[-1]}")
    for column, (_, _, step) in NUMERIC.items():
        mean = _mean([w[column] for w in shown])
        row[column] = None if mean is None else rules.round_to(mean, step)
        pm = _pm([w[f"{column}_pm95"] for w in shown], len(shown))
        if pm is not None:
            pm_step = 0.1 if step < 1 else 1.0
            row[f"{column}_pm95"] = round(math.ceil(pm / pm_step - 1e-9) * pm_step, 6)
    for column in (*SHARES, "participation_pct"):
        row[column] = _mean([w[column] for w in shown])
        if column in SHARES:
            pm = _pm([w[f"{column}_pm95"] for w in shown], len(shown))
            row[f"{column}_pm95"] = None if pm is None else float(math.ceil(pm - 1e-9))
    return with_words(row)


def frame(rows: list[dict[str, Any]], columns: tuple[str, ...]) -> pd.DataFrame:
    """The rows as a frame, each column built once with its final dtype."""
    data: dict[str, Any] = {}
    for column in columns:
        values = [row.get(column) for row in rows]
        if column in _FLOATS or column in RATINGS:
            data[column] = np.array([math.nan if v is None else v for v in values], dtype=float)
        elif column in ("shown", "dp"):
            data[column] = np.array(values, dtype=bool)
        elif column in ("period_start", "period_end"):
            data[column] = pd.to_datetime(pd.Series(values, dtype="object")).astype("datetime64[ns]")
        else:
            data[column] = values
    return pd.DataFrame(data, columns=list(columns))
