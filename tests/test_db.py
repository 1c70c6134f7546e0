"""Connections: path selection, pragmas, migrations, concurrent writers, health."""
import datetime as dt
import subprocess
import sys
import threading

import pytest

from fatigue import checkins, db as fdb
from fatigue.db import UnusableDatabase, connect, default_path, health, schema_version

from conftest import RATINGS, TODAY, another_programs_database, damage_database


def test_default_path_and_env(monkeypatch, tmp_path):
    monkeypatch.delenv("FATIGUE_DB", raising=False)
    assert default_path() == fdb.ROOT / "data" / "fatigue.db"
    monkeypatch.setenv("FATIGUE_DB", str(tmp_path / "x.db"))
    assert default_path() == tmp_path / "x.db"


def test_connect_uses_env_path_and_creates_folders(monkeypatch, tmp_path):
    target = tmp_path / "nested" / "dir" / "agency.db"
    monkeypatch.setenv("FATIGUE_DB", str(target))
    connect().close()
    assert target.exists()


def test_pragmas(db):
    assert db.execute("PRAGMA foreign_keys").fetchone()[0] == 1
    assert db.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    assert db.execute("PRAGMA busy_timeout").fetchone()[0] == 30000


def test_tables_are_strict(db):
    for table in ("teams", "users", "team_members", "checkins", "settings"):
        sql = db[table].schema
        assert sql.rstrip().endswith("STRICT"), table


def test_migrations_are_applied_once(db_path):
    first = connect(db_path)
    applied = schema_version(first)
    assert applied[0] == "0001_accounts_and_checkins"
    first.close()
    again = connect(db_path)
    assert schema_version(again) == applied
    assert again.execute("SELECT count(*) FROM _sqlite_migrations").fetchone()[0] == len(applied)


def test_connection_usable_from_another_thread(db, user):
    # Streamlit reruns a script in new threads; the session's connection must follow.
    errors = []

    def work():
        try:
            checkins.save_checkin(db, user, TODAY, today=TODAY, **RATINGS)
        except Exception as exc:  # pragma: no cover - reported below
            errors.append(exc)

    thread = threading.Thread(target=work)
    thread.start()
    thread.join()
    assert errors == []
    assert checkins.get_checkin(db, user, TODAY) is not None


