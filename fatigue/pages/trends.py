"""My trends: my own ratings and workload over time, with 7-day means.

The three charts are built by Altair once per process, with named datasets
and no data (:func:`_templates`, the same for everyone); a run only puts this
person's rows and dates into copies of them. The finished charts are kept in
this session per data version, day and period (:func:`personal_cached`), so a
rerun that changes none of these redraws without recomputing anything.
"""
from __future__ import annotations

import datetime as dt
import json
from typing import Any

import altair as alt
import numpy as np
import pandas as pd
import streamlit as st

from fatigue import metrics
from fatigue.pages._cache import own_history, personal_cached
from fatigue.pages._session import get_db, local_today, require_user

RANGES = {"4 weeks": 28, "3 months": 91, "6 months": 182, "1 year": 365, "Custom": None}
FIELDS = ["exhaustion", "empathy", "caseload", "contacts", "crisis_contacts", "trauma_contacts"]
CONTACTS = {"contacts": "All contacts", "crisis_contacts": "Crisis",
            "trauma_contacts": "Traumatic material"}
HEIGHTS = (300, 170, 210)
# Stand-ins for the first and last day shown, replaced in every copy of a template.
FROM, TO = "TRENDS_FROM", "TRENDS_TO"


@st.cache_resource(show_spinner=False)
def _templates() -> tuple[str, str, str]:
    """The three charts as Vega-Lite JSON, built and checked by Altair once per process:
    ratings (daily dots and 7-day means), caseload, and client contacts per day."""
    x = alt.X("day:T", title=None, scale=alt.Scale(domain=[FROM, TO]))
    day_tip = alt.Tooltip("day:T", format="%a %d %b")
    colour = alt.Color("measure:N", title=None, scale=alt.Scale(range=["#b5473a", "#2f6f9f"]),
                       legend=alt.Legend(orient="top"))
    points = (
        alt.Chart(alt.NamedData(name="rating_days"))
        .mark_point(filled=True, opacity=0.45, size=30)
        .encode(x, alt.Y("value:Q", title="Rating (0-10)", scale=alt.Scale(domain=[0, 10])),
                colour, shape=alt.Shape("measure:N", legend=None),
                tooltip=[day_tip, "measure:N", "value:Q"])
    )
    means = (
        alt.Chart(alt.NamedData(name="rating_means"))
        .mark_line(strokeWidth=2.5, invalid="break-paths-show-domains")
        .encode(x, alt.Y("value:Q"), colour, strokeDash=alt.StrokeDash("measure:N", legend=None),
                tooltip=[day_tip, "measure:N",
                         alt.Tooltip("value:Q", format=".1f", title="7-day mean")])
    )
    top = (points + means).properties(
        height=220, title="Exhaustion and empathy: daily (dots) and 7-day mean (lines)")
    caseload = (
        alt.Chart(alt.NamedData(name="caseload"))
        .mark_line(interpolate="step-after", invalid="break-paths-show-domains", color="#555",
                   point=alt.OverlayMarkDef(size=12, color="#555"))
        .encode(x, alt.Y("caseload:Q", title="Active caseload"), tooltip=[day_tip, "caseload:Q"])
        .properties(height=110, title="Caseload")
    )
    contacts = (
        alt.Chart(alt.NamedData(name="contacts"))
        .mark_tick(thickness=3, size=10)
        .encode(x, alt.Y("count:Q", title="Contacts"),
                alt.Color("kind:N", title=None, legend=alt.Legend(orient="top")),
                tooltip=[day_tip, "kind:N", "count:Q"])
        .properties(height=130, title="Client contacts per day")
    )
    return tuple(json.dumps(chart.to_dict()) for chart in (top, caseload, contacts))


def _filled(template: str, start: dt.date, end: dt.date, **datasets: pd.DataFrame) -> dict[str, Any]:
    """A copy of ``template`` showing ``start`` to ``end``, with these rows."""
    text = (template.replace(json.dumps(FROM), json.dumps(start.isoformat()))
            .replace(json.dumps(TO), json.dumps(end.isoformat())))
    return {**json.loads(text), "datasets": datasets}


def _charts(frame: pd.DataFrame, start: dt.date, end: dt.date) -> list[dict[str, Any]]:
    """The three charts for the days from ``start`` to ``end``."""
    top, caseload, contacts = _templates()
    ratings = metrics.long_for_chart(frame, ["exhaustion", "empathy"], start, end)
    inside = frame[(frame["day"] >= pd.Timestamp(start)) & (frame["day"] <= pd.Timestamp(end))]
    counts = pd.DataFrame({  # one row per day and kind with a count (as arrays: cheaper than melt)
        "day": np.tile(inside["day"].to_numpy(), len(CONTACTS)),
        "kind": np.repeat(list(CONTACTS.values()), len(inside)),
        "count": np.concatenate([inside[name].to_numpy(dtype=float) for name in CONTACTS]),
    }).dropna()
    return [
        _filled(top, start, end, rating_days=ratings[ratings["series"] == "daily"],
                rating_means=ratings[ratings["series"] == "7-day mean"]),
        _filled(caseload, start, end, caseload=inside[["day", "caseload"]]),
        _filled(contacts, start, end, contacts=counts),
    ]


user = require_user()
db = get_db()
today = local_today()

st.title("My trends")
st.caption("Only you see this page. Higher always means more of the thing named.")

history = own_history(user)
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

frame = personal_cached("trend means", user, lambda: metrics.rolling_means(history, FIELDS))
charts = personal_cached("trend charts", user, lambda: _charts(frame, start, end), also=(start, end))
# Three charts rather than one vconcat, so each fits its column (a phone included);
# the fixed x domain keeps their time axes aligned.
for spec, height in zip(charts, HEIGHTS):
    st.vega_lite_chart(spec, width="stretch", height=height)

st.subheader("In words")
st.write(personal_cached("trend words", user, lambda: metrics.summary_sentence(history, today)))
shown = history[(history["day"] >= pd.Timestamp(start)) & (history["day"] <= pd.Timestamp(end))]
st.caption(
    f"{len(shown)} check-in{'' if len(shown) == 1 else 's'} from {start:%d %b %Y} to "
    f"{end:%d %b %Y}. A 7-day mean is drawn "
    f"only where those 7 days hold at least {metrics.MIN_POINTS} check-ins; days without a "
    "check-in are left empty, never filled in."
)
