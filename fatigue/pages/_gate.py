"""The screens before a page: first run (empty database), login (with optional
single sign-on) and the new password that an admin reset asks for."""
from __future__ import annotations

import streamlit as st

from fatigue import accounts, firstrun, sso
from fatigue.errors import AuthError, ValidationError
from fatigue.accounts import User
from fatigue.pages._session import FLASH_KEY, get_db, plain, sign_in, sign_out

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
            "Password", type="password",
            help=f"At least {accounts.MIN_PASSWORD_CHARS} characters, not a common password.",
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


SSO_REFUSED_KEY = "sso_refused"


def sso_providers() -> list[tuple[str | None, str]]:
    """The single sign-on providers configured in secrets (``[auth]``), or none: also none,
    with the reason shown, while the cookie secret is unsafe (no identity cookie is trusted)."""
    try:
        section = st.secrets.get("auth")
    except (FileNotFoundError, KeyError, TypeError, ValueError):
        return []
    found = sso.providers(section)
    problem = sso.cookie_secret_problem(section.get("cookie_secret")) if found else None
    if problem is not None:
        st.warning(problem, icon=":material/key_off:")
        return []
    return found


def _single_sign_on(providers: list[tuple[str | None, str]]) -> None:
    """Sign in the identity that came back from the provider, or offer the buttons."""
    claims = st.user.to_dict()
    if claims.get("is_logged_in") is True and SSO_REFUSED_KEY not in st.session_state:
        try:
            user = sso.user_for(get_db(), claims)
        except AuthError as exc:
            st.session_state[SSO_REFUSED_KEY] = str(exc)  # once per session, not per run
        else:
            sign_in(user, method="sso")
            st.rerun()
    refused = st.session_state.get(SSO_REFUSED_KEY)
    if refused and claims.get("is_logged_in") is True:
        st.error(plain(refused))
        if st.button("Sign out of single sign-on", key="sso_logout"):
            st.session_state.pop(SSO_REFUSED_KEY, None)
            st.logout()
            st.stop()
        return
    for name, label in providers:
        if st.button(f"Sign in with {label}", key=f"sso_login_{name or 'default'}",
                     icon=":material/login:"):
            st.login(name)
    st.caption("Or log in with a username and password:")


def login_screen() -> None:
    """Username and password; one message for every kind of failure."""
    st.title("Caseload check-in")
    st.caption("A private self-monitoring tool for burnout and compassion fatigue.")
    flash = st.session_state.pop(FLASH_KEY, None)
    if flash:
        st.success(flash)
    providers = sso_providers()
    if providers:
        _single_sign_on(providers)
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


def forced_change_screen(user: User) -> None:
    """After an admin reset: choose a new password; no page runs until done."""
    st.title("Choose a new password")
    st.write(
        f"Hello, {plain(user.name)}. An admin set the password you just used, so they know "
        "it. Choose your own before you continue; only you will know it."
    )
    with st.form("forced_change", clear_on_submit=True):
        new = st.text_input(
            "New password", type="password", key="forced_new", autocomplete="new-password",
            help=f"At least {accounts.MIN_PASSWORD_CHARS} characters, not a common password; "
            "a few unrelated words work well.",
        )
        repeat = st.text_input("Repeat new password", type="password", key="forced_repeat",
                               autocomplete="new-password")
        submitted = st.form_submit_button("Save my new password", type="primary",
                                          key="forced_submit")
    if submitted:
        if new != repeat:
            st.error("The two new passwords differ.")
        else:
            try:
                accounts.complete_forced_change(get_db(), user.id, new)
            except ValidationError as exc:
                for message in exc.errors.values():
                    st.error(message)
            else:
                st.rerun()
    if st.button("Log out", key="forced_logout", icon=":material/logout:"):
        if sign_out() == "sso":
            st.logout()
            st.stop()
        st.rerun()
