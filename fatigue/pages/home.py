"""Home: today's check-in, my status card, and what is due."""
from __future__ import annotations


import streamlit as st

from fatigue import accounts, actions, analytics, checkins, questionnaires
from fatigue.pages._cache import personal_cached
from fatigue.pages._session import get_db, local_today, plain, require_user
from fatigue.pages._widgets import status_card, urgent_panel

user = require_user()
db = get_db()
today = local_today()

st.title(f"Hello, {plain(user.name)}")
shown = actions.evaluate(db, user.id, today)
urgent = next((item for item in shown if item.urgent), None)
if urgent:
    urgent_panel(urgent)

st.subheader("Today")
if checkins.get_checkin(db, user.id, today):
    st.success("You have checked in today. You can still change it.", icon=":material/check:")
    st.page_link("fatigue/pages/checkin.py", label="Change today's check-in", icon=":material/edit:")
else:
    st.info("You have not checked in today yet. It takes under a minute.", icon=":material/schedule:")
    st.page_link("fatigue/pages/checkin.py", label="Check in now", icon=":material/edit_note:")

st.subheader("How things look")
standard = accounts.caseload_standard(db, user.id)
history = personal_cached("history", user, lambda: checkins.load_history(db, user.id).drop(columns="note"))
summary = personal_cached(f"summary:{standard}", user,
                          lambda: analytics.personal_summary(history, today, standard))
status_card(summary.status)
st.page_link("fatigue/pages/insights.py", label="See what is behind this", icon=":material/insights:")
waiting = [item for item in shown if not item.urgent]
if waiting:
    st.page_link(
        "fatigue/pages/actions.py",
        label=f"{len(waiting)} suggestion{'s' if len(waiting) != 1 else ''} for you, each with its reason",
        icon=":material/lightbulb:",
    )

st.subheader("Questionnaires")
due = questionnaires.due(db, user.id, today)
for entry in due:
    st.info(f"Due: {entry['name']}. {entry['reason']}", icon=":material/assignment:")
if not due:
    st.write("No questionnaire is due. The next ones are offered on their usual schedule.")
st.page_link("fatigue/pages/questionnaires.py", label="Open questionnaires", icon=":material/assignment:")
