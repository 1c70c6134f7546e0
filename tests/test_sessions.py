"""Server-side sessions: tokens, limits on the server, ending them (fatigue.sessions)."""
import datetime as dt

import pytest

from fatigue import accounts, audit, erasure, sessions, settings
from fatigue.errors import ValidationError
from fatigue.timestamps import iso

from conftest import PASSWORD

T0 = dt.datetime(2026, 3, 16, 9, 0, 0, tzinfo=dt.timezone.utc)


def at(**delta) -> dt.datetime:
    return T0 + dt.timedelta(**delta)


def rows(db):
    return [dict(zip(("user_id", "kept", "device"), row)) for row in db.execute(
        "SELECT user_id, kept, device FROM sessions ORDER BY id").fetchall()]


def test_only_the_hash_of_the_token_is_stored(db, user):
    token, session = sessions.start(db, user, device="Firefox on Linux", now=T0)
    assert len(token) >= 43  # 32 random bytes
    stored = db.execute("SELECT token_hash FROM sessions").fetchall()
    assert stored == [(sessions.hash_token(token),)]
    assert token not in str(list(db.execute("SELECT * FROM sessions").fetchall()))
    assert sessions.resolve(db, token, now=T0).session == session
    assert session.user_id == user and session.device == "Firefox on Linux"


def test_every_sign_in_gets_a_new_token_and_ends_the_one_it_replaces(db, user):
    first, _ = sessions.start(db, user, now=T0)
    second, _ = sessions.start(db, user, replacing=first, now=at(seconds=5))
    assert first != second
    assert sessions.resolve(db, first, now=at(seconds=6)).session is None
    assert sessions.resolve(db, second, now=at(seconds=6)).session is not None


@pytest.mark.parametrize("token", [None, "", "x", "not a token!", "a" * 500, "é" * 40])
def test_unknown_or_malformed_tokens_sign_in_nobody(db, user, token):
    sessions.start(db, user, now=T0)
    assert sessions.resolve(db, token, now=T0) == sessions.Resolved(None)


def test_browser_session_ends_after_the_idle_limit(db, user):
    token, _ = sessions.start(db, user, now=T0)
    assert sessions.resolve(db, token, now=at(minutes=29)).session is not None  # activity
    assert sessions.resolve(db, token, now=at(minutes=58)).session is not None  # 29 min later
    ended = sessions.resolve(db, token, now=at(minutes=88, seconds=1))  # 30 min 1 s idle
    assert ended == sessions.Resolved(None, "idle", 30)
    # Every later request with the token says the same (a reload, a download) ...
    assert sessions.resolve(db, token, now=at(minutes=89)) == ended
    assert sessions.resolve(db, token, now=at(hours=5)) == ended  # ... activity or not
    assert sessions.for_user(db, user, now=at(minutes=89)) == []
    # ... until a day after the session's own end, when the next sign-in clears it away.
    sessions.start(db, user, now=at(hours=12 + 24))
    assert sessions.resolve(db, token, now=at(hours=36)) == sessions.Resolved(None)
    [entry] = audit.entries(db, action="idle_sign_out")  # once
    assert entry["actor_id"] == user and entry["detail"]["idle_minutes"] == 30


def test_activity_is_stored_at_most_every_30_seconds_and_the_idle_limit_reads_it(db, user):
    token, _ = sessions.start(db, user, now=T0)

    def last_seen():
        return db.execute("SELECT last_seen_at FROM sessions").fetchone()[0]

    sessions.resolve(db, token, now=at(seconds=29))
    assert last_seen() == iso(T0)  # a page's reruns a few seconds apart write nothing
    sessions.resolve(db, token, now=at(seconds=30))
    assert last_seen() == iso(at(seconds=30))
    sessions.resolve(db, token, now=at(seconds=50))  # not stored: 20 s after the last
    ended = sessions.resolve(db, token, now=at(minutes=30, seconds=31))
    assert ended == sessions.Resolved(None, "idle", 30)  # 19 s early, never late


def test_idle_limit_follows_the_setting(db, user):
    settings.set_idle_minutes(db, 60)
    token, _ = sessions.start(db, user, now=T0)
    assert sessions.resolve(db, token, now=at(minutes=59)).session is not None
    assert sessions.resolve(db, token, now=at(minutes=118)).session is not None  # 59 min idle
    assert sessions.resolve(db, token, now=at(minutes=180)).ended == "idle"


