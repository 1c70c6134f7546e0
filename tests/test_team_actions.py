"""Team action plans (fatigue/team_actions.py): plan, done, follow-up.

Time runs on the app's clock: TODAY is Monday 16 Mar 2026; W11 (9-15 Mar) is
released on 23 Mar, so a step done on TODAY is followed up once the weeks of
16 and 23 Mar are released, on Monday 6 Apr.
"""
from __future__ import annotations

import datetime as dt

import pytest

from fatigue import accounts, audit, team_actions
from fatigue.errors import ValidationError
from fatigue.teamfigures.suggestions import CATALOGUE

from conftest import TODAY
from teamlife import W10, W11, Agency, weekdays

W12, W13 = dt.date(2026, 3, 16), dt.date(2026, 3, 23)
REVIEW = CATALOGUE["caseload_review"]


def team_id(agency: Agency) -> int:
    return accounts.team_id(agency.db, "Nine")


def plan(agency: Agency, viewer: int, *, on: dt.date = TODAY, **kwargs) -> int:
    agency.at(on, 12)
    values = dict(suggestion_id="caseload_review", what=REVIEW["steps"][1],
                  owner_role="Team manager", due=on + dt.timedelta(days=14))
    values.update(kwargs)
    return team_actions.plan_action(agency.db, team_id(agency), viewer_id=viewer, **values)


def plans(agency: Agency, viewer: int) -> list[dict]:
    return team_actions.team_plans(agency.db, team_id(agency), viewer_id=viewer)


def test_a_plan_is_stored_as_planned(agency, nine):
    _, lead = nine
    action_id = plan(agency, lead)
    assert plans(agency, lead) == [{
        "id": action_id, "team_id": team_id(agency), "suggestion_id": "caseload_review",
        "title": "Review the team's caseloads together", "what": REVIEW["steps"][1],
        "owner_role": "Team manager", "due": dt.date(2026, 3, 30), "period": "week",
        "status": "planned", "planned_on": TODAY, "done_on": None,
        "aims": ["caseload_vs_standard_pct", "high_strain_share_pct", "exhaustion"],
    }]
    assert team_actions.status_text(plans(agency, lead)[0], TODAY) == "Planned, by Mon 30 Mar 2026"
    late = dt.date(2026, 3, 31)
    assert team_actions.status_text(plans(agency, lead)[0], late) == (
        "Planned, by Mon 30 Mar 2026, past its date")


def test_nothing_in_a_plan_is_about_a_person(db):
    columns = {c.name for c in db["team_actions"].columns}
    assert columns == {"id", "team_id", "suggestion_id", "what", "owner_role", "due", "period",
                       "status", "planned_on", "done_on"}


@pytest.mark.parametrize("change, field", [
    (dict(suggestion_id="fire_everyone"), "suggestion"),
    (dict(what="Move Daniel's cases to Sam"), "what"),  # no free text, so no names
    (dict(what=CATALOGUE["team_debrief"]["steps"][0]), "what"),  # another suggestion's step
    (dict(owner_role="Daniel Moreno"), "owner"),  # a role, never a name
    (dict(due=TODAY - dt.timedelta(days=1)), "due"),
    (dict(due=TODAY + dt.timedelta(days=367)), "due"),
    (dict(due="next week"), "due"),
    (dict(period="month"), "period"),
])
def test_a_plan_is_checked_and_nothing_is_written(agency, nine, change, field):
    _, lead = nine
    with pytest.raises(ValidationError) as refused:
        plan(agency, lead, **change)
    assert field in refused.value.errors
    assert plans(agency, lead) == []


def test_the_title_itself_can_be_planned(agency, nine):
    _, lead = nine
    plan(agency, lead, what=REVIEW["title"], owner_role="Whole team")
    assert plans(agency, lead)[0]["what"] == REVIEW["title"]


