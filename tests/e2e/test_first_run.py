"""The first-run screen of an empty database, in the browser."""
from __future__ import annotations

import pytest

from .conftest import SETUP_CODE
from .support import (
    DEMO_PASSWORD,
    choose,
    expect,
    go_to,
    log_in,
    log_out,
    main,
    rerun,
    sign_in_form,
    wait_for_app,
)

pytestmark = pytest.mark.e2e


def enter_setup_code(page, code: str = SETUP_CODE) -> None:
    field = page.get_by_role("textbox", name="Set-up code", exact=True)
    field.fill(code)
    with rerun(page):
        field.press("Enter")


def test_first_run_creates_the_admin_then_the_admin_adds_a_team_and_an_account(start_app, new_page):
    app = start_app()
    page = new_page(app)
    expect(page.get_by_role("heading", name="Set up the check-in tool")).to_be_visible()

    # A wrong set-up code creates nothing.
    enter_setup_code(page, "not-the-code")
    form = page.get_by_test_id("stForm")
    form.get_by_role("textbox", name="First team name", exact=True).fill("Family Support")
    form.get_by_role("textbox", name="Username", exact=True).fill("jo.admin")
    form.get_by_role("textbox", name="Display name (optional)", exact=True).fill("Jo Admin")
    form.get_by_role("textbox", name="Password", exact=True).fill("a-long-admin-password")
    form.get_by_role("textbox", name="Repeat password", exact=True).fill("a-long-admin-password")
    with rerun(page):
        form.get_by_role("button", name="Create admin account").click()
    expect(main(page).get_by_text("Enter the set-up code shown in the terminal")).to_be_visible()

    enter_setup_code(page)
    # The form keeps what was typed; passwords too.
    with rerun(page):
        form.get_by_role("button", name="Create admin account").click()
    expect(main(page).get_by_text("The admin account 'jo.admin' is ready.")).to_be_visible()
    # Then the admin signs in, like everyone, on the sign-in page.
    with page.expect_navigation():
        main(page).get_by_role("link", name="Log in").click()
    wait_for_app(page)
    log_in(page, "jo.admin", "a-long-admin-password")
    expect(main(page).get_by_role("heading", level=1)).to_have_text("Hello, Jo Admin")
    nav = page.get_by_test_id("stSidebarNav")
    for title in ("Home", "My team", "Organisation", "Teams and accounts"):
        expect(nav.get_by_role("link", name=title, exact=True)).to_be_visible()

    # The admin adds a team and an account for a case manager in it.
    go_to(page, "Teams and accounts")
    add_team = page.get_by_test_id("stForm").filter(has_text="Add a team")
    add_team.get_by_role("textbox", name="Team name", exact=True).fill("Intake & Assessment")
    add_team.get_by_role("spinbutton", name="Caseload standard", exact=True).fill("20")
    with rerun(page):
        add_team.get_by_role("button", name="Add team").click()
    expect(main(page).get_by_text("Team 'Intake & Assessment' added.")).to_be_visible()

    add_user = page.get_by_test_id("stForm").filter(has_text="Add an account")
    add_user.get_by_role("textbox", name="Username", exact=True).fill("sam.new")
    add_user.get_by_role("textbox", name="Display name", exact=True).fill("Sam New")
    choose(page, "Home team", "Intake & Assessment")
    add_user.get_by_role("textbox", name="Initial password", exact=True).fill("sams-first-password")
    with rerun(page):
        add_user.get_by_role("button", name="Add account").click()
    expect(main(page).get_by_text("Account 'sam.new' added.")).to_be_visible()
    # The teams table now lists the new team (Streamlit draws tables on a canvas; read the
    # accessible grid it keeps alongside).
    expect(main(page).get_by_test_id("stDataFrame").first).to_contain_text("Intake & Assessment")

    # Log out; the new case manager can log in and sees no team or admin pages.
    # The admin knows Sam's first password, so Sam must choose a new one before any page.
    log_out(page)
    sign_in_form(page, "sam.new", "sams-first-password")
    expect(main(page).get_by_role("heading", level=1)).to_have_text("Choose a new password")
    expect(page.get_by_test_id("stSidebarNav")).to_have_count(0)
    page.get_by_role("textbox", name="New password", exact=True).fill("sams-own-quiet-words")
    page.get_by_role("textbox", name="Repeat new password", exact=True).fill("sams-own-quiet-words")
    with rerun(page):
        page.get_by_role("button", name="Save my new password").click()
    expect(main(page).get_by_role("heading", level=1)).to_have_text("Hello, Sam New")
    nav = page.get_by_test_id("stSidebarNav")
    expect(nav.get_by_role("link", name="Check-in", exact=True)).to_be_visible()
    for title in ("My team", "Organisation", "Teams and accounts"):
        expect(nav.get_by_role("link", name=title, exact=True)).to_have_count(0)


def test_load_demo_from_the_first_run_screen(start_app, new_page):
    app = start_app()
    page = new_page(app)
    # Without the set-up code the demo is not loaded.
    with rerun(page):
        page.get_by_role("button", name="Load demo agency").click()
    expect(main(page).get_by_text("Enter the set-up code shown in the terminal")).to_be_visible()
    expect(page.get_by_role("heading", name="Set up the check-in tool")).to_be_visible()

    enter_setup_code(page)
    with rerun(page, timeout=120_000):
        page.get_by_role("button", name="Load demo agency").click()
    expect(page.get_by_role("heading", name="Caseload check-in", level=1)).to_be_visible()
    expect(main(page).get_by_text("Demo agency loaded.")).to_contain_text(DEMO_PASSWORD)
    with page.expect_navigation():
        main(page).get_by_role("link", name="Log in").click()
    wait_for_app(page)
    log_in(page, "daniel.moreno")
    expect(main(page).get_by_role("heading", level=1)).to_have_text("Hello, Daniel Moreno")
