"""Organisation overview (admins only): teams x figures, the smaller teams combined,
the agency total, and every team's action plans."""
from __future__ import annotations

from itertools import groupby

import altair as alt
import streamlit as st

from fatigue import settings, team_actions
from fatigue.dates import CHART_TICK
from fatigue.pages._reports import (
    CHART_HEIGHT,
    PADDING,
    TABLE,
    WHY_NOT_LEADS,
    axis,
    cached_report,
    freshness,
    legend,
    period_choice,
    reasons_list,
    words_table,
)
from fatigue.pages._session import get_db, plain, require_admin
from fatigue.teamfigures import display, reports, rules
from fatigue.teamfigures.charts import (
    HEATMAP,
    hardest_teams,
    heatmap_frame,
    heatmap_html,
    heatmap_text,
    trend_text,
)
from fatigue.teamfigures.spread import spread_of_teams

MAX_LINES = 12  # more teams than this: the chart shows how spread out they are instead
# The heatmap table's look. Its caption is for screen readers. On a phone the figures' names
# stand on end, so the eight columns fit: a table scrolled sideways cannot be scrolled with a
# keyboard (axe: scrollable-region-focusable).
HEATMAP_STYLE = """<style>
.st-key-org_heatmap table { border-collapse: collapse; width: 100%; font-size: 0.875rem;
  font-variant-numeric: tabular-nums; }
.st-key-org_heatmap th, .st-key-org_heatmap td { padding: 0.4rem 0.5rem; text-align: right;
  border: 1px solid rgba(25, 24, 23, 0.15); }
.st-key-org_heatmap th { font-weight: 600; }
.st-key-org_heatmap tbody th, .st-key-org_heatmap thead th:first-child { text-align: left; }
.st-key-org_heatmap caption { position: absolute; width: 1px; height: 1px; overflow: hidden;
  clip-path: inset(50%); white-space: nowrap; }
@media (max-width: 640px) {
  .st-key-org_heatmap table { font-size: 0.75rem; }
  .st-key-org_heatmap th, .st-key-org_heatmap td { padding: 0.3rem 0.15rem; }
  .st-key-org_heatmap thead th { writing-mode: vertical-rl; transform: rotate(180deg);
    white-space: nowrap; vertical-align: bottom; }
}
</style>"""
MAX_ROWS = 20  # more teams than this: the heatmap shows the hardest-pressed of them

admin = require_admin()
db = get_db()

st.title("Organisation")
st.caption(
    f"Anonymized figures per team and for the agency. A team is shown for a week when at "
    f"least {settings.get_k(db)} of its people checked in; smaller teams are combined when "
    "together they are large enough, and otherwise left out of the total, so no hidden team "
    "can be worked out by subtraction. Each week is released once and never changes."
)
st.caption(f"Why admins' and leads' own answers are not in these figures: {WHY_NOT_LEADS}")
freshness(reports.release_status(db, viewer_id=admin.id))
period = period_choice("org_period")
report = cached_report(("org", period), lambda: reports.org_report(db, period, viewer_id=admin.id))

released = report[report["hidden_code"] != rules.NOT_FINAL]
if released.empty:
    st.info("No week has been released yet: a week is released once it has ended and "
            "late check-ins can no longer change it.")
    st.stop()
latest_start = released["period_start"].max()
latest = report[report["period_start"] == latest_start]
label = latest["label"].iloc[0]
st.header(f"Latest released period: {label}")

if latest["group"].eq("team").sum() > MAX_ROWS:
    # A heatmap of hundreds of teams is unreadable (and 667 of them took seconds to draw): the
    # agency, the smaller teams and the teams where it is hardest by one figure.
    names = {short: column for column, (short, _) in HEATMAP.items()}
    first = st.selectbox("Teams in the heatmap: where it is hardest by", list(names),
                         key="org_heat_by",
                         help="The table below has every team, and can be sorted by any column.")
    chart_rows = hardest_teams(latest, names[first], MAX_ROWS)
    st.caption(f"The {MAX_ROWS} of {latest['group'].eq('team').sum()} teams where "
               f"{first.lower()} is hardest in this period, then the smaller teams combined and "
               "the agency total. Teams not shown this period are in the table.")
else:
    chart_rows = latest
cells = heatmap_frame(chart_rows)
# A table coloured as a heatmap, not a chart: screen readers read it cell by cell. Plain HTML,
# not st.table or a Vega chart, whose scripts a new tab loads first (0.4 s or more at 20,000 staff).
with st.container(key="org_heatmap"):
    st.html(HEATMAP_STYLE + heatmap_html(cells, heatmap_text(cells, label)))
st.caption("Darker where it is harder for people, within each figure's range (ratings 0-10, "
           "shares 0-100%, caseload 50-150% of the standard). Why a cell is hidden: the "
           "table below says.")

columns = {"team": "Group", "hidden_reason": "Hidden because",
           **{c: n for c, n in TABLE.items() if c not in ("label", "hidden_reason")}}
words_table(display.table_text(latest, columns))
scopes = latest.dropna(subset=["scope_text"])
if not scopes.empty:
    st.markdown("\n".join(f"- **{plain(row.team)}:** {plain(row.scope_text)}"
                          for row in scopes.itertuples()))
