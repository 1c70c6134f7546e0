"""Private notes encrypted at rest: the key outside the database, wrong keys, rotation."""
import datetime as dt
import os
import sqlite3
import stat
import sys
from pathlib import Path

import pytest
from cryptography.fernet import Fernet

from fatigue import checkins, crypto
from fatigue.db import connect
from fatigue.migrations import migrations

from conftest import RATINGS, TODAY, killed_runs

NOTE = "Hendricks home visit, dog bit me, crying in the car"


def raw_bytes(path) -> bytes:
    """Everything SQLite keeps on disk for the database at ``path``."""
    data = b""
    for suffix in ("", "-wal", "-journal"):
        candidate = path.with_name(path.name + suffix)
        if candidate.exists():
            data += candidate.read_bytes()
    return data


def key_file(db_path):
    return db_path.with_name(db_path.name + ".key")


def test_key_file_is_created_owner_only_beside_the_database(db, db_path):
    path = key_file(db_path)
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    Fernet(path.read_text().strip().encode())  # a valid Fernet key
    assert path.read_text().strip().encode() not in raw_bytes(db_path)


def test_note_is_not_in_the_database_file(db, db_path, user):
    checkins.save_checkin(db, user, TODAY, today=TODAY, note=NOTE, **RATINGS)
    stored = db.execute("SELECT note FROM checkins").fetchone()[0]
    assert stored.startswith("enc1:gAAAAA") and NOTE not in stored
    db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    assert NOTE.encode() not in raw_bytes(db_path)
    assert b"Hendricks" not in raw_bytes(db_path)
    assert checkins.get_checkin(db, user, TODAY)["note"] == NOTE
    assert checkins.load_history(db, user)["note"].tolist() == [NOTE]


def test_empty_note_stays_empty(db, user):
    checkins.save_checkin(db, user, TODAY, today=TODAY, note="", **RATINGS)
    assert db.execute("SELECT note FROM checkins").fetchone()[0] == ""


def test_longest_note_of_four_byte_characters_fits(db, user):
    note = "\U0001F600" * 2000
    checkins.save_checkin(db, user, TODAY, today=TODAY, note=note, **RATINGS)
    assert checkins.get_checkin(db, user, TODAY)["note"] == note


@pytest.mark.parametrize("note", ["plain words", "enc1:not a token", "enc1:gAAAAA<script>"])
def test_database_refuses_a_note_that_is_not_encrypted(db, user, note):
    with pytest.raises(sqlite3.IntegrityError):
        db["checkins"].insert({"user_id": user, "day": "2026-03-10", **RATINGS, "note": note})


def test_saving_again_gives_a_new_ciphertext(db, user):
    checkins.save_checkin(db, user, TODAY, today=TODAY, note=NOTE, **RATINGS)
    first = db.execute("SELECT note FROM checkins").fetchone()[0]
    checkins.save_checkin(db, user, TODAY, today=TODAY, note=NOTE, **RATINGS)
    assert db.execute("SELECT note FROM checkins").fetchone()[0] != first  # a new IV each time


def test_an_edited_note_leaves_no_old_ciphertext_in_the_file(db, db_path, user):
    checkins.save_checkin(db, user, TODAY, today=TODAY, note=NOTE, **RATINGS)
    first = db.execute("SELECT note FROM checkins").fetchone()[0]
    checkins.save_checkin(db, user, TODAY, today=TODAY, note="shorter", **RATINGS)
    second = db.execute("SELECT note FROM checkins").fetchone()[0]
    db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    assert second.encode() in raw_bytes(db_path)
    assert first.encode() not in raw_bytes(db_path)  # overwritten (secure_delete)


