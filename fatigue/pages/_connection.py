"""Each browser session's database connection, closed only once nothing is using it.

Streamlit releases a session's cached resources (``on_release``) on its event-loop
thread the moment the browser disconnects (a tab closed, a phone losing signal),
while that session's script may still be running a query on the connection. Closing
an SQLite connection under a running query crashes the whole Python process (CPython's
sqlite3 frees the statement the other thread is stepping): every session on that
process would lose its connection. So a released connection is closed by whichever
comes last: the release, or the end of the last script run that used it
(:func:`script_run`, around the whole of ``app.py``).
"""
from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager

import streamlit as st
from sqlite_utils import Database

from fatigue.db import connect, default_path

_RUN = threading.local()  # .held: the connections the current script run uses


class SessionConnection:
    """A connection that :meth:`release` closes at once when no run holds it, else
    when the last run holding it lets go (:meth:`hold`, :meth:`let_go`)."""

    def __init__(self, db: Database) -> None:
        self.db = db
        self._lock = threading.Lock()
        self._runs = 0
        self._released = False

    def hold(self) -> None:
        """A script run starts using the connection."""
        with self._lock:
            self._runs += 1

    def let_go(self) -> None:
        """That run has ended."""
        with self._lock:
            self._runs -= 1
            close = self._released and self._runs == 0
        if close:
            self.db.close()

    def release(self) -> None:
        """The session is done with it: closed now, or when the last run holding it ends."""
        with self._lock:
            self._released = True
            close = self._runs == 0
        if close:
            self.db.close()


@st.cache_resource(scope="session", on_release=SessionConnection.release, show_spinner=False)
def _session_connection(path: str) -> SessionConnection:
    """One connection per browser session (never shared between sessions)."""
    return SessionConnection(connect(path))


@contextmanager
def script_run() -> Iterator[None]:
    """Around a whole script run: every connection :func:`get_db` hands out during it
    stays open until the run ends, even if the browser disconnects meanwhile."""
    held: list[SessionConnection] = []
    _RUN.held = held
    try:
        yield
    finally:
        _RUN.held = None
        for connection in held:
            connection.let_go()


def get_db() -> Database:
    """This session's database handle (path from FATIGUE_DB or the default)."""
    connection = _session_connection(str(default_path()))
    held = getattr(_RUN, "held", None)
    if held is not None and not any(c is connection for c in held):
        connection.hold()
        held.append(connection)
    return connection.db
