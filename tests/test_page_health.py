"""The start-up checks (fatigue/pages/_health.py): an unusable database stops the app
before sign-in, says what kind of problem it is, and shows no server path (AppTest)."""
import logging

from fatigue.pages import _health

from conftest import damage_database, start_app, texts


def shown(at) -> str:
    """Everything the stop screen shows, as one text."""
    return "\n".join(texts(at.title) + texts(at.error) + texts(at.caption) + texts(at.markdown)
                     + texts(at.code) + texts(at.text) + texts(at.info))


def test_damaged_database_stops_before_login_and_writes_nothing(db, db_path, user, caplog):
    damage_database(db, user, db_path)
    before = db_path.read_bytes()
    with caplog.at_level(logging.ERROR, logger="fatigue"):
        at = start_app()
    assert not at.exception
    assert texts(at.title) == ["The database needs attention"]
    assert "will not read from or write to it" in at.error[0].value
    assert "python -m fatigue restore /path/to/latest-backup.db --db" in at.code[0].value
    assert str(db_path.parent) not in shown(at)  # no server path before sign-in ...
    assert f"The database {db_path} is damaged (integrity check:" in caplog.text  # ... the log has it
    assert not at.text_input  # no login form, no page
    assert db_path.read_bytes() == before


def test_a_file_that_is_not_a_database_stops_the_app(db_path, caplog):
    db_path.write_text("name,exhaustion\ncasey,5\n")
    with caplog.at_level(logging.ERROR, logger="fatigue"):
        at = start_app()
    assert not at.exception
    assert texts(at.title) == ["The database needs attention"]
    assert str(db_path.parent) not in shown(at)
    assert f"The file {db_path} is not a SQLite database." in caplog.text
    assert db_path.read_text() == "name,exhaustion\ncasey,5\n"


def test_sound_database_is_checked_once_per_process(db, user, monkeypatch):
    calls = []
    real = _health.fdb.health
    monkeypatch.setattr(_health.fdb, "health", lambda path: calls.append(path) or real(path))
    at = start_app()
    assert texts(at.title) == ["Caseload check-in"]  # the login screen
    at.run()
    start_app()
    assert len(calls) == 1


def test_a_read_only_database_is_not_reported_as_damaged(read_only_database, caplog):
    with caplog.at_level(logging.ERROR, logger="fatigue"):
        at = start_app()
    assert not at.exception
    assert texts(at.title) == ["The database cannot be written to"]
    assert "not damage" in at.error[0].value
    assert "damaged" not in shown(at) and "restore" not in shown(at)
    assert str(read_only_database.parent) not in shown(at)
    assert "is read-only for the account that runs the app" in caplog.text


def test_a_database_of_a_newer_version_stops_the_app_unchanged(db, db_path, user):
    from test_db import make_newer

    make_newer(db)
    db.close()
    before = db_path.read_bytes()
    at = start_app()
    assert texts(at.title) == ["The app is older than its database"]
    assert not at.text_input
    assert db_path.read_bytes() == before
