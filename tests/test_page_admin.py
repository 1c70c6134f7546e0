"""Teams and accounts page (AppTest), and the role checks on every page."""
import pytest

from fatigue import accounts
from fatigue.pages._session import plain

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


def test_a_team_named_as_the_agency_is_refused_with_the_reason(db, admin):
    at = open_admin()
    at.text_input[0].input("Agency total")
    at = next(b for b in at.button if b.label == "Add team").click().run()
    assert not at.success and any("call a group that is not a team" in e for e in texts(at.error))
    assert [t["name"] for t in accounts.list_teams(db)] == ["North"]


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
                       "Home team", "Leads", "Admin", "Active", "Must choose new password",
                       "Single sign-on email", "When (UTC)", "Who", "Action", "Detail"}


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
    at.text_input(key="agency_timezone").input("Europe/London")
    at.number_input(key="dp_weekly_cap").set_value(30.0)
    at = next(b for b in at.button if b.label == "Save privacy settings").click().run()
    assert texts(at.success) == [
        "Privacy settings saved. They apply to weeks released from now on."]
    assert settings.get_k(db) == 7
    assert settings.agency_timezone(db) == "Europe/London"
    assert settings.dp_weekly_cap(db) == 30.0
    assert any("own check-ins are in no team figure" in c for c in texts(at.caption))
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
    at = log_in("casey", script="../" + ADMIN_PAGE)
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


def click(at, label):
    return next(b for b in at.button if b.label == label).click().run()


def test_account_made_by_an_admin_must_choose_a_new_password(db, admin):
    at = open_admin()
    at.text_input(key="new_username").input("robin")
    at.selectbox(key="new_team").select("North")
    at.text_input(key="new_password").input("robins-first-password")
    click(at, "Add account")
    robin = accounts.authenticate(db, "robin", "robins-first-password")
    assert robin.must_change_password
    from fatigue import audit
    [entry] = audit.entries(db, action="account_created")
    assert entry["actor"] == "dana" and entry["detail"]["username"] == "robin"


def test_common_password_refused_on_the_admin_page(db, admin):
    at = open_admin()
    at.text_input(key="new_username").input("robin")
    at.selectbox(key="new_team").select("North")
    at.text_input(key="new_password").input("Password1234")
    at = click(at, "Add account")
    assert texts(at.error) == [accounts.TOO_COMMON]
    assert accounts.list_users(db)[0]["username"] == "dana" and len(accounts.list_users(db)) == 1


def test_admin_changes_the_teams_a_person_leads(db, admin, user):
    accounts.create_team(db, "South")
    at = open_admin()
    at.selectbox(key="manage_user").select("casey").run()
    at.multiselect(key=f"leads_of_{user}").select("South")
    at = click(at, "Save teams led")
    assert texts(at.success) == ["'casey' now leads South."]
    assert accounts.lead_teams(db, user) == ["South"]
    at.multiselect(key=f"leads_of_{user}").unselect("South")
    at = click(at, "Save teams led")
    assert texts(at.success) == ["'casey' now leads no team."]
    assert accounts.get_user(db, user).home_team_id == accounts.team_id(db, "North")


def test_admin_resets_a_password(db, admin, user):
    from conftest import sign_in, start_app

    caseys_browser = start_app(token=sign_in("casey", keep=True))
    at = open_admin()
    at.selectbox(key="manage_user").select("casey").run()
    at.text_input(key=f"reset_password_{user}").input("temporary-garden-words")
    at.text_input(key=f"reset_repeat_{user}").input("temporary-garden-words")
    at = click(at, "Reset password")
    assert texts(at.success) == ["Password of 'casey' reset; they are signed out everywhere "
                                 "and must choose a new one at their next login. Their private "
                                 "notes stay locked until they enter their recovery code."]
    assert accounts.authenticate(db, "casey", "temporary-garden-words").must_change_password
    caseys_browser.run()  # the session open before the reset has ended
    assert texts(caseys_browser.title) == ["Caseload check-in"]


