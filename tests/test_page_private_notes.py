"""Private notes in the pages (AppTest; fatigue/pages/_private_notes.py and the note in
the check-in form): a single sign-on account's first note (a notes passphrase, or the
recovery code alone), the code shown once, a new recovery code and a notes passphrase
set on My account."""
import datetime as dt

import pytest

from fatigue import checkins, note_keys, sessions
from fatigue.dates import day_text
from fatigue.errors import ValidationError

from conftest import COOKIE, RUN_DAY, log_in, notes_key, start_app, texts

TODAY = RUN_DAY
pytestmark = pytest.mark.usefixtures("run_day")  # the pages read today from the clock
NOTE = "Dana cut the Hendricks debrief short again"
PHRASE = "bluebell harbour lantern"
ACCOUNT = "fatigue/pages/account.py"


def sso_sign_in(db, user: int) -> str:
    """What a single sign-on does (no password): a session, its notes left locked."""
    token, session = sessions.start(db, user, method="sso")
    note_keys.signed_in_without_password(db, user, session.id, token)
    return token


def access(db, token: str) -> note_keys.Access:
    session = sessions.resolve(db, token).session
    return note_keys.access(db, session.user_id, session.id, token)


def first_note(token: str, passphrase: str | None = None):
    """Write a first note through the check-in page of the browser holding ``token``."""
    at = start_app(token=token).switch_page("fatigue/pages/checkin.py").run()
    day = TODAY.isoformat()
    for label, value in (("Exhaustion", 6), ("Empathy", 5)):
        next(b for b in at.button_group if b.label.startswith(label)).set_value(value)
    at.text_area(key=f"note@{day}").input(NOTE)
    if passphrase is not None:
        at.text_input(key=f"notes_passphrase@{day}").input(passphrase)
    return at.button(key=f"save@{day}").click().run()


def shown_code(at) -> str | None:
    """The recovery code in its panel (app.py), if shown."""
    codes = [c.value for c in at.code]
    assert len(codes) <= 1
    return codes[0] if codes else None


def test_a_single_sign_on_first_note_asks_for_a_notes_passphrase_and_locks_it_with_that(db, user):
    token = sso_sign_in(db, user)
    at = start_app(token=token).switch_page("fatigue/pages/checkin.py").run()
    assert at.text_input(key=f"notes_passphrase@{TODAY.isoformat()}").label == (
        "Notes passphrase (for your first note)")
    at = first_note(token, PHRASE)
    assert not at.exception and not texts(at.error)
    assert texts(at.success) == [f"Check-in for {day_text(TODAY)} saved. Thank you."]
    opened = access(db, token)
    assert (opened.kind, opened.locked) == ("passphrase", False)
    assert checkins.get_checkin(db, user, TODAY, key=opened.key)["note"] == NOTE
    assert checkins.get_checkin(db, user, TODAY)["note"] is None  # sealed: not without the key
    assert shown_code(at) is not None  # the code as well, once
    # The next single sign-on opens nothing by itself; the passphrase does.
    later = sso_sign_in(db, user)
    assert access(db, later).locked
    session = sessions.resolve(db, later).session
    key = note_keys.unlock(db, user, PHRASE, session.id, later).key
    assert checkins.get_checkin(db, user, TODAY, key=key)["note"] == NOTE


def test_a_single_sign_on_first_note_without_a_passphrase_has_the_recovery_code_alone(db, user):
    token = sso_sign_in(db, user)
    at = first_note(token, "")
    assert access(db, token).kind == "code"
    code = shown_code(at)
    assert note_keys.normalize_code(code) == code
    download = at.download_button(key="recovery_code_download").proto
    assert download.label == "Download the code" and download.ignore_rerun  # no rerun on click
    at = at.button(key="recovery_code_kept").click().run()
    assert shown_code(at) is None  # shown only once
    assert shown_code(start_app(token=token)) is None

    # A later single sign-on: the notes are locked, the code alone opens them on My account.
    later = sso_sign_in(db, user)
    at = start_app(token=later).switch_page(ACCOUNT).run()
    assert texts(at.warning) == ["Your private notes are locked in this session: only your "
                                 "recovery code opens them. Enter it to open them."]
    assert at.text_input(key="unlock_secret").label == "Recovery code"
    at.text_input(key="unlock_secret").input(code.lower())
    at = at.button(key="unlock_submit").click().run()
    assert texts(at.success) == ["Your private notes are open again."]
    assert checkins.get_checkin(db, user, TODAY, key=notes_key(db, at))["note"] == NOTE


