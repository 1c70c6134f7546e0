"""Opening the database and keeping its schema current.

Every connection is opened here: our own ``sqlite3`` connection (usable from
Streamlit's rerun threads), foreign keys on, WAL mode and a busy timeout so
concurrent writers wait instead of failing. The schema lives in
``fatigue.migrations`` and is applied on every connect.

:func:`health` is the start-up check (``PRAGMA quick_check``): the app runs it
once per process and refuses to write to a damaged file. A file that is not a
SQLite database at all makes :func:`connect` raise :class:`UnusableDatabase`
with a message saying how to restore, never a bare traceback.
"""
from __future__ import annotations

import os
import sqlite3
from pathlib import Path

from sqlite_utils import Database

from fatigue.migrations import migrations
from fatigue.transactions import write_lock  # re-exported: callers import it from here

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_DB = ROOT / "data" / "fatigue.db"
BUSY_TIMEOUT_SECONDS = 30.0
SQLITE_HEADER = b"SQLite format 3\x00"


class UnusableDatabase(sqlite3.DatabaseError):
    """The database file is damaged or is not a SQLite database; nothing was written."""


def restore_hint(path: str | os.PathLike) -> str:
    """How to put the latest backup back in place of ``path`` (one sentence)."""
    return (
        "Stop the app, then restore the latest good backup with "
        f"`python -m fatigue restore BACKUP_FILE --db {path}` (the damaged file is kept "
        "beside it as a .before-restore copy), and start the app again."
    )


def health(path: str | os.PathLike | None = None) -> str | None:
    """None when the database at ``path`` looks sound, else what is wrong, in words.

    Runs ``PRAGMA quick_check`` (a fast, read-only structural check). A file
    that does not exist yet is sound: :func:`connect` will create it. Opens the
    file without creating anything and writes nothing.
    """
    target = Path(path) if path is not None else default_path()
    if str(target) == ":memory:" or not target.exists():
        return None
    if target.is_dir():
        return f"The database path {target} is a folder, not a file."
    try:
        with target.open("rb") as handle:
            header = handle.read(len(SQLITE_HEADER))
    except OSError as exc:
        return f"The database file {target} cannot be read ({exc.strerror or exc})."
    if header and header != SQLITE_HEADER:
        return f"The file {target} is not a SQLite database. {restore_hint(target)}"
    try:
        conn = sqlite3.connect(f"{target.resolve().as_uri()}?mode=rw", uri=True,
                               timeout=BUSY_TIMEOUT_SECONDS)
    except sqlite3.Error as exc:
        return f"The database file {target} cannot be opened ({exc})."
    try:
        rows = [row[0] for row in conn.execute("PRAGMA quick_check").fetchall()]
    except sqlite3.DatabaseError as exc:
        rows = [str(exc)]
    finally:
        conn.close()
    if rows == ["ok"]:
        return None
    detail = "; ".join(rows[:3]) + ("; ..." if len(rows) > 3 else "")
    return (
        f"The database {target} is damaged (integrity check: {detail}). "
        f"Nothing will be written to it. {restore_hint(target)}"
    )


def default_path() -> Path:
    """The database path: ``FATIGUE_DB`` if set, else ``data/fatigue.db``."""
    env = os.environ.get("FATIGUE_DB", "").strip()
    return Path(env) if env else DEFAULT_DB


def connect(path: str | os.PathLike | None = None, *, migrate: bool = True) -> Database:
    """Open the database at ``path`` (default: :func:`default_path`), migrated.

    The connection may be used from another thread than the one that opened it,
    but must not be shared between Streamlit sessions: open one per session.
    """
    target = Path(path) if path is not None else default_path()
    if str(target) != ":memory:":
        target.parent.mkdir(parents=True, exist_ok=True)
    conn = sqlite3.connect(
        str(target), check_same_thread=False, timeout=BUSY_TIMEOUT_SECONDS
    )
    try:  # the first read of the file: a non-database fails here
        conn.execute("SELECT count(*) FROM sqlite_master").fetchone()
    except sqlite3.DatabaseError as exc:
        conn.close()
        if isinstance(exc, sqlite3.OperationalError):  # e.g. locked, unreadable: not damage
            raise
        raise UnusableDatabase(
            f"{target} cannot be used as the database ({exc}). {restore_hint(target)}"
        ) from None
    conn.execute("PRAGMA foreign_keys = ON")
    conn.execute(f"PRAGMA busy_timeout = {int(BUSY_TIMEOUT_SECONDS * 1000)}")
    db = Database(conn)
    if str(target) != ":memory:":
        db.enable_wal()
        conn.execute("PRAGMA synchronous = NORMAL")
    if migrate and migrations.pending(db):
        with write_lock(db):  # apply() re-reads what is pending under the lock
            migrations.apply(db)
    return db


def schema_version(db: Database) -> list[str]:
    """Names of the migrations applied to ``db``, oldest first."""
    return [m.name for m in migrations.applied(db)]
