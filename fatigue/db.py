"""Opening the database and keeping its schema current.

Every connection is opened here: our own ``sqlite3`` connection (usable from
Streamlit's rerun threads), foreign keys on, WAL mode and a busy timeout so
concurrent writers wait instead of failing. The schema lives in
``fatigue.migrations`` and is applied on every connect.

:func:`health` is the start-up check (``PRAGMA quick_check``): the app runs it
once per process and refuses to write to a damaged file. A file that is not a
SQLite database at all makes :func:`connect` raise :class:`UnusableDatabase`
with a message saying how to restore, never a bare traceback; a database of
another program, or one written by a newer version of this tool, makes it
raise :class:`WrongDatabase` before anything is written to it.

The database and its ``-wal``/``-shm`` files are owner-only
(:mod:`fatigue.files`): created so, and tightened when an older version left
them readable by others.
"""
from __future__ import annotations

import os
import sqlite3
from dataclasses import dataclass
from pathlib import Path

from sqlite_utils import Database

from fatigue import files
from fatigue.migrations import migrations
from fatigue.timestamps import iso, utc
from fatigue.transactions import write_lock  # re-exported: callers import it from here

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_DB = ROOT / "data" / "fatigue.db"
BUSY_TIMEOUT_SECONDS = 30.0
SQLITE_HEADER = b"SQLite format 3\x00"


class UnusableDatabase(sqlite3.DatabaseError):
    """The database file is damaged or is not a SQLite database; nothing was written."""


class WrongDatabase(sqlite3.DatabaseError):
    """The file is another program's database, or was written by a newer version of
    this tool: this code must not change it, and nothing was written."""


class MissingDatabase(sqlite3.DatabaseError):
    """There is no database at the path, and the caller must not create one."""


@dataclass(frozen=True)
class Problem:
    """What :func:`health` found: ``kind`` for the screen, ``detail`` (with the path)
    for the server log and the command line."""

    kind: str  # "damaged", "not_a_database", "read_only", "unreadable", "newer" or "foreign"
    detail: str

    def __str__(self) -> str:
        return self.detail


def schema_problem(conn: sqlite3.Connection, path: str | os.PathLike) -> Problem | None:
    """None when ``conn`` holds this tool's schema (or nothing yet); otherwise why this
    code must not use it: another program's tables, or migrations newer than this code."""
    tables = {row[0] for row in conn.execute(
        "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'")}
    if not tables:
        return None  # a new, empty database
    applied: list[str] = []
    if migrations.migrations_table in tables:
        applied = [row[0] for row in conn.execute(
            f"SELECT name FROM {migrations.migrations_table} WHERE migration_set = ?"
            " ORDER BY rowid", [migrations.name])]
    known = [m.name for m in migrations._migrations]
    if not applied or applied[0] != known[0]:
        return Problem("foreign", (
            f"{path} is a database of another program, not of this check-in tool; nothing "
            "was changed in it. Check the database path (--db or FATIGUE_DB)."))
    newer = [name for name in applied if name not in known]
    if newer:
        return Problem("newer", (
            f"{path} was written by a newer version of this tool (schema {', '.join(newer)}); "
            "this version does not read or change it. Update the tool (git pull, then "
            "./run.sh or ./test.sh) and try again; nothing was changed."))
    return None


def restore_hint(path: str | os.PathLike) -> str:
    """How to put the latest backup back in place of ``path`` (one sentence)."""
    return (
        "Stop the app, then restore the latest good backup with "
        f"`python -m fatigue restore BACKUP_FILE --db {path}` (the damaged file is kept "
        "beside it as a .before-restore copy), and start the app again."
    )


def _read_only(target: Path) -> bool:
    """Whether the app cannot write ``target`` (the file, its folder or the disk is read-only)."""
    if not (os.access(target, os.W_OK) and os.access(target.parent, os.W_OK)):
        return True
    try:
        return bool(os.statvfs(target).f_flag & os.ST_RDONLY)
    except OSError:
        return False