@pytest.mark.parametrize("weak, message", [
    ("short", "Notes passphrase: Password must be at least 12 characters."),
    (" " * 14, "Notes passphrase: Password cannot be only spaces."),
])
def test_a_weak_notes_passphrase_is_refused_and_nothing_is_saved(db, user, weak, message):
    token = sso_sign_in(db, user)
    at = first_note(token, weak)
    assert message in texts(at.error)
    assert checkins.get_checkin(db, user, TODAY) is None
    assert not access(db, token).has_key and shown_code(at) is None  # no key made either


def test_a_first_note_with_a_missing_rating_makes_no_key(db, user):
    token = sso_sign_in(db, user)
    at = start_app(token=token).switch_page("fatigue/pages/checkin.py").run()
    at.text_area(key=f"note@{TODAY.isoformat()}").input(NOTE)
    at = at.button(key=f"save@{TODAY.isoformat()}").click().run()
    assert "Not saved yet: please choose a number for exhaustion and empathy." in texts(at.error)
    assert not access(db, token).has_key and shown_code(at) is None


def test_a_password_account_is_not_asked_for_a_passphrase(db, user):
    at = log_in("casey").switch_page("fatigue/pages/checkin.py").run()
    assert [t for t in at.text_input if t.key.startswith("notes_passphrase")] == []
    token = at.session_state[COOKIE]
    first_note(token)
    assert access(db, token).kind == "password"  # her password opens her notes


def test_a_new_recovery_code_replaces_the_old_one_on_my_account(db, user):
    at = first_note(log_in("casey").session_state[COOKIE])
    old = shown_code(at)
    at = at.button(key="recovery_code_kept").click().run()
    at = at.switch_page(ACCOUNT).run()
    assert at.button(key="new_recovery_code").label == "Make a new recovery code"
    at = at.button(key="new_recovery_code").click().run()
    new = shown_code(at)
    assert new is not None and new != old
    token = at.session_state[COOKIE]
    session = sessions.resolve(db, token).session
    with pytest.raises(ValidationError):
        note_keys.unlock(db, user, old, session.id, token)  # the old code stops working
    assert note_keys.unlock(db, user, new, session.id, token).key == notes_key(db, at)


def test_the_new_recovery_code_button_waits_for_open_notes(db, user):
    first_note(log_in("casey").session_state[COOKIE])
    at = start_app(token=sso_sign_in(db, user)).switch_page(ACCOUNT).run()  # locked here
    assert [b for b in at.button if b.key == "new_recovery_code"] == []
    assert at.text_input(key="unlock_secret")  # the unlock form instead


def test_a_single_sign_on_session_sets_a_notes_passphrase_on_my_account(db, user):
    token = sso_sign_in(db, user)
    first_note(token, "")  # the recovery code alone so far
    at = start_app(token=token).switch_page(ACCOUNT).run()
    at.text_input(key="new_passphrase").input("short")
    at = at.button(key="set_passphrase").click().run()
    assert "Password must be at least 12 characters." in texts(at.error)
    assert access(db, token).kind == "code"
    at.text_input(key="new_passphrase").input(PHRASE)
    at = at.button(key="set_passphrase").click().run()
    assert texts(at.success) == ["Your notes passphrase is set."]
    assert access(db, token).kind == "passphrase"
    later = sso_sign_in(db, user)
    session = sessions.resolve(db, later).session
    key = note_keys.unlock(db, user, PHRASE, session.id, later).key
    assert checkins.get_checkin(db, user, TODAY, key=key)["note"] == NOTE


def test_a_password_session_is_not_offered_a_notes_passphrase(db, user):
    at = first_note(log_in("casey").session_state[COOKIE])
    at = at.switch_page(ACCOUNT).run()
    assert [t for t in at.text_input if t.key == "new_passphrase"] == []

