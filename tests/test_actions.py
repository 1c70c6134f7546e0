"""Acting on suggestions: states, validation (nothing written on error), history, follow-up."""
from __future__ import annotations

import datetime as dt
import sqlite3

import pandas as pd
import pytest

from fatigue import accounts, actions, checkins
from fatigue.errors import ValidationError

TODAY = dt.date(2026, 3, 16)  # a Monday
RATINGS = dict(
    exhaustion=5, empathy=6, detachment=2, intrusion=3, meaning=7, recovery=4, time_pressure=6
)


def counts(db) -> tuple[int, int]:
    return (
        db.execute("SELECT count(*) FROM suggestion_actions").fetchone()[0],
        db.execute("SELECT count(*) FROM suggestion_mutes").fetchone()[0],
    )


# ----------------------------------------------------------------- recording
@pytest.mark.parametrize("status", ["planned", "done", "not_now", "not_relevant"])
def test_record_each_status(db, user, status):
    row = actions.record(db, user, "protect_a_break", status, TODAY)
    assert row["status"] == status and row["acted_on"] == TODAY.isoformat()
    assert row["rule"] == "no_breaks" and row["planned_for"] is None
    assert row["status_label"] == actions.STATUSES[status]
    assert counts(db) == (1, 1 if status == "not_relevant" else 0)


@pytest.mark.parametrize("offset", [0, 1, 30, actions.MAX_PLAN_AHEAD_DAYS])
def test_plan_with_a_date(db, user, offset):
    day = TODAY + dt.timedelta(days=offset)
    row = actions.plan(db, user, "book_supervision", TODAY, day)
    assert row["planned_for"] == day.isoformat()
    assert actions.open_plans(db, user)[0]["planned_for"] == day.isoformat()


def test_plan_date_as_iso_text(db, user):
    assert actions.plan(db, user, "book_supervision", TODAY, "2026-03-20")["planned_for"] == "2026-03-20"


@pytest.mark.parametrize("kwargs, field", [
    (dict(suggestion_id="no_such_thing", status="done"), "suggestion_id"),
    (dict(suggestion_id=None, status="done"), "suggestion_id"),
    (dict(suggestion_id="protect_a_break", status="maybe"), "status"),
    (dict(suggestion_id="protect_a_break", status="unmuted"), "status"),
    (dict(suggestion_id="protect_a_break", status="DONE"), "status"),
    (dict(suggestion_id="protect_a_break", status="planned",
          planned_for=TODAY - dt.timedelta(days=1)), "planned_for"),
    (dict(suggestion_id="protect_a_break", status="planned",
          planned_for=TODAY + dt.timedelta(days=actions.MAX_PLAN_AHEAD_DAYS + 1)), "planned_for"),
    (dict(suggestion_id="protect_a_break", status="planned", planned_for="2026-02-30"),
     "planned_for"),
    (dict(suggestion_id="protect_a_break", status="planned", planned_for="soon"), "planned_for"),
    (dict(suggestion_id="protect_a_break", status="done", planned_for=TODAY), "planned_for"),
    (dict(suggestion_id="protect_a_break", status="not_now", planned_for=TODAY), "planned_for"),
    (dict(suggestion_id="reach_out_now", status="not_now"), "status"),
    (dict(suggestion_id="reach_out_now", status="not_relevant"), "status"),
])
def test_invalid_actions_write_nothing(db, user, kwargs, field):
    before = counts(db)
    with pytest.raises(ValidationError) as err:
        actions.record(db, user, today=TODAY, **kwargs)
    assert err.value.field == field
    assert counts(db) == before


def test_bad_today_and_unknown_user_write_nothing(db, user):
    with pytest.raises(ValidationError) as err:
        actions.record(db, user, "protect_a_break", "done", "yesterday")
    assert err.value.field == "today"
    with pytest.raises(ValidationError) as err:
        actions.record(db, 9999, "protect_a_break", "done", TODAY)
    assert err.value.field == "user_id"
    assert counts(db) == (0, 0)


def test_urgent_item_can_be_planned_and_done(db, user):
    actions.plan(db, user, "reach_out_now", TODAY)
    actions.mark_done(db, user, "reach_out_now", TODAY)
    assert counts(db) == (2, 0)


# ----------------------------------------------------------------- transitions
def test_plan_then_replan_then_done(db, user):
    actions.plan(db, user, "book_supervision", TODAY)
    actions.plan(db, user, "book_supervision", TODAY, TODAY + dt.timedelta(days=3))
    plans = actions.open_plans(db, user)
    assert len(plans) == 1 and plans[0]["planned_for"] == "2026-03-19"
    assert plans[0]["title"] == "Book a supervision session" and plans[0]["steps"]
    assert actions.hidden(db, user, TODAY) == {"book_supervision": "planned"}
    actions.mark_done(db, user, "book_supervision", TODAY + dt.timedelta(days=3))
    assert actions.open_plans(db, user) == []