def health(path: str | os.PathLike | None = None) -> Problem | None:
    """None when the database at ``path`` looks sound and usable, else the :class:`Problem`.

    Runs ``PRAGMA quick_check`` (a fast, read-only structural check) and the
    schema check of :func:`schema_problem`. A file that does not exist yet is
    sound: :func:`connect` will create it. A read-only file, folder or disk is
    reported as such, never as damage. Opens the file without creating
    anything and writes nothing.
    """
    target = Path(path) if path is not None else default_path()
    if str(target) == ":memory:" or not target.exists():
        return None
    if target.is_dir():
        return Problem("unreadable", f"The database path {target} is a folder, not a file.")
    # The file is read through SQLite only: closing any other handle on it would
    # drop the SQLite locks this process holds (POSIX locks are per process).
    if _read_only(target):
        return Problem("read_only", (
            f"The database {target} cannot be written to: the file, its folder or the disk "
            "it is on is read-only for the account that runs the app. This is not damage: "
            "make it writable for that account, then restart the app."))
    try:
        conn = sqlite3.connect(f"{target.resolve().as_uri()}?mode=rw", uri=True,
                               timeout=BUSY_TIMEOUT_SECONDS)
    except sqlite3.Error as exc:
        return Problem("unreadable", f"The database file {target} cannot be opened ({exc}).")
    try:
        rows = [row[0] for row in conn.execute("PRAGMA quick_check").fetchall()]
        if rows == ["ok"]:
            return schema_problem(conn, target)
    except sqlite3.OperationalError as exc:  # locked, unreadable, out of memory: not damage
        return Problem("unreadable", f"The database file {target} cannot be read now ({exc}).")
    except sqlite3.DatabaseError as exc:
        if "not a database" in str(exc):
            return Problem("not_a_database",
                           f"The file {target} is not a SQLite database. {restore_hint(target)}")
        rows = [str(exc)]
    finally:
        conn.close()
    detail = "; ".join(rows[:3]) + ("; ..." if len(rows) > 3 else "")
    return Problem("damaged", (
        f"The database {target} is damaged (integrity check: {detail}). "
        f"Nothing will be written to it. {restore_hint(target)}"
    ))


def default_path() -> Path:
    """The database path: ``FATIGUE_DB`` if set, else ``data/fatigue.db``."""
    env = os.environ.get("FATIGUE_DB", "").strip()
    return Path(env) if env else DEFAULT_DB


def _now_text() -> str:
    return iso(utc())


def connect(
    path: str | os.PathLike | None = None, *, migrate: bool = True, create: bool = True
) -> Database:
    """Open the database at ``path`` (default: :func:`default_path`), migrated.

    The connection may be used from another thread than the one that opened it,
    but must not be shared between Streamlit sessions: open one per session.
    ``create=False``: raise :class:`MissingDatabase` rather than make a new
    database (for commands that only make sense on an existing one). Raises
    :class:`WrongDatabase` for another program's database or a newer one.
    """
    target = Path(path) if path is not None else default_path()
    memory = str(target) == ":memory:"
    if not memory and not target.exists():
        if not create:
            raise MissingDatabase(
                f"There is no database at {target}; nothing was created. Check the path "
                "(--db or FATIGUE_DB); `python -m fatigue init` makes a new database.")
        target.parent.mkdir(parents=True, exist_ok=True)
        files.create_owner_only(target)
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
    wrong = schema_problem(conn, target)
    if wrong is not None:  # before WAL mode or a migration writes to it
        conn.close()
        raise WrongDatabase(wrong.detail)
    conn.execute("PRAGMA foreign_keys = ON")
    conn.execute(f"PRAGMA busy_timeout = {int(BUSY_TIMEOUT_SECONDS * 1000)}")
    # The time the membership triggers stamp (fatigue.membership): the same clock
    # as the release rules, so the two can never disagree.
    conn.create_function("fatigue_now", 0, _now_text)
    db = Database(conn)
    if not memory:
        db.enable_wal()
        conn.execute("PRAGMA synchronous = NORMAL")
        for file in files.with_side_files(target):  # SQLite gives them the database's mode
            files.make_owner_only(file)
    if migrate and migrations.pending(db):
        with write_lock(db):  # apply() re-reads what is pending under the lock
            migrations.apply(db)
    return db


def schema_version(db: Database) -> list[str]:
    """Names of the migrations applied to ``db``, oldest first."""
    return [m.name for m in migrations.applied(db)]
