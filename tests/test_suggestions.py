"""Suggestion catalogue, trigger rules (each with a trigger and a near miss), and what
actions.evaluate() shows from the database."""
from __future__ import annotations

import datetime as dt
import string

import pandas as pd
import pytest

from fatigue import actions, analytics, checkins, questionnaires, settings
from fatigue import suggestions as sg
from fatigue.errors import ValidationError
from fatigue.validation import RATINGS

import histories
from histories import weekdays

TODAY = dt.date(2026, 3, 16)  # a Monday
# Last 7 calendar days: weekdays 10, 11, 12, 13, 16 March.
# Last 7 check-ins (within 14 days): 6, 9, 10, 11, 12, 13, 16 March.
D = dt.date


def make_history(days: list[dt.date], **columns) -> pd.DataFrame:
    """The shared constructed history, with supervision logged once a week."""
    weekly = [i % 5 == 0 for i in range(len(days))]
    return histories.make_history(days, **{"supervision": weekly, **columns})


def base(n: int = 45, end: dt.date = TODAY, **columns) -> pd.DataFrame:
    return make_history(weekdays(end, n), **columns)


def tail(frame: pd.DataFrame, **columns) -> pd.DataFrame:
    """Set the last len(values) check-ins of each column."""
    frame = frame.copy()
    for name, values in columns.items():
        k = len(values)
        frame.loc[frame.index[-k:], name] = values
    return frame


def on(frame: pd.DataFrame, day: dt.date, **values) -> pd.DataFrame:
    frame = frame.copy()
    for name, value in values.items():
        frame.loc[frame["day"] == pd.Timestamp(day), name] = value
    return frame


def q_rows(*rows: tuple) -> pd.DataFrame:
    """A questionnaires.history()-like frame: (instrument, scale, taken_on, score, band)."""
    records = [
        {"response_id": i + 1, "instrument_id": inst, "taken_on": pd.Timestamp(day),
         "scale": scale, "label": scale, "score": float(score), "band": band,
         "band_label": band, "scored": True, "answered": 1, "reason": ""}
        for i, (inst, scale, day, score, band) in enumerate(rows)
    ]
    frame = pd.DataFrame.from_records(records, columns=list(questionnaires.HISTORY_COLUMNS))
    frame["taken_on"] = frame["taken_on"].astype("datetime64[ns]")
    return frame


def ctx(history: pd.DataFrame, q: pd.DataFrame | None = None, standard: float = 15,
        today: dt.date = TODAY) -> sg.Context:
    return sg.make_context(history, today, questionnaires=q, caseload_standard=standard)


RAMP_UP = [4, 4, 5, 5, 6, 6, 7, 7, 8, 9]  # over the last 10 weekdays (14 days)
SLIP_DAYS = [d for d in weekdays(TODAY, 45) if d not in (D(2026, 3, 4), D(2026, 3, 5), D(2026, 3, 6))]
SHORT_SLIP = [d for d in weekdays(TODAY, 45) if d not in (D(2026, 3, 5), D(2026, 3, 6))]


def _no_recent_supervision(**extra) -> pd.DataFrame:
    days = weekdays(TODAY, 45)
    start = TODAY - dt.timedelta(days=27)
    return make_history(days, supervision=[(i % 5 == 0 and d < start) for i, d in enumerate(days)],
                        **extra)


