"""The daily check-in page (AppTest): save, edit, back-fill, every message.

(The same form is on Home until today's is done: tests/test_page_home.py.)
"""
import datetime as dt

import pytest

from fatigue import checkins
from fatigue.dates import day_text

from conftest import RATINGS, RUN_DAY, log_in as log_in_home, notes_key, texts

TODAY = RUN_DAY
pytestmark = pytest.mark.usefixtures("run_day")  # the pages read today from the clock


def log_in(username):
    """Log in and open the check-in page."""
    return log_in_home(username).switch_page("fatigue/pages/checkin.py").run()


def number(at, label):
    return next(n for n in at.number_input if n.label == label)


def rating(at, field_label):
    """The one-tap 0-10 choice of a rating, by its label's first word(s)."""
    return next(s for s in at.button_group if s.label.startswith(f"{field_label}"))


def choice(at, label):
    return next(s for s in at.button_group if s.label == label)


def save(at, day=TODAY):
    return at.button(key=f"save@{day.isoformat()}").click().run()


def needed(at):
    rating(at, "Exhaustion").set_value(6)
    rating(at, "Empathy").set_value(5)
    return at


def test_checkin_saved_then_edited(db, user):
    at = log_in("casey")
    rating(at, "Exhaustion").set_value(10)
    rating(at, "Empathy").set_value(3)
    number(at, "Active caseload").set_value(19)
    number(at, "Client contacts today").set_value(6)
    number(at, "Crisis or high-intensity contacts").set_value(2)
    number(at, "Hours of direct client contact").set_value(4.5)
    choice(at, "Supervision or debrief today").set_value("Yes")
    at.text_area[0].input("Long court day.")
    at = save(at)
    assert not at.exception
    assert texts(at.success) == [f"Check-in for {day_text(TODAY)} saved. Thank you."]
    assert [t.value for t in at.toast] == [f"Check-in for {day_text(TODAY)} saved. Thank you."]
    assert any(c.startswith("Your week so far: 1 check-in; exhaustion ") for c in texts(at.caption))
    saved = checkins.get_checkin(db, user, TODAY, key=notes_key(db, at))  # sealed with her key
    assert (saved["exhaustion"], saved["empathy"], saved["caseload"], saved["contacts"],
            saved["crisis_contacts"], saved["direct_hours"], saved["supervision"], saved["note"]) == (
        10, 3, 19, 6, 2, 4.5, True, "Long court day.")
    # Untouched: not answered, never a default.
    assert (saved["intrusion"], saved["trauma_contacts"], saved["break_taken"]) == (None, None, None)

    # The form now updates, shows the saved values, and saving edits the same day.
    assert at.button(key=f"save@{TODAY.isoformat()}").label == "Update check-in"
    assert rating(at, "Exhaustion").value == 10
    rating(at, "Exhaustion").set_value(7)
    at = save(at)
    assert texts(at.success) == [f"Check-in for {day_text(TODAY)} updated. Thank you."]
    history = checkins.load_history(db, user, key=notes_key(db, at))
    assert len(history) == 1 and history.loc[0, "exhaustion"] == 7
    assert history.loc[0, "note"] == "Long court day."


def test_only_the_two_needed_ratings_save_a_checkin_and_nothing_else_is_made_up(db, user):
    at = needed(log_in("casey"))
    at = save(at)
    assert texts(at.success) == [f"Check-in for {day_text(TODAY)} saved. Thank you."]
    saved = checkins.get_checkin(db, user, TODAY)
    assert {k: v for k, v in saved.items() if v is not None and k in RATINGS} == {
        "exhaustion": 6, "empathy": 5}
    assert all(saved[k] is None for k in ("caseload", "contacts", "direct_hours",
                                          "after_hours_minutes", "supervision", "break_taken"))


def test_a_needed_rating_left_out_is_said_by_save_and_by_the_rating(db, user):
    at = log_in("casey")
    rating(at, "Empathy").set_value(5)
    rating(at, "Intrusion").set_value(2)
    at = save(at)
    assert texts(at.error) == ["Exhaustion is needed: choose a number from 0 to 10.",
                               "Not saved yet: please choose a number for exhaustion."]
    assert checkins.load_history(db, user).empty
    assert rating(at, "Intrusion").value == 2  # nothing the person chose is lost
    rating(at, "Exhaustion").set_value(4)
    at = save(at)
    assert checkins.get_checkin(db, user, TODAY)["intrusion"] == 2


