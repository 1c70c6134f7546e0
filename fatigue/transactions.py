"""Write transactions that wait for the write lock instead of failing.

The lowest layer of the package (it imports nothing from ``fatigue``), so
every module that writes can use it: ``crypto`` below ``migrations`` below
``db``. :mod:`fatigue.db` re-exports :func:`write_lock` for its callers.
"""
from __future__ import annotations

import contextlib
from typing import Iterator

from sqlite_utils import Database


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
