"""Home page (AppTest): today's check-in state and the status card."""
import datetime as dt

import pytest

from fatigue import checkins
from fatigue.analytics import DISCLAIMER
from fatigue.dates import day_text

from conftest import RATINGS, RUN_DAY, log_in, texts

TODAY = RUN_DAY
pytestmark = pytest.mark.usefixtures("run_day")  # the pages read today from the clock


def weekdays_back(count):
    day, out = TODAY, []
    while len(out) < count:
        if day.weekday() < 5:
            out.append(day)
        day -= dt.timedelta(days=1)
    return out


def test_home_is_the_first_page_and_opens_on_todays_checkin(db, user):
    at = log_in("casey")
    assert not at.exception
    assert texts(at.title) == ["Hello, Casey"]
    # The quick form itself, first after the greeting, before the status card.
    first = next(e for e in at.main if type(e).__name__ in ("ButtonGroup", "Caption", "Markdown")
                 and getattr(e, "value", "") != "")
    assert first.value.startswith(f"**Today's check-in, {day_text(TODAY)}.**")
    assert at.button_group[0].label.startswith("Exhaustion (needed)")
    assert at.button(key=f"save@{TODAY.isoformat()}").label == "Save check-in"
    assert DISCLAIMER in texts(at.caption)


def test_checking_in_on_home_confirms_by_save_then_home_says_it_is_done(db, user):
    at = log_in("casey")
    at.button_group[0].set_value(7)
    at.button_group[1].set_value(4)
    at = at.button(key=f"save@{TODAY.isoformat()}").click().run()
    assert texts(at.success) == [f"Check-in for {day_text(TODAY)} saved. Thank you."]
    saved = checkins.get_checkin(db, user, TODAY)
    assert (saved["exhaustion"], saved["empathy"], saved["meaning"]) == (7, 4, None)
    at = at.run()  # the next visit
    assert texts(at.success) == ["You have checked in today. You can still change it."]
    assert not at.button_group


def test_home_after_checking_in(db, user):
    checkins.save_checkin(db, user, TODAY, **RATINGS)
    at = log_in("casey")
    assert texts(at.success) == ["You have checked in today. You can still change it."]
    assert not at.button_group


def test_new_user_status_is_building(db, user):
    at = log_in("casey")
    markdown = [plain_text(m) for m in texts(at.markdown)]
    assert any("Not enough check-ins yet" in m for m in markdown)
    assert any("Your usual builds up from check-ins that are more than two weeks old: 0 of the "
               "20 needed so far" in m for m in markdown)
    assert any(c.startswith("Why this is here: Every other figure compares you with your own "
                            "usual") for c in texts(at.caption))


def hard_week(db, user, **recent):
    """Nine steady weeks, then the last six check-ins at ``recent``."""
    for n, day in enumerate(weekdays_back(45)):
        usual = {"exhaustion": 4 + n % 2, "intrusion": 2 + n % 2, "empathy": 7 - n % 2,
                 "detachment": 2 + n % 2}
        checkins.save_checkin(db, user, day, **{**RATINGS, **usual, **(recent if n < 6 else {})})


def headlines(at) -> list[str]:
    return [m for m in texts(at.markdown) if m.startswith("#### ")]


def plain_text(markdown: str) -> str:
    """What the reader sees of escaped markdown (the card escapes ':' '.' and the like)."""
    return markdown.replace("\\", "")


def reasons_on_the_card(at) -> list[str]:
    """The bulleted reasons outside the "more reasons" expander."""
    inside = {id(m) for e in at.expander for m in e.markdown}
    return [plain_text(m.value) for m in at.markdown if m.value.startswith("- ") and id(m) not in inside]


def test_status_card_one_headline_three_reasons_each_with_why_the_rest_one_click_away(db, user):
    # Exhaustion, intrusion and detachment up, empathy down: four reasons, and the
    # combination of three of them is a fifth.
    hard_week(db, user, exhaustion=7, intrusion=8, empathy=2, detachment=6)
    at = log_in("casey")
    assert headlines(at) == ["#### :material/priority_high: Time to look after yourself"]
    shown = reasons_on_the_card(at)
    inside = {id(c) for e in at.expander for c in e.caption}
    whys = [c.value for c in at.caption if c.value.startswith("Why this is here: ")
            and id(c) not in inside]
    assert len(shown) == 3 and len(whys) == 3  # each reason on the card with its why
    assert all(" has been above your usual range since " in m or " has been below your usual "
               "range since " in m for m in shown)
    (more,) = [e for e in at.expander if e.label.endswith("more reasons")]
    assert more.label == "2 more reasons"
    assert len(texts(more.markdown)) == 2 and len(texts(more.caption)) == 2
    assert any("exhaustion and intrusion were above your usual level while empathy was below it" in m
               for m in map(plain_text, texts(more.markdown)))
    assert "compassion fatigue" not in " ".join(texts(at.markdown)).lower()
    assert ("See what is behind this") in [link.label for link in at.get("page_link")]


def test_one_rating_is_worth_watching_with_its_why(db, user):
    hard_week(db, user, detachment=7)
    at = log_in("casey")
    assert headlines(at) == ["#### :material/visibility: Worth watching"]
    (reason,) = reasons_on_the_card(at)
    assert reason.startswith("- Your detachment has been above your usual range since")
    assert "out of 10" in reason and "points above your usual 2.5." in reason
    (why,) = [plain_text(c) for c in texts(at.caption) if c.startswith("Why this is here: ")]
    assert why.startswith("Why this is here: Your recent check-ins, smoothed so that one odd day "
                          "does not count, went above")
    assert not [e for e in at.expander if "more reason" in e.label]


def test_home_says_which_questionnaires_are_due(db, user):
    from fatigue import questionnaires

    at = log_in("casey")
    due = [i for i in texts(at.info) if i.startswith("Due: ")]
    assert len(due) == 2
    questionnaires.save_response(db, user, "single_item_burnout", {1: 2})
    at = log_in("casey")
    due = [i for i in texts(at.info) if i.startswith("Due: ")]
    assert due == ["Due: Professional Quality of Life Scale, version 5 (ProQOL 5). "
                   "Not taken yet; offered every 30 days."]


def test_no_recent_checkins_is_said_kindly(db, user):
    for day in weekdays_back(40)[10:]:  # nothing in the last two weeks
        checkins.save_checkin(db, user, day, **RATINGS)
    at = log_in("casey")
    assert not at.exception
    markdown = " ".join(texts(at.markdown))
    assert "No recent check-ins" in markdown and ":material/pause_circle:" in markdown
