"""The organisation page (AppTest): teams x figures, the pool, the agency, plans."""
import datetime as dt
import re
from html.parser import HTMLParser

import pandas as pd

from fatigue import accounts, audit, demo, team_actions
from fatigue.teamfigures.suggestions import CATALOGUE

from conftest import RUN_DAY, texts
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
    cells, styles, caption = heatmap(at)  # a table coloured as a heatmap: no chart until opened
    assert at.get("vega_lite_chart") == [] and at.table == []
    assert caption.startswith("Heatmap of ")
    assert "Housing Outreach" in caption  # hidden cells named in words
    assert list(cells.index[-2:]) == ["Smaller teams combined", "Agency total"]
    assert set(cells.loc["Housing Outreach"]) == {"hidden"}  # in words, not colour only
    assert cells.loc["Family Support", "Exhaustion"] == figure_in_table(table, "Exhaustion")
    assert styles.loc["Family Support", "Exhaustion"].startswith("background-color: #")
    assert "dashed" in styles.loc["Housing Outreach", "Exhaustion"]  # hidden: outlined
    assert any("**Too few members** (" in m for m in texts(at.markdown))  # the reason in full
    assert_nothing_personal(at, agency)
    assert_readable(at)


def test_a_later_visit_reuses_the_organisation_built_and_a_release_renews_it(
        db, agency, run_day, org_builds):
    """A new session (another tab, the next visit) gets the rows built for the admin's
    first one without building them again; the next release is shown at once."""
    admin = db.execute("SELECT id FROM users WHERE username = 'admin'").fetchone()[0]
    first = open_page("admin", ORG_PAGE)
    [latest] = [h for h in texts(first.header) if h.startswith("Latest released period")]
    again = open_page("admin", ORG_PAGE)
    assert not again.exception and org_builds == [admin]
    assert latest in texts(again.header)
    assert again.dataframe[0].value.equals(first.dataframe[0].value)
    run_day.set(RUN_DAY + dt.timedelta(days=7), hour=12)  # a week later: one more released
    later = open_page("admin", ORG_PAGE)
    assert org_builds == [admin, admin]
    [renewed] = [h for h in texts(later.header) if h.startswith("Latest released period")]
    assert renewed != latest
    viewed = [e for e in audit.entries(db) if e["action"] == "view_org_report"]
    assert len(viewed) == 3  # every visit is still audited


def test_the_trend_is_in_words_and_its_chart_drawn_when_opened(db, agency):
    """In a new tab each chart costs the browser a few hundred ms: the trend's chart waits
    until asked for, and its words (and the chart's text alternative) say what it shows."""
    at = open_page("admin", ORG_PAGE)
    [chart_box] = [e for e in at.expander if e.label.startswith("Chart:")]
    assert not chart_box.children  # nothing drawn or sent until opened
    latest = [c for c in texts(at.caption) if c.startswith("In the latest period shown")]
    assert len(latest) == 1 and "Family Support" in latest[0]
    at.session_state["org_trend_chart"] = True
    at.run()
    assert not at.exception
    [trend] = at.get("vega_lite_chart")
    assert trend.proto.alt.startswith("Mean exhaustion by group, ")
    assert "Family Support" in trend.proto.alt
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


def test_with_many_teams_the_heatmap_shows_the_hardest_pressed_and_the_table_every_team(db):
    """22 teams: the heatmap keeps 20 columns of teams (where the chosen figure is hardest),
    the smaller teams and the agency; the table has every team; a line per team gives way
    to the agency, the median team and the middle half."""
    many = demo.generate(seed=5, days=28, teams=demo.agency_teams(22 * 7, 7))
    demo.bulk_load(db, many)
    at = open_page(demo.ADMIN_USERNAME, ORG_PAGE)
    assert not at.exception
    table = at.dataframe[0].value
    teams = [g for g in table["Group"] if g.startswith("Team ")]
    assert len(teams) == 22
    chart_groups = set(heatmap(at)[0].index)
    assert len(chart_groups) == 22 and "Agency total" in chart_groups
    shown = table[(table["Group"].str.startswith("Team ")) & (table["Exhaustion"] != "")]
    hardest = shown.assign(value=shown["Exhaustion"].astype(float)).sort_values(
        ["value", "Group"], ascending=[False, True]).head(20)
    assert set(hardest["Group"]) <= chart_groups
    assert "The 20 of 22 teams where exhaustion is hardest" in " ".join(texts(at.caption))
    at.selectbox(key="org_heat_by").set_value("Supervision").run()
    assert not at.exception
    assert "The 20 of 22 teams where supervision is hardest" in " ".join(texts(at.caption))
    assert_nothing_personal(at, many)
    assert_readable(at)


def figure_in_table(table, column: str) -> str:
    """Family Support's figure in the words table (the heatmap shows the same words)."""
    return table.loc[table["Group"] == "Family Support", column].item()


class _Table(HTMLParser):
    """An HTML table's caption, and each row's header and cells (words and style)."""

    def __init__(self) -> None:
        super().__init__()
        self.caption, self.rows, self.cell, self.tag = "", [], None, None

    def handle_starttag(self, tag, attrs):
        if tag == "tr":
            self.rows.append([])
        elif tag in ("th", "td"):
            self.cell = ["", dict(attrs).get("style", "")]
        self.tag = tag

    def handle_endtag(self, tag):
        if tag in ("th", "td"):
            self.rows[-1].append(tuple(self.cell))
            self.cell = None
        self.tag = None

    def handle_data(self, data):
        if self.cell is not None:
            self.cell[0] += data
        elif self.tag == "caption":
            self.caption += data


def heatmap(at) -> tuple[pd.DataFrame, pd.DataFrame, str]:
    """The page's heatmap as the browser gets it: its cells' words and styles (a row per
    group, a column per figure), and its caption."""
    [body] = [h.value for h in at.html if '<table class="heatmap">' in h.value]
    parsed = _Table()
    parsed.feed(body)
    header, *rows = parsed.rows
    columns, index = [name for name, _ in header[1:]], [row[0][0] for row in rows]
    words, styles = ([[cell[part] for cell in row[1:]] for row in rows] for part in (0, 1))
    return (pd.DataFrame(words, index=index, columns=columns),
            pd.DataFrame(styles, index=index, columns=columns), parsed.caption)
