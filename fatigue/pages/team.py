"""My team: anonymized aggregates for the teams I lead (leads and admins only)."""
from __future__ import annotations

import pandas as pd
import streamlit as st

from fatigue import settings
from fatigue.pages._reports import (
    RATING_COLUMNS,
    SHARE_COLUMNS,
    WHY_NOT_LEADS,
    cached_report,
    period_choice,
    period_table,
    trend_chart,
)
from fatigue.pages._session import get_db, plain, require_lead_or_admin
from fatigue.teamfigures import reports
from fatigue.teamfigures.suggestions import team_suggestions

user = require_lead_or_admin()
db = get_db()

st.title("My team")
k = settings.get_k(db)
st.caption(
    f"Anonymized team figures only: a week is shown when at least {k} people checked in, each "
    "person counts once, shares are rounded, and nobody's answers, scores or notes are ever "
    "shown. Each week is released once, after late check-ins can no longer change it, and "
    "never changes afterwards. Details: PRIVACY.md."
)
st.caption(f"Why your own answers are not in these figures: {WHY_NOT_LEADS}")

teams = reports.viewable_teams(db, user.id)
if not teams:
    st.info("You do not lead a team yet.")
    st.stop()
by_name = {team["name"]: team["id"] for team in teams}
name = st.selectbox("Team", list(by_name), key="team_choice") if len(by_name) > 1 else next(iter(by_name))
period = period_choice("team_period")
report = cached_report(
    ("team", by_name[name], period),
    lambda: reports.team_report(db, by_name[name], period, viewer_id=user.id),
)



def figure(row: pd.Series, column: str, unit: str = "") -> str:
    """A value, with the 95% range of the privacy noise when noise was added."""
    pm = row.get(f"{column}_pm95")
    noise = f" ± {pm:.1f}" if row["dp"] and pd.notna(pm) else ""
    return f"{row[column]:g}{unit}{noise}"


st.header(plain(name))
shown = report[report["shown"]]
if shown.empty:
    reasons = report["hidden_reason"].dropna().unique()
    st.warning(
        "No period can be shown for this team yet. " + " ".join(reasons[:2]),
        icon=":material/visibility_off:",
    )
else:
    latest = shown.iloc[-1]
    st.write(
        f"Latest period shown: **{latest['label']}**. Team size: {latest['team_size_text']}; "
        f"respondents: {latest['respondents_band']}; participation: {latest['participation_text']}"
        + (f"; {latest['weeks_text']}." if isinstance(latest["weeks_text"], str) else ".")
    )
    columns = st.columns(4)
    columns[0].metric("Mean exhaustion (0-10)", figure(latest, "exhaustion"))
    columns[1].metric("Mean empathy (0-10)", figure(latest, "empathy"))
    columns[2].metric("In high strain", latest["high_strain_share_text"],
                      help="Share of respondents whose mean exhaustion in the week was 7 or more.")
    columns[3].metric("Caseload vs standard", figure(latest, "caseload_vs_standard_pct", "%"),
                      help=f"Mean caseload {latest['caseload_mean']:g} against the team's "
                      f"standard of {latest['caseload_standard']:g}.")

    st.subheader("What the team could do")
    suggestions = team_suggestions(report)
    if not suggestions:
        st.write("Nothing in the team figures calls for a team-level step right now.")
    for suggestion in suggestions:
        with st.container(border=True):
            st.markdown(f"**{plain(suggestion['title'])}**")
            st.write(suggestion["reason"])
            for step in suggestion["steps"]:
                st.markdown(f"- {plain(step)}")
            st.caption(f"Based on: {suggestion['source']}")

    st.subheader("Trends")
    trend_chart(report, RATING_COLUMNS, "Team mean ratings per period", "Mean rating (0-10)",
                domain=[0, 10])
    trend_chart(report, SHARE_COLUMNS, "Shares of respondents (rounded)", "Percent",
                domain=[0, 100])
    trend_chart(report, ["crisis_contacts_per_day", "trauma_contacts_per_day"],
                "Crisis and trauma contacts per person per day", "Contacts")
    if report["dp"].any():
        st.caption("Differential privacy is on: each figure has random noise added once "
                   "(± and shaded bands: its 95% range), so that no one person's answers can be "
                   "worked out even with outside knowledge.")

hidden = report[~report["shown"]]
if not hidden.empty:
    st.caption(f"{len(hidden)} of {len(report)} periods are hidden; the table says why.")
st.subheader("All periods")
period_table(report)
