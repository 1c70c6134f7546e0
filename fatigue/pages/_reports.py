"""Drawing the already-released team and organisation reports.

Everything handed to a chart or table here comes from
:mod:`fatigue.teamfigures`: released rows per period (and per group), hidden
cells blank, no person. A report is fetched once per session, team, period
and day (each fetch is written to the audit log) and kept in session state
between reruns. Tables are words (no "None" or "nan"), charts have no title
or legend that a phone could cut, and each chart says in words what it draws.
"""
from __future__ import annotations

import datetime as dt
from typing import Callable

import altair as alt
import pandas as pd
import streamlit as st

from fatigue.dates import CHART_TICK, day_text, period_text
from fatigue.pages._session import get_db, local_today, plain
from fatigue.teamfigures import display, reports
from fatigue.teamfigures.charts import long_for_chart, trend_text

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
    "caseload_vs_standard_pct": "Caseload vs standard",
    "crisis_contacts_per_day": "Crisis contacts / day",
    "trauma_contacts_per_day": "Trauma contacts / day",
    "supervision_share_text": "Had supervision",
}
WHY_NOT_LEADS = (
    "Leads' and admins' own check-ins are in no team figure (not even their home team's), and "
    "nobody is shown a figure that could include their own answers: otherwise a lead could "
    "change their own answers and watch the team's figures move to work out everyone else's."
)
CHART_HEIGHT = 260
PADDING = {"left": 5, "top": 5, "right": 16, "bottom": 5}  # room for the last date's label
LABEL_COLOUR = "#4a4640"  # axis and legend words: 9:1 on white (the chart theme's grey is fainter)
WEEK_END = dt.timedelta(days=6)
WIDE = ("Period", "Group", "Hidden because")  # table columns never narrower than their words
TONE_COLOURS = {"worse": "orange", "better": "green", "same": "gray", "neutral": "gray"}


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


def freshness(status: reports.ReleaseStatus) -> None:
    """When the latest week was released and when the next one is."""
    if status.latest_week is None:
        st.write(f"No week has been released yet. The first, "
                 f"{period_text(status.next_week, status.next_week + WEEK_END)}, "
                 f"is released on {day_text(status.next_release)}.")
        return
    latest_end = status.latest_week + WEEK_END
    next_end = status.next_week + WEEK_END
    st.markdown(
        f"**Latest released week:** {period_text(status.latest_week, latest_end)}, released "
        f"on {day_text(status.released_on)}.  \n**Next release:** "
        f"{period_text(status.next_week, next_end)}, on {day_text(status.next_release)}. "
        "A week is released once late check-ins can no longer change it.")


def legend(names: pd.Series) -> alt.Legend:
    """A legend above the chart that wraps rather than runs off a phone's screen:
    two short names a row, or one a row when any is long."""
    names = names.unique()
    columns = 1 if len(names) == 1 or max(len(str(n)) for n in names) > 16 else 2
    return alt.Legend(orient="top", columns=columns, labelLimit=0, title=None,
                      labelColor=LABEL_COLOUR)


def axis(**kwargs) -> alt.Axis:
    """An axis whose words are dark enough to read."""
    return alt.Axis(labelColor=LABEL_COLOUR, titleColor=LABEL_COLOUR, **kwargs)


def trend_chart(report: pd.DataFrame, columns: list[str], title: str,
                domain: list[float] | None = None) -> None:
    """A line per measure over the shown periods, with DP uncertainty if any,
    under its title; screen readers announce the chart in words (its ``alt``)."""
    st.markdown(f"**{plain(title)}**")
    tidy = long_for_chart(report, columns)
    words = trend_text(tidy, title)
    if tidy.empty:
        st.caption(words)
        return
    scale = alt.Scale(domain=domain) if domain else alt.Scale(zero=False)
    x = alt.X("period_start:T", title=None, axis=axis(format=CHART_TICK, labelOverlap=True))
    base = alt.Chart(tidy).encode(x)
    layers = [
        base.mark_line(point=True).encode(
            alt.Y("value:Q", title=None, scale=scale, axis=axis()),
            alt.Color("measure:N", legend=legend(tidy["measure"])),
            alt.Shape("measure:N", legend=None),
            tooltip=[alt.Tooltip("label:N", title="Period"),
                     alt.Tooltip("measure:N", title="Figure"), alt.Tooltip("value:Q", title="Value")],
        )
    ]
    if tidy["pm95"].notna().any():
        tidy = tidy.assign(low=tidy["value"] - tidy["pm95"], high=tidy["value"] + tidy["pm95"])
        layers.insert(0, alt.Chart(tidy).mark_area(opacity=0.15).encode(
            x, alt.Y("low:Q"), alt.Y2("high:Q"), alt.Color("measure:N", legend=None)))
    st.altair_chart(alt.layer(*layers).properties(height=CHART_HEIGHT, padding=PADDING),
                    width="stretch", alt=words)


def period_table(report: pd.DataFrame, extra: dict[str, str] | None = None) -> None:
    """The periods as a table of words, newest first: figures for shown rows,
    a few words for hidden ones, then each reason in full."""
    columns = {**(extra or {}), **TABLE}
    if (report["period"] != "week").any():
        columns = {"label": "Period", "weeks_text": "Weeks shown", **{
            c: n for c, n in columns.items() if c != "label"}}
    words_table(display.table_text(report.iloc[::-1], columns))
    reasons_list(report)


def words_table(frame: pd.DataFrame) -> None:
    """A table of words (:func:`fatigue.teamfigures.display.table_text`)."""
    st.dataframe(frame, hide_index=True, width="stretch", column_config={
        name: st.column_config.TextColumn(name, width="medium")
        for name in WIDE if name in frame.columns})


def reasons_list(report: pd.DataFrame) -> None:
    """Each reason a row is hidden, in full, once."""
    reasons = display.reasons_in(report)
    if reasons:
        st.markdown("\n".join(f"- **{plain(short)}** ({plain(which)}): {plain(text)}"
                              for short, which, text in reasons))


def delta_args(step) -> dict:
    """st.metric's delta arguments for a :class:`fatigue.teamfigures.changes.Step`."""
    if step is None:
        return {}
    return dict(delta=step.text, delta_arrow=step.arrow, delta_color=TONE_COLOURS[step.tone])
