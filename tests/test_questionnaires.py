"""Storing completed questionnaires, their history, and what is due when."""
import datetime as dt
import sqlite3

import pandas as pd
import pytest

from fatigue import accounts, instruments, questionnaires as q
from fatigue.db import connect, schema_version, write_lock
from fatigue.errors import ValidationError

from conftest import PASSWORD, TODAY

ALL_THREES = {n: 3 for n in range(1, 31)}  # ProQOL: every subscale 10 x 3 = 30, moderate
CBI_PARTIAL = {1: 1, 2: 1, 3: 1, 7: 2}      # personal (100+100+100)/3 = 100; work 1 of 7: not scored


def count(db, table):
    return db.execute(f"SELECT count(*) FROM {table}").fetchone()[0]


# ---------------------------------------------------------------- schema

def test_migration_is_applied_and_tables_are_strict(db):
    assert "0002_questionnaires" in schema_version(db)
    assert schema_version(db)[0] == "0001_accounts_and_checkins"
    for table in ("questionnaire_responses", "questionnaire_scores"):
        assert db[table].schema.rstrip().endswith("STRICT"), table


def test_check_constraint_lists_exactly_the_instruments(db, user):
    for instrument_id in instruments.INSTRUMENT_IDS:
        db.execute(
            "INSERT INTO questionnaire_responses (user_id, instrument_id, taken_on, answers)"
            " VALUES (?, ?, '2026-03-01', '{}')", [user, instrument_id])
    with pytest.raises(sqlite3.IntegrityError):
        db.execute(
            "INSERT INTO questionnaire_responses (user_id, instrument_id, taken_on, answers)"
            " VALUES (?, 'mbi', '2026-03-01', '{}')", [user])


@pytest.mark.parametrize("taken_on, answers", [
    ("2026-02-30", "{}"),      # not a real date
    ("16/03/2026", "{}"),      # not ISO
    ("2026-03-01", "{not json"),
    ("2026-03-01", "[1, 2]"),  # JSON, but not an object
])
def test_check_constraints_are_the_last_line_of_defence(db, user, taken_on, answers):
    with pytest.raises(sqlite3.IntegrityError):
        db.execute(
            "INSERT INTO questionnaire_responses (user_id, instrument_id, taken_on, answers)"
            " VALUES (?, 'cbi', ?, ?)", [user, taken_on, answers])


def test_migration_upgrades_an_existing_database(tmp_path):
    path = tmp_path / "old.db"
    first = connect(path)
    assert "0002_questionnaires" in schema_version(first)
    first.close()
    again = connect(path)
    assert schema_version(again).count("0002_questionnaires") == 1
    again.close()


# ------------------------------------------------------------------ saving

def test_save_returns_the_stored_response_with_its_scores(db, user):
    saved = q.save_response(db, user, "proqol5", ALL_THREES, taken_on="2026-03-01", today=TODAY)
    assert saved["user_id"] == user
    assert saved["instrument_id"] == "proqol5"
    assert saved["taken_on"] == "2026-03-01"
    assert saved["answers"] == ALL_THREES
    assert saved["scores"] == instruments.score("proqol5", ALL_THREES)
    assert saved["scores"]["burnout"]["score"] == 30 and isinstance(
        saved["scores"]["burnout"]["score"], int)
    assert saved["created_at"].endswith("Z")
    assert q.get_response(db, saved["id"]) == saved
    assert q.get_response(db, saved["id"] + 1) is None


def test_cbi_not_scored_scales_are_stored_with_their_reason(db, user):
    saved = q.save_response(db, user, "cbi", CBI_PARTIAL, taken_on=TODAY, today=TODAY)
    assert saved["scores"] == instruments.score("cbi", CBI_PARTIAL)
    assert saved["scores"]["personal"]["score"] == 100.0
    assert saved["scores"]["work"]["scored"] is False
    assert "at least 4" in saved["scores"]["work"]["reason"]
    rows = list(db.query("SELECT scale, score, band, answered FROM questionnaire_scores"
                         " ORDER BY position"))
    assert rows == [
        {"scale": "personal", "score": 100.0, "band": "high", "answered": 3},
        {"scale": "work", "score": None, "band": None, "answered": 1},
        {"scale": "client", "score": None, "band": None, "answered": 0},
    ]


def test_answers_are_stored_as_json_without_unanswered_items(db, user):
    q.save_response(db, user, "cbi", {**CBI_PARTIAL, 19: None}, today=TODAY)
    stored = db.execute("SELECT answers, taken_on FROM questionnaire_responses").fetchone()
    assert stored == ('{"1": 1, "2": 1, "3": 1, "7": 2}', TODAY.isoformat())  # today by default


