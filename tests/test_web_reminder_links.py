"""The reminder e-mail's pause and stop links over HTTP (fatigue.web.reminder_links):
one click, no sign-in needed, and none made."""
import datetime as dt

from fatigue import email_reminders as er, sessions

from web_app import client


def choose(db, user):
    er.set_preferences(db, user, email="casey@agency.example", weekdays=[0, 1, 2, 3, 4],
                       at_time=dt.time(16, 30), timezone="UTC")


def test_pause_link_works_without_signing_in_and_signs_nobody_in(db, user):
    choose(db, user)
    token = er.link_token(db, user, "pause")
    answer = client().get(f"/reminders/pause?t={token}", follow_redirects=False)
    assert answer.status_code == 200
    assert "Reminders are paused until" in answer.text and "<script" not in answer.text
    assert not [v for k, v in answer.headers.multi_items()
                if k == "set-cookie" and v.startswith(sessions.COOKIE + "=")]
    assert db.execute("SELECT count(*) FROM sessions").fetchone() == (0,)
    assert er.get_preferences(db, user).paused_until is not None


def test_one_click_stop_by_post_as_mail_programs_send_it(db, user):
    choose(db, user)
    token = er.link_token(db, user, "stop")
    answer = client().post(f"/reminders/stop?t={token}", data={"List-Unsubscribe": "One-Click"})
    assert answer.status_code == 200 and "Reminders are off." in answer.text
    assert not er.get_preferences(db, user).active


def test_a_bad_link_changes_nothing_and_says_so_plainly(db, user):
    choose(db, user)
    answer = client().get("/reminders/stop?t=bogus.token", follow_redirects=False)
    assert answer.status_code == 400
    assert "This link does not work any more" in answer.text
    assert er.get_preferences(db, user).active
