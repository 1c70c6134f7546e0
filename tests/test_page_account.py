"""My account page (AppTest): where I am signed in, changing my password, my data."""
import pytest

from fatigue import accounts, audit, sessions
from fatigue.errors import AuthError

from conftest import PASSWORD, log_in, notes_key, sign_in, start_app, texts

NEW = "a-brand-new-passphrase"
PAGE = "fatigue/pages/account.py"


def change(current, new, repeat=None, at=None):
    at = at or log_in("casey").switch_page(PAGE).run()
    at.text_input[0].input(current)
    at.text_input[1].input(new)
    at.text_input[2].input(new if repeat is None else repeat)
    return at.button(key="change_password_submit").click().run()


def test_change_password(db, user):
    elsewhere = start_app(token=sign_in("casey", keep=True))
    at = change(PASSWORD, NEW)
    assert texts(at.success) == [
        "Your password has been changed. Every other device and browser has been signed out."]
    assert texts(at.title) == ["My account"]  # still signed in here
    elsewhere.run()
    assert texts(elsewhere.title) == ["Caseload check-in"]  # but not there
    assert accounts.authenticate(db, "casey", NEW).id == user
    with pytest.raises(AuthError):
        accounts.authenticate(db, "casey", PASSWORD)
    from fatigue import audit
    assert [e["actor_id"] for e in audit.entries(db, action="password_changed")] == [user]


@pytest.mark.parametrize("current, new, repeat, message", [
    ("not-my-password", NEW, None, "Your current password is not right."),
    (PASSWORD, NEW, "something-else-again", "The two new passwords differ."),
    (PASSWORD, "short", None, "Password must be at least 12 characters."),
    (PASSWORD, PASSWORD, None, "The new password must differ from the current one."),
    (PASSWORD, "sunshine2026!", None, accounts.TOO_COMMON),
])
def test_refused_changes_keep_the_old_password(db, user, current, new, repeat, message):
    at = change(current, new, repeat)
    assert texts(at.error) == [message]
    assert accounts.authenticate(db, "casey", PASSWORD).id == user


def test_guessing_the_current_password_is_throttled_and_audited(db, user):
    at = log_in("casey").switch_page(PAGE).run()
    for _ in range(4):
        at = change("a-wrong-guess-here", NEW, at=at)
        assert texts(at.error) == ["Your current password is not right."]
    at = change("a-wrong-guess-here", NEW, at=at)
    assert texts(at.error)[0].startswith("Your current password is not right. Too many failed")
    at = change(PASSWORD, NEW, at=at)  # the right one waits out the lock too
    assert texts(at.error)[0].startswith("Too many failed logins for this username.")
    assert len(audit.entries(db, action="password_check_failed")) == 6
    assert accounts.authenticate(db, "casey", PASSWORD, address="198.51.100.7").id == user


# --- where I am signed in --------------------------------------------------------------

def test_my_sessions_are_listed_with_this_one_marked(db, user):
    sign_in("casey", keep=True)  # a phone, say
    at = log_in("casey").switch_page(PAGE).run()
    devices = [m.value for m in at.markdown if m.value.startswith("**")]
    assert devices == ["**A browser** (this one)", "**A browser**"]
    lasts = [c.value for c in at.caption if c.value.startswith("Signed in ")]
    assert lasts[0].endswith("· until the browser closes") and "UTC" in lasts[0]
    assert "· kept signed in until " in lasts[1]
    assert len([b for b in at.button if b.key.startswith("end_session_")]) == 1  # not this one


def test_sign_out_one_other_session(db, user):
    other = start_app(token=sign_in("casey", keep=True))
    at = log_in("casey").switch_page(PAGE).run()
    [button] = [b for b in at.button if b.key.startswith("end_session_")]
    at = button.click().run()
    assert texts(at.success) == ["A browser has been signed out."]
    assert len(sessions.for_user(db, user)) == 1
    other.run()
    assert texts(other.title) == ["Caseload check-in"]
    assert [e["action"] for e in audit.entries(db)][0] == "signed_out_device"


