"""Accounts, teams, membership and login."""
import datetime as dt
import json
import sqlite3
import time

import pytest

from fatigue import accounts
from fatigue.errors import AuthError, ValidationError

from conftest import PASSWORD


def test_password_is_stored_as_argon2id_hash(db, user):
    stored = db.execute("SELECT password_hash FROM users WHERE id = ?", [user]).fetchone()[0]
    assert stored.startswith("$argon2id$")
    assert PASSWORD not in stored


def test_login_with_right_password(db, user, team):
    signed_in = accounts.authenticate(db, "  CASEY ", PASSWORD)
    assert (signed_in.id, signed_in.username, signed_in.home_team_id) == (user, "casey", team)
    assert not signed_in.is_lead and not signed_in.is_admin


@pytest.mark.parametrize("username, password", [
    ("casey", "wrong-password-entirely"),
    ("nobody", PASSWORD),
    ("casey", ""),
])
def test_unknown_user_and_wrong_password_get_the_same_message(db, user, username, password):
    with pytest.raises(AuthError) as info:
        accounts.authenticate(db, username, password)
    assert str(info.value) == "Username or password is not right."


def test_deactivated_account_cannot_log_in(db, user):
    accounts.set_active(db, user, False)
    with pytest.raises(AuthError):
        accounts.authenticate(db, "casey", PASSWORD)
    assert accounts.get_user(db, user) is None


def test_unknown_user_costs_a_hash_verification_too(db, user):
    # Timing must not reveal whether the username exists: both paths verify a hash.
    def slowest_of_three(username, password):
        times = []
        for _ in range(3):
            started = time.perf_counter()
            with pytest.raises(AuthError):
                accounts.authenticate(db, username, password)
            times.append(time.perf_counter() - started)
        return min(times)

    unknown = slowest_of_three("nobody", PASSWORD)
    wrong = slowest_of_three("casey", "not-the-password")
    assert unknown > 0.3 * wrong  # same order of work (an argon2 verification), not ~0


def test_lead_and_admin_roles(db, team):
    other = accounts.create_team(db, "South")
    lead = accounts.create_user(db, "lee", PASSWORD, team=team, lead_of=["North", "south"],
                                is_admin=True)
    signed_in = accounts.get_user(db, lead)
    assert signed_in.is_lead and signed_in.is_admin
    assert signed_in.lead_team_ids == (team, other)
    assert signed_in.home_team_id == team


@pytest.mark.parametrize("username, field", [
    ("ab", "username"), ("has space", "username"), ("x" * 41, "username"), ("bad/char", "username"),
])
def test_bad_usernames(db, team, username, field):
    with pytest.raises(ValidationError) as info:
        accounts.create_user(db, username, PASSWORD, team=team)
    assert info.value.field == field


def test_duplicate_username_refused_case_insensitively(db, user, team):
    with pytest.raises(ValidationError) as info:
        accounts.create_user(db, "Casey", PASSWORD, team=team)
    assert info.value.errors == {"username": "The username 'casey' is taken."}


def test_short_password_refused(db, team):
    with pytest.raises(ValidationError) as info:
        accounts.create_user(db, "shorty", "elevenchars", team=team)
    assert info.value.errors == {"password": "Password must be at least 12 characters."}
    assert not accounts.has_users(db)


def test_unknown_team_refused_and_nothing_written(db):
    with pytest.raises(ValidationError) as info:
        accounts.create_user(db, "casey", PASSWORD, team="Nowhere")
    assert info.value.errors == {"team": "There is no team called 'Nowhere'."}
    assert not accounts.has_users(db)


@pytest.mark.parametrize("name, standard, field", [
    ("", 15, "name"), ("   ", 15, "name"), ("x" * 81, 15, "name"), ("East", 0, "caseload_standard"),
    ("East", 201, "caseload_standard"),
])
def test_bad_teams(db, name, standard, field):
    with pytest.raises(ValidationError) as info:
        accounts.create_team(db, name, caseload_standard=standard)
    assert info.value.field == field


@pytest.mark.parametrize("name", ["Agency total", "smaller teams COMBINED", " Agency Total "])
def test_a_team_cannot_take_the_name_of_the_agency_or_the_smaller_teams(db, name):
    """The organisation's figures call those groups so: a team named alike would pass for one."""
    with pytest.raises(ValidationError) as info:
        accounts.create_team(db, name)
    assert "what the organisation figures call a group that is not a team" in info.value.errors["name"]
    assert db.execute("SELECT count(*) FROM teams").fetchone()[0] == 0


