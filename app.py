"""The Streamlit script: who is signed in, then navigation with only the pages they may see.

Served by ``server.py`` (``./run.sh``), which adds the sign-in routes and the
HTTP guard (:mod:`fatigue.web`). Every run resolves the signed-in person from
the session cookie on the server; every page script checks the role again.
"""
from __future__ import annotations

import streamlit as st

from fatigue import accounts, web
from fatigue.errors import NotSaved
from fatigue.pages._gate import (
    first_run_screen,
    forced_change_screen,
    not_served_screen,
    sign_out_button,
    signed_out_screen,
)
from fatigue.pages._health import hold_app_lock, stop_if_damaged
from fatigue.pages._notes_key import stop_if_notes_key_unusable
from fatigue.pages._notices import show_sign_in_notices
from fatigue.pages._private_notes import recovery_code_panel
from fatigue.pages._connection import script_run
from fatigue.pages._session import current_session, current_user, get_db, plain
from fatigue.web.page import FAVICON_DATA_URL

# Every run starts centred; a page may widen itself (the check-in does). The tab
# icon is ours, inline: a :material: icon would make every browser fetch it from
# Google's font server, and a file would go through /media/ (signed-in only).
st.set_page_config(page_title="Caseload check-in", page_icon=FAVICON_DATA_URL,
                   layout="centered")

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

# The connection this run uses stays open until the run ends, even if the browser
# disconnects meanwhile (fatigue.pages._connection).
with script_run():
    # server.py took the app lock at start-up; here too for any other process running this script
    hold_app_lock()
    if st.context.headers and not web.installed():  # a browser, but no sign-in routes
        not_served_screen()
        st.stop()
    stop_if_damaged()  # a damaged database: say how to restore, run no page, write nothing
    stop_if_notes_key_unusable()  # a wrong or missing notes key: say so, run no page
    db = get_db()
    resolved = current_session()  # from the cookie; ends a session past its limits
    user = current_user(resolved)
    if user is None or resolved.session is None:
        # A hidden navigation replaces the previous user's menu; no page is run.
        st.navigation(PERSONAL + TEAM + ADMIN, position="hidden")
        if accounts.has_users(db):
            signed_out_screen(resolved)
        else:
            first_run_screen()
        st.stop()
    if user.must_change_password:  # after an admin reset: no page runs until it is changed
        st.navigation(PERSONAL + TEAM + ADMIN, position="hidden")
        forced_change_screen(user, resolved.session)
        st.stop()

    show_sign_in_notices(user)  # e.g. an admin changed the person's single sign-on email
    recovery_code_panel(resolved.session)  # a new private-notes key: its code, shown once
    pages = (PERSONAL + (TEAM if user.is_lead or user.is_admin else [])
             + (ADMIN if user.is_admin else []))

    with st.sidebar:
        st.markdown(f"Signed in as **{plain(user.name)}**")
        sign_out_button()

    try:
        st.navigation(pages).run()
    except NotSaved:  # a storage failure no form caught: plainly, never a traceback
        st.error(NotSaved.MESSAGE, icon=":material/error:")
