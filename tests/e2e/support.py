"""Helpers for driving the Streamlit app in a real browser.

Waiting follows Streamlit's own browser tests (``e2e_playwright/conftest.py`` in
streamlit/streamlit): the root element ``[data-testid='stApp']`` carries
``data-test-connection-state`` and ``data-test-script-state``, and the status widget
(``stStatusWidget``) is only there while a script runs. A fixed pause after a click
is not enough (a page switch can take longer than the pause to *start*), so every
page also counts finished script runs (``RUN_COUNTER_SCRIPT``) and :func:`rerun`
waits for the next one to finish; tests then still wait for what the run must show
(``expect`` retries), never only for the absence of something.
"""
from __future__ import annotations

import contextlib
import datetime as dt
import json
import os
import re
from pathlib import Path
from typing import Iterator
from urllib.parse import urlsplit

try:
    from playwright.sync_api import Download, Locator, Page, expect
    from playwright.sync_api import TimeoutError as PlaywrightTimeoutError
except ImportError:  # the `browser` fixture skips (locally) or fails (CI) with the reason
    Download = Locator = Page = expect = None  # type: ignore[assignment,misc]
    PlaywrightTimeoutError = TimeoutError  # type: ignore[assignment,misc]

ROOT = Path(__file__).resolve().parents[2]
# The README's pictures are rewritten only on request (FATIGUE_SCREENSHOTS=1): the demo
# dates move daily, so writing them on every run left the checkout dirty.
SCREENSHOTS = (
    ROOT / "docs" / "screenshots"
    if os.environ.get("FATIGUE_SCREENSHOTS") == "1"
    else ROOT / "test-results" / "screenshots"
)
AXE_JS = ROOT / "node_modules" / "axe-core" / "axe.min.js"
DEMO_PASSWORD = "demo-password-2026"  # public, demo-only (fatigue/demo.py)
TIMEOUT_MS = 30_000
RUN_SEEN_MS = 5_000  # how long a click may take to start a script run

DESKTOP = {"width": 1280, "height": 800}
PHONE = {"width": 390, "height": 844}

# Counts the app's finished script runs: a run is over when the root element's
# data-test-script-state leaves "running". Attribute records are queued for every
# change, so even a run too quick to be seen by polling is counted.
RUN_COUNTER_SCRIPT = """
(() => {
  window.__e2eRunsFinished = 0;
  new MutationObserver((records) => {
    for (const record of records) {
      if (record.oldValue === "running"
          && record.target.getAttribute("data-test-script-state") !== "running") {
        window.__e2eRunsFinished += 1;
      }
    }
  }).observe(document, {subtree: true, attributes: true, attributeOldValue: true,
                        attributeFilter: ["data-test-script-state"]});
})();
"""


def today() -> dt.date:
    """The day the app sees: browsers and servers in these tests run in UTC."""
    return dt.datetime.now(dt.timezone.utc).date()


# --- waiting ---------------------------------------------------------------------------


def wait_for_app_run(page: Page, timeout: int = TIMEOUT_MS) -> None:
    """Until the app is connected, no script runs and nothing is still loading."""
    page.locator(
        "[data-testid='stApp'][data-test-connection-state='CONNECTED']"
        "[data-test-script-state='notRunning']"
    ).wait_for(state="attached", timeout=timeout)
    page.get_by_test_id("stStatusWidget").wait_for(state="detached", timeout=timeout)
    expect(page.get_by_test_id("stSkeleton")).to_have_count(0, timeout=timeout)


def runs_finished(page: Page) -> int:
    return page.evaluate("window.__e2eRunsFinished || 0")


@contextlib.contextmanager
def rerun(page: Page, timeout: int = TIMEOUT_MS) -> Iterator[None]:
    """``with rerun(page): button.click()``: then wait until the rerun it starts is done.

    A script that calls ``st.rerun()`` runs twice; the short settle pause lets the
    second run start before waiting for it to end.
    """
    before = runs_finished(page)
    yield
    try:
        page.wait_for_function("n => (window.__e2eRunsFinished || 0) > n", arg=before,
                               timeout=RUN_SEEN_MS)
    except PlaywrightTimeoutError:
        # A very quick run can go "running" -> "notRunning" within one React render and
        # never show in the attribute: the callers then wait for what the run must show.
        pass
    page.wait_for_timeout(150)
    wait_for_app_run(page, timeout)