def test_sign_out_everywhere_this_browser_too(db, user):
    other = start_app(token=sign_in("casey", keep=True))
    at = log_in("casey").switch_page(PAGE).run()
    at = at.button(key="sign_out_everywhere").click().run()
    assert texts(at.title) == ["Caseload check-in"]
    assert texts(at.success) == [
        "You have signed out everywhere, here too. Log in again on the devices you use."]
    other.run()
    assert texts(other.title) == ["Caseload check-in"]
    assert sessions.for_user(db, user) == []
    [entry] = audit.entries(db, action="sessions_ended")
    assert entry["detail"]["reason"] == "signed_out_everywhere" and entry["detail"]["sessions"] == 2


# --- my data: export, import, delete ------------------------------------------------

import datetime as dt  # noqa: E402

from fatigue import checkins, importer  # noqa: E402

from conftest import RATINGS  # noqa: E402

EVIL = "<script>alert(1)</script> [x](http://evil) **bold**"
HEADER = "day,exhaustion,empathy,detachment,intrusion,meaning,recovery,time_pressure"


def account_page():
    return log_in("casey").switch_page("fatigue/pages/account.py").run()


def upload(at, text: str):
    at.file_uploader(key="import_file_0").upload("history.csv", text.encode(), "text/csv")
    return at.run()


def test_downloads_and_template_are_offered(db, user):
    at = account_page()
    labels = [b.proto.label for b in at.get("download_button")]
    assert labels == ["Download as JSON", "Download as CSV files (zip)",
                      "Download the template (CSV)"]


def test_a_download_does_not_rerun_the_page(db, user):
    """The data is made on the click; a rerun started by the same click would empty the
    messages not yet sent, the file's address among them (the button then hung)."""
    at = account_page()
    buttons = {b.proto.label: b.proto for b in at.get("download_button")}
    assert buttons["Download as JSON"].deferred_file_id  # made on the click
    assert buttons["Download as CSV files (zip)"].deferred_file_id
    assert all(button.ignore_rerun for button in buttons.values())


def test_import_a_valid_file(db, user):
    at = upload(account_page(), f"{HEADER},note\n2024-05-02,5,6,2,3,7,4,6,\"{EVIL}\"\n")
    at = at.button(key="import_submit").click().run()
    assert texts(at.success) == ["Imported 1 check-in."]
    assert checkins.get_checkin(db, user, "2024-05-02")["note"] is None  # sealed with her key
    assert checkins.get_checkin(db, user, "2024-05-02", key=notes_key(db, at))["note"] == EVIL


def test_import_report_names_row_and_field_and_shows_text_literally(db, user):
    text = f"{HEADER}\n2024-05-02,11,6,2,3,7,4,6\n2999-01-01,5,6,2,3,7,4,6\n"
    at = upload(account_page(), text.replace("empathy", "<b>mood</b>"))
    at = at.button(key="import_submit").click().run()
    assert texts(at.error) == [
        "Nothing was imported: the file has 2 problems. Fix them and upload it again."]
    report = at.dataframe[0].value
    assert report.to_dict("records") == [
        {"Where": "row 1, column 3", "Problem": "Unknown column '<b>mood</b>'. The columns are: "
         + ", ".join(importer.CHECKIN_COLUMNS) + "."},
        {"Where": "row 1", "Problem": "Missing column(s): Empathy."},
    ]
    at = upload(account_page(), text)
    at = at.button(key="import_submit").click().run()
    assert at.dataframe[0].value.to_dict("records") == [
        {"Where": "row 2, Exhaustion", "Problem": "Exhaustion must be a whole number from 0 to 10."},
        {"Where": "row 3, Date", "Problem": "Date cannot be in the future."},
    ]
    assert checkins.load_history(db, user).empty


