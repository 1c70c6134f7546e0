"""The supervision summary: what is ticked and nothing else; user text escaped; no scripts."""
from __future__ import annotations

import datetime as dt
import html
import re

import pandas as pd
import pytest

from fatigue import accounts, actions, checkins, questionnaires
from fatigue import summary as sm
from fatigue.errors import ValidationError

TODAY = dt.date(2026, 3, 16)  # a Monday; the period is Tue 17 Feb .. Mon 16 Mar
RATINGS = dict(
    exhaustion=5, empathy=6, detachment=2, intrusion=3, meaning=7, recovery=4, time_pressure=6
)
NOTE = "Talked to J. about the Hendricks visit, felt shaky"
EVIL = "[x](http://evil)\n<script>alert(1)</script> **bold** <img src=x onerror=alert(2)>"
CURRENT = [d.date() for d in pd.bdate_range("2026-02-17", "2026-03-16")]  # 20 weekdays
PREVIOUS = [d.date() for d in pd.bdate_range("2026-01-20", "2026-02-16")]  # 20 weekdays


@pytest.fixture
def person(db, user):
    """Four quieter weeks, then four heavier ones, a note, questionnaires and actions."""
    records = [
        {"day": d, **RATINGS, "exhaustion": 4, "caseload": 15, "contacts": 4,
         "crisis_contacts": 0, "trauma_contacts": 1, "after_hours_minutes": 0,
         "break_taken": True}
        for d in PREVIOUS
    ]
    records += [
        {"day": d, **RATINGS, "exhaustion": 6, "caseload": 18, "contacts": 6,
         "crisis_contacts": 1, "trauma_contacts": 2, "after_hours_minutes": 30 if i % 2 else 0,
         "supervision": i == 3, "break_taken": i % 4 != 0,
         "note": NOTE if i == 10 else ""}
        for i, d in enumerate(CURRENT)
    ]
    checkins.save_checkins(db, user, records, today=TODAY)
    questionnaires.save_response(db, user, "single_item_burnout", {1: 3},
                                 taken_on=TODAY - dt.timedelta(days=2), today=TODAY)
    questionnaires.save_response(db, user, "proqol5", {i: 3 for i in range(1, 31)},
                                 taken_on=TODAY - dt.timedelta(days=40), today=TODAY)  # before
    actions.plan(db, user, "book_supervision", TODAY - dt.timedelta(days=2), TODAY + dt.timedelta(days=4))
    actions.mark_done(db, user, "protect_a_break", TODAY - dt.timedelta(days=6))
    actions.not_now(db, user, "end_of_day_boundary", TODAY - dt.timedelta(days=1))
    return user


def render(summary: sm.SupervisionSummary) -> tuple[str, str]:
    return sm.to_markdown(summary), sm.to_html(summary)


def test_key_figures_known_answer(db, person):
    s = sm.build(db, person, TODAY)
    assert (s.start, s.previous_start, s.previous_end) == (
        dt.date(2026, 2, 17), dt.date(2026, 1, 20), dt.date(2026, 2, 16))
    assert s.checkins == 20
    exhaustion = next(f for f in s.ratings if f.rating == "exhaustion")
    assert (exhaustion.mean, exhaustion.n, exhaustion.previous_mean, exhaustion.previous_n) == (6, 20, 4, 20)
    assert exhaustion.change == "higher"
    w = s.workload
    assert (w.checkins, w.previous_checkins) == (20, 20)
    assert (w.crisis_contacts, w.trauma_contacts) == ((20, 20), (40, 20))
    assert (w.after_hours_minutes, w.after_hours_days, w.after_hours_answered) == (300, 10, 20)
    assert (w.supervision_days, w.break_days) == ((1, 20), (15, 20))
    assert (w.caseload_latest, w.caseload_standard) == (18, 15)
    # 10*18/15 + (6 + 2*1 + 2) + minutes/60, mean minutes 15 -> 12 + 10 + 0.25
    assert w.workload_index_mean == pytest.approx(22.25)
    # 10 + (4 + 0 + 1) = 15
    assert w.previous_workload_index_mean == pytest.approx(15.0)
    assert [wk.checkins for wk in s.weeks] == [5, 5, 5, 5]
    md, page = render(s)
    for text in (md, page):
        assert "6.0 (n=20)" in text and "4.0 (n=20)" in text
        assert "higher (harder side)" in text
        assert "22.2" in text or "22.3" in text
        assert "5.0 h on 10 days" in text


