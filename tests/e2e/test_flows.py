"""What case managers and leads do, in the browser, on the demo agency."""
from __future__ import annotations

import re

import pytest

from .support import (
    choose,
    download,
    expect,
    go_to,
    log_in,
    log_out,
    main,
    nav_link,
    open_app,
    rerun,
    saved_checkin,
    today,
    wait_for_app,
)

pytestmark = pytest.mark.e2e

TEAM_FIGURES = "Mean exhaustion (0-10)"  # a metric only shown with team figures


def rating(page, name: str, value: int):
    """A check-in rating's one-tap choice, by the rating's name (its label starts with it)."""
    group = main(page).get_by_role("radiogroup", name=re.compile(rf"^{name}\b"))
    return group.get_by_role("radio", name=str(value), exact=True)


def test_case_manager_checks_in_edits_it_and_sees_trends(demo_app, new_page):
    page = new_page(demo_app)
    log_in(page, "alex.chen")
    assert saved_checkin(demo_app.db_path, "alex.chen", today()) is None
    # Home opens on today's check-in: nothing chosen yet.
    form = page.get_by_test_id("stForm")
    expect(form.get_by_role("button", name="Save check-in")).to_be_visible()
    expect(form.get_by_role("radio", checked=True)).to_have_count(0)
    rating(page, "Exhaustion", 7).click()
    expect(rating(page, "Exhaustion", 7)).to_be_checked()
    rating(page, "Empathy", 5).click()
    form.get_by_text(re.compile(r"^Workload: same as ")).click()
    form.get_by_role("spinbutton", name="Client contacts today", exact=True).fill("6")
    form.get_by_text(re.compile(r"^More about today")).click()
    form.get_by_role("radiogroup", name="A real break today").get_by_role("radio", name="Yes").click()
    form.get_by_role("textbox", name="Private note (optional)").fill("Long day, two home visits.")
    with rerun(page):
        form.get_by_role("button", name="Save check-in").click()
    expect(main(page).get_by_text(re.compile(r"Check-in for .* saved\. Thank you\."))).to_be_visible()
    saved = saved_checkin(demo_app.db_path, "alex.chen", today(), page)
    assert saved is not None
    assert (saved["exhaustion"], saved["contacts"], saved["break_taken"]) == (7, 6, 1)
    assert (saved["meaning"], saved["supervision"]) == (None, None)  # left alone: not answered
    assert saved["note"] == "Long day, two home visits."

    # The check-in page says the day is done and saving again updates it.
    go_to(page, "Check-in", "Daily check-in")
    expect(main(page).get_by_text(re.compile("You already checked in for"))).to_be_visible()
    expect(rating(page, "Exhaustion", 7)).to_be_checked()
    rating(page, "Exhaustion", 8).click()
    form = page.get_by_test_id("stForm")
    form.get_by_text("Workload of this day").click()
    contacts = form.get_by_role("spinbutton", name="Client contacts today", exact=True)
    contacts.fill("8")
    contacts.press("Tab")  # on to the next field, as a person would, before clicking Update
    with rerun(page):
        form.get_by_role("button", name="Update check-in").click()
    expect(main(page).get_by_text(re.compile(r"Check-in for .* updated\. Thank you\."))).to_be_visible()
    saved = saved_checkin(demo_app.db_path, "alex.chen", today(), page)
    assert (saved["exhaustion"], saved["contacts"], saved["note"]) == (8, 8, "Long day, two home visits.")

    # Home knows; trends show the chart with its summary in words.
    go_to(page, "Home", re.compile("^Hello, "))
    expect(main(page).get_by_text("You have checked in today")).to_be_visible()
    go_to(page, "My trends")
    expect(main(page).get_by_test_id("stVegaLiteChart").first).to_be_visible()
    expect(main(page).get_by_role("heading", name="In words")).to_be_visible()
    period = main(page).get_by_role("radiogroup", name="Period")
    expect(period.get_by_role("radio", name="3 months")).to_be_checked()
    with rerun(page):
        period.get_by_role("radio", name="4 weeks").click()
    expect(period.get_by_role("radio", name="4 weeks")).to_be_checked()
    expect(main(page).get_by_text(re.compile(r"^\d+ check-ins? from "))).to_be_visible()
    expect(main(page).get_by_test_id("stVegaLiteChart").first).to_be_visible()


def test_lead_sees_the_team_view(demo_app, new_page):
    page = new_page(demo_app)
    log_in(page, "chloe.haddad")
    go_to(page, "My team")
    expect(main(page).get_by_role("heading", name="Family Support", level=2)).to_be_visible()
    expect(main(page).get_by_text(re.compile("^Figures below: "))).to_be_visible()
    for metric in (TEAM_FIGURES, "Mean empathy (0-10)", "In high strain", "Caseload vs standard"):
        expect(main(page).get_by_test_id("stMetric").filter(has_text=metric).first).to_be_visible()
    expect(main(page).get_by_role("heading", name="What the team could do")).to_be_visible()
    expect(main(page).get_by_test_id("stVegaLiteChart").first).to_be_visible()
    # chloe leads one team only: no team picker.
    expect(main(page).get_by_role("combobox", name="Team")).to_have_count(0)


