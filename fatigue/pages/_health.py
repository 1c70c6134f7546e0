"""Start-up check of the database file, run before any page or login screen.

``db.health`` (``PRAGMA quick_check``) runs once per process and database path
(cached here, not on every rerun), or not at all when ``python -m fatigue
serve`` found the file sound just before starting this process
(:mod:`fatigue.serve`). On a damaged file the app shows how to restore from a
backup and stops before anything opens the database for writing.
"""
from __future__ import annotations

import streamlit as st

from fatigue import db as fdb
from fatigue import serve


@st.cache_resource(show_spinner=False)
def _problem(path: str) -> str | None:
    """The health verdict for ``path``, computed once per process."""
    return None if serve.checked_before_start(path) else fdb.health(path)


def attention_screen(title: str, message: str, icon: str, problem: str) -> None:
    """The top of a start-up stop screen: what is wrong, and the problem as plain text
    (st.text: shown literally, it may contain a path). The caller adds what to do."""
    st.title(title)
    st.error(message, icon=icon)
    st.text(problem)


def stop_if_damaged() -> None:
    """Show the problem and the restore command, then stop, when the database is unusable."""
    path = str(fdb.default_path())
    problem = _problem(path)
    if problem is None:
        return
    _problem.clear()  # check again on the next visit (after a restore and restart)
    attention_screen(
        "The database needs attention",
        "The app found a problem with its database file and will not read from or write "
        "to it, so nothing more can be lost. Nobody can log in until it is fixed.",
        ":material/error:",
        problem,
    )
    st.markdown("**To restore the latest backup**, on the server:")
    st.code(
        f"# 1. stop the app\n"
        f"python -m fatigue restore /path/to/latest-backup.db --db {path}\n"
        f"# 2. start the app again",
        language="bash",
    )
    st.caption("The restore checks the backup first and keeps the damaged file beside it "
               "(named .before-restore-...). See 'Backups and restore' in README.md.")
    st.stop()