# rule -> (trigger scenarios, near-miss scenarios); each scenario: kwargs for ctx()
SCENARIOS: dict[str, tuple[list, list]] = {
    "urgent_support": (
        [
            lambda: dict(history=tail(base(), exhaustion=[9, 9, 10], recovery=[2, 1, 2])),
            lambda: dict(history=base(), q=q_rows(
                ("single_item_burnout", "burnout", TODAY - dt.timedelta(days=13), 5, "burnout_symptoms"))),
        ],
        [
            lambda: dict(history=tail(base(), exhaustion=[9, 9, 10], recovery=[2, 3, 2])),
            lambda: dict(history=tail(base(), exhaustion=[9, 9, 9, 8], recovery=[2, 2, 2, 2])),
            # a run of three that ended 10 days ago, nothing since
            lambda: dict(history=tail(base(end=D(2026, 3, 6)), exhaustion=[9, 9, 9], recovery=[2, 2, 2])),
            lambda: dict(history=base(), q=q_rows(
                ("single_item_burnout", "burnout", TODAY - dt.timedelta(days=14), 5, "burnout_symptoms"))),
            lambda: dict(history=base(), q=q_rows(
                ("single_item_burnout", "burnout", TODAY - dt.timedelta(days=6), 5, "burnout_symptoms"),
                ("single_item_burnout", "burnout", TODAY - dt.timedelta(days=1), 4, "burnout_symptoms"))),
        ],
    ),
    "sustained_high_exhaustion": (
        [lambda: dict(history=tail(base(), exhaustion=[8, 9, 8, 8, 10]))],
        [lambda: dict(history=tail(base(), exhaustion=[8, 9, 8, 10]))],
    ),
    "early_warning": (
        [lambda: dict(history=tail(base(), exhaustion=[8] * 5))],
        [lambda: dict(history=base())],
    ),
    "compassion_fatigue": (
        [lambda: dict(history=tail(base(), exhaustion=[6] * 5, intrusion=[5] * 5, empathy=[5] * 5))],
        [lambda: dict(history=tail(base(), exhaustion=[6] * 4, intrusion=[5] * 4, empathy=[5] * 4))],
    ),
    "after_hours_work": (
        [lambda: dict(history=tail(base(), after_hours_minutes=[30, 0, 45, 0, 30]))],
        [lambda: dict(history=tail(base(), after_hours_minutes=[30, 0, 0, 0, 30]))],
    ),
    "crisis_trauma_above_usual": (
        [
            lambda: dict(history=tail(base(), crisis_contacts=[3] * 10)),
            lambda: dict(history=tail(base(), trauma_contacts=[2, 3] * 5)),
        ],
        # usual 1 with SD 0 (floored at 1): the limit is 2.0, not exceeded
        [lambda: dict(history=tail(base(), crisis_contacts=[2] * 10)),
         # well above, but only 4 check-ins in the last two weeks
         lambda: dict(history=tail(make_history(weekdays(D(2026, 3, 2), 40)
                                                + [D(2026, 3, 10), D(2026, 3, 11), D(2026, 3, 12),
                                                   D(2026, 3, 13)]), crisis_contacts=[5] * 4))],
    ),
    "caseload_above_standard": (
        [lambda: dict(history=tail(base(caseload=18), exhaustion=RAMP_UP), standard=15)],
        [
            lambda: dict(history=tail(base(caseload=15), exhaustion=RAMP_UP), standard=15),
            lambda: dict(history=base(caseload=18), standard=15),
        ],
    ),
    "no_supervision": (
        [lambda: dict(history=_no_recent_supervision())],
        [
            lambda: dict(history=on(_no_recent_supervision(), TODAY - dt.timedelta(days=27),
                                    supervision=True)),
            # too new to say: first check-in within the 28 days
            lambda: dict(history=make_history(weekdays(TODAY, 15), supervision=False)),
        ],
    ),
    "no_breaks": (
        [lambda: dict(history=tail(base(), break_taken=[False, True, False, False, False]))],
        [lambda: dict(history=tail(base(), break_taken=[False, True, True, False, False]))],
    ),
    "low_recovery": (  # below the usual range: the early warning on recovery (usual 5)
        [lambda: dict(history=tail(base(), recovery=[2, 2, 2, 2, 2]))],
        [lambda: dict(history=tail(base(), recovery=[4, 4, 4, 4, 4])),
         lambda: dict(history=tail(base(), exhaustion=[8] * 5))],
    ),
    "intrusion_after_trauma": (
        [
            lambda: dict(history=tail(base(), intrusion=[7, 3, 8])),
            # the day after trauma contacts counts too
            lambda: dict(history=on(on(tail(base(trauma_contacts=0), intrusion=[3, 3, 7, 7, 3]),
                                       D(2026, 3, 11), trauma_contacts=2),
                                    D(2026, 3, 12), trauma_contacts=1)),
        ],
        [
            lambda: dict(history=tail(base(trauma_contacts=0), intrusion=[7, 3, 8])),
            # usual 3 (SD floored at 1): 5 or more counts, and only one day reaches it
            lambda: dict(history=tail(base(), intrusion=[7, 3, 4])),
            # without a usual there is nothing to be well above
            lambda: dict(history=tail(base(15), intrusion=[7, 3, 8])),
        ],
    ),
    "meaning_falling": (
        [lambda: dict(history=tail(base(), meaning=[7, 7, 6, 6, 5, 5, 4, 4, 3, 2]))],
        [lambda: dict(history=base())],
    ),
    "time_pressure_rising": (
        [lambda: dict(history=tail(base(), time_pressure=[5, 5, 6, 6, 7, 7, 8, 8, 9, 10]))],
        [lambda: dict(history=base())],
    ),
    "detachment_rising": (
        [lambda: dict(history=tail(base(), detachment=[2, 2, 3, 3, 4, 4, 5, 5, 6, 7]))],
        [lambda: dict(history=base())],
    ),
    "long_drift": (  # beyond the usual range since 10 or more days ago
        [lambda: dict(history=tail(base(), exhaustion=[8] * 10))],
        [lambda: dict(history=tail(base(), exhaustion=[8] * 5))],
    ),
    "questionnaire_sts_high": (
        [lambda: dict(history=base(), q=q_rows(
            ("proqol5", "secondary_traumatic_stress", TODAY - dt.timedelta(days=3), 42, "high")))],
        [
            lambda: dict(history=base(), q=q_rows(
                ("proqol5", "secondary_traumatic_stress", TODAY - dt.timedelta(days=3), 41, "moderate"))),
            lambda: dict(history=base(), q=q_rows(
                ("proqol5", "secondary_traumatic_stress", TODAY - dt.timedelta(days=35), 44, "high"))),
        ],
    ),
    "questionnaire_burnout_high": (
        [
            lambda: dict(history=base(), q=q_rows(
                ("proqol5", "burnout", TODAY - dt.timedelta(days=10), 43, "high"))),
            lambda: dict(history=base(), q=q_rows(
                ("cbi", "work", TODAY - dt.timedelta(days=2), 57.1, "high"))),
            lambda: dict(history=base(), q=q_rows(
                ("single_item_burnout", "burnout", TODAY - dt.timedelta(days=2), 3, "burnout_symptoms"))),
        ],
        [
            lambda: dict(history=base(), q=q_rows(
                ("proqol5", "burnout", TODAY - dt.timedelta(days=10), 30, "moderate"))),
            lambda: dict(history=base(), q=q_rows(
                ("single_item_burnout", "burnout", TODAY - dt.timedelta(days=2), 2, "no_burnout_symptoms"))),
            lambda: dict(history=base(), q=q_rows(
                ("single_item_burnout", "burnout", TODAY - dt.timedelta(days=14), 4, "burnout_symptoms"))),
            # the highest option brings the urgent panel instead
            lambda: dict(history=base(), q=q_rows(
                ("single_item_burnout", "burnout", TODAY - dt.timedelta(days=2), 5, "burnout_symptoms"))),
        ],
    ),
    "checkins_slip": (
        [
            # heavy Tuesday 3 March, then Wed-Fri without a check-in
            lambda: dict(history=on(make_history(SLIP_DAYS), D(2026, 3, 3), exhaustion=8)),
            # still open: heavy Tuesday 10 March, nothing since (today is not counted)
            lambda: dict(history=tail(base(end=D(2026, 3, 10)), time_pressure=[9])),
            # a heavier workload day (many contacts), ratings as usual
            lambda: dict(history=on(make_history(SLIP_DAYS), D(2026, 3, 3), contacts=12,
                                    crisis_contacts=3)),
        ],
        [
            lambda: dict(history=make_history(SLIP_DAYS)),  # the day before was a lighter one
            lambda: dict(history=on(make_history(SHORT_SLIP), D(2026, 3, 4), exhaustion=8)),  # 2 days
        ],
    ),
}