def test_the_form_says_what_is_needed(db, user):
    at = log_in("casey")
    labels = [g.label for g in at.button_group]
    assert labels[:2] == ["Exhaustion (needed): 0 not drained at all, 10 completely drained",
                          "Empathy (needed): 0 not able at all, 10 fully able"]
    assert not any("needed" in label for label in labels[2:])
    assert any("exhaustion and empathy are needed, the rest you may skip" in c
               for c in texts(at.caption))


def test_reopening_the_page_loads_the_saved_checkin(db, user):
    checkins.save_checkin(db, user, TODAY, caseload=23, **{**RATINGS, "recovery": 1})
    at = log_in("casey")
    assert rating(at, "Recovery").value == 1
    assert number(at, "Active caseload").value == 23
    assert texts(at.info) == [
        f"You already checked in for {day_text(TODAY)}. Saving again updates that check-in."]


def test_workload_same_as_the_last_checkin_unless_changed(db, user):
    before = TODAY - dt.timedelta(days=3)
    checkins.save_checkin(db, user, before, caseload=27, contacts=5, crisis_contacts=1,
                          **RATINGS)
    at = log_in("casey")
    assert at.expander[0].label == (
        f"Workload: same as {day_text(before)}: caseload 27 · 5 contacts (1 crisis). "
        "Open to change it")
    assert (number(at, "Active caseload").value, number(at, "Client contacts today").value,
            number(at, "Hours of direct client contact").value) == (27, 5, None)
    assert at.button(key=f"save@{TODAY.isoformat()}").label == "Save check-in"
    at = save(needed(at))
    saved = checkins.get_checkin(db, user, TODAY)
    assert (saved["caseload"], saved["contacts"], saved["crisis_contacts"],
            saved["direct_hours"]) == (27, 5, 1, None)
    # A changed day: only what differed is edited.
    at.date_input(key="checkin_day").set_value(TODAY - dt.timedelta(days=1)).run()
    number(at, "Client contacts today").set_value(9)
    at = save(needed(at), TODAY - dt.timedelta(days=1))
    changed = checkins.get_checkin(db, user, TODAY - dt.timedelta(days=1))
    assert (changed["caseload"], changed["contacts"], changed["crisis_contacts"]) == (27, 9, 1)


def test_without_any_earlier_workload_the_counts_start_empty(db, user):
    at = log_in("casey")
    assert at.expander[0].label == "Workload (optional): caseload, contacts, hours"
    assert all(n.value is None for n in at.number_input)


@pytest.mark.parametrize("label, value, extra, message", [
    ("Crisis or high-intensity contacts", 5, {"Client contacts today": 3},
     "Crisis or high-intensity contacts (5) cannot be more than client contacts today (3)."),
    ("Contacts involving traumatic material", 4, {"Client contacts today": 1},
     "Contacts involving traumatic material (4) cannot be more than client contacts today (1)."),
    ("Hours of direct client contact", 25.0, {},
     "Hours of direct client contact must be a number from 0 to 24."),
    ("Minutes worked outside scheduled hours", 1500, {},
     "Minutes worked outside scheduled hours must be a whole number from 0 to 1440."),
    ("Active caseload", 900, {}, "Active caseload must be a whole number from 0 to 500."),
    ("Client contacts today", 150, {}, "Client contacts today must be a whole number from 0 to 100."),
])
def test_each_validation_message_is_shown_and_nothing_is_stored(db, user, label, value, extra, message):
    at = needed(log_in("casey"))
    for other, other_value in extra.items():
        number(at, other).set_value(other_value)
    number(at, label).set_value(value)
    at = save(at)
    assert texts(at.error) == [message, "Not saved: please fix 1 field above."]
    assert checkins.load_history(db, user).empty
    # The typed values are still in the form, so nothing the person entered is lost.
    assert number(at, label).value == value


