"""Team and organisation reports over released weeks (fatigue/teamfigures/reports.py).

Every test lives through the weeks on the app's clock: accounts are made,
check-ins saved through the daily form on their day, reports read on TODAY
(Monday 2026-03-16), so the release rules see what they would in use.
"""
from __future__ import annotations

import datetime as dt
import inspect
import math

import pandas as pd
import pytest

from fatigue import accounts, audit, settings
from fatigue.errors import ValidationError
from fatigue.teamfigures import display, measures, periods, reports, rules

from conftest import TODAY
from teamlife import W09, W10, W11, Agency, row, weekdays

METRICS = [*measures.NUMERIC, "participation_pct", *measures.SHARES]


def assert_hidden(r: pd.Series, code: str | None = None) -> None:
    assert not r["shown"]
    assert isinstance(r["hidden_reason"], str) and len(r["hidden_reason"]) > 20
    if code:
        assert r["hidden_code"] == code
    for column in METRICS:
        assert math.isnan(r[column]), column
    for column in ("respondents_band", "participation_text", "high_strain_share_text"):
        assert pd.isna(r[column]), column


# --- when a week is released ------------------------------------------------------------

def test_a_week_is_released_once_late_checkins_can_no_longer_change_it(agency, nine):
    members, lead = nine
    agency.form(members, [*weekdays(W10), *weekdays(W11), TODAY])
    frame = agency.report("Nine", lead)
    assert list(frame["period_start"].dt.date)[-3:] == [W10, W11, TODAY]
    assert row(frame, W10)["shown"]
    for start, shown_from in ((W11, "23 Mar 2026"), (TODAY, "30 Mar 2026")):
        r = row(frame, start)
        assert_hidden(r, rules.NOT_FINAL)
        assert shown_from in r["hidden_reason"]
    later = agency.report("Nine", lead, on=dt.date(2026, 3, 23))
    assert row(later, W11)["shown"]


def test_the_report_starts_with_the_team_and_periods_limits_it(agency, nine):
    members, lead = nine
    frame = agency.report("Nine", lead)
    assert frame["period_start"].min() == pd.Timestamp(2025, 12, 29)  # the team's first week
    assert len(agency.report("Nine", lead, periods=2)) == 2
    with pytest.raises(ValidationError):
        agency.report("Nine", lead, periods=0)
    with pytest.raises(ValidationError):
        agency.report("Nine", lead, period="month")


# --- known answers ------------------------------------------------------------------------

def test_each_person_counts_once_and_means_are_rounded(agency, nine):
    members, lead = nine
    # One person checks in five times (exhaustion 10, 10 contacts), four once (0, 0).
    agency.form(members[:1], weekdays(W10), exhaustion=10, contacts=10)
    agency.form(members[1:5], [W10], exhaustion=0, contacts=0)
    r = row(agency.report("Nine", lead), W10)
    # Person-level: (10 + 0 + 0 + 0 + 0) / 5 = 2.0; a mean over the 9 rows would be 5.5.
    assert (r["exhaustion"], r["contacts_per_day"]) == (2.0, 2.0)
    assert r["high_strain_share_text"] == "at most 20%"
    assert (r["respondents_band"], r["team_size_text"]) == ("5-9", "5 or more")
    assert (r["participation_text"], r["participation_pct"]) == ("about 60%", 60)  # 5 of 9


def test_means_are_rounded_to_half_points(agency, nine):
    members, lead = nine
    # Person means 3, 3, 3, 3, 4 -> 3.2, shown 3.0; 4, 4, 4, 4, 3 -> 3.8, shown 4.0.
    agency.form(members[:4], [W10], empathy=3, meaning=4)
    agency.form(members[4:5], [W10], empathy=4, meaning=3)
    r = row(agency.report("Nine", lead), W10)
    assert (r["empathy"], r["meaning"]) == (3.0, 4.0)


