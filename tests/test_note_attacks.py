"""Attacks on private notes, tried the way a hostile admin would (issue 18; PRIVACY.md,
"Who can read a private note").

The admin resets Casey's password, signs in as Casey with it, chooses Casey's new
password at the forced-change screen, then looks everywhere: every personal page,
the downloads, the supervision summary with notes ticked, the operator's export, the
database file (also decrypted with the server key), the audit log and the app's log.
No note text is found anywhere; Casey's recovery code then opens every note again.
"""
from __future__ import annotations

import io
import json
import logging
import sqlite3
import zipfile

import pytest

from fatigue import accounts, audit, checkins, cli, crypto, export, note_keys, sessions, sso, summary

from conftest import RATINGS, TODAY, sign_in, start_app, visible_text

NOTES = {TODAY: "Dana (my supervisor) laughed at the Hendricks case",
         TODAY.replace(day=13): "Cried in the car after the visit to the Okafor flat"}
WORDS = ("Dana", "Hendricks", "Okafor", "Cried")
RESET = "admin-picked-password"
HIJACKED = "admin-now-owns-this-one"


def notes_seen(text: str) -> list[str]:
    return [word for word in WORDS if word in text]


@pytest.fixture
def admin(db, team):
    return accounts.create_user(db, "root", "the-admins-own-password", team=team, is_admin=True)


@pytest.fixture
def code(db, user):
    """Casey writes two notes through her own session; returns her recovery code."""
    token = sign_in("casey")
    session = sessions.resolve(db, token).session
    opened = note_keys.create(db, user, session.id, token)
    for day, text in NOTES.items():
        checkins.save_checkin(db, user, day, today=TODAY, key=opened.key, note=text, **RATINGS)
    return note_keys.pending_code(db, session.id, token)


@pytest.fixture
def hijacked(db, user, admin, code):
    """The admin resets Casey's password and signs in as Casey: the session token."""
    accounts.reset_password(db, user, RESET, actor_id=admin)
    token = sign_in("casey", RESET)
    session = sessions.resolve(db, token).session
    accounts.complete_forced_change(db, user, HIJACKED, keep_session=session.id, token=token)
    return token


def key_of(db, user, token):
    session = sessions.resolve(db, token).session
    return note_keys.access(db, user, session.id, token).key


def test_the_pages_show_no_note_and_say_the_notes_are_locked(db, user, hijacked):
    at = start_app(token=hijacked)
    for page in ("home", "checkin", "trends", "insights", "questionnaires", "actions",
                 "summary", "account"):
        at = at.switch_page(f"fatigue/pages/{page}.py").run()
        assert not at.exception, page
        if page == "summary":
            at = at.checkbox(key="include_notes").check().run()
            assert notes_seen(texts_of_expander(at)) == []
        shown = " ".join(visible_text(at) + [t.value for t in at.text]
                         + [str(w.value) for w in (*at.text_area, *at.text_input)])
        assert notes_seen(shown) == [], page
        if page == "checkin":
            assert [a for a in at.text_area if a.label.startswith("Private note")] == []
            assert "Your private notes are locked: an admin reset your password" in shown
        if page == "account":
            assert "Enter your recovery code to open them again." in shown


def texts_of_expander(at) -> str:
    return " ".join(m.value for m in at.expander[0].markdown)


def test_the_downloads_and_the_summary_hold_no_note(db, user, hijacked):
    key = key_of(db, user, hijacked)
    assert key is None
    data = export.collect(db, user, key=key)
    assert [(c["day"], c["note"], c["note_locked"]) for c in data["checkins"]] == [
        ("2026-03-13", None, True), ("2026-03-16", None, True)]
    zipped = zipfile.ZipFile(io.BytesIO(export.to_zip(data)))
    assert notes_seen(export.to_json(data)) == []
    assert notes_seen(" ".join(zipped.read(n).decode() for n in zipped.namelist())) == []
    assert zipped.read("locked_notes.txt").decode().endswith("2026-03-13\n2026-03-16\n")
    built = summary.build(db, user, TODAY, include_notes=True, key=key)
    assert (built.notes, built.locked_notes) == ((), 2)
    assert notes_seen(summary.to_markdown(built) + summary.to_html(built)) == []
    assert summary.locked_sentence(2) in summary.to_markdown(built)


