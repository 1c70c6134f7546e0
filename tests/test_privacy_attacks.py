"""Attacks on team figures, tried the way a hostile lead or admin would, as often
as they like (issue 12; PRIVACY.md says what each one shows).

Each attack drives the same core functions the pages call (the daily form's
save, import, "Delete all my data", account changes, settings, the reports)
and asserts that the attacker learns nothing more than one honest view gives:
every view the attack produces is identical to the first, or the step is
refused. Time runs on the app's clock (the ``clock`` fixture): accounts exist
from 29 Dec 2025, TODAY is Monday 16 Mar 2026, week W10 (2-8 Mar) is released
today and W11 (9-15 Mar) is still open.
"""
from __future__ import annotations

import datetime as dt

import pandas as pd
import pytest

from fatigue import accounts, audit, checkins, erasure, importer, settings
from fatigue.db import connect
from fatigue.errors import ValidationError
from fatigue.export import CHECKIN_COLUMNS, to_csv
from fatigue.teamfigures import noise, release, reports, rules

from conftest import PASSWORD, RATINGS, TODAY, log_in
from teamlife import SETUP, W09, W10, W11, Agency, row, weekdays

LATER = dt.date(2026, 3, 23)  # W11 is released on this day
VIEWS = ("week", "4week", "quarter")


@pytest.fixture
def agency(db, clock):
    return Agency(db, clock)


@pytest.fixture
def care(agency):
    """Team Care: six colleagues, and Lena, who leads Care and is a member of it (as
    leads often are). The first colleague is the one the attacker is after."""
    colleagues = agency.team("Care", 6)
    agency.at(SETUP)
    lena = accounts.create_user(agency.db, "lena", PASSWORD, team="Care", lead_of=["Care"])
    # Three weeks of honest check-ins; the victim's exhaustion is 9, the others 3 to 5.
    for week in (W09, W10, W11):
        agency.form(colleagues[:1], weekdays(week, 3), exhaustion=9, empathy=2)
        for offset, uid in enumerate(colleagues[1:]):
            agency.form([uid], weekdays(week, 2), exhaustion=3 + offset % 3)
    return colleagues, lena


def views(agency: Agency, team: str, viewer: int, on: dt.date = TODAY) -> dict[str, pd.DataFrame]:
    return {view: agency.report(team, viewer, view, on=on) for view in VIEWS}


def assert_same(before: dict[str, pd.DataFrame], after: dict[str, pd.DataFrame]) -> None:
    for view in before:
        pd.testing.assert_frame_equal(before[view], after[view], obj=view)


def history_csv(days: list[dt.date], **values) -> bytes:
    rows = [{"day": day.isoformat(), **{**RATINGS, **values}} for day in days]
    return to_csv(rows, CHECKIN_COLUMNS).encode()


# --- 1. the lead's own-value probe --------------------------------------------------------

def test_a_lead_cannot_move_any_figure_she_sees_by_deleting_importing_and_viewing(agency, care):
    """Issue 12's attack: delete, import chosen values into old weeks, view, 30 times."""
    colleagues, lena = care
    first = views(agency, "Care", lena)
    assert row(first["week"], W10)["shown"]
    for cycle in range(30):
        value = cycle % 11
        agency.at(TODAY, 10)
        importer.import_history(agency.db, lena, history_csv([*weekdays(W09), *weekdays(W10), *weekdays(W11)],
                                                             exhaustion=value), TODAY, replace=True)
        agency.form([lena], [TODAY], exhaustion=value)
        assert_same(first, views(agency, "Care", lena))
        agency.at(TODAY, 11)
        erasure.delete_my_data(agency.db, lena, "lena")
        assert_same(first, views(agency, "Care", lena))


def test_a_leads_own_checkins_through_the_form_are_in_no_week_released_later(agency, care):
    colleagues, lena = care
    agency.form([lena], weekdays(W11), exhaustion=0)  # inside the window: the form saves them
    released = row(agency.report("Care", lena, on=LATER), W11)
    # Colleagues only: 9 (the victim) and 3, 4, 5, 3, 4 -> 28 / 6 = 4.67 -> 4.5.
    assert released["exhaustion"] == 4.5
    assert released["respondents_band"] == "5-9"