def test_notes_saved_before_the_migration_are_encrypted_and_kept(tmp_path):
    path = tmp_path / "old.db"
    old = connect(path, migrate=False)
    migrations.apply(old, stop_before="0006_notes_encryption")
    old.execute("INSERT INTO users (id, username, password_hash) VALUES (1, 'casey', '$argon2id$x')")
    old.execute(
        "INSERT INTO checkins (user_id, day, exhaustion, empathy, detachment, intrusion, meaning,"
        " recovery, time_pressure, caseload, note) VALUES (1, '2026-03-10', 5, 6, 2, 3, 7, 4, 6,"
        " 12, ?), (1, '2026-03-11', 5, 6, 2, 3, 7, 4, 6, 12, '')",
        [NOTE],
    )
    old.conn.commit()
    old.close()
    assert NOTE.encode() in raw_bytes(path)
    assert not key_file(path).exists()

    db = connect(path)  # migrates: creates the key, encrypts the note
    assert stat.S_IMODE(key_file(path).stat().st_mode) == 0o600
    assert checkins.get_checkin(db, 1, "2026-03-10")["note"] == NOTE
    assert checkins.get_checkin(db, 1, "2026-03-11")["note"] == ""
    assert checkins.get_checkin(db, 1, "2026-03-10")["caseload"] == 12
    db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    db.close()
    assert NOTE.encode() not in raw_bytes(path)


@pytest.mark.parametrize("mode", [0o640, 0o604, 0o644])
def test_key_file_readable_by_others_is_refused(db_path, mode):
    connect(db_path).close()
    key_file(db_path).chmod(mode)
    with pytest.raises(crypto.NotesKeyError, match="chmod 600"):
        crypto.notes_cipher(connect(db_path))


def test_wrong_key_gives_a_clear_error_never_empty_notes(db, user, monkeypatch):
    checkins.save_checkin(db, user, TODAY, today=TODAY, note=NOTE, **RATINGS)
    assert crypto.check_key(db) is None
    monkeypatch.setenv("FATIGUE_KEY", crypto.generate_key())
    with pytest.raises(crypto.NotesKeyError, match="cannot be decrypted with FATIGUE_KEY"):
        checkins.get_checkin(db, user, TODAY)
    with pytest.raises(crypto.NotesKeyError):
        checkins.load_history(db, user)
    assert "not the key these notes were encrypted with" in crypto.check_key(db)
    with pytest.raises(crypto.NotesKeyError):  # and nothing is overwritten through it
        checkins.save_checkin(db, user, TODAY, today=TODAY, exhaustion=9)
    monkeypatch.delenv("FATIGUE_KEY")
    assert checkins.get_checkin(db, user, TODAY)["note"] == NOTE


def test_missing_key_file_is_not_silently_replaced(db, db_path, user):
    checkins.save_checkin(db, user, TODAY, today=TODAY, note=NOTE, **RATINGS)
    key = key_file(db_path).read_text()
    key_file(db_path).unlink()
    with pytest.raises(crypto.NotesKeyError, match="key file .* is missing"):
        checkins.get_checkin(db, user, TODAY)
    assert not key_file(db_path).exists()  # no new key was made for the old notes
    crypto._write_new_file(key_file(db_path), key)
    assert checkins.get_checkin(db, user, TODAY)["note"] == NOTE


@pytest.mark.parametrize("value", ["not-a-key", "abc,def", " , "])
def test_malformed_environment_key_is_refused_clearly(db, monkeypatch, value):
    monkeypatch.setenv("FATIGUE_KEY", value)
    message = crypto.check_key(db)
    assert message is not None and "FATIGUE_KEY" in message


def test_environment_key_is_used_and_no_key_file_made(tmp_path, monkeypatch):
    key = crypto.generate_key()
    monkeypatch.setenv("FATIGUE_KEY", key)
    path = tmp_path / "env.db"
    db = connect(path)
    db.execute("INSERT INTO users (id, username, password_hash) VALUES (1, 'casey', '$argon2id$x')")
    checkins.save_checkin(db, 1, TODAY, today=TODAY, note=NOTE, **RATINGS)
    token = db.execute("SELECT note FROM checkins").fetchone()[0][len(crypto.PREFIX):]
    assert Fernet(key.encode()).decrypt(token.encode()).decode() == NOTE
    assert not key_file(path).exists()