def test_browser_session_has_an_absolute_limit_despite_activity(db, user):
    token, session = sessions.start(db, user, now=T0)
    assert session.expires_at == at(hours=12)
    for minutes in range(20, 12 * 60, 20):
        assert sessions.resolve(db, token, now=at(minutes=minutes)).session is not None
    assert sessions.resolve(db, token, now=at(hours=12)).ended == "expired"


def test_kept_session_lasts_the_remembered_days_without_an_idle_limit(db, user):
    token, session = sessions.start(db, user, kept=True, now=T0)
    assert session.kept and session.expires_at == at(days=30)
    assert sessions.cookie_max_age(session, now=T0) == 30 * 24 * 3600
    assert sessions.resolve(db, token, now=at(days=29, hours=23)).session is not None
    assert sessions.resolve(db, token, now=at(days=30)).ended == "expired"
    assert [e["detail"]["kept"] for e in audit.entries(db, action="session_expired")] == [True]


def test_remember_days_setting_and_zero_turns_keeping_off(db, user):
    settings.set_remember_days(db, 7)
    _, week = sessions.start(db, user, kept=True, now=T0)
    assert week.expires_at == at(days=7)
    settings.set_remember_days(db, 0)
    _, browser_only = sessions.start(db, user, kept=True, now=T0)
    assert not browser_only.kept and browser_only.expires_at == at(hours=12)
    assert sessions.cookie_max_age(browser_only) is None
    for bad in (-1, 91, "many", 2.5, True):
        with pytest.raises(ValidationError):
            settings.set_remember_days(db, bad)


def test_a_deactivated_account_signs_in_nowhere(db, user, team):
    admin = accounts.create_user(db, "dana", PASSWORD, team=team, is_admin=True)
    token, _ = sessions.start(db, user, kept=True, now=T0)
    accounts.set_active(db, user, False, actor_id=admin)
    assert sessions.resolve(db, token, now=at(seconds=1)).session is None
    assert rows(db) == []
    [entry] = audit.entries(db, action="sessions_ended")
    assert entry["actor_id"] == admin
    assert entry["detail"] == {"user_id": user, "reason": "account_deactivated", "sessions": 1,
                               "kept_this_one": False}


def test_an_account_made_inactive_around_the_core_is_still_refused(db, user):
    token, _ = sessions.start(db, user, now=T0)
    db.execute("UPDATE users SET active = 0 WHERE id = ?", [user])
    assert sessions.resolve(db, token, now=at(seconds=1)).session is None
    assert rows(db) == []


def test_list_and_end_one_of_my_sessions_but_not_someone_elses(db, user, team):
    other = accounts.create_user(db, "robin", PASSWORD, team=team)
    phone, _ = sessions.start(db, user, kept=True, device="Safari on iPhone", now=T0)
    laptop, mine = sessions.start(db, user, device="Firefox on Windows", now=at(minutes=1))
    theirs, their_session = sessions.start(db, other, now=T0)
    listed = sessions.for_user(db, user, now=at(minutes=2))
    assert [s.device for s in listed] == ["Firefox on Windows", "Safari on iPhone"]
    assert not sessions.end(db, their_session.id, user_id=user)  # not mine
    assert sessions.resolve(db, theirs, now=at(minutes=2)).session is not None
    phone_id = listed[1].id
    assert sessions.end(db, phone_id, user_id=user)
    assert not sessions.end(db, phone_id, user_id=user)  # already gone
    assert sessions.resolve(db, phone, now=at(minutes=2)).session is None
    assert sessions.resolve(db, laptop, now=at(minutes=2)).session == sessions.Session(
        **{**mine.__dict__, "last_seen_at": at(minutes=2)})
    [entry] = audit.entries(db, action="logout")
    assert entry["detail"] == {"method": "password", "device": "Safari on iPhone"}


def test_end_all_keeps_only_the_one_asked_for(db, user):
    tokens = [sessions.start(db, user, now=T0) for _ in range(3)]
    (keep_token, keep), others = tokens[0], tokens[1:]
    assert sessions.end_all(db, user, reason="signed_out_everywhere", keep=keep.id) == 2
    assert [s.id for s in sessions.for_user(db, user, now=T0)] == [keep.id]
    assert all(sessions.resolve(db, t, now=T0).session is None for t, _ in others)
    assert sessions.end_all(db, user, reason="signed_out_everywhere") == 1
    assert sessions.for_user(db, user, now=T0) == []
    assert [e["detail"]["sessions"] for e in audit.entries(db, action="sessions_ended")] == [1, 2]