def test_import_refuses_saved_days_unless_replace_is_ticked(db, user):
    checkins.save_checkin(db, user, "2024-05-02", note="keep", **RATINGS)
    at = upload(account_page(), f"{HEADER}\n2024-05-02,9,6,2,3,7,4,6\n")
    at = at.button(key="import_submit").click().run()
    assert "You already have a check-in for 2024-05-02" in at.dataframe[0].value.iloc[0, 1]
    assert checkins.get_checkin(db, user, "2024-05-02", key=notes_key(db, at))["note"] == "keep"
    at.checkbox(key="import_replace").check()
    at = at.button(key="import_submit").click().run()
    assert texts(at.success) == ["Imported 1 check-in (1 replaced a day already saved)."]
    assert checkins.get_checkin(db, user, "2024-05-02")["exhaustion"] == 9


def test_import_button_waits_for_a_file(db, user):
    assert account_page().button(key="import_submit").disabled


def test_delete_my_data_needs_the_typed_username(db, user):
    checkins.save_checkin(db, user, dt.date.today(), note=EVIL, **RATINGS)
    at = account_page()
    at.text_input(key="delete_confirm").input("Casey")
    at = at.button(key="delete_submit").click().run()
    assert texts(at.error) == [
        "Type the username 'casey' exactly to confirm; nothing was deleted."]
    assert len(checkins.load_history(db, user)) == 1
    at.text_input(key="delete_confirm").input("casey")
    at = at.button(key="delete_submit").click().run()
    assert texts(at.success) == ["Your data has been deleted. Your account is still here; "
                                 "anything you check in from now on is stored as before."]
    assert checkins.load_history(db, user).empty
    assert accounts.get_user(db, user) is not None
    assert len(sessions.for_user(db, user)) == 1  # this one; any other has ended


def test_downloads_hold_my_data_with_notes(db, user, monkeypatch):
    """The download data is made on click, on Streamlit's download thread: run the callables."""
    import io
    import json
    import zipfile

    from streamlit.runtime.media_file_manager import MediaFileManager

    made = {}
    original = MediaFileManager.add_deferred

    def capture(self, data_callable, mimetype, coordinates, *args, **kwargs):
        made[mimetype] = data_callable
        return original(self, data_callable, mimetype, coordinates, *args, **kwargs)

    monkeypatch.setattr(MediaFileManager, "add_deferred", capture)
    checkins.save_checkin(db, user, "2024-05-02", note=EVIL, **RATINGS)
    account_page()
    document = json.loads(made["application/json"]())
    assert [(c["day"], c["note"]) for c in document["checkins"]] == [("2024-05-02", EVIL)]
    archive = zipfile.ZipFile(io.BytesIO(made["application/zip"]()))
    assert EVIL in archive.read("checkins.csv").decode()
    # Once this browser is signed out, the buttons it still shows make nothing.
    sessions.end_all(db, user, reason="signed_out_everywhere")
    for make in made.values():
        with pytest.raises(PermissionError):
            make()


# --- e-mail reminders -------------------------------------------------------------

from fatigue import email_reminders, settings  # noqa: E402


def test_reminders_wait_for_the_agency_to_set_up_email(db, user):
    at = account_page()
    assert any(t.startswith("Your agency has not set up e-mail yet") for t in
               [m.value for m in at.markdown])


def test_turn_reminders_on_pause_and_stop(db, user):
    settings.set_setting(db, settings.SMTP_HOST_KEY, "smtp.agency.example")
    settings.set_setting(db, settings.SMTP_SENDER_KEY, "checkin@agency.example")
    at = account_page()
    at.text_input[0].input("casey@agency.example")
    at.multiselect[0].set_value(["Monday", "Wednesday"])
    at.time_input[0].set_value(dt.time(16, 30))
    at.text_input[1].input("Europe/London")
    at = at.button(key="FormSubmitter:reminders-Turn on").click().run()
    assert texts(at.success) == ["E-mail reminders are on."]
    prefs = email_reminders.get_preferences(db, user)
    assert (prefs.email, prefs.weekdays, prefs.at_time, prefs.timezone, prefs.active) == (
        "casey@agency.example", (0, 2), dt.time(16, 30), "Europe/London", True)
    at = at.button(key="reminders_pause").click().run()
    assert email_reminders.get_preferences(db, user).paused_until is not None
    at = at.button(key="reminders_stop").click().run()
    assert not email_reminders.get_preferences(db, user).active
    assert any(m.value.startswith("Off.") for m in at.markdown)
