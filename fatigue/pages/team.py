"""My team: anonymized figures for the teams I lead, what changed, and the team's
action plans (leads and admins only)."""
from __future__ import annotations

import streamlit as st

from fatigue import settings, team_actions
from fatigue.dates import day_text
from fatigue.errors import ValidationError
from fatigue.pages._reports import (
    RATING_COLUMNS,
    SHARE_COLUMNS,
    WHY_NOT_LEADS,
    cached_report,
    delta_args,
    freshness,
    period_choice,
    period_table,
    trend_chart,
)
from fatigue.pages._session import get_db, plain, require_lead_or_admin
from fatigue.teamfigures import display, reports, rules
from fatigue.teamfigures.changes import headline_changes
from fatigue.teamfigures.periods import VIEW_NAMES
from fatigue.teamfigures.suggestions import team_suggestions

HELP = {
    "high_strain_share_pct": "Share of respondents whose mean exhaustion in the week was 7 or more.",
    "caseload_vs_standard_pct": "Mean caseload against the team's caseload standard.",
}

user = require_lead_or_admin()
db = get_db()

st.title("My team")
k = settings.get_k(db)
st.caption(
    f"Anonymized team figures only: a week is shown when at least {k} people checked in, each "
    "person counts once, shares are rounded, and nobody's answers, scores or notes are ever "
    "shown. Each week is released once, after late check-ins can no longer change it, and "
    "never changes afterwards. Details: PRIVACY.md."
)
st.caption(f"Why your own answers are not in these figures: {WHY_NOT_LEADS}")

teams = reports.viewable_teams(db, user.id)
if not teams:
    st.info("You do not lead a team yet.")
    st.stop()
by_name = {team["name"]: team["id"] for team in teams}
name = st.selectbox("Team", list(by_name), key="team_choice") if len(by_name) > 1 else next(iter(by_name))
team_id = by_name[name]
flash = st.session_state.pop("team_flash", None)

st.header(plain(name))
status = reports.release_status(db, viewer_id=user.id, team_id=team_id)
if not status.large_enough:
    st.info(
        f"{name} cannot be shown on its own: it has fewer than {status.members_needed} members "
        "who count towards team figures (leads and admins do not count), and the figures of so "
        "few people could reveal who took part. Its members' check-ins count in the smaller "
        "teams combined, which admins see for the whole agency. Its own figures are shown once "
        f"the team has {status.members_needed} such members.",
        icon=":material/group_off:",
    )
else:
    freshness(status)
if flash:
    st.success(plain(flash))
period = period_choice("team_period")
report = cached_report(("team", team_id, period),
                       lambda: reports.team_report(db, team_id, period, viewer_id=user.id))
if not status.large_enough:  # its periods not released yet promise no date
    report = display.undated(report, status.members_needed - 1)
today = settings.agency_today(db)


def follow_up_report(view: str):
    return cached_report(("team", team_id, view),
                         lambda: reports.team_report(db, team_id, view, viewer_id=user.id))


def done(message: str) -> None:
    st.session_state["team_flash"] = message
    st.rerun()


def plan_form(suggestion: dict) -> None:
    """Plan one step of a suggestion: what, who owns it (a role), by when."""
    with st.expander("Plan this for the team"), st.form(f"plan_{suggestion['id']}"):
        what = st.radio("What", [suggestion["title"], *suggestion["steps"]],
                        key=f"plan_what_{suggestion['id']}")
        owner = st.selectbox("Owner (a role, not a name)", team_actions.ROLES,
                             key=f"plan_owner_{suggestion['id']}")
        choices = team_actions.due_choices(today)
        due = st.selectbox("By when", list(choices), index=2, key=f"plan_due_{suggestion['id']}")
        st.caption(f"Followed up per {VIEW_NAMES[period]} once it is done.")
        if st.form_submit_button("Plan", key=f"plan_submit_{suggestion['id']}"):
            try:
                team_actions.plan_action(db, team_id, suggestion["id"], what, owner,
                                         choices[due], viewer_id=user.id, period=period)
            except ValidationError as exc:
                for message in exc.errors.values():
                    st.error(plain(message))
            else:
                done(f"Planned: {what}")


