"""Team aggregates, written as an attacker would try them (see PRIVACY.md)."""
from __future__ import annotations

import datetime as dt
import json
import math

import pandas as pd
import pytest

from fatigue import accounts, aggregates, audit, checkins, demo, settings
from fatigue.db import connect
from fatigue.errors import ValidationError

from conftest import PASSWORD, RATINGS, TODAY

HASH = accounts.hash_password(PASSWORD)
W09 = dt.date(2026, 2, 23)  # ISO 2026-W09, released (TODAY is Monday 2026-03-16)
W10 = dt.date(2026, 3, 2)  # ISO 2026-W10, released exactly on TODAY
W11 = dt.date(2026, 3, 9)  # ended yesterday: late check-ins still possible
P_JAN = dt.date(2026, 1, 26)  # the released 4-week period 26 Jan - 22 Feb 2026
METRICS = [*aggregates.NUMERIC, "participation_pct", *(f"{s}_pct" for s in aggregates.SHARES)]


# --- helpers ------------------------------------------------------------------------

def backdated(db, user_id: int) -> int:
    """Accounts made by the tests are dated 2025-01-01, before the periods looked at
    (the tests' TODAY is fixed in 2026 while the clock moves on)."""
    db.execute("UPDATE users SET created_at = '2025-01-01T09:00:00Z' WHERE id = ?", [user_id])
    return user_id


def people(db, team: str | None, count: int, prefix: str, **kwargs) -> list[int]:
    return [
        backdated(db, accounts.create_user(db, f"{prefix}{i}", PASSWORD, team=team,
                                           password_hash=HASH, **kwargs))
        for i in range(count)
    ]


def weekdays(monday: dt.date, count: int = 5) -> list[dt.date]:
    return [monday + dt.timedelta(days=d) for d in range(count)]


def answer(db, uids, days, **values) -> None:
    for uid in uids:
        checkins.save_checkins(
            db, uid, [{"day": day.isoformat(), **{**RATINGS, **values}} for day in days],
            today=TODAY,
        )


def lead_of(db, team: str, username: str = None) -> int:
    """A lead whose home team is elsewhere (so their own check-ins are not in the team)."""
    home = accounts.team_id(db, "Leads") or accounts.create_team(db, "Leads")
    return backdated(db, accounts.create_user(
        db, username or f"lead.{team.lower()}", PASSWORD, team=home, lead_of=[team],
        password_hash=HASH))


def admin(db) -> int:
    return backdated(db, accounts.create_user(db, "the.admin", PASSWORD, is_admin=True,
                                              password_hash=HASH))


def row(frame: pd.DataFrame, start: dt.date, team: str | None = None) -> pd.Series:
    match = frame[frame["period_start"] == pd.Timestamp(start)]
    if team is not None:
        match = match[match["team"] == team]
    assert len(match) == 1, f"expected one row for {start} {team}"
    return match.iloc[0]


def report(db, team: str, viewer: int, period: str = "week", **kwargs) -> pd.DataFrame:
    return aggregates.team_report(db, accounts.team_id(db, team), period, viewer_id=viewer,
                                  today=TODAY, **kwargs)


def assert_hidden(r: pd.Series, code: str | None = None) -> None:
    assert not r["shown"]
    assert isinstance(r["hidden_reason"], str) and len(r["hidden_reason"]) > 20
    if code:
        assert r["hidden_code"] == code
    for column in METRICS:
        assert math.isnan(r[column]), column
    for column in ("respondents_band", "participation_text", "high_strain_share_text",
                   "supervision_share_text", "after_hours_share_text"):
        assert r[column] is None or (isinstance(r[column], float) and math.isnan(r[column]))


@pytest.fixture
def nine(db):
    """Team "Nine": nine members and a lead whose home team is elsewhere."""
    accounts.create_team(db, "Nine")
    members = people(db, "Nine", 9, "nine.")
    return members, lead_of(db, "Nine")


# --- periods ----------------------------------------------------------------------------

@pytest.mark.parametrize("day, start, end", [
    (dt.date(2024, 1, 1), dt.date(2024, 1, 1), dt.date(2024, 1, 28)),
    (dt.date(2024, 1, 28), dt.date(2024, 1, 1), dt.date(2024, 1, 28)),
    (dt.date(2024, 1, 29), dt.date(2024, 1, 29), dt.date(2024, 2, 25)),
    (dt.date(2023, 12, 31), dt.date(2023, 12, 4), dt.date(2023, 12, 31)),
    (dt.date(2026, 3, 16), dt.date(2026, 2, 23), dt.date(2026, 3, 22)),
    (dt.date(2026, 2, 22), dt.date(2026, 1, 26), dt.date(2026, 2, 22)),
])
def test_four_week_periods_are_fixed_blocks_from_2024_01_01(day, start, end):
    assert aggregates.period_bounds(day, "4week") == (start, end)


@pytest.mark.parametrize("day, start", [
    (dt.date(2026, 3, 16), dt.date(2026, 3, 16)),
    (dt.date(2026, 3, 22), dt.date(2026, 3, 16)),
    (dt.date(2026, 1, 1), dt.date(2025, 12, 29)),
])
def test_weeks_are_iso_weeks(day, start):
    assert aggregates.period_bounds(day, "week") == (start, start + dt.timedelta(days=6))


