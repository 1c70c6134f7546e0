"""Write transactions (fatigue/transactions.py): a full disk, a lock held past the
timeout or a read-only database roll back and say "not saved" plainly, with the
cause in the server log."""
import datetime as dt
import logging
import sqlite3

import pytest

from fatigue import checkins
from fatigue.db import connect
from fatigue.errors import NotSaved, ValidationError
from fatigue.transactions import write_lock

from conftest import RATINGS, TODAY, fill_the_disk

MESSAGE = "Not saved: nothing you saved before is lost. Please try again in a moment."


@pytest.fixture
def server_log(caplog):
    with caplog.at_level(logging.WARNING, logger="fatigue"):
        yield caplog


def save_a_long_note(db, user, day=TODAY):
    """A check-in whose note needs new pages (2,000 four-byte characters, encrypted)."""
    checkins.save_checkin(db, user, day, today=TODAY, note="🙂" * 2000, **RATINGS)


def test_a_full_disk_keeps_everything_saved_before(db, user, monkeypatch, server_log):
    checkins.save_checkin(db, user, TODAY - dt.timedelta(days=1), today=TODAY, note="kept",
                          **RATINGS)
    fill_the_disk(db, monkeypatch)
    with pytest.raises(NotSaved) as info:
        save_a_long_note(db, user)
    assert info.value.errors == {"save": MESSAGE}
    assert isinstance(info.value, ValidationError)  # every form shows it like a refusal
    assert checkins.get_checkin(db, user, TODAY) is None
    assert checkins.get_checkin(db, user, TODAY - dt.timedelta(days=1))["note"] == "kept"
    assert not db.conn.in_transaction
    assert "the disk (or the database's size limit) is full" in server_log.text


def test_a_lock_held_past_the_timeout(db, db_path, user, server_log):
    other = connect(db_path)
    other.execute("BEGIN IMMEDIATE")  # another writer that does not let go
    db.execute("PRAGMA busy_timeout = 50")
    try:
        with pytest.raises(NotSaved):
            checkins.save_checkin(db, user, TODAY, today=TODAY, **RATINGS)
    finally:
        other.conn.rollback()
        other.close()
    assert "stayed locked by another writer for longer than the busy timeout" in server_log.text
    checkins.save_checkin(db, user, TODAY, today=TODAY, **RATINGS)  # once it is free: saved


def test_a_read_only_database(db, user, server_log):
    db.execute("PRAGMA query_only = ON")
    with pytest.raises(NotSaved):
        checkins.save_checkin(db, user, TODAY, today=TODAY, **RATINGS)
    assert "read-only for the account that runs the app" in server_log.text


def test_other_database_errors_are_not_disguised(db):
    with pytest.raises(sqlite3.OperationalError, match="no such table"):
        with write_lock(db):
            db.execute("INSERT INTO no_such_table VALUES (1)")
    assert not db.conn.in_transaction