def test_a_rating_not_answered_is_missing_never_zero(agency, nine):
    members, lead = nine
    # Seven people: six rate intrusion 8, one leaves it (and every count) unanswered;
    # a NULL read as 0 would make the mean 6.9, shown 7.0.
    agency.form(members[:6], [W10], intrusion=8, contacts=4)
    agency.form(members[6:7], [W10], intrusion=None, contacts=None, crisis_contacts=None,
                trauma_contacts=None)
    r = row(agency.report("Nine", lead), W10)
    assert (r["intrusion"], r["contacts_per_day"], r["exhaustion"]) == (8.0, 4.0, 5.0)


def test_a_figure_fewer_than_k_people_gave_is_hidden_the_rest_shown(agency, nine):
    members, lead = nine
    agency.form(members[:4], [W10], recovery=1, supervision=True)
    agency.form(members[4:6], [W10], recovery=None, supervision=False)
    r = row(agency.report("Nine", lead), W10)
    assert r["shown"] and r["respondents_band"] == "5-9"
    assert (r["empathy"], r["supervision_share_pct"]) == (6.0, 70)  # 4 of the 6 who said
    assert math.isnan(r["recovery"])  # only 4 gave it


def test_caseload_against_the_team_standard_and_contact_intensity(agency):
    members = agency.team("Busy", 6)
    accounts.set_caseload_standard(agency.db, accounts.team_id(agency.db, "Busy"), 20)
    lead = agency.lead("Busy")
    agency.form(members[:5], [W10, W10 + dt.timedelta(days=1)], caseload=24, contacts=6,
                crisis_contacts=1, trauma_contacts=2, after_hours_minutes=45, supervision=True)
    r = row(agency.report("Busy", lead), W10)
    assert (r["caseload_mean"], r["caseload_standard"], r["caseload_vs_standard_pct"]) == (24, 20, 120)
    assert (r["contacts_per_day"], r["crisis_contacts_per_day"], r["trauma_contacts_per_day"],
            r["after_hours_minutes_per_day"]) == (6.0, 1.0, 2.0, 45.0)
    assert r["supervision_share_text"] == r["after_hours_share_text"] == "at least 80%"


@pytest.mark.parametrize("strained, text, pct", [
    (5, "at least 80%", 80), (4, "at least 80%", 80), (0, "at most 20%", 20),
    (1, "at most 20%", 20), (2, "about 40%", 40), (3, "about 60%", 60),
])
def test_high_strain_share_never_says_everyone_or_no_one(agency, nine, strained, text, pct):
    members, lead = nine
    agency.form(members[:strained], [W10], exhaustion=9)
    agency.form(members[strained:5], [W10], exhaustion=3)
    r = row(agency.report("Nine", lead), W10)
    assert (r["high_strain_share_text"], r["high_strain_share_pct"]) == (text, pct)
    words = " ".join(str(v) for v in r.values)
    assert "100%" not in words and " 0%" not in words


# --- who counts ----------------------------------------------------------------------------

@pytest.mark.parametrize("answered, shown", [(0, False), (4, False), (5, True), (9, True)])
def test_a_week_with_fewer_than_k_respondents_is_hidden(agency, nine, answered, shown):
    members, lead = nine
    agency.form(members[:answered], [W10])
    r = row(agency.report("Nine", lead), W10)
    assert r["shown"] == shown
    if not shown:
        assert_hidden(r, rules.TOO_FEW)
        assert "Fewer than 5 people" in r["hidden_reason"]


def test_a_team_of_exactly_k_never_shows_so_participation_stays_private(agency):
    members = agency.team("Five", 5)
    lead = agency.lead("Five")
    agency.form(members, weekdays(W10))
    r = row(agency.report("Five", lead), W10)
    assert_hidden(r, rules.TEAM_TOO_SMALL)
    assert "Fewer than 6 people" in r["hidden_reason"] and r["team_size_text"] == "5 or more"


@pytest.mark.parametrize("k, shown", [(5, True), (6, True), (7, False)])
def test_k_in_force_at_release_is_applied(agency, nine, k, shown):
    members, lead = nine
    settings.set_k(agency.db, k)
    agency.form(members[:6], [W10])
    assert row(agency.report("Nine", lead), W10)["shown"] == shown