def test_report_periods_do_not_shift_with_today_or_history(db, nine):
    members, lead = nine
    answer(db, members, [dt.date(2026, 2, 3)])  # data starts mid-period
    for today in (TODAY, TODAY + dt.timedelta(days=3), TODAY + dt.timedelta(days=20)):
        frame = aggregates.team_report(db, accounts.team_id(db, "Nine"), "4week",
                                       viewer_id=lead, today=today)
        starts = {d.date() for d in frame["period_start"]}
        assert P_JAN in starts
        assert all((d - aggregates.EPOCH).days % 28 == 0 for d in starts)
    assert row(frame, P_JAN)["label"] == "26 Jan - 22 Feb 2026"
    assert row(frame, P_JAN)["period_end"] == pd.Timestamp(2026, 2, 22)


def test_open_periods_are_listed_but_hidden_until_late_checkins_are_over(db, nine):
    members, lead = nine
    answer(db, members, [*weekdays(W10), *weekdays(W11), TODAY])
    frame = report(db, "Nine", lead)
    assert list(frame["period_start"].dt.date) == [W10, W11, TODAY]
    assert row(frame, W10)["shown"]
    for start, shown_from in ((W11, "23 Mar 2026"), (TODAY, "30 Mar 2026")):
        r = row(frame, start)
        assert_hidden(r, "not_final")
        assert shown_from in r["hidden_reason"]


def test_periods_argument_limits_the_rows(db, nine):
    members, lead = nine
    answer(db, members, [W09, W10])
    assert len(report(db, "Nine", lead, periods=2)) == 2
    with pytest.raises(ValidationError):
        report(db, "Nine", lead, periods=0)
    with pytest.raises(ValidationError):
        report(db, "Nine", lead, period="month")


# --- minimum group size -----------------------------------------------------------------

def test_team_of_four_has_every_cell_hidden_with_the_reason(db):
    accounts.create_team(db, "Four")
    members = people(db, "Four", 4, "four.")
    lead = lead_of(db, "Four")
    answer(db, members, [*weekdays(dt.date(2026, 2, 2)), *weekdays(W09), *weekdays(W10)])
    for period in ("week", "4week"):
        frame = report(db, "Four", lead, period)
        assert not frame["shown"].any()
        final = frame[frame["hidden_code"] != "not_final"]
        assert len(final) >= 1
        for _, r in final.iterrows():
            assert_hidden(r, "team_too_small")
            assert "Fewer than 6 people" in r["hidden_reason"]
            assert r["team_size_text"] == "fewer than 5"


@pytest.mark.parametrize("answered, shown", [(0, False), (4, False), (5, True), (9, True)])
def test_week_where_fewer_than_k_of_nine_answered_is_hidden(db, nine, answered, shown):
    members, lead = nine
    answer(db, members, weekdays(W09))  # everyone in W09
    answer(db, members[:answered], weekdays(W10))
    frame = report(db, "Nine", lead)
    assert row(frame, W09)["shown"]
    r = row(frame, W10)
    assert r["shown"] == shown
    if not shown:
        assert_hidden(r, "too_few_respondents")
        assert "Fewer than 5 people" in r["hidden_reason"]
    else:
        assert r["respondents_band"] == "5-9"
        assert r["team_size_text"] == "5 or more"


def test_a_leads_own_checkins_do_not_count_towards_k(db):
    # The lead knows their own answers: with them, 5 answered; without, only 4.
    accounts.create_team(db, "Led")
    members = people(db, "Led", 8, "led.")
    lead = backdated(db, accounts.create_user(db, "led.lead", PASSWORD, team="Led",
                                              lead_of=["Led"], password_hash=HASH))
    answer(db, [*members[:4], lead], weekdays(W10))
    answer(db, members[:5], weekdays(W09))
    frame = report(db, "Led", lead)
    assert_hidden(row(frame, W10), "too_few_respondents")
    assert row(frame, W09)["shown"]


def test_a_team_of_exactly_k_members_never_shows_so_participation_stays_private(db):
    # If all five answered and the cell were shown, everyone's participation would be known.
    accounts.create_team(db, "Five")
    members = people(db, "Five", 5, "five.")
    lead = lead_of(db, "Five")
    answer(db, members, weekdays(W10))
    assert_hidden(row(report(db, "Five", lead), W10), "team_too_small")


@pytest.mark.parametrize("k, shown", [(5, True), (6, True), (7, False)])
def test_k_setting_is_applied(db, nine, k, shown):
    members, lead = nine
    answer(db, members[:6], weekdays(W10))
    settings.set_k(db, k)
    assert row(report(db, "Nine", lead), W10)["shown"] == shown


def test_people_without_a_home_team_are_not_in_any_team_cell(db, nine):
    members, lead = nine
    loners = people(db, None, 3, "loner.")
    answer(db, members[:5], weekdays(W10), exhaustion=2)
    answer(db, loners, weekdays(W10), exhaustion=10)
    r = row(report(db, "Nine", lead), W10)
    assert r["exhaustion"] == 2.0 and r["high_strain_share_text"] == "at most 20%"