def test_team_names_unique_ignoring_case(db, team):
    with pytest.raises(ValidationError):
        accounts.create_team(db, "NORTH")
    assert accounts.team_id(db, "north") == team


def test_one_home_team_per_person_enforced_by_the_database(db, user):
    second = accounts.create_team(db, "South")
    with pytest.raises(sqlite3.IntegrityError):
        db["team_members"].insert({"user_id": user, "team_id": second, "home": 1, "lead": 0})


def test_list_users_and_teams_hold_no_scores(db, user):
    [row] = accounts.list_users(db)
    assert row == {"id": user, "username": "casey", "display_name": "Casey", "home_team": "North",
                   "leads": None, "is_admin": 0, "active": 1, "must_change_password": 0,
                   "sso_email": None}
    assert accounts.list_teams(db) == [{"id": 1, "name": "North", "caseload_standard": 15,
                                        "members": 1}]


def test_set_password(db, user):
    accounts.set_password(db, user, "a-brand-new-password")
    assert accounts.authenticate(db, "casey", "a-brand-new-password").id == user
    with pytest.raises(AuthError):
        accounts.authenticate(db, "casey", PASSWORD)


# --- common passwords ------------------------------------------------------------

@pytest.mark.parametrize("password", [
    "password1234",          # a listed password, digits added
    "PASSWORD1234",          # ignoring case
    "1234567890!!",          # listed digits, symbols added
    "2026!football",         # padding before
    "!!dragon2026!!",
    "passwordpassword",      # a listed password repeated
    "qwertyqwerty!",         # repeated, with an addition
    "abcabcabcabc",          # a short piece repeated
    "aaaaaaaaaaaa",
    "123412341234",
    "1qaz2wsx3edc",          # on the list itself (12 characters)
    "Iloveyou1234",
])
def test_common_passwords_and_trivial_stretchings_refused(db, team, password):
    with pytest.raises(ValidationError) as info:
        accounts.create_user(db, "casey", password, team=team)
    assert info.value.errors == {"password": accounts.TOO_COMMON}
    assert not accounts.has_users(db)


@pytest.mark.parametrize("password", [
    "demo-password-2026",            # the public demo password: not a common one
    PASSWORD,
    "correct horse battery staple",
    "password-for-my-garden-shed",   # contains a listed word, but more than padding
    "blue kettle 1987 lantern",
])
def test_uncommon_passwords_accepted(password):
    accounts.check_password(password)  # does not raise
    assert not accounts.is_common_password(password)


def test_common_password_list_is_shipped_with_its_notice():
    common = accounts.common_passwords()
    assert len(common) == 30_000
    assert {"password", "123456", "qwerty", "dragon"} <= common
    assert accounts.COMMON_PASSWORDS_FILE.with_name("common_passwords.NOTICE").exists()


@pytest.mark.parametrize("change", ["change", "reset", "forced"])
def test_every_way_of_setting_a_password_refuses_common_ones(db, user, change):
    admin = accounts.create_user(db, "dana", PASSWORD, team="North", is_admin=True)
    with pytest.raises(ValidationError) as info:
        if change == "change":
            accounts.change_password(db, user, PASSWORD, "password1234")
        elif change == "reset":
            accounts.reset_password(db, user, "password1234", actor_id=admin)
        else:
            accounts.set_password(db, user, PASSWORD, must_change=True)
            accounts.complete_forced_change(db, user, "password1234")
    assert info.value.errors == {"password": accounts.TOO_COMMON}
    assert accounts.authenticate(db, "casey", PASSWORD).id == user


# --- rehash ----------------------------------------------------------------------

def test_old_hash_parameters_are_upgraded_at_login(db, user):
    from argon2 import PasswordHasher

    for earlier in (PasswordHasher(time_cost=1, memory_cost=8 * 1024, parallelism=1),
                    PasswordHasher()):  # argon2-cffi's default: 64 MiB, 3 passes, 4 lanes
        old = earlier.hash(PASSWORD)
        db.execute("UPDATE users SET password_hash = ? WHERE id = ?", [old, user])
        accounts.authenticate(db, "casey", PASSWORD)
        stored = db.execute("SELECT password_hash FROM users WHERE id = ?", [user]).fetchone()[0]
        assert stored.startswith("$argon2id$v=19$m=19456,t=2,p=1$")  # fatigue.password_cost
        assert accounts.authenticate(db, "casey", PASSWORD).id == user


