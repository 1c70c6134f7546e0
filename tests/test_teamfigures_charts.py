"""Report rows shaped for charts, and charts in words (fatigue/teamfigures/charts.py)."""
import datetime as dt
import math

import pandas as pd
import pytest

from fatigue.errors import ValidationError
from fatigue.teamfigures import charts, rules

from teamlife import W09, W10, W11


def test_long_for_chart_takes_shown_rows_only(agency):
    members, lead = agency.team("Nine", 9), agency.lead("Nine")
    agency.form(members, [W09, W10, W11])
    frame = agency.report("Nine", lead)
    tidy = charts.long_for_chart(frame, ["exhaustion", "high_strain_share_pct"])
    assert set(tidy["period_start"].dt.date) == {W09, W10}
    assert list(tidy.columns) == ["period_start", "label", "measure", "value", "pm95"]
    with pytest.raises(ValidationError):
        charts.long_for_chart(frame, ["hidden_reason"])


def org_rows(**overrides) -> pd.DataFrame:
    """One period of an organisation report: a shown team, a hidden team, the agency."""
    base = {
        "team": ["North", "South", "Agency total"], "shown": [True, False, True],
        "hidden_code": [None, rules.TOO_FEW, None], "dp": [False] * 3,
        "exhaustion": [7.5, math.nan, 5.0], "empathy": [4.0, math.nan, 6.0],
        "intrusion": [3.0, math.nan, math.nan],
        "high_strain_share_pct": [40.0, math.nan, 20.0],
        "high_strain_share_text": ["about 40%", None, "at most 20%"],
        "caseload_vs_standard_pct": [150.0, math.nan, 100.0],
        "supervision_share_pct": [20.0, math.nan, 80.0],
        "supervision_share_text": ["at most 20%", None, "at least 80%"],
        "after_hours_share_pct": [80.0, math.nan, 30.0],
        "after_hours_share_text": ["at least 80%", None, "about 30%"],
    }
    base.update(overrides)
    return pd.DataFrame(base)


def test_heatmap_cells_blank_when_hidden_and_coloured_by_strain():
    cells = charts.heatmap_frame(org_rows())
    assert list(cells.columns) == charts.HEATMAP_COLUMNS
    north = cells[cells["group"] == "North"].drop(columns=["group"])
    assert north.to_dict("records") == [
        {"measure": "Exhaustion", "text": "7.5", "strain": 0.75},
        {"measure": "Empathy", "text": "4", "strain": 0.6},  # empathy: lower is harder
        {"measure": "Intrusion", "text": "3", "strain": 0.3},
        {"measure": "High strain", "text": "≈40%", "strain": 0.4},
        {"measure": "Caseload", "text": "150%", "strain": 1.0},
        {"measure": "Supervision", "text": "≤20%", "strain": 0.8},
        {"measure": "After hours", "text": "≥80%", "strain": 0.8},
    ]
    south = cells[cells["group"] == "South"]
    assert set(south["text"]) == {""} and south["strain"].isna().all()
    # A group that is shown but lacks one figure (fewer than k gave it).
    intrusion = cells[(cells["group"] == "Agency total") & (cells["measure"] == "Intrusion")]
    assert intrusion["text"].item() == "" and math.isnan(intrusion["strain"].item())
    assert list(dict.fromkeys(cells["group"])) == ["North", "South", "Agency total"]


def test_a_team_named_before_such_names_were_refused_is_not_taken_for_the_agency():
    rows = org_rows(team=["Agency total", "South", "Agency total"],
                    group=["team", "team", "agency"])
    words, _ = charts.heatmap_grid(charts.heatmap_frame(rows))
    assert list(words.index) == ["Agency total (a team)", "South", "Agency total"]


def test_heat_colours_run_from_light_to_amber():
    assert [charts.heat_colour(s) for s in (0.0, 0.5, 1.0)] == ["#ede6d8", "#cab089", "#a67a3a"]