# --- per-person averaging ---------------------------------------------------------------

def test_each_person_counts_once_their_checkins_are_averaged_first(db, nine):
    members, lead = nine
    # One person checks in five times (exhaustion 10, 10 contacts), four once (0, 0).
    answer(db, members[:1], weekdays(W10), exhaustion=10, contacts=10)
    answer(db, members[1:5], [W10], exhaustion=0, contacts=0)
    r = row(report(db, "Nine", lead), W10)
    # Person-level: (10 + 0 + 0 + 0 + 0) / 5 = 2.0; a mean over the 9 rows would be 5.5.
    assert r["exhaustion"] == 2.0
    assert r["contacts_per_day"] == 2.0
    assert r["high_strain_share_text"] == "at most 20%"


def test_means_are_rounded_to_half_points(db, nine):
    members, lead = nine
    # Person means 3, 3, 3, 3, 4 -> 3.2, shown as 3.0; 4, 4, 4, 4, 3 -> 3.8, shown as 4.0.
    answer(db, members[:4], [W10], empathy=3, meaning=4)
    answer(db, members[4:5], [W10], empathy=4, meaning=3)
    r = row(report(db, "Nine", lead), W10)
    assert (r["empathy"], r["meaning"]) == (3.0, 4.0)


def test_caseload_against_the_team_standard_and_contact_intensity(db):
    accounts.create_team(db, "Busy", caseload_standard=20)
    members = people(db, "Busy", 6, "busy.")
    lead = lead_of(db, "Busy")
    answer(db, members[:5], [W10, W10 + dt.timedelta(days=1)], caseload=24, contacts=6,
           crisis_contacts=1, trauma_contacts=2, after_hours_minutes=45, supervision=True)
    r = row(report(db, "Busy", lead), W10)
    assert (r["caseload_mean"], r["caseload_standard"], r["caseload_vs_standard_pct"]) == (24, 20, 120)
    assert (r["contacts_per_day"], r["crisis_contacts_per_day"], r["trauma_contacts_per_day"],
            r["after_hours_minutes_per_day"]) == (6.0, 1.0, 2.0, 45.0)
    assert r["supervision_share_text"] == "at least 80%"
    assert r["after_hours_share_text"] == "at least 80%"


# --- no tails ---------------------------------------------------------------------------------

@pytest.mark.parametrize("strained, text, pct", [
    (5, "at least 80%", 80), (4, "at least 80%", 80), (0, "at most 20%", 20),
    (1, "at most 20%", 20), (2, "about 40%", 40), (3, "about 60%", 60),
])
def test_high_strain_share_never_says_everyone_or_no_one(db, nine, strained, text, pct):
    members, lead = nine
    answer(db, members[:strained], weekdays(W10), exhaustion=9)
    answer(db, members[strained:5], weekdays(W10), exhaustion=3)
    r = row(report(db, "Nine", lead), W10)
    assert (r["high_strain_share_text"], r["high_strain_share_pct"]) == (text, pct)
    texts = " ".join(str(v) for v in r.values)
    assert "100%" not in texts and " 0%" not in texts


@pytest.mark.parametrize("share, text", [
    (0.0, "at most 20%"), (0.2, "at most 20%"), (0.21, "about 20%"), (0.25, "about 30%"),
    (0.5, "about 50%"), (0.79, "about 80%"), (0.8, "at least 80%"), (1.0, "at least 80%"),
])
def test_share_text(share, text):
    assert aggregates.share_text(share)[0] == text


@pytest.mark.parametrize("n, band", [(5, "5-9"), (9, "5-9"), (10, "10-19"), (49, "20-49"),
                                     (1200, "1000 or more")])
def test_respondents_are_shown_as_bands(n, band):
    assert aggregates.count_band(n, 5) == band


def test_participation_is_banded_too(db, nine):
    members, lead = nine
    answer(db, members[:5], weekdays(W10))  # 5 of 9
    r = row(report(db, "Nine", lead), W10)
    assert (r["participation_text"], r["participation_pct"]) == ("about 60%", 60)


# --- no subtraction -------------------------------------------------------------------------

def build_agency(db, hidden_exhaustion: int, hidden_size: int = 4) -> int:
    """Teams A (6), B (7) shown; team C (``hidden_size``) hidden. Returns an admin id."""
    for name, size, exhaustion in (("A", 6, 2), ("B", 7, 6), ("C", hidden_size, hidden_exhaustion)):
        accounts.create_team(db, name)
        answer(db, people(db, name, size, f"{name.lower()}."), weekdays(W10), exhaustion=exhaustion)
    return admin(db)


