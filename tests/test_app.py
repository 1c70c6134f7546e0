"""The app's gate: first run, login, navigation by role, log out (AppTest)."""
from fatigue import accounts
from fatigue.pages._gate import NOT_A_DIAGNOSIS

from conftest import PASSWORD, log_in, start_app, texts


def test_empty_database_shows_first_run_screen(db):
    at = start_app()
    assert texts(at.title) == ["Set up the check-in tool"]
    assert "Load demo agency" in [b.label for b in at.button]


def fill_first_admin(at, password=PASSWORD, repeat=PASSWORD):
    at.text_input[0].input("Intake")
    at.text_input[1].input("Dana.Admin")
    at.text_input[2].input("Dana")
    at.text_input[3].input(password)
    at.text_input[4].input(repeat)
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
