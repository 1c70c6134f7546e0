"""Delete my data (account kept) and an admin's deletion of a departed person's data."""
import datetime as dt

import pytest

from fatigue import accounts, actions, aggregates, audit, checkins, erasure, questionnaires
from fatigue.errors import ValidationError

from conftest import PASSWORD, RATINGS, TODAY

HASH = accounts.hash_password(PASSWORD)
W06 = dt.date(2026, 2, 2)  # released weeks (TODAY is Monday 2026-03-16) in the
W07 = dt.date(2026, 2, 9)  # released 4-week period 26 Jan - 22 Feb 2026
NOTE = "a note about a hard visit"


def person(db, name, team="North"):
    uid = accounts.create_user(db, name, PASSWORD, team=team, password_hash=HASH)
    db.execute("UPDATE users SET created_at = '2025-01-01T09:00:00Z' WHERE id = ?", [uid])
    return uid


def answer(db, uid, monday, **values):
    checkins.save_checkins(db, uid, [
        {"day": (monday + dt.timedelta(days=d)).isoformat(), **{**RATINGS, **values}}
        for d in range(5)], today=TODAY)


def personal_rows(db, uid):
    return {
        table: db.execute(f"SELECT count(*) FROM {table} WHERE user_id = ?", [uid]).fetchone()[0]
        for table in ("checkins", "questionnaire_responses", "suggestion_actions",
                      "suggestion_mutes")
    }


@pytest.fixture
def full(db, user):
    checkins.save_checkin(db, user, TODAY, today=TODAY, note=NOTE, **RATINGS)
    questionnaires.save_response(db, user, "single_item_burnout", {1: 3}, today=TODAY)
    actions.plan(db, user, "book_supervision", TODAY)
    actions.not_relevant(db, user, "book_supervision", TODAY)
    assert personal_rows(db, user) == {"checkins": 1, "questionnaire_responses": 1,
                                       "suggestion_actions": 2, "suggestion_mutes": 1}
    return user


def test_delete_my_data_removes_every_personal_row_and_keeps_the_account(db, full, team):
    other = person(db, "robin")
    checkins.save_checkin(db, other, TODAY, today=TODAY, note="robin's", **RATINGS)
    deleted = erasure.delete_my_data(db, full, "casey")
    assert deleted.rows == {"checkins": 1, "questionnaire_responses": 1, "suggestion_actions": 2,
                            "suggestion_mutes": 1, "checkin_weeks": 0, "login_failures": 0}
    assert db.execute("SELECT count(*) FROM checkin_weeks WHERE user_id = ?", [full]).fetchone() == (0,)
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


def test_aggregates_are_recomputed_without_the_deleted_person(db, team):
    lead = accounts.create_user(db, "the.admin", PASSWORD, is_admin=True, password_hash=HASH)
    crowd = [person(db, f"crowd{i}") for i in range(5)]
    leaving = person(db, "leaving")
    for uid in crowd:
        answer(db, uid, W06, exhaustion=5)
        answer(db, uid, W07, exhaustion=5)
    answer(db, leaving, W06, exhaustion=9)

    def week(start):
        frame = aggregates.team_report(db, team, "week", viewer_id=lead, today=TODAY)
        return frame[frame["period_start"] == str(start)].iloc[0]

    assert week(W06)["exhaustion"] == 5.5  # (5 x 5 + 9) / 6, to 0.5
    aggregates.team_report(db, team, "4week", viewer_id=lead, today=TODAY)  # freezes 4-week cells
    frozen_w10 = db.execute(
        "SELECT computed_at, stats FROM aggregate_cells WHERE period = 'week' AND period_start = ?",
        [W07.isoformat()]).fetchall()
    deleted = erasure.delete_my_data(db, leaving, "leaving")
    assert deleted.cells_dropped == 2  # its week and its 4-week period
    assert db.execute("SELECT count(*) FROM aggregate_cells WHERE period_start = ?",
                      [W06.isoformat()]).fetchone()[0] == 0
    assert week(W06)["exhaustion"] == 5.0  # computed again, without them
    assert db.execute(
        "SELECT computed_at, stats FROM aggregate_cells WHERE period = 'week' AND period_start = ?",
        [W07.isoformat()]).fetchall() == frozen_w10  # other periods stay frozen


def test_forget_released_periods_covers_week_and_four_week_period(db, team):
    for group in ("noteam", f"team:{team}"):
        for period, start in (("week", "2026-02-23"), ("4week", "2026-01-26"),
                              ("week", "2026-03-02"), ("4week", "2026-02-23")):
            db.execute(
                "INSERT INTO aggregate_cells (group_key, period, period_start, team_id, members,"
                " members_eligible, respondents, eligible, stats, dp) VALUES (?, ?, ?, ?, 0, 0,"
                " 0, 0, '{}', 0)", [group, period, start, None if group == "noteam" else team])
    assert aggregates.forget_released_periods(db, [dt.date(2026, 2, 25)]) == 4
    left = db.execute("SELECT DISTINCT period, period_start FROM aggregate_cells ORDER BY 1, 2").fetchall()
    assert left == [("4week", "2026-01-26"), ("week", "2026-03-02")]


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


def test_a_deletion_makes_cached_reports_stale(db, user):
    """Pages cache reports by aggregates.report_version: a deletion must change it."""
    checkins.save_checkin(db, user, W06, today=TODAY, **RATINGS)
    before = aggregates.report_version(db)
    assert aggregates.report_version(db) == before
    erasure.delete_my_data(db, user, "casey")
    after = aggregates.report_version(db)
    assert after != before
    checkins.save_checkin(db, user, W06, today=TODAY, **RATINGS)
    erasure.delete_my_data(db, user, "casey")
    assert aggregates.report_version(db) not in (before, after)
