"""Team and organisation pages (AppTest), checked the way an attacker would look.

Everything a lead's or admin's browser receives from these pages is read back
from the page's protobuf output: no usernames, user ids, notes or note words,
and no figures for a group below k.
"""
import json

import pytest

from fatigue import audit, demo, settings

from conftest import log_in, texts

TEAM_PAGE = "fatigue/pages/team.py"
ORG_PAGE = "fatigue/pages/organisation.py"
FORBIDDEN_COLUMNS = {"user_id", "username", "id", "note", "notes", "display_name", "name"}


@pytest.fixture
def agency(db):
    demo.build_demo(db)
    return demo.generate()


def open_page(username, page):
    return log_in(username, demo.DEMO_PASSWORD).switch_page(page).run()


def browser_payload(at) -> bytes:
    """Every chart and table the page sent, serialized as the browser gets it."""
    parts = [chart.proto.SerializeToString() for chart in at.get("vega_lite_chart")]
    parts += [frame.proto.SerializeToString() for frame in at.get("arrow_data_frame")]
    return b"".join(parts)


def assert_nothing_personal(at, agency):
    payload = browser_payload(at)
    assert payload, "the page sent no chart or table at all"
    for person in agency.people:
        assert person.username.encode() not in payload
        assert person.display_name.encode() not in payload
    for note in set(agency.checkins["note"]) - {""}:
        assert note.encode() not in payload
    for frame in at.dataframe:
        assert not FORBIDDEN_COLUMNS & {c.lower() for c in frame.value.columns}
    for chart in at.get("vega_lite_chart"):
        fields = json.dumps(json.loads(chart.proto.spec))
        for column in ("user_id", "username", "note"):
            assert f'"{column}"' not in fields


def test_lead_sees_team_trends_and_suggestions(db, agency):
    at = open_page("chloe.haddad", TEAM_PAGE)
    assert not at.exception
    assert texts(at.header) == ["Family Support"]
    assert "Review the team's caseloads together" in " ".join(texts(at.markdown))
    assert len(at.get("vega_lite_chart")) == 3
    assert_nothing_personal(at, agency)


def test_weekly_view(db, agency):
    at = open_page("chloe.haddad", TEAM_PAGE)
    at.button_group(key="team_period").set_value("Week").run()
    assert not at.exception
    assert_nothing_personal(at, agency)


def test_small_team_is_hidden_with_the_reason(db, agency):
    at = open_page("nadia.berg", TEAM_PAGE)
    at.selectbox(key="team_choice").select("Housing Outreach").run()
    assert not at.exception
    [warning] = texts(at.warning)
    assert warning.startswith("No period can be shown for this team yet.")
    table = at.dataframe[0].value
    shown_figures = table[["Exhaustion", "Empathy", "Intrusion"]].dropna(how="all")
    assert shown_figures.empty
    assert table["Hidden because"].notna().all()
    assert len(at.get("vega_lite_chart")) == 0


def test_no_shown_cell_is_below_k(db):
    settings.set_k(db, 9)  # before the demo's weeks are released: k applies to new releases
    demo.build_demo(db)
    at = open_page("chloe.haddad", TEAM_PAGE)
    table = at.dataframe[0].value
    shown = table[table["Exhaustion"].notna()]
    assert not shown.empty  # Family Support has 10 members besides its lead
    for band in shown["Respondents"]:
        assert int(str(band).split("-")[0].split()[0]) >= 9


def test_admin_sees_the_organisation_overview(db, agency):
    at = open_page("admin", ORG_PAGE)
    assert not at.exception
    table = at.dataframe[0].value
    groups = list(table["Group"])
    assert "Family Support" in groups and groups[-1] == "Agency total"
    housing = table[table["Group"] == "Housing Outreach"]
    assert housing.empty or housing["Exhaustion"].isna().all()
    assert_nothing_personal(at, agency)


def test_every_view_is_audited(db, agency):
    open_page("chloe.haddad", TEAM_PAGE)
    open_page("admin", ORG_PAGE)
    actions = [entry["action"] for entry in audit.entries(db)]
    assert "view_team_report" in actions and "view_org_report" in actions


def test_member_cannot_reach_the_team_page(db, agency):
    with pytest.raises(ValueError, match="Could not find a navigation page"):
        log_in("daniel.moreno", demo.DEMO_PASSWORD).switch_page(TEAM_PAGE)


@pytest.mark.parametrize("page", [TEAM_PAGE, ORG_PAGE])
def test_page_scripts_refuse_a_member_themselves(db, agency, page):
    at = log_in("daniel.moreno", demo.DEMO_PASSWORD, script="../" + page)
    assert texts(at.error) in (["This page is for team leads only."], ["This page is for admins only."])
    assert browser_payload(at) == b""


def test_lead_is_not_admin_for_the_organisation(db, agency):
    with pytest.raises(ValueError, match="Could not find a navigation page"):
        log_in("chloe.haddad", demo.DEMO_PASSWORD).switch_page(ORG_PAGE)


def test_a_new_k_leaves_released_weeks_as_they_were(db, agency):
    before = open_page("chloe.haddad", TEAM_PAGE).dataframe[0].value
    settings.set_k(db, 50)
    after = open_page("chloe.haddad", TEAM_PAGE).dataframe[0].value
    assert before.equals(after)


def test_with_differential_privacy_the_page_shows_the_uncertainty(db):
    settings.set_dp_enabled(db, True)  # before the demo's weeks are released
    demo.build_demo(db)
    agency = demo.generate()
    at = open_page("chloe.haddad", TEAM_PAGE)
    assert not at.exception
    metrics = {m.label: m.value for m in at.metric}
    assert " ± " in metrics["Mean exhaustion (0-10)"]
    assert any("Differential privacy is on" in c for c in texts(at.caption))
    assert_nothing_personal(at, agency)
    # Viewing again shows the very same noisy figures (drawn once, stored).
    again = open_page("chloe.haddad", TEAM_PAGE)
    assert {m.label: m.value for m in again.metric} == metrics
    admin_page = open_page("admin", "fatigue/pages/admin.py")
    assert any("Privacy budget spent so far" in m for m in texts(admin_page.markdown))
