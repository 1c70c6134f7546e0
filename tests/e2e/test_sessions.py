"""Sessions in a real browser: signed in once per device, signed out where it matters.

The server is the real one (``server.py``: st.App with our routes and guard);
the cookie is the browser's own. Limits that take minutes (the idle sign-out)
are reached by moving the session's last activity back in the database, as
the clock would.
"""
from __future__ import annotations

import datetime as dt
import re
import sqlite3

import pytest

from .support import (
    expect,
    go_to,
    log_in,
    main,
    nav_link,
    open_app,
    open_sidebar,
    rerun,
    user_id,
    wait_for_app,
)

pytestmark = pytest.mark.e2e

PERSON = "alex.chen"  # a demo case manager
SIGNED_OUT = "You are signed out. Please log in."


@pytest.fixture(scope="module")
def app(start_app, browser):
    return start_app(demo=True)  # this module resets passwords: a demo agency of its own


def session_cookie(context) -> dict:
    [cookie] = [c for c in context.cookies() if c["name"] == "fatigue_session"]
    return cookie


def idle_for(db_path, minutes: int) -> None:
    """Move every session's last activity ``minutes`` back (as that much idle time would)."""
    moment = dt.datetime.now(dt.timezone.utc) - dt.timedelta(minutes=minutes)
    with sqlite3.connect(db_path) as conn:
        conn.execute("UPDATE sessions SET last_seen_at = ?", [moment.strftime("%Y-%m-%dT%H:%M:%SZ")])


def signed_in_as(page, name: str) -> None:
    expect(page.get_by_role("button", name=re.compile("Log out"))).to_be_attached()
    expect(page.get_by_test_id("stSidebar")).to_contain_text(f"Signed in as {name}")


def test_keep_me_signed_in_survives_reload_second_tab_and_closing_the_browser(app, new_page):
    page = new_page(app)
    log_in(page, PERSON, keep=True)
    cookie = session_cookie(page.context)
    assert cookie["httpOnly"] and cookie["sameSite"] == "Strict" and cookie["path"] == "/"
    assert not cookie["secure"]  # plain HTTP here; Secure over HTTPS (test_http.py)
    days = (cookie["expires"] - dt.datetime.now().timestamp()) / 86400
    assert 29.9 < days <= 30
    assert page.evaluate("document.cookie").find("fatigue_session") == -1  # HttpOnly

    page.reload()
    wait_for_app(page)
    signed_in_as(page, "Alex Chen")

    second = page.context.new_page()
    open_app(second, app.url + "/trends")
    signed_in_as(second, "Alex Chen")
    expect(main(second).get_by_role("heading", level=1)).to_have_text("My trends")

    saved = page.context.storage_state()
    page.context.close()  # the browser closes ...
    reopened = new_page(app, storage_state=saved)  # ... and opens again with its cookies
    signed_in_as(reopened, "Alex Chen")
    expect(main(reopened).get_by_role("heading", level=1)).to_have_text(re.compile("^Hello, "))


def test_without_keep_the_cookie_ends_with_the_browser(app, new_page):
    page = new_page(app)
    log_in(page, "nadia.berg")
    assert session_cookie(page.context)["expires"] == -1  # a browser-session cookie


def test_sign_out_everywhere_ends_the_other_browser(app, new_page):
    laptop, phone = new_page(app), new_page(app, phone=True)
    log_in(laptop, "daniel.moreno", keep=True)
    log_in(phone, "daniel.moreno", keep=True)
    go_to(laptop, "My account")
    expect(main(laptop).get_by_text("(this one)")).to_have_count(1)
    expect(main(laptop).get_by_role("button", name="Sign out", exact=True)).to_have_count(1)
    with rerun(laptop):
        main(laptop).get_by_role("button", name="Sign out everywhere").click()
    expect(main(laptop).get_by_text("You have signed out everywhere")).to_be_visible()

    # The phone's open page is signed out at its next step, and stays so on reload.
    open_sidebar(phone)
    with rerun(phone):
        nav_link(phone, "My trends").click()
    expect(main(phone).get_by_text(SIGNED_OUT)).to_be_visible()
    expect(phone.get_by_test_id("stSidebarNav")).to_have_count(0)
    phone.reload()
    wait_for_app(phone)
    expect(phone.get_by_role("button", name="Log in", exact=True)).to_be_visible()


def test_an_admin_reset_ends_the_open_session_which_cannot_choose_the_password(app, new_page):
    from fatigue import accounts
    from fatigue.db import connect

    page = new_page(app)
    log_in(page, "ben.dubois", keep=True)
    # The admin resets Ben's password (what "Reset password" on Teams and accounts calls).
    db = connect(app.db_path)
    try:
        admin = accounts.authenticate(db, "admin", "demo-password-2026").id
        accounts.reset_password(db, user_id(app.db_path, "ben.dubois"),
                                "admins-temporary-words", actor_id=admin)
    finally:
        db.close()
    # Ben's open page (or whoever has it) is signed out, and is never offered the new password.
    open_sidebar(page)
    with rerun(page):
        nav_link(page, "Check-in").click()
    expect(main(page).get_by_text(SIGNED_OUT)).to_be_visible()
    expect(page.get_by_role("heading", name="Choose a new password")).to_have_count(0)
    page.reload()
    wait_for_app(page)
    expect(page.get_by_role("button", name="Log in", exact=True)).to_be_visible()
    # Only someone with the admin's password gets to choose Ben's own.
    log_in(page, "ben.dubois", "admins-temporary-words", home=False)
    expect(main(page).get_by_role("heading", level=1)).to_have_text("Choose a new password")


def test_after_the_idle_limit_a_download_is_refused(app, new_page):
    page = new_page(app)
    log_in(page, "priya.okafor")  # a browser session: the idle limit applies
    go_to(page, "Supervision summary")
    button = main(page).get_by_role("button", name=re.compile("Download printable page"))
    with page.expect_download() as first:
        button.click()
    assert first.value.failure() is None  # in time: the file arrives
    url = first.value.url
    assert "/media/" in url
    in_time = page.context.request.get(url)
    assert in_time.status == 200 and in_time.headers["cache-control"] == "no-store"

    idle_for(app.db_path, 31)  # the setting is 30 minutes
    refused = page.context.request.get(url)
    assert refused.status == 403 and b"Supervision" not in refused.body()
    # The page itself says so at its next step.
    page.reload()
    wait_for_app(page)
    expect(page.get_by_role("status")).to_have_text(
        "You were signed out after 30 minutes without activity. Please log in again.")


def test_after_the_idle_limit_my_data_download_makes_nothing(app, new_page):
    page = new_page(app)
    log_in(page, "sam.rivera")
    go_to(page, "My account")
    idle_for(app.db_path, 31)
    failed = []
    page.on("download", lambda download: failed.append(download.failure()))
    main(page).get_by_role("button", name="Download as JSON").click()
    expect(main(page).get_by_test_id("stDownloadButtonError")).to_be_visible()  # nothing made
    page.wait_for_timeout(1000)
    assert all(failure is not None for failure in failed)  # no file, or a refused one
    page.reload()  # the page says why at its next step
    wait_for_app(page)
    expect(page.get_by_role("status")).to_have_text(
        "You were signed out after 30 minutes without activity. Please log in again.")