CASES = [
    pytest.param(rule, kind, i, id=f"{rule}-{kind}{i}")
    for rule, (hits, misses) in SCENARIOS.items()
    for kind, builders in (("trigger", hits), ("miss", misses))
    for i in range(len(builders))
]


def test_every_rule_has_scenarios_and_a_catalogue_entry():
    assert set(SCENARIOS) == set(sg.RULES)
    used = {e.rule for e in sg.catalogue()}
    assert used == set(sg.RULES)
    assert len(sg.RULES) >= 15


@pytest.mark.parametrize("rule, kind, index", CASES)
def test_rule_triggers_and_near_miss(rule, kind, index):
    hits, misses = SCENARIOS[rule]
    scenario = (hits if kind == "trigger" else misses)[index]()
    figures = sg.RULES[rule](ctx(**scenario))
    if kind == "trigger":
        assert isinstance(figures, dict)
    else:
        assert figures is None


@pytest.mark.parametrize("rule", list(SCENARIOS))
def test_triggered_suggestion_fills_why_now(rule):
    scenario = SCENARIOS[rule][0][0]()
    context = ctx(**scenario)
    found = {s.rule: s for s in sg.triggered_in(context, support_text="")}
    assert rule in found
    suggestion = found[rule]
    item = sg.entry(suggestion.id)
    assert set(item.fields) <= set(suggestion.figures)
    assert "{" not in suggestion.why_now and "}" not in suggestion.why_now
    unset = suggestion.extra.get("support_configured") is False  # no step points to nothing
    assert suggestion.title == item.title and suggestion.steps == tuple(
        sg.NO_SUPPORT_STEP if unset and step == sg.SUPPORT_STEP else step for step in item.steps)
    assert suggestion.source and all(s.citation.rstrip(".") in suggestion.source for s in item.sources)
    assert suggestion.targets and set(suggestion.targets) <= set(RATINGS)