def test_a_new_password_is_hashed_at_owasps_argon2id_setting(db, user):
    stored = db.execute("SELECT password_hash FROM users WHERE id = ?", [user]).fetchone()[0]
    assert stored.startswith("$argon2id$v=19$m=19456,t=2,p=1$")


# --- lockout ---------------------------------------------------------------------

T0 = dt.datetime(2026, 3, 16, 9, 0, 0, tzinfo=dt.timezone.utc)


def fail(db, username, at, password="not-the-password"):
    with pytest.raises(AuthError) as info:
        accounts.authenticate(db, username, password, now=at)
    return info.value


@pytest.mark.parametrize("failures, seconds", [
    (1, 0), (4, 0), (5, 30), (6, 60), (7, 120), (8, 240), (9, 480), (10, 900), (50, 900),
])
def test_lock_grows_and_is_capped(failures, seconds):
    assert accounts.lock_seconds(failures) == seconds


@pytest.mark.parametrize("username", ["casey", "nobody-here"])
def test_lockout_after_five_failures_for_real_and_unknown_names(db, user, username):
    for i in range(4):
        error = fail(db, username, T0 + dt.timedelta(seconds=i))
        assert str(error) == "Username or password is not right."
    error = fail(db, username, T0 + dt.timedelta(seconds=4))
    assert isinstance(error, accounts.LockedOut)
    assert str(error) == ("Username or password is not right. Too many failed logins for this "
                          "username. Try again in 30 seconds (after 09:00:34 UTC).")
    # While locked even the right password is refused, without counting.
    locked = fail(db, username, T0 + dt.timedelta(seconds=20), password=PASSWORD)
    assert str(locked) == ("Too many failed logins for this username. Try again in 14 seconds "
                           "(after 09:00:34 UTC).")
    # The next failure after the lock doubles it.
    error = fail(db, username, T0 + dt.timedelta(seconds=35))
    assert error.until == T0 + dt.timedelta(seconds=35 + 60)


def test_lockout_holds_across_connections_and_names_are_normalised(db_path, db, user):
    from fatigue.db import connect

    for i in range(5):
        fail(db, " CASEY ", T0 + dt.timedelta(seconds=i))
    other = connect(db_path)
    try:
        error = fail(other, "casey", T0 + dt.timedelta(seconds=10), password=PASSWORD)
        assert isinstance(error, accounts.LockedOut)
    finally:
        other.close()


def test_success_resets_the_count(db, user):
    for i in range(4):
        fail(db, "casey", T0 + dt.timedelta(seconds=i))
    accounts.authenticate(db, "casey", PASSWORD, now=T0 + dt.timedelta(seconds=5))
    for i in range(4):
        error = fail(db, "casey", T0 + dt.timedelta(seconds=10 + i))
        assert not isinstance(error, accounts.LockedOut)


def test_failures_older_than_a_day_are_forgotten(db, user):
    for i in range(4):
        fail(db, "casey", T0 + dt.timedelta(seconds=i))
    error = fail(db, "casey", T0 + dt.timedelta(days=1, minutes=1))
    assert not isinstance(error, accounts.LockedOut)


# An attacker at one address, the owner at another (client addresses as the server sees them).
ATTACKER, OWNER = "203.0.113.66", "198.51.100.7"


def fail_from(db, username, address, at, password="not-the-password"):
    with pytest.raises(AuthError) as info:
        accounts.authenticate(db, username, password, address=address, now=at)
    return info.value


def test_someone_elsewhere_cannot_lock_the_owner_out(db, user):
    """The attack of the security review: 5 failures, then one every 15 minutes."""
    moment = T0
    for i in range(14):  # the lock reaches its 15-minute cap at the 10th failure
        fail_from(db, "casey", ATTACKER, moment)
        lock = accounts.lock_in_force(db, "casey", ATTACKER, now=moment)
        moment = lock.until if lock else moment + dt.timedelta(seconds=1)
    assert isinstance(fail_from(db, "casey", ATTACKER, moment - dt.timedelta(seconds=1),
                                password=PASSWORD), accounts.LockedOut)
    # The owner, at their own address, signs in at once, at any moment of the attack.
    assert accounts.authenticate(db, "casey", PASSWORD, address=OWNER, now=moment).id == user


