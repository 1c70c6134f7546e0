"""Differential privacy through OpenDP: drawn once at release, stored, accounted for."""
from __future__ import annotations

import datetime as dt
import math
import sqlite3

import numpy as np
import pytest

from fatigue import accounts, settings
from fatigue.teamfigures import display, measures, noise, rules

from teamlife import W09, W10, Agency, row

CELL_VALUES = measures.NOISY_VALUES  # 16 person-level values and the respondent count


def test_opendp_is_the_maintained_release():
    assert noise.opendp_version().startswith("0.16.")


def test_mean_noise_scale_matches_the_sensitivity_of_a_bounded_mean():
    # 0-10 ratings, at least 8 people, epsilon 1: scale 10 / 8 = 1.25, 95% within about 3.7.
    release = noise.noisy_mean(5.0, n_low=8, lower=0.0, upper=10.0, epsilon=1.0)
    assert release.scale == pytest.approx(1.25)
    assert release.half_width == pytest.approx(3.74, abs=0.01)
    assert release.epsilon == pytest.approx(1.0)
    assert 0.0 <= release.value <= 10.0
    assert noise.noisy_mean(5.0, n_low=20, lower=0, upper=10, epsilon=1.0).half_width == \
        pytest.approx(1.5, abs=0.01)


def test_noise_has_the_stated_spread():
    draws = np.array([noise.noisy_mean(5.0, n_low=8, lower=0.0, upper=10.0, epsilon=1.0).value
                      for _ in range(800)])
    inside = np.mean(np.abs(draws - 5.0) <= 3.74)
    assert 0.91 <= inside <= 0.99
    assert abs(np.median(draws) - 5.0) < 0.3


def test_count_noise_is_a_whole_number_and_never_negative():
    values = [noise.noisy_count(0, epsilon=1.0).value for _ in range(50)]
    assert all(v >= 0 and float(v).is_integer() for v in values)
    assert noise.noisy_count(10, epsilon=0.5).scale == pytest.approx(2.0)


def test_half_width_formula():
    assert noise.half_width_95(1.0) == pytest.approx(math.log(20))


@pytest.fixture
def agency(db, clock):
    return Agency(db, clock)


def dp_team(agency: Agency, size: int = 9, answered: int = 9) -> int:
    settings.set_dp_enabled(agency.db, True)
    members = agency.team("Nine", size)
    lead = agency.lead("Nine")
    agency.form(members[:answered], [W10])
    return lead


def test_noise_is_drawn_once_at_release_and_every_view_reads_it(agency):
    lead = dp_team(agency)
    first = agency.report("Nine", lead)
    spent = noise.epsilon_spent(agency.db)
    entries = len(noise.ledger(agency.db, limit=10_000))
    assert entries == CELL_VALUES and spent == pytest.approx(CELL_VALUES * 1.0)
    for _ in range(25):
        assert agency.report("Nine", lead).equals(first)
    assert noise.epsilon_spent(agency.db) == spent
    assert len(noise.ledger(agency.db, limit=10_000)) == entries
    r = row(first, W10)
    assert r["shown"] and r["dp"]
    assert r["exhaustion_pm95"] > 0 and r["high_strain_share_pct_pm95"] > 0
    assert noise.epsilon_by_cell(agency.db)[0]["values_released"] == CELL_VALUES


def test_the_ledger_is_append_only(agency):
    dp_team(agency)
    agency.report("Nine", agency.lead("Nine", "second.lead"))
    with pytest.raises(sqlite3.IntegrityError):
        agency.db.execute("DELETE FROM dp_ledger")
    with pytest.raises(sqlite3.IntegrityError):
        agency.db.execute("UPDATE dp_ledger SET epsilon = 0.0001")


def test_uncertainty_depends_on_the_band_not_the_exact_count(tmp_path, clock):
    from fatigue.db import connect

    widths = []
    for answered in (5, 9):
        database = connect(tmp_path / f"dp{answered}.db")
        agency = Agency(database, clock)
        r = row(agency.report("Nine", dp_team(agency, size=10, answered=answered)), W10)
        widths.append([r[c] for c in display.PM_COLUMNS])
        assert r["respondents_band"] == "5-9"
        database.close()
    assert widths[0] == widths[1]
    assert widths[0][0] == pytest.approx(6.0)  # 10 / 5 x ln 20, rounded up to 0.1


def test_an_admin_sees_the_same_noisy_value_as_the_lead(agency):
    lead = dp_team(agency)
    team = row(agency.report("Nine", lead), W10)
    mine = row(agency.org(agency.admin()), W10, "Nine")
    for column in ("exhaustion", "caseload_mean", "high_strain_share_text"):
        assert mine[column] == team[column]


def test_the_agency_total_is_made_from_noisy_groups_and_costs_nothing_more(agency):
    lead = dp_team(agency)
    agency.form(agency.team("Ten", 10), [W10])
    agency.report("Nine", lead)
    org = agency.org(agency.admin())
    groups = {entry["cell_key"] for entry in noise.ledger(agency.db, limit=10_000)}
    teams = {f"team:{accounts.team_id(agency.db, name)}" for name in ("Nine", "Ten")}
    assert groups == teams  # one draw per team; none for the agency
    total = row(org, W10, "Agency total")
    assert total["dp"] and total["exhaustion_pm95"] > 0


def test_weeks_released_before_noise_was_on_stay_exact(agency):
    members = agency.team("Nine", 9)
    lead = agency.lead("Nine")
    agency.form(members, [W09, W10])
    before = agency.report("Nine", lead)
    settings.set_dp_enabled(agency.db, True)
    after = agency.report("Nine", lead)
    assert after.equals(before) and not row(after, W10)["dp"]
    assert noise.epsilon_spent(agency.db) == 0.0


def test_hidden_groups_spend_no_epsilon(agency):
    lead = dp_team(agency, size=9, answered=4)
    assert not row(agency.report("Nine", lead), W10)["shown"]
    assert noise.epsilon_spent(agency.db) == 0.0


def test_nothing_is_released_past_the_weekly_cap(agency):
    settings.set_dp_epsilon(agency.db, 2.0)  # 17 values x 2 = 34 > the default cap of 20
    r = row(agency.report("Nine", dp_team(agency)), W10)
    assert r["hidden_code"] == rules.OVER_BUDGET and "weekly privacy cap" in r["hidden_reason"]
    assert noise.epsilon_spent(agency.db) == 0.0
    settings.set_dp_weekly_cap(agency.db, 40)  # from now on: the released week stays hidden
    assert row(agency.report("Nine", agency.lead("Nine", "other.lead")), W10)["hidden_code"] \
        == rules.OVER_BUDGET
