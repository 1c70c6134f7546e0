"""Per-session database handle and the role checks every page runs first."""
from __future__ import annotations

import datetime as dt
import re
import time

import streamlit as st
from sqlite_utils import Database

from fatigue import accounts, audit, settings
from fatigue.accounts import User
from fatigue.db import connect, default_path
from fatigue.errors import NotSaved
from fatigue.validation import time_zone

USER_KEY = "user_id"
METHOD_KEY = "auth_method"  # "password" or "sso"
ACTIVE_KEY = "last_active"  # time.time() of the last run while signed in
FLASH_KEY = "flash"  # a message for the login screen
# Enough to stop emphasis, links, HTML, tables, maths and headings; list
# markers only matter at the start of a line.
_MARKDOWN_SPECIAL = re.compile(r"([\\`*_\[\]<>|~$:#])")
_LINE_START = re.compile(r"^(\s*)([-+=]|\d+\.)", re.MULTILINE)
# Streamlit's Markdown turns "www.", "http://" and "name@host" into links and
# ":material/...:" into icons even when escaped (it looks at the text after
# escapes are undone), so a WORD JOINER (U+2060: invisible, no break, skipped by
# screen readers) goes after a colon followed by a non-space, before "@" and after "www".
# Typed texts never hold one (fatigue.validation refuses invisible characters).
_JOINER = "\u2060"
_LINK_OR_ICON = re.compile(r"(?i)(?<=:)(?=\S)|(?=@)|(?<=\bwww)(?=\.)")


@st.cache_resource(scope="session", on_release=lambda db: db.close(), show_spinner=False)
def _session_db(path: str) -> Database:
    """One connection per browser session (never shared between sessions)."""
    return connect(path)


def get_db() -> Database:
    """This session's database handle (path from FATIGUE_DB or the default)."""
    return _session_db(str(default_path()))


def current_user() -> User | None:
    """The signed-in user, re-read on every run so role changes apply at once."""
    user_id = st.session_state.get(USER_KEY)
    if user_id is None:
        return None
    user = accounts.get_user(get_db(), user_id)
    if user is None:  # deactivated or deleted since signing in
        st.session_state.pop(USER_KEY, None)
    return user


def local_today() -> dt.date:
    """Today's date where the person is: their browser's time zone when known.

    A case manager in New York checking in at 9 pm must get that day, not the
    server's (UTC) tomorrow. Falls back to the server's date.
    """
    zone = time_zone(st.context.timezone)  # None for an unknown or absurd name
    return dt.datetime.now(zone).date() if zone is not None else dt.date.today()


def sign_in(user: User, method: str = "password") -> None:
    st.session_state[USER_KEY] = user.id
    st.session_state[METHOD_KEY] = method
    st.session_state[ACTIVE_KEY] = time.time()


def sign_out(reason: str = "logout", detail: dict | None = None) -> str | None:
    """Forget the signed-in user (audited as ``reason``); return how they had signed in.

    A caller must then end a single sign-on session with ``st.logout()``
    (otherwise the identity cookie signs the person straight back in).
    """
    user_id = st.session_state.get(USER_KEY)
    method = st.session_state.get(METHOD_KEY)
    if user_id is not None:
        try:
            audit.record(get_db(), user_id, reason, {"method": method, **(detail or {})})
        except NotSaved:  # a full disk must not keep anyone signed in (the log says so)
            pass
    for key in list(st.session_state.keys()):
        del st.session_state[key]
    return method


def enforce_idle_timeout(now: float | None = None) -> None:
    """Sign out a session idle for longer than the ``session_idle_minutes`` setting.

    Run on every run before anything else: a run is activity, so it also
    moves the last-activity time on. The login screen says why.
    """
    if st.session_state.get(USER_KEY) is None:
        return
    now = time.time() if now is None else now
    minutes = settings.idle_minutes(get_db())
    last = st.session_state.get(ACTIVE_KEY)
    if isinstance(last, (int, float)) and now - last > minutes * 60:
        method = sign_out("idle_sign_out", {"idle_minutes": minutes})
        st.session_state[FLASH_KEY] = (
            f"You were signed out after {minutes} minutes without activity. Please log in again."
        )
        if method == "sso":
            st.logout()  # the identity cookie would sign anyone at this browser back in
            st.stop()
        return
    st.session_state[ACTIVE_KEY] = now


def require_user() -> User:
    """The signed-in user; otherwise stop the page with a message."""
    user = current_user()
    if user is None:
        st.warning("Please log in first.")
        st.stop()
    if user.must_change_password:  # the gate shows only the new-password screen
        st.warning("Please choose a new password first.")
        st.stop()
    return user


def require_admin() -> User:
    """The signed-in admin; otherwise stop the page without showing anything."""
    user = require_user()
    if not user.is_admin:
        st.error("This page is for admins only.")
        st.stop()
    return user


def require_lead_or_admin() -> User:
    """The signed-in lead of at least one team, or an admin; otherwise stop the page."""
    user = require_user()
    if not (user.is_lead or user.is_admin):
        st.error("This page is for team leads only.")
        st.stop()
    return user


def plain(text: str) -> str:
    """``text`` escaped so that st.markdown shows it literally (no links, icons or markup)."""
    escaped = _MARKDOWN_SPECIAL.sub(r"\\\1", _LINK_OR_ICON.sub(_JOINER, str(text)))
    def marker(match: re.Match) -> str:
        indent, mark = match.groups()
        return indent + (mark[:-1] + "\\." if mark.endswith(".") else "\\" + mark)

    return _LINE_START.sub(marker, escaped)