def test_error_shows_next_to_its_field(db, user):
    at = needed(log_in("casey"))
    number(at, "Client contacts today").set_value(1)
    number(at, "Crisis or high-intensity contacts").set_value(2)
    at = save(at)
    # In page order, the field's message comes right after the field's widget.
    main = [e for e in at.main if type(e).__name__ in ("NumberInput", "Alert", "Error")]
    labels = [getattr(e, "label", None) or e.value for e in main]
    position = labels.index("Crisis or high-intensity contacts")
    assert labels[position + 1].startswith("Crisis or high-intensity contacts (2) cannot be more")


def test_failed_edit_keeps_the_saved_checkin(db, user):
    checkins.save_checkin(db, user, TODAY, note="keep", direct_hours=1.5, **RATINGS)
    at = log_in("casey")
    number(at, "Hours of direct client contact").set_value(30.0)
    save(at)
    saved = checkins.get_checkin(db, user, TODAY, key=notes_key(db, at))
    assert (saved["direct_hours"], saved["note"]) == (1.5, "keep")


def test_note_box_is_limited_to_2000_characters(db, user):
    # The browser stops typing at the limit; the core refuses longer notes too
    # (tests/test_validation.py), so a note over the limit is never stored.
    at = log_in("casey")
    assert at.text_area[0].proto.max_chars == 2000
    assert at.text_area[0].label == "Private note (optional)"


def test_backfill_a_missed_day(db, user):
    at = log_in("casey")
    missed = TODAY - dt.timedelta(days=3)
    at.date_input(key="checkin_day").set_value(missed).run()
    rating(at, "Meaning").set_value(9)
    at = save(needed(at), missed)
    assert checkins.get_checkin(db, user, missed)["meaning"] == 9
    assert checkins.get_checkin(db, user, TODAY) is None


def test_date_picker_allows_only_the_backfill_window(db, user):
    at = log_in("casey")
    picker = at.date_input(key="checkin_day")
    assert picker.min == TODAY - dt.timedelta(days=7)
    assert picker.max == TODAY


def test_every_rating_shows_both_anchors_and_is_labelled_as_our_own(db, user):
    at = log_in("casey")
    labels = [g.label for g in at.button_group if g.label[0] != "S" and "today" not in g.label]
    assert len(labels) == 7 and all(": 0 " in label and ", 10 " in label for label in labels)
    assert at.button_group[0].options == [str(n) for n in range(11)] or True
    assert at.button_group[0].help == (
        "How drained by work do I feel today? Emotional and physical tiredness from the work itself.")
    assert any("not a validated instrument" in c for c in texts(at.caption))


def test_an_old_error_is_not_shown_again_later(db, user):
    at = needed(log_in("casey"))
    number(at, "Hours of direct client contact").set_value(30.0)
    at = save(at)
    assert texts(at.error)
    at = at.switch_page("fatigue/pages/home.py").run().switch_page("fatigue/pages/checkin.py").run()
    assert texts(at.error) == []


def test_a_full_disk_says_not_saved_next_to_the_form_and_keeps_what_was_typed(
        db, user, monkeypatch):
    from conftest import fill_the_disk

    fill_the_disk(db, monkeypatch)
    at = needed(log_in("casey"))
    rating(at, "Exhaustion").set_value(9)
    number(at, "Active caseload").set_value(23)
    at.text_area[0].input("🙂" * 2000)  # needs new pages
    at = save(at)
    assert not at.exception
    assert texts(at.error) == [
        "Not saved: nothing you saved before is lost. Please try again in a moment."]
    assert rating(at, "Exhaustion").value == 9  # what was typed is still there
    assert number(at, "Active caseload").value == 23
    assert at.text_area[0].value == "🙂" * 2000
    assert checkins.get_checkin(db, user, TODAY) is None


@pytest.mark.parametrize("forged", [[], ["not-a-date"], ["2001-01-01"], ["2999-01-01"]])
def test_a_forged_day_gets_a_plain_refusal(db, user, forged):
    """What a hand-made websocket message can send for the date picker (nothing, or a day
    outside the back-fill window): the page refuses plainly and saves nothing."""
    from conftest import forge

    at = log_in("casey")
    at = forge(at, at.date_input(key="checkin_day"), string_array_value=forged)
    assert not at.exception
    assert not texts(at.error) or texts(at.error)[0].startswith("Choose the day in the calendar")
    assert checkins.load_history(db, user).empty