def test_why_now_matches_the_figures():
    found = {s.rule: s for s in sg.triggered(
        tail(base(), after_hours_minutes=[30, 0, 45, 0, 30], exhaustion=[8, 9, 8, 8, 10],
             recovery=[3, 2, 3, 3, 3]),
        TODAY,
    )}
    assert found["after_hours_work"].why_now == (
        "3 of your last 7 check-ins included work outside your scheduled hours (1.8 hours in all)."
    )
    assert found["sustained_high_exhaustion"].why_now == (
        "Exhaustion was 8 or more on 5 of your last 7 check-ins."
    )
    assert "low_recovery" not in found  # 3 after a usual of 5 stays inside the usual range


def test_early_warning_why_now_describes_the_run():
    found = {s.rule: s for s in sg.triggered(tail(base(), exhaustion=[8] * 5), TODAY)}
    assert found["early_warning"].why_now == (
        "Your exhaustion moved beyond your usual range recently. Since Wed 11 Mar (4 check-ins) "
        "your exhaustion averaged 8.0 out of 10, compared with your usual 4.0."
    )


def test_lasting_and_low_recovery_why_now():
    found = {s.rule: s for s in sg.triggered(
        tail(base(), exhaustion=[8] * 10, recovery=[2] * 5), TODAY)}
    assert found["long_drift"].why_now == (
        "Your exhaustion has stayed above your usual range since Tue 3 Mar: over those 10 "
        "check-ins it averaged 8.0 out of 10, against your usual 4.0. A change that lasts is "
        "easy to miss from inside."
    )
    assert found["low_recovery"].why_now == (
        "Your recovery has been below your usual range since Thu 12 Mar: over those 3 check-ins "
        "it averaged 2.0 out of 10, against your usual 5.0."
    )


