"""Drawing the already-released team and organisation reports.

Everything handed to a chart or table here comes from
:mod:`fatigue.teamfigures.reports`: released rows per period (and per group),
hidden cells as missing values, no person. A report is fetched once per
session, team, period and day (each fetch is written to the audit log) and
kept in session state between reruns.
"""
from __future__ import annotations

from typing import Callable

import altair as alt
import pandas as pd
import streamlit as st

from fatigue.pages._session import get_db, local_today
from fatigue.teamfigures import reports

PERIODS = {"Week": "week", "4 weeks": "4week", "Quarter": "quarter"}
RATING_COLUMNS = ["exhaustion", "empathy", "intrusion", "detachment"]
SHARE_COLUMNS = ["high_strain_share_pct", "supervision_share_pct", "after_hours_share_pct"]
TABLE = {
    "label": "Period",
    "hidden_reason": "Hidden because",  # early, so a phone shows it without scrolling
    "respondents_band": "Respondents",
    "participation_text": "Participation",
    "exhaustion": "Exhaustion",
    "empathy": "Empathy",
    "intrusion": "Intrusion",
    "high_strain_share_text": "In high strain",
    "caseload_vs_standard_pct": "Caseload vs standard (%)",
    "crisis_contacts_per_day": "Crisis contacts / day",
    "trauma_contacts_per_day": "Trauma contacts / day",
    "supervision_share_text": "Had supervision",
}
WHY_NOT_LEADS = (
    "Leads' and admins' own check-ins are in no team figure (not even their home team's), and "
    "nobody is shown a figure that could include their own answers: otherwise a lead could "
    "change their own answers and watch the team's figures move to work out everyone else's."
)


def cached_report(key: tuple, fetch: Callable[[], pd.DataFrame]) -> pd.DataFrame:
    """The report for ``key`` from this session's store, fetched on first use today
    and again whenever a week is released (:func:`reports.report_version`)."""
    store = st.session_state.setdefault("reports", {})
    full_key = (*key, local_today().isoformat(), reports.report_version(get_db()))
    if full_key not in store:
        store[full_key] = fetch()
    return store[full_key]


def period_choice(key: str) -> str:
    picked = st.segmented_control(
        "Period", list(PERIODS), default="Week", key=key,
        help="Figures are released per week. 4 weeks and a quarter are averages of the weeks "
        "shown in them.")
    return PERIODS[picked or "Week"]


def trend_chart(report: pd.DataFrame, columns: list[str], title: str, y_title: str,
                domain: list[float] | None = None, colour: str = "measure") -> None:
    """A line per measure over the shown periods, with DP uncertainty if any."""
    tidy = reports.long_for_chart(report, columns)
    if tidy.empty:
        st.caption(f"{title}: no period can be shown yet.")
        return
    scale = alt.Scale(domain=domain) if domain else alt.Scale(zero=False)
    base = alt.Chart(tidy).encode(alt.X("period_start:T", title=None))
    layers = [
        base.mark_line(point=True).encode(
            alt.Y("value:Q", title=y_title, scale=scale),
            alt.Color(f"{colour}:N", title=None, legend=alt.Legend(orient="top")),
            alt.Shape(f"{colour}:N", legend=None),
            tooltip=[alt.Tooltip("label:N", title="Period"), "measure:N", "value:Q"],
        )
    ]
    if tidy["pm95"].notna().any():
        tidy = tidy.assign(low=tidy["value"] - tidy["pm95"], high=tidy["value"] + tidy["pm95"])
        layers.insert(0, alt.Chart(tidy).mark_area(opacity=0.15).encode(
            alt.X("period_start:T"), alt.Y("low:Q"), alt.Y2("high:Q"),
            alt.Color(f"{colour}:N", legend=None)))
    st.altair_chart(alt.layer(*layers).properties(height=220, title=title), width="stretch")


def period_table(report: pd.DataFrame, extra: dict[str, str] | None = None) -> None:
    """The periods as a table: figures for shown rows, the reason for hidden ones."""
    columns = {**(extra or {}), **TABLE}
    if (report["period"] != "week").any():
        columns = {"label": "Period", "weeks_text": "Weeks shown", **{
            c: n for c, n in columns.items() if c != "label"}}
    st.dataframe(
        report[list(columns)].iloc[::-1].rename(columns=columns),
        hide_index=True,
        width="stretch",
    )
