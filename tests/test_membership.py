"""The history of each account's standing (fatigue/membership.py), kept by triggers."""
from __future__ import annotations

import datetime as dt

from fatigue import accounts, membership

from conftest import PASSWORD

HASH = accounts.hash_password(PASSWORD)


def at(day: int) -> dt.datetime:
    return dt.datetime(2026, 3, day, 9, tzinfo=dt.timezone.utc)


def test_every_change_of_standing_is_logged_on_the_apps_clock(db, clock):
    clock.now = at(2)
    north = accounts.create_team(db, "North")
    south = accounts.create_team(db, "South")
    uid = accounts.create_user(db, "sam", PASSWORD, team="North", password_hash=HASH)
    clock.now = at(4)
    accounts.set_leads(db, uid, ["South"])
    clock.now = at(6)
    accounts.set_active(db, uid, False)
    # A change made of several statements logs each step; the last one at a moment holds.
    standing = {r["at"]: (r["home_team_id"], r["leads"], r["is_admin"], r["active"])
                for r in membership.history(db, uid)}
    assert standing == {
        "2026-03-02T09:00:00Z": (north, 0, 0, 1),
        "2026-03-04T09:00:00Z": (north, 1, 0, 1),
        "2026-03-06T09:00:00Z": (north, 1, 0, 0),
    }
    assert south


def test_rosters_are_the_accounts_that_count_as_they_stood_before_a_moment(db, clock):
    clock.now = at(2)
    accounts.create_team(db, "North")
    a, b, c = (accounts.create_user(db, name, PASSWORD, team="North", password_hash=HASH)
               for name in ("aa.a", "bb.b", "cc.c"))
    loner = accounts.create_user(db, "loner", PASSWORD, password_hash=HASH)
    admin = accounts.create_user(db, "boss", PASSWORD, team="North", is_admin=True,
                                 password_hash=HASH)
    clock.now = at(4)
    accounts.set_leads(db, a, ["North"])
    north = accounts.team_id(db, "North")
    assert membership.rosters(db, at(3)) == {north: [a, b, c], None: [loner]}
    assert membership.rosters(db, at(5)) == {north: [b, c], None: [loner]}
    assert membership.rosters(db, at(1)) == {}
    assert admin not in membership.rosters(db, at(5))[north]


def test_the_demo_can_date_its_accounts_back(db, clock):
    uid = accounts.create_user(db, "sam", PASSWORD, password_hash=HASH)
    membership.record_state(db, uid, at(1))
    assert membership.rosters(db, at(2)) == {None: [uid]}


def test_one_teams_roster_is_that_team_of_all_the_rosters_after_moves(db, clock):
    """``rosters(..., team_id)`` (for one team's status, without reading the whole agency)
    gives exactly that team's entry of the agency's rosters, also for someone who moved."""
    clock.now = at(2)
    north, south = (accounts.create_team(db, name) for name in ("North", "South"))
    a, b, mover = (accounts.create_user(db, name, PASSWORD, team="North", password_hash=HASH)
                   for name in ("aa.a", "bb.b", "mover"))
    accounts.create_user(db, "loner", PASSWORD, password_hash=HASH)
    clock.now = at(4)
    db.execute("UPDATE team_members SET team_id = ? WHERE user_id = ? AND home = 1",
               [south, mover])
    clock.now = at(6)
    accounts.set_active(db, b, False)
    assert membership.rosters(db, at(5), south) == {south: [mover]}
    assert membership.rosters(db, at(3), south) == {}
    for day in (1, 3, 5, 7):
        everyone = membership.rosters(db, at(day))
        for team in (north, south):
            assert membership.rosters(db, at(day), team) == (
                {team: everyone[team]} if team in everyone else {})
    assert membership.rosters(db, at(7), north) == {north: [a]}