def test_intrusion_is_judged_against_the_usual():
    # Usual 3 (SD 0, floored at 1): 5 or more is well above it. Thu 12 and Mon 16 Mar
    # qualify, with 1 trauma contact on each and on Wed 11 (the day before the 12th).
    figures = sg.RULES["intrusion_after_trauma"](ctx(tail(base(), intrusion=[7, 3, 8])))
    assert figures == {"high_days": 2, "threshold": "5.0", "usual_mean": "3.0",
                       "trauma_contacts": 3}


def test_crisis_contacts_figures_known_answer():
    # the last two weeks (10 check-ins) against the 12 weeks before them (usual 1)
    figures = sg.RULES["crisis_trauma_above_usual"](
        ctx(tail(base(), crisis_contacts=[3, 2, 3, 3, 2, 3, 2, 3, 3, 2])))
    assert figures == {
        "what": "crisis or high-intensity contacts", "measure": "crisis_contacts",
        "recent_mean": "2.6", "recent_n": 10, "usual_mean": "1.0",
    }


def test_caseload_review_request_is_drafted_with_the_figures():
    history = tail(base(caseload=18, after_hours_minutes=30), exhaustion=RAMP_UP)
    found = {s.rule: s for s in sg.triggered(history, TODAY, caseload_standard=15)}
    suggestion = found["caseload_above_standard"]
    request = suggestion.extra["request"]
    assert "My active caseload is 18, against our team's standard of 15 (1.2 times" in request
    assert "rising" in request and "supervision" in request
    # last 14 days: 10 check-ins, 1 crisis and 1 trauma contact each, 30 minutes after hours each
    assert "(10 check-ins) I logged 10 crisis or high-intensity contacts, 10 contacts" in request
    assert "5.0 hours of work outside my scheduled hours" in request
    assert "Your active caseload is 18, above your team's standard of 15" in suggestion.why_now


def test_trailing_gap_counts_workdays_not_today():
    figures = sg.RULES["checkins_slip"](ctx(tail(base(end=D(2026, 3, 10)), time_pressure=[9])))
    assert figures == {"heavy_day": "Tue 10 Mar", "heavy_what": "time pressure 9", "gap_days": 3}


def test_a_heavy_day_is_heavy_for_that_person():
    # Exhaustion 6 after weeks at 5 (8 weeks, 75th percentile 5): one of their heavier days;
    # the same 6 after weeks at 6 is not, and neither is 4 after weeks at 2, 4, 6.
    def slip(usual, that_day):
        history = on(make_history(SLIP_DAYS, exhaustion=usual), D(2026, 3, 3), exhaustion=that_day)
        return sg.RULES["checkins_slip"](ctx(history))
    assert slip(5, 6)["heavy_what"] == "exhaustion 6"
    assert slip(6, 6) is None
    assert slip([2, 4, 6], 4) is None


# ----------------------------------------------------------------- catalogue
def test_catalogue_covers_every_category_with_sources():
    items = sg.catalogue()
    assert len(items) >= 15
    assert {e.category for e in items} == set(sg.CATEGORIES)
    for item in items:
        assert item.steps and all(step.strip() for step in item.steps)
        assert item.sources and 1 <= item.cooldown_days <= 365
        assert list(string.Formatter().parse(item.why_now))
    assert len({e.id for e in items}) == len(items)


def test_catalogue_wording_is_not_diagnostic_or_blaming():
    banned = ("diagnos", "disorder", "you should have", "you failed", "your fault", "streak", "lazy")
    for item in sg.catalogue():
        text = " ".join([item.title, item.why_now, *item.steps]).lower()
        text = text.replace("not a diagnosis", "")  # saying what it is not is fine
        for word in banned:
            assert word not in text, (item.id, word)