def test_the_operators_export_holds_the_notes_as_locked(db, user, code, tmp_path, capsys):
    out = tmp_path / "casey.json"
    assert cli.main(["export", "casey", "--out", str(out), "--db", str(db.execute(
        "PRAGMA database_list").fetchone()[2])]) == 0
    assert capsys.readouterr().out.strip().endswith(
        "Their 2 private notes sealed with their own key are exported as locked: only they "
        "can open them.")
    document = json.loads(out.read_text())
    assert [c["note_locked"] for c in document["checkins"]] == [True, True]
    assert notes_seen(out.read_text()) == []


def test_the_database_file_holds_no_note_even_decrypted_with_the_server_key(
        db, user, hijacked, db_path):
    db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    raw = b"".join(p.read_bytes() for p in db_path.parent.glob("test.db*") if p.is_file())
    assert [w for w in WORDS if w.encode() in raw] == []
    cipher = crypto.notes_cipher(db)
    conn = sqlite3.connect(db_path)
    tables = [r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")]
    for table in tables:
        for row in conn.execute(f"SELECT * FROM {table}"):
            for value in row:
                if isinstance(value, str):
                    opened = (cipher.decrypt_bytes(value) if value.startswith(crypto.PREFIX)
                              else value.encode())
                    assert [w for w in WORDS if w.encode() in opened] == [], table
    conn.close()


def test_the_audit_log_and_the_app_log_hold_no_note(db, user, hijacked, caplog):
    caplog.set_level(logging.DEBUG)
    at = start_app(token=hijacked).switch_page("fatigue/pages/checkin.py").run()
    at.switch_page("fatigue/pages/summary.py").run()
    assert notes_seen(json.dumps(audit.entries(db))) == []
    assert notes_seen(caplog.text) == []
    assert [e["action"] for e in audit.entries(db) if e["action"].startswith("note")] == [
        "note_key_created"]


def test_pointing_single_sign_on_at_the_admin_opens_no_note(db, user, admin, code):
    sso.set_email(db, user, "admins-inbox@agency.org", actor_id=admin)
    token, session = sessions.start(db, user, method="sso")  # the admin, through the provider
    note_keys.signed_in_without_password(db, user, session.id, token)
    opened = note_keys.access(db, user, session.id, token)
    assert opened.locked
    assert checkins.load_history(db, user, key=opened.key)["note"].tolist() == [None, None]


def test_guessing_the_code_through_the_app_is_slowed_and_changes_nothing(db, user, hijacked):
    session = sessions.resolve(db, hijacked).session
    before = db.execute("SELECT by_code FROM note_keys").fetchall()
    for _ in range(note_keys.FREE_FAILURES):
        with pytest.raises(Exception):
            note_keys.unlock(db, user, note_keys.new_recovery_code(), session.id, hijacked)
    with pytest.raises(Exception) as waiting:
        note_keys.unlock(db, user, note_keys.new_recovery_code(), session.id, hijacked)
    assert "Too many wrong tries" in str(waiting.value)
    assert db.execute("SELECT by_code FROM note_keys").fetchall() == before


def test_the_recovery_code_opens_every_note_again_through_the_page(db, user, hijacked, code):
    at = start_app(token=hijacked).switch_page("fatigue/pages/account.py").run()
    at.text_input(key="unlock_secret").input(code.lower().replace("-", " "))
    at = at.button(key="unlock_submit").click().run()
    assert "Your private notes are open again." in " ".join(visible_text(at))
    history = checkins.load_history(db, user, key=key_of(db, user, hijacked))
    assert history["note"].tolist() == [NOTES[TODAY.replace(day=13)], NOTES[TODAY]]
    # and the next sign-in with the new password opens them without the code
    token = sign_in("casey", HIJACKED)
    assert checkins.load_history(db, user, key=key_of(db, user, token))["note"].tolist() == [
        NOTES[TODAY.replace(day=13)], NOTES[TODAY]]