def test_key_file_from_the_environment(tmp_path, monkeypatch):
    keyfile = tmp_path / "secrets" / "notes.key"
    monkeypatch.setenv("FATIGUE_KEY_FILE", str(keyfile))
    connect(tmp_path / "a.db").close()
    assert stat.S_IMODE(keyfile.stat().st_mode) == 0o600
    assert not key_file(tmp_path / "a.db").exists()


def test_in_memory_database_has_its_own_key():
    db = connect(":memory:")
    db.execute("INSERT INTO users (id, username, password_hash) VALUES (1, 'casey', '$argon2id$x')")
    checkins.save_checkin(db, 1, TODAY, today=TODAY, note=NOTE, **RATINGS)
    assert checkins.get_checkin(db, 1, TODAY)["note"] == NOTE
    other = connect(":memory:")
    assert crypto.notes_cipher(other).fernet is not crypto.notes_cipher(db).fernet


def test_a_second_process_creating_the_key_keeps_the_first(tmp_path):
    path = tmp_path / "race.key"
    crypto._create_key_file(path)
    first = path.read_text()
    crypto._create_key_file(path)  # lost the race: the existing key stays
    assert path.read_text() == first
    assert sorted(p.name for p in tmp_path.iterdir()) == ["race.key"]


# --- rotation -----------------------------------------------------------------

def test_rotate_key_file(db, db_path, user):
    checkins.save_checkin(db, user, TODAY, today=TODAY, note=NOTE, **RATINGS)
    checkins.save_checkin(db, user, "2026-03-15", today=TODAY, note="", **RATINGS)
    old_key = key_file(db_path).read_text()
    result = crypto.rotate_key(db)
    assert result.notes == 1
    assert ".key.old" in result.message and "back up" in result.message.lower()
    new_key = key_file(db_path).read_text()
    assert new_key != old_key
    assert key_file(db_path).with_name("test.db.key.old").read_text() == old_key
    assert stat.S_IMODE(key_file(db_path).stat().st_mode) == 0o600
    assert checkins.get_checkin(db, user, TODAY)["note"] == NOTE
    token = db.execute("SELECT note FROM checkins WHERE note != ''").fetchone()[0][5:].encode()
    Fernet(new_key.strip().encode()).decrypt(token)
    with pytest.raises(Exception):
        Fernet(old_key.strip().encode()).decrypt(token)
    assert not key_file(db_path).with_name("test.db.key.new").exists()


def test_rotate_with_a_wrong_key_changes_nothing(db, db_path, user, monkeypatch):
    checkins.save_checkin(db, user, TODAY, today=TODAY, note=NOTE, **RATINGS)
    before = db.execute("SELECT note FROM checkins").fetchone()[0]
    key_file(db_path).write_text(crypto.generate_key() + "\n")
    with pytest.raises(crypto.NotesKeyError):
        crypto.rotate_key(db)
    assert db.execute("SELECT note FROM checkins").fetchone()[0] == before
    assert not key_file(db_path).with_name("test.db.key.old").exists()


def test_rotate_with_a_single_environment_key_explains_and_changes_nothing(db, user, monkeypatch):
    monkeypatch.setenv("FATIGUE_KEY", crypto.generate_key())
    checkins.save_checkin(db, user, TODAY, today=TODAY, note=NOTE, **RATINGS)
    before = db.execute("SELECT note FROM checkins").fetchone()[0]
    result = crypto.rotate_key(db)
    assert result.notes == 0 and "FATIGUE_KEY=NEW,CURRENT" in result.message
    assert db.execute("SELECT note FROM checkins").fetchone()[0] == before