# --- 2. before and after a colleague's deletion ---------------------------------------------

def test_a_colleagues_deletion_changes_nothing_released(agency, care):
    colleagues, lena = care
    before = views(agency, "Care", lena)
    agency.at(TODAY, 13)
    erasure.delete_my_data(agency.db, colleagues[0], "care.0")
    assert_same(before, views(agency, "Care", lena))
    # Deleted before W11 is released, the victim is simply not in it (one view, no before).
    w11 = row(agency.report("Care", lena, on=LATER), W11)
    assert w11["shown"] and w11["exhaustion"] == 4.0  # (3 + 4 + 5 + 3 + 4) / 5 = 3.8 -> 4.0


def test_an_admin_deleting_a_departed_persons_data_changes_nothing_released(agency, care):
    colleagues, lena = care
    admin = agency.admin()
    before = {"lead": views(agency, "Care", lena), "org": agency.org(admin)}
    agency.at(TODAY, 13)
    erasure.delete_user_data(agency.db, admin, colleagues[0], "care.0")
    assert_same(before["lead"], views(agency, "Care", lena))
    pd.testing.assert_frame_equal(before["org"], agency.org(admin))


# --- 3. a newcomer's imported history --------------------------------------------------------

def test_a_newcomers_imported_history_enters_no_figure(agency, care):
    colleagues, lena = care
    before = views(agency, "Care", lena)
    newcomer = agency.people("Care", 1, "newcomer.", on=TODAY)[0]
    importer.import_history(agency.db, newcomer,
                            history_csv([*weekdays(W09), *weekdays(W10), *weekdays(W11)],
                                        exhaustion=10), TODAY)
    assert_same(before, views(agency, "Care", lena))
    # W11, released a week later, holds the colleagues only (the imported days never count).
    assert row(agency.report("Care", lena, on=LATER), W11)["exhaustion"] == 4.5


def test_imported_days_never_count_and_a_replaced_day_stops_counting(agency, care):
    colleagues, _ = care
    counted = agency.db.execute(
        "SELECT count(*) FROM checkins WHERE user_id = ? AND counts_for_team = 1",
        [colleagues[1]]).fetchone()[0]
    agency.at(W11 + dt.timedelta(days=2), 10)
    importer.import_history(agency.db, colleagues[1], history_csv([W11]), W11 + dt.timedelta(days=2),
                            replace=True)
    assert agency.db.execute(
        "SELECT count(*) FROM checkins WHERE user_id = ? AND counts_for_team = 1",
        [colleagues[1]]).fetchone()[0] == counted - 1


# --- 4. week against 4 weeks ------------------------------------------------------------------

def test_week_and_four_week_figures_cannot_be_differenced(tmp_path, clock):
    """A part-timer answers only in one week, which is hidden (too few). Whatever
    they answered, from 0 to 10, no row of any view changes: longer views are
    made of the weeks shown, so a hidden week cannot be recovered from them."""
    seen = []
    for value in (0, 10):
        database = connect(tmp_path / f"part{value}.db")
        agency = Agency(database, clock)
        members = agency.team("Care", 8)
        lead = agency.lead("Care")
        agency.form(members[:6], [W09, W10], exhaustion=4)
        agency.form(members[:3], [W11], exhaustion=4)
        agency.form(members[7:], [W11], exhaustion=value)  # the part-timer, W11 only
        seen.append(views(agency, "Care", lead, on=dt.date(2026, 3, 30)))
        database.close()
    assert row(seen[0]["week"], W11)["hidden_code"] == rules.TOO_FEW
    assert_same(*seen)


def test_a_four_week_row_is_a_function_of_the_weekly_rows_alone(agency, care):
    from fatigue.teamfigures import display, periods

    colleagues, lena = care
    week = agency.report("Care", lena, on=LATER)
    block = row(agency.report("Care", lena, "4week", on=LATER), periods.block_start(W10, "4week"))
    weeks = [w for w in periods.block_weeks(block["period_start"].date(), "4week")]
    shown = week[week["period_start"].dt.date.isin(weeks)]
    rebuilt = display.block_row([r.to_dict() for _, r in shown.iterrows()], "4week",
                                weeks[0], released=3, first_release=rules.release_date(weeks[0]))
    for column in ("exhaustion", "empathy", "high_strain_share_text", "participation_text"):
        assert rebuilt[column] == block[column]


