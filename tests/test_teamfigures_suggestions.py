"""Team-level suggestions from a report's shown rows (fatigue/teamfigures/suggestions.py)."""
from __future__ import annotations

import datetime as dt
import math

import pandas as pd
import pytest

from fatigue.teamfigures.display import REPORT_COLUMNS
from fatigue.teamfigures.suggestions import team_suggestions


def fake_report(period="week", **columns) -> pd.DataFrame:
    """Three shown periods with calm defaults; ``columns`` overrides (lists of 3)."""
    starts = [dt.date(2026, 2, 9), dt.date(2026, 2, 16), dt.date(2026, 2, 23)]
    base = {
        "period": [period] * 3, "period_start": pd.to_datetime(starts),
        "label": ["2026-W07", "2026-W08", "2026-W09"], "shown": [True] * 3,
        "high_strain_share_pct": [20.0] * 3, "high_strain_share_text": ["at most 20%"] * 3,
        "caseload_vs_standard_pct": [90.0] * 3, "crisis_contacts_per_day": [0.3] * 3,
        "trauma_contacts_per_day": [0.5] * 3, "after_hours_share_pct": [20.0] * 3,
        "after_hours_share_text": ["at most 20%"] * 3, "after_hours_minutes_per_day": [5.0] * 3,
        "supervision_share_pct": [80.0] * 3, "supervision_share_text": ["at least 80%"] * 3,
    }
    base.update(columns)
    return pd.DataFrame(base)


@pytest.mark.parametrize("columns, expected", [
    ({}, set()),
    ({"high_strain_share_pct": [20.0, 40.0, 50.0],
      "high_strain_share_text": ["at most 20%", "about 40%", "about 50%"]}, {"caseload_review"}),
    ({"high_strain_share_pct": [50.0, 50.0, 20.0]}, set()),  # not high in the last two
    ({"caseload_vs_standard_pct": [100.0, 120.0, 130.0]}, {"caseload_review"}),
    ({"crisis_contacts_per_day": [0.3, 0.3, 0.8]}, {"team_debrief"}),
    ({"trauma_contacts_per_day": [0.5, 0.5, 0.6]}, set()),  # too small a rise
    ({"after_hours_share_pct": [20.0, 20.0, 50.0],
      "after_hours_share_text": ["", "", "about 50%"]}, {"after_hours_policy"}),
    ({"supervision_share_pct": [20.0, 20.0, 20.0]}, {"supervision_coverage"}),
])
def test_team_suggestions_rules(columns, expected):
    assert {s["id"] for s in team_suggestions(fake_report(**columns))} == expected


def test_suggestions_have_reason_steps_and_source_and_never_blame():
    report_ = fake_report(
        high_strain_share_pct=[50.0] * 3, high_strain_share_text=["about 50%"] * 3,
        crisis_contacts_per_day=[0.3, 0.3, 1.0], after_hours_share_pct=[60.0] * 3,
        after_hours_share_text=["about 60%"] * 3, supervision_share_pct=[20.0] * 3,
        supervision_share_text=["at most 20%"] * 3,
    )
    found = team_suggestions(report_)
    assert [s["id"] for s in found] == [
        "caseload_review", "team_debrief", "after_hours_policy", "supervision_coverage"]
    for s in found:
        assert set(s) == {"id", "title", "reason", "steps", "aims", "source"}
        assert s["aims"] and set(s["aims"]) <= set(REPORT_COLUMNS)
        assert s["steps"] and all(isinstance(step, str) for step in s["steps"])
        assert any(name in s["source"] for name in ("NCTSN", "NASW", "CWLA", "PLOS"))
        words = (s["title"] + s["reason"] + " ".join(s["steps"])).lower()
        for blame in ("fault", "failed", "weak", "should have", "blame"):
            assert blame not in words
    assert "about 50%" in found[0]["reason"] and "2026-W08 and 2026-W09" in found[0]["reason"]
    assert "rose to 1" in found[1]["reason"]


def test_suggestions_ignore_hidden_rows():
    hidden = fake_report(shown=[True, False, False],
                         high_strain_share_pct=[50.0, math.nan, math.nan])
    assert team_suggestions(hidden) == []
    assert team_suggestions(pd.DataFrame()) == []


def test_longer_views_use_the_weekly_supervision_target():
    """A 4-week row's supervision share is the average weekly share (30% a week is
    about everyone once a month)."""
    monthly = fake_report("4week", supervision_share_pct=[80.0, 80.0, 25.0],
                          supervision_share_text=["", "", "about 30%"])
    [found] = team_suggestions(monthly)
    assert found["id"] == "supervision_coverage" and "30% a week" in found["reason"]
    assert team_suggestions(fake_report("4week", supervision_share_pct=[30.0] * 3)) == []