def test_future_dates_are_refused(db, user):
    with pytest.raises(ValidationError) as caught:
        q.save_response(db, user, "single_item_burnout", {1: 2},
                        taken_on=TODAY + dt.timedelta(days=1), today=TODAY)
    assert caught.value.field == "taken_on"
    with pytest.raises(ValidationError) as caught:
        q.save_response(db, user, "single_item_burnout", {1: 2}, taken_on="yesterday", today=TODAY)
    assert caught.value.field == "taken_on"
    assert count(db, "questionnaire_responses") == 0


@pytest.mark.parametrize("instrument_id, answers", [
    ("proqol5", {**ALL_THREES, 30: 6}),      # out of range
    ("proqol5", {**ALL_THREES, 31: 3}),      # unknown item
    ("proqol5", {n: 3 for n in range(1, 30)}),  # item 30 missing
    ("cbi", {1: 0}),
    ("cbi", {1: 2.5}),
    ("single_item_burnout", {1: "3"}),
    ("single_item_burnout", {}),
    ("mbi", {1: 1}),                         # unknown instrument
])
def test_invalid_answers_store_nothing(db, user, instrument_id, answers):
    with pytest.raises(ValidationError):
        q.save_response(db, user, instrument_id, answers, today=TODAY)
    assert count(db, "questionnaire_responses") == 0
    assert count(db, "questionnaire_scores") == 0


def test_unknown_user_is_refused(db, user):
    with pytest.raises(ValidationError) as caught:
        q.save_response(db, user + 100, "single_item_burnout", {1: 1}, today=TODAY)
    assert caught.value.field == "user_id"
    assert count(db, "questionnaire_responses") == 0


def test_deleting_a_user_deletes_their_questionnaires(db, user):
    q.save_response(db, user, "proqol5", ALL_THREES, today=TODAY)
    with write_lock(db):
        db.execute("DELETE FROM users WHERE id = ?", [user])
    assert count(db, "questionnaire_responses") == 0
    assert count(db, "questionnaire_scores") == 0


# ----------------------------------------------------------------- history

def test_save_then_history(db, user, team):
    other = accounts.create_user(db, "robin", PASSWORD, team=team)
    q.save_response(db, user, "single_item_burnout", {1: 4}, taken_on="2026-03-10", today=TODAY)
    q.save_response(db, user, "proqol5", ALL_THREES, taken_on="2026-03-01", today=TODAY)
    q.save_response(db, user, "cbi", CBI_PARTIAL, taken_on="2026-03-05", today=TODAY)
    q.save_response(db, other, "single_item_burnout", {1: 1}, taken_on="2026-03-02", today=TODAY)

    frame = q.history(db, user)
    assert list(frame.columns) == list(q.HISTORY_COLUMNS)
    # Oldest first: ProQOL (3 rows), CBI (3 rows), single item (1 row); the other user's row is not here.
    assert [(d.date().isoformat(), s) for d, s in zip(frame["taken_on"], frame["scale"])] == [
        ("2026-03-01", "compassion_satisfaction"),
        ("2026-03-01", "burnout"),
        ("2026-03-01", "secondary_traumatic_stress"),
        ("2026-03-05", "personal"),
        ("2026-03-05", "work"),
        ("2026-03-05", "client"),
        ("2026-03-10", "burnout"),
    ]
    assert frame["taken_on"].dtype == "datetime64[ns]"
    assert frame["score"].dtype == "float64"
    assert frame["scored"].dtype == bool
    records = frame.to_dict("records")
    assert records[1] == {
        "response_id": records[0]["response_id"], "instrument_id": "proqol5",
        "taken_on": pd.Timestamp("2026-03-01"), "scale": "burnout", "label": "Burnout",
        "score": 30.0, "band": "moderate", "band_label": "Moderate", "scored": True,
        "answered": 10, "reason": "",
    }
    assert records[3]["score"] == 100.0 and records[3]["band"] == "high"
    work = records[4]
    assert pd.isna(work["score"]) and work["band"] is None and work["band_label"] is None
    assert not work["scored"]
    assert "at least 4" in work["reason"]
    assert records[6]["score"] == 4.0 and records[6]["band"] == "burnout_symptoms"


