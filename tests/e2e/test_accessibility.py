"""Phones, keyboards and screen readers: the check-in for everyone.

(axe-core and labelled fields on every page: test_screens.py.)
"""
from __future__ import annotations

import re

import pytest

from fatigue.analytics import TITLES

from .support import (
    PHONE,
    axe_violations,
    expect,
    form_fields,
    go_to,
    log_in,
    main,
    rerun,
    saved_checkin,
    today,
    wait_for_app,
    wait_for_app_run,
)

pytestmark = pytest.mark.e2e

SAVED = re.compile(r"Check-in for .* saved\. Thank you\.")

FOCUSED = """() => {
  const el = document.activeElement;
  if (!el || el === document.body) return null;
  const label = el.labels && el.labels.length ? el.labels[0].innerText : "";
  const group = el.closest("[role=radiogroup]");
  return {tag: el.tagName.toLowerCase(), role: el.getAttribute("role") || el.type || "",
          name: (el.getAttribute("aria-label") || label || el.innerText || "").trim().slice(0, 120),
          group: group ? group.getAttribute("aria-label") : "",
          expanded: el.tagName === "SUMMARY" ? String(el.parentElement.open)
                                             : el.getAttribute("aria-expanded"),
          value: el.value ?? null};
}"""


def focused(page):
    return page.evaluate(FOCUSED)


def tab_to(page, wanted, limit: int = 60) -> dict:
    """Press Tab until ``wanted(focused element)`` holds; only the keyboard moves."""
    for _ in range(limit):
        page.keyboard.press("Tab")
        element = focused(page)
        if element and wanted(element):
            return element
    raise AssertionError(f"Tab never reached the element (last: {focused(page)})")


def test_check_in_with_the_keyboard_only(demo_app, new_page):
    """Tab, arrow keys, Space, typing and Enter only: no mouse, no clicks, no focus() calls."""
    page = new_page(demo_app)
    assert saved_checkin(demo_app.db_path, "priya.okafor", today()) is None

    # Log in, on the sign-in page.
    tab_to(page, lambda e: e["name"] == "Username")
    page.keyboard.type("priya.okafor")
    tab_to(page, lambda e: e["name"] == "Password", limit=3)
    page.keyboard.type("demo-password-2026")
    with page.expect_navigation():
        page.keyboard.press("Enter")
    wait_for_app(page)
    expect(main(page).get_by_role("heading", level=1)).to_have_text("Hello, Priya Okafor")

    # Home opens on the check-in. Walk the form with Tab; arrows move within a rating.
    expect(main(page).get_by_role("button", name="Save check-in")).to_be_visible()
    done = []
    for _ in range(160):
        page.keyboard.press("Tab")
        element = focused(page) or {}
        name, role, group = element.get("name", ""), element.get("role", ""), element.get("group") or ""
        if role == "radio" and group.startswith("Exhaustion") and "exhaustion" not in done:
            for _ in range(8 - int(name)):
                page.keyboard.press("ArrowRight")  # to 8
            page.keyboard.press("Space")
            done.append("exhaustion")
        elif role == "radio" and group.startswith("Empathy") and "empathy" not in done:
            for _ in range(3 - int(name)):
                page.keyboard.press("ArrowRight")  # to 3
            page.keyboard.press("Space")
            done.append("empathy")
        elif element.get("expanded") == "false" and ("Workload" in name or "More about" in name):
            page.keyboard.press("Enter")  # open it; Tab goes on into it
        elif name == "Client contacts today" and "contacts" not in done:
            page.keyboard.press("Control+A")
            page.keyboard.type("7")
            done.append("contacts")
        elif role == "radio" and group == "Supervision or debrief today" and "supervision" not in done:
            if name != "Yes":
                page.keyboard.press("ArrowLeft")
            page.keyboard.press("Space")
            done.append("supervision")
        elif name == "Private note (optional)" and "note" not in done:
            page.keyboard.type("Typed with the keyboard only.")
            done.append("note")
        elif element.get("tag") == "button" and name == "Save check-in":
            with rerun(page):
                page.keyboard.press("Enter")
            done.append("saved")
            break
    assert done == ["exhaustion", "empathy", "contacts", "supervision", "note", "saved"], (
        f"the keyboard walk reached only {done}")
    expect(main(page).get_by_text(SAVED)).to_be_visible()

    saved = saved_checkin(demo_app.db_path, "priya.okafor", today(), page)
    assert saved is not None, "the keyboard-only check-in was not stored"
    assert (saved["exhaustion"], saved["empathy"], saved["contacts"], saved["supervision"]) == (8, 3, 7, 1)
    assert saved["note"] == "Typed with the keyboard only."
    assert saved["meaning"] is None  # never reached: not answered


