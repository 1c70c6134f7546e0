"""The reminder e-mail's pause and stop links over HTTP (fatigue.web.reminder_links):
a GET (a mail scanner, a link preview, a person's click) only asks; the button's POST
acts; RFC 8058 one-click unsubscribe stops at once; no sign-in needed, and none made."""
import datetime as dt
import re
from html import unescape

import pytest

from fatigue import email_reminders as er, sessions

from web_app import client


def choose(db, user):
    er.set_preferences(db, user, email="casey@agency.example", weekdays=[0, 1, 2, 3, 4],
                       at_time=dt.time(16, 30), timezone="UTC")


def row(db, user):
    return db.execute("SELECT * FROM reminder_preferences WHERE user_id = ?", [user]).fetchone()


def no_session_made(db, answer):
    assert not [v for k, v in answer.headers.multi_items()
                if k == "set-cookie" and v.startswith(sessions.COOKIE + "=")]
    assert db.execute("SELECT count(*) FROM sessions").fetchone() == (0,)


def hidden_token(html):
    return unescape(re.search(r'<input type="hidden" name="t" value="([^"]*)">', html).group(1))


@pytest.mark.parametrize("action", ["pause", "stop"])
def test_a_get_only_asks_and_changes_nothing(db, user, action):
    choose(db, user)
    before = row(db, user)
    token = er.link_token(db, user, action)
    for method in ("get", "head"):  # a scanner may fetch the link any number of times
        for _ in range(3):
            answer = getattr(client(), method)(f"/reminders/{action}?t={token}",
                                               follow_redirects=False)
            assert answer.status_code == 200
    assert row(db, user) == before
    answer = client().get(f"/reminders/{action}?t={token}")
    assert f'<form method="post" action="/reminders/{action}">' in answer.text
    assert answer.text.count("<button") == 1 and "<script" not in answer.text
    assert hidden_token(answer.text) == token
    no_session_made(db, answer)


def test_the_pause_buttons_post_pauses_for_a_week(db, user):
    choose(db, user)
    token = er.link_token(db, user, "pause")
    asked = client().get(f"/reminders/pause?t={token}")
    assert "Pause your check-in reminders until" in asked.text
    answer = client().post("/reminders/pause", data={"t": hidden_token(asked.text)},
                           follow_redirects=False)
    assert answer.status_code == 200 and "Reminders are paused until" in answer.text
    assert er.get_preferences(db, user).paused_until is not None
    assert er.get_preferences(db, user).active
    no_session_made(db, answer)


STOPS = {
    "the confirmation's button": lambda token: dict(url="/reminders/stop", data={"t": token}),
    # RFC 8058 section 3.2: a POST to the List-Unsubscribe URI, body List-Unsubscribe=One-Click,
    # as application/x-www-form-urlencoded or as multipart/form-data.
    "one-click, urlencoded": lambda token: dict(
        url=f"/reminders/stop?t={token}", content=b"List-Unsubscribe=One-Click",
        headers={"Content-Type": "application/x-www-form-urlencoded"}),
    "one-click, multipart": lambda token: dict(
        url=f"/reminders/stop?t={token}", files={"List-Unsubscribe": (None, "One-Click")}),
}


@pytest.mark.parametrize("how", STOPS)
def test_a_post_stops_without_asking_again(db, user, how):
    choose(db, user)
    answer = client().post(**STOPS[how](er.link_token(db, user, "stop")), follow_redirects=False)
    assert answer.status_code == 200 and "Reminders are off." in answer.text
    assert not er.get_preferences(db, user).active
    no_session_made(db, answer)


def test_a_post_that_asks_for_nothing_only_asks(db, user):
    """Without the form's token or the one-click body, a POST is treated as a GET;
    one-click applies to the stop link only (the header names no other)."""
    choose(db, user)
    before = row(db, user)
    stop = er.link_token(db, user, "stop")
    pause = er.link_token(db, user, "pause")
    for url, data in ((f"/reminders/stop?t={stop}", {}),
                      (f"/reminders/stop?t={stop}", {"List-Unsubscribe": "Yes"}),
                      (f"/reminders/pause?t={pause}", {"List-Unsubscribe": "One-Click"})):
        answer = client().post(url, data=data)
        assert answer.status_code == 200 and "<button" in answer.text
    assert row(db, user) == before


@pytest.mark.parametrize("how", ["get", "confirm", "one-click"])
def test_a_wrong_token_is_refused_with_a_plain_page(db, user, team, how):
    from fatigue import accounts
    from conftest import PASSWORD

    choose(db, user)
    other = accounts.create_user(db, "robin", PASSWORD, team=team)
    choose(db, other)
    before = [row(db, user), row(db, other)]
    pause = er.link_token(db, user, "pause")
    body, signature = er.link_token(db, user, "stop").split(".")
    wrong = ["bogus.token", "", "x" * 400, pause,  # a pause token is not a stop token
             body[:-2] + "Mg." + signature]  # another user id breaks the signature
    for token in wrong:
        if how == "get":
            answer = client().get("/reminders/stop", params={"t": token})
        elif how == "confirm":
            answer = client().post("/reminders/stop", data={"t": token})
        else:
            answer = client().post("/reminders/stop", params={"t": token},
                                   data={"List-Unsubscribe": "One-Click"})
        assert answer.status_code == 400, token
        assert "This link does not work any more" in answer.text
        assert "Nothing was changed" in answer.text and "Traceback" not in answer.text
    assert [row(db, user), row(db, other)] == before


def test_a_link_from_before_reminders_were_changed_is_refused(db, user):
    choose(db, user)
    token = er.link_token(db, user, "stop")
    choose(db, user)  # changed (or turned on again): older e-mails' links stop working
    answer = client().post("/reminders/stop", data={"t": token})
    assert answer.status_code == 400 and er.get_preferences(db, user).active
