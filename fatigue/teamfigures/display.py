"""Released cells as report rows: words for the numbers and the reasons.

Rows are built only from what was released (:mod:`.store`): the numbers as
stored, shares and participation as words (:func:`.rules.share_text`), and
hidden cells as missing values with a reason. Longer views (4 weeks, a
quarter) are averages of the weeks shown to this viewer, made here, so they
hold nothing the weekly rows do not.
"""
from __future__ import annotations

import datetime as dt
import functools
import math
from typing import Any

import numpy as np
import pandas as pd

from fatigue.dates import day_text
from fatigue.teamfigures import rules
from fatigue.teamfigures.measures import NUMERIC, SHARES
from fatigue.teamfigures.periods import VIEW_NAMES, block_end, block_weeks, label
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
_RELEASED = (*NUMERIC, *SHARES, *SHARE_TEXT.values(), *PM_COLUMNS, "participation_pct",
             "participation_text")  # a shown cell's figures, as stored


@functools.lru_cache(maxsize=4096)  # the same few reasons for every group of an organisation
def reason(code: str, k: int, view: str = "week", *, shown_from: dt.date | None = None,
           group: str = "team", too_small: bool = False) -> str:
    """Why a row is hidden, in words. ``too_small``: a period not released yet
    of a team too small to be shown at ``k``, so no date is promised."""
    name = VIEW_NAMES[view]
    if code == rules.NOT_FINAL and too_small:
        return (f"Not released yet, and not to be shown on its own: the team has fewer than "
                f"{k + 1} members who count (not counting team leads).")
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
        NO_WEEK_SHOWN: f"No week of this {name} could be shown.",
    }.get(code, "Hidden to protect individuals.")


SHORT_REASONS: dict[str, str] = {
    rules.NOT_FINAL: "Not released yet",
    rules.TEAM_TOO_SMALL: "Too few members",
    rules.TOO_FEW: "Too few checked in",
    rules.OVER_BUDGET: "Over the privacy cap",
    rules.OWN_DATA: "Could hold your answers",
    rules.NOTHING_TO_COMBINE: "Nothing to combine",
    rules.NO_GROUPS_SHOWN: "No group shown",
    rules.NOT_KEPT: "Not kept at upgrade",
    NO_WEEK_SHOWN: "No week shown",
}


def short_reason(code: str | None) -> str:
    """A hidden row's reason in a few words, for a table cell or a chart's
    tooltip (the full reason is :func:`reason`); empty for a shown row."""
    return "" if not isinstance(code, str) else SHORT_REASONS.get(code, "Hidden")


UNITS = {"caseload_vs_standard_pct": "%"}


def _number(value: Any) -> float | None:
    return None if value is None or pd.isna(value) else float(value)


def figure_text(row: pd.Series | dict[str, Any], column: str) -> str:
    """A released figure as shown: ``6.5``, ``6.5 ± 3.0`` with noise, ``120%``,
    a share in words (``about 40%``); an empty string when it is not shown."""
    if column in SHARES:
        text = row.get(column.replace("_pct", "_text"))
        return text if isinstance(text, str) else ""
    value = _number(row.get(column))
    if value is None:
        return ""
    pm = _number(row.get(f"{column}_pm95"))
    noise = f" ± {pm:.1f}" if bool(row.get("dp")) and pm is not None else ""
    return f"{value:g}{UNITS.get(column, '')}{noise}"


def table_text(report: pd.DataFrame, columns: dict[str, str]) -> pd.DataFrame:
    """Report rows as a table of words, headed by ``columns`` (report column ->
    heading): figures as :func:`figure_text`, a hidden row's reason in a few
    words (:func:`short_reason`), and nothing at all where nothing is shown,
    so no "None" or "nan" reaches a person."""
    def cell(row: dict[str, Any], column: str) -> str:
        if column == "hidden_reason":
            return short_reason(row["hidden_code"])
        if column in NUMERIC or column in SHARES:
            return figure_text(row, column)
        value = row.get(column)
        return value if isinstance(value, str) else ""

    # Only the columns the cells read (a report has about 60): the rest would only slow the
    # conversion of an organisation's 669 rows down.
    read = {"hidden_code", "dp", *columns, *(f"{c}_pm95" for c in columns),
            *(SHARE_TEXT[c] for c in columns if c in SHARE_TEXT)}
    rows = report[[c for c in report.columns if c in read]].to_dict("records")
    return pd.DataFrame([[cell(row, c) for c in columns] for row in rows],
                        columns=list(columns.values()), dtype=object)