def download(page: Page, button: Locator) -> Download:
    """Click a download button once the app is idle and return the download."""
    wait_for_app_run(page)
    with page.expect_download() as info:
        button.click()
    return info.value


def on_sign_in_page(page: Page) -> bool:
    """Whether the page shows our sign-in page (plain HTML, not the Streamlit app)."""
    return urlsplit(page.url).path == "/signin"


def wait_for_app(page: Page) -> None:
    """After a page load: the app's first run is over (or the sign-in page is there)."""
    if on_sign_in_page(page):
        page.get_by_role("button", name="Log in", exact=True).wait_for(timeout=TIMEOUT_MS)
        return
    page.get_by_test_id("stApp").wait_for(state="attached", timeout=TIMEOUT_MS)
    # Functions, not bare expressions: the app's Content-Security-Policy allows no eval().
    page.wait_for_function("() => (window.__e2eRunsFinished || 0) > 0", timeout=TIMEOUT_MS)
    wait_for_app_run(page)


def open_app(page: Page, url: str) -> None:
    """Load ``url`` (a full page load: a new Streamlit session) and wait for the first run;
    without a session, the server answers with the sign-in page instead."""
    page.goto(url)
    wait_for_app(page)


# --- signing in and moving around ------------------------------------------------------


def main(page: Page) -> Locator:
    return page.get_by_test_id("stMain")


def sidebar_nav(page: Page) -> Locator:
    return page.get_by_test_id("stSidebarNav")


def sign_in_form(page: Page, username: str, password: str = DEMO_PASSWORD, *,
                 keep: bool = False) -> None:
    """Fill in and send the sign-in page's form (opening it first if needed)."""
    if not on_sign_in_page(page):
        parts = urlsplit(page.url)
        page.goto(f"{parts.scheme}://{parts.netloc}/signin")
    page.get_by_role("textbox", name="Username", exact=True).fill(username)
    page.get_by_role("textbox", name="Password", exact=True).fill(password)
    if keep:
        page.get_by_role("checkbox", name=re.compile("^Keep me signed in")).check()
    with page.expect_navigation():
        page.get_by_role("button", name="Log in", exact=True).click()
    wait_for_app(page)


def log_in(page: Page, username: str, password: str = DEMO_PASSWORD, *, keep: bool = False,
           home: bool = True) -> None:
    """Through the sign-in page, as a person would; ends in the app (on the home page
    unless the sign-in page was reached from another page and ``home`` is False)."""
    sign_in_form(page, username, password, keep=keep)
    expect(page.get_by_role("button", name=re.compile("Log out"))).to_be_attached()
    if home:
        expect(main(page).get_by_role("heading", level=1)).to_have_text(re.compile(r"^Hello, "))


def open_sidebar(page: Page) -> None:
    """On a phone the sidebar starts collapsed: open it with its button."""
    expand = page.get_by_test_id("stExpandSidebarButton")
    if expand.is_visible():
        expand.click()
    expect(sidebar_nav(page)).to_be_in_viewport()


def nav_link(page: Page, title: str) -> Locator:
    """The sidebar link to the page titled ``title`` (its icon is not part of the name)."""
    return sidebar_nav(page).get_by_role("link", name=title, exact=True)


def go_to(page: Page, title: str, heading: str | re.Pattern[str] | None = None) -> None:
    """Follow the sidebar link ``title`` (in the same session) and wait for the page."""
    open_sidebar(page)
    with rerun(page):
        nav_link(page, title).click()
    expect(main(page).get_by_role("heading", level=1)).to_have_text(heading or title)
    close_sidebar_on_phone(page)


def close_sidebar_on_phone(page: Page) -> None:
    """On a phone the open sidebar covers the page: close it (as a person would)."""
    if (page.viewport_size or DESKTOP)["width"] > 640:
        return
    sidebar = page.get_by_test_id("stSidebar")
    if sidebar.get_attribute("data-collapsed") == "false":
        sidebar.get_by_role("button", name="Collapse sidebar").click()
    expect(sidebar).to_have_attribute("data-collapsed", "true")


