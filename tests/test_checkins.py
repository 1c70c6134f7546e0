"""Saving and reading check-ins: one per day, updates, nothing lost on bad input."""
import datetime as dt
import sqlite3

import pytest

from fatigue import checkins
from fatigue.errors import ValidationError

from conftest import RATINGS, TODAY


def test_save_then_load_round_trip(db, user):
    checkins.save_checkin(db, user, TODAY, today=TODAY, caseload=18, contacts=6,
                          crisis_contacts=1, trauma_contacts=2, direct_hours=3.5,
                          after_hours_minutes=45, supervision=True, break_taken=True,
                          note="Long court day.", **RATINGS)
    history = checkins.load_history(db, user)
    assert history.to_dict("records") == [{
        "day": dt.datetime(2026, 3, 16), **RATINGS, "caseload": 18, "contacts": 6,
        "crisis_contacts": 1, "trauma_contacts": 2, "direct_hours": 3.5,
        "after_hours_minutes": 45, "supervision": True, "break_taken": True,
        "note": "Long court day.",
    }]


def test_saving_the_same_day_updates_it(db, user):
    checkins.save_checkin(db, user, TODAY, today=TODAY, note="first", **RATINGS)
    checkins.save_checkin(db, user, TODAY, today=TODAY, **{**RATINGS, "exhaustion": 9})
    history = checkins.load_history(db, user)
    assert len(history) == 1
    assert history.loc[0, "exhaustion"] == 9
    assert history.loc[0, "note"] == "first"  # fields left out keep their saved value


def test_invalid_update_keeps_the_saved_checkin(db, user):
    checkins.save_checkin(db, user, TODAY, today=TODAY, note="keep me", **RATINGS)
    with pytest.raises(ValidationError):
        checkins.save_checkin(db, user, TODAY, today=TODAY, exhaustion=99, note="lost?")
    saved = checkins.get_checkin(db, user, TODAY)
    assert saved["exhaustion"] == RATINGS["exhaustion"]
    assert saved["note"] == "keep me"


def test_future_day_refused_and_nothing_written(db, user):
    with pytest.raises(ValidationError) as info:
        checkins.save_checkin(db, user, TODAY + dt.timedelta(days=1), today=TODAY, **RATINGS)
    assert info.value.field == "day"
    assert checkins.load_history(db, user).empty


def test_old_days_allowed_through_the_api(db, user):
    old = TODAY - dt.timedelta(days=200)
    checkins.save_checkin(db, user, old, today=TODAY, **RATINGS)
    assert checkins.get_checkin(db, user, old) is not None


def test_nothing_is_filled_in(db, user):
    # Only exhaustion and empathy given: everything else is stored as not answered.
    checkins.save_checkin(db, user, "2026-03-10", today=TODAY, caseload=21, **RATINGS)
    saved = checkins.save_checkin(db, user, "2026-03-12", today=TODAY, exhaustion=6, empathy=5)
    assert {k: v for k, v in saved.items() if k != "updated_at"} == {
        "day": "2026-03-12", "exhaustion": 6, "empathy": 5, "detachment": None,
        "intrusion": None, "meaning": None, "recovery": None, "time_pressure": None,
        "caseload": None, "contacts": None, "crisis_contacts": None, "trauma_contacts": None,
        "direct_hours": None, "after_hours_minutes": None, "supervision": None,
        "break_taken": None, "note": "", "note_locked": False}
    row = db.execute("SELECT intrusion, caseload, supervision FROM checkins"
                     " WHERE day = '2026-03-12'").fetchone()
    assert row == (None, None, None)  # NULL in the database, not 0 or 5


def test_history_shows_not_answered_as_missing(db, user):
    checkins.save_checkin(db, user, "2026-03-12", today=TODAY, exhaustion=6, empathy=5,
                          contacts=3, break_taken=False)
    history = checkins.load_history(db, user)
    record = history.iloc[0]
    assert (record["exhaustion"], record["empathy"], record["contacts"]) == (6.0, 5.0, 3.0)
    assert record[["intrusion", "caseload", "direct_hours"]].isna().all()
    assert record["break_taken"] is False or record["break_taken"] == False  # noqa: E712
    assert history["supervision"].isna().all()
    assert history["exhaustion"].dtype == float and str(history["supervision"].dtype) == "boolean"