def test_right_password_works_after_the_cooling_off_even_from_the_attacked_address(db, user):
    for i in range(8):  # locks of 30, 60, 120 and 240 s, each waited out
        lock = accounts.lock_in_force(db, "casey", ATTACKER, now=T0 + dt.timedelta(minutes=10 * i))
        assert lock is None
        fail_from(db, "casey", ATTACKER, T0 + dt.timedelta(minutes=10 * i))
    locked = accounts.lock_in_force(db, "casey", ATTACKER, now=T0 + dt.timedelta(minutes=70))
    assert locked.until == T0 + dt.timedelta(minutes=70, seconds=240)
    refused = fail_from(db, "casey", ATTACKER, T0 + dt.timedelta(minutes=72), password=PASSWORD)
    assert str(refused).startswith("Too many failed logins for this username. Try again in 2")
    # Refused attempts do not count, so the lock does not grow while the owner waits.
    assert accounts.lock_in_force(db, "casey", ATTACKER,
                                  now=T0 + dt.timedelta(minutes=72)).until == locked.until
    assert accounts.authenticate(db, "casey", PASSWORD, address=ATTACKER,
                                 now=locked.until).id == user


def test_an_address_trying_many_names_is_locked_for_all_of_them(db, user):
    for i in range(19):
        error = fail_from(db, f"name{i}", ATTACKER, T0 + dt.timedelta(seconds=i))
        assert not isinstance(error, accounts.LockedOut)
    error = fail_from(db, "name19", ATTACKER, T0 + dt.timedelta(seconds=19))
    assert str(error) == ("Username or password is not right. Too many failed logins from your "
                          "network address. Try again in 30 seconds (after 09:00:49 UTC).")
    assert isinstance(fail_from(db, "casey", ATTACKER, T0 + dt.timedelta(seconds=20),
                                password=PASSWORD), accounts.LockedOut)
    assert accounts.authenticate(db, "casey", PASSWORD, address=OWNER,
                                 now=T0 + dt.timedelta(seconds=20)).id == user


def test_global_ceiling_holds_back_failing_addresses_but_not_a_fresh_one(db, user, monkeypatch):
    monkeypatch.setattr(accounts, "GLOBAL_FAILURES_PER_MINUTE", 6)  # 60 by default: fewer hashes
    minute = T0 + dt.timedelta(seconds=5)
    for i in range(6):  # one failure from each of 6 addresses
        fail_from(db, "casey", f"192.0.2.{i}", minute)
    error = fail_from(db, "casey", "192.0.2.1", minute, password=PASSWORD)
    assert str(error) == ("Too many failed logins on this server in the last minute. Try again "
                          "in 55 seconds (after 09:01:00 UTC).")
    assert accounts.authenticate(db, "casey", PASSWORD, address=OWNER, now=minute).id == user
    # The next minute starts afresh.
    assert accounts.authenticate(db, "casey", PASSWORD, address="192.0.2.1",
                                 now=T0 + dt.timedelta(minutes=1)).id == user


def test_success_clears_only_the_count_from_that_address(db, user):
    for i in range(4):
        fail_from(db, "casey", ATTACKER, T0 + dt.timedelta(seconds=i))
        fail_from(db, "casey", OWNER, T0 + dt.timedelta(seconds=i))
    accounts.authenticate(db, "casey", PASSWORD, address=OWNER, now=T0 + dt.timedelta(seconds=5))
    assert not isinstance(fail_from(db, "casey", OWNER, T0 + dt.timedelta(seconds=6)),
                          accounts.LockedOut)
    assert isinstance(fail_from(db, "casey", ATTACKER, T0 + dt.timedelta(seconds=6)),
                      accounts.LockedOut)