def choose(page: Page, label: str, option: str, within: Locator | None = None) -> None:
    """Pick ``option`` in the selectbox labelled ``label`` (inside ``within`` if given).

    The drop-down closes when the page scrolls under it, and clicking scrolls the box
    into view first: scroll, let it settle, then open (again if it closed at once).
    """
    box = (within or page).get_by_test_id("stSelectbox").filter(
        has=page.get_by_role("combobox", name=label, exact=True)
    ).get_by_role("combobox")
    choice = page.get_by_test_id("stSelectboxVirtualDropdown").get_by_role(
        "option", name=option, exact=True
    )
    for _ in range(4):
        box.scroll_into_view_if_needed()
        page.wait_for_timeout(300)
        box.click()
        try:
            choice.wait_for(state="visible", timeout=3000)
            break
        except PlaywrightTimeoutError:  # closed by a late scroll: open it again
            page.keyboard.press("Escape")
    choice.click()
    expect(box).to_have_value(option)


def log_out(page: Page) -> None:
    """The sidebar's Log out: ends the session and shows the sign-in page."""
    open_sidebar(page)
    with page.expect_navigation():
        page.get_by_role("button", name=re.compile("Log out")).click()
    wait_for_app(page)
    expect(page.get_by_role("status")).to_have_text("You have signed out.")


def user_id(db_path: Path, username: str, password: str = DEMO_PASSWORD) -> int:
    from fatigue import accounts
    from fatigue.db import connect

    db = connect(db_path)
    try:
        return accounts.authenticate(db, username, password).id
    finally:
        db.close()


def saved_checkin(db_path: Path, username: str, day: dt.date,
                  page: Page | None = None) -> dict | None:
    """The check-in stored in the database (read directly, not through the page); its
    note read with the key open in ``page``'s session (fatigue.note_keys), if given."""
    from fatigue import checkins
    from fatigue.db import connect

    uid = user_id(db_path, username)
    db = connect(db_path)
    try:
        return checkins.get_checkin(db, uid, day, key=notes_key(db, page))
    finally:
        db.close()


def notes_key(db, page: Page | None) -> bytes | None:
    """The private-notes key open in the session of ``page``'s browser (its cookie), if any."""
    from fatigue import note_keys, sessions

    if page is None:
        return None
    [token] = [c["value"] for c in page.context.cookies() if c["name"] == sessions.COOKIE]
    session = sessions.resolve(db, token).session
    return None if session is None else note_keys.access(db, session.user_id, session.id, token).key


# --- reading the page as a person would ---------------------------------------------------

PAGE_TEXT_SCRIPT = """
() => {
  const root = document.querySelector("[data-testid='stMain']");
  const labels = [...root.querySelectorAll("[aria-label]")].map((e) => e.getAttribute("aria-label"));
  return [root.innerText, ...labels].join("\\n");
}
"""

# Text a person cannot read whole: an element that clips its own words (an ellipsis, or
# hidden overflow narrower than its text), or a chart's word drawn past the chart's edge.
CUT_TEXT_SCRIPT = """
() => {
  const root = document.querySelector("[data-testid='stMain']");
  const out = [];
  for (const el of root.querySelectorAll("*")) {
    if (el.closest("svg") || !el.childNodes.length) continue;
    const own = [...el.childNodes].filter((n) => n.nodeType === 3).map((n) => n.textContent)
      .join("").trim();
    if (!own) continue;
    const style = getComputedStyle(el);
    // Words for screen readers only (a table's caption), hidden on purpose in a 1 px box.
    if (style.position === "absolute" && el.offsetWidth <= 1 && el.offsetHeight <= 1) continue;
    const clips = style.textOverflow === "ellipsis"
      || ["hidden", "clip"].includes(style.overflowX);
    if (clips && el.scrollWidth > el.clientWidth + 1) {
      out.push({kind: "clipped", text: own.slice(0, 80), scroll: el.scrollWidth, width: el.clientWidth});
    }
  }
  for (const chart of root.querySelectorAll("[data-testid='stVegaLiteChart']")) {
    const box = chart.getBoundingClientRect();
    for (const text of chart.querySelectorAll("svg text")) {
      const b = text.getBoundingClientRect();
      if (!text.textContent.trim() || b.width === 0) continue;
      if (b.left < box.left - 0.5 || b.right > box.right + 0.5) {
        out.push({kind: "chart", text: text.textContent.slice(0, 80),
                  left: b.left - box.left, right: box.right - b.right});
      }
    }
  }
  return out;
}
"""


