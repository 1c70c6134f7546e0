"""The reminder e-mail's pause and stop links in Chromium, against the real server:
opening a link (as a person, a mail scanner or a link preview would) only asks; the
page's one button acts, by keyboard or by a tap at phone width; axe finds nothing."""
from __future__ import annotations

import datetime as dt

import pytest

from fatigue import sessions

from .support import DESKTOP, PHONE, TIMEOUT_MS, axe_violations, describe, expect, user_id

pytestmark = pytest.mark.e2e

PERSON = "priya.okafor"  # a demo case manager


def with_db(app, work):
    from fatigue.db import connect

    db = connect(app.db_path)
    try:
        return work(db)
    finally:
        db.close()


def preferences_row(app, uid):
    return with_db(app, lambda db: db.execute(
        "SELECT * FROM reminder_preferences WHERE user_id = ?", [uid]).fetchone())


@pytest.fixture
def reminders(demo_app):
    """Reminders on for PERSON; their links; taken off again afterwards."""
    from fatigue import email_reminders as er

    uid = user_id(demo_app.db_path, PERSON)

    def turn_on(db):
        er.set_preferences(db, uid, email="priya@agency.example", weekdays=range(7),
                           at_time=dt.time(16, 0), timezone="UTC")
        return {a: f"{demo_app.url}/reminders/{a}?t={er.link_token(db, uid, a)}" for a in er.ACTIONS}

    def turn_off(db):
        from fatigue.db import write_lock

        with write_lock(db):
            db.execute("DELETE FROM reminder_preferences WHERE user_id = ?", [uid])

    yield uid, with_db(demo_app, turn_on)
    with_db(demo_app, turn_off)


def open_link(browser, url, viewport):
    context = browser.new_context(viewport=viewport, is_mobile=viewport is PHONE,
                                  has_touch=viewport is PHONE, timezone_id="UTC")
    context.set_default_timeout(TIMEOUT_MS)
    page = context.new_page()
    page.goto(url)
    return context, page


def test_a_link_only_asks_and_the_button_acts(demo_app, browser, reminders):
    uid, links = reminders
    before = preferences_row(demo_app, uid)
    # A link preview or a scanner opens both links: nothing changes.
    for url in links.values():
        context, page = open_link(browser, url, DESKTOP)
        expect(page.get_by_role("button")).to_have_count(1)
        context.close()
    assert preferences_row(demo_app, uid) == before

    # Pause, keyboard only: Tab to the one button, Enter.
    context, page = open_link(browser, links["pause"], DESKTOP)
    expect(page.get_by_role("heading", level=1)).to_have_text("Reminders")
    assert axe_violations(page) == [], describe(axe_violations(page))
    for _ in range(5):
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement.tagName") == "BUTTON":
            break
    with page.expect_navigation():
        page.keyboard.press("Enter")
    expect(page.get_by_role("status")).to_contain_text("Reminders are paused until")
    assert axe_violations(page) == [], describe(axe_violations(page))
    assert sessions.COOKIE not in {c["name"] for c in context.cookies()}  # nobody signed in
    context.close()
    paused = with_db(demo_app, lambda db: db.execute(
        "SELECT active, paused_until FROM reminder_preferences WHERE user_id = ?", [uid]).fetchone())
    assert paused[0] == 1 and paused[1] is not None

    # Stop, a tap at phone width; the button is in view without scrolling.
    context, page = open_link(browser, links["stop"], PHONE)
    button = page.get_by_role("button", name="Stop reminders")
    expect(button).to_be_in_viewport()
    with page.expect_navigation():
        button.tap()
    expect(page.get_by_role("status")).to_contain_text("Reminders are off.")
    context.close()
    assert with_db(demo_app, lambda db: db.execute(
        "SELECT active FROM reminder_preferences WHERE user_id = ?", [uid]).fetchone()) == (0,)
