"""The audit log: append-only, readable by admins, newest first."""
from __future__ import annotations

import datetime as dt
import sqlite3

import pytest

from fatigue import audit
from fatigue.errors import ValidationError


def test_record_and_read_back_newest_first(db, user):
    first = audit.record(db, user, "view_team_report", {"team_id": 1, "from": dt.date(2026, 3, 2)})
    second = audit.record(db, None, "system_task")
    logged = audit.entries(db)
    assert [e["id"] for e in logged] == [second, first]
    assert logged[1]["actor"] == "casey" and logged[1]["actor_id"] == user
    assert logged[1]["detail"] == {"team_id": 1, "from": "2026-03-02"}
    assert logged[0]["actor"] is None and logged[0]["detail"] == {}
    assert logged[1]["at"].endswith("Z")


def test_filters_and_limit(db, user):
    for i in range(5):
        audit.record(db, user, "view_team_report", {"i": i})
    audit.record(db, user, "view_org_report", {})
    assert len(audit.entries(db, limit=3)) == 3
    assert [e["detail"]["i"] for e in audit.entries(db, action="view_team_report", limit=2)] == [4, 3]
    assert audit.entries(db, actor_id=user + 1) == []
    with pytest.raises(ValidationError):
        audit.entries(db, limit=0)


@pytest.mark.parametrize("action, detail", [("", {}), ("x" * 61, {}), ("ok", ["not", "a dict"]),
                                            ("ok", {"big": "x" * 5000})])
def test_bad_entries_are_refused(db, action, detail):
    with pytest.raises(ValidationError):
        audit.record(db, None, action, detail)


def test_log_is_append_only(db, user):
    audit.record(db, user, "view_team_report", {})
    with pytest.raises(sqlite3.IntegrityError):
        db.execute("UPDATE audit_log SET action = 'nothing'")
    with pytest.raises(sqlite3.IntegrityError):
        db.execute("DELETE FROM audit_log")
    assert len(audit.entries(db)) == 1


def test_entries_outlive_a_deleted_account(db, user):
    audit.record(db, user, "view_team_report", {})
    db.execute("DELETE FROM users WHERE id = ?", [user])
    [entry] = audit.entries(db)
    assert entry["actor_id"] == user and entry["actor"] is None


def test_detail_in_words_with_dates_the_apps_way():
    detail = {"team": "Family Support", "from": "2026-11-16", "periods": 26, "left_out": [3, 4],
              "pool_shown": False, "done_on": None}
    assert audit.detail_text(detail) == (
        "team: Family Support; from: Mon 16 Nov 2026; periods: 26; left out: 3, 4; "
        "pool shown: no; done on: ")
    assert audit.detail_text({}) == ""


def test_team_action_plans_are_in_the_admins_view():
    assert {"team_action_planned", "team_action_done", "team_action_dropped",
            "view_agency_comparison"} <= audit.ADMIN_VIEW
