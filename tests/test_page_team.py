"""The team page (AppTest), checked the way an attacker would look, and read.

Everything a lead's or admin's browser receives from these pages is read back
from the page's protobuf output: no usernames, user ids, notes or note words,
and no figures for a group below k. And what a lead reads there: when the
figures were released, what changed, the team's action plans, and no "None"
or "nan" anywhere.
"""
import datetime as dt
import json
import re

import pytest

from fatigue import accounts, audit, demo, settings, team_actions
from fatigue.dates import day_text

from conftest import log_in, texts, visible_text

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
    """Every chart, table and HTML block the page sent, serialized as the browser gets it."""
    parts = [chart.proto.SerializeToString() for chart in at.get("vega_lite_chart")]
    parts += [frame.proto.SerializeToString() for frame in [*at.dataframe, *at.table]]
    parts += [block.proto.SerializeToString() for block in at.html]
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


def assert_readable(at):
    """No "None" or "nan" anywhere a person can see."""
    for text in visible_text(at):
        assert not re.search(r"\bNone\b", text), text
        assert not re.search(r"\bnan\b", text, re.IGNORECASE), text


def test_lead_sees_team_trends_and_suggestions(db, agency):
    at = open_page("chloe.haddad", TEAM_PAGE)
    assert not at.exception
    assert texts(at.header) == ["Family Support"]
    assert "Review the team's caseloads together" in " ".join(texts(at.markdown))
    assert len(at.get("vega_lite_chart")) == 3
    assert_nothing_personal(at, agency)
    assert_readable(at)


def test_the_page_says_when_the_latest_week_was_released_and_the_next_one_is(db, agency):
    at = open_page("chloe.haddad", TEAM_PAGE)
    [fresh] = [m for m in texts(at.markdown) if m.startswith("**Latest released week:**")]
    today = dt.date.today()
    released = re.search(r"released on (\w{3} \d+ \w{3} \d{4})", fresh).group(1)
    released_on = dt.datetime.strptime(released, "%a %d %b %Y").date()
    assert 0 <= (today - released_on).days < 8  # released within the last week
    upcoming = re.search(r"\*\*Next release:\*\* .*, on (\w{3} \d+ \w{3} \d{4})", fresh).group(1)
    assert 0 < (dt.datetime.strptime(upcoming, "%a %d %b %Y").date() - today).days <= 7
    latest_end = re.search(r"week:\*\* \d+ \w{3} - (\d+ \w{3} \d{4})", fresh).group(1)
    assert (today - dt.datetime.strptime(latest_end, "%d %b %Y").date()).days <= 14


def test_what_changed_as_metric_deltas_and_in_words(db, agency):
    at = open_page("chloe.haddad", TEAM_PAGE)
    metrics = {m.label: m for m in at.metric}
    assert set(metrics) == {
        "Mean exhaustion (0-10)", "Mean empathy (0-10)", "In high strain", "Caseload vs standard",
        "Agency, mean exhaustion (0-10)", "Agency, mean empathy (0-10)", "Agency, in high strain",
        "Agency, caseload vs standard"}
    exhaustion = metrics["Mean exhaustion (0-10)"]
    assert exhaustion.proto.delta and exhaustion.proto.delta_description.startswith("vs ")
    assert metrics["Agency, mean exhaustion (0-10)"].proto.delta_description == (
        "this team against the agency")
    # Family Support is the overloaded team: more exhausted than the agency, and said so.
    words = " ".join(texts(at.markdown))
    assert re.search(r"Mean exhaustion was [\d.]+ in .*; [\d.]+ above the agency", words)
    for metric in metrics.values():
        if metric.proto.delta not in ("no change", "the same"):
            assert metric.proto.delta[0] in "+-" or metric.proto.delta.split()[0] in (
                "up", "down", "team"), metric.proto.delta


def unescaped(markdown: list[str]) -> list[str]:
    """Text as a person reads it (plain() escapes markdown with backslashes)."""
    return [re.sub(r"\\(.)", r"\1", text) for text in markdown]


def user_id(db, username: str) -> int:
    return db.execute("SELECT id FROM users WHERE username = ?", [username]).fetchone()[0]


