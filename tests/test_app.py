"""The app's gate (AppTest): first run, who is signed in (from the session cookie),
navigation by role, the signed-out screen, the forced password change.

Signing in and out over HTTP (the form, lockout, cookies, single sign-on) is in
tests/test_web_signin.py; in a real browser, tests/e2e/test_sessions.py.
"""
import datetime as dt

import pytest

from fatigue import accounts, audit, firstrun, sessions, settings, sso

from conftest import PASSWORD, log_in, sign_in, start_app, texts


def html(at) -> list[str]:
    return [element.proto.body for element in at.get("html")]


def test_empty_database_shows_first_run_screen(db):
    at = start_app()
    assert texts(at.title) == ["Set up the check-in tool"]
    assert "Load demo agency" in [b.label for b in at.button]


def fill_first_admin(at, password=PASSWORD, repeat=PASSWORD, code=None):
    at.text_input(key="setup_code").input(firstrun.setup_code() if code is None else code)
    at.text_input[1].input("Intake")
    at.text_input[2].input("Dana.Admin")
    at.text_input[3].input("Dana")
    at.text_input[4].input(password)
    at.text_input[5].input(repeat)
    return at.button[0].click().run()


def test_first_admin_is_created_then_signs_in(db):
    at = fill_first_admin(start_app())
    assert not at.exception
    assert texts(at.success) == ["The admin account 'dana.admin' is ready. Log in with it to go on."]
    assert html(at) == ['<a href="/signin" style="display:inline-block;padding:.4rem .9rem;'
                        'border-radius:.5rem;font-weight:600;text-decoration:none;'
                        'background:#b0303e;color:#fff;border:1px solid #b0303e">Log in</a>']
    user = accounts.authenticate(db, "dana.admin", PASSWORD)
    assert user.is_admin and user.home_team_id == accounts.team_id(db, "Intake")
    assert texts(log_in("dana.admin").title) == ["Hello, Dana"]


def test_first_admin_password_mismatch_and_weak_password(db):
    at = fill_first_admin(start_app(), repeat="something-else-entirely")
    assert texts(at.error) == ["The two passwords differ."]
    at = fill_first_admin(start_app(), password="short", repeat="short")
    assert texts(at.error) == ["Password must be at least 12 characters."]
    assert not accounts.has_users(db)
    assert accounts.list_teams(db) == []  # the team is not left behind either


def test_first_run_needs_the_setup_code(db):
    at = fill_first_admin(start_app(), code="not-the-code")
    assert texts(at.error) == [
        "Enter the set-up code shown in the terminal where the app was started."]
    assert not accounts.has_users(db)
    at = start_app()
    at.text_input(key="setup_code").input("wrong")
    at = next(b for b in at.button if b.label == "Load demo agency").click().run()
    assert not accounts.has_users(db)


def test_set_up_codes_of_any_text_are_simply_not_the_code(monkeypatch):
    monkeypatch.setenv("FATIGUE_SETUP_CODE", "abcd-1234")
    for code in ("café-1234", "ABCD-1234\u0301", "🔑", "\udc80", None, 1234):
        assert not firstrun.check(code)


@pytest.mark.parametrize("code", ["café-1234", "🔑", "x" * 5000])
def test_any_typed_set_up_code_gets_a_plain_refusal(db, code):
    at = fill_first_admin(start_app(), code=code)
    assert not at.exception
    assert texts(at.error) == [
        "Enter the set-up code shown in the terminal where the app was started."]
    assert not accounts.has_users(db)


def test_load_demo_from_the_first_run_screen(db):
    from fatigue import demo

    at = start_app()
    at.text_input(key="setup_code").input(firstrun.setup_code())
    at = next(b for b in at.button if b.label == "Load demo agency").click().run()
    assert not at.exception
    assert accounts.has_users(db)
    assert texts(at.success)[0].startswith("Demo agency loaded.")
    assert demo.DEMO_PASSWORD in texts(at.success)[0]
    # Demo accounts keep the public demo password: never forced to change it.
    assert not any(u["must_change_password"] for u in accounts.list_users(db))