@pytest.mark.parametrize("period", ["week", "4week"])
def test_agency_total_minus_visible_teams_does_not_reveal_the_hidden_team(tmp_path, period):
    frames = []
    for hidden_exhaustion in (0, 10):
        database = connect(tmp_path / f"agency{hidden_exhaustion}.db")
        viewer = build_agency(database, hidden_exhaustion)
        today = TODAY if period == "week" else dt.date(2026, 3, 30)
        frames.append(aggregates.org_report(database, period, viewer_id=viewer, today=today))
        database.close()
    low, high = frames
    start = W10 if period == "week" else dt.date(2026, 2, 23)
    total = row(low, start, "Agency total")
    assert total["shown"]
    # Person-level mean over A and B only: (6 x 2 + 7 x 6) / 13 = 4.15 -> 4.0.
    assert total["exhaustion"] == 4.0
    assert "leaves out C" in total["scope_text"]
    assert_hidden(row(low, start, "C"), "team_too_small")
    # The attacker's view: the hidden team's answers went from 0 to 10, and nothing
    # shown (total, visible teams, bands, shares) changed at all.
    pd.testing.assert_frame_equal(low, high)


def test_changing_k_does_not_let_the_pool_isolate_a_team(tmp_path):
    # X has 5 answering of 6: shown at k=5, hidden at k=6. If X joined the pool at
    # k=6, pool(k=6) - X(k=5) would give C alone. X is left out instead, and
    # nothing shown at either k depends on C's answers.
    frames = {}
    for hidden_exhaustion in (0, 10):
        database = connect(tmp_path / f"k{hidden_exhaustion}.db")
        viewer = build_agency(database, hidden_exhaustion)
        accounts.create_team(database, "X")
        x = people(database, "X", 6, "x.")
        answer(database, x[:5], weekdays(W10), exhaustion=8)
        for k in (5, 6):
            settings.set_k(database, k)
            frames[hidden_exhaustion, k] = aggregates.org_report(
                database, "week", viewer_id=viewer, today=TODAY)
        database.close()
    for k in (5, 6):
        pd.testing.assert_frame_equal(frames[0, k], frames[10, k])
        assert not row(frames[0, k], W10, "Smaller teams combined")["shown"]
    assert row(frames[0, 5], W10, "X")["shown"]
    assert row(frames[0, 6], W10, "Agency total")["scope_text"] == (
        "Adds up the groups shown above; leaves out A, X, C (too few people to show).")


def test_hidden_teams_are_pooled_when_the_pool_is_big_enough(db):
    viewer = build_agency(db, hidden_exhaustion=10, hidden_size=4)
    accounts.create_team(db, "D")
    answer(db, people(db, "D", 3, "d."), weekdays(W10), exhaustion=10)
    frame = aggregates.org_report(db, "week", viewer_id=viewer, today=TODAY)
    assert_hidden(row(frame, W10, "C"))
    assert_hidden(row(frame, W10, "D"))
    pool = row(frame, W10, "Smaller teams combined")
    assert pool["shown"] and pool["exhaustion"] == 10.0 and pool["respondents_band"] == "5-9"
    assert pool["scope_text"] == "Combines: C, D."
    total = row(frame, W10, "Agency total")
    # (6 x 2 + 7 x 6 + 7 x 10) / 20 = 6.2 -> 6.0: the total is exactly A + B + pool.
    assert total["exhaustion"] == 6.0 and total["respondents_band"] == "20-49"
    assert total["scope_text"] == "All teams (smaller teams combined)."


def test_org_rows_per_period_are_teams_then_pool_then_total(db):
    viewer = build_agency(db, hidden_exhaustion=5)
    frame = aggregates.org_report(db, "week", viewer_id=viewer, today=TODAY)
    week = frame[frame["period_start"] == pd.Timestamp(W10)]
    assert list(week["team"]) == ["A", "B", "C", "Smaller teams combined", "Agency total"]
    assert list(week["group"]) == ["team", "team", "team", "smaller_teams", "agency"]


# --- what reaches the page ----------------------------------------------------------------

