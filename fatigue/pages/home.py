"""Home: today's check-in form first (until it is done), my status card, what is due."""
from __future__ import annotations


import streamlit as st

from fatigue import actions, checkins, questionnaires
from fatigue.dates import day_text
from fatigue.pages import _checkin_form
from fatigue.pages._cache import own_history, own_summary
from fatigue.pages._session import get_db, local_today, plain, require_session
from fatigue.pages._widgets import status_card, urgent_panel

user, session = require_session()
db = get_db()
today = local_today()

st.title(f"Hello, {plain(user.name)}")
history, summary = own_history(user), own_summary(user)
shown = actions.evaluate(db, user.id, today, history=history, summary=summary)
urgent = next((item for item in shown if item.urgent), None)
if urgent:
    urgent_panel(urgent)

_, form_day = checkins.form_window(db, today)
if checkins.get_checkin(db, user.id, form_day) and not _checkin_form.just_saved(form_day):
    st.subheader("Today")
    st.success("You have checked in today. You can still change it.", icon=":material/check:")
    st.page_link("fatigue/pages/checkin.py", label="Change today's check-in", icon=":material/edit:")
else:
    # The quick form itself, for today: no extra tap between opening the app and answering.
    _checkin_form.draw(db, user, session, form_day, today=form_day, local_today=today,
                       heading=f"Today's check-in, {day_text(form_day)}")

st.subheader("How things look")
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
