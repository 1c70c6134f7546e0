"""Text that people type is shown as text on every page, never as HTML or Markdown (AppTest).

Team names, display names and the support resources an admin types are set to
payloads (a script tag, an image with onerror, a Markdown link, bold). Every
element Streamlit renders as Markdown must carry them escaped; tables and
charts show them as plain values anyway. (Notes and talking points in
summaries, exports and the account page: tests/test_summary.py, test_export.py.)
"""
import re

import pytest

from fatigue import demo, questionnaires, settings
from fatigue.pages._session import plain

from conftest import PASSWORD, log_in, texts

TEAM_NAME = "<script>alert(1)</script>[x](http://evil)**bold** www.evil.example"
DISPLAY_NAME = "<img src=x onerror=1> [me](javascript:1) __under__ :material/verified: b@ev.il"
SUPPORT = ("Call <b>EAP</b> **now**: [click](http://evil.example)\n<script>alert(4)</script>\n"
           "www.evil.example help@evil.example :material/call:")
# The payloads' markup where it is not escaped (no backslash before it).
RAW = re.compile(r"(?<!\\)<(script|img|b>)|(?<!\\)\]\((http|javascript)|(?<!\\)\*\*(bold|now)"
                 r"|(?<!\\)__under")
# The payloads' bare URLs, emails and icons, which Streamlit's Markdown makes links
# and icons of even when escaped (it matches the text once escapes are undone).
LINK_OR_ICON = re.compile(r"http://evil|www\.evil|\w@ev\.?il|:material/(verified|call)")


def markdown_texts(at) -> list[str]:
    """Every string the page sends to be rendered as Markdown."""
    found = []
    for kind in ("markdown", "caption", "title", "header", "subheader", "success", "error",
                 "info", "warning"):
        found += texts(getattr(at, kind))
    found += [e.label for e in at.expander]
    found += [m.label for m in at.metric]
    return found


def assert_literal(at, *typed: str) -> None:
    """No typed payload reaches Markdown unescaped, and each does appear (escaped)."""
    assert not at.exception
    rendered = markdown_texts(at)
    for text in rendered:
        assert not RAW.search(text), f"rendered as markup: {text!r}"
        unescaped = re.sub(r"\\(.)", r"\1", text)
        assert not LINK_OR_ICON.search(unescaped), f"rendered as a link or icon: {text!r}"
    joined = "\n".join(rendered)
    for value in typed:
        assert plain(value) in joined or plain(value).replace("\n", "  \n") in joined, value


@pytest.fixture
def agency(db):
    """The demo agency with Family Support renamed and the lead's display name set to payloads."""
    demo.build_demo(db)
    db.execute("UPDATE teams SET name = ? WHERE name = 'Family Support'", [TEAM_NAME])
    db.execute("UPDATE users SET display_name = ? WHERE username IN ('chloe.haddad', 'admin')",
               [DISPLAY_NAME])
    db.conn.commit()
    return db


def test_team_page_shows_the_team_name_and_lead_name_literally(agency):
    at = log_in("chloe.haddad", demo.DEMO_PASSWORD).switch_page("fatigue/pages/team.py").run()
    assert_literal(at, TEAM_NAME, DISPLAY_NAME)


def test_organisation_page_shows_team_names_literally(agency):
    at = log_in("admin", demo.DEMO_PASSWORD).switch_page("fatigue/pages/organisation.py").run()
    assert_literal(at, TEAM_NAME, DISPLAY_NAME)
    assert TEAM_NAME in at.dataframe[0].value["Group"].tolist()  # tables: plain values


def add_team(at, name):
    next(t for t in at.text_input if t.label == "Team name").input(name)
    next(b for b in at.button if b.label == "Add team").click()
    return at.run()


def test_admin_page_and_its_messages_show_typed_names_literally(db, team, user):
    from fatigue import accounts

    accounts.create_user(db, "boss", PASSWORD, team=team, is_admin=True,
                         display_name=DISPLAY_NAME)
    at = add_team(log_in("boss").switch_page("fatigue/pages/admin.py").run(), TEAM_NAME)
    assert TEAM_NAME in [t["name"] for t in accounts.list_teams(db)]
    assert any("added" in m for m in texts(at.success))
    assert_literal(at, TEAM_NAME, DISPLAY_NAME)  # the "Team '...' added." message, sidebar
    at = add_team(at, TEAM_NAME)  # again: the refusal names it, escaped too
    assert any("exists already" in e for e in texts(at.error))
    assert_literal(at, TEAM_NAME)


def test_home_shows_the_display_name_literally(db, team):
    from fatigue import accounts

    accounts.create_user(db, "casey", PASSWORD, team=team, display_name=DISPLAY_NAME)
    assert_literal(log_in("casey"), DISPLAY_NAME)


def test_support_resources_are_shown_as_typed_text_not_markdown(db, user):
    """Decision: the support text is plain text with its line breaks (st.text, never
    Markdown), so an admin's phone numbers show exactly as typed and no link can be
    disguised or made clickable."""
    settings.set_support_resources(db, SUPPORT)
    questionnaires.save_response(db, user, "single_item_burnout", {1: 5})  # urgent panel
    for at in (log_in("casey").switch_page("fatigue/pages/actions.py").run(), log_in("casey")):
        assert any("reach out for support" in m.lower() for m in texts(at.markdown))
        assert SUPPORT in texts(at.text)
        assert_literal(at)
        assert not [m for m in markdown_texts(at) if "EAP" in m]
