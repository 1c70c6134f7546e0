"""Upgrading a database whose team weeks were frozen under the earlier model
(migration 0009_release_model and fatigue/teamfigures/legacy.py)."""
from __future__ import annotations

import datetime as dt
import json
import sqlite3

import pytest

from fatigue.db import connect
from fatigue.migrations import migrations
from fatigue.teamfigures import measures, reports, rules

from conftest import TODAY
from teamlife import W09, W10

HASH = "$argon2id$v=19$m=65536,t=3,p=4$c2FsdHNhbHRzYWx0$aGFzaGhhc2hoYXNoaGFzaGhhc2hoYXNoaGFzaA"


def stats(n: int, **means: float) -> str:
    base = {name: 0.0 for name in measures.VALUES}
    base.update(means)
    sums = {name: value * n for name, value in base.items()}
    return json.dumps({"sum": sums, "clamped": sums})


@pytest.fixture
def upgraded(tmp_path, clock):
    path = tmp_path / "old.db"
    old = connect(path, migrate=False)
    migrations.apply(old, stop_before="0009_release_model")
    old.execute("INSERT INTO teams (id, name, created_at) VALUES (1, 'North', '2025-01-01T09:00:00Z'),"
                " (2, 'Leads', '2025-01-01T09:00:00Z')")
    old.execute("INSERT INTO users (id, username, password_hash, is_admin, created_at) VALUES"
                " (1, 'the.admin', ?, 1, '2025-01-01T09:00:00Z')", [HASH])
    old.execute("INSERT INTO users (id, username, password_hash, created_at) VALUES"
                " (2, 'the.lead', ?, '2025-01-01T09:00:00Z')", [HASH])
    old.execute("INSERT INTO team_members (user_id, team_id, home, lead) VALUES (2, 2, 1, 0), (2, 1, 0, 1)")
    for uid in range(3, 10):
        old.execute("INSERT INTO users (id, username, password_hash, created_at) VALUES"
                    " (?, ?, ?, '2025-01-01T09:00:00Z')", [uid, f"member.{uid}", HASH])
        old.execute("INSERT INTO team_members (user_id, team_id, home, lead) VALUES (?, 1, 1, 0)", [uid])
    # W10 frozen, shown: 6 respondents of 7 members; W09 frozen with 4 (hidden);
    # a 4-week cell (not kept) and a W10 'noteam' cell (the old pool's part).
    cell = ("INSERT INTO aggregate_cells (group_key, period, period_start, team_id, caseload_standard,"
            " members, members_eligible, respondents, eligible, stats, dp) VALUES (?, ?, ?, ?, 15, ?, ?, ?, ?, ?, 0)")
    old.execute(cell, ["team:1", "week", W10.isoformat(), 1, 8, 7, 6, 6,
                       stats(6, exhaustion=5.2, empathy=6.0, high_strain=1 / 3, caseload=15,
                             caseload_ratio=1.0)])
    old.execute(cell, ["team:1", "week", W09.isoformat(), 1, 8, 7, 4, 4, stats(4, exhaustion=3)])
    old.execute(cell, ["team:1", "4week", "2026-02-23", 1, 8, 7, 6, 6, stats(6, exhaustion=9)])
    # Check-ins: one saved through the form in time, one imported long after its day.
    insert = ("INSERT INTO checkins (user_id, day, exhaustion, empathy, detachment, intrusion,"
              " meaning, recovery, time_pressure, created_at, updated_at) VALUES"
              " (?, ?, 5, 5, 5, 5, 5, 5, 5, ?, ?)")
    old.execute(insert, [3, "2026-03-02", "2026-03-02T18:00:00Z", "2026-03-02T18:00:00Z"])
    old.execute(insert, [4, "2026-03-02", "2026-03-14T18:00:00Z", "2026-03-14T18:00:00Z"])
    old.conn.commit()
    old.close()
    db = connect(path)
    yield db
    db.close()


def test_the_old_tables_and_their_exact_sums_are_gone(upgraded):
    tables = {name for (name,) in upgraded.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
    assert not {"aggregate_cells", "dp_releases", "checkin_weeks"} & tables
    assert {"released_weeks", "released_cells", "membership_log"} <= tables


def test_a_frozen_team_week_is_shown_as_it_was_and_never_recomputed(upgraded, clock):
    frame = reports.team_report(upgraded, 1, viewer_id=2)
    w10 = frame[frame["period_start"] == str(W10)].iloc[0]
    assert w10["shown"] and w10["exhaustion"] == 5.0 and w10["high_strain_share_text"] == "about 30%"
    assert (w10["respondents_band"], w10["caseload_vs_standard_pct"]) == ("5-9", 100.0)
    assert w10["participation_text"] == "about 80%"  # 6 of the old 8 members
    w09 = frame[frame["period_start"] == str(W09)].iloc[0]
    assert w09["hidden_code"] == rules.TOO_FEW
    weeks = dict(upgraded.execute("SELECT week_start, rules FROM released_weeks").fetchall())
    assert weeks[W10.isoformat()] == weeks[W09.isoformat()] == "legacy"
    agency = upgraded.execute("SELECT hidden_code FROM released_cells WHERE week_start = ?"
                              " AND group_key = 'agency'", [W10.isoformat()]).fetchone()[0]
    assert agency == rules.NOT_KEPT


def test_members_at_the_upgrade_are_not_shown_a_frozen_week_that_may_hold_their_answers(upgraded, clock):
    from fatigue import accounts

    clock.set(TODAY)
    accounts.set_leads(upgraded, 3, ["North"])
    frame = reports.team_report(upgraded, 1, viewer_id=3)
    assert frame[frame["period_start"] == str(W10)].iloc[0]["hidden_code"] == rules.OWN_DATA


def test_checkins_count_when_they_were_written_within_the_window(upgraded):
    counted = dict(upgraded.execute("SELECT user_id, counts_for_team FROM checkins").fetchall())
    assert counted == {3: 1, 4: 0}


def test_accounts_stood_as_they_stand_since_they_were_made(upgraded):
    from fatigue import membership

    rosters = membership.rosters(upgraded, dt.datetime(2026, 1, 5, tzinfo=dt.timezone.utc))
    assert rosters == {1: [3, 4, 5, 6, 7, 8, 9]}  # not the lead (id 2) nor the admin (id 1)


def test_released_weeks_refuse_changes_after_the_upgrade(upgraded):
    with pytest.raises(sqlite3.IntegrityError):
        upgraded.execute("DELETE FROM released_cells")
