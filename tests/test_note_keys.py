"""A key per person for their private notes (fatigue.note_keys): made at the first note,
opened by the password into the session, re-wrapped on a password change, locked by an
admin reset until the recovery code is entered."""
import datetime as dt
import sys
from pathlib import Path

import pytest

from fatigue import accounts, audit, checkins, crypto, note_keys, sessions
from fatigue.db import connect
from fatigue.errors import ValidationError

from conftest import PASSWORD, RATINGS, TODAY, killed_runs

NOTE = "Supervisor Dana dismissed the Hendricks visit again"
NEW_PASSWORD = "another-long-test-password"
ADMIN_PASSWORD = "the-admins-own-password"
RESET_PASSWORD = "admin-chose-this-one"


def sign_in(db, username="casey", password=PASSWORD):
    """What POST /signin does: check the password, start a session, open the notes."""
    user = accounts.authenticate(db, username, password)
    token, session = sessions.start(db, user.id)
    note_keys.signed_in_with_password(db, user.id, password, session.id, token)
    return token, session


def access(db, user, token, session):
    return note_keys.access(db, user, session.id, token)


def first_note(db, user, text=NOTE, day=TODAY):
    """Sign in, make the key (as the check-in page does at the first note), save a note."""
    token, session = sign_in(db)
    opened = note_keys.create(db, user, session.id, token)
    checkins.save_checkin(db, user, day, today=TODAY, key=opened.key, note=text, **RATINGS)
    code = note_keys.pending_code(db, session.id, token)
    return token, session, code


@pytest.fixture
def admin(db, team):
    return accounts.create_user(db, "root", ADMIN_PASSWORD, team=team, is_admin=True)


def stored_notes(db):
    return [row[0] for row in db.execute("SELECT note FROM checkins ORDER BY day")]


def test_recovery_codes_are_25_base32_characters_and_read_forgivingly():
    code = note_keys.new_recovery_code()
    assert len(code) == 29 and code.count("-") == 4
    assert note_keys.normalize_code(code.lower().replace("-", " ")) == code
    assert note_keys.normalize_code("oil00-00000-00000-00000-00000") == "01100-00000-00000-00000-00000"
    assert note_keys.normalize_code("too short") is None
    assert note_keys.normalize_code("UUUUU-00000-00000-00000-00000") is None  # no U in base32


def test_the_first_note_makes_a_key_and_a_recovery_code_shown_once(db, user):
    token, session, code = first_note(db, user)
    assert note_keys.normalize_code(code) == code
    note_keys.code_shown(db, session.id)
    assert note_keys.pending_code(db, session.id, token) is None
    opened = access(db, user, token, session)
    assert (opened.has_key, opened.locked, opened.kind) == (True, False, "password")
    assert checkins.get_checkin(db, user, TODAY, key=opened.key)["note"] == NOTE
    assert [e["action"] for e in audit.entries(db) if e["action"] == "note_key_created"] == [
        "note_key_created"]


def test_a_note_is_sealed_inside_the_server_key_so_the_server_key_alone_reads_nothing(
        db, user, db_path):
    first_note(db, user)
    inner = crypto.notes_cipher(db).decrypt_bytes(stored_notes(db)[0])
    assert NOTE.encode() not in inner and len(inner) == len(NOTE) + 12 + 16  # nonce, tag
    assert checkins.get_checkin(db, user, TODAY) | {"updated_at": None} == {
        **checkins.get_checkin(db, user, TODAY), "updated_at": None, "note": None,
        "note_locked": True}


def test_the_next_sign_in_opens_the_notes_with_the_password(db, user):
    first_note(db, user)
    token, session = sign_in(db)
    opened = access(db, user, token, session)
    assert checkins.load_history(db, user, key=opened.key)["note"].tolist() == [NOTE]
    assert checkins.load_history(db, user)["note"].tolist() == [None]


def test_a_key_wrapped_at_an_older_cost_is_re_wrapped_at_todays_at_the_next_sign_in(
        db, user, monkeypatch):
    with monkeypatch.context() as earlier:
        earlier.setattr(note_keys, "COST", (3, 8 * 1024, 4))  # as an older version wrapped it
        first_note(db, user)
    stored = db.execute("SELECT by_secret FROM note_keys").fetchone()[0]
    assert stored.startswith("a2id1$3,8192,4$")
    token, session = sign_in(db)
    assert checkins.load_history(db, user, key=access(db, user, token, session).key)[
        "note"].tolist() == [NOTE]
    stored = db.execute("SELECT by_secret FROM note_keys").fetchone()[0]
    assert stored.startswith("a2id1$2,19456,1$")  # fatigue.password_cost
    token, session = sign_in(db)  # opened at today's cost
    assert checkins.load_history(db, user, key=access(db, user, token, session).key)[
        "note"].tolist() == [NOTE]


