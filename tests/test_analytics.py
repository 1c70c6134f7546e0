"""Personal analytics in one call: complete, deterministic, in plain and careful words."""
from __future__ import annotations

import datetime as dt
import re
from dataclasses import replace

import numpy as np
import pandas as pd
import pytest

from fatigue import analytics as an
from fatigue.analytics import simulation as sim
from fatigue.analytics.frame import Checkins, prepare
from fatigue.validation import RATINGS

from histories import USUAL, make_history, weekdays

TODAY = dt.date(2026, 3, 16)  # a Monday


def simulated(seed: int, n: int = 80, **options) -> pd.DataFrame:
    return sim.simulate_person(np.random.default_rng(seed), n, end=TODAY, **options)


def all_messages(summary: an.PersonalSummary) -> list[str]:
    texts = [summary.usual.message, summary.warnings.message, summary.pattern.message,
             summary.drivers.message, *summary.drivers.skipped, summary.status.suggestion]
    texts += [text for r in summary.status.reasons for text in (r.text, r.why)]
    texts += [text for s in summary.warnings.signals for text in (s.message, s.why)]
    texts += [t.message for t in summary.trends.values()]
    texts += [r.message for r in summary.drivers.results]
    texts += [f"{lv.change} {lv.state}" for lv in summary.levels]
    return texts


HISTORIES = {
    "empty": lambda: make_history([]),
    "one": lambda: make_history(weekdays(TODAY, 1)),
    "building": lambda: make_history(weekdays(TODAY, 12), exhaustion=9),
    "flat": lambda: make_history(weekdays(TODAY, 45)),
    "stable": lambda: simulated(1),
    "change": lambda: simulated(2, change=sim.CHANGE, change_at=75),
    "link": lambda: simulated(3, link=sim.LINK_POINTS),
    "quiet": lambda: make_history(weekdays(TODAY - dt.timedelta(days=10), 60)),
    "gaps": lambda: simulated(4).iloc[::3],
}


@pytest.mark.parametrize("name", list(HISTORIES))
def test_no_odd_wording(name):
    for text in all_messages(an.personal_summary(HISTORIES[name](), TODAY)):
        for odd in (r"-0\.0\b", r"\+0\.0\b", r"\b1 check-ins", r"\b1 days", r"\bmore than 0 ",
                    r"\bthere are 1\b", r"\bOnly 0\b", r"\b0 of your", r"\s{2}", r"\.\.",
                    r"\bnan\b", r"more than \d+\.\d+ (crisis|contacts?|minutes?)\b"):
            assert not re.search(odd, text), (odd, text)


@pytest.mark.parametrize("name", list(HISTORIES))
def test_wording_is_non_diagnostic_not_causal_and_names_no_method(name):
    for text in all_messages(an.personal_summary(HISTORIES[name](), TODAY)):
        lowered = text.lower()
        for banned in ("you have burnout", "diagnos", "disorder", "because", "caused by",
                       "due to", "leads to", "makes you", "compassion fatigue", "ewma",
                       "theil", "newey", "benjamini", "holm", "welch", "autocorrel", "gls",
                       "baseline", "p-value", "standard deviation", "sd "):
            assert banned not in lowered, (banned, text)


def test_the_summary_is_complete_and_deterministic():
    history = simulated(5)
    first = an.personal_summary(history, TODAY, caseload_standard=12)
    second = an.personal_summary(history.sample(frac=1.0, random_state=1), TODAY, 12)
    assert first == second  # row order does not matter
    assert set(first.trends) == set(RATINGS) and [lv.rating for lv in first.levels] == list(RATINGS)
    assert first.usual.ready and first.drivers.ready
    assert (first.today, first.caseload_standard, first.disclaimer) == (TODAY, 12.0, an.DISCLAIMER)


def test_the_history_is_not_modified():
    history = simulated(6)
    copy = history.copy()
    an.personal_summary(history, TODAY)
    pd.testing.assert_frame_equal(history, copy)


@pytest.mark.parametrize("today", [TODAY, "2026-03-16", pd.Timestamp("2026-03-16 15:30")])
def test_today_accepts_dates_strings_and_timestamps(today):
    assert an.personal_summary(make_history(weekdays(TODAY, 45)), today).today == TODAY


