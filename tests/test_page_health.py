"""The start-up check (fatigue/pages/_health.py): a damaged database stops the app (AppTest)."""
from fatigue.pages import _health

from conftest import damage_database, start_app, texts


def test_damaged_database_stops_before_login_and_writes_nothing(db, db_path, user):
    damage_database(db, user, db_path)
    before = db_path.read_bytes()
    at = start_app()
    assert not at.exception
    assert texts(at.title) == ["The database needs attention"]
    assert "will not read from or write to it" in at.error[0].value
    assert f"is damaged (integrity check:" in at.text[0].value
    assert f"python -m fatigue restore /path/to/latest-backup.db --db {db_path}" in at.code[0].value
    assert not at.text_input  # no login form, no page
    assert db_path.read_bytes() == before


def test_a_file_that_is_not_a_database_stops_the_app(db_path):
    db_path.write_text("name,exhaustion\ncasey,5\n")
    at = start_app()
    assert not at.exception
    assert texts(at.title) == ["The database needs attention"]
    assert at.text[0].value.startswith(f"The file {db_path} is not a SQLite database.")
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