def test_leads_and_admins_count_nowhere_not_even_in_their_home_team(agency):
    """A lead who is a member of the team they lead, and an admin with a home
    team: their check-ins are in no figure, and they do not count towards k."""
    members = agency.team("Led", 8)
    agency.at(dt.date(2025, 12, 29))
    lead = accounts.create_user(agency.db, "led.lead", "a-long-test-password", team="Led",
                                lead_of=["Led"])
    boss = accounts.create_user(agency.db, "led.admin", "a-long-test-password", team="Led",
                                is_admin=True)
    agency.form(members[:4] + [lead, boss], [W10], exhaustion=2)
    agency.form(members[:5], [W09], exhaustion=2)
    agency.form([lead, boss], [W09], exhaustion=10)
    frame = agency.report("Led", lead)
    assert_hidden(row(frame, W10), rules.TOO_FEW)  # 4 members, not 6
    assert row(frame, W09)["exhaustion"] == 2.0  # the lead's and admin's 10s are in nothing


def test_people_without_a_home_team_are_in_no_team_figure(agency, nine):
    members, lead = nine
    loners = agency.people(None, 3, "loner.")
    agency.form(members[:5], [W10], exhaustion=2)
    agency.form(loners, [W10], exhaustion=10)
    r = row(agency.report("Nine", lead), W10)
    assert r["exhaustion"] == 2.0 and r["high_strain_share_text"] == "at most 20%"


def test_accounts_count_from_the_first_week_they_stood_in_the_team(agency, nine):
    """Made on the Wednesday of W10: not in W10 at all (nor its k), in W11 fully."""
    members, lead = nine
    late = agency.people("Nine", 1, "late.", on=W10 + dt.timedelta(days=2))
    agency.form(members[:4], [W10, W11], exhaustion=4)
    agency.form(late, [W10 + dt.timedelta(days=3), W11], exhaustion=10)
    frame = agency.report("Nine", lead, on=dt.date(2026, 3, 23))
    assert_hidden(row(frame, W10), rules.TOO_FEW)  # the newcomer does not fill k
    assert row(frame, W11)["exhaustion"] == 5.0  # (4 x 4 + 10) / 5 = 5.2 -> 5.0


def test_the_first_week_comes_from_the_logs_index_not_a_read_of_the_whole_log(agency, nine):
    """Asked on every team and organisation view: 10-20 ms a time at 20,000 staff without it."""
    from fatigue.teamfigures import release

    plan = " ".join(r[3] for r in agency.db.execute("EXPLAIN QUERY PLAN " + release.FIRST_STOOD))
    assert "USING COVERING INDEX membership_log_at" in plan, plan
    assert release.first_week(agency.db) == dt.date(2025, 12, 29)  # the accounts' Monday
    agency.people("Nine", 1, "early.", on=dt.date(2025, 12, 17))  # a Wednesday
    assert release.first_week(agency.db) == dt.date(2025, 12, 15)


def test_a_viewer_is_never_shown_a_week_they_were_counted_in(agency, nine):
    """A member made lead of the team: the weeks from before show as their own."""
    members, old_lead = nine
    agency.form(members, [W09, W10])
    agency.at(W10 + dt.timedelta(days=2))
    accounts.set_leads(agency.db, members[0], ["Nine"])
    frame = agency.report("Nine", members[0], on=dt.date(2026, 3, 23))
    assert_hidden(row(frame, W09), rules.OWN_DATA)
    assert_hidden(row(frame, W10), rules.OWN_DATA)
    assert "your own answers" in row(frame, W10)["hidden_reason"]
    assert row(frame, W11)["hidden_code"] == rules.TOO_FEW  # W11: without the new lead
    assert row(agency.report("Nine", old_lead), W10)["shown"]  # the other lead still sees it


# --- longer views -----------------------------------------------------------------------