reasons_list(latest)

st.header("Mean exhaustion over time (0-10)")
# The trend in words first; its chart is drawn only when opened: in a new tab each Vega
# chart costs the browser a few hundred ms, and this page had to draw two.
shown = report[report["shown"]][["period_start", "label", "group", "team", "exhaustion"]]
teams = shown[shown["group"] == "team"]
if shown.empty:
    st.caption("No group can be shown yet.")
elif teams["team"].nunique() > MAX_LINES:
    # A line per team would be unreadable, and slow to draw for hundreds of teams: the agency
    # and how spread out the teams are; the table above has every team.
    spread = spread_of_teams(shown)
    latest_teams = teams[teams["period_start"] == teams["period_start"].max()]
    low = latest_teams.nsmallest(1, "exhaustion").iloc[0]
    high = latest_teams.nlargest(1, "exhaustion").iloc[0]
    st.caption(
        f"In the latest period shown ({latest_teams['label'].iloc[0]}), mean exhaustion over "
        f"the {len(latest_teams)} teams shown ranged from {low.exhaustion:g} ({plain(low.team)}) "
        f"to {high.exhaustion:g} ({plain(high.team)}); the table above has every team."
    )
    middle = spread.melt(id_vars=["period_start", "label"], value_vars=["agency", "median"],
                         var_name="measure", value_name="value")
    middle["measure"] = middle["measure"].map({"agency": "Agency total", "median": "Median team"})
    chart_box = st.expander("Chart: the agency, the median team and the middle half of the teams",
                            key="org_trend_chart", on_change="rerun")
    if chart_box.open:
        period = alt.Tooltip("label:N", title="Period")
        x = alt.X("period_start:T", title=None, axis=axis(format=CHART_TICK, labelOverlap=True))
        band = alt.Chart(spread).mark_area(opacity=0.25, color="#7a7a7a").encode(
            x, alt.Y("q25:Q", title=None, scale=alt.Scale(domain=[0, 10]), axis=axis()),
            alt.Y2("q75:Q"),
            tooltip=[period, alt.Tooltip("q25:Q", title="1 in 4 teams at or below"),
                     alt.Tooltip("q75:Q", title="3 in 4 teams at or below")])
        lines = alt.Chart(middle).mark_line(point=True).encode(
            x, alt.Y("value:Q"),
            alt.Color("measure:N", legend=legend(middle["measure"]),
                      scale=alt.Scale(range=["#191817", "#7a7a7a"])),
            alt.StrokeDash("measure:N", legend=None),
            tooltip=[period, alt.Tooltip("measure:N", title="Group"),
                     alt.Tooltip("value:Q", title="Exhaustion")])
        with chart_box:
            st.altair_chart(alt.layer(band, lines).properties(height=CHART_HEIGHT, padding=PADDING),
                            width="stretch",
                            alt=trend_text(middle, "Mean exhaustion, agency and median team"))
            st.caption("The shaded band holds the middle half of the teams shown: a quarter of "
                       "them lie below it and a quarter above.")
else:
    top = shown[shown["period_start"] == shown["period_start"].max()].sort_values("exhaustion")
    st.caption(f"In the latest period shown ({top['label'].iloc[0]}), mean exhaustion was: "
               + "; ".join(f"{plain(row.team)} {row.exhaustion:g}" for row in top.itertuples())
               + ".")
    chart_box = st.expander("Chart: a line per group", key="org_trend_chart", on_change="rerun")
    if chart_box.open:
        tidy = shown.rename(columns={"team": "measure", "exhaustion": "value"})
        with chart_box:
            st.altair_chart(
                alt.Chart(shown).mark_line(point=True).encode(
                    alt.X("period_start:T", title=None,
                          axis=axis(format=CHART_TICK, labelOverlap=True)),
                    alt.Y("exhaustion:Q", title=None, scale=alt.Scale(domain=[0, 10]), axis=axis()),
                    alt.Color("team:N", legend=legend(shown["team"])),
                    alt.Shape("team:N", legend=None),
                    tooltip=[alt.Tooltip("label:N", title="Period"),
                             alt.Tooltip("team:N", title="Group"),
                             alt.Tooltip("exhaustion:Q", title="Exhaustion")],
                ).properties(height=CHART_HEIGHT, padding=PADDING),
                width="stretch", alt=trend_text(tidy, "Mean exhaustion by group"),
            )

st.header("Team action plans")
plans = team_actions.all_plans(db, viewer_id=admin.id)
today = settings.agency_today(db)
if not plans:
    st.write("No team has planned a step yet. Leads plan them on My team.")
else:
    for team, group in groupby(plans, key=lambda p: p["team"]):
        st.markdown(f"**{plain(team)}**")
        st.markdown("\n".join(
            f"- {plain(p['what'])} (owner: {plain(p['owner_role'])}; "
            f"{team_actions.status_text(p, today)})" for p in group))
    st.caption("Each team's follow-ups are on My team (choose the team).")
st.caption("Plans are team-level only: a step, an owner as a role and a date, never a person.")