def test_concurrent_writers_wait_instead_of_failing(db_path, user):
    import datetime as dt

    days = [dt.date(2025, 1, 1) + dt.timedelta(days=n) for n in range(160)]
    errors = []

    def work(share):
        conn = connect(db_path)
        try:
            for day in share:
                checkins.save_checkin(conn, user, day, today=TODAY, **RATINGS)
        except Exception as exc:
            errors.append(exc)
        finally:
            conn.close()

    threads = [threading.Thread(target=work, args=(days[i::4],)) for i in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    conn = connect(db_path)
    assert conn.execute("SELECT count(*) FROM checkins").fetchone()[0] == len(days)
    assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"


# --- start-up health check and unusable files ----------------------------------


def test_health_of_a_sound_and_of_a_missing_database(db, db_path, tmp_path):
    assert health(db_path) is None
    assert health(tmp_path / "not-yet.db") is None  # connect() will create it


def test_health_reports_a_damaged_database_and_how_to_restore(db, db_path, user):
    damage_database(db, user, db_path)
    before = db_path.read_bytes()
    problem = health(db_path)
    assert problem.kind == "damaged"
    assert problem.detail.startswith(f"The database {db_path} is damaged (integrity check: ")
    assert f"python -m fatigue restore BACKUP_FILE --db {db_path}" in problem.detail
    assert db_path.read_bytes() == before  # the check wrote nothing


def test_health_keeps_the_locks_of_open_connections(tmp_path):
    """A health check while the app holds the database open must not drop the app's
    SQLite locks (closing any other handle on the file would): else another process
    closing its connection deletes the WAL under the app."""
    path = tmp_path / "agency.db"
    db = connect(path)
    db.execute("CREATE TABLE t (x INTEGER)")
    db.execute("INSERT INTO t VALUES (1)")
    db.conn.commit()
    assert health(path) is None
    other = ("import sqlite3, sys; c = sqlite3.connect(sys.argv[1]);"
             " c.execute('INSERT INTO t VALUES (2)'); c.commit(); c.close()")
    subprocess.run([sys.executable, "-c", other, str(path)], check=True)
    assert (tmp_path / "agency.db-wal").exists()  # the app's connection kept it
    assert db.execute("SELECT count(*) FROM t").fetchone()[0] == 2


def test_health_of_a_file_that_is_not_a_database(tmp_path):
    path = tmp_path / "notes.txt"
    path.write_text("exhaustion,empathy\n5,6\n")
    assert health(path).kind == "not_a_database"
    assert health(path).detail.startswith(f"The file {path} is not a SQLite database.")
    assert health(tmp_path).detail == f"The database path {tmp_path} is a folder, not a file."


def test_connect_to_a_non_database_file_says_so(tmp_path):
    path = tmp_path / "agency.db"
    path.write_text("this is a spreadsheet, not a database\n" * 50)
    with pytest.raises(UnusableDatabase, match=r"cannot be used as the database \(file is not a database\)"):
        connect(path)
    assert path.read_text().startswith("this is a spreadsheet")



def test_cli_on_a_non_database_file_prints_a_clear_error(tmp_path, capsys):
    from fatigue import cli

    path = tmp_path / "agency.db"
    path.write_text("not a database\n" * 50)
    assert cli.main(["init", "--db", str(path)]) == 2
    err = capsys.readouterr().err
    assert err.startswith(f"error: {path} cannot be used as the database (file is not a database).")
    assert "Traceback" not in err


# --- owner-only files ----------------------------------------------------------------

def mode(path) -> int:
    return path.stat().st_mode & 0o777


def test_the_database_and_its_side_files_are_owner_only_whatever_the_umask(tmp_path):
    import os

    path = tmp_path / "agency.db"
    old = os.umask(0o022)  # a usual umask: new files would be readable by everyone
    try:
        db = connect(path)
        db["settings"].insert({"key": "probe", "value": "x"})
        sides = [path.with_name(path.name + suffix) for suffix in ("-wal", "-shm")]
        assert all(side.exists() for side in sides)
        assert [mode(p) for p in (path, *sides)] == [0o600, 0o600, 0o600]
        db.close()
    finally:
        os.umask(old)


def test_a_database_left_readable_by_an_older_version_is_made_owner_only(db, db_path):
    db.close()  # the last connection: SQLite folds the -wal file in and removes it
    db_path.chmod(0o644)
    again = connect(db_path)
    assert mode(db_path) == 0o600
    assert mode(db_path.with_name(db_path.name + "-wal")) == 0o600
    again.close()


# --- databases this code must not use ---------------------------------------------------

def make_newer(db) -> None:
    """Record a migration this code does not know, as a later version would."""
    db.execute("INSERT INTO _sqlite_migrations (migration_set, name, applied_at)"
               " VALUES ('fatigue', '0099_from_the_future', '2027-01-01')")
    db.conn.commit()


def test_a_database_written_by_a_newer_version_is_refused_and_not_touched(db, db_path):
    make_newer(db)
    db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    db.close()
    before = db_path.read_bytes()
    with pytest.raises(fdb.WrongDatabase, match="written by a newer version of this tool "
                       r"\(schema 0099_from_the_future\)"):
        connect(db_path)
    problem = health(db_path)
    assert problem.kind == "newer" and "Update the tool" in problem.detail
    assert db_path.read_bytes() == before


def test_another_programs_database_is_refused_and_gets_none_of_our_tables(tmp_path):
    import sqlite3

    path = another_programs_database(tmp_path / "crm.db")
    with pytest.raises(fdb.WrongDatabase, match="is a database of another program"):
        connect(path)
    assert health(path).kind == "foreign"
    conn = sqlite3.connect(path)
    assert [r[0] for r in conn.execute("SELECT name FROM sqlite_master")] == ["clients"]
    assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "delete"  # not switched to WAL
    conn.close()


def test_connect_without_create_makes_no_database(tmp_path):
    path = tmp_path / "typo.db"
    with pytest.raises(fdb.MissingDatabase, match=f"There is no database at {path}"):
        connect(path, create=False)
    assert list(tmp_path.iterdir()) == []
