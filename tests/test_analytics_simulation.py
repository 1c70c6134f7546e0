"""The four targets of issue 13, checked on seeded simulated people.

Small, fast runs (a few seconds); FATIGUE_SIM_SCALE=10 runs ten times as many
people. The figures in docs/analytics.md come from the larger run of
``python -m fatigue.analytics.simulation``.
"""
from __future__ import annotations

import os

import numpy as np
import pytest

from fatigue.analytics import simulation as sim
from fatigue.analytics.frame import prepare

SCALE = int(os.environ.get("FATIGUE_SIM_SCALE", "1"))


# ------------------------------------------------------------------ the simulated people
def test_simulated_ratings_look_like_the_brief():
    history = sim.simulate_person(np.random.default_rng(0), 4000)
    ratings = history[list(sim.MEANS)].astype(float)
    assert ratings.min().min() >= 0 and ratings.max().max() <= 10
    assert (ratings == ratings.round()).all().all()
    sd = ratings.std()
    assert sd["exhaustion"] == pytest.approx(1.5, abs=0.1)
    lag1 = ratings.apply(lambda c: c.autocorr(1))
    assert lag1["exhaustion"] == pytest.approx(0.5, abs=0.05)
    corr = ratings.corr()
    # half of the variance is common strain, with the signs of real strain
    assert corr.loc["exhaustion", "intrusion"] == pytest.approx(0.5, abs=0.06)
    assert corr.loc["exhaustion", "empathy"] == pytest.approx(-0.5, abs=0.06)
    crisis = history["crisis_contacts"].astype(float)
    assert crisis.autocorr(1) == pytest.approx(0.6, abs=0.1)  # rounding softens the 0.7
    assert crisis.corr(history["exhaustion"].astype(float)) == pytest.approx(0, abs=0.06)
    assert (history["contacts"] >= history["crisis_contacts"]).all()
    assert set(history["day"].dt.day_of_week) == {0, 1, 2, 3, 4}  # weekday check-ins


def test_simulated_change_and_link():
    rng = np.random.default_rng(1)
    changed = sim.simulate_person(rng, 2000, change=sim.CHANGE, change_at=1000)
    for rating, points in sim.CHANGE.items():
        before, after = changed[rating][:1000].mean(), changed[rating][1000:].mean()
        assert after - before == pytest.approx(points, abs=0.3)
    linked = sim.simulate_person(np.random.default_rng(2), 4000, link=sim.LINK_POINTS)
    heavy = linked["crisis_contacts"] >= sim.LINK_CRISIS
    gap = linked["exhaustion"][heavy].mean() - linked["exhaustion"][~heavy].mean()
    assert gap == pytest.approx(sim.LINK_POINTS, abs=0.3)


# ------------------------------------------------------------------ the four targets
@pytest.mark.parametrize("phi", [0.0, sim.PHI])
def test_stable_person_card_is_rarely_raised(phi):
    found = sim.false_alarms(30 * SCALE, phi=phi, seed=101, weeks=20)
    assert found.days > 1500 * SCALE
    assert found.watch_day <= 0.05  # "Worth watching" or worse
    assert found.act_day <= 0.01  # "Time to look after yourself"


def test_a_real_change_is_flagged_within_5_check_ins():
    found = sim.detection(200 * SCALE, phi=sim.PHI, seed=102)
    assert found.flagged >= 0.80
    assert found.median_checkins <= 3


def test_no_real_link_is_rarely_shown_as_clear():
    found = sim.links(80 * SCALE, phi=sim.PHI, seed=103)
    assert found.comparisons > 15.5  # nearly everyone has all 16 comparisons shown
    assert found.any_clear <= 0.10


def test_a_real_link_is_shown_as_clear():
    found = sim.links(60 * SCALE, phi=sim.PHI, seed=104, link=sim.LINK_POINTS)
    assert found.target_clear >= 0.70


def test_the_measurements_use_the_real_pipeline():
    # the status the simulation judges is the one the pages show
    from fatigue import analytics

    history = sim.simulate_person(np.random.default_rng(5), 100)
    today = history["day"].iloc[-1]
    assert analytics.status_on(prepare(history), int(prepare(history).days[-1])) == \
        analytics.personal_summary(history, today).status


def test_the_four_targets_hold_when_optional_answers_are_skipped():
    # 30% of every optional answer left out (the workload all at once); exhaustion and
    # empathy always given, as the form needs them.
    skipped = dict(phi=sim.PHI, unanswered=0.3)
    alarms = sim.false_alarms(30 * SCALE, seed=101, weeks=20, **skipped)
    assert alarms.watch_day <= 0.05 and alarms.act_day <= 0.01
    found = sim.detection(200 * SCALE, seed=102, **skipped)
    assert found.flagged >= 0.80 and found.median_checkins <= 3
    assert sim.links(80 * SCALE, seed=103, **skipped).any_clear <= 0.10
    assert sim.links(60 * SCALE, seed=104, link=sim.LINK_POINTS, **skipped).target_clear >= 0.70


def test_skipped_answers_are_missing_never_filled_in():
    history = sim.simulate_person(np.random.default_rng(7), 400, unanswered=0.3)
    assert history[["exhaustion", "empathy"]].notna().all().all()
    assert history["intrusion"].isna().mean() == pytest.approx(0.3, abs=0.06)
    workload = history[["caseload", "contacts", "after_hours_minutes"]].isna()
    assert (workload.all(axis=1) == workload.any(axis=1)).all()  # the workload all at once
    assert str(history["supervision"].dtype) == "boolean" and history["supervision"].isna().any()


@pytest.mark.parametrize("value", ["1.5", "-0.1", "lots"])
def test_the_unanswered_option_refuses_what_is_not_a_chance(value, capsys):
    with pytest.raises(SystemExit) as exit_:
        sim.main(["--unanswered", value, "--people", "5"])
    assert exit_.value.code == 2
    assert "--unanswered" in capsys.readouterr().err
