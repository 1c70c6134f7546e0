"""Exhaustion and intrusion up, empathy down: named for what it shows."""
from __future__ import annotations

import datetime as dt

import pandas as pd
import pytest

from fatigue.analytics import pattern as pt
from fatigue.analytics import usual_range

from histories import make_history, weekdays

TODAY = dt.date(2026, 3, 16)


def history_with(matches: list[bool]) -> pd.DataFrame:
    """Usual levels, then the last len(matches) check-ins up to TODAY."""
    days = weekdays(TODAY, 45)
    tail = dict(zip(days[-len(matches):], matches))
    def pick(usual, shifted):
        return [shifted if tail.get(d) else usual for d in days]
    return make_history(days, exhaustion=pick(4, 6), intrusion=pick(3, 5), empathy=pick(7, 5))


@pytest.mark.parametrize(("matches", "present"), [
    ([True] * 5 + [False] * 2, True),  # exactly 5 of 7
    ([False, True, False, True, True, True, True], True),
    ([True] * 4 + [False] * 3, False),  # 4 of 7
])
def test_five_of_the_last_seven(matches, present):
    found = pt.combined_pattern(history_with(matches), TODAY)
    assert found.ready and found.present is present
    assert (found.count, found.considered) == (sum(matches), 7)
    assert found.checked_days == tuple(weekdays(TODAY, 7))
    assert found.days == tuple(d for d, m in zip(weekdays(TODAY, 7), matches) if m)


def test_messages_name_the_combination_not_a_condition():
    present = pt.combined_pattern(history_with([True] * 6 + [False]), TODAY)
    assert present.message == (
        "On 6 of your last 7 check-ins, exhaustion and intrusion were above your usual level "
        "while empathy was below it. Such a combination can be worth talking through with your "
        "supervisor or someone you trust."
    )
    some = pt.combined_pattern(history_with([True] * 3 + [False] * 4), TODAY)
    assert some.message == (
        "This combination showed on 3 of your last 7 check-ins; it is pointed out from 5.")
    none = pt.combined_pattern(history_with([False] * 7), TODAY)
    assert none.message == "This combination did not show on any of your last 7 check-ins."
    for found in (present, some, none):
        assert "compassion fatigue" not in found.message.lower()
    assert pt.PATTERN_NAME == "Exhaustion and intrusion up, empathy down"


def test_all_three_must_hold():
    history = history_with([True] * 7)
    history.loc[history.index[-7:], "empathy"] = 7  # empathy at its usual level
    found = pt.combined_pattern(history, TODAY)
    assert not found.present and found.count == 0


def test_only_the_last_two_weeks_count_and_the_usual_must_be_ready():
    stale = history_with([True] * 7)
    stale = stale[stale["day"] <= pd.Timestamp("2026-02-27")]
    found = pt.combined_pattern(stale, TODAY)
    assert not found.ready and not found.present and found.considered == 0
    assert found.message == "No check-ins in the last two weeks, so this combination was not looked at."
    early = pt.combined_pattern(make_history(weekdays(TODAY, 10), exhaustion=9, empathy=0), TODAY)
    assert not early.ready and "of the 20 needed" in early.message


def test_a_precomputed_usual_gives_the_same_answer():
    history = history_with([True] * 5 + [False] * 2)
    assert pt.combined_pattern(history, TODAY, usual_range.usual(history, TODAY)) == \
        pt.combined_pattern(history, TODAY)