def test_four_weeks_are_the_average_of_the_weeks_shown(agency, nine):
    members, lead = nine
    p_start = dt.date(2026, 2, 23)  # the 4-week block 23 Feb - 22 Mar 2026
    agency.form(members[:5], [W09], exhaustion=2)
    agency.form(members[:6], [W10], exhaustion=5)
    agency.form(members[:3], [W11], exhaustion=9)  # hidden: too few
    frame = agency.report("Nine", lead, "4week", on=dt.date(2026, 3, 23))
    r = row(frame, p_start)
    assert r["shown"] and r["weeks_text"] == "2 of 4 weeks so far"
    assert r["exhaustion"] == 3.5  # (2 + 5) / 2: the hidden week adds nothing
    assert r["label"] == "23 Feb - 22 Mar 2026"
    assert r["respondents_band"] == "per week: 5-9"
    assert r["high_strain_share_text"] == "at most 20%"


def test_a_quarter_view(agency, nine):
    members, lead = nine
    agency.form(members, [W09, W10], exhaustion=6)
    frame = agency.report("Nine", lead, "quarter")
    r = row(frame, periods.block_start(W10, "quarter"))  # 13-week blocks from 2024-01-01
    assert r["shown"] and r["exhaustion"] == 6.0 and r["weeks_text"] == "2 of 13 weeks so far"


# --- the organisation -------------------------------------------------------------------

def build_org(agency: Agency, hidden_exhaustion: int, hidden_size: int = 4) -> int:
    """Teams A (6) and B (7) shown, team C (``hidden_size``) hidden. Returns an admin."""
    for name, size, exhaustion in (("A", 6, 2), ("B", 7, 6), ("C", hidden_size, hidden_exhaustion)):
        agency.form(agency.team(name, size), [W10], exhaustion=exhaustion)
    return agency.admin()


@pytest.mark.parametrize("period, start", [("week", W10), ("4week", dt.date(2026, 2, 23))])
def test_agency_total_minus_visible_teams_does_not_reveal_the_hidden_team(
        db_path, tmp_path, clock, period, start):
    from fatigue.db import connect

    frames = []
    for hidden_exhaustion in (0, 10):
        database = connect(tmp_path / f"agency{hidden_exhaustion}.db")
        agency = Agency(database, clock)
        viewer = build_org(agency, hidden_exhaustion)
        frames.append(agency.org(viewer, period))
        database.close()
    low, high = frames
    total = row(low, start, "Agency total")
    # Person-level mean over A and B only: (6 x 2 + 7 x 6) / 13 = 4.15 -> 4.0.
    assert total["shown"] and total["exhaustion"] == 4.0
    assert "leaves out C" in total["scope_text"]
    assert not row(low, start, "C")["shown"]
    # The hidden team's answers went from 0 to 10, and nothing shown changed at all.
    pd.testing.assert_frame_equal(low, high)


def test_hidden_teams_are_pooled_when_the_pool_is_big_enough(agency):
    viewer = build_org(agency, hidden_exhaustion=10, hidden_size=4)
    agency.form(agency.team("D", 3), [W10], exhaustion=10)
    frame = agency.org(viewer)
    assert_hidden(row(frame, W10, "C"), rules.TEAM_TOO_SMALL)
    assert_hidden(row(frame, W10, "D"), rules.TEAM_TOO_SMALL)
    pool = row(frame, W10, "Smaller teams combined")
    assert pool["shown"] and pool["exhaustion"] == 10.0 and pool["respondents_band"] == "5-9"
    assert pool["scope_text"] == "Combines: C, D."
    total = row(frame, W10, "Agency total")
    # (6 x 2 + 7 x 6 + 7 x 10) / 20 = 6.2 -> 6.0: the total is exactly A + B + pool.
    assert total["exhaustion"] == 6.0 and total["respondents_band"] == "20-49"
    assert total["scope_text"] == "All teams (smaller teams combined)."


def test_org_rows_per_week_are_teams_then_pool_then_total(agency):
    viewer = build_org(agency, hidden_exhaustion=5)
    week = agency.org(viewer)
    week = week[week["period_start"] == pd.Timestamp(W10)]
    assert list(week["team"]) == ["A", "B", "C", "Smaller teams combined", "Agency total"]
    assert list(week["group"]) == ["team", "team", "team", "smaller_teams", "agency"]
    assert row(week, W10, "Smaller teams combined")["hidden_reason"].startswith("Too few people")


# --- the organisation kept per process -----------------------------------------------------