def test_history_for_one_instrument_and_when_empty(db, user):
    assert q.history(db, user).empty
    assert list(q.history(db, user).columns) == list(q.HISTORY_COLUMNS)
    q.save_response(db, user, "single_item_burnout", {1: 2}, taken_on="2026-03-02", today=TODAY)
    q.save_response(db, user, "single_item_burnout", {1: 3}, taken_on="2026-03-09", today=TODAY)
    q.save_response(db, user, "proqol5", ALL_THREES, taken_on="2026-03-05", today=TODAY)
    single = q.history(db, user, "single_item_burnout")
    assert single["score"].tolist() == [2.0, 3.0]
    assert single["band"].tolist() == ["no_burnout_symptoms", "burnout_symptoms"]
    assert q.history(db, user, "cbi").empty
    with pytest.raises(ValidationError):
        q.history(db, user, "mbi")


def test_same_day_responses_keep_the_order_they_were_saved(db, user):
    q.save_response(db, user, "single_item_burnout", {1: 5}, taken_on=TODAY, today=TODAY)
    q.save_response(db, user, "single_item_burnout", {1: 1}, taken_on=TODAY, today=TODAY)
    assert q.history(db, user)["score"].tolist() == [5.0, 1.0]


# --------------------------------------------------------------------- due

def days_ago(n):
    return TODAY - dt.timedelta(days=n)


def test_everything_periodic_is_due_when_nothing_was_taken(db, user):
    assert q.due(db, user, TODAY) == [
        {"instrument_id": "proqol5", "name": instruments.load("proqol5").name,
         "every_days": 30, "last_taken_on": None,
         "reason": "Not taken yet; offered every 30 days."},
        {"instrument_id": "single_item_burnout",
         "name": instruments.load("single_item_burnout").name,
         "every_days": 7, "last_taken_on": None,
         "reason": "Not taken yet; offered every 7 days."},
    ]


@pytest.mark.parametrize("instrument_id, answers, ago, is_due", [
    ("proqol5", ALL_THREES, 0, False),
    ("proqol5", ALL_THREES, 29, False),   # within the last 30 days
    ("proqol5", ALL_THREES, 30, True),    # 30 days ago: due again
    ("proqol5", ALL_THREES, 45, True),
    ("single_item_burnout", {1: 2}, 6, False),
    ("single_item_burnout", {1: 2}, 7, True),
    ("single_item_burnout", {1: 2}, 20, True),
])
def test_due_by_days_since_last_taken(db, user, instrument_id, answers, ago, is_due):
    q.save_response(db, user, instrument_id, answers, taken_on=days_ago(ago), today=TODAY)
    entries = {e["instrument_id"]: e for e in q.due(db, user, TODAY)}
    assert (instrument_id in entries) is is_due
    if is_due:
        assert entries[instrument_id]["last_taken_on"] == days_ago(ago).isoformat()
        assert f"{ago} days ago" in entries[instrument_id]["reason"]


def test_the_latest_response_counts(db, user):
    q.save_response(db, user, "single_item_burnout", {1: 2}, taken_on=days_ago(20), today=TODAY)
    q.save_response(db, user, "single_item_burnout", {1: 2}, taken_on=days_ago(3), today=TODAY)
    assert [e["instrument_id"] for e in q.due(db, user, TODAY)] == ["proqol5"]
    # A week later the single item is due again, last taken 10 days before then.
    later = TODAY + dt.timedelta(days=7)
    single = [e for e in q.due(db, user, later) if e["instrument_id"] == "single_item_burnout"]
    assert single[0]["last_taken_on"] == days_ago(3).isoformat()


def test_cbi_is_never_due_and_does_not_count_for_the_others(db, user):
    q.save_response(db, user, "cbi", CBI_PARTIAL, taken_on=days_ago(400), today=TODAY)
    q.save_response(db, user, "cbi", CBI_PARTIAL, taken_on=TODAY, today=TODAY)
    due = q.due(db, user, TODAY)
    assert [e["instrument_id"] for e in due] == ["proqol5", "single_item_burnout"]
    assert all(e["last_taken_on"] is None for e in due)


def test_due_ignores_responses_after_the_day_asked_about(db, user):
    q.save_response(db, user, "single_item_burnout", {1: 2}, taken_on=TODAY, today=TODAY)
    entries = {e["instrument_id"]: e for e in q.due(db, user, days_ago(2))}
    assert entries["single_item_burnout"]["last_taken_on"] is None


def test_due_is_per_user(db, user, team):
    other = accounts.create_user(db, "robin", PASSWORD, team=team)
    q.save_response(db, other, "proqol5", ALL_THREES, taken_on=TODAY, today=TODAY)
    assert [e["instrument_id"] for e in q.due(db, user, TODAY)] == ["proqol5", "single_item_burnout"]
    assert [e["instrument_id"] for e in q.due(db, other, TODAY)] == ["single_item_burnout"]
