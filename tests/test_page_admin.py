"""Teams and accounts page (AppTest), and the role checks on every page."""
import pytest

from fatigue import accounts

from conftest import PASSWORD, log_in, start_app, texts

ADMIN_PAGE = "fatigue/pages/admin.py"


@pytest.fixture
def admin(db, team):
    return accounts.create_user(db, "dana", PASSWORD, team=team, is_admin=True)


def open_admin(username="dana"):
    return log_in(username).switch_page(ADMIN_PAGE).run()


def test_admin_adds_a_team(db, admin):
    at = open_admin()
    at.text_input[0].input("Family Support")
    at.number_input[0].set_value(17)
    at = next(b for b in at.button if b.label == "Add team").click().run()
    assert texts(at.success) == ["Team 'Family Support' added."]
    assert {t["name"]: t["caseload_standard"] for t in accounts.list_teams(db)} == {
        "North": 15, "Family Support": 17}


def test_admin_adds_a_lead_account(db, admin):
    at = open_admin()
    at.text_input(key="new_username").input("Robin.Lead")
    at.text_input(key="new_display").input("Robin")
    at.selectbox(key="new_team").select("North")
    at.checkbox(key="new_lead").check()
    at.text_input(key="new_password").input("robins-first-password")
    at = next(b for b in at.button if b.label == "Add account").click().run()
    assert texts(at.success) == ["Account 'robin.lead' added."]
    robin = accounts.authenticate(db, "robin.lead", "robins-first-password")
    assert robin.is_lead and robin.lead_team_ids == (accounts.team_id(db, "North"),)


def test_add_account_errors_are_shown(db, admin):
    at = open_admin()
    at.text_input(key="new_username").input("dana")
    at.selectbox(key="new_team").select("North")
    at.text_input(key="new_password").input("short")
    at = next(b for b in at.button if b.label == "Add account").click().run()
    assert texts(at.error) == ["Password must be at least 12 characters."]
    at.text_input(key="new_password").input("long-enough-password")
    at = next(b for b in at.button if b.label == "Add account").click().run()
    assert texts(at.error) == ["The username 'dana' is taken."]


def test_admin_deactivates_an_account(db, admin, user):
    at = open_admin()
    at.selectbox(key="activation_user").select("casey")
    at = next(b for b in at.button if b.label.startswith("Switch")).click().run()
    assert texts(at.success) == ["Account 'casey' deactivated."]
    assert accounts.get_user(db, user) is None


def test_admin_tables_hold_no_checkin_data(db, admin):
    at = open_admin()
    columns = set()
    for frame in at.dataframe:
        columns |= set(frame.value.columns)
    assert columns == {"Team", "Caseload standard", "Active members", "Username", "Name",
                       "Home team", "Leads", "Admin", "Active"}


def test_member_navigation_has_no_admin_page(db, user, admin):
    # A page not passed to st.navigation cannot be reached by its address.
    with pytest.raises(ValueError, match="Could not find a navigation page"):
        log_in("casey").switch_page(ADMIN_PAGE)
    log_in("dana").switch_page(ADMIN_PAGE)  # the admin's navigation has it


def test_admin_page_script_checks_the_role_itself(db, user):
    # Even run directly (as if navigation were bypassed), the page refuses a member.
    at = start_app("../" + ADMIN_PAGE)
    assert texts(at.warning) == ["Please log in first."]
    at.session_state["user_id"] = user
    at.run()
    assert texts(at.error) == ["This page is for admins only."]
    assert len(at.dataframe) == 0 and len(at.text_input) == 0


@pytest.mark.parametrize("page", ["checkin", "trends", "admin"])
def test_every_page_needs_a_login(db, page):
    at = start_app(f"../fatigue/pages/{page}.py")
    assert texts(at.warning) == ["Please log in first."]
    assert len(at.main) <= 2  # the warning only, nothing of the page