@pytest.mark.parametrize("new, repeat, message", [
    ("temporary-garden-words", "something-else-again", "The two passwords differ."),
    ("short", "short", "Password must be at least 12 characters."),
    ("qwerty123456", "qwerty123456", accounts.TOO_COMMON),
])
def test_bad_reset_passwords_change_nothing(db, admin, user, new, repeat, message):
    at = open_admin()
    at.selectbox(key="manage_user").select("casey").run()
    at.text_input(key=f"reset_password_{user}").input(new)
    at.text_input(key=f"reset_repeat_{user}").input(repeat)
    at = click(at, "Reset password")
    assert texts(at.error) == [message]
    assert not accounts.authenticate(db, "casey", PASSWORD).must_change_password


def test_admin_cannot_reset_their_own_password_here(db, admin):
    at = open_admin()
    at.selectbox(key="manage_user").select("dana").run()
    assert "Reset password" not in [b.label for b in at.button]


def test_admin_links_and_unlinks_a_single_sign_on_email(db, admin, user):
    at = open_admin()
    at.selectbox(key="manage_user").select("casey").run()
    at.text_input(key=f"sso_email_{user}").input(" Casey@Agency.org ")
    at = click(at, "Save single sign-on email")
    assert texts(at.success) == [plain("Single sign-on email of 'casey' set to casey@agency.org.")]
    at.text_input(key=f"sso_email_{user}").input("not an email")
    at = click(at, "Save single sign-on email")
    assert texts(at.error) == [
        plain("The single sign-on email must look like name@agency.org (at most 254 characters).")]
    at.text_input(key=f"sso_email_{user}").input("")
    at = click(at, "Save single sign-on email")
    assert texts(at.success) == ["'casey' has no single sign-on email now."]
    assert accounts.list_users(db)[0]["sso_email"] is None


def test_sign_in_settings_saved_and_audited(db, admin):
    from fatigue import audit, settings

    at = open_admin()
    assert at.number_input(key="idle_minutes").value == 30
    assert at.number_input(key="idle_minutes").min == 5
    assert at.number_input(key="remember_days").value == 30
    assert (at.number_input(key="remember_days").min, at.number_input(key="remember_days").max) == (0, 90)
    at.number_input(key="idle_minutes").set_value(45)
    at.number_input(key="remember_days").set_value(14)
    at = click(at, "Save sign-in settings")
    assert texts(at.success) == ["Idle sign-out set to 45 minutes; kept sign-ins last 14 days."]
    assert (settings.idle_minutes(db), settings.remember_days(db)) == (45, 14)
    assert [e["detail"] for e in audit.entries(db, action="change_setting")] == [
        {"key": "remember_days", "value": 14}, {"key": "session_idle_minutes", "value": 45}]
    at.number_input(key="remember_days").set_value(0)
    at = click(at, "Save sign-in settings")
    assert texts(at.success) == ["Idle sign-out set to 45 minutes; no kept sign-ins."]


def test_audit_log_view_shows_account_events(db, admin, user):
    at = open_admin()
    at.selectbox(key="activation_user").select("casey")
    at = next(b for b in at.button if b.label.startswith("Switch")).click().run()
    at.number_input(key="standard_value_North").set_value(12)
    at = click(at, "Save standard")
    log = at.dataframe[-1].value
    assert {"account_deactivated", "caseload_standard_changed"} <= set(log["Action"])
    assert "login" not in set(log["Action"])  # admins do not see who signs in, or when


# --- deleting a departed person's data (data-rights helper; core in tests/test_erasure.py)

def test_admin_deletes_a_departed_persons_data(db, admin, user):
    from fatigue import checkins
    from conftest import RATINGS

    checkins.save_checkin(db, user, "2026-03-10", note="private", **RATINGS)
    at = open_admin()
    at.selectbox(key="erase_user").select("casey")
    at.text_input(key="erase_confirm").input("casey ")
    at = at.button(key="erase_submit").click().run()
    assert texts(at.success) == ["The data of 'casey' has been deleted and the account closed."]
    assert checkins.load_history(db, user).empty
    assert accounts.get_user(db, user) is None  # deactivated: cannot sign in