def test_the_organisation_is_built_once_then_kept_until_a_release(agency, org_builds):
    viewer = build_org(agency, hidden_exhaustion=5)
    first = agency.org(viewer)
    first.loc[:, "exhaustion"] = -1.0  # what the caller does to its copy stays its own
    again = agency.org(viewer)
    assert org_builds == [viewer]
    reports.forget_kept()
    pd.testing.assert_frame_equal(again, agency.org(viewer))  # the same as built afresh
    assert len(org_builds) == 2
    # Check-ins in W11, released on 23 Mar: until then the kept rows serve, then not.
    agency.form([uid for (uid,) in agency.db.execute(
        "SELECT m.user_id FROM team_members m JOIN teams t ON t.id = m.team_id"
        " WHERE t.name = 'A'")], [W11], exhaustion=9)
    assert not row(agency.org(viewer), W11, "A")["shown"]  # not released yet: kept rows
    assert len(org_builds) == 2
    released = agency.org(viewer, on=dt.date(2026, 3, 23))
    assert len(org_builds) == 3 and row(released, W11, "A")["exhaustion"] == 9.0
    assert len([e for e in audit.entries(agency.db) if e["action"] == "view_org_report"]) == 5


def test_a_renamed_team_another_view_or_another_day_is_built_afresh(agency, org_builds):
    viewer = build_org(agency, hidden_exhaustion=5)
    agency.org(viewer)
    agency.db.execute("UPDATE teams SET name = 'Alpha' WHERE name = 'A'")
    assert "Alpha" in set(agency.org(viewer)["team"])
    agency.org(viewer, "4week")
    agency.org(viewer, on=TODAY + dt.timedelta(days=1))
    assert len(org_builds) == 4


def test_an_admin_counted_in_a_week_never_gets_rows_kept_for_another(agency, nine, org_builds):
    """Rule 5: a viewer is never shown a figure whose roster holds them. An admin who was
    a member of Nine in W09 and W10 (promoted since; the schema allows it) must not be
    handed the rows kept for an admin who was never counted."""
    members, _ = nine
    agency.form(members, [W09, W10])
    other = agency.admin()
    assert row(agency.org(other), W10, "Nine")["shown"]
    agency.at(W11)
    agency.db.execute("UPDATE users SET is_admin = 1 WHERE id = ?", [members[0]])
    promoted = agency.org(members[0])
    assert_hidden(row(promoted, W10, "Nine"), rules.OWN_DATA)
    assert_hidden(row(promoted, W10, "Agency total"), rules.OWN_DATA)
    assert org_builds == [other, members[0]]
    assert row(agency.org(other), W10, "Nine")["shown"]  # still the other's own rows
    assert len(org_builds) == 2


def test_a_deletion_does_not_change_released_rows_so_kept_rows_stay_true(agency, nine, org_builds):
    """Released weeks are never recomputed (rules 2): after a person's data is deleted the
    organisation built afresh is the one kept, value for value."""
    from fatigue import erasure

    members, _ = nine
    agency.form(members, [W09, W10])
    viewer = agency.admin()
    kept = agency.org(viewer)
    erasure.delete_my_data(agency.db, members[0], "nine.0")
    reports.forget_kept()
    pd.testing.assert_frame_equal(agency.org(viewer), kept)


# --- what reaches the page ----------------------------------------------------------------

TEAM_COLUMNS = [
    "period", "period_start", "period_end", "label", "shown", "hidden_code", "hidden_reason",
    "weeks_text", "team_size_text", "respondents_band", "participation_text", "participation_pct",
    "exhaustion", "empathy", "detachment", "intrusion", "meaning", "recovery", "time_pressure",
    "high_strain_share_text", "high_strain_share_pct", "caseload_mean", "caseload_standard",
    "caseload_vs_standard_pct", "contacts_per_day", "crisis_contacts_per_day",
    "trauma_contacts_per_day", "after_hours_minutes_per_day", "after_hours_share_text",
    "after_hours_share_pct", "supervision_share_text", "supervision_share_pct", "dp",
    "exhaustion_pm95", "empathy_pm95", "detachment_pm95", "intrusion_pm95", "meaning_pm95",
    "recovery_pm95", "time_pressure_pm95", "caseload_mean_pm95", "caseload_vs_standard_pct_pm95",
    "contacts_per_day_pm95", "crisis_contacts_per_day_pm95", "trauma_contacts_per_day_pm95",
    "after_hours_minutes_per_day_pm95", "high_strain_share_pct_pm95",
    "after_hours_share_pct_pm95", "supervision_share_pct_pm95",
]
ORG_EXTRA = ["group", "team_id", "team", "scope_text"]


