"""My patterns: my usual range, early warnings, direction, drivers (my own data only)."""
from __future__ import annotations


import altair as alt
import pandas as pd
import streamlit as st

from fatigue import accounts, analytics, checkins, workload
from fatigue.pages._cache import personal_cached
from fatigue.pages._session import get_db, local_today, plain, require_user
from fatigue.pages._widgets import status_card
from fatigue.validation import LABELS, RATINGS

user = require_user()
db = get_db()
today = local_today()
standard = accounts.caseload_standard(db, user.id)

st.title("My patterns")
st.caption(
    "Everything here compares your check-ins with your own usual, never with other people. "
    "Only you see this page."
)
history = personal_cached("history", user, lambda: checkins.load_history(db, user.id).drop(columns="note"))
summary = personal_cached(f"summary:{standard}", user,
                          lambda: analytics.personal_summary(history, today, standard))
status_card(summary.status)

# --- usual range -------------------------------------------------------------
st.header("Your usual range")
base = summary.baseline
if not base.ready:
    st.info(base.message, icon=":material/hourglass_top:")
else:
    st.write(base.message)
    st.dataframe(
        pd.DataFrame(
            [{"Rating": LABELS[r.rating], "Usual level": round(r.mean, 1),
              "Usual day-to-day variation": round(r.sd, 1), "Check-ins": r.n}
             for r in base.ratings.values()]
        ),
        hide_index=True,
        width="stretch",
    )

# --- early warnings ----------------------------------------------------------
st.header("Early warnings")
warnings = summary.warnings
if not warnings.signals:
    st.write(warnings.message)
for signal in warnings.signals:
    st.warning(signal.message, icon=":material/visibility:")
st.write(summary.drift.message)
for drift in summary.drift.signals:
    st.warning(drift.message, icon=":material/trending_up:")
if not warnings.chart.empty:
    flagged = [s.rating for s in warnings.signals]
    by_label = {LABELS[r]: r for r in flagged + [r for r in RATINGS if r not in flagged]}
    rating = by_label[st.selectbox("Rating to show", list(by_label), key="ewma_rating")]
    part = warnings.chart[warnings.chart["rating"] == rating]
    base_chart = alt.Chart(part).encode(
        alt.X("day:T", title=None, axis=alt.Axis(format="%a %d %b", tickCount="day"))
    )
    chart = alt.layer(
        base_chart.mark_point(filled=True, opacity=0.5).encode(
            alt.Y("value:Q", title=LABELS[rating], scale=alt.Scale(domain=[0, 10])),
            tooltip=[alt.Tooltip("day:T", format="%a %d %b"), alt.Tooltip("value:Q", title="Check-in")],
        ),
        base_chart.mark_line(strokeWidth=2.5).encode(
            alt.Y("ewma:Q"), tooltip=[alt.Tooltip("ewma:Q", format=".1f", title="Smoothed")]
        ),
        base_chart.mark_line(strokeDash=[2, 2], color="#555").encode(alt.Y("center:Q")),
        base_chart.mark_line(strokeDash=[6, 4], color="#b5473a").encode(alt.Y("limit:Q")),
    ).properties(height=220, title=f"{LABELS[rating]} over the last 7 days")
    st.altair_chart(chart, width="stretch")
    st.caption(
        "Dots: your check-ins. Solid line: your smoothed recent level. Dotted line: your usual "
        "level. Dashed line: the edge of your usual range; a signal needs the solid line beyond it."
    )

# --- direction ---------------------------------------------------------------
st.header("Direction over the last 14 days")
st.dataframe(
    pd.DataFrame(
        [{"Rating": LABELS[t.rating], "Direction": t.direction,
          "Change per week": None if t.slope_per_week is None else round(t.slope_per_week, 1),
          "95% interval": "" if t.low_per_week is None
          else f"{analytics.format_signed(t.low_per_week)} to "
               f"{analytics.format_signed(t.high_per_week)}",
          "Check-ins": t.n}
         for t in summary.trends.values()]
    ),
    hide_index=True,
    width="stretch",
)
st.caption(
    "'Rising' or 'falling' is said only when the whole 95% interval of the robust "
    "(Theil-Sen) slope is on one side of zero; otherwise: no clear change."
)

# --- compassion-fatigue pattern ----------------------------------------------
st.header("Compassion-fatigue pattern")
pattern = summary.compassion_fatigue
if pattern.present:
    st.warning(pattern.message, icon=":material/priority_high:")
else:
    st.write(pattern.message)
st.caption(
    "The pattern: exhaustion and intrusion above your usual level while empathy is below it, "
    "on at least 5 of your last 7 check-ins."
)

# --- workload ------------------------------------------------------------------
st.header("Workload")
recent, in_words = workload.recent_workload(history, today, standard)
if not recent.empty:
    st.altair_chart(
        alt.Chart(recent[["day", "workload_index"]])
        .mark_bar(width=6)
        .encode(alt.X("day:T", title=None), alt.Y("workload_index:Q", title="Workload index"),
                tooltip=[alt.Tooltip("day:T", format="%a %d %b"),
                         alt.Tooltip("workload_index:Q", format=".1f", title="Index")])
        .properties(height=160, title="Daily workload index, last 8 weeks"),
        width="stretch",
    )
st.write(in_words)
with st.expander("How is this calculated?"):
    st.markdown(workload.formula_text(standard))

# --- drivers -------------------------------------------------------------------
st.header("What goes with heavier strain for me")
drivers = summary.drivers
if not drivers.ready:
    st.info(drivers.message, icon=":material/hourglass_top:")
else:
    clear = [r for r in drivers.results if r.clear]
    if clear:
        for result in clear:
            st.markdown(f"- {plain(result.message)}")
    else:
        st.write("None of the workload measures went with a clear difference in your ratings.")
    st.caption(drivers.message)
    if drivers.results:
        frame = pd.DataFrame(
            [{"comparison": f"{r.driver.replace('_', ' ')} → {'next-day ' if r.lag else ''}{r.outcome}",
              "difference": round(r.difference, 2), "low": round(r.low, 2), "high": round(r.high, 2)}
             for r in drivers.results]
        )
        bars = alt.Chart(frame).encode(
            alt.Y("comparison:N", title=None, sort=None, axis=alt.Axis(labelLimit=0))
        )
        st.altair_chart(
            alt.layer(
                bars.mark_rule().encode(alt.X("low:Q", title="Heavier minus lighter days (points)"),
                                        alt.X2("high:Q")),
                bars.mark_point(filled=True, size=60).encode(
                    alt.X("difference:Q"),
                    tooltip=["comparison:N", "difference:Q", "low:Q", "high:Q"]),
                alt.Chart(pd.DataFrame({"x": [0]})).mark_rule(strokeDash=[4, 4]).encode(x="x:Q"),
            ).properties(height=28 * len(frame) + 40,
                         title="Differences with 95% intervals (an interval crossing 0 is not clear)"),
            width="stretch",
        )
    for reason in drivers.skipped:
        st.caption(reason)

st.divider()
st.caption(summary.disclaimer)