def page_text(page: Page) -> str:
    """Every word on the page's main area as rendered (with the charts' text alternatives
    and the table cells a screen reader gets)."""
    return page.evaluate(PAGE_TEXT_SCRIPT)


def cut_text(page: Page) -> list[dict]:
    """Words the page cuts off (see ``CUT_TEXT_SCRIPT``); a table scrolls, it does not cut."""
    return page.evaluate(CUT_TEXT_SCRIPT)


# --- screenshots -------------------------------------------------------------------------


def wait_for_charts(page: Page) -> None:
    """Every Vega-Lite chart on the page has drawn (canvas or svg)."""
    charts = page.get_by_test_id("stVegaLiteChart")
    for index in range(charts.count()):
        charts.nth(index).locator("canvas, svg").first.wait_for(state="visible", timeout=TIMEOUT_MS)
    page.evaluate("document.fonts.ready.then(() => true)")


def full_screenshot(page: Page, name: str) -> Path:
    """Save the page's whole content as <SCREENSHOTS>/<name>.png.

    Streamlit scrolls inside ``stMain`` (and the sidebar), so a page screenshot only
    shows the viewport: the viewport is made as tall as the content for the shot.
    """
    size = page.viewport_size or DESKTOP
    wait_for_charts(page)
    height = page.evaluate(
        """() => {
          const heights = [document.querySelector("[data-testid='stMain']")?.scrollHeight || 0];
          const sidebar = document.querySelector("[data-testid='stSidebar']");
          if (sidebar && sidebar.getBoundingClientRect().right > 0 && window.innerWidth > 700) {
            heights.push(document.querySelector("[data-testid='stSidebarContent']")?.scrollHeight || 0);
          }
          return Math.max(...heights);
        }"""
    )
    path = SCREENSHOTS / f"{name}.png"
    path.parent.mkdir(parents=True, exist_ok=True)
    page.set_viewport_size({"width": size["width"], "height": max(size["height"], int(height))})
    try:
        page.wait_for_timeout(300)  # charts re-measure their container
        wait_for_charts(page)
        page.screenshot(path=str(path), animations="disabled", caret="hide")
    finally:
        page.set_viewport_size(size)
    return path


# --- accessibility ---------------------------------------------------------------------

AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa", "best-practice"]



def _theme_set() -> bool:
    """Whether .streamlit/config.toml sets its own theme colours."""
    import tomllib

    config = ROOT / ".streamlit" / "config.toml"
    if not config.exists():
        return False
    theme = tomllib.loads(config.read_text()).get("theme", {})
    return bool({"textColor", "primaryColor"} & set(theme))


# Serious or critical axe findings in Streamlit's own markup that a page of ours
# cannot change. Each entry: rule id, a CSS selector (the flagged element or one of
# its ancestors must match it), and why it is accepted. Keep it short.
AXE_ALLOWED: list[tuple[str, str, str]] = [
    ("target-size", "[data-testid='stDateInput'] [role='spinbutton']",
     "st.date_input draws the day, month and year as narrow inline segments (React Aria "
     "DateField, Streamlit's markup); the same date can be typed, or picked with the larger "
     "'Choose date' button (the 'equivalent' exception of WCAG 2.5.8)."),
]
if not _theme_set():
    # Streamlit's default light theme: st.caption text is #828180 on white (3.9:1) and
    # the selected option of st.segmented_control #c53948 on #f9ebed (4.47:1). That is
    # fixed in the app's theme, not in page markup: with textColor = "#191817" and
    # primaryColor = "#2b6777" under [theme] in .streamlit/config.toml axe passes, and
    # once a theme is set these two entries no longer apply.
    AXE_ALLOWED += [
        ("color-contrast", "[data-testid='stCaptionContainer']",
         "st.caption's colour in Streamlit's default theme (see the comment above)"),
        ("color-contrast", "[data-variant='segmented_control'][data-selected='true']",
         "the selected st.segmented_control option in Streamlit's default theme"),
    ]