# --- 5 and 6. differential privacy, averaged or switched off ------------------------------

def test_noise_cannot_be_averaged_away_by_views_deletions_and_imports(clock, db_path):
    database = connect(db_path)
    agency = Agency(database, clock)
    settings.set_dp_enabled(database, True)
    members = agency.team("Big", 12)
    lead = agency.lead("Big")
    agency.form(members, weekdays(W10, 2), exhaustion=6)
    first = agency.report("Big", lead)
    ledger = len(noise.ledger(database, limit=100_000))
    draws = []
    for cycle in range(100):
        agency.at(TODAY, 10)
        if cycle % 10 == 0:
            importer.import_history(database, members[cycle // 10], history_csv(weekdays(W10)),
                                    TODAY, replace=True)
            erasure.delete_my_data(database, members[cycle // 10], f"big.{cycle // 10}")
        again = agency.report("Big", lead)
        draws.append(row(again, W10)["exhaustion"])
        pd.testing.assert_frame_equal(first, again)
    assert len(set(draws)) == 1  # the mean of 100 views is the first view
    assert len(noise.ledger(database, limit=100_000)) == ledger  # nothing drawn again
    database.close()


def test_switching_noise_off_after_release_keeps_the_noisy_figures(agency):
    settings.set_dp_enabled(agency.db, True)
    members = agency.team("Big", 12)
    lead = agency.lead("Big")
    agency.form(members, [W10], exhaustion=6)
    before = agency.report("Big", lead)
    assert row(before, W10)["dp"]
    settings.set_dp_enabled(agency.db, False)
    agency.at(TODAY, 13)
    erasure.delete_my_data(agency.db, members[0], "big.0")
    after = agency.report("Big", lead)
    pd.testing.assert_frame_equal(before, after)
    assert row(after, W10)["exhaustion_pm95"] > 0


# --- 7. planted respondents --------------------------------------------------------------------

def test_imports_by_colleagues_cannot_fill_k_for_an_old_low_turnout_week(agency):
    members = agency.team("Small", 7)
    lead = agency.lead("Small")
    agency.form(members[:1], [W10], exhaustion=9)  # the lone respondent of W10
    agency.form(members[:1], [W11], exhaustion=9)  # and of W11, still open
    before = views(agency, "Small", lead)
    for helper in members[1:5]:  # four colleagues each import one known day
        importer.import_history(agency.db, helper, history_csv([W10, W11], exhaustion=0), TODAY)
    assert_same(before, views(agency, "Small", lead))
    assert row(agency.report("Small", lead, on=LATER), W11)["hidden_code"] == rules.TOO_FEW


def test_placeholder_accounts_made_during_a_week_do_not_fill_k(agency):
    members = agency.team("Small", 7)
    lead = agency.lead("Small")
    agency.form(members[:1], [W11], exhaustion=9)
    planted = agency.people("Small", 4, "planted.", on=W11 + dt.timedelta(days=1))
    agency.form(planted, [W11 + dt.timedelta(days=2)], exhaustion=0)  # known answers, via the form
    assert row(agency.report("Small", lead, on=LATER), W11)["hidden_code"] == rules.TOO_FEW


# --- 8. tails and the lead's own value ------------------------------------------------------------

@pytest.mark.parametrize("strained_colleagues", [4, 5])
@pytest.mark.parametrize("lena_strained", [True, False])
def test_at_least_80_percent_never_tells_a_lead_that_every_other_person_is_strained(
        agency, strained_colleagues, lena_strained):
    colleagues = agency.team("Care", 5)
    agency.at(SETUP)
    lena = accounts.create_user(agency.db, "lena", PASSWORD, team="Care", lead_of=["Care"])
    extra = agency.people("Care", 1, "extra.")  # six on the roster, so the team can show
    agency.form(colleagues[:strained_colleagues], [W10], exhaustion=9)
    agency.form(colleagues[strained_colleagues:], [W10], exhaustion=2)
    agency.form([lena], [W10], exhaustion=9 if lena_strained else 2)
    r = row(agency.report("Care", lena), W10)
    # Lena's own state is in no figure, and 4 of 5 and 5 of 5 read the same.
    assert r["high_strain_share_text"] == "at least 80%"
    assert extra


# --- 9. participation through deactivation, moves or the audit view ----------------------------

def test_deactivations_reactivations_and_moves_change_nothing_released(agency, care):
    colleagues, lena = care
    admin = agency.admin()
    agency.team("Elsewhere", 0)
    before = {"lead": views(agency, "Care", lena), "org": agency.org(admin)}
    for cycle in range(5):
        agency.at(TODAY, 13)
        accounts.set_active(agency.db, colleagues[0], cycle % 2 == 1, actor_id=admin)
        agency.db.execute("UPDATE team_members SET team_id = ? WHERE user_id = ? AND home = 1",
                          [accounts.team_id(agency.db, "Elsewhere" if cycle % 2 == 0 else "Care"),
                           colleagues[1]])
        assert_same(before["lead"], views(agency, "Care", lena))
        pd.testing.assert_frame_equal(before["org"], agency.org(admin))


def test_the_admins_audit_view_does_not_show_who_checks_in(agency, care):
    colleagues, lena = care
    agency.at(TODAY, 9)
    accounts.authenticate(agency.db, "care.0", PASSWORD)
    importer.import_history(agency.db, colleagues[0], history_csv([W09]), TODAY, replace=True)
    erasure.delete_my_data(agency.db, colleagues[0], "care.0")
    recorded = {e["action"] for e in audit.entries(agency.db, limit=1000)}
    assert {"login", "history_imported", "own_data_deleted"} <= recorded
    shown = audit.admin_entries(agency.db, limit=1000)
    assert not {e["action"] for e in shown} & {"login", "logout", "idle_sign_out",
                                                "history_imported", "own_data_deleted"}
    assert all(e["actor_id"] != colleagues[0] for e in shown)


# --- 10. back-fill across time zones -----------------------------------------------------------

def test_a_day_of_a_week_released_today_cannot_be_saved_into_it_from_a_western_browser(agency, care):
    """The agency is in UTC; the person's browser is in Los Angeles, where it is still
    Sunday 15 Mar when W10 is released (Monday 00:30 UTC). The form's window and the
    release follow the agency's date, so Sunday 8 Mar no longer counts."""
    colleagues, lena = care
    clock = agency.clock
    clock.now = dt.datetime(2026, 3, 16, 0, 30, tzinfo=dt.timezone.utc)
    before = agency.report("Care", lena)
    clock.now = dt.datetime(2026, 3, 16, 0, 31, tzinfo=dt.timezone.utc)
    browser_today = dt.date(2026, 3, 15)
    sunday = W10 + dt.timedelta(days=6)
    with pytest.raises(ValidationError):
        checkins.check_form_day(agency.db, sunday, browser_today)
    checkins.save_checkin(agency.db, colleagues[2], sunday, today=browser_today,
                          **{**RATINGS, "exhaustion": 10})
    assert checkins.get_checkin(agency.db, colleagues[2], sunday)["exhaustion"] == 10  # theirs
    clock.now = dt.datetime(2026, 3, 16, 0, 32, tzinfo=dt.timezone.utc)
    pd.testing.assert_frame_equal(before, agency.report("Care", lena))


def test_the_agency_time_zone_sets_the_window_and_the_release_together(agency, care):
    colleagues, lena = care
    settings.set_agency_timezone(agency.db, "Pacific/Kiritimati")  # UTC+14
    agency.clock.now = dt.datetime(2026, 3, 15, 10, 30, tzinfo=dt.timezone.utc)  # Mon 16 Mar there
    assert settings.agency_today(agency.db) == TODAY
    earliest, latest = checkins.form_window(agency.db)
    assert (earliest, latest) == (TODAY - dt.timedelta(days=7), TODAY)
    assert row(reports.team_report(agency.db, accounts.team_id(agency.db, "Care"), viewer_id=lena),
               W10)["shown"]


# --- attacks of our own ---------------------------------------------------------------------------

def test_dropping_the_lead_role_for_a_week_does_not_put_her_answers_in_front_of_her(agency, care):
    """Lena asks an admin to drop her lead role before W11, checks in with chosen
    values during it, gets the role back and looks: she was on W11's roster, so
    W11 is not shown to her, while the other lead sees it."""
    colleagues, lena = care
    other = agency.lead("Care", "other.lead")
    agency.at(W11 - dt.timedelta(days=1))
    accounts.set_leads(agency.db, lena, [])
    agency.form([lena], weekdays(W11), exhaustion=0)
    agency.at(W11 + dt.timedelta(days=6), 20)
    accounts.set_leads(agency.db, lena, ["Care"])
    assert row(agency.report("Care", lena, on=LATER), W11)["hidden_code"] == rules.OWN_DATA
    seen_by_other = row(agency.report("Care", other, on=LATER), W11)
    assert seen_by_other["shown"]


def test_changing_k_noise_and_time_zone_back_and_forth_changes_nothing_released(agency, care):
    colleagues, lena = care
    admin = agency.admin()
    before = {"lead": views(agency, "Care", lena), "org": agency.org(admin)}
    for k, dp_on, zone in ((50, True, "Asia/Tokyo"), (5, False, "UTC"), (7, True, "America/Denver")):
        settings.set_k(agency.db, k, actor_id=admin)
        settings.set_dp_enabled(agency.db, dp_on, actor_id=admin)
        settings.set_agency_timezone(agency.db, zone, actor_id=admin)
        assert_same(before["lead"], views(agency, "Care", lena))
    settings.set_agency_timezone(agency.db, "UTC")
    pd.testing.assert_frame_equal(before["org"], agency.org(admin))


def test_released_figures_cannot_be_rewritten_even_in_sql(agency, care):
    import sqlite3

    colleagues, lena = care
    agency.report("Care", lena)
    for statement in ("UPDATE released_cells SET figures = '{}'", "DELETE FROM released_cells",
                      "DELETE FROM released_weeks", "UPDATE released_weeks SET k = 50"):
        with pytest.raises(sqlite3.IntegrityError):
            agency.db.execute(statement)


def test_two_sessions_release_a_week_once(agency, care, db_path):
    colleagues, lena = care
    agency.report("Care", lena)  # everything due by TODAY is released
    other = connect(db_path)
    agency.at(LATER, 9)
    assert release.release_due(other) + release.release_due(agency.db) == 1
    assert agency.db.execute("SELECT count(*) FROM released_weeks WHERE week_start = ?",
                             [W11.isoformat()]).fetchone()[0] == 1
    other.close()


# --- end to end, through the pages ---------------------------------------------------------------

def test_the_leads_probe_through_the_pages_changes_nothing_she_sees(db, clock):
    """Chloe leads Family Support and is a member of it. She looks, checks in with
    chosen values through the form, deletes all her data on My account, imports a
    history with other chosen values (the same core call as the upload), and looks
    again: the page shows her exactly the same table."""
    from fatigue import demo

    demo.build_demo(db, end=TODAY - dt.timedelta(days=1))
    chloe = db.execute("SELECT id FROM users WHERE username = 'chloe.haddad'").fetchone()[0]

    def team_table():
        at = log_in("chloe.haddad", demo.DEMO_PASSWORD).switch_page("fatigue/pages/team.py").run()
        assert not at.exception
        return at.dataframe[0].value

    first = team_table()
    for value in ("0", "10"):
        form = log_in("chloe.haddad", demo.DEMO_PASSWORD).switch_page("fatigue/pages/checkin.py").run()
        next(g for g in form.button_group if g.label.startswith("Exhaustion")).set_value(int(value))
        next(g for g in form.button_group if g.label.startswith("Empathy")).set_value(5)
        next(b for b in form.button if (b.key or "").startswith("save@")).click().run()
        account = log_in("chloe.haddad", demo.DEMO_PASSWORD).switch_page("fatigue/pages/account.py").run()
        account.text_input(key="delete_confirm").input("chloe.haddad")
        account.button(key="delete_submit").click().run()
        assert checkins.load_history(db, chloe).empty
        importer.import_history(db, chloe, history_csv(weekdays(W09, 7), exhaustion=int(value[:2])),
                                TODAY)
        pd.testing.assert_frame_equal(first, team_table())


def test_a_password_typed_into_the_username_box_is_not_stored(db, user):
    """A failed login for a name that is no account records only that there is none;
    for a real account it records the account's name (a security event)."""
    for typed in ("My-Secret-Pass 2026!", "Casey"):
        with pytest.raises(Exception):
            accounts.authenticate(db, typed, "wrong password here")
    details = [e["detail"] for e in audit.entries(db, action="login_failed")]
    assert details[1] == {"username": None, "no_such_account": True, "address": details[1]["address"]}
    assert details[0]["username"] == "casey"
    assert "My-Secret-Pass" not in str(audit.entries(db, limit=1000))


# --- review of issues 14, 16 and 17: the lead's loop, SSO, sessions ---------------------------------

def test_a_time_zone_change_cannot_move_accounts_made_during_a_week_into_its_roster(agency):
    """An admin makes four placeholder accounts on Monday morning (UTC, the agency's
    time zone), when W11 has already begun, and checks them in with known answers.
    Before W11 is released the admin sets the agency's time zone far west, where
    W11 began 12 hours later: the placeholders must still not count in W11, or
    they fill k and the victim's answer is the team mean x 5 less the known ones."""
    members = agency.team("Small", 7)
    lead = agency.lead("Small")
    admin = agency.admin()
    agency.form(members[:1], [W11], exhaustion=9)  # the victim, the only real respondent
    planted = agency.people("Small", 4, "planted.", on=W11)  # Monday 09:00 UTC
    agency.form(planted, [W11], exhaustion=0)
    agency.at(W11 + dt.timedelta(days=3))
    settings.set_agency_timezone(agency.db, "Etc/GMT+12", actor_id=admin)  # UTC-12
    w11 = row(agency.report("Small", lead, on=LATER), W11)
    assert w11["hidden_code"] == rules.TOO_FEW, w11["exhaustion"]


@pytest.mark.parametrize("total", [128, 130])  # mean caseload 14.2 or 14.4: both "14"
def test_a_tiny_caseload_standard_does_not_tell_the_mean_caseload_finer_than_a_case(tmp_path, clock, total):
    """An admin sets a team's caseload standard to 1 before a week. Caseload against
    the standard, rounded to 10 points, would then tell the team's mean caseload to
    0.1 of a case (1420% against 1440%), beating the rounding to a whole case that
    the joiner-and-leaver estimate of one person's caseload runs into."""
    database = connect(tmp_path / f"standard{total}.db")
    agency = Agency(database, clock)
    admin = agency.admin()
    members = agency.team("Nine", 9)
    lead = agency.lead("Nine")
    accounts.set_caseload_standard(database, "Nine", 1, actor_id=admin)
    caseloads = [14] * 9
    caseloads[0] += total - 14 * 9
    for uid, caseload in zip(members, caseloads):
        agency.form([uid], [W10], caseload=caseload)
    w10 = row(agency.report("Nine", lead), W10)
    assert (w10["caseload_mean"], w10["caseload_vs_standard_pct"]) == (14.0, 1400.0)
    database.close()


def test_the_leads_whole_loop_is_the_same_whatever_a_hidden_week_held(tmp_path, clock):
    """What changed, the agency alongside, team suggestions and a plan's follow-up are
    made from released rows only. A part-timer answers only in W11, in which Care is
    hidden (too few) while another team keeps the agency shown: whatever they answered
    (0 or 10), every view of the lead's loop and the admin's overview is the same."""
    from fatigue import team_actions
    from fatigue.teamfigures.changes import headline_changes
    from fatigue.teamfigures.suggestions import CATALOGUE, team_suggestions

    day = dt.date(2026, 3, 30)  # W11 released on 23 Mar; two weeks after the step
    seen = []
    for value in (0, 10):
        database = connect(tmp_path / f"loop{value}.db")
        agency = Agency(database, clock)
        care, other = agency.team("Care", 8), agency.team("Other", 8)
        lead, admin = agency.lead("Care"), agency.admin()
        agency.form(care[:6], [W09, W10], exhaustion=8, caseload=18)
        agency.form(other[:6], [W09, W10, W11], exhaustion=6)
        agency.form(care[:3], [W11], exhaustion=4)
        agency.form(care[7:], [W11], exhaustion=value, caseload=value)  # the part-timer
        agency.at(day)
        team_id = accounts.team_id(database, "Care")
        entry = CATALOGUE["caseload_review"]
        plan = team_actions.plan_action(database, team_id, "caseload_review", entry["title"],
                                        team_actions.ROLES[0], day, viewer_id=lead)
        team_actions.mark_done(database, plan, W10 - dt.timedelta(days=1), viewer_id=lead)
        [done] = team_actions.team_plans(database, team_id, viewer_id=lead)
        loop = {}
        for view in VIEWS:
            team = agency.report("Care", lead, view, on=day)
            alongside = reports.agency_alongside(database, team_id, view, viewer_id=lead)
            loop[view] = (team, alongside, [c.words for c in headline_changes(team, alongside)],
                          [s["reason"] for s in team_suggestions(team)])
        follow = team_actions.follow_up(done, loop["week"][0], day)
        assert follow.ready and "not shown in 9 Mar - 15 Mar 2026" in follow.lines[0]
        seen.append((loop, follow, agency.org(admin, on=day)))
        database.close()
    (first, follow0, org0), (second, follow1, org1) = seen
    assert row(first["week"][0], W11)["hidden_code"] == rules.TOO_FEW
    assert row(first["week"][1], W11)["hidden_code"] == reports.TEAM_NOT_SHOWN
    for view in VIEWS:
        pd.testing.assert_frame_equal(first[view][0], second[view][0], obj=view)
        pd.testing.assert_frame_equal(first[view][1], second[view][1], obj=view)
        assert first[view][2:] == second[view][2:]
    assert follow0 == follow1
    pd.testing.assert_frame_equal(org0, org1)


def test_the_admins_audit_view_says_nothing_of_anyones_sessions(agency, care):
    """Sign-ins, a kept device, a session that ran out, a device signed out, then an
    admin's password reset and deactivation (which end the person's sessions): the
    admin's view holds the admin's own actions only, with no session count that
    would tell whether the person was signed in."""
    from fatigue import sessions

    colleagues, lena = care
    admin = agency.admin()
    victim = colleagues[0]
    agency.at(TODAY, 8)
    now = agency.clock.now
    sessions.start(agency.db, victim, kept=True, device="Firefox on Android", now=now)
    idle, _ = sessions.start(agency.db, victim, device="Chrome on Windows", now=now)
    _, other = sessions.start(agency.db, victim, now=now)
    sessions.end(agency.db, other.id, user_id=victim, reason="signed_out_device")
    later = now + dt.timedelta(hours=4)
    assert sessions.resolve(agency.db, idle, now=later).ended == "idle"
    agency.at(TODAY, 13)
    accounts.reset_password(agency.db, victim, "another-long-password-1", actor_id=admin)
    sessions.start(agency.db, victim, method="sso", now=later)
    accounts.set_active(agency.db, victim, False, actor_id=admin)
    recorded = {e["action"] for e in audit.entries(agency.db, limit=1000)}
    assert {"sessions_ended", "signed_out_device", "idle_sign_out"} <= recorded
    shown = audit.admin_entries(agency.db, limit=1000)
    assert [e["action"] for e in shown if e["actor_id"] == admin] == [
        "account_deactivated", "password_reset"]
    assert all(e["actor_id"] != victim for e in shown)
    for entry in shown:
        assert not {"sessions", "device", "method", "kept", "last_seen_at"} & set(entry["detail"])
