"""Supervision summary page (AppTest): what is ticked goes in, notes only when ticked."""
import datetime as dt
import re

import pytest
from icalendar import Calendar

from fatigue import checkins

from conftest import RATINGS, RUN_DAY, log_in, texts

PAGE = "fatigue/pages/summary.py"
TODAY = RUN_DAY
pytestmark = pytest.mark.usefixtures("run_day")  # the pages read today from the clock
NOTE = "Visited the Smith household, hard day."


def open_page(db, user, note=NOTE):
    days = [TODAY - dt.timedelta(days=back) for back in range(20)]
    weekdays = [day for day in days if day.weekday() < 5]
    for day in weekdays:  # the note on the latest weekday, whatever today is
        checkins.save_checkin(db, user, day, note=note if day == weekdays[0] else "", **RATINGS)
    return log_in("casey").switch_page(PAGE).run()


def preview(at):
    return texts(at.expander[0].markdown)[0]


def test_summary_has_the_talking_points_and_no_notes_by_default(db, user):
    at = open_page(db, user)
    assert not at.exception
    at.text_area(key="talking_points").input("Ask about <script>alert(1)</script> [link](http://x)").run()
    text = preview(at)
    assert "Ask about" in text
    assert "<script>" not in text and "](http://x)" not in text  # shown literally, escaped
    assert NOTE not in text
    assert [b.key for b in at.get("download_button")] == [  # the note moved under her key
        "recovery_code_download", "download_html", "download_md", "download_ics"]
    assert all(b.proto.ignore_rerun for b in at.get("download_button"))  # a click runs nothing


def test_notes_only_when_ticked(db, user):
    at = open_page(db, user)
    at.checkbox(key="include_notes").check().run()
    assert "Smith household" in preview(at)


def test_notes_with_markup_show_literally_in_the_preview(db, user):
    at = open_page(db, user, note="<script>alert(1)</script> [x](http://evil) **bold** <img src=x onerror=alert(2)>")
    at.checkbox(key="include_notes").check().run()
    text = preview(at)
    assert "\\<script\\>alert(1)\\</script\\>" in text
    assert "\\[x\\](http\\://evil)" in text and "\\*\\*bold\\*\\*" in text
    assert not re.search(r"(?<!\\)<(script|img)", text) and "](http://evil)" not in text
    assert not at.exception


def test_unticked_sections_are_left_out(db, user):
    at = open_page(db, user)
    assert "Questionnaire results" in preview(at)
    at.checkbox(key="include_questionnaires").uncheck().run()
    assert "Questionnaire results" not in preview(at)


def test_reminder_needs_a_day(db, user):
    at = open_page(db, user)
    at.multiselect(key="reminder_days").set_value([]).run()
    assert any("weekday" in e.lower() for e in texts(at.error))
    assert [b.key for b in at.get("download_button")] == [
        "recovery_code_download", "download_html", "download_md"]  # notes moved at sign-in


def test_calendar_file_from_the_core_parses_back():
    from fatigue import reminder

    ics = reminder.calendar_file(dt.time(16, 30), [0, 2, 4], TODAY, tz="Europe/London")
    event = next(c for c in Calendar.from_ical(ics).walk() if c.name == "VEVENT")
    assert event["RRULE"]["BYDAY"] == ["MO", "WE", "FR"]
    assert event.decoded("DTSTART").time() == dt.time(16, 30)
