"""Backups while the app runs, and restores that check first and keep the old file."""
import datetime as dt
import sqlite3
import stat
import subprocess
import sys
from pathlib import Path

import pytest

from fatigue import accounts, backup, checkins, cli
from fatigue.backup import BackupError
from fatigue.db import connect, schema_version

from conftest import PASSWORD, RATINGS, TODAY, another_programs_database, damage_database

WRITER = Path(__file__).parent / "fixtures" / "writer.py"
NOW = dt.datetime(2026, 3, 16, 2, 15, 0, tzinfo=dt.timezone.utc)


@pytest.fixture(autouse=True)
def notes_key(monkeypatch):
    """One notes key for the database and its copies (the key is backed up separately)."""
    from fatigue import crypto

    monkeypatch.setenv("FATIGUE_KEY", crypto.generate_key())


@pytest.fixture
def saved(db, user):
    """Three check-ins of ``user`` (the 14th to the 16th of March 2026)."""
    for back in range(3):
        checkins.save_checkin(db, user, TODAY - dt.timedelta(days=back), today=TODAY,
                              note=f"day {back}", **RATINGS)
    return user


def count(path: Path) -> int:
    conn = sqlite3.connect(path)
    try:
        return conn.execute("SELECT count(*) FROM checkins").fetchone()[0]
    finally:
        conn.close()


def test_backup_copies_and_verifies(db, db_path, saved, tmp_path):
    dest = tmp_path / "copy.db"
    found = backup.backup(db_path, dest)
    assert found.path == dest
    assert found.checkins == 3 and found.users == 1
    assert list(found.migrations) == schema_version(db)
    assert stat.S_IMODE(dest.stat().st_mode) == 0o600  # personal data: owner only
    assert not Path(str(dest) + "-wal").exists()  # one self-contained file
    copy = connect(dest)
    assert checkins.get_checkin(copy, saved, TODAY)["note"] == "day 0"
    copy.close()


def test_backup_into_a_folder_gets_a_timestamped_name(db_path, saved, tmp_path):
    folder = tmp_path / "backups"
    folder.mkdir()
    found = backup.backup(db_path, folder, now=NOW)
    assert found.path == folder / "test-20260316-021500.db"
    # A trailing slash makes the folder when it is missing.
    other = backup.backup(db_path, f"{tmp_path / 'new'}/", now=NOW)
    assert other.path == tmp_path / "new" / "test-20260316-021500.db"


def test_backup_refuses_to_overwrite_unless_forced(db_path, saved, tmp_path):
    dest = tmp_path / "copy.db"
    dest.write_text("keep me")
    with pytest.raises(BackupError, match="exists already"):
        backup.backup(db_path, dest)
    assert dest.read_text() == "keep me"
    backup.backup(db_path, dest, force=True)
    assert count(dest) == 3
    assert not (tmp_path / "copy.db.partial").exists()


def test_backup_of_a_missing_database(tmp_path):
    with pytest.raises(BackupError, match="There is no database"):
        backup.backup(tmp_path / "none.db", tmp_path / "copy.db")


def test_backup_is_consistent_while_another_process_writes(db, db_path, user, tmp_path):
    writer = subprocess.Popen(
        [sys.executable, str(WRITER), str(db_path), str(user), "0"],
        stdout=subprocess.PIPE, text=True,
    )
    try:
        for _ in range(20):  # let it get going
            assert writer.stdout.readline().strip()
        copies = [backup.backup(db_path, tmp_path / f"copy{n}.db") for n in range(3)]
    finally:
        writer.kill()
        writer.wait()
    numbers = [found.checkins for found in copies]
    assert numbers == sorted(numbers) and numbers[0] >= 20
    for found in copies:  # each copy is a snapshot: check-ins 1..n, no gaps, sound
        conn = sqlite3.connect(found.path)
        days = [row[0] for row in conn.execute("SELECT day FROM checkins ORDER BY day")]
        assert days == [(dt.date(2001, 1, 1) + dt.timedelta(days=n)).isoformat()
                        for n in range(found.checkins)]
        assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        conn.close()


