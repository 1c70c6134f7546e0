"""Check-in validation: every rule, with the message a user sees."""
import datetime as dt
import math

import numpy as np
import pytest

from fatigue.errors import ValidationError
from fatigue.validation import check_day, validate_checkin

from conftest import RATINGS, TODAY


def test_valid_checkin_gets_defaults_and_types():
    clean = validate_checkin({**RATINGS, "caseload": "18", "direct_hours": "2.5"})
    assert clean == {
        **RATINGS,
        "caseload": 18,
        "contacts": 0,
        "crisis_contacts": 0,
        "trauma_contacts": 0,
        "direct_hours": 2.5,
        "after_hours_minutes": 0,
        "supervision": False,
        "break_taken": False,
        "note": "",
    }


@pytest.mark.parametrize(
    "change, field, message",
    [
        ({"exhaustion": 11}, "exhaustion", "Exhaustion must be a whole number from 0 to 10."),
        ({"empathy": -1}, "empathy", "Empathy must be a whole number from 0 to 10."),
        ({"meaning": 5.5}, "meaning", "Meaning must be a whole number from 0 to 10."),
        ({"recovery": "high"}, "recovery", "Recovery must be a whole number from 0 to 10."),
        ({"intrusion": True}, "intrusion", "Intrusion must be a whole number from 0 to 10."),
        ({"intrusion": np.True_}, "intrusion", "Intrusion must be a whole number from 0 to 10."),
        ({"detachment": math.nan}, "detachment", "Detachment must be a whole number from 0 to 10."),
        ({"caseload": 501}, "caseload", "Active caseload must be a whole number from 0 to 500."),
        ({"contacts": 101}, "contacts", "Client contacts today must be a whole number from 0 to 100."),
        ({"direct_hours": 24.5}, "direct_hours", "Hours of direct client contact must be a number from 0 to 24."),
        ({"direct_hours": math.inf}, "direct_hours", "Hours of direct client contact must be a number from 0 to 24."),
        ({"direct_hours": -0.5}, "direct_hours", "Hours of direct client contact must be a number from 0 to 24."),
        ({"after_hours_minutes": 1441}, "after_hours_minutes",
         "Minutes worked outside scheduled hours must be a whole number from 0 to 1440."),
        ({"supervision": "maybe"}, "supervision", "Supervision or debrief today must be yes or no."),
        ({"contacts": 2, "crisis_contacts": 3}, "crisis_contacts",
         "Crisis or high-intensity contacts (3) cannot be more than client contacts today (2)."),
        ({"contacts": 2, "trauma_contacts": 4}, "trauma_contacts",
         "Contacts involving traumatic material (4) cannot be more than client contacts today (2)."),
        ({"note": "x" * 2001}, "note", "Private note is 2,001 characters; the limit is 2,000."),
        ({"note": 42}, "note", "Private note must be text."),
        ({"mood": 3}, "mood", "Unknown field 'mood'."),
    ],
)
def test_each_rule_names_its_field(change, field, message):
    with pytest.raises(ValidationError) as info:
        validate_checkin({**RATINGS, **change})
    assert info.value.errors == {field: message}
    assert isinstance(info.value, ValueError)


@pytest.mark.parametrize("missing", list(RATINGS))
def test_every_rating_is_required(missing):
    values = {k: v for k, v in RATINGS.items() if k != missing}
    with pytest.raises(ValidationError) as info:
        validate_checkin(values)
    assert info.value.field == missing
    assert "is required" in info.value.errors[missing]


def test_all_errors_are_reported_together():
    with pytest.raises(ValidationError) as info:
        validate_checkin({**RATINGS, "exhaustion": 12, "direct_hours": 30, "contacts": 1,
                          "crisis_contacts": 2})
    assert set(info.value.errors) == {"exhaustion", "direct_hours", "crisis_contacts"}


@pytest.mark.parametrize(
    "value, expected", [(0, 0), (10, 10), (7.0, 7), ("3", 3), (" 4 ", 4), ("6.0", 6)]
)
def test_rating_accepts_whole_numbers_in_any_form(value, expected):
    assert validate_checkin({**RATINGS, "exhaustion": value})["exhaustion"] == expected


@pytest.mark.parametrize(
    "value, expected",
    [(True, True), (0, False), ("yes", True), ("false", False), ("", False),
     (np.True_, True), (np.False_, False)],
)
def test_flags_accept_yes_no_forms(value, expected):
    assert validate_checkin({**RATINGS, "break_taken": value})["break_taken"] is expected


def test_contacts_edge_equal_is_allowed():
    clean = validate_checkin({**RATINGS, "contacts": 3, "crisis_contacts": 3, "trauma_contacts": 3})
    assert clean["crisis_contacts"] == clean["trauma_contacts"] == 3


@pytest.mark.parametrize(
    "day, window, message",
    [
        (TODAY + dt.timedelta(days=1), None, "Date cannot be in the future."),
        (TODAY - dt.timedelta(days=8), 7, "Date can be at most 7 days back (from 2026-03-09)."),
        ("16/03/2026", None, "Date must be a calendar date written as YYYY-MM-DD."),
        ("2026-02-30", None, "Date must be a calendar date written as YYYY-MM-DD."),
        ("20260316", None, "Date must be a calendar date written as YYYY-MM-DD."),
        ("2026-W12-1", None, "Date must be a calendar date written as YYYY-MM-DD."),
        ("0001-01-01", None, "Date cannot be before 2000-01-01."),
        (dt.date(1999, 12, 31), None, "Date cannot be before 2000-01-01."),
    ],
)
def test_bad_days(day, window, message):
    with pytest.raises(ValidationError) as info:
        check_day(day, TODAY, backfill_days=window)
    assert info.value.errors == {"day": message}


@pytest.mark.parametrize("back", [0, 1, 7])
def test_backfill_window_edges_allowed(back):
    day = TODAY - dt.timedelta(days=back)
    assert check_day(day.isoformat(), TODAY, backfill_days=7) == day
