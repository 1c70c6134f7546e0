"""My patterns: the last two weeks against my usual, direction, workload, what goes with strain."""
from __future__ import annotations


import altair as alt
import pandas as pd
import streamlit as st

from fatigue import accounts, analytics, workload
from fatigue.pages._cache import own_history, own_summary
from fatigue.pages._session import get_db, local_today, plain, require_user
from fatigue.pages._widgets import status_card
from fatigue.validation import LABELS, RATINGS

ARROWS = {"rising": "↗ rising", "falling": "↘ falling", "no clear change": "→ no clear change",
          "too few check-ins to tell": "too few check-ins to tell"}

user = require_user()
db = get_db()
today = local_today()
standard = accounts.caseload_standard(db, user.id)

st.title("My patterns")
st.caption(
    "Everything here compares your check-ins with your own usual, never with other people. "
    "Only you see this page. Ratings are points out of 10."
)
history, summary = own_history(user), own_summary(user)
status_card(summary.status)

# --- the last two weeks against your usual --------------------------------------
st.header("Your usual and the last two weeks")
usual = summary.usual
if not usual.ready:
    st.info(usual.message, icon=":material/hourglass_top:")
else:
    st.write(usual.message)
    st.dataframe(
        pd.DataFrame(
            [{"Rating": LABELS[level.rating],
              "Your usual (points)": round(level.usual_mean, 1),
              "Last two weeks (points)": None if level.recent_mean is None
              else round(level.recent_mean, 1),
              "Change": level.change,
              "Compared with your usual range": level.state}
             for level in summary.levels]
        ),
        hide_index=True,
        width="stretch",
    )
    warnings = summary.warnings
    for signal in warnings.signals:
        st.warning(signal.message, icon=":material/visibility:")
    if not warnings.signals:
        st.write(warnings.message)
    if not warnings.chart.empty:
        flagged = [s.rating for s in warnings.signals]
        by_label = {LABELS[r]: r for r in flagged + [r for r in RATINGS if r not in flagged]
                    if r in set(warnings.chart["rating"])}
        rating = by_label[st.selectbox("Rating to show", list(by_label), key="pattern_rating")]
        part = warnings.chart[warnings.chart["rating"] == rating]
        base_chart = alt.Chart(part).encode(
            alt.X("day:T", title=None, axis=alt.Axis(format="%a %d %b", tickCount="day"))
        )
        chart = alt.layer(
            base_chart.mark_point(filled=True, opacity=0.5).encode(
                alt.Y("value:Q", title=f"{LABELS[rating]} (points)",
                      scale=alt.Scale(domain=[0, 10])),
                tooltip=[alt.Tooltip("day:T", format="%a %d %b", title="Day"),
                         alt.Tooltip("value:Q", title="Check-in")],
            ),
            base_chart.mark_line(strokeWidth=2.5).encode(
                alt.Y("smoothed:Q"),
                tooltip=[alt.Tooltip("smoothed:Q", format=".1f", title="Smoothed")]
            ),
            base_chart.mark_line(strokeDash=[2, 2], color="#555").encode(alt.Y("center:Q")),
            base_chart.mark_line(strokeDash=[6, 4], color="#b5473a").encode(alt.Y("limit:Q")),
        ).properties(height=220, title=f"{LABELS[rating]}, last two weeks")
        st.altair_chart(chart, width="stretch")
        st.caption(
            "Dots: your check-ins. Solid line: your recent level, smoothed so one odd day does "
            "not count. Dotted line: your usual. Dashed line: the edge of your usual range; a "
            "change is pointed out when the solid line goes past it."
        )

# --- direction ---------------------------------------------------------------
st.header("Direction over the last two weeks")
st.dataframe(
    pd.DataFrame(
        [{"Rating": LABELS[t.rating], "Direction": ARROWS[t.direction],
          "Change (points a week)": None if t.slope_per_week is None
          else analytics.format_signed(t.slope_per_week),
          "Likely range (points a week)": "" if t.low_per_week is None
          else f"{analytics.format_signed(t.low_per_week)} to "
               f"{analytics.format_signed(t.high_per_week)}",
          "Check-ins": t.n}
         for t in summary.trends.values()]
    ),
    hide_index=True,
    width="stretch",
)
st.caption(
    "Rising or falling is said only when the whole likely range is on one side of zero. "
    "Ratings carry over from day to day, so two weeks often cannot show a clear direction."
)

# --- the combined pattern ------------------------------------------------------
st.header(analytics.PATTERN_NAME)
pattern = summary.pattern
if pattern.present:
    st.warning(pattern.message, icon=":material/priority_high:")
else:
    st.write(pattern.message)
st.caption(
    "Looked at on your last 7 check-ins, against your usual. It describes your own ratings, "
    "nothing more, and on its own it never changes the card at the top."
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
    for result in clear:
        st.markdown(f"- {plain(result.message)}")
    if not clear:
        st.write("None of the workload measures went with a clear difference in your ratings.")
    st.caption(drivers.message)
    if drivers.results:
        frame = pd.DataFrame(
            [{"comparison": f"{analytics.DRIVER_NAMES[r.driver]} → {LABELS[r.outcome].lower()}"
                            f" ({'next day' if r.lag else 'same day'})",
              "difference": round(r.difference, 1), "low": round(r.low, 1),
              "high": round(r.high, 1), "clear": "clear link" if r.clear else "no clear link"}
             for r in drivers.results]
        )
        bars = alt.Chart(frame).encode(
            alt.Y("comparison:N", title=None, sort=None, axis=alt.Axis(labelLimit=0))
        )
        st.altair_chart(
            alt.layer(
                bars.mark_rule().encode(
                    alt.X("low:Q", title="Heavier minus lighter days (points)"), alt.X2("high:Q")),
                bars.mark_point(filled=True, size=60).encode(
                    alt.X("difference:Q"), alt.Shape("clear:N", title=None),
                    tooltip=[alt.Tooltip("comparison:N", title="Comparison"),
                             alt.Tooltip("difference:Q", title="Difference (points)"),
                             alt.Tooltip("low:Q", title="From"), alt.Tooltip("high:Q", title="To"),
                             alt.Tooltip("clear:N", title="Link")]),
                alt.Chart(pd.DataFrame({"x": [0]})).mark_rule(strokeDash=[4, 4]).encode(x="x:Q"),
            ).properties(height=28 * len(frame) + 40,
                         title="Every comparison, with the range chance allows (crossing 0: no clear link)"),
            width="stretch",
        )
        with st.expander(f"All {len(drivers.results)} comparisons in words"):
            for result in drivers.results:
                st.markdown(f"- {plain(result.message)}")
    for reason in drivers.skipped:
        st.caption(reason)

st.divider()
st.caption(summary.disclaimer)