def test_check_in_on_a_phone(demo_app, new_page):
    """390 px wide: nothing scrolls sideways, every field fits, Save is in view and tapped.

    (The counted, timed phone check-in: test_quick_checkin.py.)"""
    page = new_page(demo_app, phone=True)
    log_in(page, "jordan.nguyen")
    go_to(page, "Check-in", "Daily check-in")
    form = page.get_by_test_id("stForm")
    save = form.get_by_role("button", name="Save check-in")
    expect(save).to_be_in_viewport()

    widths = page.evaluate("""() => {
        const main = document.querySelector("[data-testid='stMain']");
        return {document: document.documentElement.scrollWidth, body: document.body.scrollWidth,
                main: main.scrollWidth, mainVisible: main.clientWidth};
    }""")
    assert widths["document"] <= PHONE["width"], widths
    assert widths["body"] <= PHONE["width"], widths
    assert widths["main"] <= widths["mainVisible"], f"the page scrolls sideways: {widths}"
    form.get_by_text(re.compile(r"^Workload")).tap()
    form.get_by_text(re.compile(r"^More about today")).tap()
    outside = page.evaluate("""(width) => [...document.querySelectorAll(
          "[data-testid='stForm'] input, [data-testid='stForm'] textarea, [data-testid='stForm'] button")]
        .filter((el) => { const r = el.getBoundingClientRect();
                          return r.width > 0 && (r.left < 0 || r.right > width); })
        .map((el) => el.getAttribute("aria-label") || el.innerText)""", PHONE["width"])
    assert not outside, f"fields wider than the phone: {outside}"

    # One thumb: tap two ratings, "+" on a count, "Yes" for a break, save.
    for name, value in (("Exhaustion", 8), ("Empathy", 6)):
        form.get_by_role("radiogroup", name=re.compile(rf"^{name}\b")).get_by_role(
            "radio", name=str(value), exact=True).tap()
    contacts = form.get_by_test_id("stNumberInput").filter(has_text="Client contacts today")
    start = int(contacts.get_by_role("spinbutton").input_value() or 0)
    for _ in range(3):
        contacts.get_by_role("button", name="Increment").tap()
    expect(contacts.get_by_role("spinbutton")).to_have_value(str(start + 3))
    form.get_by_role("radiogroup", name="A real break today").get_by_role("radio", name="Yes").tap()
    box = save.bounding_box()
    assert box is not None
    assert 0 <= box["x"] and box["x"] + box["width"] <= PHONE["width"], box
    assert 0 <= box["y"] and box["y"] + box["height"] <= PHONE["height"], box
    assert box["height"] >= 24 and box["width"] >= 24, f"Save is too small to tap: {box}"
    with rerun(page):
        save.tap()
    expect(main(page).get_by_text(SAVED)).to_be_in_viewport()
    saved = saved_checkin(demo_app.db_path, "jordan.nguyen", today())
    assert saved is not None
    assert (saved["exhaustion"], saved["contacts"], saved["break_taken"]) == (8, start + 3, 1)


def test_status_is_never_told_by_colour_alone(demo_app, new_page):
    """The status card names its level in words, with an icon; every notice has an icon and words."""
    page = new_page(demo_app)
    log_in(page, "daniel.moreno")
    for link, heading in (("Home", re.compile("^Hello, ")), ("My patterns", "My patterns")):
        go_to(page, link, heading)
        card_titles = main(page).get_by_role("heading", level=4)
        expect(card_titles.first).to_be_visible()
        titles = [t.strip() for t in card_titles.all_inner_texts()]
        status = [t for t in titles if any(t.endswith(word) for word in TITLES.values())]
        assert status, f"{link}: no status card titled with one of {list(TITLES.values())}: {titles}"
        icon = main(page).get_by_role("heading", level=4, name=re.compile(
            "|".join(map(re.escape, TITLES.values())))).get_by_role("img")
        expect(icon.first).to_be_attached()  # a Material icon next to the word
        alerts = main(page).get_by_test_id("stAlert")
        for index in range(alerts.count()):
            alert = alerts.nth(index)
            assert len(alert.inner_text().split()) >= 3, f"{link}: an alert without words"
            expect(alert.get_by_test_id("stAlertDynamicIcon")).to_have_count(1)


def test_axe_finds_a_planted_violation(demo_app, new_page):
    """The axe-core harness itself works (an unlabelled field is reported)."""
    page = new_page(demo_app)
    page.evaluate("""() => {
        const input = document.createElement("input");
        input.id = "e2e-planted";
        document.body.appendChild(input);
    }""")
    rules = {v["id"] for v in axe_violations(page)}
    assert "label" in rules, rules


def test_field_names_read_by_screen_readers_have_no_markdown(demo_app, new_page):
    page = new_page(demo_app)
    log_in(page, "ben.dubois")
    go_to(page, "Check-in", "Daily check-in")
    expect(main(page).get_by_role("button", name="Save check-in")).to_be_visible()
    wait_for_app_run(page)
    names = [field["name"] for field in form_fields(page)]
    names += main(page).get_by_role("button").evaluate_all(
        "els => els.map(e => e.getAttribute('aria-label') || '')")
    marked = sorted({n for n in names if "**" in n or "__" in n})
    assert not marked, marked