def test_first_admin_cannot_use_a_common_password(db):
    at = fill_first_admin(start_app(), password="password1234", repeat="password1234")
    assert texts(at.error) == [accounts.TOO_COMMON]
    assert not accounts.has_users(db)


def test_setup_code_from_the_environment(monkeypatch):
    monkeypatch.setenv("FATIGUE_SETUP_CODE", "abcd-1234")
    assert firstrun.setup_code() == "abcd-1234"
    assert firstrun.check(" ABCD-1234 ") and not firstrun.check("abcd-1235")
    monkeypatch.delenv("FATIGUE_SETUP_CODE")
    assert firstrun.setup_code() == firstrun.setup_code() != "abcd-1234"


# --- who is signed in: the session cookie, resolved on the server --------------------

def test_a_session_cookie_signs_in_and_offers_log_out(db, user):
    at = log_in("casey")
    assert not at.exception
    assert texts(at.title) == ["Hello, Casey"]
    assert "Signed in as **Casey**" in texts(at.sidebar.markdown)
    [form] = [body for body in html(at) if not body.startswith("<style>")]  # Home: the form's CSS
    assert form.startswith('<form method="post" action="/signout"') and ">Log out</button>" in form


@pytest.mark.parametrize("token", [None, "", "made-up-token-of-the-right-shape-123456789"])
def test_without_a_live_session_the_signed_out_screen_runs_no_page(db, user, token):
    at = start_app(token=token)
    assert texts(at.title) == ["Caseload check-in"]
    assert texts(at.info) == ["You are signed out. Please log in."]
    assert len(at.sidebar) == 0 and not [m for m in at.markdown if "Signed in" in m.value]


def test_nothing_in_session_state_signs_anyone_in(db, user):
    """The old gate trusted st.session_state["user_id"]; only the cookie counts now."""
    at = start_app()
    for key, value in {"user_id": user, "auth_method": "password", "last_active": 0}.items():
        at.session_state[key] = value
    at.run()
    assert texts(at.title) == ["Caseload check-in"]


def test_a_session_ended_elsewhere_signs_this_page_out_at_its_next_run(db, user):
    at = log_in("casey")
    accounts.change_password(db, user, PASSWORD, "my-own-quiet-words")  # from another device
    at.run()
    assert texts(at.title) == ["Caseload check-in"]
    assert texts(at.info) == ["You are signed out. Please log in."]


def test_deactivated_while_signed_in_is_signed_out(db, user):
    at = log_in("casey")
    accounts.set_active(db, user, False)
    at.run()
    assert texts(at.title) == ["Caseload check-in"]


def idle_for(db, minutes):
    """Move every session's last activity ``minutes`` into the past."""
    moment = dt.datetime.now(dt.timezone.utc) - dt.timedelta(minutes=minutes)
    db.execute("UPDATE sessions SET last_seen_at = ?", [moment.strftime("%Y-%m-%dT%H:%M:%SZ")])


def test_idle_session_is_signed_out_and_told_why(db, user):
    at = log_in("casey")
    idle_for(db, 31)
    at.run()
    assert texts(at.title) == ["Caseload check-in"]
    assert texts(at.info) == [
        "You were signed out after 30 minutes without activity. Please log in again."]
    assert 'href="/signin?ended=idle"' in html(at)[0]
    [entry] = audit.entries(db, action="idle_sign_out")
    assert entry["actor_id"] == user and entry["detail"]["idle_minutes"] == 30
    assert sessions.for_user(db, user) == []


def test_idle_timeout_follows_the_setting_and_activity_keeps_the_session(db, user):
    settings.set_idle_minutes(db, 60)
    at = log_in("casey")
    idle_for(db, 31)
    at.run()
    assert texts(at.title) == ["Hello, Casey"]  # 31 minutes is within 60
    last = db.execute("SELECT last_seen_at FROM sessions").fetchone()[0]
    assert last >= (dt.datetime.now(dt.timezone.utc) - dt.timedelta(minutes=1)).strftime(
        "%Y-%m-%dT%H:%M:%SZ")  # the run counted as activity


def test_a_kept_session_has_no_idle_limit(db, user):
    at = start_app(token=sign_in("casey", keep=True))
    idle_for(db, 3 * 24 * 60)  # three days away
    at.run()
    assert texts(at.title) == ["Hello, Casey"]


