"""How spread out the teams are: for an organisation with more teams than one
chart can show a line each (20,000 staff are 667 teams of 30).

Computed from a report's shown rows only (:func:`fatigue.teamfigures.reports.org_report`),
so it reveals nothing the report's table does not already show.
"""
from __future__ import annotations

import pandas as pd


def spread_of_teams(shown: pd.DataFrame, measure: str = "exhaustion") -> pd.DataFrame:
    """Per period (``period_start``, ``label``): the agency total and the quartiles of the
    teams' released means (``agency``, ``q25``, ``median``, ``q75``), rounded to 0.1."""
    keys = ["period_start", "label"]
    teams = shown[shown["group"] == "team"].groupby(keys)[measure]
    agency = shown[shown["group"] == "agency"].set_index(keys)[measure]
    return pd.DataFrame({"agency": agency, "q25": teams.quantile(0.25), "median": teams.median(),
                         "q75": teams.quantile(0.75)}).round(1).reset_index()