def test_catalogue_cites_the_named_guidance():
    citations = " ".join(s.citation for e in sg.catalogue() for s in e.sources)
    for needle in ("National Child Traumatic Stress Network", "Best Practice Standards in Social Work "
                   "Supervision", "Standards for Employers of Social Workers in England",
                   "Child Welfare League of America", "QD85", "Child Abuse & Neglect, 81, 48-59",
                   "PLOS Digital Health"):
        assert needle in citations


def test_citations_are_the_verifiable_ones_with_addresses():
    sources = {s.id: s for e in sg.catalogue() for s in e.sources}
    assert "icd.who.int" in sources["who_qd85"].citation
    assert "nctsn.org" in sources["nctsn_sts"].citation and "nctsn.org" in sources["nctsn_supervision"].citation
    cwla = sources["cwla_caseload"].citation
    assert "revised 1999" in cwla and "revised 1995" in cwla and "cwla.org" in cwla
    fsu = sources["fsu_time_pressure"].citation
    assert "csw.fsu.edu" in fsu and "Time pressure and work-related burnout among" not in fsu
    assert "work-life conflict" in sources["blake_2024"].citation
    assert "self-score sheet, revised" in sources["proqol"].citation
    notes = " ".join(s.note for s in sources.values())
    assert "Heritage et al. 2018" in notes and "Hemsworth et al. 2018" in notes
    assert "public domain" not in " ".join(s.citation + s.note for s in sources.values()).lower()


def test_questionnaire_results_are_worded_as_the_sources_read_them():
    cbi = sg.RULES["questionnaire_burnout_high"](ctx(base(), q=q_rows(
        ("cbi", "work", TODAY - dt.timedelta(days=2), 50.0, "high"))))
    assert cbi["result"] == (
        "Your Copenhagen Burnout Inventory work-related burnout score on Sat 14 Mar was 50.0 out "
        "of 100: 50 or more, the level many studies call high (a research convention, not a "
        "diagnosis).")
    single = sg.RULES["questionnaire_burnout_high"](ctx(base(), q=q_rows(
        ("single_item_burnout", "burnout", TODAY - dt.timedelta(days=2), 3, "burnout_symptoms"))))
    assert single["result"] == (
        "In your single-item burnout answer on Sat 14 Mar you chose option 3 of 5; the measure's "
        "authors read that answer as describing one or more symptoms of burnout.")


# ----------------------------------------------------------------- what the person sees
# (fatigue.actions.evaluate: the triggered suggestions, minus what they put aside)
def _save(db, user, history: pd.DataFrame) -> None:
    records = []
    for _, row in history.iterrows():
        record = {name: row[name] for name in history.columns if name != "day"}
        record = {k: (v.item() if hasattr(v, "item") else v) for k, v in record.items()}
        records.append({"day": row["day"].date(), **record})
    checkins.save_checkins(db, user, records, today=TODAY)


def _ids(found) -> list[str]:
    return [s.id for s in found]


def test_evaluate_reads_the_database(db, user):
    _save(db, user, tail(base(), break_taken=[False] * 5))
    found = actions.evaluate(db, user, TODAY)
    assert "protect_a_break" in _ids(found)
    assert all(not s.urgent for s in found)


@pytest.mark.parametrize("days_ago", range(0, 12))
def test_not_now_hides_for_exactly_the_cooldown(db, user, days_ago):
    _save(db, user, tail(base(), break_taken=[False] * 5))
    cooldown = sg.entry("protect_a_break").cooldown_days
    assert cooldown == 10
    actions.not_now(db, user, "protect_a_break", TODAY - dt.timedelta(days=days_ago))
    shown = "protect_a_break" in _ids(actions.evaluate(db, user, TODAY))
    assert shown == (days_ago >= cooldown)