def test_report_columns_are_exactly_these_and_nothing_about_a_person(agency, nine):
    members, lead = nine
    agency.form(members, [W10], note="private words")
    viewer = agency.admin()
    team = agency.report("Nine", lead)
    org = agency.org(viewer)
    assert list(team.columns) == TEAM_COLUMNS
    assert list(org.columns) == TEAM_COLUMNS[:4] + ORG_EXTRA + TEAM_COLUMNS[4:]
    for frame in (team, org):
        text = frame.astype(str).to_string()
        assert "private words" not in text and "nine.0" not in text and "lead.nine" not in text
    assert len(team) == team["period_start"].nunique()  # one row per week, never per person


def test_only_the_measures_read_checkins_and_never_the_note():
    import importlib

    names = ("measures", "release", "reports", "store", "estimates", "display", "rules",
             "suggestions", "noise", "periods", "changes", "charts")
    sources = {n: inspect.getsource(importlib.import_module(f"fatigue.teamfigures.{n}"))
               for n in names}
    assert {n for n, text in sources.items() if "FROM checkins" in text} == {"measures", "release"}
    assert "note" not in measures._WEEK_SQL and "*" not in measures._WEEK_SQL
    assert "c.note" not in sources["release"] and "SELECT *" not in sources["release"]


# --- how fresh the figures are --------------------------------------------------------------

def status(agency: Agency, viewer: int, team: str | None = None, on: dt.date = TODAY):
    agency.at(on, 12)
    team_id = None if team is None else accounts.team_id(agency.db, team)
    return reports.release_status(agency.db, viewer_id=viewer, team_id=team_id)


def test_release_status_on_a_monday(agency, nine):
    _, lead = nine
    assert status(agency, lead, "Nine") == reports.ReleaseStatus(
        latest_week=W10, released_on=TODAY, next_week=W11, next_release=dt.date(2026, 3, 23),
        members_needed=6, large_enough=True)
    assert status(agency, agency.admin()).large_enough is None  # the organisation


def test_the_latest_week_is_never_more_than_8_days_old_on_a_monday(agency, nine):
    _, lead = nine
    for offset in range(15):
        day = TODAY + dt.timedelta(days=offset)
        now = status(agency, lead, "Nine", on=day)
        end = now.latest_week + dt.timedelta(days=6)
        assert (day - end).days == 8 if day.weekday() == 0 else 8 <= (day - end).days <= 14
        assert now.released_on <= day < now.next_release <= day + dt.timedelta(days=7)
        assert now.next_week == now.latest_week + dt.timedelta(days=7)


def test_a_team_too_small_to_be_shown_is_told_so_without_a_date(agency):
    agency.team("Five", 5)
    lead = agency.lead("Five")
    assert status(agency, lead, "Five", on=dt.date(2026, 3, 23)).large_enough is False
    for period in ("week", "4week"):
        frame = agency.report("Five", lead, period, on=dt.date(2026, 3, 23))  # a new block
        waiting = frame["hidden_code"] == rules.NOT_FINAL
        assert waiting.any(), period
        assert frame.loc[waiting, "hidden_reason"].str.contains("It is shown from").all()
        plain = display.undated(frame, 5)
        assert list(plain.loc[waiting, "hidden_reason"]) == [
            f"Not released yet, and not to be shown on its own: the team has fewer than 6 "
            f"members who count (not counting team leads)."] * int(waiting.sum())
        pd.testing.assert_frame_equal(plain[~waiting], frame[~waiting])  # released rows as they are


