"""My account: change my own password."""
from __future__ import annotations

import streamlit as st

from fatigue import accounts
from fatigue.errors import AuthError, ValidationError
from fatigue.pages._session import get_db, plain, require_user

user = require_user()
db = get_db()

st.title("My account")
st.write(f"Username: **{plain(user.username)}**")
if st.session_state.pop("account_flash", None):
    st.success("Your password has been changed.", icon=":material/check_circle:")

st.subheader("Change my password")
st.caption(
    "If an admin set your first password, change it here so that only you know it. "
    f"At least {accounts.MIN_PASSWORD_CHARS} characters; a few unrelated words work well."
)
with st.form("change_password", clear_on_submit=True):
    current = st.text_input("Current password", type="password", autocomplete="current-password")
    new = st.text_input("New password", type="password", autocomplete="new-password")
    repeat = st.text_input("Repeat new password", type="password", autocomplete="new-password")
    submitted = st.form_submit_button("Change password", type="primary", key="change_password_submit")
if submitted:
    if new != repeat:
        st.error("The two new passwords differ.")
    else:
        try:
            accounts.change_password(db, user.id, current, new)
        except (AuthError, ValidationError) as exc:
            messages = exc.errors.values() if isinstance(exc, ValidationError) else [str(exc)]
            for message in messages:
                st.error(message)
        else:
            st.session_state["account_flash"] = True
            st.rerun()