def test_done_also_rests_for_the_cooldown_and_a_plan_hides_it(db, user):
    _save(db, user, tail(base(), break_taken=[False] * 5))
    actions.plan(db, user, "protect_a_break", TODAY)
    assert "protect_a_break" not in _ids(actions.evaluate(db, user, TODAY))
    actions.mark_done(db, user, "protect_a_break", TODAY - dt.timedelta(days=3))
    assert "protect_a_break" not in _ids(actions.evaluate(db, user, TODAY))
    actions.mark_done(db, user, "protect_a_break", TODAY - dt.timedelta(days=10))
    assert "protect_a_break" in _ids(actions.evaluate(db, user, TODAY))


def test_mute_and_unmute(db, user):
    _save(db, user, tail(base(), break_taken=[False] * 5))
    actions.not_relevant(db, user, "protect_a_break", TODAY - dt.timedelta(days=200))
    assert "protect_a_break" not in _ids(actions.evaluate(db, user, TODAY))  # muting never expires
    assert [m["rule"] for m in actions.muted(db, user)] == ["no_breaks"]
    actions.unmute(db, user, "no_breaks", TODAY)
    assert "protect_a_break" in _ids(actions.evaluate(db, user, TODAY))
    assert actions.muted(db, user) == []


def test_mute_hides_every_suggestion_of_the_rule(db, user, monkeypatch):
    twin = sg.Entry("protect_a_break_too", "recovery", "Another break idea", ("Step.",),
                    "{no_break_days} of {n}", "no_breaks", ("recovery",),
                    sg.entry("protect_a_break").sources, 5)
    items = sg.catalogue() + (twin,)
    monkeypatch.setattr(sg, "catalogue", lambda: items)
    _save(db, user, tail(base(), break_taken=[False] * 5))
    assert {"protect_a_break", "protect_a_break_too"} <= set(_ids(actions.evaluate(db, user, TODAY)))
    actions.not_relevant(db, user, "protect_a_break", TODAY)
    assert not {"protect_a_break", "protect_a_break_too"} & set(_ids(actions.evaluate(db, user, TODAY)))


# ----------------------------------------------------------------- urgent support
URGENT_HISTORY = tail(base(), exhaustion=[9, 10, 9], recovery=[2, 2, 1], break_taken=[False] * 5)


def test_urgent_from_checkins_comes_first_with_the_admin_prompt(db, user):
    _save(db, user, URGENT_HISTORY)
    found = actions.evaluate(db, user, TODAY)
    first = found[0]
    assert first.urgent and first.category == "urgent_support" and first.id == "reach_out_now"
    assert len(found) > 1 and not any(s.urgent for s in found[1:])
    assert first.extra["support_configured"] is False
    assert first.extra["support_text"] == sg.NO_SUPPORT_TEXT
    assert "admin" in sg.NO_SUPPORT_TEXT and "employee assistance" in sg.NO_SUPPORT_TEXT
    assert "exhaustion was 9 or more and recovery 2 or less" in first.why_now
    assert actions.urgent(db, user, TODAY) == first
    # Nothing points to support options that are not there.
    words = " ".join(first.steps) + first.extra["support_text"]
    assert "below" not in words and sg.NO_SUPPORT_STEP in first.steps


def test_urgent_carries_the_configured_support_text(db, user):
    _save(db, user, URGENT_HISTORY)
    settings.set_support_resources(db, "EAP: 0800 000 000\nCrisis line: 999")
    first = actions.evaluate(db, user, TODAY)[0]
    assert first.extra == {"support_configured": True,
                           "support_text": "EAP: 0800 000 000\nCrisis line: 999"}
    assert sg.SUPPORT_STEP in first.steps


@pytest.mark.parametrize("days_ago, answer, shown", [
    (0, 5, True), (13, 5, True), (14, 5, False), (3, 4, False),
])
def test_urgent_from_the_single_item(db, user, days_ago, answer, shown):
    _save(db, user, base())
    questionnaires.save_response(db, user, "single_item_burnout", {1: answer},
                                 taken_on=TODAY - dt.timedelta(days=days_ago), today=TODAY)
    assert (actions.urgent(db, user, TODAY) is not None) is shown


