"""What changed, from released rows only (fatigue/teamfigures/changes.py)."""
import datetime as dt
import math

import pandas as pd
import pytest

from fatigue.teamfigures import changes
from fatigue.teamfigures.changes import Change, Step

WEEKS = [dt.date(2026, 11, 2), dt.date(2026, 11, 9), dt.date(2026, 11, 16)]
LABELS = ["2 Nov - 8 Nov 2026", "9 Nov - 15 Nov 2026", "16 Nov - 22 Nov 2026"]
NAN = math.nan


def rows(shown, exhaustion, empathy, strain, caseload, dp=False, pm=NAN) -> pd.DataFrame:
    """A report with the headline columns, one row per week of WEEKS."""
    words = {20: "at most 20%", 30: "about 30%", 40: "about 40%", 80: "at least 80%"}
    return pd.DataFrame({
        "period_start": pd.to_datetime(WEEKS), "label": LABELS, "shown": shown,
        "dp": dp, "exhaustion": exhaustion, "exhaustion_pm95": pm, "empathy": empathy,
        "high_strain_share_pct": strain,
        "high_strain_share_text": [words.get(v) if not math.isnan(v) else None for v in strain],
        "caseload_vs_standard_pct": caseload,
    })


def test_each_headline_figure_against_the_previous_week_and_the_agency():
    team = rows([True, True, True], [5.0, 6.0, 6.5], [6.0, 6.0, 5.5], [20.0, 30.0, 40.0],
                [110.0, 120.0, 120.0])
    agency = rows([True, True, True], [5.0, 5.0, 5.0], [6.5, 6.5, 6.0], [20.0, 20.0, 40.0],
                  [100.0, 100.0, 100.0])
    found = changes.headline_changes(team, agency)
    assert found == [
        Change("exhaustion", "Mean exhaustion (0-10)", "6.5", LABELS[2], LABELS[1],
               Step("6", "+0.5", "up", "worse", f"up 0.5 from 6 in {LABELS[1]}"),
               Step("5", "+1.5", "up", "worse", "1.5 above the agency (5)"),
               f"Mean exhaustion was 6.5 in {LABELS[2]}; up 0.5 from 6 in {LABELS[1]} "
               "(worse for people); 1.5 above the agency (5)."),
        Change("empathy", "Mean empathy (0-10)", "5.5", LABELS[2], LABELS[1],
               Step("6", "-0.5", "down", "worse", f"down 0.5 from 6 in {LABELS[1]}"),
               Step("6", "-0.5", "down", "worse", "0.5 below the agency (6)"),
               f"Mean empathy was 5.5 in {LABELS[2]}; down 0.5 from 6 in {LABELS[1]} "
               "(worse for people); 0.5 below the agency (6)."),
        Change("high_strain_share_pct", "In high strain", "about 40%", LABELS[2], LABELS[1],
               Step("about 30%", "up from about 30%", "up", "worse",
                    f"up from about 30% in {LABELS[1]}"),
               Step("about 40%", "the same", "off", "same", "the same as the agency (about 40%)"),
               f"The share in high strain was about 40% in {LABELS[2]}; up from about 30% in "
               f"{LABELS[1]} (worse for people); the same as the agency (about 40%)."),
        Change("caseload_vs_standard_pct", "Caseload vs standard", "120%", LABELS[2], LABELS[1],
               Step("120%", "no change", "off", "same", f"the same as in {LABELS[1]}"),
               Step("100%", "+20 points", "up", "worse", "20 points above the agency (100%)"),
               f"The mean caseload against the standard was 120% in {LABELS[2]}; the same as "
               f"in {LABELS[1]}; 20 points above the agency (100%)."),
    ]


def test_a_fall_in_exhaustion_is_better_and_a_rise_in_empathy_too():
    team = rows([True, True, True], [7.0, 7.0, 6.0], [4.0, 4.0, 5.0], [40.0, 40.0, 20.0],
                [130.0, 130.0, 110.0])
    tones = {c.column: c.previous.tone for c in changes.headline_changes(team)}
    assert tones == {"exhaustion": "better", "empathy": "better",
                     "high_strain_share_pct": "better", "caseload_vs_standard_pct": "better"}


def test_hidden_periods_are_skipped_and_named():
    """The previous period shown may be older than the one before: the words name it."""
    team = rows([True, False, True], [5.0, NAN, 6.0], [6.0, NAN, 6.0], [20.0, NAN, 20.0],
                [100.0, NAN, 100.0])
    [first, *_] = changes.headline_changes(team)
    assert first.previous_period == LABELS[0]
    assert first.previous.words == f"up 1 from 5 in {LABELS[0]}"


def test_no_agency_where_the_agency_is_not_shown_and_no_previous_for_the_first_period():
    team = rows([False, False, True], [NAN, NAN, 6.0], [NAN, NAN, 6.0], [NAN, NAN, 20.0],
                [NAN, NAN, 100.0])
    agency = rows([True, True, False], [5.0, 5.0, NAN], [6.0, 6.0, NAN], [20.0, 20.0, NAN],
                  [100.0, 100.0, NAN])
    first = changes.headline_changes(team, agency)[0]
    assert (first.previous, first.agency, first.previous_period) == (None, None, None)
    assert first.words == (f"Mean exhaustion was 6 in {LABELS[2]}; no earlier period is shown "
                           "to compare with.")


def test_nothing_shown_nothing_said():
    team = rows([False] * 3, [NAN] * 3, [NAN] * 3, [NAN] * 3, [NAN] * 3)
    assert changes.headline_changes(team) == []


def test_noise_is_shown_with_the_figure():
    team = rows([True] * 3, [5.0, 5.0, 6.0], [6.0] * 3, [20.0] * 3, [100.0] * 3, dp=True, pm=3.0)
    assert changes.headline_changes(team)[0].value == "6 ± 3.0"


def test_only_report_figures_can_be_compared():
    team = rows([True] * 3, [5.0] * 3, [6.0] * 3, [20.0] * 3, [100.0] * 3)
    with pytest.raises(ValueError):
        changes.headline_changes(team, columns=("hidden_reason",))


@pytest.mark.parametrize("column, difference, expected", [
    ("exhaustion", 1, "worse"), ("empathy", 1, "better"), ("supervision_share_pct", -10, "worse"),
    ("contacts_per_day", 1, "neutral"), ("intrusion", 0, "same"),
])
def test_tone(column, difference, expected):
    assert changes.tone(column, difference) == expected
