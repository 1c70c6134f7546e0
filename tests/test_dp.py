"""Differential privacy through OpenDP: stored once, never re-drawn, accounted for."""
from __future__ import annotations

import datetime as dt
import math
import sqlite3

import numpy as np
import pytest

from fatigue import accounts, aggregates, dp, settings

from test_aggregates import W10, admin, answer, lead_of, people, report, row, weekdays

START = dt.date(2026, 3, 2)


def test_opendp_is_the_maintained_release():
    assert dp.opendp_version().startswith("0.16.")


def test_mean_noise_scale_matches_the_sensitivity_of_a_bounded_mean():
    # 0-10 ratings, at least 8 people, epsilon 1: scale 10 / 8 = 1.25, 95% within about 3.7.
    release = dp.noisy_mean(5.0, n_low=8, lower=0.0, upper=10.0, epsilon=1.0)
    assert release.scale == pytest.approx(1.25)
    assert release.half_width == pytest.approx(3.74, abs=0.01)
    assert release.epsilon == pytest.approx(1.0)
    assert 0.0 <= release.value <= 10.0
    assert dp.noisy_mean(5.0, n_low=20, lower=0, upper=10, epsilon=1.0).half_width == pytest.approx(
        1.5, abs=0.01)


def test_noise_has_the_stated_spread():
    draws = np.array([dp.noisy_mean(5.0, n_low=8, lower=0.0, upper=10.0, epsilon=1.0).value
                      for _ in range(800)])
    inside = np.mean(np.abs(draws - 5.0) <= 3.74)
    assert 0.91 <= inside <= 0.99
    assert abs(np.median(draws) - 5.0) < 0.3


def test_count_noise_is_a_whole_number_and_never_negative():
    values = [dp.noisy_count(0, epsilon=1.0).value for _ in range(50)]
    assert all(v >= 0 and float(v).is_integer() for v in values)
    assert dp.noisy_count(10, epsilon=0.5).scale == pytest.approx(2.0)


def test_release_cell_draws_once_and_records_epsilon(db):
    requests = {"exhaustion": dp.Request("mean", 4.0, 5, 0.0, 10.0),
                "respondents": dp.Request("count", 6)}
    first = dp.release_cell(db, period="week", period_start=START, cell_key="team:1",
                            requests=requests, epsilon=0.5)
    assert dp.epsilon_spent(db) == pytest.approx(1.0)
    for _ in range(20):
        again = dp.release_cell(db, period="week", period_start=START, cell_key="team:1",
                                requests=requests, epsilon=2.0)
        assert again == first
    assert len(dp.ledger(db)) == 2
    assert dp.epsilon_spent(db, cell_key="team:1") == pytest.approx(1.0)
    assert dp.epsilon_spent(db, cell_key="team:2") == 0.0
    assert dp.epsilon_by_cell(db)[0]["values_released"] == 2


def test_ledger_is_append_only(db):
    dp.release_cell(db, period="week", period_start=START, cell_key="team:1",
                    requests={"x": dp.Request("count", 3)}, epsilon=1.0)
    with pytest.raises(sqlite3.IntegrityError):
        db.execute("DELETE FROM dp_ledger")
    with pytest.raises(sqlite3.IntegrityError):
        db.execute("UPDATE dp_ledger SET epsilon = 0.0001")


def dp_team(db, size=9, answered=9):
    accounts.create_team(db, "Nine")
    members = people(db, "Nine", size, "nine.")
    lead = lead_of(db, "Nine")
    answer(db, members[:answered], weekdays(W10))
    settings.set_dp_enabled(db, True)
    return lead


def test_reviewing_a_dp_cell_returns_the_stored_value_and_spends_nothing_more(db):
    lead = dp_team(db)
    first = report(db, "Nine", lead)
    spent = dp.epsilon_spent(db)
    entries = len(dp.ledger(db, limit=10_000))
    assert spent > 0 and entries == len(aggregates.VALUES) + 1
    for _ in range(25):
        again = report(db, "Nine", lead)
        assert again.equals(first)
    assert dp.epsilon_spent(db) == spent
    assert len(dp.ledger(db, limit=10_000)) == entries
    r = row(first, W10)
    assert r["shown"] and r["dp"]
    assert r["exhaustion_pm95"] > 0 and r["high_strain_share_pct_pm95"] > 0


def test_dp_uncertainty_depends_on_the_band_not_the_exact_count(db, tmp_path):
    from fatigue.db import connect

    widths = []
    for answered in (5, 9):
        database = connect(tmp_path / f"dp{answered}.db")
        lead = dp_team(database, size=10, answered=answered)
        r = row(report(database, "Nine", lead), W10)
        widths.append([r[c] for c in aggregates.PM_COLUMNS])
        assert r["respondents_band"] == "5-9"
        database.close()
    assert widths[0] == widths[1]
    assert widths[0][0] == pytest.approx(6.0)  # 10 / 5 x ln 20, rounded up to 0.1


def test_an_admin_sees_the_same_noisy_value_as_the_lead(db):
    lead = dp_team(db)
    team = row(report(db, "Nine", lead), W10)
    org = aggregates.org_report(db, "week", viewer_id=admin(db), today=dt.date(2026, 3, 16))
    mine = row(org, W10, "Nine")
    for column in ("exhaustion", "caseload_mean", "high_strain_share_text"):
        assert mine[column] == team[column]


def test_cells_released_before_dp_was_enabled_stay_as_they_were(db):
    accounts.create_team(db, "Nine")
    members = people(db, "Nine", 9, "nine.")
    lead = lead_of(db, "Nine")
    answer(db, members, weekdays(W10))
    before = report(db, "Nine", lead)
    settings.set_dp_enabled(db, True)
    after = report(db, "Nine", lead)
    assert after.equals(before) and not row(after, W10)["dp"]
    assert dp.epsilon_spent(db) == 0.0


def test_hidden_cells_spend_no_epsilon(db):
    lead = dp_team(db, size=9, answered=4)
    assert not row(report(db, "Nine", lead), W10)["shown"]
    assert dp.epsilon_spent(db) == 0.0


def test_half_width_formula():
    assert dp.half_width_95(1.0) == pytest.approx(math.log(20))
