"""The release rules, one by one, with known answers (fatigue/teamfigures/rules.py)."""
from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import given
from hypothesis import strategies as st

from fatigue.teamfigures import rules

W = dt.date(2026, 3, 2)  # a Monday


def test_a_week_is_released_the_day_after_the_form_closes_on_it():
    sunday = W + dt.timedelta(days=6)
    last_save = sunday + dt.timedelta(days=rules.BACKFILL_DAYS)  # the form's 7 days back
    assert rules.release_date(W) == last_save + dt.timedelta(days=1) == dt.date(2026, 3, 16)


@pytest.mark.parametrize("day, today, released, counts", [
    (W, W, False, True),  # the same day
    (W, W + dt.timedelta(days=7), False, True),  # the last day of the window
    (W, W + dt.timedelta(days=8), False, False),  # outside the window
    (W + dt.timedelta(days=1), W, False, False),  # a future day
    (W, W + dt.timedelta(days=3), True, False),  # its week already released
])
def test_counts_for_team(day, today, released, counts):
    assert rules.counts_for_team(day, today, released) is counts


@given(st.integers(0, 400))
def test_a_saved_day_that_counts_is_always_saved_before_its_week_is_released(offset):
    day = W + dt.timedelta(days=offset)
    for today in (day + dt.timedelta(days=n) for n in range(0, 9)):
        if rules.counts_for_team(day, today, False):
            week = day - dt.timedelta(days=day.weekday())
            assert today < rules.release_date(week)


@pytest.mark.parametrize("roster, respondents, k, code", [
    (4, 4, 5, rules.TEAM_TOO_SMALL),
    (5, 5, 5, rules.TEAM_TOO_SMALL),  # shown, it would say that all five answered
    (6, 4, 5, rules.TOO_FEW),
    (6, 5, 5, None),
    (30, 9, 10, rules.TOO_FEW),
    (30, 10, 10, None),
])
def test_hidden_code(roster, respondents, k, code):
    assert rules.hidden_code(roster, respondents, k) == code


def test_a_figure_needs_k_people_who_gave_it():
    assert not rules.figure_shown(4, 5)
    assert rules.figure_shown(5, 5)


def test_a_viewer_never_sees_a_roster_they_are_on():
    assert rules.viewer_may_see(7, [1, 2, 3])
    assert not rules.viewer_may_see(2, [1, 2, 3])


@pytest.mark.parametrize("values, epsilon, cap, fits", [
    (17, 1.0, 20.0, True), (17, 1.0, 17.0, True), (17, 1.2, 20.0, False), (17, 0.01, 0.1, False),
])
def test_within_budget(values, epsilon, cap, fits):
    assert rules.within_budget(values, epsilon, cap) is fits


@pytest.mark.parametrize("pct, text", [
    (0, "at most 20%"), (20, "at most 20%"), (24, "about 20%"), (25, "about 30%"),
    (44, "about 40%"), (79, "about 80%"), (80, "at least 80%"), (100, "at least 80%"),
])
def test_share_text(pct, text):
    assert rules.share_text(pct)[0] == text


@given(n=st.integers(5, 500), in_group=st.integers(0, 500))
def test_tails_never_say_every_or_no_other(n, in_group):
    """Whatever a viewer knows of themselves, "at most 20%" of n >= 5 people admits
    both 0 and 1 of them, and "at least 80%" both all and all but one."""
    in_group = min(in_group, n)
    text = rules.share_text(100.0 * in_group / n)[0]
    same = [c for c in range(n + 1) if rules.share_text(100.0 * c / n)[0] == text]
    if text == "at most 20%":
        assert {0, 1} <= set(same)
    if text == "at least 80%":
        assert {n - 1, n} <= set(same)


@pytest.mark.parametrize("n, k, band", [
    (5, 5, "5-9"), (9, 5, "5-9"), (10, 5, "10-19"), (49, 5, "20-49"), (1000, 5, "1000 or more"),
    (7, 7, "7-9"), (12, 10, "10-19"), (12, 12, "12-19"),
])
def test_count_band(n, k, band):
    assert rules.count_band(n, k) == band
    assert rules.band_low(n, k) == int(band.split("-")[0].split()[0])


def test_team_size_is_only_k_or_more():
    assert rules.team_size_text(5, 5) == "5 or more"
    assert rules.team_size_text(42, 5) == "5 or more"
    assert rules.team_size_text(4, 5) == "fewer than 5"


def test_rosters_are_taken_before_the_week_begins_in_any_time_zone():
    """Monday 00:00 at UTC+14 is Sunday 10:00 UTC: before the week begins in every
    zone the agency could choose, whatever it chooses later."""
    from zoneinfo import ZoneInfo

    week = dt.date(2026, 3, 9)
    taken = rules.roster_taken_at(week)
    assert taken == dt.datetime(2026, 3, 8, 10, 0, tzinfo=dt.timezone.utc)
    for zone in ("Pacific/Kiritimati", "Asia/Tokyo", "UTC", "America/Los_Angeles", "Etc/GMT+12"):
        assert taken <= dt.datetime.combine(week, dt.time(0), tzinfo=ZoneInfo(zone))
