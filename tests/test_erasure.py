"""Delete my data (account kept) and an admin's deletion of a departed person's data."""
import datetime as dt

import pandas as pd
import pytest

from fatigue import accounts, actions, audit, checkins, email_reminders, erasure, questionnaires
from fatigue.errors import ValidationError

from conftest import PASSWORD, RATINGS, TODAY

HASH = accounts.hash_password(PASSWORD)
NOTE = "a note about a hard visit"


def person(db, name, team="North"):
    uid = accounts.create_user(db, name, PASSWORD, team=team, password_hash=HASH)
    db.execute("UPDATE users SET created_at = '2025-01-01T09:00:00Z' WHERE id = ?", [uid])
    return uid


def personal_rows(db, uid):
    return {
        table: db.execute(f"SELECT count(*) FROM {table} WHERE user_id = ?", [uid]).fetchone()[0]
        for table in ("checkins", "questionnaire_responses", "suggestion_actions",
                      "suggestion_mutes", "reminder_preferences", "reminder_sends")
    }


@pytest.fixture
def full(db, user):
    checkins.save_checkin(db, user, TODAY, today=TODAY, note=NOTE, **RATINGS)
    questionnaires.save_response(db, user, "single_item_burnout", {1: 3}, today=TODAY)
    actions.plan(db, user, "book_supervision", TODAY)
    actions.not_relevant(db, user, "book_supervision", TODAY)
    email_reminders.set_preferences(db, user, email="casey@agency.example", weekdays=[0],
                                    at_time=dt.time(9), timezone="UTC")
    db.execute("INSERT INTO reminder_sends (user_id, day) VALUES (?, ?)", [user, TODAY.isoformat()])
    assert personal_rows(db, user) == {"checkins": 1, "questionnaire_responses": 1,
                                       "suggestion_actions": 2, "suggestion_mutes": 1,
                                       "reminder_preferences": 1, "reminder_sends": 1}
    return user


def test_delete_my_data_removes_every_personal_row_and_keeps_the_account(db, full, team):
    other = person(db, "robin")
    checkins.save_checkin(db, other, TODAY, today=TODAY, note="robin's", **RATINGS)
    deleted = erasure.delete_my_data(db, full, "casey")
    assert deleted.rows == {"checkins": 1, "questionnaire_responses": 1, "suggestion_actions": 2,
                            "suggestion_mutes": 1, "note_keys": 0, "reminder_preferences": 1,
                            "reminder_sends": 1, "login_failures": 0}
    assert personal_rows(db, full) == dict.fromkeys(personal_rows(db, full), 0)
    assert db.execute("SELECT count(*) FROM questionnaire_scores").fetchone()[0] == 0
    assert accounts.get_user(db, full).username == "casey"  # still there, still active
    assert accounts.authenticate(db, "casey", PASSWORD).id == full
    assert checkins.get_checkin(db, other, TODAY)["note"] == "robin's"  # others untouched


@pytest.mark.parametrize("typed", ["", "Casey", "robin", "casey please", None])
def test_wrong_confirmation_deletes_nothing(db, full, typed):
    with pytest.raises(ValidationError) as info:
        erasure.delete_my_data(db, full, typed)
    assert info.value.errors == {
        "confirm": "Type the username 'casey' exactly to confirm; nothing was deleted."}
    assert personal_rows(db, full)["checkins"] == 1


def test_deleted_note_is_not_left_in_the_file(db, db_path, full):
    stored = db.execute("SELECT note FROM checkins").fetchone()[0].encode()
    db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    assert stored in db_path.read_bytes()
    erasure.delete_my_data(db, full, " casey ")
    db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    assert stored not in db_path.read_bytes()  # secure_delete overwrote it


def test_audit_names_no_personal_values(db, full):
    erasure.delete_my_data(db, full, "casey")
    entry = audit.entries(db, action="own_data_deleted")[0]
    assert (entry["actor_id"], entry["detail"]) == (full, {"user_id": full})


def test_released_team_figures_stay_and_later_weeks_leave_the_person_out(db, clock):
    """Released weeks are anonymous aggregates of at least k people, released once:
    a deletion changes none of them. A week not yet released leaves the person out.
    (tests/test_privacy_attacks.py tries this the way a hostile lead would.)"""
    from teamlife import W10, W11, Agency, row

    agency = Agency(db, clock)
    crowd = agency.team("North", 5)
    leaving = agency.people("North", 1, "leaving.")[0]
    lead = agency.lead("North")
    agency.form(crowd, [W10, W11], exhaustion=5)
    agency.form([leaving], [W10, W11], exhaustion=9)
    before = agency.report("North", lead)
    assert row(before, W10)["exhaustion"] == 5.5  # (5 x 5 + 9) / 6, to 0.5
    agency.at(TODAY, 13)
    erasure.delete_my_data(db, leaving, "leaving.0")
    pd.testing.assert_frame_equal(before, agency.report("North", lead))
    assert row(agency.report("North", lead, on=dt.date(2026, 3, 23)), W11)["exhaustion"] == 5.0


def test_admin_deletes_a_departed_persons_data_and_closes_the_account(db, full):
    admin = accounts.create_user(db, "the.admin", PASSWORD, is_admin=True, password_hash=HASH)
    erasure.delete_user_data(db, admin, full, "casey")
    assert personal_rows(db, full) == dict.fromkeys(personal_rows(db, full), 0)
    assert db.execute("SELECT active, display_name FROM users WHERE id = ?",
                      [full]).fetchone() == (0, "")
    assert accounts.get_user(db, full) is None  # cannot sign in any more
    entry = audit.entries(db, action="user_data_deleted")[0]
    assert (entry["actor_id"], entry["detail"]) == (admin, {"user_id": full, "username": "casey"})


def test_only_an_admin_may_delete_someone_elses_data(db, full):
    other = person(db, "robin")
    with pytest.raises(PermissionError):
        erasure.delete_user_data(db, other, full, "casey")
    assert personal_rows(db, full)["checkins"] == 1
    assert audit.entries(db, action="delete_user_data_refused")[0]["actor_id"] == other


def test_admin_cannot_use_it_on_themselves(db):
    admin = accounts.create_user(db, "the.admin", PASSWORD, is_admin=True, password_hash=HASH)
    with pytest.raises(ValidationError):
        erasure.delete_user_data(db, admin, admin, "the.admin")


def test_every_table_with_a_user_is_classified(db):
    """A new table keyed by a person must be added to erasure (or named as account data)."""
    tables = [name for (name,) in db.execute(
        "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'")]
    keyed = {t for t in tables
             if any(col[1] == "user_id" for col in db.execute(f"PRAGMA table_info({t})"))}
    assert keyed == set(erasure.PERSONAL_TABLES) | erasure.ACCOUNT_TABLES