TEAM_COLUMNS = [
    "period", "period_start", "period_end", "label", "shown", "hidden_code", "hidden_reason",
    "team_size_text", "respondents_band", "participation_text", "participation_pct",
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


def test_report_columns_are_exactly_these_and_nothing_about_a_person(db, nine):
    members, lead = nine
    answer(db, members, weekdays(W10), note="private words")
    viewer = admin(db)
    team = report(db, "Nine", lead)
    org = aggregates.org_report(db, "week", viewer_id=viewer, today=TODAY)
    assert list(team.columns) == TEAM_COLUMNS
    assert list(org.columns) == TEAM_COLUMNS[:4] + ORG_EXTRA + TEAM_COLUMNS[4:]
    for frame in (team, org):
        for column in frame.columns:
            assert "user" not in column and "note" not in column and "name" not in column
        text = frame.astype(str).to_string()
        assert "private words" not in text
        for username in ("nine.0", "lead.nine"):
            assert username not in text
    # One row per period (team) or per period x group (org): never per person.
    assert len(team) == team["period_start"].nunique()


def test_report_module_never_reads_the_note_column():
    import inspect

    source = inspect.getsource(aggregates)
    assert "c.note" not in source and "SELECT *" not in source.upper()


def test_long_for_chart_takes_shown_rows_only(db, nine):
    members, lead = nine
    answer(db, members, [W09, W10, W11])
    frame = report(db, "Nine", lead)
    tidy = aggregates.long_for_chart(frame, ["exhaustion", "high_strain_share_pct"])
    assert set(tidy["period_start"].dt.date) == {W09, W10}
    assert list(tidy.columns) == ["period_start", "label", "measure", "value", "pm95"]
    with pytest.raises(ValidationError):
        aggregates.long_for_chart(frame, ["hidden_reason"])


# --- authorization and audit --------------------------------------------------------------

def test_a_member_who_is_not_a_lead_cannot_see_the_team_report(db, nine):
    members, _ = nine
    with pytest.raises(PermissionError):
        report(db, "Nine", members[0])
    denied = audit.entries(db, action="denied_team_report")
    assert len(denied) == 1 and denied[0]["actor_id"] == members[0]


def test_a_lead_of_one_team_cannot_see_another_team(db, nine):
    _, lead = nine
    accounts.create_team(db, "Other")
    people(db, "Other", 6, "other.")
    with pytest.raises(PermissionError):
        report(db, "Other", lead)
    with pytest.raises(PermissionError):  # not even whether a team id exists
        aggregates.team_report(db, 999, viewer_id=lead, today=TODAY)


@pytest.mark.parametrize("viewer", ["lead", "member", "nobody", "string"])
def test_only_admins_see_the_organisation_overview(db, nine, viewer):
    members, lead = nine
    viewer_id = {"lead": lead, "member": members[0], "nobody": 12345, "string": "1"}[viewer]
    with pytest.raises(PermissionError):
        aggregates.org_report(db, viewer_id=viewer_id, today=TODAY)


def test_a_deactivated_lead_loses_access(db, nine):
    _, lead = nine
    accounts.set_active(db, lead, False)
    with pytest.raises(PermissionError):
        report(db, "Nine", lead)


def test_admin_may_view_any_team_and_unknown_team_is_an_error(db, nine):
    viewer = admin(db)
    assert len(report(db, "Nine", viewer)) >= 1
    with pytest.raises(ValidationError):
        aggregates.team_report(db, 999, viewer_id=viewer, today=TODAY)


def test_viewable_teams(db, nine):
    members, lead = nine
    accounts.create_team(db, "Other")
    assert [t["name"] for t in aggregates.viewable_teams(db, lead)] == ["Nine"]
    assert aggregates.viewable_teams(db, members[0]) == []
    assert [t["name"] for t in aggregates.viewable_teams(db, admin(db))] == ["Leads", "Nine", "Other"]


def test_every_view_is_recorded_in_the_audit_log(db, nine):
    members, lead = nine
    answer(db, members, [W09, W10])
    viewer = admin(db)
    report(db, "Nine", lead)
    report(db, "Nine", lead, "4week")
    aggregates.org_report(db, "week", viewer_id=viewer, today=TODAY)
    logged = audit.entries(db)
    assert [e["action"] for e in logged] == ["view_org_report", "view_team_report", "view_team_report"]
    newest_team = logged[1]
    assert newest_team["actor_id"] == lead and newest_team["actor"] == "lead.nine"
    assert newest_team["detail"]["team_id"] == accounts.team_id(db, "Nine")
    assert newest_team["detail"]["team"] == "Nine"
    assert newest_team["detail"]["period"] == "4week"
    assert logged[2]["detail"]["from"] == W09.isoformat()
    assert logged[2]["detail"]["to"] == TODAY.isoformat()
    assert logged[0]["actor_id"] == viewer


# --- membership changes, late edits, deactivation --------------------------------------------

def test_released_cells_are_frozen_against_moves_late_edits_and_deactivation(db, nine):
    members, lead = nine
    answer(db, members[:6], weekdays(W10), exhaustion=4)
    before = report(db, "Nine", lead)
    # Someone moves to another team; someone edits an old day; someone leaves.
    accounts.create_team(db, "Elsewhere")
    db.execute("UPDATE team_members SET team_id = ? WHERE user_id = ?",
               [accounts.team_id(db, "Elsewhere"), members[0]])
    checkins.save_checkin(db, members[1], W10, today=TODAY, **{**RATINGS, "exhaustion": 10})
    accounts.set_active(db, members[2], False)
    after = report(db, "Nine", lead)
    pd.testing.assert_frame_equal(before, after)


def test_deactivated_peoples_past_checkins_still_count(db, nine):
    members, lead = nine
    answer(db, members[:5], weekdays(W10))
    accounts.set_active(db, members[0], False)  # left before anyone looked
    r = row(report(db, "Nine", lead), W10)
    assert r["shown"] and r["respondents_band"] == "5-9"


def test_a_second_session_reads_the_cell_frozen_by_the_first(db, db_path, nine):
    members, lead = nine
    answer(db, members, [W10])
    other = connect(db_path)
    report(db, "Nine", lead)
    aggregates.team_report(other, accounts.team_id(other, "Nine"), viewer_id=lead, today=TODAY)
    other.close()
    count = db.execute(
        "SELECT count(*) FROM aggregate_cells WHERE period_start = ?", [W10.isoformat()]
    ).fetchone()[0]
    assert count == 1


# --- the demo agency --------------------------------------------------------------------------

@pytest.fixture(scope="module")
def demo_db(tmp_path_factory):
    database = connect(tmp_path_factory.mktemp("demo") / "demo.db")
    demo.build_demo(database, end=TODAY - dt.timedelta(days=1))
    yield database
    database.close()


def username_id(db, username: str) -> int:
    return db.execute("SELECT id FROM users WHERE username = ?", [username]).fetchone()[0]


@pytest.mark.parametrize("team, lead", [
    ("Family Support", "chloe.haddad"),
    ("Intake & Assessment", None),
    ("Adult Services", "nadia.berg"),
])
def test_demo_larger_teams_have_visible_cells(demo_db, team, lead):
    viewer = username_id(demo_db, lead or "admin")
    for period in ("week", "4week"):
        frame = report(demo_db, team, viewer, period)
        final = frame[frame["hidden_code"] != "not_final"]
        assert len(final) >= 4
        assert final["shown"].mean() >= 0.8
        shown = final[final["shown"]]
        assert shown["exhaustion"].between(0, 10).all()


def test_demo_housing_outreach_of_three_is_always_hidden(demo_db):
    viewer = username_id(demo_db, "nadia.berg")  # leads Adult Services and Housing Outreach
    for period in ("week", "4week"):
        frame = report(demo_db, "Housing Outreach", viewer, period)
        assert not frame["shown"].any()
        assert set(frame["hidden_code"]) == {"team_too_small", "not_final"}


def test_demo_overloaded_team_gets_team_level_suggestions(demo_db):
    frame = report(demo_db, "Family Support", username_id(demo_db, "chloe.haddad"), "4week")
    ids = {s["id"] for s in aggregates.team_suggestions(frame)}
    assert {"caseload_review", "supervision_coverage"} <= ids
    calm = report(demo_db, "Adult Services", username_id(demo_db, "nadia.berg"), "4week")
    assert aggregates.team_suggestions(calm) == []


def test_demo_org_report_pools_or_leaves_out_the_small_team(demo_db):
    frame = aggregates.org_report(demo_db, "4week", viewer_id=username_id(demo_db, "admin"),
                                  today=TODAY)
    r = row(frame, P_JAN, "Agency total")
    assert r["shown"] and "Housing Outreach" in r["scope_text"]
    assert not row(frame, P_JAN, "Housing Outreach")["shown"]


# --- suggestions (pure) -------------------------------------------------------------------------

def fake_report(period="week", **columns) -> pd.DataFrame:
    """Three shown periods with calm defaults; ``columns`` overrides (lists of 3)."""
    starts = [dt.date(2026, 2, 9), dt.date(2026, 2, 16), dt.date(2026, 2, 23)]
    base = {
        "period": [period] * 3, "period_start": pd.to_datetime(starts),
        "label": ["2026-W07", "2026-W08", "2026-W09"], "shown": [True] * 3,
        "high_strain_share_pct": [20.0] * 3, "high_strain_share_text": ["at most 20%"] * 3,
        "caseload_vs_standard_pct": [90.0] * 3, "crisis_contacts_per_day": [0.3] * 3,
        "trauma_contacts_per_day": [0.5] * 3, "after_hours_share_pct": [20.0] * 3,
        "after_hours_share_text": ["at most 20%"] * 3, "after_hours_minutes_per_day": [5.0] * 3,
        "supervision_share_pct": [80.0] * 3, "supervision_share_text": ["at least 80%"] * 3,
    }
    base.update(columns)
    return pd.DataFrame(base)


@pytest.mark.parametrize("columns, expected", [
    ({}, set()),
    ({"high_strain_share_pct": [20.0, 40.0, 50.0],
      "high_strain_share_text": ["at most 20%", "about 40%", "about 50%"]}, {"caseload_review"}),
    ({"high_strain_share_pct": [50.0, 50.0, 20.0]}, set()),  # not high in the last two
    ({"caseload_vs_standard_pct": [100.0, 120.0, 130.0]}, {"caseload_review"}),
    ({"crisis_contacts_per_day": [0.3, 0.3, 0.8]}, {"team_debrief"}),
    ({"trauma_contacts_per_day": [0.5, 0.5, 0.6]}, set()),  # too small a rise
    ({"after_hours_share_pct": [20.0, 20.0, 50.0],
      "after_hours_share_text": ["", "", "about 50%"]}, {"after_hours_policy"}),
    ({"supervision_share_pct": [20.0, 20.0, 20.0]}, {"supervision_coverage"}),
])
def test_team_suggestions_rules(columns, expected):
    assert {s["id"] for s in aggregates.team_suggestions(fake_report(**columns))} == expected


def test_suggestions_have_reason_steps_and_source_and_never_blame():
    report_ = fake_report(
        high_strain_share_pct=[50.0] * 3, high_strain_share_text=["about 50%"] * 3,
        crisis_contacts_per_day=[0.3, 0.3, 1.0], after_hours_share_pct=[60.0] * 3,
        after_hours_share_text=["about 60%"] * 3, supervision_share_pct=[20.0] * 3,
        supervision_share_text=["at most 20%"] * 3,
    )
    found = aggregates.team_suggestions(report_)
    assert [s["id"] for s in found] == [
        "caseload_review", "team_debrief", "after_hours_policy", "supervision_coverage"]
    for s in found:
        assert set(s) == {"id", "title", "reason", "steps", "source"}
        assert s["steps"] and all(isinstance(step, str) for step in s["steps"])
        assert any(name in s["source"] for name in ("NCTSN", "NASW", "CWLA", "PLOS"))
        words = (s["title"] + s["reason"] + " ".join(s["steps"])).lower()
        for blame in ("fault", "failed", "weak", "should have", "blame"):
            assert blame not in words
    assert "about 50%" in found[0]["reason"] and "2026-W08 and 2026-W09" in found[0]["reason"]
    assert "rose to 1" in found[1]["reason"]


def test_suggestions_ignore_hidden_rows():
    hidden = fake_report(shown=[True, False, False],
                         high_strain_share_pct=[50.0, math.nan, math.nan])
    assert aggregates.team_suggestions(hidden) == []
    assert aggregates.team_suggestions(pd.DataFrame()) == []


def test_four_week_supervision_target_is_monthly_for_everyone():
    monthly = fake_report("4week", supervision_share_pct=[80.0, 80.0, 70.0],
                          supervision_share_text=["", "", "about 70%"])
    assert [s["id"] for s in aggregates.team_suggestions(monthly)] == ["supervision_coverage"]


def test_a_future_today_cannot_release_an_open_period(db, nine):
    members, lead = nine
    this_week = aggregates.period_start(dt.date.today())
    answer_today = [dt.date.today()]
    for uid in members:
        checkins.save_checkin(db, uid, answer_today[0], **RATINGS)
    frame = aggregates.team_report(db, accounts.team_id(db, "Nine"), viewer_id=lead,
                                   today=dt.date.today() + dt.timedelta(days=60))
    assert row(frame, this_week)["hidden_code"] == "not_final"
    assert db.execute("SELECT count(*) FROM aggregate_cells WHERE period_start = ?",
                      [this_week.isoformat()]).fetchone()[0] == 0


# --- the weekly rollup and the optimised cells (issue 7) ----------------------------

ROLLUP_CHECK = (
    "SELECT user_id, (CAST(julianday(day) - 2451350.5 AS INTEGER) / 7) AS week, count(*),"
    " sum(exhaustion), sum(empathy), sum(detachment), sum(intrusion), sum(meaning),"
    " sum(recovery), sum(time_pressure), sum(caseload), sum(contacts), sum(crisis_contacts),"
    " sum(trauma_contacts), sum(after_hours_minutes), sum(supervision)"
    " FROM checkins GROUP BY user_id, week ORDER BY user_id, week"
)
ROLLUP_READ = (
    "SELECT user_id, week, n, exhaustion, empathy, detachment, intrusion, meaning, recovery,"
    " time_pressure, caseload, contacts, crisis_contacts, trauma_contacts, after_hours_minutes,"
    " supervision FROM checkin_weeks ORDER BY user_id, week"
)


def test_rollup_epoch_is_a_monday_a_whole_number_of_periods_before_the_epoch():
    assert aggregates.ROLLUP_EPOCH.weekday() == 0
    assert (aggregates.EPOCH - aggregates.ROLLUP_EPOCH).days % 28 == 0
    assert aggregates.ROLLUP_EPOCH < dt.date(2000, 1, 1)  # before any allowed check-in day


@pytest.mark.parametrize("seed", range(3))
def test_rollup_follows_every_kind_of_write(db, seed):
    import numpy as np

    rng = np.random.default_rng(seed)
    accounts.create_team(db, "North")
    ids = people(db, "North", 4, "roll")
    for _ in range(60):
        user = int(rng.choice(ids))
        day = TODAY - dt.timedelta(days=int(rng.integers(0, 40)))
        values = {name: int(rng.integers(0, 11)) for name in RATINGS}
        checkins.save_checkin(db, user, day, today=TODAY, caseload=int(rng.integers(0, 50)),
                              contacts=4, crisis_contacts=int(rng.integers(0, 3)),
                              supervision=bool(rng.random() < 0.3), **values)
    with db.conn:  # other writers: a day moved, rows deleted, a person deleted
        db.execute("UPDATE checkins SET day = date(day, '-9 days') WHERE id % 7 = 0"
                   " AND NOT EXISTS (SELECT 1 FROM checkins o WHERE o.user_id = checkins.user_id"
                   " AND o.day = date(checkins.day, '-9 days'))")
        db.execute("DELETE FROM checkins WHERE id % 5 = 0")
        db.execute("DELETE FROM users WHERE id = ?", [ids[0]])
    assert db.execute(ROLLUP_READ).fetchall() == db.execute(ROLLUP_CHECK).fetchall()
    assert db.execute("SELECT count(*) FROM checkin_weeks WHERE n = 0").fetchone()[0] == 0


def test_migration_builds_the_rollup_from_checkins_saved_before_it(tmp_path):
    from fatigue.migrations import migrations

    path = tmp_path / "old.db"
    old = connect(path, migrate=False)
    migrations.apply(old, stop_before="0007_performance")
    old.execute("INSERT INTO users (id, username, password_hash) VALUES (1, 'casey', '$argon2id$x'),"
                " (2, 'robin', '$argon2id$x')")
    old.execute(
        "INSERT INTO checkins (user_id, day, exhaustion, empathy, detachment, intrusion, meaning,"
        " recovery, time_pressure, caseload, supervision) VALUES"
        " (1, '2026-03-09', 5, 6, 2, 3, 7, 4, 6, 12, 1), (1, '2026-03-10', 7, 6, 2, 3, 7, 4, 6, 14, 0),"
        " (1, '2026-03-16', 2, 6, 2, 3, 7, 4, 6, 14, 0), (2, '2026-03-10', 9, 6, 2, 3, 7, 4, 6, 30, 0)")
    old.conn.commit()
    old.close()
    db = connect(path)
    assert db.execute(ROLLUP_READ).fetchall() == db.execute(ROLLUP_CHECK).fetchall()
    assert db.execute("SELECT user_id, week, n, exhaustion, caseload, supervision FROM checkin_weeks"
                      " ORDER BY user_id, week").fetchall() == [
        (1, 1394, 2, 12, 26, 1), (1, 1395, 1, 2, 14, 0), (2, 1394, 1, 9, 30, 0)]  # weeks from 1999-06-21
    assert db.execute("SELECT count(*) FROM data_versions").fetchone()[0] == 2
    db.close()


@pytest.fixture(scope="module")
def bulk(tmp_path_factory):
    """A small generated agency (2 teams of 30 and 5, people without a team), bulk loaded."""
    db = connect(tmp_path_factory.mktemp("bulk") / "bulk.db")
    agency = demo.generate(seed=5, days=120, end=TODAY - dt.timedelta(days=1),
                           teams=demo.agency_teams(35, 30))
    demo.bulk_load(db, agency)
    with db.conn:
        db.execute("UPDATE users SET created_at = '2025-01-01T09:00:00Z'")
        db.execute("DELETE FROM team_members WHERE home = 1 AND lead = 0 AND user_id % 9 = 0")
    yield db
    db.close()


@pytest.mark.parametrize("period", ["week", "4week"])
@pytest.mark.parametrize("group", ["team:1", "team:2", "noteam"])
def test_cells_from_the_rollup_equal_cells_from_every_checkin(bulk, period, group):
    length = aggregates.PERIOD_DAYS[period]
    first = aggregates.period_start(TODAY - dt.timedelta(days=140), period)
    starts = [first + dt.timedelta(days=length * i) for i in range(140 // length + 1)]
    fast = aggregates._compute(bulk, group, period, starts)
    simple = aggregates._compute(bulk, group, period, starts, rollup=False)
    assert sum(row["respondents"] for row in simple) > 0
    for a, b in zip(fast, simple, strict=True):
        assert {k: v for k, v in a.items() if k != "stats"} == {k: v for k, v in b.items() if k != "stats"}
        fast_stats, simple_stats = json.loads(a["stats"]), json.loads(b["stats"])
        for kind in ("sum", "clamped"):
            assert fast_stats[kind] == pytest.approx(simple_stats[kind], rel=1e-12, abs=1e-12)


def test_report_version_changes_with_k_noise_and_teams(db, nine):
    first = aggregates.report_version(db)
    assert aggregates.report_version(db) == first
    settings.set_k(db, 6)
    second = aggregates.report_version(db)
    settings.set_dp_enabled(db, True)
    third = aggregates.report_version(db)
    with db.conn:
        db.execute("UPDATE teams SET caseload_standard = 20")
    assert len({first, second, third, aggregates.report_version(db)}) == 4


@pytest.mark.parametrize("period", ["week", "4week"])
@pytest.mark.parametrize("extreme", ["highest", "lowest"])
def test_packed_rollup_read_holds_the_extreme_values(db, period, extreme):
    """The rollup read packs several sums into one integer (aggregates._rollup_sql):
    a 4-week period of every-day check-ins at the largest (and smallest) values the
    CHECKs allow must come out exactly as grouping the check-ins gives them."""
    accounts.create_team(db, "North")
    (person,) = people(db, "North", 1, "max")
    top = extreme == "highest"
    first = aggregates.period_start(TODAY - dt.timedelta(days=60), "4week")
    rows = [
        {"day": first + dt.timedelta(days=n), **{name: 10 if top else 0 for name in RATINGS},
         "caseload": 500 if top else 0, "contacts": 100 if top else 0,
         "crisis_contacts": 100 if top else 0, "trauma_contacts": 100 if top else 0,
         "after_hours_minutes": 1440 if top else 0, "supervision": top}
        for n in range(28)
    ]
    with db.conn:  # straight into the table: the form's back-fill window does not apply
        db["checkins"].insert_all([{"user_id": person, **row} for row in rows])
    length = aggregates.PERIOD_DAYS[period]
    last = first + dt.timedelta(days=27)
    fast = aggregates._person_periods(db, "team:1", {"team": 1}, first, last, length)
    simple = aggregates._person_periods(db, "team:1", {"team": 1}, first, last, length,
                                        rollup=False)
    assert len(fast["uid"]) == 28 // length
    for name in fast:
        assert fast[name].tolist() == simple[name].tolist(), name
    assert fast["caseload"].tolist() == [500.0 if top else 0.0] * (28 // length)