def test_the_session_row_opens_nothing_without_the_browsers_token(db, user):
    token, session, _ = first_note(db, user)
    assert access(db, user, None, session).locked
    other_token, other = sign_in(db)
    assert access(db, user, other_token, session).locked  # another session's token
    assert token not in str(db.execute("SELECT * FROM sessions").fetchall())


def test_signing_out_drops_the_open_key_with_the_session(db, user):
    token, session, _ = first_note(db, user)
    sessions.end_token(db, token)
    assert db.execute("SELECT count(*) FROM sessions").fetchone()[0] == 0
    assert access(db, user, token, session).locked


def test_a_password_change_re_wraps_the_key_without_re_encrypting_a_note(db, user):
    token, session, _ = first_note(db, user)
    before = stored_notes(db)
    accounts.change_password(db, user, PASSWORD, NEW_PASSWORD, keep_session=session.id,
                             token=token)
    assert stored_notes(db) == before
    assert access(db, user, token, session).key is not None  # still open here
    token, session = sign_in(db, password=NEW_PASSWORD)
    assert checkins.get_checkin(db, user, TODAY, key=access(db, user, token, session).key)[
        "note"] == NOTE


def test_an_admin_reset_locks_the_notes_until_the_recovery_code(db, user, admin):
    _, _, code = first_note(db, user)
    accounts.reset_password(db, user, RESET_PASSWORD, actor_id=admin)
    token, session = sign_in(db, password=RESET_PASSWORD)  # the admin, signing in as casey
    seen = access(db, user, token, session)
    assert seen.locked and seen.reset_at is not None
    assert checkins.get_checkin(db, user, TODAY, key=seen.key)["note"] is None
    accounts.complete_forced_change(db, user, NEW_PASSWORD, keep_session=session.id, token=token)
    assert access(db, user, token, session).locked  # a new password opens nothing either
    opened = note_keys.unlock(db, user, code, session.id, token)
    assert checkins.get_checkin(db, user, TODAY, key=opened.key)["note"] == NOTE
    token, session = sign_in(db, password=NEW_PASSWORD)  # wrapped under the new password
    assert not access(db, user, token, session).locked


def test_a_wrong_code_is_refused_and_changes_nothing(db, user, admin):
    _, _, code = first_note(db, user)
    accounts.reset_password(db, user, RESET_PASSWORD, actor_id=admin)
    token, session = sign_in(db, password=RESET_PASSWORD)
    keys_before = db.execute("SELECT kind, by_secret, by_code FROM note_keys").fetchall()
    notes_before = stored_notes(db)
    wrong = note_keys.new_recovery_code()
    for typed in (wrong, RESET_PASSWORD, PASSWORD, ""):
        with pytest.raises(ValidationError) as refused:
            note_keys.unlock(db, user, typed, session.id, token)
        assert refused.value.errors == {"unlock": note_keys.WRONG}
    assert db.execute("SELECT kind, by_secret, by_code FROM note_keys").fetchall() == keys_before
    assert stored_notes(db) == notes_before
    assert note_keys.unlock(db, user, code, session.id, token).key is not None


def test_wrong_tries_make_the_account_wait_before_the_next(db, user):
    token, session, code = first_note(db, user)
    now = dt.datetime(2026, 3, 16, 9, 0, tzinfo=dt.timezone.utc)
    for _ in range(note_keys.FREE_FAILURES):
        with pytest.raises(ValidationError):
            note_keys.unlock(db, user, "not-the-password", session.id, token, now=now)
    with pytest.raises(ValidationError) as waiting:
        note_keys.unlock(db, user, code, session.id, token, now=now)  # even the right one
    assert waiting.value.errors == {"unlock": "Too many wrong tries. Try again in 31 seconds."}
    assert note_keys.unlock(db, user, code, session.id, token,
                            now=now + dt.timedelta(seconds=31)).key is not None


