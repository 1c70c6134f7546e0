"""The status card: one headline, reasons each with their why, levels in order."""
from __future__ import annotations

import datetime as dt

import numpy as np
import pytest

from fatigue import analytics as an
from fatigue.analytics import card

from histories import USUAL, make_history, weekdays

TODAY = dt.date(2026, 3, 16)  # a Monday


def shifted(**after) -> object:
    """45 weekdays at the usual levels, then the last 5 check-ins at ``after``."""
    days = weekdays(TODAY, 45)
    return make_history(days, **{name: [USUAL[name]] * 40 + [value] * 5 for name, value in after.items()})


def test_building_on_an_empty_history():
    status = an.status(make_history([]), TODAY)
    assert (status.level, status.title) == ("building", "Not enough check-ins yet")
    assert status.reasons == (card.Reason(
        "Your usual builds up from check-ins that are more than two weeks old: 0 of the 20 "
        "needed so far.",
        "Every other figure compares you with your own usual, so it needs a few weeks first."),)
    assert status.suggestion == card.SUGGESTIONS["building"]


def test_building_for_a_returning_person_says_welcome_back():
    history = make_history(weekdays(TODAY - dt.timedelta(days=140), 60) + weekdays(TODAY, 10))
    status = an.status(history, TODAY)
    assert status.level == "building" and status.suggestion == card.REBUILDING_SUGGESTION


def test_steady_says_what_it_compared_with():
    status = an.status(make_history(weekdays(TODAY, 45)), TODAY)
    assert status.level == "steady"
    assert status.reasons == (card.Reason(
        "Your check-ins in the last two weeks are within your usual range.",
        "Your usual is your average over the 12 weeks before the last two weeks: 35 check-ins, "
        "from Tue 13 Jan to Mon 2 Mar."),)


def test_one_rating_beyond_the_usual_range_is_worth_watching():
    status = an.status(shifted(detachment=6), TODAY)
    assert (status.level, status.title) == ("watch", "Worth watching")
    (reason,) = status.reasons
    assert reason.rating == "detachment"
    assert reason.text.startswith("Your detachment has been above your usual range since")
    assert reason.why.startswith("Your recent check-ins, smoothed so that one odd day does not count")


def test_several_lasting_ratings_are_time_to_look_after_yourself():
    status = an.status(shifted(exhaustion=7, intrusion=7, empathy=3), TODAY)
    assert (status.level, status.title) == ("act", "Time to look after yourself")
    # strongest first: empathy and intrusion moved 4 points, exhaustion 3
    assert [r.text.split(" has been")[0] for r in status.reasons[:3]] == [
        "Your empathy", "Your intrusion", "Your exhaustion"]
    # the combination is listed too, as a further reason one click away
    assert status.reasons[3].text.startswith("On 5 of your last 7 check-ins, exhaustion and "
                                             "intrusion were above your usual level")
    assert status.shown == status.reasons[:3] and status.more == status.reasons[3:]


def test_two_ratings_for_a_single_check_in_are_only_worth_watching():
    days = weekdays(TODAY, 45)
    history = make_history(days, exhaustion=[4] * 44 + [10], intrusion=[3] * 44 + [10])
    status = an.status(history, TODAY)
    assert status.level == "watch" and len(status.reasons) == 2


def test_the_combination_alone_never_raises_the_card():
    # Each rating one point to the harder side on every check-in: the combination shows
    # on all of the last 7, but no rating is beyond its usual range.
    days = weekdays(TODAY, 45)
    rng = np.random.default_rng(3)
    wobble = {name: np.clip(USUAL[name] + rng.integers(-1, 2, 45), 0, 10) for name in USUAL}
    history = make_history(days, **{**wobble, "exhaustion": list(wobble["exhaustion"][:38]) + [5] * 7,
                                    "intrusion": list(wobble["intrusion"][:38]) + [4] * 7,
                                    "empathy": list(wobble["empathy"][:38]) + [6] * 7})
    summary = an.personal_summary(history, TODAY)
    assert summary.pattern.present and summary.warnings.signals == ()
    assert summary.status.level == "steady"


def test_the_fixed_rule_acts_even_while_the_usual_builds():
    history = make_history(weekdays(TODAY, 7), exhaustion=[9, 8, 9, 9, 8, 4, 5])
    status = an.status(history, TODAY)
    assert status.level == "act"
    assert status.reasons[0] == card.Reason(
        "Exhaustion was 8 or more on 5 of your last 7 check-ins.",
        "This tool always points this out: a fixed safety net for days that stay very hard, "
        "not a clinical cut-point.")
    assert "of the 20 needed" in status.reasons[1].text


def test_four_of_seven_is_not_the_fixed_rule():
    history = make_history(weekdays(TODAY, 7), exhaustion=[9, 8, 9, 9, 4, 4, 5])
    assert an.status(history, TODAY).level == "building"


@pytest.mark.parametrize(("days_ago", "level"), [(6, "steady"), (7, "quiet")])
def test_quiet_after_a_week_without_check_ins(days_ago, level):
    history = make_history(weekdays(dt.date(2026, 3, 6), 45) + [TODAY - dt.timedelta(days=days_ago)])
    assert an.status(history, TODAY).level == level


def test_quiet_names_the_last_check_in_and_comes_before_everything():
    history = make_history(weekdays(dt.date(2026, 3, 6), 7), exhaustion=9)  # ends 10 days ago
    status = an.status(history, TODAY)
    assert (status.level, status.title) == ("quiet", "No recent check-ins")
    assert status.reasons == (card.Reason(
        "Your last check-in was on Fri 6 Mar; the picture here starts again with your next one.",
        "Nothing is judged from check-ins more than a week old."),)
    assert an.status(history, dt.date(2026, 3, 6)).level == "act"
    for word in ("streak", "missed", "forgot", "should", "behind"):
        assert word not in " ".join([status.reasons[0].text, status.suggestion]).lower()


def test_quiet_names_the_year_when_it_differs():
    status = an.status(make_history(weekdays(dt.date(2025, 12, 19), 40)), dt.date(2026, 1, 12))
    assert status.reasons[0].text.startswith("Your last check-in was on Fri 19 Dec 2025;")


def test_disclaimer_wording():
    status = an.status(make_history([]), TODAY)
    for phrase in ("not a diagnosis", "occupational phenomenon", "not a medical condition",
                   "QD85", "reflection", "one fixed rule about very high exhaustion", "your own usual"):
        assert phrase in status.disclaimer