def test_rows_after_today_and_duplicate_days_are_handled():
    history = simulated(7)
    future = make_history([TODAY + dt.timedelta(days=k) for k in (1, 2, 3)], exhaustion=10)
    assert an.personal_summary(pd.concat([history, future], ignore_index=True), TODAY) == \
        an.personal_summary(history, TODAY)
    messy = pd.concat([history.iloc[::-1], history.iloc[:3]], ignore_index=True)
    messy["day"] = messy["day"].dt.strftime("%Y-%m-%d")  # strings, unsorted, duplicated
    assert an.personal_summary(messy, TODAY) == an.personal_summary(history, TODAY)


def test_a_bare_empty_frame_is_an_empty_history():
    summary = an.personal_summary(pd.DataFrame(), TODAY)
    assert summary.status.level == "building"
    assert summary.trends["exhaustion"].direction == "too few check-ins to tell"
    assert summary.levels == ()


def test_the_caseload_standard_changes_only_the_workload_comparisons():
    history = simulated(8)
    a, b = an.personal_summary(history, TODAY, 15), an.personal_summary(history, TODAY, 30)
    assert replace(a, caseload_standard=30.0) == b  # the drivers are not compared ...
    assert a.drivers != b.drivers  # ... and they differ


def test_missing_ratings_are_tolerated_everywhere():
    # A later issue stores untouched ratings as "not answered" (NaN): nothing is filled in.
    history = simulated(9).astype({name: float for name in RATINGS})
    rng = np.random.default_rng(9)
    for name in RATINGS:
        history.loc[rng.random(len(history)) < 0.2, name] = np.nan
    summary = an.personal_summary(history, TODAY)
    assert summary.usual.ready and summary.drivers.ready
    assert all(lv.recent_n < 10 or lv.recent_mean is not None for lv in summary.levels)
    assert "nan" not in " ".join(all_messages(summary)).lower()


def test_checkins_from_a_history_keep_one_row_per_day_and_the_last_save():
    history = make_history(weekdays(TODAY, 3), exhaustion=[1, 2, 3])
    again = make_history([weekdays(TODAY, 3)[1]], exhaustion=9)
    checkins = Checkins.from_history(pd.concat([history, again], ignore_index=True))
    assert checkins.column("exhaustion").tolist() == [1.0, 9.0, 3.0]
    assert checkins.ratings.shape == (7, 3)
    assert prepare(checkins, weekdays(TODAY, 3)[1]).column("exhaustion").tolist() == [1.0, 9.0]


def test_usual_levels_in_the_one_call_are_the_ones_shown():
    history = make_history(weekdays(TODAY, 45), exhaustion=[USUAL["exhaustion"]] * 40 + [8] * 5)
    summary = an.personal_summary(history, TODAY)
    exhaustion = summary.levels[0]
    assert (exhaustion.rating, exhaustion.usual_mean, exhaustion.recent_mean) == ("exhaustion", 4.0, 6.0)
    assert exhaustion.change == "↑ 2.0 points"


def test_data_version_changes_with_every_write_of_that_person_only(db, team, user):
    from conftest import PASSWORD, RATINGS as VALUES
    from fatigue import accounts, checkins

    other = accounts.create_user(db, "robin", PASSWORD, team=team)
    assert an.data_version(db, user) == 0
    checkins.save_checkin(db, user, TODAY, today=TODAY, **VALUES)
    first = an.data_version(db, user)
    checkins.save_checkin(db, other, TODAY, today=TODAY, **VALUES)
    assert an.data_version(db, user) == first
    checkins.save_checkin(db, user, TODAY, today=TODAY, **{**VALUES, "exhaustion": 9})
    second = an.data_version(db, user)
    assert second != first
    with db.conn:
        db.execute("UPDATE checkins SET note = '' WHERE user_id = ?", [user])
    third = an.data_version(db, user)
    assert third != second
    with db.conn:
        db.execute("DELETE FROM checkins WHERE user_id = ?", [user])
    assert an.data_version(db, user) not in (first, second, third)


def test_the_drivers_are_worked_out_only_when_asked_for():
    summary = an.personal_summary(simulated(8), TODAY, 15)
    assert "drivers" not in vars(summary)  # the home page never asks: no model fits
    assert summary.drivers == an.strain_drivers(simulated(8), 15, today=TODAY)
    assert "drivers" in vars(summary)  # kept for the next look
