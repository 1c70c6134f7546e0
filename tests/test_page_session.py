"""Helpers shared by the pages: text typed by people is shown literally."""
import pytest

from fatigue.pages._session import plain


@pytest.mark.parametrize("text, expected", [
    ("Casey", "Casey"),
    ("check-ins (0 of 10).", "check-ins (0 of 10)."),
    ("[click](http://evil.example)", "\\[click\\](http\\:\u2060//evil.example)"),
    ("**bold** _it_", "\\*\\*bold\\*\\* \\_it\\_"),
    ("<script>alert(1)</script>", "\\<script\\>alert(1)\\</script\\>"),
    ("# heading", "\\# heading"),
    ("- item\n1. two\n  + three", "\\- item\n1\\. two\n  \\+ three"),
    (":material/home: $x$", "\\:\u2060material/home\\: \\$x\\$"),
    # bare links and emails: a WORD JOINER where Streamlit would start a link
    ("www.evil.example boss@evil.example", "www\u2060.evil.example boss\u2060@evil.example"),
    ("Ends: then more", "Ends\\: then more"),
])
def test_plain_escapes_markdown(text, expected):
    assert plain(text) == expected


def test_local_today_follows_the_browser_time_zone(monkeypatch):
    import datetime as dt
    from zoneinfo import ZoneInfo

    import streamlit as st

    from fatigue.pages import _session

    class Context:
        timezone = "Pacific/Kiritimati"  # UTC+14: usually a day ahead of the server

    monkeypatch.setattr(_session.st, "context", Context())
    assert _session.local_today() == dt.datetime.now(ZoneInfo("Pacific/Kiritimati")).date()
    Context.timezone = "Not/A_Zone"
    assert _session.local_today() == dt.date.today()
    Context.timezone = None
    assert _session.local_today() == dt.date.today()
    assert st is _session.st


ABSURD_ZONE = "Europe/" + "x" * 5000  # what a hand-made browser message may claim


def test_local_today_ignores_an_absurd_browser_time_zone(monkeypatch):
    import datetime as dt

    from fatigue.pages import _session

    class Context:
        timezone = ABSURD_ZONE

    monkeypatch.setattr(_session.st, "context", Context())
    assert _session.local_today() == dt.date.today()


@pytest.mark.parametrize("page", ["home", "checkin", "trends", "insights", "questionnaires",
                                  "actions", "summary", "account"])
def test_every_page_survives_a_5000_character_browser_time_zone(db, user, page):
    from conftest import COOKIE, sign_in
    from streamlit.testing.v1 import AppTest

    at = AppTest.from_file("../app.py", default_timeout=60)
    at.context = {"timezone": ABSURD_ZONE}
    at.session_state[COOKIE] = sign_in("casey")
    at = at.run()
    at = at.switch_page(f"fatigue/pages/{page}.py").run()
    assert not at.exception
    assert not [e for e in at.error if "xxxxxxxxxx" in e.value]  # never echoed back
    if page == "summary":
        assert any("time zone this server does not know" in c.value for c in at.caption)