def test_plan_done_and_follow_up_through_the_page(db, agency):
    at = open_page("chloe.haddad", TEAM_PAGE)
    at.selectbox(key="plan_owner_caseload_review").select("Team manager")
    at = at.button(key="plan_submit_caseload_review").click().run()
    assert not at.exception
    assert unescaped(texts(at.success)) == ["Planned: Review the team's caseloads together"]
    family = accounts.team_id(db, "Family Support")
    [plan] = team_actions.team_plans(db, family, viewer_id=user_id(db, "chloe.haddad"))
    assert (plan["owner_role"], plan["status"]) == ("Team manager", "planned")
    assert any(f"Planned, by {day_text(plan['due'])}" in c for c in texts(at.caption))

    five_weeks_ago = list(team_actions.done_weeks(settings.agency_today(db)))[5]
    at.selectbox(key=f"done_week_{plan['id']}").select(five_weeks_ago)
    at = at.button(key=f"done_submit_{plan['id']}").click().run()
    assert not at.exception
    assert unescaped(texts(at.success)) == ["Marked done: Review the team's caseloads together"]
    markdown = unescaped(texts(at.markdown))
    assert "**Follow-up: what happened**" in markdown
    [lines] = [m for m in markdown if m.startswith("- Caseload vs standard: ")]
    assert len(lines.splitlines()) == 3  # caseload, high strain, exhaustion
    assert any("not proof" in c for c in texts(at.caption))
    assert_readable(at)


def test_weekly_view(db, agency):
    at = open_page("chloe.haddad", TEAM_PAGE)
    at.button_group(key="team_period").set_value("Week").run()
    assert not at.exception
    assert_nothing_personal(at, agency)


@pytest.mark.parametrize("period", ["4 weeks", "Quarter"])
def test_longer_views_read_well_too(db, agency, period):
    at = open_page("chloe.haddad", TEAM_PAGE)
    at.button_group(key="team_period").set_value(period).run()
    assert not at.exception
    assert "Weeks shown" in at.dataframe[0].value.columns
    assert_readable(at)


def test_a_team_too_small_to_be_shown_says_so_without_a_date(db, agency):
    at = open_page("nadia.berg", TEAM_PAGE)
    at.selectbox(key="team_choice").select("Housing Outreach").run()
    assert not at.exception
    [info] = texts(at.info)
    assert info.startswith("Housing Outreach cannot be shown on its own: it has fewer than 6 "
                           "members who count")
    assert "could reveal who took part" in info
    every_word = " ".join(visible_text(at))
    assert not re.search(r"\b(Mon|Tue|Wed|Thu|Fri|Sat|Sun) \d", every_word)  # no date promised
    assert "shown from" not in every_word and not at.warning and not at.metric
    table = at.dataframe[0].value
    assert (table[["Exhaustion", "Empathy", "Intrusion"]] == "").all().all()
    assert (table["Hidden because"] != "").all()
    assert len(at.get("vega_lite_chart")) == 0
    assert_readable(at)


def test_no_shown_cell_is_below_k(db):
    settings.set_k(db, 9)  # before the demo's weeks are released: k applies to new releases
    demo.build_demo(db)
    at = open_page("chloe.haddad", TEAM_PAGE)
    table = at.dataframe[0].value
    shown = table[table["Exhaustion"] != ""]
    assert not shown.empty  # Family Support has 10 members besides its lead
    for band in shown["Respondents"]:
        assert int(str(band).split("-")[0].split()[0]) >= 9


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


def test_with_many_teams_the_organisation_chart_shows_their_spread_not_a_line_each(db_path):
    """Hundreds of lines (20,000 staff are 667 teams) can neither be read nor drawn in time."""
    from fatigue import bench

    bench.build(str(db_path), 30 * 14, 35, seed=3)  # 14 teams of 30
    at = open_page("admin", ORG_PAGE)
    assert not at.exception
    table = at.dataframe[0].value
    teams = table[table["Group"].str.startswith("Team ") & (table["Exhaustion"] != "")].copy()
    teams["Exhaustion"] = teams["Exhaustion"].str.split().str[0].astype(float)
    assert len(teams) == 14
    at.session_state["org_trend_chart"] = True  # the chart is drawn once opened
    at.run()
    [chart] = at.get("vega_lite_chart")  # the heatmap is a table
    assert b"Team 0" not in chart.proto.SerializeToString()  # no team has a line of its own
    spec = json.loads(chart.proto.spec)
    assert [layer["mark"]["type"] for layer in spec["layer"]] == ["area", "line"]
    sentence = next(t for t in texts(at.caption) if "teams shown ranged from" in t)
    low, high = teams.loc[teams["Exhaustion"].idxmin()], teams.loc[teams["Exhaustion"].idxmax()]
    assert (f"over the 14 teams shown ranged from {low['Exhaustion']:g} ({low['Group']}) to "
            f"{high['Exhaustion']:g} ({high['Group']})") in sentence
