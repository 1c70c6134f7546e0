"""Organisation overview (admins only): all teams side by side and agency totals."""
from __future__ import annotations

import altair as alt
import streamlit as st

from fatigue import settings
from fatigue.pages._reports import TABLE, WHY_NOT_LEADS, cached_report, period_choice
from fatigue.pages._session import get_db, plain, require_admin
from fatigue.teamfigures import reports, rules

admin = require_admin()
db = get_db()

st.title("Organisation")
st.caption(
    f"Anonymized figures per team and for the agency. A team is shown for a week when at "
    f"least {settings.get_k(db)} of its people checked in; smaller teams are combined when "
    "together they are large enough, and otherwise left out of the total, so no hidden team "
    "can be worked out by subtraction. Each week is released once and never changes."
)
st.caption(f"Why admins' and leads' own answers are not in these figures: {WHY_NOT_LEADS}")
period = period_choice("org_period")
report = cached_report(("org", period), lambda: reports.org_report(db, period, viewer_id=admin.id))

released = report[report["hidden_code"] != rules.NOT_FINAL]
if released.empty:
    st.info("No week has been released yet: a week is released once it has ended and "
            "late check-ins can no longer change it.")
    st.stop()
latest_start = released["period_start"].max()
latest = report[report["period_start"] == latest_start]
st.header(f"Latest released period: {latest['label'].iloc[0]}")
columns = {"team": "Group", "scope_text": "Covers", **TABLE}
del columns["label"]
st.dataframe(latest[list(columns)].rename(columns=columns), hide_index=True, width="stretch")

st.header("Exhaustion over time")
shown = report[report["shown"]][["period_start", "label", "team", "exhaustion"]]
if shown.empty:
    st.caption("No group can be shown yet.")
else:
    st.altair_chart(
        alt.Chart(shown).mark_line(point=True).encode(
            alt.X("period_start:T", title=None),
            alt.Y("exhaustion:Q", title="Mean exhaustion (0-10)", scale=alt.Scale(domain=[0, 10])),
            alt.Color("team:N", title=None, legend=alt.Legend(orient="top")),
            alt.Shape("team:N", legend=None),
            tooltip=[alt.Tooltip("label:N", title="Period"), "team:N", "exhaustion:Q"],
        ).properties(height=240),
        width="stretch",
    )
    top = shown[shown["period_start"] == shown["period_start"].max()].sort_values("exhaustion")
    st.write(
        "In the latest shown period, mean exhaustion was "
        + "; ".join(f"{plain(row.team)} {row.exhaustion:g}" for row in top.itertuples()) + "."
    )