def test_lead_of_a_small_team_sees_it_hidden_with_the_reason(demo_app, new_page):
    page = new_page(demo_app)
    log_in(page, "nadia.berg")
    go_to(page, "My team")
    expect(main(page).get_by_role("heading", name="Adult Services", level=2)).to_be_visible()
    with rerun(page):
        choose(page, "Team", "Housing Outreach")
    expect(main(page).get_by_role("heading", name="Housing Outreach", level=2)).to_be_visible()
    hidden = main(page).get_by_test_id("stAlert").filter(has_text="cannot be shown on its own")
    expect(hidden).to_be_visible()
    expect(hidden).to_contain_text("could reveal who took part")
    expect(hidden).not_to_contain_text(re.compile(r"\b(Mon|Tue|Wed|Thu|Fri|Sat|Sun) \d"))  # no date
    expect(main(page).get_by_test_id("stMetric")).to_have_count(0)
    expect(main(page).get_by_text(TEAM_FIGURES, exact=True)).to_have_count(0)


def test_log_out_returns_to_the_login_screen(demo_app, new_page):
    page = new_page(demo_app)
    log_in(page, "chloe.haddad")
    go_to(page, "My team")
    expect(main(page).get_by_text(TEAM_FIGURES, exact=True)).to_be_visible()
    log_out(page)
    expect(page.get_by_role("heading", name="Caseload check-in", level=1)).to_be_visible()
    expect(page.get_by_text(TEAM_FIGURES, exact=True)).to_have_count(0)
    # Back in the browser's history (the team page's address) still shows no figures:
    # nothing is kept in the browser's cache (no-store), and the server wants a session.
    page.go_back()
    wait_for_app(page)
    expect(page.get_by_role("button", name="Log in", exact=True)).to_be_visible()
    expect(page.get_by_text(TEAM_FIGURES, exact=True)).to_have_count(0)


def test_log_out_forgets_the_previous_users_pages(demo_app, new_page):
    page = new_page(demo_app)
    log_in(page, "chloe.haddad")
    log_out(page)
    expect(page.get_by_role("button", name="Log in", exact=True)).to_be_visible()
    expect(page.get_by_test_id("stSidebarNav")).to_have_count(0, timeout=2000)
    # Signing in as someone else shows only their pages.
    log_in(page, "alex.chen")
    expect(nav_link(page, "My team")).to_have_count(0)


def test_a_member_cannot_reach_the_team_page(demo_app, new_page):
    page = new_page(demo_app)
    log_in(page, "alex.chen")
    # Not offered in the member's navigation ...
    expect(nav_link(page, "Check-in")).to_be_visible()
    expect(nav_link(page, "My team")).to_have_count(0)
    expect(page.get_by_role("link", name="My team")).to_have_count(0)

    # ... nor reachable in the same session by the address: the app switches pages in
    # the browser (history API) without reloading, as its own links do.
    with rerun(page):
        page.evaluate(
            "history.pushState({}, '', '/team'); window.dispatchEvent(new PopStateEvent('popstate'))"
        )
    expect(main(page).get_by_role("heading", level=1)).to_be_visible()
    expect(main(page).get_by_role("heading", name="My team")).to_have_count(0)
    expect(main(page).get_by_text(TEAM_FIGURES, exact=True)).to_have_count(0)

    # Typing the address loads the page afresh: still signed in (the session cookie),
    # and still no team page.
    open_app(page, demo_app.url + "/team")
    expect(page.get_by_role("button", name=re.compile("Log out"))).to_be_attached()
    expect(main(page).get_by_role("heading", name="My team")).to_have_count(0)
    expect(page.get_by_text(TEAM_FIGURES)).to_have_count(0)
    # Nor in another browser, after signing in on the sign-in page the address asks for.
    page = new_page(demo_app)
    open_app(page, demo_app.url + "/team")
    expect(page.get_by_role("button", name="Log in", exact=True)).to_be_visible()
    log_in(page, "alex.chen", home=False)
    expect(main(page).get_by_role("heading", name="My team")).to_have_count(0)
    expect(page.get_by_text(TEAM_FIGURES, exact=True)).to_have_count(0)
    expect(nav_link(page, "My team")).to_have_count(0)


def test_case_manager_plans_and_completes_a_suggestion_and_downloads_the_supervision_summary(
    demo_app, new_page
):
    import sqlite3

    page = new_page(demo_app)
    log_in(page, "daniel.moreno")
    go_to(page, "Suggestions", "Suggestions")
    content = main(page)
    expect(content.get_by_text("Why now:").first).to_be_visible()
    first_title = content.get_by_text(re.compile(r" · ")).first.inner_text().split(" · ")[0]
    with rerun(page):
        content.get_by_role("button", name="I'll do this").first.click()
    expect(content.get_by_text(re.compile(r"^Planned: "))).to_be_visible()
    expect(content.get_by_role("heading", name="What I plan to do")).to_be_visible()
    with rerun(page):
        content.get_by_role("button", name="Done", exact=True).first.click()
    expect(content.get_by_text(re.compile(r"^Marked done: "))).to_be_visible()
    with sqlite3.connect(demo_app.db_path) as conn:
        statuses = [row[0] for row in conn.execute(
            "SELECT a.status FROM suggestion_actions a JOIN users u ON u.id = a.user_id"
            " WHERE u.username = 'daniel.moreno' ORDER BY a.id")]
    assert statuses[-2:] == ["planned", "done"], (first_title, statuses)

    go_to(page, "Supervision summary", "Supervision summary")
    content = main(page)
    points = content.get_by_role("textbox", name=re.compile("Talking points"))
    points.fill("Caseload after the incident")
    with rerun(page):
        points.press("Control+Enter")  # commit the text, as leaving the box would
    printable = download(
        page, content.get_by_role("button", name=re.compile("Download printable page")))
    assert printable.suggested_filename == "supervision-summary.html"
    html = open(printable.path(), encoding="utf-8").read()
    assert "Caseload after the incident" in html
    assert "<script" not in html.lower()
    reminder = download(page, content.get_by_role("button", name=re.compile("calendar reminder")))
    assert reminder.suggested_filename.endswith(".ics")

