"""The team lead's loop in the browser, at 1280 x 800 and 390 x 844: fresh figures,
what changed, a team action plan from planned to done to its follow-up; and the
admin's organisation page. Each page is read back as rendered: no "None" or "nan",
and no words cut off."""
from __future__ import annotations

import datetime as dt
import re

import pytest

from .support import (
    DESKTOP,
    RUN_COUNTER_SCRIPT,
    TIMEOUT_MS,
    choose,
    cut_text,
    expect,
    go_to,
    log_in,
    main,
    open_app,
    page_text,
    rerun,
    today,
    wait_for_charts,
)

pytestmark = pytest.mark.e2e
SIZES = ["desktop", "phone"]
DAY = r"\w{3} \d{1,2} \w{3} \d{4}"  # Thu 26 Nov 2026


@pytest.fixture(scope="module")
def loop_app(start_app, browser):
    """A demo agency of its own: the plans made here stay out of other tests' pages."""
    return start_app(demo=True)


def period_end(monday: dt.date) -> str:
    sunday = monday + dt.timedelta(days=6)
    return f"{sunday.day} {sunday:%b %Y}"


def day(text: str) -> dt.date:
    return dt.datetime.strptime(text, "%a %d %b %Y").date()


def assert_reads_well(page) -> None:
    wait_for_charts(page)
    text = page_text(page)
    assert not re.search(r"\bNone\b", text), re.search(r".{40}\bNone\b.{20}", text)
    assert not re.search(r"\bnan\b", text, re.IGNORECASE), re.search(r".{40}\bnan\b", text, re.I)
    assert cut_text(page) == []


def signed_in_on(page, username: str, link: str):
    """``page`` signed in as ``username`` on the page ``link``, whose latest week was
    released within the last 8 days."""
    log_in(page, username)
    go_to(page, link)
    assert_released_within_8_days(page)
    return page


def assert_released_within_8_days(page) -> str:
    fresh = main(page).get_by_test_id("stMarkdown").filter(has_text="Latest released week:")
    expect(fresh).to_be_visible()
    words = fresh.inner_text()
    released = day(re.search(rf"released on ({DAY})", words).group(1))
    upcoming = day(re.search(rf"Next release: .*, on ({DAY})", words).group(1))
    assert 0 <= (today() - released).days < 8, words
    assert 0 < (upcoming - today()).days <= 7, words
    return words


@pytest.mark.parametrize("size", SIZES)
def test_lead_sees_fresh_figures_what_changed_and_follows_a_plan_up(loop_app, new_page, size):
    page = signed_in_on(new_page(loop_app, phone=size == "phone"), "chloe.haddad", "My team")

    # What changed: each headline figure with its change and its difference from the agency.
    for label in ("Mean exhaustion (0-10)", "In high strain", "Agency, mean exhaustion (0-10)"):
        metric = main(page).get_by_test_id("stMetric").filter(has_text=label).first
        expect(metric.get_by_test_id("stMetricDelta")).to_be_visible()
    expect(main(page).get_by_text(re.compile(r"^Mean exhaustion was .* the agency"))).to_be_visible()
    assert_reads_well(page)

    # Plan the first suggestion's step, owned by a role.
    plan = main(page).get_by_test_id("stExpander").filter(has_text="Plan this for the team").first
    plan.get_by_text("Plan this for the team").click()
    form = plan.get_by_test_id("stForm")
    choose(page, "Owner (a role, not a name)", "Team manager", within=form)
    with rerun(page):
        form.get_by_role("button", name="Plan", exact=True).click()
    expect(main(page).get_by_test_id("stAlert").filter(has_text="Planned: ")).to_be_visible()
    # One plan is planned (a plan done earlier has no "Done in" left).
    expect(main(page).get_by_text(re.compile(rf"Owner: Team manager\. Planned, by {DAY}\."))
           ).to_be_visible()

    # Done five weeks ago (recorded after the fact): two weeks after it are released.
    expect(main(page).get_by_role("combobox", name="Done in")).to_have_count(1)
    monday = today() - dt.timedelta(days=today().weekday() + 35)
    choose(page, "Done in", f"{monday.day} {monday:%b} - {period_end(monday)}")
    with rerun(page):
        main(page).get_by_role("button", name="Mark done").click()
    expect(main(page).get_by_test_id("stAlert").filter(has_text="Marked done: ")).to_be_visible()
    follow = main(page).get_by_text("Follow-up: what happened").last
    expect(follow).to_be_visible()
    expect(main(page).get_by_text(re.compile(r"^Caseload vs standard: .* in .*, then "))).not_to_have_count(0)
    expect(main(page).get_by_text(re.compile("not proof that the step caused it"))).not_to_have_count(0)
    assert_reads_well(page)


@pytest.mark.parametrize("size", SIZES)
def test_admin_sees_the_organisation_as_a_heatmap_with_hidden_cells_said(loop_app, new_page, size):
    page = signed_in_on(new_page(loop_app, phone=size == "phone"), "admin", "Organisation")
    heatmap = main(page).get_by_role("table", name=re.compile(
        r"^Heatmap of .*Groups with hidden cells: Housing Outreach"))
    expect(heatmap).to_be_visible()
    housing = heatmap.get_by_role("row").filter(has_text="Housing Outreach")
    expect(housing.get_by_role("cell", name="hidden", exact=True)).to_have_count(7)
    expect(main(page).get_by_test_id("stVegaLiteChart")).to_have_count(0)  # no chart to draw
    backgrounds = heatmap.get_by_role("cell").evaluate_all(
        "cells => cells.map(c => getComputedStyle(c).backgroundColor)")
    assert "rgb(255, 255, 255)" in backgrounds and len(set(backgrounds)) > 3  # coloured, hidden white
    reasons = main(page).get_by_test_id("stMarkdown").filter(has_text="Too few members")
    expect(reasons.first).to_be_visible()
    expect(main(page).get_by_role("heading", name="Team action plans")).to_be_visible()
    assert_reads_well(page)


def test_the_audit_log_is_in_the_viewers_time_zone(loop_app, browser):
    """A browser in New York reads the admin's audit log in New York time, not in UTC."""

    context = browser.new_context(timezone_id="America/New_York", locale="en-GB",
                                  viewport=DESKTOP)
    context.set_default_timeout(TIMEOUT_MS)
    context.add_init_script(RUN_COUNTER_SCRIPT)
    try:
        page = context.new_page()
        open_app(page, loop_app.url)
        log_in(page, "admin")
        go_to(page, "Teams and accounts")
        header = main(page).get_by_test_id("stDataFrame").locator(
            "th", has_text=re.compile(r"^When \(America/New_York\)$"))
        expect(header).to_have_count(1)
        assert not re.search(r"\d{4}-\d{2}-\d{2}T", page_text(page))  # no raw stamps
    finally:
        context.close()


def test_cut_text_finds_a_planted_cut(loop_app, new_page):
    """The check above can fail: an ellipsis planted in the page is found."""
    page = new_page(loop_app, phone=True)
    log_in(page, "chloe.haddad")
    page.evaluate("""() => {
      const span = document.createElement("span");
      span.style.cssText = "display:block;width:40px;overflow:hidden;text-overflow:ellipsis;"
        + "white-space:nowrap";
      span.textContent = "Family Support and everyone in it";
      document.querySelector("[data-testid='stMain']").appendChild(span);
    }""")
    assert [c["text"] for c in cut_text(page)] == ["Family Support and everyone in it"]