# --- after an admin reset ------------------------------------------------------------

@pytest.fixture
def reset_user(db, user, team):
    admin = accounts.create_user(db, "dana", PASSWORD, team=team, is_admin=True)
    accounts.reset_password(db, user, "temporary-garden-words", actor_id=admin)
    return user


def test_after_a_reset_only_the_new_password_screen_is_shown(db, reset_user):
    at = log_in("casey", "temporary-garden-words")
    assert texts(at.title) == ["Choose a new password"]
    assert len(at.sidebar) == 0  # no navigation, no page
    assert html(at)[0].startswith('<form method="post" action="/signout"')  # can log out
    at.text_input(key="forced_new").input("my-own-quiet-words")
    at.text_input(key="forced_repeat").input("my-own-quiet-words")
    at = at.button(key="forced_submit").click().run()
    assert texts(at.title) == ["Hello, Casey"]
    assert accounts.authenticate(db, "casey", "my-own-quiet-words").id == reset_user


def test_a_session_open_before_the_reset_cannot_choose_the_password(db, user, team):
    before = start_app(token=sign_in("casey"))
    assert texts(before.title) == ["Hello, Casey"]
    admin = accounts.create_user(db, "dana", PASSWORD, team=team, is_admin=True)
    accounts.reset_password(db, user, "temporary-garden-words", actor_id=admin)
    before.run()
    assert texts(before.title) == ["Caseload check-in"]  # signed out, not "Choose a new password"
    assert not [t for t in before.text_input if t.key == "forced_new"]
    assert accounts.get_user(db, user).must_change_password


def test_the_forced_change_ends_every_other_session(db, reset_user):
    other = start_app(token=sign_in("casey", "temporary-garden-words"))
    at = log_in("casey", "temporary-garden-words")
    at.text_input(key="forced_new").input("my-own-quiet-words")
    at.text_input(key="forced_repeat").input("my-own-quiet-words")
    at.button(key="forced_submit").click().run()
    other.run()
    assert texts(other.title) == ["Caseload check-in"]
    assert db.execute("SELECT count(*) FROM sessions").fetchone() == (1,)


def test_pages_refuse_to_run_before_the_forced_change(db, reset_user):
    at = log_in("casey", "temporary-garden-words", script="../fatigue/pages/checkin.py")
    assert texts(at.warning) == ["Please choose a new password first."]


@pytest.mark.parametrize("new, repeat, message", [
    ("my-own-quiet-words", "other-quiet-words", "The two new passwords differ."),
    ("temporary-garden-words", None, "Choose a password different from the one the admin set."),
    ("letmein123456", None, accounts.TOO_COMMON),
    ("short", None, "Password must be at least 12 characters."),
])
def test_forced_change_refusals_keep_the_screen(db, reset_user, new, repeat, message):
    at = log_in("casey", "temporary-garden-words")
    at.text_input(key="forced_new").input(new)
    at.text_input(key="forced_repeat").input(new if repeat is None else repeat)
    at = at.button(key="forced_submit").click().run()
    assert texts(at.error) == [message]
    assert texts(at.title) == ["Choose a new password"]
    assert [s.user_id for s in sessions.for_user(db, reset_user)] == [reset_user]


# --- notices at the next sign-in (single sign-on itself is in tests/test_web_signin.py) ----

def test_an_admins_change_of_the_sso_email_is_shown_at_the_next_sign_in(db, user, team):
    admin = accounts.create_user(db, "boss", PASSWORD, team=team, is_admin=True)
    sso.set_email(db, user, "casey@agency.org", actor_id=admin)
    at = log_in("casey")
    [notice] = [t for t in texts(at.text) if "changed the email you can sign in with" in t]
    assert "the admin 'boss'" in notice and "to casey@agency.org" in notice
    assert texts(at.title) == ["Hello, Casey"]  # the page is there too
    at = at.button(key="sign_in_notices_seen").click().run()
    assert not [t for t in texts(at.text) if "changed the email" in t]
    assert not [t for t in texts(log_in("casey").text) if "changed the email" in t]  # once