@pytest.mark.parametrize(
    "content, message",
    [
        (b"", "is not a SQLite database"),
        (b"name,day\nx,2026-01-01\n", "is not a SQLite database"),
    ],
)
def test_verify_refuses_files_that_are_not_sqlite(tmp_path, content, message):
    path = tmp_path / "file.db"
    path.write_bytes(content)
    with pytest.raises(BackupError, match=message):
        backup.verify(path)


def test_verify_refuses_another_programs_database(tmp_path):
    path = another_programs_database(tmp_path / "other.db")
    with pytest.raises(BackupError, match="not a database of this check-in tool"):
        backup.verify(path)


def test_verify_refuses_a_newer_schema(db, db_path, tmp_path):
    copy = backup.backup(db_path, tmp_path / "copy.db").path
    conn = sqlite3.connect(copy)
    conn.execute("INSERT INTO _sqlite_migrations (migration_set, name, applied_at)"
                 " VALUES ('fatigue', '0099_from_the_future', '2030-01-01')")
    conn.commit()
    conn.close()
    with pytest.raises(BackupError, match=r"newer version .*0099_from_the_future"):
        backup.verify(copy)


def corrupt(path: Path) -> None:
    """Overwrite pages in the middle of a database file with junk."""
    size = path.stat().st_size
    with path.open("r+b") as handle:
        handle.seek(size // 2 // 4096 * 4096)
        handle.write(b"\xff" * 4096 * 3)


def test_verify_refuses_a_damaged_copy(db, db_path, user, tmp_path):
    checkins.save_checkins(db, user, [
        {"day": TODAY - dt.timedelta(days=n), **RATINGS, "note": "x" * 500} for n in range(200)
    ], today=TODAY)
    copy = backup.backup(db_path, tmp_path / "copy.db").path
    corrupt(copy)
    with pytest.raises(BackupError, match="damaged|cannot be read"):
        backup.verify(copy)


def test_restore_keeps_the_old_file_and_puts_the_copy_in_place(db, db_path, saved, tmp_path):
    copy = backup.backup(db_path, tmp_path / "copy.db").path
    checkins.save_checkin(db, saved, TODAY - dt.timedelta(days=5), today=TODAY, **RATINGS)
    db.close()  # the app is stopped
    kept = backup.restore(copy, db_path, now=NOW)
    assert kept == db_path.with_name("test.db.before-restore-20260316-021500")
    assert count(kept) == 4  # the old database, whole
    assert count(db_path) == 3  # the backup
    assert copy.exists()
    again = connect(db_path)
    assert checkins.get_checkin(again, saved, TODAY)["note"] == "day 0"
    assert again.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    again.close()


def test_restore_refuses_while_the_app_has_the_database_open(db, db_path, saved, tmp_path):
    copy = backup.backup(db_path, tmp_path / "copy.db").path
    checkins.save_checkin(db, saved, TODAY - dt.timedelta(days=5), today=TODAY, **RATINGS)
    with pytest.raises(BackupError, match="in use .*Stop the app first"):
        backup.restore(copy, db_path, now=NOW)
    assert count(db_path) == 4
    assert not list(db_path.parent.glob("*.before-restore-*"))


def test_restore_checks_the_backup_before_touching_anything(db, db_path, saved, tmp_path):
    bad = tmp_path / "bad.db"
    bad.write_bytes(b"not a database at all")
    db.close()
    before = db_path.read_bytes()
    with pytest.raises(BackupError, match="is not a SQLite database"):
        backup.restore(bad, db_path)
    assert db_path.read_bytes() == before
    assert not list(db_path.parent.glob("*.before-restore-*"))


def test_restore_replaces_a_damaged_database(db, db_path, user, tmp_path):
    copy = backup.backup(db_path, tmp_path / "copy.db").path
    damage_database(db, user, db_path)
    kept = backup.restore(copy, db_path, now=NOW)
    assert kept.exists()
    assert backup.verify(db_path).users == 1


def test_restore_into_an_empty_place(db_path, db, user, tmp_path):
    copy = backup.backup(db_path, tmp_path / "copy.db").path
    target = tmp_path / "fresh" / "agency.db"
    target.parent.mkdir()
    assert backup.restore(copy, target) is None
    assert accounts.authenticate(connect(target), "casey", PASSWORD).id == user


def test_cli_backup_and_restore(db, db_path, saved, tmp_path, capsys):
    folder = tmp_path / "nightly"
    folder.mkdir()
    assert cli.main(["backup", str(folder), "--db", str(db_path)]) == 0
    out = capsys.readouterr().out
    (made,) = folder.iterdir()
    assert f"written to {made} and verified" in out and "3 check-ins" in out
    assert cli.main(["backup", str(made), "--db", str(db_path)]) == 2
    assert "exists already" in capsys.readouterr().err
    db.close()
    assert cli.main(["restore", str(made), "--db", str(db_path)]) == 0
    out = capsys.readouterr().out
    assert f"Restored {db_path} from {made}" in out and "previous database was kept" in out
    assert cli.main(["restore", str(tmp_path / "missing.db"), "--db", str(db_path)]) == 2
    assert "is not a file" in capsys.readouterr().err


def test_backup_of_a_damaged_database_is_refused_and_leaves_no_file(db, db_path, user, tmp_path):
    damage_database(db, user, db_path)
    with pytest.raises(BackupError):
        backup.backup(db_path, tmp_path / "copy.db")
    assert sorted(p.name for p in tmp_path.iterdir() if p.name.startswith("copy")) == []


# --- the app lock: restore refuses whenever the app runs ------------------------------

def test_restore_refuses_while_the_app_runs_even_with_no_connection_open(
        db, db_path, saved, tmp_path, running_app):
    copy = backup.backup(db_path, tmp_path / "copy.db").path
    checkins.save_checkin(db, saved, TODAY - dt.timedelta(days=5), today=TODAY, **RATINGS)
    db.close()  # nobody has the database open: only the app lock says the app runs
    with pytest.raises(BackupError, match="Stop the app first, then restore; nothing was changed"):
        backup.restore(copy, db_path, now=NOW)
    assert count(db_path) == 4
    assert not list(db_path.parent.glob("*.before-restore-*"))
    running_app.kill()  # however the app ends, the kernel drops its lock
    running_app.wait()
    assert backup.restore(copy, db_path, now=NOW).exists()
    assert count(db_path) == 3


def test_the_command_line_restore_refuses_while_the_app_runs(db, db_path, saved, tmp_path,
                                                             running_app, capsys):
    copy = backup.backup(db_path, tmp_path / "copy.db").path
    db.close()
    assert cli.main(["restore", str(copy), "--db", str(db_path)]) == 2
    assert "Stop the app first" in capsys.readouterr().err


def test_the_app_holds_the_lock_from_its_first_run(db, db_path, saved, tmp_path):
    from conftest import start_app

    copy = backup.backup(db_path, tmp_path / "copy.db").path
    db.close()
    start_app()  # the login screen: no session signed in
    with pytest.raises(BackupError, match="Stop the app first"):
        backup.restore(copy, db_path, now=NOW)


def test_the_app_waits_while_a_restore_holds_the_lock(db, db_path, user):
    from conftest import start_app, texts
    from fatigue import files

    with files.exclusive(db_path, "restore"):
        at = start_app()
        assert texts(at.title) == ["The database is being restored or re-keyed"]
        assert not at.text_input  # no login form
    assert texts(start_app().title) == ["Caseload check-in"]  # tried again on the next run


def test_files_kept_by_a_restore_are_owner_only(db, db_path, saved, tmp_path):
    copy = backup.backup(db_path, tmp_path / "copy.db").path
    db.close()
    db_path.chmod(0o644)  # as an older version left it
    kept = backup.restore(copy, db_path, now=NOW)
    assert stat.S_IMODE(kept.stat().st_mode) == 0o600
    assert stat.S_IMODE(db_path.stat().st_mode) == 0o600
