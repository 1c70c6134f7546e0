"""Opening the database and keeping its schema current.

Every connection is opened here: our own ``sqlite3`` connection (usable from
Streamlit's rerun threads), foreign keys on, WAL mode and a busy timeout so
concurrent writers wait instead of failing. The schema lives in
``fatigue.migrations`` and is applied on every connect.
"""
from __future__ import annotations

import contextlib
import os
import sqlite3
from pathlib import Path
from typing import Iterator

from sqlite_utils import Database

from fatigue.migrations import migrations

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_DB = ROOT / "data" / "fatigue.db"
BUSY_TIMEOUT_SECONDS = 30.0


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


@contextlib.contextmanager
def write_lock(db: Database) -> Iterator[Database]:
    """A write transaction that takes the write lock up front (BEGIN IMMEDIATE).

    A deferred transaction that reads and then writes can fail at once with
    "database is locked" when another writer got in between; an immediate one
    waits for the busy timeout instead. Nested use falls back to a savepoint.
    """
    if db.conn.in_transaction:
        with db.atomic():
            yield db
        return
    db.conn.execute("BEGIN IMMEDIATE")
    try:
        yield db
    except BaseException:
        db.rollback()
        raise
    else:
        db.conn.execute("COMMIT")


def schema_version(db: Database) -> list[str]:
    """Names of the migrations applied to ``db``, oldest first."""
    return [m.name for m in migrations.applied(db)]