def undated(report: pd.DataFrame, k: int) -> pd.DataFrame:
    """``report`` for a team too small to be shown at ``k`` (as its accounts stand,
    :func:`fatigue.teamfigures.reports.release_status`): its periods not released
    yet say so, rather than promise a date. A copy; the report is left as it is."""
    out = report.copy()
    waiting = out["hidden_code"] == rules.NOT_FINAL
    out.loc[waiting, "hidden_reason"] = [
        reason(rules.NOT_FINAL, k, view, too_small=True) for view in out.loc[waiting, "period"]]
    return out


def reasons_in(report: pd.DataFrame) -> list[tuple[str, str, str]]:
    """The hidden rows' reasons, once each: (a few words, which periods (``9 Nov -
    15 Nov 2026``, or ``5 periods``), the full reason)."""
    hidden = report[~report["shown"].astype(bool)]
    found: dict[tuple[str, str], list[str]] = {}
    for code, text, name in zip(hidden["hidden_code"], hidden["hidden_reason"], hidden["label"]):
        if isinstance(text, str):
            found.setdefault((code, text), []).append(name)
    return [(short_reason(code), names[0] if len(names) == 1 else f"{len(names)} periods", text)
            for (code, text), names in found.items()]


@functools.lru_cache(maxsize=4096)
def _blank(view: str, start: dt.date) -> dict[str, Any]:
    row: dict[str, Any] = dict.fromkeys(REPORT_COLUMNS)
    row.update(period=view, period_start=start, period_end=block_end(start, view),
               label=label(start, view), shown=False, dp=False)
    return row


def blank(view: str, start: dt.date) -> dict[str, Any]:
    """An empty row of the period (a new dict: the caller fills it)."""
    return dict(_blank(view, start))


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
    row.update({column: figures.get(column) for column in _RELEASED})
    return row


def with_words(row: dict[str, Any]) -> dict[str, Any]:
    """The share columns' words from their (averaged) numbers."""
    for column, text in (("participation_pct", "participation_text"), *SHARE_TEXT.items()):
        if row.get(column) is not None:
            row[text], row[column] = rules.share_text(float(row[column]))
    return row


def _given(rows: list[dict[str, Any]], column: str) -> list[float]:
    """The rows' values of ``column``, without the missing ones."""
    return [float(v) for row in rows if (v := row[column]) is not None and v == v]  # NaN != NaN


def _pm(rows: list[dict[str, Any]], column: str) -> float | None:
    """The 95% half-width of an average of independent noisy values (normal approximation)."""
    given = _given(rows, column)
    return math.sqrt(sum(v * v for v in given)) / len(rows) if given else None


_NUMERIC_STEPS = tuple((column, f"{column}_pm95", step, 0.1 if step < 1 else 1.0)
                       for column, (_, _, step) in NUMERIC.items())


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
    for column, pm_column, step, pm_step in _NUMERIC_STEPS:
        given = _given(shown, column)
        row[column] = rules.round_to(sum(given) / len(given), step) if given else None
        pm = _pm(shown, pm_column)
        if pm is not None:
            row[pm_column] = round(math.ceil(pm / pm_step - 1e-9) * pm_step, 6)
    for column in (*SHARES, "participation_pct"):
        given = _given(shown, column)
        row[column] = sum(given) / len(given) if given else None
        if column in SHARES:
            pm = _pm(shown, f"{column}_pm95")
            row[f"{column}_pm95"] = None if pm is None else float(math.ceil(pm - 1e-9))
    return with_words(row)


def frame(rows: list[dict[str, Any]], columns: tuple[str, ...]) -> pd.DataFrame:
    """The rows as a frame, each column built once with its final dtype."""
    data: dict[str, Any] = {}
    for column in columns:
        values = [row.get(column) for row in rows]
        if column in _FLOATS or column in RATINGS:
            data[column] = np.array(values, dtype=float)  # None becomes NaN
        elif column in ("shown", "dp"):
            data[column] = np.array(values, dtype=bool)
        elif column in ("period_start", "period_end"):
            data[column] = pd.to_datetime(pd.Series(values, dtype="object")).astype("datetime64[ns]")
        else:
            data[column] = values
    return pd.DataFrame(data, columns=list(columns))
