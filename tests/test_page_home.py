"""Home page (AppTest): today's check-in state and the status card."""
import datetime as dt

from fatigue import checkins
from fatigue.analytics import DISCLAIMER

from conftest import RATINGS, log_in, texts

TODAY = dt.date.today()


def weekdays_back(count):
    day, out = TODAY, []
    while len(out) < count:
        if day.weekday() < 5:
            out.append(day)
        day -= dt.timedelta(days=1)
    return out


def test_home_is_the_first_page_and_asks_for_todays_checkin(db, user):
    at = log_in("casey")
    assert not at.exception
    assert texts(at.title) == ["Hello, Casey"]
    assert "You have not checked in today yet. It takes under a minute." in texts(at.info)
    assert DISCLAIMER in texts(at.caption)


def test_home_after_checking_in(db, user):
    checkins.save_checkin(db, user, TODAY, **RATINGS)
    at = log_in("casey")
    assert texts(at.success) == ["You have checked in today. You can still change it."]


def test_new_user_status_is_building(db, user):
    at = log_in("casey")
    markdown = texts(at.markdown)
    assert any("Not enough check-ins yet" in m for m in markdown)
    assert any("Building your baseline (0 of 10" in m for m in markdown)


def test_status_card_says_act_with_reasons_in_words(db, user):
    # Steady usual, then a week of high exhaustion and intrusion with low empathy.
    days = weekdays_back(30)
    for n, day in enumerate(days):
        recent = n < 6
        values = {**RATINGS, "exhaustion": 9 if recent else 4 + n % 2,
                  "intrusion": 8 if recent else 2 + n % 2, "empathy": 2 if recent else 7 - n % 2}
        checkins.save_checkin(db, user, day, **values)
    at = log_in("casey")
    markdown = texts(at.markdown)
    assert any("Time to look after yourself" in m for m in markdown)
    assert any("compassion fatigue" in m for m in markdown)
    # The level is told by its word and an icon, never by colour alone.
    assert any(":material/priority_high:" in m for m in markdown)


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
