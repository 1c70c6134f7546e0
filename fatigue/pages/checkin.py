"""Daily check-in: the quick form for today, or for a day up to a week back."""
from __future__ import annotations

import streamlit as st

from fatigue import checkins
from fatigue.dates import day_text
from fatigue.errors import ValidationError
from fatigue.pages import _checkin_form
from fatigue.pages._session import get_db, local_today, require_session
from fatigue.validation import BACKFILL_DAYS

user, session = require_session()
db = get_db()
earliest, today = checkins.form_window(db, local_today())

st.title("Daily check-in")
# The form first, as on Home (Save in view without scrolling); the day below it.
form_area = st.container()
day = st.date_input(
    "Check in for another day",
    value=today,
    min_value=earliest,
    max_value=today,
    format="YYYY-MM-DD",
    help=f"Today, or up to {BACKFILL_DAYS} days back if you missed a day.",
    key="checkin_day",
)
try:  # the calendar offers only these days; anything else was not sent by it
    checkins.check_form_day(db, day, local_today())
except ValidationError as exc:
    with form_area:
        st.error(f"Choose the day in the calendar: {exc.errors['day']}", icon=":material/error:")
    st.stop()
with form_area:
    if checkins.get_checkin(db, user.id, day) and not _checkin_form.just_saved(day):
        st.info(f"You already checked in for {day_text(day)}. Saving again updates that check-in.",
                icon=":material/edit:")
    _checkin_form.draw(db, user, session, day, today=today, local_today=local_today(),
                       heading=f"Check-in for {day_text(day)}")