def test_none_clears_a_saved_answer_and_left_out_keeps_it(db, user):
    checkins.save_checkin(db, user, TODAY, today=TODAY, caseload=18, note="n", **RATINGS)
    saved = checkins.save_checkin(db, user, TODAY, today=TODAY, intrusion=None, exhaustion=8,
                                  empathy=4)
    assert (saved["intrusion"], saved["exhaustion"], saved["caseload"], saved["note"]) == (
        None, 8, 18, "n")


def test_required_ratings(db, user):
    with pytest.raises(ValidationError) as info:
        checkins.save_checkin(db, user, TODAY, today=TODAY, intrusion=4)
    assert info.value.errors == {
        "exhaustion": "Exhaustion is needed: choose a number from 0 to 10.",
        "empathy": "Empathy is needed: choose a number from 0 to 10."}
    assert checkins.load_history(db, user).empty


def test_last_workload_skips_days_without_any(db, user):
    assert checkins.last_workload(db, user, TODAY) is None
    checkins.save_checkin(db, user, "2026-03-10", today=TODAY, caseload=21, contacts=4,
                          crisis_contacts=1, **RATINGS)
    checkins.save_checkin(db, user, "2026-03-12", today=TODAY, **RATINGS)  # no workload
    checkins.save_checkin(db, user, TODAY, today=TODAY, caseload=30, **RATINGS)  # not before
    last = checkins.last_workload(db, user, TODAY)
    assert last == checkins.LastWorkload(dt.date(2026, 3, 10), {
        "caseload": 21, "contacts": 4, "crisis_contacts": 1, "trauma_contacts": None,
        "direct_hours": None, "after_hours_minutes": None})


def test_unknown_user_is_refused(db):
    with pytest.raises(ValidationError) as info:
        checkins.save_checkin(db, 999, TODAY, today=TODAY, **RATINGS)
    assert info.value.field == "user_id"


def test_load_history_range_is_inclusive_and_sorted(db, user):
    for day in ("2026-03-12", "2026-03-10", "2026-03-11", "2026-03-13"):
        checkins.save_checkin(db, user, day, today=TODAY, **RATINGS)
    history = checkins.load_history(db, user, start="2026-03-11", end="2026-03-12")
    assert [d.isoformat()[:10] for d in history["day"]] == ["2026-03-11", "2026-03-12"]


def test_history_of_someone_else_is_not_returned(db, user, team):
    from fatigue import accounts

    other = accounts.create_user(db, "robin", "another-long-password", team=team)
    checkins.save_checkin(db, other, TODAY, today=TODAY, **RATINGS)
    assert checkins.load_history(db, user).empty
    assert len(checkins.load_history(db, other)) == 1


def test_save_many_is_all_or_nothing(db, user):
    rows = [{"day": "2026-03-10", **RATINGS}, {"day": "2026-03-11", **RATINGS, "empathy": 12}]
    with pytest.raises(ValidationError) as info:
        checkins.save_checkins(db, user, rows, today=TODAY)
    assert info.value.errors == {"row 2: empathy": "Empathy must be a whole number from 0 to 10."}
    assert checkins.load_history(db, user).empty
    assert checkins.save_checkins(db, user, rows[:1], today=TODAY) == 1


@pytest.mark.parametrize(
    "column, value",
    [("exhaustion", 11), ("crisis_contacts", 9), ("direct_hours", 25.0), ("note", "x" * 2001),
     ("day", "2026-13-01"), ("day", "2026-02-30"), ("day", "16/03/2026"), ("day", "1999-12-31"),
     ("supervision", 2), ("empathy", None), ("trauma_contacts", 3)],
)
def test_database_constraints_back_up_validation(db, user, column, value):
    row = {"user_id": user, "day": "2026-03-10", **RATINGS, "contacts": 2, column: value}
    with pytest.raises(sqlite3.IntegrityError):
        db["checkins"].insert(row)
