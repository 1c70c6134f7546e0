"""A database made at an older schema upgrades in place with its data intact.

The fixture ``fixtures/fatigue-0004.sql`` is a text dump of a database at
migration 0004, made from the committed code of that time by
``fixtures/make_fatigue_0004.py``. Values are compared through the public API
(notes, for example, are stored differently after the upgrade).
"""
import datetime as dt
import sqlite3
from pathlib import Path

import pytest

from fatigue import accounts, actions, audit, checkins, questionnaires, settings
from fatigue.db import connect, schema_version
from fatigue.migrations import migrations

FIXTURE = Path(__file__).parent / "fixtures" / "fatigue-0004.sql"
OLD_PASSWORD = "old-schema-password"
OLD = ["0001_accounts_and_checkins", "0002_questionnaires", "0003_aggregates_privacy",
       "0004_actions"]


@pytest.fixture
def upgraded(tmp_path):
    path = tmp_path / "old.db"
    conn = sqlite3.connect(path)
    conn.executescript(FIXTURE.read_text(encoding="utf-8"))
    applied = [row[0] for row in conn.execute("SELECT name FROM _sqlite_migrations ORDER BY id")]
    conn.close()
    assert applied == OLD  # the fixture really is the old schema
    db = connect(path)  # upgrades to the current head
    yield db
    db.close()


def test_every_migration_is_applied(upgraded):
    assert schema_version(upgraded) == [m.name for m in migrations._migrations]
    assert upgraded.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    assert upgraded.execute("PRAGMA foreign_key_check").fetchall() == []


def test_accounts_and_teams_survive(upgraded):
    assert [(t["name"], t["caseload_standard"]) for t in accounts.list_teams(upgraded)] == [
        ("Family Support", 17), ("Intake", 12)]
    jo = accounts.get_user(upgraded, 2)
    assert (jo.username, jo.display_name, jo.is_admin, jo.home_team_id, jo.lead_team_ids) == (
        "jo.smith", "Jo Smith", False, 1, (1,))
    assert accounts.get_user(upgraded, 3).display_name == "Sam <b>Lee</b>"
    assert accounts.get_user(upgraded, 1).is_admin
    assert accounts.authenticate(upgraded, "jo.smith", OLD_PASSWORD).id == 2


@pytest.mark.parametrize(
    "user_id, day, expected",
    [
        (2, "2026-02-02", dict(
            exhaustion=7, empathy=4, detachment=5, intrusion=6, meaning=3, recovery=2,
            time_pressure=8, caseload=19, contacts=6, crisis_contacts=2, trauma_contacts=1,
            direct_hours=3.5, after_hours_minutes=45, supervision=True, break_taken=False,
            note="Hard visit; bring up the <script>alert(1)</script> case in supervision.\n"
                 "Second line.")),
        (2, "2026-02-03", dict(
            exhaustion=6, empathy=5, detachment=4, intrusion=5, meaning=4, recovery=3,
            time_pressure=7, caseload=19, contacts=5, crisis_contacts=1, trauma_contacts=0,
            direct_hours=2.25, after_hours_minutes=0, supervision=False, break_taken=True,
            note="")),
        (3, "2026-02-02", dict(
            exhaustion=3, empathy=8, detachment=1, intrusion=2, meaning=8, recovery=7,
            time_pressure=4, caseload=11, contacts=3, crisis_contacts=0, trauma_contacts=0,
            direct_hours=1.0, after_hours_minutes=10, supervision=True, break_taken=True,
            note="Ein guter Tag ☀")),
    ],
)
def test_checkins_survive_with_every_value(upgraded, user_id, day, expected):
    row = checkins.get_checkin(upgraded, user_id, day)
    assert {k: row[k] for k in expected} == expected
    assert len(checkins.load_history(upgraded, user_id)) == (2 if user_id == 2 else 1)