def test_while_locked_a_save_keeps_the_locked_note_and_a_new_note_is_refused(db, user, admin):
    first_note(db, user)
    accounts.reset_password(db, user, RESET_PASSWORD, actor_id=admin)
    before = stored_notes(db)
    checkins.save_checkin(db, user, TODAY, today=TODAY, **{**RATINGS, "exhaustion": 9})
    checkins.save_checkin(db, user, TODAY, today=TODAY, note="", **RATINGS)
    assert stored_notes(db) == before
    with pytest.raises(ValidationError) as refused:
        checkins.save_checkin(db, user, TODAY, today=TODAY, note="new words", **RATINGS)
    assert refused.value.errors == {"note": note_keys.NEEDS_UNLOCK}
    assert stored_notes(db) == before


def test_starting_afresh_deletes_the_locked_notes_and_the_key(db, user, admin):
    first_note(db, user)
    checkins.save_checkin(db, user, TODAY - dt.timedelta(days=1), today=TODAY, **RATINGS)
    accounts.reset_password(db, user, RESET_PASSWORD, actor_id=admin)
    token, session = sign_in(db, password=RESET_PASSWORD)
    assert note_keys.start_afresh(db, user, session.id, token) == 1
    assert stored_notes(db) == ["", ""]
    assert not note_keys.has_key(db, user)
    assert checkins.get_checkin(db, user, TODAY)["exhaustion"] == 5  # the ratings stay


def test_starting_afresh_is_refused_while_the_notes_are_open(db, user):
    token, session, _ = first_note(db, user)
    with pytest.raises(ValidationError):
        note_keys.start_afresh(db, user, session.id, token)
    assert stored_notes(db) != [""]


def test_notes_from_before_move_under_the_key_at_the_next_sign_in(db, user):
    days = [TODAY - dt.timedelta(days=n) for n in range(3)]
    for n, day in enumerate(days):
        checkins.save_checkin(db, user, day, today=TODAY, note=f"old note {n}", **RATINGS)
    assert not note_keys.has_key(db, user)
    assert checkins.load_history(db, user)["note"].tolist() == ["old note 2", "old note 1",
                                                                 "old note 0"]
    token, session = sign_in(db)
    opened = access(db, user, token, session)
    assert opened.kind == "password" and opened.key is not None
    assert note_keys.pending_code(db, session.id, token) is not None
    assert checkins.load_history(db, user, key=opened.key)["note"].tolist() == [
        "old note 2", "old note 1", "old note 0"]
    assert checkins.load_history(db, user)["note"].tolist() == [None, None, None]


def test_a_person_without_notes_gets_no_key_at_sign_in(db, user):
    token, session = sign_in(db)
    seen = access(db, user, token, session)
    assert (seen.has_key, seen.can_wrap_password) == (False, True)


def test_single_sign_on_notes_move_under_a_code_and_a_passphrase_opens_them(db, user):
    checkins.save_checkin(db, user, TODAY, today=TODAY, note=NOTE, **RATINGS)
    token, session = sessions.start(db, user, method="sso")
    note_keys.signed_in_without_password(db, user, session.id, token)
    opened = access(db, user, token, session)
    assert (opened.kind, opened.can_wrap_password) == ("code", False)
    note_keys.set_passphrase(db, user, "my notes passphrase words", session.id, token)
    token, session = sessions.start(db, user, method="sso")
    note_keys.signed_in_without_password(db, user, session.id, token)
    assert access(db, user, token, session).locked
    opened = note_keys.unlock(db, user, "my notes passphrase words", session.id, token)
    assert checkins.get_checkin(db, user, TODAY, key=opened.key)["note"] == NOTE


def test_a_single_sign_on_first_note_with_a_passphrase(db, user):
    token, session = sessions.start(db, user, method="sso")
    opened = note_keys.create(db, user, session.id, token, passphrase="my notes passphrase words")
    assert opened.kind == "passphrase"
    checkins.save_checkin(db, user, TODAY, today=TODAY, key=opened.key, note=NOTE, **RATINGS)
    token, session = sign_in(db)  # the account's password does not open a passphrase key
    assert access(db, user, token, session).locked


def test_a_new_recovery_code_replaces_the_old_one(db, user, admin):
    token, session, old = first_note(db, user)
    note_keys.new_code(db, user, session.id, token)
    new = note_keys.pending_code(db, session.id, token)
    assert new != old
    accounts.reset_password(db, user, RESET_PASSWORD, actor_id=admin)
    token, session = sign_in(db, password=RESET_PASSWORD)
    with pytest.raises(ValidationError):
        note_keys.unlock(db, user, old, session.id, token)
    assert note_keys.unlock(db, user, new, session.id, token).key is not None


