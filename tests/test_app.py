"""The app's gate: first run, login, navigation by role, log out (AppTest)."""
import time

import pytest

from fatigue import accounts, audit, firstrun, settings, sso
from fatigue.pages._gate import NOT_A_DIAGNOSIS
from fatigue.pages._session import plain

from conftest import PASSWORD, log_in, start_app, texts


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


def test_first_admin_is_created_and_signed_in(db):
    at = fill_first_admin(start_app())
    assert not at.exception
    assert texts(at.title) == ["Hello, Dana"]
    user = accounts.authenticate(db, "dana.admin", PASSWORD)
    assert user.is_admin and user.home_team_id == accounts.team_id(db, "Intake")


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


def test_setup_code_from_the_environment(monkeypatch):
    monkeypatch.setenv("FATIGUE_SETUP_CODE", "abcd-1234")
    assert firstrun.setup_code() == "abcd-1234"
    assert firstrun.check(" ABCD-1234 ") and not firstrun.check("abcd-1235")
    monkeypatch.delenv("FATIGUE_SETUP_CODE")
    assert firstrun.setup_code() == firstrun.setup_code() != "abcd-1234"


def test_login_success_shows_checkin(db, user):
    at = log_in("casey")
    assert not at.exception
    assert texts(at.title) == ["Hello, Casey"]
    assert "Signed in as **Casey**" in texts(at.sidebar.markdown)


def test_login_failure_message_is_the_same_for_unknown_user(db, user):
    wrong = log_in("casey", "not-the-password")
    unknown = log_in("nobody-here", PASSWORD)
    assert texts(wrong.error) == texts(unknown.error) == ["Username or password is not right."]
    assert texts(wrong.title) == ["Caseload check-in"]
    assert NOT_A_DIAGNOSIS in texts(wrong.caption)


def test_log_out_returns_to_login(db, user):
    at = log_in("casey")
    at = at.button(key="logout").click().run()
    assert texts(at.title) == ["Caseload check-in"]
    assert "user_id" not in at.session_state


def test_deactivated_while_signed_in_is_signed_out(db, user):
    at = log_in("casey")
    accounts.set_active(db, user, False)
    at.run()
    assert texts(at.title) == ["Caseload check-in"]


def test_first_admin_cannot_use_a_common_password(db):
    at = fill_first_admin(start_app(), password="password1234", repeat="password1234")
    assert texts(at.error) == [accounts.TOO_COMMON]
    assert not accounts.has_users(db)


def test_repeated_failures_lock_the_name_and_say_when_to_retry(db, user):
    for _ in range(4):
        at = log_in("casey", "not-the-password")
        assert texts(at.error) == ["Username or password is not right."]
    at = log_in("casey", "not-the-password")
    [message] = texts(at.error)
    assert message.startswith("Username or password is not right. Too many failed logins for "
                              "this username. Try again in 3")  # 30 seconds, or just under
    at = log_in("casey")  # the right password, but locked
    assert texts(at.error)[0].startswith("Too many failed logins for this username. Try again in")
    assert "user_id" not in at.session_state
    assert [e["action"] for e in audit.entries(db)][:2] == ["login_failed", "login_locked"]


def test_log_in_and_out_are_audited(db, user):
    at = log_in("casey")
    at.button(key="logout").click().run()
    assert [e["action"] for e in audit.entries(db)] == ["logout", "login"]


def test_idle_session_is_signed_out_and_told_why(db, user):
    at = log_in("casey")
    at.session_state["last_active"] = time.time() - 31 * 60
    at.run()
    assert texts(at.title) == ["Caseload check-in"]
    assert texts(at.success) == [
        "You were signed out after 30 minutes without activity. Please log in again."]
    assert "user_id" not in at.session_state
    [entry] = audit.entries(db, action="idle_sign_out")
    assert entry["actor_id"] == user and entry["detail"]["idle_minutes"] == 30


def test_idle_timeout_follows_the_setting_and_activity_keeps_the_session(db, user):
    settings.set_idle_minutes(db, 60)
    at = log_in("casey")
    at.session_state["last_active"] = time.time() - 31 * 60
    at.run()
    assert texts(at.title) == ["Hello, Casey"]  # 31 minutes is within 60
    assert at.session_state["last_active"] > time.time() - 60  # the run counted as activity


@pytest.fixture
def reset_user(db, user):
    accounts.set_password(db, user, "temporary-garden-words", must_change=True)
    return user


def test_after_a_reset_only_the_new_password_screen_is_shown(db, reset_user):
    at = log_in("casey", "temporary-garden-words")
    assert texts(at.title) == ["Choose a new password"]
    assert len(at.sidebar) == 0  # no navigation, no page
    at.text_input(key="forced_new").input("my-own-quiet-words")
    at.text_input(key="forced_repeat").input("my-own-quiet-words")
    at = at.button(key="forced_submit").click().run()
    assert texts(at.title) == ["Hello, Casey"]
    assert accounts.authenticate(db, "casey", "my-own-quiet-words").id == reset_user


def test_pages_refuse_to_run_before_the_forced_change(db, reset_user):
    at = start_app("../fatigue/pages/checkin.py")
    at.session_state["user_id"] = reset_user
    at.run()
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