def test_plan_then_not_now_drops_the_plan(db, user):
    actions.plan(db, user, "book_supervision", TODAY)
    actions.not_now(db, user, "book_supervision", TODAY)
    assert actions.open_plans(db, user) == []
    assert actions.hidden(db, user, TODAY) == {"book_supervision": "not now until 2026-03-30"}


def test_muted_rule_refuses_actions_until_unmuted(db, user):
    actions.not_relevant(db, user, "end_of_day_boundary", TODAY)
    for status in ("planned", "done", "not_now", "not_relevant"):
        before = counts(db)
        with pytest.raises(ValidationError) as err:
            actions.record(db, user, "end_of_day_boundary", status, TODAY)
        assert "not relevant" in str(err.value)
        assert counts(db) == before
    row = actions.unmute(db, user, "end_of_day_boundary", TODAY)  # a suggestion id works too
    assert row["status"] == "unmuted" and row["rule"] == "after_hours_work"
    assert actions.muted(db, user) == []
    actions.plan(db, user, "end_of_day_boundary", TODAY)
    assert counts(db) == (3, 0)


def test_unmute_what_is_not_muted(db, user):
    with pytest.raises(ValidationError) as err:
        actions.unmute(db, user, "no_breaks", TODAY)
    assert err.value.field == "rule"
    assert counts(db) == (0, 0)


def test_muted_lists_the_rule_and_its_suggestions(db, user):
    actions.not_relevant(db, user, "protect_a_break", TODAY)
    assert actions.muted(db, user) == [{
        "rule": "no_breaks", "suggestion_id": "protect_a_break", "muted_on": "2026-03-16",
        "title": "Protect a real break", "titles": ["Protect a real break"],
    }]


def test_actions_are_per_person(db, user, team):
    other = accounts.create_user(db, "robin", "a-long-test-password", team=team)
    actions.not_relevant(db, user, "protect_a_break", TODAY)
    actions.plan(db, user, "book_supervision", TODAY)
    assert actions.muted(db, other) == [] and actions.open_plans(db, other) == []
    assert actions.hidden(db, other, TODAY) == {}
    assert actions.history(db, other).empty


# ----------------------------------------------------------------- history
def test_history_newest_first_with_types(db, user):
    actions.plan(db, user, "book_supervision", TODAY - dt.timedelta(days=3), TODAY)
    actions.mark_done(db, user, "book_supervision", TODAY)
    actions.not_relevant(db, user, "protect_a_break", TODAY)
    actions.unmute(db, user, "no_breaks", TODAY)
    frame = actions.history(db, user)
    assert list(frame.columns) == list(actions.HISTORY_COLUMNS)
    assert list(frame["status"]) == ["unmuted", "not_relevant", "done", "planned"]
    assert list(frame["status_label"]) == ["Shown again", "Not relevant to me", "Done", "I'll do this"]
    assert frame["acted_on"].dtype == "datetime64[ns]"
    assert frame["planned_for"].iloc[3] == pd.Timestamp(TODAY)
    assert frame["planned_for"].iloc[:3].isna().all()
    assert frame["title"].iloc[2] == "Book a supervision session"
    assert frame["category"].iloc[2] == "supervision"


def test_history_empty_frame_has_the_columns(db, user):
    frame = actions.history(db, user)
    assert frame.empty and list(frame.columns) == list(actions.HISTORY_COLUMNS)


# ----------------------------------------------------------------- schema
@pytest.mark.parametrize("values", [
    ("protect_a_break", "no_breaks", "maybe", "2026-03-16", None),
    ("protect_a_break", "no_breaks", "done", "2026-02-30", None),
    ("protect_a_break", "no_breaks", "done", "2026-03-16", "2026-03-20"),  # date only for planned
    ("protect_a_break", "no_breaks", "planned", "2026-03-16", "2026-03-15"),  # before acted_on
    ("Protect a break!", "no_breaks", "done", "2026-03-16", None),
    ("protect_a_break", "", "done", "2026-03-16", None),
])
def test_schema_checks(db, user, values):
    with pytest.raises(sqlite3.IntegrityError):
        db.execute(
            "INSERT INTO suggestion_actions (user_id, suggestion_id, rule, status, acted_on,"
            " planned_for) VALUES (?, ?, ?, ?, ?, ?)", [user, *values])


def test_deleting_a_user_deletes_their_actions(db, user):
    actions.plan(db, user, "book_supervision", TODAY)
    actions.not_relevant(db, user, "protect_a_break", TODAY)
    db.execute("DELETE FROM users WHERE id = ?", [user])
    assert counts(db) == (0, 0)


