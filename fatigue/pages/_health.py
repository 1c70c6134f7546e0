"""Start-up checks of the database file, run before any page or login screen.

:func:`hold_app_lock` takes the app lock of :mod:`fatigue.files` once per
process and keeps it for the process's life, so a restore or a key rotation
refuses while the app runs. ``db.health`` (``PRAGMA quick_check`` and the
schema check) runs once per process and database path (cached here, not on
every rerun), or not at all when ``python -m fatigue serve`` found the file
sound just before starting this process (:mod:`fatigue.serve`). On a problem
the app says what kind it is and what to do, and stops before anything opens
the database for writing. These screens come before sign-in, so they never
show a server path: the details, with paths, go to the server's log.
"""
from __future__ import annotations

import logging

import streamlit as st

from fatigue import db as fdb
from fatigue import files, serve

log = logging.getLogger("fatigue")

# kind of problem -> (title, what it means for the visitor, icon)
SCREENS = {
    "damaged": (
        "The database needs attention",
        "The app found a problem with its database file and will not read from or write "
        "to it, so nothing more can be lost. Nobody can log in until it is fixed.",
        ":material/error:"),
    "read_only": (
        "The database cannot be written to",
        "The app's database is read-only on the server (the file, its folder or its disk), "
        "so nothing could be saved. This is not damage to the data. Nobody can log in until "
        "the person running the server makes it writable and restarts the app.",
        ":material/edit_off:"),
    "newer": (
        "The app is older than its database",
        "The database was written by a newer version of this tool. This older version will "
        "not read or change it, so nothing is lost. Nobody can log in until the app on the "
        "server is updated.",
        ":material/update:"),
    "foreign": (
        "The database is not this app's",
        "The database file the app was pointed to belongs to another program; the app "
        "changed nothing in it. Nobody can log in until the server is pointed to the right "
        "file (FATIGUE_DB).",
        ":material/error:"),
    "unreadable": (
        "The database cannot be opened",
        "The app cannot open its database file, so it has stopped before showing or saving "
        "anything. Nobody can log in until it is fixed.",
        ":material/error:"),
}
SCREENS["not_a_database"] = SCREENS["damaged"]


@st.cache_resource(show_spinner=False)
def _app_lock(path: str):
    """The app lock for ``path``, taken once per process and held while it runs
    (raising :class:`fatigue.files.InUse` caches nothing: the next run tries again)."""
    return files.hold_for_app(path)


def hold_app_lock() -> None:
    """Hold the database's app lock for this process's life; while a restore or a
    key rotation runs, say so and stop."""
    try:
        _app_lock(str(fdb.default_path()))
    except files.InUse as exc:
        st.title("The database is being restored or re-keyed")
        st.info(str(exc), icon=":material/hourglass_top:")
        st.stop()


@st.cache_resource(show_spinner=False)
def _problem(path: str) -> fdb.Problem | None:
    """The health verdict for ``path``, computed once per process."""
    return None if serve.checked_before_start(path) else fdb.health(path)


def attention_screen(title: str, message: str, icon: str, problem: str) -> None:
    """The top of a start-up stop screen: what is wrong, in words without server paths;
    ``problem`` (which may name paths) goes to the server's log. The caller adds what to do."""
    log.error("%s: %s", title, problem)
    st.title(title)
    st.error(message, icon=icon)
    st.caption("The details, with the file names, are in the server's log "
               "(the terminal or service log of the app).")


def stop_if_damaged() -> None:
    """Say what is wrong with the database and what to do, then stop, when it is unusable."""
    problem = _problem(str(fdb.default_path()))
    if problem is None:
        return
    _problem.clear()  # check again on the next visit (after a restore and restart)
    attention_screen(*SCREENS[problem.kind], problem.detail)
    if problem.kind in ("damaged", "not_a_database"):
        st.markdown("**To restore the latest backup**, on the server:")
        st.code(
            "# 1. stop the app\n"
            "python -m fatigue restore /path/to/latest-backup.db --db /path/to/the/database.db\n"
            "# 2. start the app again",
            language="bash",
        )
        st.caption("The restore checks the backup first and keeps the damaged file beside it "
                   "(named .before-restore-...). See 'Backups and restore' in README.md.")
    st.stop()
