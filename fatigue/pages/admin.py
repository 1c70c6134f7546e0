"""Teams and accounts (admins only). Shows no one's answers or scores."""
from __future__ import annotations

import pandas as pd
import streamlit as st

from fatigue import accounts
from fatigue.errors import ValidationError
from fatigue.pages._session import get_db, require_admin

admin = require_admin()
db = get_db()

st.title("Teams and accounts")
flash = st.session_state.pop("admin_flash", None)
if flash:
    st.success(flash)


def report(exc: ValidationError) -> None:
    for message in exc.errors.values():
        st.error(message)


teams = accounts.list_teams(db)
st.subheader("Teams")
if teams:
    st.dataframe(
        pd.DataFrame(teams)[["name", "caseload_standard", "members"]].rename(
            columns={"name": "Team", "caseload_standard": "Caseload standard",
                     "members": "Active members"}
        ),
        hide_index=True,
        width="stretch",
    )
with st.form("add_team", clear_on_submit=True):
    st.write("**Add a team**")
    name = st.text_input("Team name", max_chars=80)
    standard = st.number_input(
        "Caseload standard", min_value=1, max_value=200, value=15, step=1,
        help="The caseload this team's work is planned for (e.g. 12-17 for child welfare; "
        "see docs/analytics.md).",
    )
    if st.form_submit_button("Add team"):
        try:
            accounts.create_team(db, name, caseload_standard=int(standard))
        except ValidationError as exc:
            report(exc)
        else:
            st.session_state["admin_flash"] = f"Team '{name.strip()}' added."
            st.rerun()

st.subheader("Accounts")
users = accounts.list_users(db)
st.dataframe(
    pd.DataFrame(users, columns=["username", "display_name", "home_team", "leads", "is_admin", "active"])
    .assign(is_admin=lambda f: f["is_admin"].astype(bool), active=lambda f: f["active"].astype(bool))
    .rename(columns={"username": "Username", "display_name": "Name", "home_team": "Home team",
                     "leads": "Leads", "is_admin": "Admin", "active": "Active"}),
    hide_index=True,
    width="stretch",
)
team_names = [team["name"] for team in teams]
with st.form("add_user"):
    st.write("**Add an account**")
    username = st.text_input("Username", max_chars=40, key="new_username")
    display = st.text_input("Display name", max_chars=80, key="new_display")
    home = st.selectbox("Home team", team_names, index=None, placeholder="Choose a team",
                        key="new_team")
    lead = st.checkbox("Leads this team", key="new_lead")
    is_admin = st.checkbox("Admin", key="new_admin")
    password = st.text_input(
        "Initial password", type="password", key="new_password",
        help=f"At least {accounts.MIN_PASSWORD_CHARS} characters. Give it to the person privately.",
    )
    if st.form_submit_button("Add account"):
        if home is None:
            st.error("Choose a home team.")
        else:
            try:
                accounts.create_user(db, username, password, team=home,
                                     lead_of=[home] if lead else [], is_admin=is_admin,
                                     display_name=display)
            except ValidationError as exc:
                report(exc)
            else:
                st.session_state["admin_flash"] = (
                    f"Account '{accounts.normalize_username(username)}' added."
                )
                st.rerun()

others = [u for u in users if u["id"] != admin.id]
if others:
    with st.form("activation"):
        st.write("**Deactivate or reactivate an account**")
        st.caption("A deactivated person can no longer log in; their data stays theirs.")
        by_name = {u["username"]: u for u in others}
        picked = st.selectbox("Account", list(by_name), key="activation_user")
        chosen = by_name[picked]
        if st.form_submit_button("Switch active / deactivated"):
            accounts.set_active(db, chosen["id"], not chosen["active"])
            st.session_state["admin_flash"] = (
                f"Account '{chosen['username']}' {'deactivated' if chosen['active'] else 'reactivated'}."
            )
            st.rerun()
