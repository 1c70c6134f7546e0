"""The screens before a page: first run (empty database) and login."""
from __future__ import annotations

import streamlit as st

from fatigue import accounts, firstrun
from fatigue.errors import AuthError, ValidationError
from fatigue.pages._session import get_db, sign_in

NOT_A_DIAGNOSIS = (
    "This tool supports reflection and conversation. It does not diagnose anything: "
    "burnout is an occupational phenomenon, not a medical condition (WHO ICD-11 QD85)."
)


def first_run_screen() -> None:
    """Shown while the database has no accounts: create an admin or load the demo."""
    db = get_db()
    firstrun.announce()
    st.title("Set up the check-in tool")
    st.write(
        "This database has no accounts yet. Create the first admin account for your "
        "agency, or load the demo agency to try the tool with synthetic data."
    )
    code = st.text_input(
        "Set-up code", key="setup_code",
        help="Printed in the terminal where the app was started (or set with FATIGUE_SETUP_CODE). "
        "It makes sure only the person running the server can set it up.",
    )
    code_ok = firstrun.check(code)
    with st.form("first_admin"):
        st.subheader("Create the first admin account")
        team = st.text_input("First team name", max_chars=80, help="You can add more teams later.")
        username = st.text_input("Username", max_chars=40, help="Lower-case letters, digits, dots, dashes.")
        name = st.text_input("Display name (optional)", max_chars=80)
        password = st.text_input(
            "Password", type="password", help=f"At least {accounts.MIN_PASSWORD_CHARS} characters."
        )
        repeat = st.text_input("Repeat password", type="password")
        create = st.form_submit_button("Create admin account", type="primary")
    if create:
        if not code_ok:
            st.error("Enter the set-up code shown in the terminal where the app was started.")
        elif password != repeat:
            st.error("The two passwords differ.")
        else:
            try:
                with db.atomic():
                    if accounts.has_users(db):  # another browser finished first
                        raise ValidationError({"setup": "This database has just been set up; please log in."})
                    team_id = accounts.create_team(db, team)
                    user_id = accounts.create_user(
                        db, username, password, team=team_id, is_admin=True, display_name=name
                    )
            except ValidationError as exc:
                for message in exc.errors.values():
                    st.error(message)
            else:
                user = accounts.get_user(db, user_id)
                assert user is not None
                sign_in(user)
                st.rerun()

    st.subheader("Or load the demo agency")
    st.write(
        "Four fictional teams with six months of synthetic check-ins. Every demo account "
        "uses the same demo-only password, shown after loading. Do not use it for real data."
    )
    if st.button("Load demo agency"):
        from fatigue import demo

        if not code_ok:
            st.error("Enter the set-up code shown in the terminal where the app was started.")
            st.stop()
        try:
            with st.spinner("Creating the demo agency..."):
                demo.build_demo(db)
        except ValidationError:  # someone else set the database up meanwhile
            st.rerun()
        st.session_state["flash"] = (
            f"Demo agency loaded. Log in as a demo user (for example 'admin'); "
            f"the demo-only password is '{demo.DEMO_PASSWORD}'."
        )
        st.rerun()


def login_screen() -> None:
    """Username and password; one message for every kind of failure."""
    st.title("Caseload check-in")
    st.caption("A private self-monitoring tool for burnout and compassion fatigue.")
    flash = st.session_state.pop("flash", None)
    if flash:
        st.success(flash)
    with st.form("login"):
        username = st.text_input("Username", key="login_username", autocomplete="username")
        password = st.text_input(
            "Password", type="password", key="login_password", autocomplete="current-password"
        )
        submitted = st.form_submit_button("Log in", type="primary", key="login_submit")
    if submitted:
        try:
            user = accounts.authenticate(get_db(), username, password)
        except AuthError as exc:
            st.error(str(exc))
        else:
            sign_in(user)
            st.rerun()
    st.caption(NOT_A_DIAGNOSIS)
