"""Write transactions that wait for the write lock, and say plainly when storage fails.

The lowest layer of the package (it imports only :mod:`fatigue.errors`), so
every module that writes can use it: ``crypto`` below ``migrations`` below
``db``. :mod:`fatigue.db` re-exports :func:`write_lock` for its callers.

A write that fails because of the storage rather than the data (the disk is
full, the database stayed locked past the busy timeout, the file or disk is
read-only, an I/O error) is rolled back and raised as
:class:`fatigue.errors.NotSaved`: the person is told "not saved, nothing you
saved before is lost, try again in a moment", and the server log gets the
cause for the operator.
"""
from __future__ import annotations

import contextlib
import logging
import sqlite3
from typing import Iterator

from sqlite_utils import Database

from fatigue.errors import NotSaved

log = logging.getLogger("fatigue")

# SQLite's primary result codes for storage failures, and what the operator should know.
STORAGE_FAILURES = {
    5: "the database stayed locked by another writer for longer than the busy timeout",
    6: "the database stayed locked by another writer for longer than the busy timeout",
    8: "the database, its folder or its disk is read-only for the account that runs the app",
    10: "the disk reported an input/output error",
    13: "the disk (or the database's size limit) is full: free some space",
    14: "the database file (or its journal) could not be opened",
}


def storage_failure(exc: BaseException) -> str | None:
    """What is wrong with the storage when ``exc`` is one of SQLite's storage failures."""
    if not isinstance(exc, sqlite3.OperationalError):
        return None
    code = getattr(exc, "sqlite_errorcode", None)
    return None if code is None else STORAGE_FAILURES.get(code & 0xFF)


@contextlib.contextmanager
def write_lock(db: Database) -> Iterator[Database]:
    """A write transaction that takes the write lock up front (BEGIN IMMEDIATE).

    A deferred transaction that reads and then writes can fail at once with
    "database is locked" when another writer got in between; an immediate one
    waits for the busy timeout instead. Nested use falls back to a savepoint.
    A storage failure rolls everything back and raises :class:`NotSaved`.
    """
    if db.conn.in_transaction:
        with db.atomic():
            yield db
        return
    try:
        db.conn.execute("BEGIN IMMEDIATE")
        try:
            yield db
        except BaseException:
            db.rollback()
            raise
        db.conn.execute("COMMIT")
    except sqlite3.OperationalError as exc:
        cause = storage_failure(exc)
        if cause is None:
            raise
        if db.conn.in_transaction:  # a failed COMMIT leaves the transaction open
            db.rollback()
        log.warning("A write was not saved: %s (SQLite: %s).", cause, exc)
        raise NotSaved() from exc