def test_forced_change_screen_can_log_out(db, reset_user):
    at = log_in("casey", "temporary-garden-words")
    at = at.button(key="forced_logout").click().run()
    assert texts(at.title) == ["Caseload check-in"]


# --- single sign-on (st.user is faked with AppTest.user) ----------------------------

SECRET = "q3Xv0bY7mN2pL9sK4tR8wZ1cF6hJ5gD0aE3uI7oP2yT"  # shaped like secrets.token_urlsafe(32)
AUTH = {"redirect_uri": "http://localhost:8501/oauth2callback", "cookie_secret": SECRET,
        "client_id": "id", "client_secret": "secret",
        "server_metadata_url": "https://idp.example/.well-known/openid-configuration"}


def sso_app(user_info, auth=AUTH):
    from streamlit.testing.v1 import AppTest

    at = AppTest.from_file("../app.py", default_timeout=60)
    at.secrets["auth"] = auth
    at.user = user_info
    return at.run()


def test_no_sso_button_without_an_auth_section(db, user):
    at = start_app()
    assert not [b for b in at.button if b.label.startswith("Sign in with")]


@pytest.mark.parametrize("auth, labels", [
    (AUTH, ["Sign in with your agency account"]),
    ({"redirect_uri": AUTH["redirect_uri"], "cookie_secret": SECRET,
      "microsoft": {"client_id": "id", "client_secret": "s", "server_metadata_url": "u"}},
     ["Sign in with Microsoft"]),
    ({"redirect_uri": AUTH["redirect_uri"], "cookie_secret": SECRET}, []),
])
def test_sso_button_only_when_configured(db, user, auth, labels):
    at = sso_app({"is_logged_in": False}, auth)
    assert [b.label for b in at.button if b.label.startswith("Sign in with")] == labels
    assert at.text_input(key="login_username")  # local accounts remain


CASEY = {"is_logged_in": True, "iss": "https://idp.example", "sub": "casey-1",
         "email": "Casey@agency.org", "email_verified": True, "provider": "default"}


def test_sso_identity_signs_in_its_linked_account(db, user):
    sso.set_email(db, user, "casey@agency.org")
    at = sso_app(CASEY)
    assert texts(at.title) == ["Hello, Casey"]
    assert at.session_state["auth_method"] == "sso"
    at = at.button(key="logout").click().run()  # also ends the identity-provider session
    assert at.user == {"is_logged_in": False}
    at.run()  # the browser reloads the app after st.logout()
    assert texts(at.title) == ["Caseload check-in"]
    assert [e["action"] for e in audit.entries(db)][:3] == ["logout", "login", "sso_linked"]


def test_unknown_sso_identity_is_refused_and_can_sign_out(db, user):
    at = sso_app({**CASEY, "email": "stranger@agency.org"})
    assert "user_id" not in at.session_state
    assert texts(at.error) == [plain(
        "There is no active account here for stranger@agency.org. Accounts are not created "
        "automatically: ask your admin to link this email to your account.")]
    at.run()  # refused once per session, not once per run
    assert len(audit.entries(db, action="sso_refused")) == 1
    at = at.button(key="sso_logout").click().run()
    assert at.user == {"is_logged_in": False}
    assert db.execute("SELECT count(*) FROM users").fetchone()[0] == 1


@pytest.mark.parametrize("secret", ["a long random string", None, "x" * 40])
def test_an_identity_cookie_signed_with_an_unsafe_secret_signs_nobody_in(db, user, secret):
    """Whoever knows the README's example secret can forge Streamlit's identity cookie
    (here: st.user as such a cookie would set it, for a linked account); the app must not
    trust it, and says why single sign-on is off and how to make a secret."""
    sso.set_email(db, user, "casey@agency.org")
    auth = {**AUTH, "cookie_secret": secret} if secret else {
        k: v for k, v in AUTH.items() if k != "cookie_secret"}
    at = sso_app(CASEY, auth)
    assert "user_id" not in at.session_state
    assert texts(at.title) == ["Caseload check-in"]
    assert not [b for b in at.button if b.label.startswith("Sign in with")]
    [warning] = texts(at.warning)
    assert warning.startswith("Single sign-on is switched off: the cookie_secret")
    assert "secrets.token_urlsafe(32)" in warning
    assert not audit.entries(db, action="login")
    assert at.text_input(key="login_username")  # local accounts remain


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


@pytest.mark.parametrize("username, password", [
    ("", ""),
    ("x" * 5000, "y" * 5000),
    ("casey\x00; DROP TABLE users", PASSWORD),
    ("émile 🙂", "pässwörd"),
])
def test_odd_login_input_is_refused_without_a_crash(db, user, username, password):
    at = log_in(username, password)
    assert not at.exception
    assert texts(at.error) == ["Username or password is not right."]
    assert len(audit.entries(db, action="login_failed")[0]["detail"]["username"]) <= 40


def test_people_can_log_in_and_out_while_the_disk_is_full(db, user, monkeypatch):
    from conftest import fill_the_disk

    fill_the_disk(db, monkeypatch)
    at = log_in("casey")
    assert not at.exception
    assert texts(at.title) == ["Hello, Casey"]
    at = at.button(key="logout").click().run()
    assert not at.exception and texts(at.title) == ["Caseload check-in"]
    at = log_in("casey", "a-wrong-password-here")
    assert texts(at.error) == ["Username or password is not right."]