def test_the_reset_leaves_the_person_a_notice_of_what_and_when(db, user, admin):
    first_note(db, user)
    accounts.reset_password(db, user, RESET_PASSWORD, actor_id=admin)
    day = dt.datetime.now(dt.timezone.utc).date()
    assert [r[0] for r in db.execute("SELECT message FROM sign_in_notices")] == [
        accounts.reset_notice("root", True, day)]
    assert accounts.reset_notice("root", True, dt.date(2026, 12, 4)) == (
        "On Fri 4 Dec 2026 the admin 'root' reset your password. Your private notes are "
        "locked: the admin's password cannot open them. Enter your recovery code under "
        "'Private notes' on My account to open them again; without it nobody can read "
        "them, and you can choose there to start afresh. If you did not ask for this, tell "
        "your agency's data protection contact and change your password.")


def test_rotating_the_server_key_keeps_sealed_notes_readable(db, user):
    token, session, _ = first_note(db, user)
    crypto.rotate_key(db)
    opened = access(db, user, token, session)
    assert checkins.get_checkin(db, user, TODAY, key=opened.key)["note"] == NOTE


def test_the_longest_note_fits_sealed_inside_the_server_key(db, user):
    """2,000 four-byte characters: the stored note stays within the table's size limit."""
    token, session, _ = first_note(db, user)
    longest = "🙂" * 2000
    opened = access(db, user, token, session)
    checkins.save_checkin(db, user, TODAY, today=TODAY, key=opened.key, note=longest, **RATINGS)
    assert len(stored_notes(db)[0]) == 10793  # the CHECK allows 10,800
    assert checkins.get_checkin(db, user, TODAY, key=opened.key)["note"] == longest


REWRAP_AND_DIE = Path(__file__).parent / "fixtures" / "rewrap_and_die.py"


@pytest.mark.skipif(sys.platform == "win32", reason="SIGKILL is POSIX")
def test_a_crash_at_any_step_of_a_move_or_re_wrap_loses_no_note(db, db_path, user, admin,
                                                                  tmp_path, monkeypatch):
    """Kill the process just before and just after each commit along the whole walk (notes from
    before moving under a new key, a password change, an admin reset, the forced new
    password, the recovery code). Whatever the step, Casey then signs in with the
    password that is hers at that point (and her recovery code if the notes are
    locked) and reads every note."""
    sys.path.insert(0, str(REWRAP_AND_DIE.parent))
    from rewrap_and_die import CHEAP, PASSWORDS

    from argon2 import PasswordHasher
    monkeypatch.setattr(note_keys, "COST", CHEAP)  # as the child wrote them
    monkeypatch.setattr(accounts, "_hasher", PasswordHasher(*CHEAP))

    notes = {TODAY - dt.timedelta(days=n): "é" * n + f"note {n}" for n in range(3)}
    for day, text in notes.items():  # written before per-person keys: under the server key
        checkins.save_checkin(db, user, day, today=TODAY, note=text, **RATINGS)
    db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    db.close()
    steps = []
    for run, said, _ in killed_runs(db_path, tmp_path, REWRAP_AND_DIE, "{run}/code.txt"):
        steps.append(said.split(": ")[-1])
        again = connect(run / "test.db")  # the next start of the app
        current = next(p for p in PASSWORDS[::-1] if _password_is(again, p))
        user_row = accounts.authenticate(again, "casey", current)
        token, session = sessions.start(again, user_row.id)
        note_keys.signed_in_with_password(again, user_row.id, current, session.id, token)
        opened = note_keys.access(again, user, session.id, token)
        if opened.locked:
            opened = note_keys.unlock(again, user, (run / "code.txt").read_text(), session.id,
                                      token)
        assert checkins.load_history(again, user, key=opened.key)["note"].tolist() == [
            notes[day] for day in sorted(notes)], steps[-1]
        again.close()
    assert steps.count("before COMMIT") >= 10 and len(steps) >= 20, steps


def _password_is(db, password: str) -> bool:
    from argon2 import PasswordHasher
    from argon2.exceptions import VerificationError

    stored = db.execute("SELECT password_hash FROM users WHERE username = 'casey'").fetchone()[0]
    try:
        return PasswordHasher().verify(stored, password)
    except VerificationError:
        return False
