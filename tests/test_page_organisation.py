"""The organisation page (AppTest): teams x figures, the pool, the agency, plans."""
import datetime as dt
import re

from fatigue import accounts, team_actions
from fatigue.teamfigures.suggestions import CATALOGUE

from conftest import texts
from test_page_team import ORG_PAGE, agency, assert_nothing_personal, assert_readable, open_page

__all__ = ["agency"]  # the demo agency fixture


def test_admin_sees_teams_the_pool_and_the_agency_as_a_heatmap_and_a_table(db, agency):
    at = open_page("admin", ORG_PAGE)
    assert not at.exception
    table = at.dataframe[0].value
    groups = list(table["Group"])
    assert "Family Support" in groups and groups[-2:] == ["Smaller teams combined", "Agency total"]
    housing = table[table["Group"] == "Housing Outreach"].iloc[0]
    assert housing["Exhaustion"] == "" and housing["Hidden because"] == "Too few members"
    [heatmap, _] = at.get("vega_lite_chart")
    assert heatmap.proto.alt.startswith("Heatmap of ")
    assert "Housing Outreach" in heatmap.proto.alt  # blank cells named in words
    assert any("**Too few members** (" in m for m in texts(at.markdown))  # the reason in full
    assert_nothing_personal(at, agency)
    assert_readable(at)


def test_the_organisation_says_how_fresh_its_figures_are(db, agency):
    at = open_page("admin", ORG_PAGE)
    assert any(m.startswith("**Latest released week:**") and "**Next release:**" in m
               for m in texts(at.markdown))


def test_admins_see_every_teams_plans(db, agency):
    chloe = db.execute("SELECT id FROM users WHERE username = 'chloe.haddad'").fetchone()[0]
    steps = CATALOGUE["after_hours_policy"]["steps"]
    team_actions.plan_action(db, accounts.team_id(db, "Family Support"), "after_hours_policy",
                             steps[1], "Service manager", dt.date.today() + dt.timedelta(days=30),
                             viewer_id=chloe)
    at = open_page("admin", ORG_PAGE)
    assert "**Family Support**" in texts(at.markdown)
    [plan] = [m for m in texts(at.markdown) if "Service manager" in m]
    assert re.search(r"\(owner: Service manager; Planned, by \w{3} \d+ \w{3} \d{4}\)", plan)
    assert_readable(at)