def test_rotate_with_two_environment_keys_moves_notes_to_the_first(db, user, monkeypatch):
    old, new = crypto.generate_key(), crypto.generate_key()
    monkeypatch.setenv("FATIGUE_KEY", old)
    checkins.save_checkin(db, user, TODAY, today=TODAY, note=NOTE, **RATINGS)
    monkeypatch.setenv("FATIGUE_KEY", f"{new},{old}")
    assert crypto.rotate_key(db).notes == 1
    monkeypatch.setenv("FATIGUE_KEY", new)
    assert checkins.get_checkin(db, user, TODAY)["note"] == NOTE


def test_key_file_with_old_keys_after_the_first_still_decrypts(db, db_path, user):
    checkins.save_checkin(db, user, TODAY, today=TODAY, note=NOTE, **RATINGS)
    old = key_file(db_path).read_text().strip()
    path = key_file(db_path)
    path.unlink()
    crypto._write_new_file(path, f"# notes key\n{crypto.generate_key()}\n{old}\n")
    assert checkins.get_checkin(db, user, TODAY)["note"] == NOTE
    assert os.stat(path).st_mode & 0o077 == 0


# --- command line ---------------------------------------------------------------

def cli_run(argv):
    import contextlib
    import io

    from fatigue import cli

    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        code = cli.main(argv)
    return code, out.getvalue(), err.getvalue()


def test_rotate_key_command(db, db_path, user):
    checkins.save_checkin(db, user, TODAY, today=TODAY, note=NOTE, **RATINGS)
    code, out, _ = cli_run(["rotate-key", "--db", str(db_path)])
    assert code == 0 and out.startswith("Re-encrypted 1 notes under a new key, now in ")
    assert key_file(db_path).with_name("test.db.key.old").exists()
    assert checkins.get_checkin(db, user, TODAY)["note"] == NOTE


def test_rotate_key_command_with_a_wrong_key_is_a_clear_error(db, db_path, user, monkeypatch):
    checkins.save_checkin(db, user, TODAY, today=TODAY, note=NOTE, **RATINGS)
    monkeypatch.setenv("FATIGUE_KEY", crypto.generate_key())
    code, out, err = cli_run(["rotate-key", "--db", str(db_path)])
    assert (code, out) == (2, "")
    assert err.startswith("error: The private notes cannot be decrypted with FATIGUE_KEY")


def test_rotate_refuses_to_overwrite_an_earlier_old_key(db, db_path, user):
    checkins.save_checkin(db, user, TODAY, today=TODAY, note=NOTE, **RATINGS)
    crypto.rotate_key(db)
    first_old = key_file(db_path).with_name("test.db.key.old").read_text()
    current = key_file(db_path).read_text()
    with pytest.raises(crypto.NotesKeyError, match="earlier rotation"):
        crypto.rotate_key(db)
    assert key_file(db_path).with_name("test.db.key.old").read_text() == first_old
    assert key_file(db_path).read_text() == current
    assert checkins.get_checkin(db, user, TODAY)["note"] == NOTE


def test_a_rotation_failing_before_its_commit_keeps_the_current_key_and_notes(
        db, db_path, user, monkeypatch):
    checkins.save_checkin(db, user, TODAY, today=TODAY, note=NOTE, **RATINGS)
    before = db.execute("SELECT note FROM checkins").fetchone()[0]
    current = key_file(db_path).read_text()

    def failing(*args):
        raise OSError("disk full")

    monkeypatch.setattr(crypto, "encrypt_all", failing)
    with pytest.raises(OSError, match="disk full"):
        crypto.rotate_key(db)
    assert key_file(db_path).read_text() == current
    assert sorted(p.name for p in db_path.parent.iterdir() if ".key" in p.name) == ["test.db.key"]
    assert db.execute("SELECT note FROM checkins").fetchone()[0] == before