def test_password_change_ends_every_other_session(db, user):
    here, this = sessions.start(db, user)
    elsewhere, _ = sessions.start(db, user, kept=True)
    accounts.change_password(db, user, PASSWORD, "my-own-quiet-words", keep_session=this.id)
    assert sessions.resolve(db, here).session is not None
    assert sessions.resolve(db, elsewhere).session is None


def test_admin_reset_ends_every_session_so_none_can_choose_the_new_password(db, user, team):
    admin = accounts.create_user(db, "dana", PASSWORD, team=team, is_admin=True)
    old, _ = sessions.start(db, user, kept=True)
    accounts.reset_password(db, user, "temporary-garden-words", actor_id=admin)
    assert sessions.resolve(db, old).session is None
    assert sessions.for_user(db, user) == []
    # Only someone who signs in with the admin's password gets a session that must change it.
    signed_in = accounts.authenticate(db, "casey", "temporary-garden-words")
    _, fresh = sessions.start(db, signed_in.id)
    accounts.complete_forced_change(db, user, "my-own-quiet-words", keep_session=fresh.id)
    assert [s.id for s in sessions.for_user(db, user)] == [fresh.id]


def test_deleting_my_data_ends_my_other_sessions_and_an_admin_deletion_all(db, user, team):
    admin = accounts.create_user(db, "dana", PASSWORD, team=team, is_admin=True)
    _, here = sessions.start(db, user)
    sessions.start(db, user, kept=True)
    erasure.delete_my_data(db, user, "casey", keep_session=here.id)
    assert [s.id for s in sessions.for_user(db, user)] == [here.id]
    erasure.delete_user_data(db, admin, user, "casey")
    assert sessions.for_user(db, user) == []


def test_deleting_an_account_row_takes_its_sessions(db, user):
    sessions.start(db, user)
    db.execute("DELETE FROM users WHERE id = ?", [user])
    assert rows(db) == []


def test_database_refuses_a_stored_token_instead_of_a_hash(db, user):
    import sqlite3

    with pytest.raises(sqlite3.IntegrityError):
        db.execute(
            "INSERT INTO sessions (token_hash, user_id, method, kept, created_at, last_seen_at,"
            " expires_at) VALUES ('raw-token-kept-in-clear', ?, 'password', 0,"
            " '2026-03-16T09:00:00Z', '2026-03-16T09:00:00Z', '2026-03-16T21:00:00Z')", [user])


@pytest.mark.parametrize("agent, label", [
    ("Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) "
     "Chrome/131.0.0.0 Safari/537.36", "Chrome on Linux"),
    ("Mozilla/5.0 (iPhone; CPU iPhone OS 18_1 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like "
     "Gecko) Version/18.1 Mobile/15E148 Safari/604.1", "Safari on iPhone"),
    ("Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:133.0) Gecko/20100101 Firefox/133.0",
     "Firefox on Windows"),
    ("Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) "
     "Chrome/131.0.0.0 Safari/537.36 Edg/131.0.0.0", "Edge on Windows"),
    ("Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) "
     "Chrome/131.0.0.0 Mobile Safari/537.36", "Chrome on Android"),
    ("curl/8.5.0", "A browser"),
    (None, "A browser"),
])
def test_device_labels(agent, label):
    assert sessions.device_label(agent) == label


def test_a_storage_that_refuses_writes_changes_no_verdict(db, user):
    """Read-only (or full) storage (issue 16): a live session stays live, its activity
    unrecorded; one past its limits is refused all the same; nothing raises."""
    live, _ = sessions.start(db, user, now=T0)
    idle, _ = sessions.start(db, user, now=T0)
    sessions.resolve(db, live, now=at(minutes=20))
    db.execute("PRAGMA query_only = ON")  # every write now fails as on a read-only file
    assert sessions.resolve(db, live, now=at(minutes=40)).session is not None
    assert sessions.resolve(db, idle, now=at(minutes=40)) == sessions.Resolved(None, "idle", 30)
    assert sessions.resolve(db, live, now=at(hours=13)) == sessions.Resolved(None, "expired")
    db.execute("PRAGMA query_only = OFF")
    assert db.execute("SELECT count(*) FROM sessions WHERE ended IS NOT NULL").fetchone() == (0,)