def plan_card(plan: dict) -> None:
    """One plan: what, owner, status; mark done or drop; the follow-up once done."""
    with st.container(border=True):
        st.markdown(f"**{plain(plan['what'])}**")
        st.caption(f"{plan['title']}. Owner: {plan['owner_role']}. "
                   f"{team_actions.status_text(plan, today)}. "
                   f"Aims at: {team_actions.aims_text(plan)}.")
        if plan["status"] == "planned":
            with st.form(f"done_{plan['id']}"):
                weeks = team_actions.done_weeks(today)
                when = st.selectbox("Done in", list(weeks), key=f"done_week_{plan['id']}",
                                    help="The week the step was taken; it can be before you "
                                    "recorded the plan.")
                mark, drop = st.columns(2)
                if mark.form_submit_button("Mark done", key=f"done_submit_{plan['id']}"):
                    try:
                        team_actions.mark_done(db, plan["id"], weeks[when], viewer_id=user.id)
                    except ValidationError as exc:
                        for message in exc.errors.values():
                            st.error(plain(message))
                    else:
                        done(f"Marked done: {plan['what']}")
                if drop.form_submit_button("Drop this plan", key=f"drop_submit_{plan['id']}"):
                    team_actions.drop_action(db, plan["id"], viewer_id=user.id)
                    done(f"Dropped: {plan['what']}")
        elif plan["status"] == "done":
            follow = team_actions.follow_up(plan, follow_up_report(plan["period"]), today)
            if not follow.ready:
                st.write(f"Follow-up on {day_text(follow.ready_on)}, once two "
                         f"{VIEW_NAMES[plan['period']]}s after the step are released.")
            else:
                st.markdown("**Follow-up: what happened**")
                st.markdown("\n".join(f"- {plain(line)}" for line in follow.lines))
                st.caption(follow.note)


shown = report[report["shown"]]
if shown.empty:
    if status.large_enough:
        reasons = report["hidden_reason"].dropna().unique()
        st.warning("No period can be shown for this team yet. " + " ".join(reasons[:2]),
                   icon=":material/visibility_off:")
else:
    latest = shown.iloc[-1]
    st.write(
        f"Figures below: **{latest['label']}**. Team size: {latest['team_size_text']}; "
        f"respondents: {latest['respondents_band']}; participation: {latest['participation_text']}"
        + (f"; {latest['weeks_text']}." if isinstance(latest["weeks_text"], str) else ".")
    )

    released = report[report["hidden_code"] != rules.NOT_FINAL]
    newest = released.iloc[-1] if not released.empty else latest
    if newest["label"] != latest["label"]:
        st.caption(f"The latest released {VIEW_NAMES[period]}, {newest['label']}, is not shown: "
                   f"{display.short_reason(newest['hidden_code']).lower()} (see the table).")

    st.subheader("What changed")
    agency = cached_report(("agency", team_id, period),
                           lambda: reports.agency_alongside(db, team_id, period, viewer_id=user.id))
    found = headline_changes(report, agency)
    for first in range(0, len(found), 2):
        for column, change in zip(st.columns(2), found[first:first + 2]):
            with column, st.container(border=True):
                previous = change.previous
                st.metric(change.label, change.value, **delta_args(previous),
                          help=HELP.get(change.column),
                          delta_description=(f"vs {change.previous_period}"
                                             if previous else "nothing earlier to compare"))
                if change.agency is not None:
                    st.metric(f"Agency, {change.label[0].lower()}{change.label[1:]}",
                              change.agency.other, **delta_args(change.agency),
                              delta_description="this team against the agency")
    st.markdown("\n".join(f"- {plain(change.words)}" for change in found))
    st.caption("Worse or better means for the people in the team. Changes are differences of "
               "released, rounded figures: small ones may be rounding or who checked in.")

    st.subheader("What the team could do")
    suggestions = team_suggestions(report)
    if not suggestions:
        st.write("Nothing in the team figures calls for a team-level step right now.")
    for suggestion in suggestions:
        with st.container(border=True):
            st.markdown(f"**{plain(suggestion['title'])}**")
            st.write(suggestion["reason"])
            for step in suggestion["steps"]:
                st.markdown(f"- {plain(step)}")
            st.caption(f"Based on: {suggestion['source']}")
            plan_form(suggestion)

st.subheader("Team action plans")
plans = team_actions.team_plans(db, team_id, viewer_id=user.id)
if not plans:
    st.write("No plans yet. Plan a step from a team suggestion above; it is followed up "
             "after two released periods.")
for plan in plans:
    plan_card(plan)

if not shown.empty:
    st.subheader("Trends")
    trend_chart(report, RATING_COLUMNS, "Team mean ratings per period (0-10)", domain=[0, 10])
    trend_chart(report, SHARE_COLUMNS, "Shares of respondents, rounded (%)", domain=[0, 100])
    trend_chart(report, ["crisis_contacts_per_day", "trauma_contacts_per_day"],
                "Crisis and trauma contacts per person per day")
    if report["dp"].any():
        st.caption("Differential privacy is on: each figure has random noise added once "
                   "(± and shaded bands: its 95% range), so that no one person's answers can be "
                   "worked out even with outside knowledge.")

hidden = report[~report["shown"]]
if not hidden.empty:
    st.caption(f"{len(hidden)} of {len(report)} periods are hidden; the table says why.")
st.subheader("All periods")
period_table(report)