def test_a_rotation_failing_after_its_commit_is_finished_by_the_next_use_of_the_key(
        db, db_path, user, monkeypatch):
    checkins.save_checkin(db, user, TODAY, today=TODAY, note=NOTE, **RATINGS)
    current = key_file(db_path).read_text()
    real_replace = os.replace

    def failing(src, dst):
        if str(src).endswith(".key.new"):
            raise OSError("disk full")
        real_replace(src, dst)

    monkeypatch.setattr(crypto.os, "replace", failing)
    with pytest.raises(crypto.NotesKeyError, match="the next start of the app, or the next "
                       "command, finishes the swap"):
        crypto.rotate_key(db)
    monkeypatch.setattr(crypto.os, "replace", real_replace)
    assert checkins.get_checkin(db, user, TODAY)["note"] == NOTE  # loads the key: finishes
    assert key_file(db_path).with_name("test.db.key.old").read_text() == current
    assert key_file(db_path).read_text() != current
    assert not key_file(db_path).with_name("test.db.key.new").exists()


# --- a rotation killed at every step ------------------------------------------------------

ROTATE_AND_DIE = Path(__file__).parent / "fixtures" / "rotate_and_die.py"


@pytest.mark.skipif(sys.platform == "win32", reason="SIGKILL is POSIX")
def test_a_rotation_killed_at_any_step_is_finished_or_rolled_back_at_the_next_start(
        db, db_path, user, tmp_path):
    """Kill the rotating process before each of its file operations and its commit in
    turn; whatever the step, the next start-up reads every note, with one key file
    in place (owner-only) and the old key kept as .old exactly when the notes moved."""
    notes = {TODAY - dt.timedelta(days=n): 'é' * n + f'note {n}' for n in range(5)}
    for day, note in notes.items():
        checkins.save_checkin(db, user, day, today=TODAY, note=note, **RATINGS)
    db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    db.close()
    original = key_file(db_path).read_text()
    outcomes = []
    for run, _, _ in killed_runs(db_path, tmp_path, ROTATE_AND_DIE, steps=40):
        again = connect(run / "test.db")  # the next start of the app (or a command)
        assert crypto.check_key(again) is None
        for day, note in notes.items():
            assert checkins.get_checkin(again, user, day)["note"] == note
        again.close()
        key, old = run / "test.db.key", run / "test.db.key.old"
        assert not (run / "test.db.key.new").exists()
        assert stat.S_IMODE(key.stat().st_mode) == 0o600
        if key.read_text() == original:
            assert not old.exists()
            outcomes.append("rolled back")
        else:
            assert old.read_text() == original
            outcomes.append("finished")
    assert outcomes[-1] == "finished" and "rolled back" in outcomes and len(outcomes) >= 6, outcomes


def test_rotating_a_key_file_refuses_while_the_app_runs(db, db_path, user, running_app):
    checkins.save_checkin(db, user, TODAY, today=TODAY, note=NOTE, **RATINGS)
    before = db.execute("SELECT note FROM checkins").fetchone()[0]
    current = key_file(db_path).read_text()
    with pytest.raises(crypto.NotesKeyError, match="Stop the app first, then rotate the key"):
        crypto.rotate_key(db)
    assert key_file(db_path).read_text() == current
    assert db.execute("SELECT note FROM checkins").fetchone()[0] == before


def test_finding_a_stored_note_reads_only_the_check_ins_with_one(db, user):
    """The key's check on a process's first page read every check-in when none had a note."""
    checkins.save_checkin(db, user, TODAY, today=TODAY, **RATINGS)
    plan = " ".join(row[3] for row in db.execute(
        "EXPLAIN QUERY PLAN " + crypto._FIRST_SEALED, [len(crypto.PREFIX), crypto.PREFIX]))
    assert "checkins_noted" in plan, plan
    assert not crypto.has_encrypted_notes(db)
    checkins.save_checkin(db, user, TODAY, today=TODAY, note="a note", **RATINGS)
    assert crypto.has_encrypted_notes(db) and crypto.check_key(db) is None
