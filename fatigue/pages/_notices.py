"""Notices left for a person about their account (an admin changed the email they sign
in with through single sign-on): taken once per sign-in, shown on every page of that
session until dismissed. The text names emails an admin typed, so it is shown literally."""
from __future__ import annotations

import streamlit as st

from fatigue import sso
from fatigue.accounts import User
from fatigue.pages._session import get_db

NOTICES_KEY = "sign_in_notices"


def show_sign_in_notices(user: User) -> None:
    """The notices waiting for ``user`` (taken from the database at the first run after
    signing in), above the page, with a button to put them away."""
    if NOTICES_KEY not in st.session_state:
        st.session_state[NOTICES_KEY] = sso.take_notices(get_db(), user.id)
    notices = st.session_state[NOTICES_KEY]
    if not notices:
        return
    with st.container(border=True):
        st.warning("A change to how you sign in", icon=":material/manage_accounts:")
        for message in notices:
            st.text(message)
        if st.button("I have read this", key="sign_in_notices_seen"):
            st.session_state[NOTICES_KEY] = []
            st.rerun()
