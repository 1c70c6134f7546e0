"""My trends: my own ratings and workload over time, with 7-day means."""
from __future__ import annotations

import datetime as dt

import altair as alt
import pandas as pd
import streamlit as st

from fatigue import checkins, metrics
from fatigue.pages._cache import personal_cached
from fatigue.pages._session import get_db, local_today, require_user

RANGES = {"4 weeks": 28, "3 months": 91, "6 months": 182, "1 year": 365, "Custom": None}

user = require_user()
db = get_db()
today = local_today()

st.title("My trends")
st.caption("Only you see this page. Higher always means more of the thing named.")

history = personal_cached("history", user, lambda: checkins.load_history(db, user.id).drop(columns="note"))
if history.empty:
    st.info("No check-ins yet. After your first check-in your trends appear here.")
    st.stop()

choice = st.segmented_control("Period", list(RANGES), default="3 months", key="trend_range")
first_day = history["day"].min().date()
if choice == "Custom":
    picked = st.date_input(
        "From and to",
        value=(max(first_day, today - dt.timedelta(days=90)), today),
        min_value=first_day,
        max_value=today,
        format="YYYY-MM-DD",
        key="trend_custom",
    )
    start, end = (picked[0], picked[1]) if len(picked) == 2 else (picked[0], today)
else:
    start, end = today - dt.timedelta(days=RANGES[choice or "3 months"] - 1), today

frame = metrics.rolling_means(history, ["exhaustion", "empathy", "caseload", "contacts",
                                        "crisis_contacts", "trauma_contacts"])
x = alt.X("day:T", title=None, scale=alt.Scale(domain=[start.isoformat(), end.isoformat()]))

ratings = metrics.long_for_chart(frame, ["exhaustion", "empathy"], start, end)
colour = alt.Color("measure:N", title=None, scale=alt.Scale(range=["#b5473a", "#2f6f9f"]),
                   legend=alt.Legend(orient="top"))
points = (
    alt.Chart(ratings[ratings["series"] == "daily"])
    .mark_point(filled=True, opacity=0.45, size=30)
    .encode(x, alt.Y("value:Q", title="Rating (0-10)", scale=alt.Scale(domain=[0, 10])),
            colour, shape=alt.Shape("measure:N", legend=None),
            tooltip=[alt.Tooltip("day:T", format="%a %d %b"), "measure:N", "value:Q"])
)
means = (
    alt.Chart(ratings[ratings["series"] == "7-day mean"])
    .mark_line(strokeWidth=2.5, invalid="break-paths-show-domains")
    .encode(x, alt.Y("value:Q"), colour, strokeDash=alt.StrokeDash("measure:N", legend=None),
            tooltip=[alt.Tooltip("day:T", format="%a %d %b"), "measure:N",
                     alt.Tooltip("value:Q", format=".1f", title="7-day mean")])
)
top = (points + means).properties(height=220, title="Exhaustion and empathy: daily (dots) and 7-day mean (lines)")

inside = frame[(frame["day"] >= pd.Timestamp(start)) & (frame["day"] <= pd.Timestamp(end))]
load = inside[["day", "caseload"]]
caseload = (
    alt.Chart(load)
    .mark_line(interpolate="step-after", invalid="break-paths-show-domains", color="#555",
               point=alt.OverlayMarkDef(size=12, color="#555"))
    .encode(x, alt.Y("caseload:Q", title="Active caseload"),
            tooltip=[alt.Tooltip("day:T", format="%a %d %b"), "caseload:Q"])
    .properties(height=110, title="Caseload")
)
contacts_long = inside.melt(
    id_vars="day", value_vars=["contacts", "crisis_contacts", "trauma_contacts"],
    var_name="kind", value_name="count",
).dropna()
contacts_long["kind"] = contacts_long["kind"].map(
    {"contacts": "All contacts", "crisis_contacts": "Crisis", "trauma_contacts": "Traumatic material"}
)
contacts = (
    alt.Chart(contacts_long)
    .mark_tick(thickness=3, size=10)
    .encode(x, alt.Y("count:Q", title="Contacts"),
            alt.Color("kind:N", title=None, legend=alt.Legend(orient="top")),
            tooltip=[alt.Tooltip("day:T", format="%a %d %b"), "kind:N", "count:Q"])
    .properties(height=130, title="Client contacts per day")
)
# Three charts rather than one vconcat, so each fits its column (a phone included);
# the fixed x domain keeps their time axes aligned.
for chart, height in ((top, 300), (caseload, 170), (contacts, 210)):
    st.altair_chart(chart, width="stretch", height=height)

st.subheader("In words")
st.write(metrics.summary_sentence(history, today))
shown = history[(history["day"] >= pd.Timestamp(start)) & (history["day"] <= pd.Timestamp(end))]
st.caption(
    f"{len(shown)} check-in{'' if len(shown) == 1 else 's'} from {start:%d %b %Y} to "
    f"{end:%d %b %Y}. A 7-day mean is drawn "
    f"only where those 7 days hold at least {metrics.MIN_POINTS} check-ins; days without a "
    "check-in are left empty, never filled in."
)
