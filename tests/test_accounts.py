"""Accounts, teams, membership and login."""
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
                   "leads": None, "is_admin": 0, "active": 1}
    assert accounts.list_teams(db) == [{"id": 1, "name": "North", "caseload_standard": 15,
                                        "members": 1}]


def test_set_password(db, user):
    accounts.set_password(db, user, "a-brand-new-password")
    assert accounts.authenticate(db, "casey", "a-brand-new-password").id == user
    with pytest.raises(AuthError):
        accounts.authenticate(db, "casey", PASSWORD)