def test_a_team_that_grows_can_be_shown_and_leads_and_admins_do_not_count(agency):
    agency.team("Five", 5)
    lead = agency.lead("Five")
    agency.admin()
    assert status(agency, lead, "Five").large_enough is False
    agency.people("Five", 1, "late.", on=TODAY)
    assert status(agency, lead, "Five").large_enough is True
    settings.set_k(agency.db, 6)
    assert status(agency, lead, "Five").large_enough is False  # k + 1 = 7 needed now


def test_release_status_is_for_the_teams_leads_and_admins(agency, nine):
    members, lead = nine
    for viewer, team in ((members[0], "Nine"), (lead, None), (12345, "Nine")):
        with pytest.raises(PermissionError):
            status(agency, viewer, team)
    assert len(audit.entries(agency.db, action="denied_release_status")) == 3


# --- the agency next to a team ----------------------------------------------------------------

def alongside(agency: Agency, team: str, viewer: int, period: str = "week",
              on: dt.date = TODAY) -> pd.DataFrame:
    agency.at(on, 12)
    return reports.agency_alongside(agency.db, accounts.team_id(agency.db, team), period,
                                    viewer_id=viewer)


def test_the_agency_next_to_a_team_covers_the_same_weeks(agency):
    a, b = agency.team("A", 6), agency.team("B", 7)
    lead = agency.lead("A")
    agency.form(b, [W09], exhaustion=8)  # A has nothing in W09: hidden
    agency.form(a, [W10], exhaustion=2)
    agency.form(b, [W10], exhaustion=6)
    later = dt.date(2026, 3, 23)
    weeks = alongside(agency, "A", lead, on=later)
    # W10: (6 x 2 + 7 x 6) / 13 = 4.15 -> 4.0; W09: the team is hidden, so no agency either.
    assert row(weeks, W10)["exhaustion"] == 4.0
    assert row(weeks, W09)["hidden_code"] == reports.TEAM_NOT_SHOWN
    assert list(weeks.columns) == list(reports.REPORT_COLUMNS)
    assert list(weeks["period_start"]) == list(agency.report("A", lead, on=later)["period_start"])
    # The 4 weeks of 23 Feb: the agency's weeks are 8 (W09) and 4 (W10), but the team is
    # shown in W10 only, so its agency row is W10's 4.0, not (8 + 4) / 2.
    block = row(alongside(agency, "A", lead, "4week", on=later), dt.date(2026, 2, 23))
    assert block["shown"] and block["exhaustion"] == 4.0
    for column in ("respondents_band", "participation_text", "team_size_text", "weeks_text"):
        assert pd.isna(block[column]), column


def test_the_agency_next_to_a_team_is_for_its_leads_and_admins_and_audited(agency, nine):
    members, lead = nine
    with pytest.raises(PermissionError):
        alongside(agency, "Nine", members[0])
    alongside(agency, "Nine", lead)
    [entry] = audit.entries(agency.db, action="view_agency_comparison")
    assert entry["actor_id"] == lead and entry["detail"]["team"] == "Nine"
    assert audit.entries(agency.db, action="denied_agency_comparison")


# --- authorization and audit --------------------------------------------------------------

def test_a_member_who_is_not_a_lead_cannot_see_the_team_report(agency, nine):
    members, _ = nine
    with pytest.raises(PermissionError):
        agency.report("Nine", members[0])
    denied = audit.entries(agency.db, action="denied_team_report")
    assert len(denied) == 1 and denied[0]["actor_id"] == members[0]


def test_a_lead_of_one_team_cannot_see_another_team(agency, nine):
    _, lead = nine
    agency.team("Other", 6)
    with pytest.raises(PermissionError):
        agency.report("Other", lead)
    with pytest.raises(PermissionError):  # not even whether a team id exists
        reports.team_report(agency.db, 999, viewer_id=lead)


@pytest.mark.parametrize("viewer", ["lead", "member", "nobody", "string"])
def test_only_admins_see_the_organisation_overview(agency, nine, viewer):
    members, lead = nine
    viewer_id = {"lead": lead, "member": members[0], "nobody": 12345, "string": "1"}[viewer]
    with pytest.raises(PermissionError):
        reports.org_report(agency.db, viewer_id=viewer_id)