def test_heatmap_as_a_table_of_words_and_colours():
    words, styles = charts.heatmap_grid(charts.heatmap_frame(org_rows()))
    assert words.to_dict("split") == {
        "index": ["North", "South", "Agency total"],
        "columns": ["Exhaustion", "Empathy", "Intrusion", "High strain", "Caseload",
                    "Supervision", "After hours"],
        "data": [["7.5", "4", "3", "≈40%", "150%", "≤20%", "≥80%"],
                 ["hidden"] * 7,
                 ["5", "6", "hidden", "≤20%", "100%", "≥80%", "≈30%"]],
    }
    assert styles.loc["North", "Exhaustion"] == (
        f"background-color: {charts.heat_colour(0.75)}; color: #191817")
    assert styles.loc["North", "Caseload"] == "background-color: #a67a3a; color: #191817"
    assert set(styles.loc["South"]) == {charts.HIDDEN_STYLE}
    assert styles.loc["Agency total", "Intrusion"] == charts.HIDDEN_STYLE


def test_heatmap_as_an_html_table_with_every_text_escaped():
    rows = org_rows(team=['North <script>alert("x")</script>', "South", "Agency total"])
    table = charts.heatmap_html(charts.heatmap_frame(rows), 'Heatmap of "a week" & more')
    north = f"background-color: {charts.heat_colour(0.75)}; color: #191817"
    assert table.startswith(
        '<table class="heatmap"><caption>Heatmap of &quot;a week&quot; &amp; more</caption>'
        '<thead><tr><th scope="col">Group</th><th scope="col">Exhaustion</th>'
        '<th scope="col">Empathy</th><th scope="col">Intrusion</th>'
        '<th scope="col">High strain</th><th scope="col">Caseload</th>'
        '<th scope="col">Supervision</th><th scope="col">After hours</th></tr></thead><tbody>'
        '<tr><th scope="row">North &lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;</th>'
        f'<td style="{north}">7.5</td>')
    assert "<script" not in table and table.count("<tr>") == 4
    assert table.count(f'<td style="{charts.HIDDEN_STYLE}">hidden</td>') == 8  # South's 7, one more
    assert table.endswith('<td style="background-color: #d8c6a9; color: #191817">≈30%</td>'
                          "</tr></tbody></table>")


def test_heatmap_in_words():
    cells = charts.heatmap_frame(org_rows())
    assert charts.heatmap_text(cells, "16 Nov - 22 Nov 2026") == (
        "Heatmap of 16 Nov - 22 Nov 2026: 3 groups (North, South, Agency total) by 7 figures; "
        "darker cells are harder for people. Groups with hidden cells: South, Agency total. "
        "The table below gives every figure and each reason.")


def test_trend_in_words():
    tidy = pd.DataFrame({
        "period_start": pd.to_datetime([dt.date(2026, 11, 2), dt.date(2026, 11, 9),
                                        dt.date(2026, 11, 16)] * 2),
        "label": ["2 Nov - 8 Nov 2026", "9 Nov - 15 Nov 2026", "16 Nov - 22 Nov 2026"] * 2,
        "measure": ["Exhaustion"] * 3 + ["Empathy"] * 3,
        "value": [5.0, 7.0, 6.5, 6.0, 6.0, 6.0], "pm95": [math.nan] * 6,
    })
    assert charts.trend_text(tidy, "Team mean ratings") == (
        "Team mean ratings, 3 periods: Exhaustion 6.5 in 16 Nov - 22 Nov 2026, from 5 in "
        "2 Nov - 8 Nov 2026; lowest 5, highest 7; Empathy 6 in 16 Nov - 22 Nov 2026, from 6 in "
        "2 Nov - 8 Nov 2026; lowest 6, highest 6.")
    assert charts.trend_text(tidy.iloc[0:0], "Contacts") == "Contacts: no period can be shown yet."
