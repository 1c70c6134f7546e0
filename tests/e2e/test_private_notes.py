"""Private notes in a real browser: a note, the recovery code shown once, an admin reset
that leaves the notes locked everywhere, and the recovery code that opens them again."""
from __future__ import annotations

import re

import pytest

from .support import (
    DEMO_PASSWORD,
    axe_violations,
    describe,
    expect,
    go_to,
    log_in,
    main,
    rerun,
    sign_in_form,
    user_id,
)

pytestmark = pytest.mark.e2e

PERSON = "jordan.nguyen"
NOTE = "Talked to Dana about the Hendricks visit; still shaky."
ADMINS = "admins-temporary-words"
OWN = "jordans-own-quiet-words"


@pytest.fixture(scope="module")
def app(start_app, browser):
    return start_app(demo=True)  # this module resets a password: a demo agency of its own


def keep_code(page) -> str:
    """Read the recovery code from its panel, then put the panel away."""
    panel = main(page).get_by_role("heading", name=re.compile("Your recovery code"))
    expect(panel).to_be_visible()
    code = main(page).get_by_test_id("stCode").first.inner_text().strip()
    assert re.fullmatch(r"[0-9A-Z]{5}(-[0-9A-Z]{5}){4}", code), code
    expect(page.locator(".st-key-recovery_code_panel")).to_be_visible()
    violations = axe_violations(page, ".st-key-recovery_code_panel")  # the panel itself
    assert not violations, describe(violations)
    with rerun(page):
        main(page).get_by_role("button", name="I have kept it").click()
    expect(panel).to_have_count(0)
    return code


def test_reset_locks_the_notes_until_the_recovery_code(app, new_page):
    from fatigue import accounts
    from fatigue.db import connect

    page = new_page(app)
    log_in(page, PERSON)
    go_to(page, "Check-in", "Daily check-in")
    form = page.get_by_test_id("stForm")
    for name, value in (("Exhaustion", 7), ("Empathy", 4)):  # the two answers needed
        form.get_by_role("radiogroup", name=re.compile(rf"^{name}\b")).get_by_role(
            "radio", name=str(value), exact=True).click()
    more = form.get_by_text(re.compile(r"^More about today"))
    expect(more).to_be_visible()
    if not form.get_by_role("textbox", name="Private note (optional)").is_visible():
        more.click()
    form.get_by_role("textbox", name="Private note (optional)").fill(NOTE)
    with rerun(page):
        form.get_by_role("button", name=re.compile("(Save|Update) check-in")).click()
    expect(main(page).get_by_text(re.compile(r"Check-in for .* (saved|updated)"))).to_be_visible()
    code = keep_code(page)  # the first note under her own key: the code, once
    page.reload()
    expect(main(page).get_by_role("heading", level=1)).to_have_text("Daily check-in")
    expect(main(page).get_by_text("Your recovery code")).to_have_count(0)  # shown only once

    db = connect(app.db_path)  # the admin's "Reset password"
    try:
        admin = accounts.authenticate(db, "admin", DEMO_PASSWORD).id
        accounts.reset_password(db, user_id(app.db_path, PERSON), ADMINS, actor_id=admin)
    finally:
        db.close()

    sign_in_form(page, PERSON, ADMINS)  # whoever knows the admin's password...
    expect(main(page).get_by_role("heading", level=1)).to_have_text("Choose a new password")
    expect(main(page).get_by_text(re.compile("Your private notes stay locked"))).to_be_visible()
    page.get_by_role("textbox", name="New password", exact=True).fill(OWN)
    page.get_by_role("textbox", name="Repeat new password", exact=True).fill(OWN)
    with rerun(page):
        page.get_by_role("button", name="Save my new password").click()
    expect(main(page).get_by_text(re.compile(r"the admin 'admin' reset your password"))).to_be_visible()
    go_to(page, "Check-in", "Daily check-in")
    expect(main(page).get_by_text(re.compile("Your private notes are locked: an admin reset"))
           ).to_be_visible()
    expect(page.get_by_role("textbox", name="Private note (optional)")).to_have_count(0)
    assert "Hendricks" not in page.content()
    go_to(page, "Supervision summary")
    main(page).get_by_text("My private notes from these 4 weeks", exact=True).click()
    expect(main(page).get_by_text(re.compile("Your private notes are locked in this session"))
           ).to_be_visible()
    assert "Hendricks" not in page.content()

    go_to(page, "My account")
    main(page).get_by_role("textbox", name="Recovery code").fill(code.lower())
    with rerun(page):
        main(page).get_by_role("button", name="Open my notes").click()
    expect(main(page).get_by_text("Your private notes are open again.")).to_be_visible()
    go_to(page, "Check-in", "Daily check-in")
    expect(page.get_by_role("textbox", name="Private note (optional)")).to_have_value(NOTE)
