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
    at.multiselect(key="new_leads").select("North")
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
                       "Home team", "Leads", "Admin", "Active", "When (UTC)", "Who", "Action",
                       "Detail"}


def test_admin_changes_a_caseload_standard(db, admin):
    at = open_admin()
    at.selectbox(key="standard_team").select("North").run()
    assert at.number_input(key="standard_value_North").value == 15  # starts at the current one
    at.number_input(key="standard_value_North").set_value(12)
    at = next(b for b in at.button if b.label == "Save standard").click().run()
    assert texts(at.success) == ["Caseload standard of 'North' set to 12."]
    assert accounts.caseload_standard(db, admin) == 12


def test_privacy_settings_saved_and_audited(db, admin):
    from fatigue import audit, settings

    at = open_admin()
    k_input = next(n for n in at.number_input if n.label == "Minimum group size (k)")
    assert k_input.min == 5  # the form cannot go below 5 either
    k_input.set_value(7)
    at = next(b for b in at.button if b.label == "Save privacy settings").click().run()
    assert texts(at.success) == ["Privacy settings saved."]
    assert settings.get_k(db) == 7
    assert any(e["actor"] == "dana" for e in audit.entries(db))
    # The audit log is shown on the page.
    log = at.dataframe[-1].value
    assert "dana" in set(log["Who"])


def test_support_resources_saved(db, admin):
    from fatigue import settings

    at = open_admin()
    at.text_area[0].input("EAP: 0800 123 456")
    at = next(b for b in at.button if b.label == "Save support resources").click().run()
    assert settings.support_resources(db) == "EAP: 0800 123 456"


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


@pytest.mark.parametrize(
    "page", ["home", "checkin", "trends", "insights", "questionnaires", "account", "team",
             "organisation", "admin"]
)
def test_every_page_needs_a_login(db, page):
    at = start_app(f"../fatigue/pages/{page}.py")
    assert texts(at.warning) == ["Please log in first."]
    assert len(at.main) <= 2  # the warning only, nothing of the page