AXE_SCRIPT = """
async ([context, tags, allowed]) => {
  const root = context === "document" ? document : document.querySelector(context);
  const result = await axe.run(root, {runOnly: {type: "tag", values: tags},
                                      resultTypes: ["violations"]});
  const isAllowed = (rule, node) => {
    const element = document.querySelector(node.target[0]);
    return !!element && allowed.some(([id, selector]) => id === rule && element.closest(selector));
  };
  return result.violations
    .filter((v) => v.impact === "serious" || v.impact === "critical")
    .map((v) => ({...v, nodes: v.nodes.filter((node) => !isAllowed(v.id, node))}))
    .filter((v) => v.nodes.length > 0);
}
"""


def axe_violations(page: Page, context: str = "document") -> list[dict]:
    """Serious and critical axe-core violations on the page, minus the allow-list."""
    if not page.evaluate("typeof window.axe !== 'undefined'"):
        # Evaluated, not added as a <script>: the app's policy allows no inline script.
        page.evaluate(AXE_JS.read_text(encoding="utf-8"))
    allowed = [[rule, selector] for rule, selector, _ in AXE_ALLOWED]
    return page.evaluate(AXE_SCRIPT, [context, AXE_TAGS, allowed])


def describe(violations: list[dict]) -> str:
    lines = []
    for v in violations:
        lines.append(f"{v['id']} ({v['impact']}): {v['help']}")
        for node in v["nodes"][:5]:
            data = (node.get("any") or [{}])[0].get("data") or {}
            extra = ""
            if isinstance(data, dict) and "contrastRatio" in data:
                extra = (f" [contrast {data['contrastRatio']}:1, {data.get('fgColor')} on "
                         f"{data.get('bgColor')}, needs {data.get('expectedContrastRatio')}]")
            lines.append(f"    {json.dumps(node['target'])}: {node['html'][:160]}{extra}")
    return "\n".join(lines)


UNLABELLED_INPUTS_SCRIPT = """
() => {
  const fields = document.querySelectorAll(
    "input:not([type=hidden]), textarea, select, [role=slider], [role=combobox], " +
    "[role=radio], [role=checkbox], [role=spinbutton], [role=switch], [role=textbox], " +
    "[role=listbox]");
  const text = (el) => (el ? (el.innerText || el.textContent || "").trim() : "");
  const name = (el) => {
    if ((el.getAttribute("aria-label") || "").trim()) return el.getAttribute("aria-label").trim();
    const ids = (el.getAttribute("aria-labelledby") || "").split(/\\s+/).filter(Boolean);
    const byIds = ids.map((id) => text(document.getElementById(id))).join(" ").trim();
    if (byIds) return byIds;
    if (el.id) {
      const label = document.querySelector(`label[for="${CSS.escape(el.id)}"]`);
      if (text(label)) return text(label);
    }
    if (text(el.closest("label"))) return text(el.closest("label"));
    // Radios, checkboxes and switches drawn as buttons are named by their content.
    if (el.tagName === "BUTTON" || el.tagName === "DIV" || el.tagName === "SPAN") {
      if (text(el)) return text(el);
    }
    return (el.getAttribute("title") || "").trim();
  };
  const out = [];
  for (const el of fields) {
    const box = el.getBoundingClientRect();
    const hidden = el.closest("[aria-hidden=true]") || getComputedStyle(el).visibility === "hidden";
    if (hidden || (box.width === 0 && box.height === 0 && el.type !== "checkbox" && el.type !== "radio")) continue;
    out.push({tag: el.tagName.toLowerCase(), type: el.type || el.getAttribute("role"),
              name: name(el), html: el.outerHTML.slice(0, 160)});
  }
  return out;
}
"""


def form_fields(page: Page) -> list[dict]:
    """Every visible form field with the name a screen reader would announce (roughly)."""
    return page.evaluate(UNLABELLED_INPUTS_SCRIPT)


def in_ci() -> bool:
    return os.environ.get("CI", "").strip().lower() not in ("", "0", "false", "no")