def test_questionnaires_actions_settings_and_audit_survive(upgraded):
    response = questionnaires.get_response(upgraded, 1)
    assert (response["user_id"], response["instrument_id"], response["taken_on"],
            response["answers"]) == (2, "single_item_burnout", "2026-02-02", {1: 2})
    assert response["scores"]["burnout"]["score"] == 2
    assert response["scores"]["burnout"]["band"] == "no_burnout_symptoms"
    history = actions.history(upgraded, 2)
    assert list(history["status"]) == ["done", "planned"]
    assert history["planned_for"].isna().tolist() == [True, False]
    assert history["planned_for"].iloc[1].date() == dt.date(2026, 2, 5)
    assert settings.get_k(upgraded) == 6
    assert settings.dp_enabled(upgraded) is True
    assert settings.dp_epsilon(upgraded) == 0.5
    assert settings.support_resources(upgraded) == "EAP: 0800 000 000 (24 hours)"
    old_entries = [(e["actor"], e["action"], e["detail"]) for e in audit.entries(upgraded)
                   if e["id"] <= 2]
    assert old_entries == [
        ("admin", "set_setting", {"key": "min_group_size", "value": 6}),
        ("jo.smith", "view_team", {"team_id": 1, "period": "4week"}),
    ]


def test_upgraded_database_keeps_its_rules_and_takes_new_data(upgraded):
    # The CHECK constraints survive the upgrade (a rebuilt table could lose them).
    with pytest.raises(sqlite3.IntegrityError, match="CHECK"):
        upgraded.execute(
            "UPDATE checkins SET exhaustion = 11 WHERE user_id = 2 AND day = '2026-02-02'")
    with pytest.raises(sqlite3.IntegrityError, match="CHECK"):
        upgraded.execute(
            "UPDATE checkins SET crisis_contacts = contacts + 1 WHERE user_id = 2")
    with pytest.raises(sqlite3.IntegrityError):
        upgraded.execute("INSERT INTO settings (key, value) VALUES ('min_group_size', '2')")
    saved = checkins.save_checkin(upgraded, 3, "2026-02-03", today=dt.date(2026, 2, 3),
                                  exhaustion=4, empathy=7, detachment=1, intrusion=2,
                                  meaning=8, recovery=6, time_pressure=3, note="new")
    assert (saved["caseload"], saved["note"]) == (None, "new")  # not answered: not carried
    skipped = checkins.save_checkin(upgraded, 3, "2026-02-04", today=dt.date(2026, 2, 4),
                                    exhaustion=4, empathy=7)
    assert (skipped["intrusion"], skipped["contacts"], skipped["supervision"]) == (None,) * 3
    with pytest.raises(sqlite3.IntegrityError, match="NOT NULL"):
        upgraded.execute("UPDATE checkins SET empathy = NULL WHERE user_id = 2")


def test_notes_from_before_stay_readable_by_their_author_after_their_next_sign_in(upgraded):
    """Notes under the server key alone move under their author's own key when they sign
    in (fatigue.note_keys); every one reads as before, and only with that key."""
    from fatigue import note_keys, sessions

    before = checkins.load_history(upgraded, 2)["note"].tolist()
    assert before == [
        "Hard visit; bring up the <script>alert(1)</script> case in supervision.\nSecond line.", ""]
    user = accounts.authenticate(upgraded, "jo.smith", OLD_PASSWORD)
    token, session = sessions.start(upgraded, user.id)
    note_keys.signed_in_with_password(upgraded, user.id, OLD_PASSWORD, session.id, token)
    key = note_keys.access(upgraded, user.id, session.id, token).key
    assert checkins.load_history(upgraded, 2, key=key)["note"].tolist() == before
    assert checkins.load_history(upgraded, 2)["note"].tolist() == [None, ""]  # sealed now
    assert checkins.get_checkin(upgraded, 3, "2026-02-02")["note"] == "Ein guter Tag ☀"  # not yet
