"""Texts an admin typed, in the real browser: bare web addresses, emails and
``:material/...:`` in a display name or team name show as typed, never as links
or icons (Streamlit's Markdown makes them even of escaped text)."""
from __future__ import annotations

import pytest

from .support import expect, go_to, log_in, main

pytestmark = pytest.mark.e2e

LEAD = "chloe.haddad"  # the demo lead of Family Support
NAME = "Chloe www.evil.example :material/verified: chloe@evil.example"
TEAM = "Family Support http://evil.example"


@pytest.fixture(scope="module")
def app(start_app, browser):
    """A demo agency of its own, with the lead's name and her team's name set to payloads."""
    import sqlite3

    started = start_app(demo=True)
    conn = sqlite3.connect(started.db_path)
    conn.execute("UPDATE users SET display_name = ? WHERE username = ?", [NAME, LEAD])
    conn.execute("UPDATE teams SET name = ? WHERE name = 'Family Support'", [TEAM])
    conn.commit()
    conn.close()
    return started


LINKS = "a[href*='evil.example'], a[href^='mailto:']"  # not the headings' own #anchors


def shown(page) -> str:
    """The page's visible text, without the invisible word joiners that keep it literal."""
    return page.get_by_test_id("stApp").inner_text().replace("\u2060", "")


def test_names_an_admin_typed_show_literally_with_no_link_or_icon(app, new_page):
    page = new_page(app)
    log_in(page, LEAD)
    expect(main(page).get_by_role("heading", level=1)).to_contain_text("Hello, Chloe")
    assert f"Hello, {NAME}" in shown(page)  # the icon code is there as text
    assert f"Signed in as {NAME}" in shown(page).replace("\n", " ")
    assert page.locator(LINKS).count() == 0
    go_to(page, "My team")
    assert TEAM in shown(page)
    assert page.locator(LINKS).count() == 0
