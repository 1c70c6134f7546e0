"""Suggestions page (AppTest): why now, plan, done, not now, mute, urgent panel, follow-up."""
import datetime as dt

import pytest

from fatigue import actions, checkins, questionnaires, settings

from conftest import RATINGS, RUN_DAY, log_in, texts

PAGE = "fatigue/pages/actions.py"
TODAY = RUN_DAY
pytestmark = pytest.mark.usefixtures("run_day")  # the pages read today from the clock


def open_page():
    return log_in("casey").switch_page(PAGE).run()


def heavy_month(db, user):
    """Weekday check-ins for 5 weeks: exhausted, after-hours work, no supervision or breaks."""
    day = TODAY - dt.timedelta(days=35)
    while day <= TODAY:
        if day.weekday() < 5:
            checkins.save_checkin(
                db, user, day, contacts=6, after_hours_minutes=60, supervision=False,
                break_taken=False, **{**RATINGS, "exhaustion": 8, "recovery": 4})
        day += dt.timedelta(days=1)


def titles(at):
    return [m for m in texts(at.markdown) if m.startswith("**")]


def test_no_checkins_no_suggestions(db, user):
    at = open_page()
    assert not at.exception
    assert any(t.startswith("Nothing stands out") for t in texts(at.markdown))


def test_heavy_month_shows_suggestions_with_their_reason(db, user):
    heavy_month(db, user)
    at = open_page()
    assert not at.exception
    whys = [m for m in texts(at.markdown) if m.startswith("*Why now:*")]
    assert any("of your last" in w and "outside" in w for w in whys)  # after-hours work
    assert len(whys) >= 3
    assert all(c.startswith("Based on: ") for c in texts(at.caption) if "Based on" in c)


def first_suggestion_id(at):
    button = next(b for b in at.button if b.key and b.key.startswith("plan_"))
    return button.key.removeprefix("plan_")


def test_plan_then_done(db, user):
    heavy_month(db, user)
    at = open_page()
    sid = first_suggestion_id(at)
    at = at.button(key=f"plan_{sid}").click().run()
    assert texts(at.success)[0].startswith("Planned: ")
    assert [p["suggestion_id"] for p in actions.open_plans(db, user)] == [sid]
    assert "What I plan to do" in texts(at.header)
    at = at.button(key=f"done_plan_{sid}").click().run()
    assert texts(at.success)[0].startswith("Marked done: ")
    assert actions.open_plans(db, user) == []
    assert sid not in {s.key.removeprefix("plan_") for s in at.button if s.key and s.key.startswith("plan_")}
    history = actions.history(db, user)
    assert list(history["status"])[:2] == ["done", "planned"]


def test_not_now_and_not_relevant_hide_and_unmute_brings_back(db, user):
    heavy_month(db, user)
    at = open_page()
    sid = first_suggestion_id(at)
    at = at.button(key=f"later_{sid}").click().run()
    assert texts(at.success)[0].startswith("Put aside for now: ")
    assert f"plan_{sid}" not in {b.key for b in at.button}
    second = first_suggestion_id(at)
    at = at.button(key=f"mute_{second}").click().run()
    assert f"plan_{second}" not in {b.key for b in at.button}
    [entry] = actions.muted(db, user)
    at = at.button(key=f"unmute_{entry['rule']}").click().run()
    assert f"plan_{second}" in {b.key for b in at.button}


def test_urgent_panel_shows_the_agency_resources_and_cannot_be_muted(db, user):
    settings.set_support_resources(db, "EAP: 0800 123 456 [call](http://x.example)")
    questionnaires.save_response(db, user, "single_item_burnout", {1: 5})
    at = open_page()
    assert not at.exception
    markdown = texts(at.markdown)
    assert any("reach out for support" in m.lower() for m in markdown)
    assert "EAP: 0800 123 456 [call](http://x.example)" in texts(at.text)  # plain text, as typed
    assert not any(b.key and b.key.startswith("mute_urgent") for b in at.button)
    home = log_in("casey")
    assert any("reach out for support" in m.lower() for m in texts(home.markdown))


def test_urgent_panel_without_configured_resources_says_so(db, user):
    questionnaires.save_response(db, user, "single_item_burnout", {1: 5})
    at = open_page()
    assert any("has not added its local support resources" in i for i in texts(at.info))


def test_two_weeks_after_done_the_page_shows_how_things_moved(db, user):
    from fatigue import suggestions

    heavy_month(db, user)
    sid = next(e.id for e in suggestions.catalogue() if "exhaustion" in e.targets and e.rule != "urgent_support")
    done_on = TODAY - dt.timedelta(days=15)
    actions.mark_done(db, user, sid, done_on)
    at = open_page()
    assert not at.exception
    follow = [m for m in texts(at.markdown) if m.startswith("**Since you did: ")]
    assert len(follow) == 1
    assert any("exhaustion" in m.lower() and "averaged" in m for m in texts(at.markdown))
