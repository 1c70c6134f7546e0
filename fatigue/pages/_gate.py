"""The screens before a page: first run (empty database), signed out (with the way
back to the sign-in page, fatigue.web.signin) and the new password that an admin
reset asks for; and the sign-out button."""
from __future__ import annotations

import html

import streamlit as st

from fatigue import accounts, firstrun, note_keys, sessions, settings
from fatigue.errors import ValidationError
from fatigue.accounts import User
from fatigue.pages._session import FLASH_KEY, browser_token, get_db, plain


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
        support = st.text_area(
            "Where can your staff get support? (optional, can be added later)",
            max_chars=settings.MAX_SUPPORT_CHARS,
            placeholder="Employee assistance programme: phone, hours. Crisis line: number.",
            help="Shown to a person whose check-ins suggest they may need support now. "
            "Until it is set, they are told to ask their supervisor, a doctor or someone "
            "they trust, and the emergency number.")
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
                    admin_id = accounts.create_user(
                        db, username, password, team=team_id, is_admin=True, display_name=name
                    )
                    if support.strip():
                        settings.set_support_resources(db, support, actor_id=admin_id)
            except ValidationError as exc:
                for message in exc.errors.values():
                    st.error(message)
            else:
                st.session_state[FLASH_KEY] = (
                    f"The admin account '{accounts.normalize_username(username)}' is ready. "
                    "Log in with it to go on.")
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


# Links and a form of plain HTML: a Streamlit button cannot open another page of
# the server in the same tab, nor post to it (st.link_button opens a new tab).
_LINK_STYLE = (
    "display:inline-block;padding:.4rem .9rem;border-radius:.5rem;font-weight:600;"
    "text-decoration:none;background:#b0303e;color:#fff;border:1px solid #b0303e"
)
_BUTTON_STYLE = (
    "font:inherit;padding:.3rem .8rem;border-radius:.5rem;cursor:pointer;background:#fff;"
    "color:#191817;border:1px solid rgba(49,51,63,.3);min-height:2.5rem"
)


def sign_in_link(label: str = "Log in", ended: str | None = None) -> None:
    """A link to the sign-in page, drawn as a primary button."""
    query = f"?ended={ended}" if ended in ("idle", "expired") else ""
    st.html(f'<a href="/signin{query}" style="{_LINK_STYLE}">{html.escape(label)}</a>')


def sign_out_button(label: str = "Log out") -> None:
    """A button that signs this browser out: ends its session and forgets the cookie
    (``POST /signout``), then shows the sign-in page."""
    st.html(f'<form method="post" action="/signout" style="margin:0">'
            f'<button type="submit" style="{_BUTTON_STYLE}">{html.escape(label)}</button></form>')


def not_served_screen() -> None:
    """Shown when the app was started without server.py: nobody could sign in."""
    st.title("Start the app with ./run.sh")
    st.error("This server was started without the sign-in routes (`streamlit run app.py`), so "
             "nobody can sign in. Stop it and start the app with `./run.sh` (which runs "
             "`streamlit run server.py`).", icon=":material/error:")


def signed_out_screen(resolved: sessions.Resolved) -> None:
    """Shown when the page's session has ended (or there is none): why, and a way back in.

    Loading a page without a session goes straight to the sign-in page; this
    screen is what an open page shows once its session has ended.
    """
    st.title("Caseload check-in")
    flash = st.session_state.pop(FLASH_KEY, None)
    if flash:
        st.success(flash)
    elif resolved.ended == "idle":
        st.info(f"You were signed out after {resolved.idle_minutes} minutes without activity. "
                "Please log in again.", icon=":material/schedule:")
    elif resolved.ended == "expired":
        st.info("Your session has ended. Please log in again.", icon=":material/schedule:")
    else:
        st.info("You are signed out. Please log in.", icon=":material/lock:")
    sign_in_link(ended=resolved.ended)


def forced_change_screen(user: User, session: sessions.Session) -> None:
    """After an admin reset: choose a new password; no page runs until done."""
    st.title("Choose a new password")
    st.write(
        f"Hello, {plain(user.name)}. An admin set the password you just used, so they know "
        "it. Choose your own before you continue; only you will know it."
    )
    if note_keys.access(get_db(), user.id, session.id, browser_token()).locked:
        st.info("Your private notes stay locked: the admin's password cannot open them, and "
                "neither can a new one. After this, enter your recovery code under 'Private "
                "notes' on My account to open them. Without the code they cannot be opened by "
                "anyone; you will be asked before anything is deleted.", icon=":material/lock:")
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
                accounts.complete_forced_change(get_db(), user.id, new, keep_session=session.id,
                                                token=browser_token())
            except ValidationError as exc:
                for message in exc.errors.values():
                    st.error(message)
            else:
                st.rerun()
    sign_out_button()
