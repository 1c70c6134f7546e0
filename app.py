"""Entry point: ``streamlit run app.py``.

Login gate, then navigation with only the pages the signed-in user may see.
Every page script checks the role again on the server.
"""
from __future__ import annotations

import streamlit as st

from fatigue import accounts
from fatigue.errors import NotSaved
from fatigue.pages._gate import first_run_screen, forced_change_screen, login_screen
from fatigue.pages._health import hold_app_lock, stop_if_damaged
from fatigue.pages._notes_key import stop_if_notes_key_unusable
from fatigue.pages._notices import show_sign_in_notices
from fatigue.pages._session import current_user, enforce_idle_timeout, get_db, plain, sign_out

# Every run starts centred; a page may widen itself (the check-in does).
st.set_page_config(
    page_title="Caseload check-in", page_icon=":material/self_improvement:", layout="centered"
)

PERSONAL = [
    st.Page("fatigue/pages/home.py", title="Home", icon=":material/home:", default=True),
    st.Page("fatigue/pages/checkin.py", title="Check-in", icon=":material/edit_note:"),
    st.Page("fatigue/pages/trends.py", title="My trends", icon=":material/show_chart:"),
    st.Page("fatigue/pages/insights.py", title="My patterns", icon=":material/insights:"),
    st.Page("fatigue/pages/questionnaires.py", title="Questionnaires", icon=":material/assignment:"),
    st.Page("fatigue/pages/actions.py", title="Suggestions", icon=":material/lightbulb:"),
    st.Page("fatigue/pages/summary.py", title="Supervision summary", icon=":material/summarize:"),
    st.Page("fatigue/pages/account.py", title="My account", icon=":material/person:"),
]
TEAM = [st.Page("fatigue/pages/team.py", title="My team", icon=":material/groups:")]
ADMIN = [
    st.Page("fatigue/pages/organisation.py", title="Organisation", icon=":material/domain:"),
    st.Page("fatigue/pages/admin.py", title="Teams and accounts", icon=":material/group:"),
]

hold_app_lock()  # held for the process's life: a restore or key rotation refuses meanwhile
stop_if_damaged()  # a damaged database: say how to restore, run no page, write nothing
stop_if_notes_key_unusable()  # a wrong or missing notes key: say so, run no page
db = get_db()
enforce_idle_timeout()  # signs out a session idle longer than session_idle_minutes
user = current_user()
if user is None:
    # A hidden navigation replaces the previous user's menu; no page is run.
    st.navigation(PERSONAL + TEAM + ADMIN, position="hidden")
    if accounts.has_users(db):
        login_screen()
    else:
        first_run_screen()
    st.stop()
if user.must_change_password:  # after an admin reset: no page runs until it is changed
    st.navigation(PERSONAL + TEAM + ADMIN, position="hidden")
    forced_change_screen(user)
    st.stop()

show_sign_in_notices(user)  # e.g. an admin changed the person's single sign-on email
pages = PERSONAL + (TEAM if user.is_lead or user.is_admin else []) + (ADMIN if user.is_admin else [])

with st.sidebar:
    st.markdown(f"Signed in as **{plain(user.name)}**")
    if st.button("Log out", icon=":material/logout:", key="logout"):
        if sign_out() == "sso":
            st.logout()  # also forget the identity-provider cookie
            st.stop()
        st.rerun()

try:
    st.navigation(pages).run()
except NotSaved:  # a storage failure no form caught: plainly, never a traceback
    st.error(NotSaved.MESSAGE, icon=":material/error:")