def test_not_answered_is_left_out_and_said(db, user):
    # Three check-ins: exhaustion and empathy always; the rest only sometimes.
    checkins.save_checkins(db, user, [
        {"day": "2026-03-12", "exhaustion": 6, "empathy": 5, "intrusion": 4, "caseload": 18,
         "crisis_contacts": 2, "supervision": True},
        {"day": "2026-03-13", "exhaustion": 8, "empathy": 3, "break_taken": False},
        {"day": "2026-03-16", "exhaustion": 7, "empathy": 4, "intrusion": None},
    ], today=TODAY)
    s = sm.build(db, user, TODAY)
    figures = {f.rating: (f.mean, f.n) for f in s.ratings}
    assert figures["exhaustion"] == (7.0, 3) and figures["intrusion"] == (4.0, 1)
    assert figures["recovery"] == (None, 0)
    w = s.workload
    assert (w.caseload_latest, w.crisis_contacts, w.trauma_contacts) == (18, (2, 1), (0, 0))
    assert (w.supervision_days, w.break_days, w.after_hours_answered) == ((1, 1), (0, 1), 0)
    md, page = render(s)
    for text in (md, page):
        assert "2 (answered on 1 of 3 check-ins)" in text
        assert "0 of 1 (answered 1 of 3 check-ins)" in text


def test_questionnaires_in_the_period_with_band_and_attribution(db, person):
    s = sm.build(db, person, TODAY)
    assert [(q.instrument_id, q.score, q.band_label) for q in s.questionnaires] == [
        ("single_item_burnout", 3.0,
         "3-5 (read by the authors as describing one or more symptoms of burnout)")]
    md, page = render(s)
    for text in (md, page):
        assert "Physician Worklife Study" in text  # the attribution line
        assert "3-5 (read by the authors as describing one or more symptoms of burnout)" in text
        assert "ProQOL" not in text  # taken 40 days ago: outside the 4 weeks


def test_cbi_is_summarised_under_its_neutral_label(db, person):
    # The middle option to every item scores 50: a research convention, never "High burnout".
    questionnaires.save_response(db, person, "cbi", {n: 3 for n in range(1, 20)},
                                 taken_on=TODAY - dt.timedelta(days=1), today=TODAY)
    s = sm.build(db, person, TODAY)
    cbi = [q for q in s.questionnaires if q.instrument_id == "cbi"]
    assert [(q.score, q.band_label) for q in cbi] == [
        (50.0, "50 or more (the level many studies call high; a research convention, not a "
               "diagnosis)")] * 3
    md, page = render(s)
    for text in (md, page):
        assert "High burnout" not in text and "cut-point" not in text
        assert "the level many studies call high" in text


def test_actions_planned_and_done_only(db, person):
    s = sm.build(db, person, TODAY)
    assert [(a.title, a.status) for a in s.actions] == [
        ("Protect a real break", "done"), ("Book a supervision session", "planned")]
    md, page = render(s)
    for text in (md, page):
        assert "Book a supervision session" in text and "Fri 20 Mar 2026" in text
        assert "Protect a real break" in text
        assert "Set an end-of-day boundary" not in text  # "not now" is not an action taken


def test_old_open_plan_is_listed(db, person):
    actions.plan(db, person, "reflective_supervision", TODAY - dt.timedelta(days=60))
    titles = [a.title for a in sm.build(db, person, TODAY).actions]
    assert "Ask for reflective supervision" in titles


def test_notes_absent_by_default(db, person):
    s = sm.build(db, person, TODAY)
    assert s.notes is None
    for text in render(s):
        assert NOTE not in text and "Hendricks" not in text and "check-in notes" not in text


def test_notes_present_when_ticked(db, person):
    s = sm.build(db, person, TODAY, include_notes=True)
    assert [n.text for n in s.notes] == [NOTE]
    md, page = render(s)
    assert "Hendricks visit" in page and "My check-in notes" in page
    assert "Hendricks visit" in md and "Talked to J\\. about" not in md  # only syntax is escaped


