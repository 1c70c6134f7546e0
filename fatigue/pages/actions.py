"""Suggestions: boundary, supervision and recovery actions, with why each appears now."""
from __future__ import annotations

import datetime as dt

import streamlit as st

from fatigue import actions
from fatigue.errors import ValidationError
from fatigue.pages._session import get_db, local_today, plain, require_user
from fatigue.pages._widgets import urgent_panel

user = require_user()
db = get_db()
today = local_today()

st.title("Suggestions")
st.caption(
    "Small, concrete steps for looking after yourself at work, each with the reason it shows up "
    "now, from your own check-ins. Plan one, mark it done, or put it aside: nothing is sent to "
    "anyone, and nothing nags."
)
flash = st.session_state.pop("actions_flash", None)
if flash:
    st.success(flash, icon=":material/check_circle:")  # our own words and titles only


def act(label: str, call, *args, **kwargs) -> None:
    """Run one action; on success say so and redraw, on bad input show why."""
    try:
        call(db, user.id, *args, today, **kwargs)
    except ValidationError as exc:
        for message in exc.errors.values():
            st.error(plain(message))
    else:
        st.session_state["actions_flash"] = label
        st.rerun()


shown = actions.evaluate(db, user.id, today)
urgent = next((s for s in shown if s.urgent), None)
if urgent:
    urgent_panel(urgent)

# --- follow-ups of things done ------------------------------------------------------
for follow in actions.follow_up(db, user.id, today):
    with st.container(border=True):
        st.markdown(f"**Since you did: {plain(follow.title)}**")
        st.write(follow.message)
        for change in follow.changes:
            st.markdown(f"- {plain(change.message)}")
        st.caption(follow.caveat)

# --- open plans -----------------------------------------------------------------------
plans = actions.open_plans(db, user.id)
if plans:
    st.header("What I plan to do")
    for item in plans:
        with st.container(border=True):
            when = f" (for {item['planned_for']})" if item.get("planned_for") else ""
            st.markdown(f"**{plain(item['title'])}**{plain(when)}")
            for step in item["steps"]:
                st.markdown(f"- {plain(step)}")
            left, right = st.columns(2)
            if left.button("Done", key=f"done_plan_{item['suggestion_id']}", icon=":material/check:"):
                act(f"Marked done: {item['title']}.", actions.mark_done, item["suggestion_id"])
            if right.button("Not now", key=f"later_plan_{item['suggestion_id']}"):
                act(f"Put aside for now: {item['title']}.", actions.not_now, item["suggestion_id"])

# --- suggestions ----------------------------------------------------------------------
st.header("Suggested now")
regular = [s for s in shown if not s.urgent]
if not regular:
    st.write(
        "Nothing stands out in your recent check-ins. Suggestions appear here when your own "
        "figures point to one, with the reason."
    )
for item in regular:
    with st.container(border=True):
        st.markdown(f"**{plain(item.title)}** · {plain(item.category_label)}")
        st.markdown(f"*Why now:* {plain(item.why_now)}")
        for step in item.steps:
            st.markdown(f"- {plain(step)}")
        request = item.extra.get("request")
        if request:
            st.text_area("A draft request to bring to your supervisor (edit it as you like)",
                         value=request, key=f"request_{item.id}", height=160)
        st.caption(f"Based on: {item.source}")
        first, second, third, fourth = st.columns([1.3, 1.2, 1, 1.4], vertical_alignment="bottom")
        planned_for = first.date_input(
            "For (optional)", value=None, min_value=today,
            max_value=today + dt.timedelta(days=actions.MAX_PLAN_AHEAD_DAYS),
            key=f"when_{item.id}", format="YYYY-MM-DD",
        )
        if second.button("I'll do this", key=f"plan_{item.id}", type="primary"):
            act(f"Planned: {item.title}.", actions.plan, item.id, planned_for=planned_for)
        if third.button("Done", key=f"done_{item.id}"):
            act(f"Marked done: {item.title}. In two weeks you will see how things moved.",
                actions.mark_done, item.id)
        if fourth.button("Not now", key=f"later_{item.id}",
                         help=f"It can come back after {item.cooldown_days} days."):
            act(f"Put aside for now: {item.title}.", actions.not_now, item.id)
        if st.button("Not relevant to me", key=f"mute_{item.id}",
                     help="Hides suggestions from this rule until you switch it back on below."):
            act(f"You will not see '{item.title}' again unless you switch it back on.",
                actions.not_relevant, item.id)

# --- muted and history -----------------------------------------------------------------
muted = actions.muted(db, user.id)
if muted:
    with st.expander(f"Switched off ({len(muted)})"):
        for entry in muted:
            left, right = st.columns([3, 1])
            left.write(f"{entry['title']} (since {entry['muted_on']})")
            if right.button("Switch back on", key=f"unmute_{entry['rule']}"):
                act(f"Switched back on: {entry['title']}.", actions.unmute, entry["rule"])

past = actions.history(db, user.id)
if not past.empty:
    with st.expander("My history of actions"):
        st.dataframe(
            past[["acted_on", "title", "status_label", "planned_for"]].rename(
                columns={"acted_on": "Date", "title": "Suggestion", "status_label": "What I did",
                         "planned_for": "Planned for"}),
            hide_index=True,
            width="stretch",
        )
