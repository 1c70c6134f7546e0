"""The app's gate: first run, login, navigation by role, log out (AppTest)."""
from fatigue import accounts, firstrun
from fatigue.pages._gate import NOT_A_DIAGNOSIS

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


def test_load_demo_from_the_first_run_screen(db):
    from fatigue import demo

    at = start_app()
    at.text_input(key="setup_code").input(firstrun.setup_code())
    at = next(b for b in at.button if b.label == "Load demo agency").click().run()
    assert not at.exception
    assert accounts.has_users(db)
    assert texts(at.success)[0].startswith("Demo agency loaded.")
    assert demo.DEMO_PASSWORD in texts(at.success)[0]


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