def test_only_the_teams_leads_and_admins_see_and_change_plans(agency, nine):
    members, lead = nine
    agency.team("Other", 6)
    other_lead = agency.lead("Other", "lead.other")
    admin = agency.admin()
    action_id = plan(agency, lead)
    for viewer in (members[0], other_lead):
        with pytest.raises(PermissionError):
            plan(agency, viewer)
        with pytest.raises(PermissionError):
            plans(agency, viewer)
        with pytest.raises(PermissionError):
            team_actions.mark_done(agency.db, action_id, TODAY, viewer_id=viewer)
        with pytest.raises(PermissionError):
            team_actions.all_plans(agency.db, viewer_id=viewer)
    with pytest.raises(PermissionError):  # not even whether a plan exists
        team_actions.drop_action(agency.db, 999, viewer_id=lead)
    assert len(audit.entries(agency.db, action="denied_team_action")) == 9
    assert [p["id"] for p in plans(agency, admin)] == [action_id]
    assert [(p["team"], p["id"]) for p in team_actions.all_plans(agency.db, viewer_id=admin)] == [
        ("Nine", action_id)]
    team_actions.mark_done(agency.db, action_id, TODAY, viewer_id=admin)


def test_done_and_dropped_are_final_and_audited_for_admins(agency, nine):
    _, lead = nine
    first, second = plan(agency, lead), plan(agency, lead, owner_role="Whole team")
    with pytest.raises(ValidationError):
        team_actions.mark_done(agency.db, first, TODAY + dt.timedelta(days=1), viewer_id=lead)
    with pytest.raises(ValidationError):  # more than 26 weeks back
        team_actions.mark_done(agency.db, first, TODAY - dt.timedelta(days=183), viewer_id=lead)
    team_actions.mark_done(agency.db, first, W10, viewer_id=lead)  # recorded after the fact
    team_actions.drop_action(agency.db, second, viewer_id=lead)
    with pytest.raises(ValidationError):
        team_actions.mark_done(agency.db, second, TODAY, viewer_id=lead)
    with pytest.raises(ValidationError):
        team_actions.drop_action(agency.db, first, viewer_id=lead)
    by_id = {p["id"]: p for p in plans(agency, lead)}
    assert (by_id[first]["status"], by_id[first]["done_on"]) == ("done", W10)
    assert (by_id[second]["status"], by_id[second]["done_on"]) == ("dropped", None)
    assert team_actions.status_text(by_id[first], TODAY) == "Done on Mon 2 Mar 2026"
    shown_to_admins = [e["action"] for e in audit.admin_entries(agency.db)
                       if e["action"].startswith("team_action")]
    assert shown_to_admins == ["team_action_dropped", "team_action_done", "team_action_planned",
                               "team_action_planned"]
    planned = audit.entries(agency.db, action="team_action_planned")[0]["detail"]
    assert planned == {"team_id": team_id(agency), "team": "Nine", "action_id": second,
                       "suggestion_id": "caseload_review", "owner_role": "Whole team",
                       "due": "2026-03-30"}


# --- the follow-up ---------------------------------------------------------------------------

def report(agency: Agency, viewer: int, on: dt.date, period: str = "week"):
    return agency.report("Nine", viewer, period, on=on)


def test_plan_done_and_the_follow_up_after_two_released_weeks(agency, nine):
    members, lead = nine
    agency.form(members[:6], weekdays(W11), exhaustion=8, caseload=18)  # before the step
    action_id = plan(agency, lead)
    team_actions.mark_done(agency.db, action_id, TODAY, viewer_id=lead)
    agency.form(members[:6], weekdays(W12), exhaustion=6, caseload=15)
    agency.form(members[:6], weekdays(W13), exhaustion=5, caseload=15)
    [done] = plans(agency, lead)

    waiting = team_actions.follow_up(done, report(agency, lead, dt.date(2026, 3, 30)),
                                     dt.date(2026, 3, 30))
    assert waiting == team_actions.FollowUp(ready=False, ready_on=dt.date(2026, 4, 6))

    ready = team_actions.follow_up(done, report(agency, lead, dt.date(2026, 4, 6)),
                                   dt.date(2026, 4, 6))
    assert ready == team_actions.FollowUp(
        ready=True, before="9 Mar - 15 Mar 2026",
        after=["16 Mar - 22 Mar 2026", "23 Mar - 29 Mar 2026"],
        lines=[
            "Caseload vs standard: 120% in 9 Mar - 15 Mar 2026, then 100% in 16 Mar - 22 Mar "
            "2026 and 100% in 23 Mar - 29 Mar 2026 (better for people in both).",
            "In high strain: at least 80% in 9 Mar - 15 Mar 2026, then at most 20% in "
            "16 Mar - 22 Mar 2026 and at most 20% in 23 Mar - 29 Mar 2026 (better for people "
            "in both).",
            "Exhaustion: 8 in 9 Mar - 15 Mar 2026, then 6 in 16 Mar - 22 Mar 2026 and 5 in "
            "23 Mar - 29 Mar 2026 (better for people in both).",
        ])
    assert "not proof" in ready.note