def test_a_deactivated_lead_loses_access(agency, nine):
    _, lead = nine
    accounts.set_active(agency.db, lead, False)
    with pytest.raises(PermissionError):
        agency.report("Nine", lead)


def test_viewable_teams(agency, nine):
    members, lead = nine
    agency.team("Other", 0)
    assert [t["name"] for t in reports.viewable_teams(agency.db, lead)] == ["Nine"]
    assert reports.viewable_teams(agency.db, members[0]) == []
    assert [t["name"] for t in reports.viewable_teams(agency.db, agency.admin())] == [
        "Leads", "Nine", "Other"]


def test_every_view_is_recorded_in_the_audit_log(agency, nine):
    members, lead = nine
    agency.form(members, [W09, W10])
    viewer = agency.admin()
    agency.report("Nine", lead)
    agency.report("Nine", lead, "4week")
    agency.org(viewer)
    logged = [e for e in audit.entries(agency.db) if e["action"].startswith("view_")]
    assert [e["action"] for e in logged] == ["view_org_report", "view_team_report", "view_team_report"]
    assert logged[1]["actor_id"] == lead and logged[1]["detail"]["period"] == "4week"
    assert logged[1]["detail"]["team"] == "Nine"
    assert logged[2]["detail"]["to"] == TODAY.isoformat()


def test_report_version_changes_only_with_a_release(agency, nine):
    members, lead = nine
    agency.form(members, [W10])
    agency.report("Nine", lead)
    before = reports.report_version(agency.db)
    agency.form(members, [TODAY])
    assert reports.report_version(agency.db) == before
    agency.report("Nine", lead, on=dt.date(2026, 3, 23))  # W11 released now
    assert reports.report_version(agency.db) != before


def test_hidden_reasons_are_words_for_every_code():
    for code in (rules.TEAM_TOO_SMALL, rules.TOO_FEW, rules.OVER_BUDGET, rules.OWN_DATA,
                 rules.NOTHING_TO_COMBINE, rules.NO_GROUPS_SHOWN, rules.NOT_KEPT,
                 display.NO_WEEK_SHOWN):
        assert display.reason(code, 5) != "Hidden to protect individuals."


# --- the demo agency --------------------------------------------------------------------------

@pytest.fixture
def demo_db(db, clock):
    from fatigue import demo

    demo.build_demo(db, end=TODAY - dt.timedelta(days=1))
    return db


def username_id(db, username: str) -> int:
    return db.execute("SELECT id FROM users WHERE username = ?", [username]).fetchone()[0]


def demo_report(db, team: str, viewer: str, period: str) -> pd.DataFrame:
    return reports.team_report(db, accounts.team_id(db, team), period,
                               viewer_id=username_id(db, viewer))


def test_the_demo_agency_shows_its_teams_hides_the_small_one_and_suggests(demo_db):
    from fatigue.teamfigures.suggestions import team_suggestions

    for team, lead in (("Family Support", "chloe.haddad"), ("Intake & Assessment", "admin"),
                       ("Adult Services", "nadia.berg")):
        for period in ("week", "4week"):
            final = demo_report(demo_db, team, lead, period)
            final = final[final["hidden_code"] != rules.NOT_FINAL]
            assert len(final) >= 4 and final["shown"].mean() >= 0.8, (team, period)
            assert final.loc[final["shown"], "exhaustion"].between(0, 10).all()
    for period in ("week", "4week"):
        housing = demo_report(demo_db, "Housing Outreach", "nadia.berg", period)
        assert not housing["shown"].any()
        assert set(housing["hidden_code"]) <= {rules.TEAM_TOO_SMALL, rules.NOT_FINAL,
                                               display.NO_WEEK_SHOWN}
    busy = demo_report(demo_db, "Family Support", "chloe.haddad", "week")
    assert {"caseload_review"} <= {s["id"] for s in team_suggestions(busy)}
    org = reports.org_report(demo_db, "week", viewer_id=username_id(demo_db, "admin"))
    total = row(org, W09, "Agency total")
    assert total["shown"] and not row(org, W09, "Housing Outreach")["shown"]