def test_latest_single_item_answer_counts(db, user):
    _save(db, user, base())
    questionnaires.save_response(db, user, "single_item_burnout", {1: 5},
                                 taken_on=TODAY - dt.timedelta(days=5), today=TODAY)
    assert actions.urgent(db, user, TODAY) is not None
    questionnaires.save_response(db, user, "single_item_burnout", {1: 3},
                                 taken_on=TODAY - dt.timedelta(days=1), today=TODAY)
    assert actions.urgent(db, user, TODAY) is None


def test_urgent_is_never_snoozed_or_muted(db, user):
    _save(db, user, URGENT_HISTORY)
    for put_aside in (actions.not_now, actions.not_relevant):
        with pytest.raises(ValidationError):
            put_aside(db, user, "reach_out_now", TODAY)
    # even rows written around fatigue.actions do not hide it
    for status in ("not_now", "not_relevant", "done", "planned"):
        db.execute(
            "INSERT INTO suggestion_actions (user_id, suggestion_id, rule, status, acted_on)"
            " VALUES (?, 'reach_out_now', 'urgent_support', ?, ?)", [user, status, TODAY.isoformat()])
    db.execute("INSERT INTO suggestion_mutes (user_id, rule, suggestion_id, muted_on)"
               " VALUES (?, 'urgent_support', 'reach_out_now', ?)", [user, TODAY.isoformat()])
    db.conn.commit()
    assert "reach_out_now" in actions.hidden(db, user, TODAY)
    assert actions.evaluate(db, user, TODAY)[0].id == "reach_out_now"


def test_no_history_no_suggestions(db, user):
    assert actions.evaluate(db, user, TODAY) == []


def test_quiet_person_gets_nothing_from_old_checkins(db, user):
    # heavy weeks long ago, nothing in the last month: no stale suggestions
    _save(db, user, tail(base(end=D(2026, 1, 30)), exhaustion=[9] * 10, break_taken=[False] * 10))
    assert actions.evaluate(db, user, TODAY) == []


def test_suggestions_never_import_actions():
    # actions builds on suggestions: a lower module never imports a higher one.
    import ast
    import inspect

    tree = ast.parse(inspect.getsource(sg))
    imported = {alias.name for node in ast.walk(tree) if isinstance(node, ast.ImportFrom)
                and node.module == "fatigue" for alias in node.names}
    imported |= {node.module for node in ast.walk(tree) if isinstance(node, ast.ImportFrom)}
    assert "actions" not in imported and "fatigue.actions" not in imported
    assert imported & {"analytics", "checkins"}  # the walk does see this module's imports


def test_pure_functions_read_no_clock():
    history = tail(base(), exhaustion=[8] * 5)
    assert sg.triggered(history, TODAY) == sg.triggered(history, TODAY)
    assert analytics.personal_summary(history, TODAY).today == TODAY


def test_suggestions_pickle_for_session_state():
    import pickle

    found = sg.triggered(tail(base(caseload=18), exhaustion=RAMP_UP), TODAY, caseload_standard=15)
    assert found and pickle.loads(pickle.dumps(found)) == found


def test_a_pages_summary_is_used_only_when_it_is_of_the_same_days():
    history = base(30)
    summary = analytics.personal_summary(history, TODAY, 15)
    assert sg.make_context(history, TODAY, caseload_standard=15, summary=summary).summary is summary
    later = pd.concat([history, history.tail(1).assign(day=pd.Timestamp(TODAY + dt.timedelta(days=1)))],
                      ignore_index=True)  # runs past today
    assert sg.make_context(later, TODAY, caseload_standard=15, summary=summary).summary is not summary
    yesterday = TODAY - dt.timedelta(days=1)  # a summary of another day
    assert sg.make_context(history[history["day"] <= pd.Timestamp(yesterday)], yesterday,
                           caseload_standard=15, summary=summary).summary is not summary