def test_admin_deletion_needs_the_typed_username(db, admin, user):
    from fatigue import checkins
    from conftest import RATINGS

    checkins.save_checkin(db, user, "2026-03-10", **RATINGS)
    at = open_admin()
    at.selectbox(key="erase_user").select("casey")
    at.text_input(key="erase_confirm").input("robin")
    at = at.button(key="erase_submit").click().run()
    assert texts(at.error) == ["Type the username 'casey' exactly to confirm; nothing was deleted."]
    assert len(checkins.load_history(db, user)) == 1
    assert "dana" not in at.selectbox(key="erase_user").options  # not their own account


def test_the_audit_log_reads_in_the_apps_date_format(db, admin):
    import re

    accounts.create_team(db, "South", actor_id=admin)
    at = open_admin()
    log = at.dataframe[-1].value
    assert list(log.columns) == ["When (UTC)", "Who", "Action", "Detail"]
    assert len(log) and all(re.fullmatch(r"\w{3} \d{1,2} \w{3} \d{4}, \d\d:\d\d", w)
                            for w in log["When (UTC)"])
    assert not log["Detail"].str.contains(r"[{}\"]").any()  # words, not JSON


CA_FILE = "CA file for the mail server's certificate (optional)"


def test_mail_server_settings_are_checked_together_and_hold_no_password(db, admin):
    from fatigue import settings

    at = open_admin()
    labels = [t.label for t in at.text_input]
    smtp = labels[labels.index("Mail server (SMTP host)"):
                  labels.index(CA_FILE) + 1]
    assert smtp == ["Mail server (SMTP host)", "Sender address",
                    "The app's address (opened by the reminder's link)", CA_FILE]  # no login here
    by_label = {t.label: t for t in at.text_input}
    by_label["Mail server (SMTP host)"].input("smtp.agency.example")
    by_label["Sender address"].input("not an address")
    at = at.button(key="FormSubmitter:smtp-Save e-mail settings").click().run()
    assert "The sender must be an address such as wellbeing@agency.org." in [
        t.replace("\u2060", "") for t in texts(at.error)]  # shown literally (word joiners)
    assert settings.get_setting(db, settings.SMTP_HOST_KEY) == ""  # nothing saved
    by_label = {t.label: t for t in at.text_input}
    by_label["Sender address"].input("checkin@agency.example")
    by_label["The app's address (opened by the reminder's link)"].input("https://checkin.agency.example")
    at = at.button(key="FormSubmitter:smtp-Save e-mail settings").click().run()
    assert settings.get_setting(db, settings.SMTP_HOST_KEY) == "smtp.agency.example"
    assert settings.get_setting(db, settings.SMTP_SENDER_KEY) == "checkin@agency.example"


def test_a_ca_file_that_is_not_one_is_refused_at_entry(db, admin, tmp_path):
    from fatigue import settings

    not_pem = tmp_path / "ca.pem"
    not_pem.write_text("not a certificate\n")
    at = open_admin()
    by_label = {t.label: t for t in at.text_input}
    by_label["Mail server (SMTP host)"].input("smtp.agency.example")
    by_label["Sender address"].input("checkin@agency.example")
    by_label[CA_FILE].input(str(not_pem))
    at = at.button(key="FormSubmitter:smtp-Save e-mail settings").click().run()
    shown = [t.replace("\u2060", "").replace("\\", "") for t in texts(at.error)]  # as read
    assert f"{not_pem} cannot be used as a CA file: it holds no certificate in PEM form " \
           "(BEGIN CERTIFICATE)." in shown
    assert settings.get_setting(db, settings.SMTP_HOST_KEY) == ""  # nothing saved
    assert settings.get_setting(db, settings.SMTP_CA_FILE_KEY) == ""