def test_a_hidden_week_after_the_step_is_said_plainly(agency, nine):
    members, lead = nine
    agency.form(members[:6], weekdays(W10), exhaustion=5)
    action_id = plan(agency, lead, suggestion_id="supervision_coverage",
                     what=CATALOGUE["supervision_coverage"]["title"])
    team_actions.mark_done(agency.db, action_id, W11, viewer_id=lead)
    agency.form(members[:3], weekdays(W11), exhaustion=9)  # too few: hidden
    agency.form(members[:6], weekdays(W12), exhaustion=6)
    [done] = plans(agency, lead)
    on = dt.date(2026, 3, 30)
    result = team_actions.follow_up(done, report(agency, lead, on), on)
    assert result.lines[1] == ("Exhaustion: 5 in 2 Mar - 8 Mar 2026, then not shown in "
                               "9 Mar - 15 Mar 2026 and 6 in 16 Mar - 22 Mar 2026.")


def test_no_figure_before_the_step(agency, nine):
    members, lead = nine
    action_id = plan(agency, lead)
    team_actions.mark_done(agency.db, action_id, W11, viewer_id=lead)
    agency.form(members[:6], weekdays(W11) + weekdays(W12), exhaustion=6, caseload=15)
    [done] = plans(agency, lead)
    on = dt.date(2026, 3, 30)
    result = team_actions.follow_up(done, report(agency, lead, on), on)
    assert result.before is None
    assert result.lines[2] == ("Exhaustion: 6 in 9 Mar - 15 Mar 2026 and 6 in 16 Mar - 22 Mar "
                               "2026; no figure from before the step to compare with.")


def test_a_four_week_plan_is_followed_up_after_two_released_blocks(agency, nine):
    _, lead = nine
    action_id = plan(agency, lead, period="4week")
    team_actions.mark_done(agency.db, action_id, TODAY, viewer_id=lead)
    [done] = plans(agency, lead)
    # Blocks of 23 Mar and 20 Apr; the last week of the second begins 11 May.
    assert team_actions.follow_up(done, report(agency, lead, TODAY, "4week"), TODAY) == (
        team_actions.FollowUp(ready=False, ready_on=dt.date(2026, 5, 25)))
    with pytest.raises(ValueError):  # a weekly report cannot follow up a 4-week plan
        team_actions.follow_up(done, report(agency, lead, TODAY), TODAY)


def test_no_follow_up_for_a_plan_not_done(agency, nine):
    _, lead = nine
    plan(agency, lead)
    [planned] = plans(agency, lead)
    assert team_actions.follow_up(planned, report(agency, lead, TODAY), TODAY) is None


def test_choices_of_dates_in_the_apps_format():
    friday = dt.date(2026, 12, 4)
    assert list(team_actions.due_choices(friday).items())[:3] == [
        ("In 1 week: Fri 11 Dec 2026", dt.date(2026, 12, 11)),
        ("In 2 weeks: Fri 18 Dec 2026", dt.date(2026, 12, 18)),
        ("In 4 weeks: Fri 1 Jan 2027", dt.date(2027, 1, 1)),
    ]
    weeks = list(team_actions.done_weeks(friday).items())
    assert weeks[:3] == [
        ("This week, 30 Nov - 6 Dec 2026", friday),  # not a day in the future
        ("Last week, 23 Nov - 29 Nov 2026", dt.date(2026, 11, 29)),
        ("16 Nov - 22 Nov 2026", dt.date(2026, 11, 22)),
    ]
    assert len(weeks) == 27 and weeks[-1][1] >= friday - dt.timedelta(days=182)