def test_strict_tables(db):
    for table in ("suggestion_actions", "suggestion_mutes"):
        sql = db.execute("SELECT sql FROM sqlite_master WHERE name = ?", [table]).fetchone()[0]
        assert sql.rstrip().endswith("STRICT")
        assert "ON DELETE CASCADE" in sql


# ----------------------------------------------------------------- follow-up
DONE_ON = dt.date(2026, 3, 2)  # a Monday; the after-window ends on TODAY
BEFORE_DAYS = [d.date() for d in pd.bdate_range("2026-02-16", "2026-02-27")]  # 10 weekdays
AFTER_DAYS = [d.date() for d in pd.bdate_range("2026-03-03", "2026-03-16")]  # 10 weekdays
BEFORE_EXHAUSTION = [6, 6, 7, 6, 7, 6, 6, 7, 6, 6]  # mean 6.3
AFTER_EXHAUSTION = [5, 5, 5, 5, 5, 5, 5, 5, 5, 6]  # mean 5.1


def _checkins(db, user, days, **columns):
    records = []
    for i, day in enumerate(days):
        values = {**RATINGS, **{k: v[i] if isinstance(v, list) else v for k, v in columns.items()}}
        records.append({"day": day, **values})
    checkins.save_checkins(db, user, records, today=TODAY)


def _follow_up_history(db, user):
    _checkins(db, user, BEFORE_DAYS, exhaustion=BEFORE_EXHAUSTION, recovery=4)
    _checkins(db, user, AFTER_DAYS, exhaustion=AFTER_EXHAUSTION, recovery=5)
    # outside both windows: the done day itself and the day before the before-window
    _checkins(db, user, [DONE_ON, dt.date(2026, 2, 13)], exhaustion=10, recovery=0)


def test_follow_up_known_answer(db, user):
    _follow_up_history(db, user)
    actions.mark_done(db, user, "lighten_the_load", DONE_ON)  # targets exhaustion, recovery
    [result] = actions.follow_up(db, user, TODAY)
    assert result.ready and result.done_on == DONE_ON and result.ready_on == TODAY
    assert result.before == (dt.date(2026, 2, 16), dt.date(2026, 3, 1))
    assert result.after == (dt.date(2026, 3, 3), TODAY)
    assert (result.before_n, result.after_n) == (10, 10)
    exhaustion, recovery = result.changes
    assert exhaustion.rating == "exhaustion"
    assert exhaustion.before_mean == pytest.approx(6.3) and exhaustion.after_mean == pytest.approx(5.1)
    assert (exhaustion.before_n, exhaustion.after_n) == (10, 10)
    assert exhaustion.difference == pytest.approx(-1.2)
    assert exhaustion.message == (
        "Since you marked this done, your exhaustion averaged 5.1, down from 6.3 in the two "
        "weeks before."
    )
    assert recovery.message == (
        "Since you marked this done, your recovery averaged 5.0, up from 4.0 in the two weeks before."
    )
    assert "Based on 10 check-ins in the two weeks before and 10 in the two weeks after" in result.message
    assert "cannot show whether this step was the reason" in result.caveat
    for text in (result.message, result.caveat, exhaustion.message, recovery.message):
        assert "worked" not in text and "because" not in text


def test_follow_up_waits_14_days(db, user):
    _follow_up_history(db, user)
    actions.mark_done(db, user, "lighten_the_load", DONE_ON)
    day_before = TODAY - dt.timedelta(days=1)
    assert actions.follow_up(db, user, day_before) == []
    [pending] = actions.follow_up(db, user, day_before, include_pending=True)
    assert not pending.ready and pending.changes == ()
    assert "Mon 16 Mar" in pending.message


def test_follow_up_about_the_same_and_too_few(db, user):
    _checkins(db, user, BEFORE_DAYS, exhaustion=5, recovery=4)
    _checkins(db, user, AFTER_DAYS[:2], exhaustion=5, recovery=4)
    actions.mark_done(db, user, "lighten_the_load", DONE_ON)
    [result] = actions.follow_up(db, user, TODAY)
    assert result.after_n == 2
    assert all(c.difference is None for c in result.changes)
    assert "not enough check-ins around that date to compare (10 in the two weeks before, 2 in " \
           "the two weeks after)" in result.changes[0].message
    _checkins(db, user, AFTER_DAYS[2:5], exhaustion=5, recovery=4)
    [result] = actions.follow_up(db, user, TODAY)
    assert result.changes[0].message == (
        "Since you marked this done, your exhaustion averaged 5.0, about the same as in the two "
        "weeks before (5.0)."
    )


def test_follow_up_only_for_done(db, user):
    _follow_up_history(db, user)
    actions.plan(db, user, "lighten_the_load", DONE_ON)
    actions.not_now(db, user, "protect_a_break", DONE_ON)
    assert actions.follow_up(db, user, TODAY) == []