def test_unlock_lifts_the_locks_of_a_name_or_an_address(db, user):
    for i in range(20):  # 5 for casey (then locked, not counted), 15 for other names
        fail_from(db, "casey" if i < 5 else f"name{i}", ATTACKER, T0 + dt.timedelta(seconds=i))
    assert accounts.unlock(db, username=" Casey ") == 1
    still = accounts.lock_in_force(db, "casey", ATTACKER, now=T0 + dt.timedelta(seconds=21))
    assert str(still).startswith("Too many failed logins from your network address.")
    assert accounts.unlock(db, address=ATTACKER) == 16  # its own count, and 15 names' from it
    assert accounts.lock_in_force(db, "casey", ATTACKER, now=T0 + dt.timedelta(seconds=21)) is None
    assert [e["detail"] for e in audit_entries(db, "unlocked")] == [
        {"address": ATTACKER, "counters": 16}, {"username": "casey", "counters": 1}]
    for bad in ({}, {"username": "casey", "address": ATTACKER}, {"username": "  "}):
        with pytest.raises(ValidationError):
            accounts.unlock(db, **bad)


def audit_entries(db, action):
    from fatigue import audit

    return audit.entries(db, action=action)


def test_current_password_check_is_throttled_and_audited(db, user):
    for i in range(4):
        with pytest.raises(AuthError) as info:
            accounts.change_password(db, user, "not-it", "my-own-quiet-words", address=ATTACKER,
                                     now=T0 + dt.timedelta(seconds=i))
        assert str(info.value) == "Your current password is not right."
    with pytest.raises(accounts.LockedOut) as info:
        accounts.change_password(db, user, "not-it", "my-own-quiet-words", address=ATTACKER,
                                 now=T0 + dt.timedelta(seconds=4))
    assert str(info.value).startswith("Your current password is not right. Too many failed")
    with pytest.raises(accounts.LockedOut):  # even the right one, while locked
        accounts.change_password(db, user, PASSWORD, "my-own-quiet-words", address=ATTACKER,
                                 now=T0 + dt.timedelta(seconds=10))
    entries = audit_entries(db, "password_check_failed")
    assert len(entries) == 6 and {e["actor_id"] for e in entries} == {user}
    assert entries[0]["detail"] == {"address": ATTACKER, "reason": "locked"}
    accounts.change_password(db, user, PASSWORD, "my-own-quiet-words", address=ATTACKER,
                             now=T0 + dt.timedelta(seconds=40))
    assert accounts.authenticate(db, "casey", "my-own-quiet-words").id == user


def test_admin_reset_clears_the_lock_and_forces_a_change(db, user):
    admin = accounts.create_user(db, "dana", PASSWORD, team="North", is_admin=True)
    for i in range(5):
        fail(db, "casey", T0 + dt.timedelta(seconds=i))
    accounts.reset_password(db, user, "temporary-garden-words", actor_id=admin)
    signed_in = accounts.authenticate(db, "casey", "temporary-garden-words",
                                      now=T0 + dt.timedelta(seconds=6))
    assert signed_in.must_change_password
    with pytest.raises(ValidationError) as info:
        accounts.complete_forced_change(db, user, "temporary-garden-words")
    assert info.value.errors == {
        "password": "Choose a password different from the one the admin set."}
    accounts.complete_forced_change(db, user, "my-own-quiet-words")
    assert not accounts.get_user(db, user).must_change_password
    with pytest.raises(ValidationError):  # only once, not a way around the current password
        accounts.complete_forced_change(db, user, "yet-another-phrase-here")


def test_own_change_clears_must_change(db, user):
    accounts.set_password(db, user, PASSWORD, must_change=True)
    accounts.change_password(db, user, PASSWORD, "my-own-quiet-words")
    assert not accounts.get_user(db, user).must_change_password


def test_accounts_default_to_no_forced_change_unless_asked(db, team):
    plain_id = accounts.create_user(db, "plain", PASSWORD, team=team)
    forced = accounts.create_user(db, "forced", PASSWORD, team=team, must_change_password=True)
    assert not accounts.get_user(db, plain_id).must_change_password
    assert accounts.get_user(db, forced).must_change_password


# --- leads, activation, audit ---------------------------------------------------------

def test_set_leads_keeps_the_home_team(db, user, team):
    from fatigue import audit

    south = accounts.create_team(db, "South")
    accounts.set_leads(db, user, ["North", "South"], actor_id=user)
    assert accounts.get_user(db, user).lead_team_ids == (team, south)
    accounts.set_leads(db, user, [], actor_id=user)
    changed = accounts.get_user(db, user)
    assert changed.lead_team_ids == () and changed.home_team_id == team
    assert [e["detail"]["teams"] for e in audit.entries(db, action="leads_changed")] == [
        [], ["North", "South"]]
    with pytest.raises(ValidationError):
        accounts.set_leads(db, user, ["Nowhere"])


