"""The app stops with a clear message when the notes key does not fit (AppTest); the
details, which name the key file, go to the server's log, not to the visitor."""
import logging

import pytest

from fatigue import checkins, crypto

from conftest import RATINGS, TODAY, log_in, start_app, texts

STOPPED = ("The app cannot open the private notes with its key, so it has stopped before "
           "showing or saving anything. Nobody can log in until it is fixed.")


def test_app_runs_normally_with_the_right_key(db, user):
    checkins.save_checkin(db, user, TODAY, today=TODAY, note="mine", **RATINGS)
    at = log_in("casey")
    assert STOPPED not in texts(at.error)
    assert not at.exception


@pytest.fixture
def server_log(caplog):
    with caplog.at_level(logging.ERROR, logger="fatigue"):
        yield caplog


def test_wrong_key_stops_before_the_login_screen(db, user, monkeypatch, server_log):
    checkins.save_checkin(db, user, TODAY, today=TODAY, note="mine", **RATINGS)
    monkeypatch.setenv("FATIGUE_KEY", crypto.generate_key())
    at = start_app()
    assert texts(at.title) == ["The private notes key needs attention"]
    assert texts(at.error) == [STOPPED]
    assert "cannot be decrypted with FATIGUE_KEY" in server_log.text
    assert not at.text_input and not at.exception  # no login form, no traceback


def test_key_file_readable_by_others_stops_the_app(db, db_path, user, server_log):
    db_path.with_name("test.db.key").chmod(0o644)
    at = start_app()
    assert texts(at.error) == [STOPPED]
    assert "chmod 600" in server_log.text and not at.exception
    assert not [t for t in texts(at.caption) + texts(at.text) if str(db_path.parent) in t]


def test_missing_key_file_stops_the_app(db, db_path, user, server_log):
    checkins.save_checkin(db, user, TODAY, today=TODAY, note="mine", **RATINGS)
    db_path.with_name("test.db.key").unlink()
    at = start_app()
    assert texts(at.error) == [STOPPED]
    assert "is missing" in server_log.text and not at.exception
    assert not db_path.with_name("test.db.key").exists()
