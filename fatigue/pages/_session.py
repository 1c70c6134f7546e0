"""Per-session database handle, who is signed in, and the role checks every page runs first.

Who is signed in comes from the session cookie the browser sent when it
opened the page (``st.context.cookies``), resolved on the server on every run
(:func:`fatigue.sessions.resolve`: the token's hash, the idle and absolute
limits, an active account). Nothing the browser sends in a widget or a URL
decides it, and nothing about it is kept in ``st.session_state``.
"""
from __future__ import annotations

import datetime as dt
import re
from zoneinfo import ZoneInfo

import streamlit as st

from fatigue import accounts, clock, sessions
from fatigue.accounts import User
from fatigue.pages._connection import get_db
from fatigue.validation import time_zone

FLASH_KEY = "flash"  # a message for the signed-out screen
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


def browser_token() -> str | None:
    """The session token in the cookie this browser sent when it opened the page."""
    return st.context.cookies.get(sessions.COOKIE)


def current_session() -> sessions.Resolved:
    """This browser's session, resolved again on every run (limits enforced; the
    run counts as activity)."""
    return sessions.resolve(get_db(), browser_token())


def current_user(resolved: sessions.Resolved | None = None) -> User | None:
    """The signed-in user (of ``resolved``, default this browser's session), re-read
    on every run so role changes apply at once."""
    session = (resolved or current_session()).session
    return None if session is None else accounts.get_user(get_db(), session.user_id)


def local_today() -> dt.date:
    """Today's date where the person is: their browser's time zone when known.

    A case manager in New York checking in at 9 pm must get that day, not the
    server's (UTC) tomorrow. Falls back to the server's date. Reads :mod:`fatigue.clock`.
    """
    now = clock.utc_now()
    zone = _browser_zone()
    return (now.astimezone(zone) if zone else now.astimezone()).date()


def _browser_zone() -> ZoneInfo | None:
    return time_zone(st.context.timezone)  # None for an unknown or absurd name


def local_time(moment: dt.datetime) -> str:
    """``moment`` as the person reads it: in their browser's time zone ("4 Dec 2026, 17:42"),
    else in UTC, saying so."""
    zone = _browser_zone()
    shown = moment.astimezone(zone or dt.timezone.utc)
    return f"{shown.day} {shown:%b %Y, %H:%M}" + ("" if zone else " UTC")


def require_session() -> tuple[User, sessions.Session]:
    """The signed-in user and their session; otherwise stop the page with a message."""
    resolved = current_session()
    user = current_user(resolved)
    if user is None or resolved.session is None:
        st.warning("Please log in first.")
        st.stop()
    if user.must_change_password:  # the gate shows only the new-password screen
        st.warning("Please choose a new password first.")
        st.stop()
    return user, resolved.session


def require_user() -> User:
    """The signed-in user; otherwise stop the page with a message."""
    return require_session()[0]


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
