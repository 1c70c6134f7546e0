"""How spread out many teams are: quartiles of the teams shown, and the agency total."""
import pandas as pd

from fatigue.teamfigures.spread import spread_of_teams


def test_the_spread_is_the_quartiles_of_the_teams_shown_and_the_agency_total():
    shown = pd.DataFrame({
        "period_start": ["2026-11-02"] * 6 + ["2026-11-09"] * 2,
        "label": ["w1"] * 6 + ["w2"] * 2,
        "group": ["team", "team", "team", "team", "smaller_teams", "agency", "team", "agency"],
        "exhaustion": [2.0, 4.0, 6.0, 8.0, 9.0, 5.5, 3.0, 3.5],
    })
    assert spread_of_teams(shown).to_dict("records") == [
        {"period_start": "2026-11-02", "label": "w1", "agency": 5.5, "q25": 3.5, "median": 5.0,
         "q75": 6.5},  # the pooled smaller teams are not a team
        {"period_start": "2026-11-09", "label": "w2", "agency": 3.5, "q25": 3.0, "median": 3.0,
         "q75": 3.0},
    ]