def test_notes_are_escaped(db, user):
    checkins.save_checkin(db, user, TODAY, today=TODAY, **RATINGS, note=EVIL)
    md, page = render(sm.build(db, user, TODAY, include_notes=True))
    _assert_escaped(md, page)


def test_talking_points_render_literally(db, person):
    md, page = render(sm.build(db, person, TODAY, talking_points=EVIL))
    _assert_escaped(md, page)
    assert "\\[x\\](http\\://evil)" in md and "\\<script\\>alert(1)\\</script\\>" in md
    assert "\\*\\*bold\\*\\*" in md
    assert "[x](http://evil)" in page and "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    assert "&lt;img src=x onerror=alert(2)&gt;" in page


def _assert_escaped(md: str, page: str) -> None:
    assert "[x](http://evil)" not in md
    # in Markdown every "<" and "*" typed by the person is backslash-escaped
    assert not re.search(r"(?<!\\)<(script|img)", md) and "**bold**" not in md
    assert "<script" not in page.lower() and "<img" not in page.lower()
    assert "<a " not in page.lower() and "href" not in page.lower()  # shown as text, never a link


@pytest.mark.parametrize("name", ["Casey <b>bold</b>", "[Casey](http://evil)"])
def test_display_name_is_escaped(db, team, name):
    uid = accounts.create_user(db, "namey", "a-long-test-password", team=team, display_name=name)
    md, page = render(sm.build(db, uid, TODAY))
    assert html.escape(name) in page and "<b>" not in page and "<a " not in page
    assert "<b>" not in md and "[Casey](http" not in md


def test_html_is_self_contained_and_script_free(db, person):
    page = sm.to_html(sm.build(db, person, TODAY, talking_points=EVIL, include_notes=True))
    lowered = page.lower()
    assert lowered.startswith("<!doctype html>")
    assert "<script" not in lowered and "javascript:" not in lowered
    assert not re.search(r"\son[a-z]+\s*=", re.sub(r"&lt;.*?&gt;", "", lowered))
    assert not re.search(r"""(src|href|action|data)\s*=\s*["']?\s*(https?:)?//""", lowered)
    assert "<link" not in lowered and "@import" not in lowered and "url(" not in lowered
    assert "<iframe" not in lowered and "<object" not in lowered and "<embed" not in lowered
    assert "<svg" in lowered and "<style>" in lowered


SECTION_MARKERS = {
    "ratings": ["Ratings (last 4 weeks)", "Time pressure"],
    "workload": ["Workload (last 4 weeks)", "Contacts involving traumatic material"],
    "questionnaires": ["Questionnaire results", "Physician Worklife Study"],
    "actions": ["Actions planned and done", "Book a supervision session"],
    "talking_points": ["My talking points", "Ask about cover for leave"],
}


@pytest.mark.parametrize("section", sm.SECTIONS)
def test_summary_contains_what_was_ticked_and_nothing_else(db, person, section):
    s = sm.build(db, person, TODAY, talking_points="Ask about cover for leave", include=[section])
    assert s.include == (section,)
    for text in render(s):
        for other, markers in SECTION_MARKERS.items():
            for marker in markers:
                assert (marker in text) == (other == section), (section, other, marker)
        assert NOTE not in text


def test_only_talking_points_leaves_out_the_figures(db, person):
    md, page = render(sm.build(db, person, TODAY, talking_points="Hello", include=["talking_points"]))
    for text in (md, page):
        assert "check-ins in the last 4 weeks" not in text and "<svg" not in text


def test_validation(db, person):
    with pytest.raises(ValidationError) as err:
        sm.build(db, person, TODAY, include=["ratings", "everything"])
    assert err.value.field == "include"
    with pytest.raises(ValidationError) as err:
        sm.build(db, person, TODAY, talking_points="x" * (sm.MAX_TALKING_POINTS + 1))
    assert err.value.field == "talking_points"
    with pytest.raises(ValidationError):
        sm.build(db, 9999, TODAY)


def test_nothing_is_stored(db, person):
    before = db.conn.total_changes
    s = sm.build(db, person, TODAY, talking_points="Keep this private", include_notes=True)
    render(s)
    assert db.conn.total_changes == before


def test_empty_period(db, user):
    md, page = render(sm.build(db, user, TODAY))
    for text in (md, page):
        assert "0 check-ins" in text
        assert "No questionnaires taken" in text and "No actions planned or done" in text