def test_admin_actions_and_logins_are_audited(db, team):
    from fatigue import audit

    admin = accounts.create_user(db, "dana", PASSWORD, team=team, is_admin=True)
    accounts.create_team(db, "South", caseload_standard=12, actor_id=admin)
    accounts.set_caseload_standard(db, "South", 14, actor_id=admin)
    casey = accounts.create_user(db, "casey", PASSWORD, team=team, actor_id=admin,
                                 must_change_password=True)
    accounts.set_active(db, casey, False, actor_id=admin)
    accounts.set_active(db, casey, True, actor_id=admin)
    accounts.reset_password(db, casey, "temporary-garden-words", actor_id=admin)
    accounts.authenticate(db, "dana", PASSWORD)
    fail(db, "Dana-typo-" + "x" * 60, T0)
    log = audit.entries(db)
    assert [e["action"] for e in reversed(log)] == [
        "team_created", "caseload_standard_changed", "account_created", "account_deactivated",
        "account_reactivated", "password_reset", "login", "login_failed"]
    assert log[0]["detail"] == {"username": None, "no_such_account": True,  # never as typed
                                "address": ""}  # not known outside a request
    assert log[-2]["detail"] == {"from": 12, "to": 14, "team": "South",
                                 "team_id": accounts.team_id(db, "South")}
    assert all(PASSWORD not in json.dumps(e["detail"]) for e in log)


def test_migration_0005_keeps_existing_accounts_able_to_log_in(tmp_path):
    from fatigue.db import connect
    from fatigue.migrations import migrations

    db = connect(tmp_path / "old.db", migrate=False)
    migrations.apply(db, stop_before="0005_account_security")
    team = db["teams"].insert({"name": "North"}).last_pk
    db["users"].insert({"username": "casey", "password_hash": accounts.hash_password(PASSWORD)})
    db["team_members"].insert({"user_id": 1, "team_id": team, "home": 1, "lead": 0})
    migrations.apply(db)
    signed_in = accounts.authenticate(db, "casey", PASSWORD)
    assert not signed_in.must_change_password
    assert accounts.list_users(db)[0]["sso_email"] is None
    with pytest.raises(sqlite3.IntegrityError):  # the new columns keep their rules
        db.execute("UPDATE users SET sso_email = 'Not Lower@x.org' WHERE id = 1")
    db.close()


def test_a_burst_of_sign_ins_checks_at_most_two_passwords_at_once(db, db_path, user, monkeypatch):
    """Each check holds 64 MiB while it runs: ten people signing in at the same moment
    must not hold 640 MiB in one app process. All of them still get in."""
    import threading

    from fatigue.db import connect

    running, most = [0], [0]
    lock = threading.Lock()

    class Counted:
        """The real hasher, counting the checks in progress."""

        def __getattr__(self, name):
            return getattr(real, name)

        def verify(self, stored, password):
            with lock:
                running[0] += 1
                most[0] = max(most[0], running[0])
            time.sleep(0.05)
            with lock:
                running[0] -= 1
            return real.verify(stored, password)

    real = accounts._hasher
    monkeypatch.setattr(accounts, "_hasher", Counted())
    signed_in = []

    def sign_in():
        conn = connect(db_path)
        try:
            signed_in.append(accounts.authenticate(conn, "casey", PASSWORD).id)
        finally:
            conn.close()

    threads = [threading.Thread(target=sign_in) for _ in range(10)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert signed_in == [user] * 10
    assert most[0] == accounts.PASSWORD_CHECKS_AT_ONCE == 2


@pytest.mark.parametrize("name", ["gnp\u202e.exe", "Ca\u200bsey"])
def test_display_names_with_invisible_or_direction_characters_are_refused(db, team, name):
    with pytest.raises(ValidationError) as info:
        accounts.create_user(db, "casey", PASSWORD, team=team, display_name=name)
    assert info.value.errors == {"display_name": "Display name must be one line of text, without "
                                                 "control, invisible or text-direction characters."}
    assert not accounts.has_users(db)
