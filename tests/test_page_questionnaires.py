"""Questionnaires page (AppTest): due list, a ProQOL taken and scored, errors, history."""

from fatigue import instruments, questionnaires

from conftest import log_in, texts

PAGE = "fatigue/pages/questionnaires.py"


def open_page():
    return log_in("casey").switch_page(PAGE).run()


def answer(at, instrument_id, picks):
    """Choose option text for each item number given in ``picks``."""
    for number, option in picks.items():
        at.radio(key=f"q_{instrument_id}_{number}").set_value(option)
    return at.button(key=f"save_{instrument_id}").click().run()


def test_due_list_and_attribution(db, user):
    at = open_page()
    assert not at.exception
    infos = texts(at.info)
    assert any(i.startswith("Due: Professional Quality of Life Scale") for i in infos)
    assert any(i.startswith("Due: Single-item burnout measure") for i in infos)
    captions = " ".join(texts(at.caption))
    assert "Center for Victims of Torture" in captions and "proqol.org" in captions
    # The role word replaces the ProQOL's bracketed "[helper]".
    assert at.radio(key="q_proqol5_7").label == (
        "7. I find it difficult to separate my personal life from my life as a case manager.")


def test_proqol_scores_match_a_hand_calculation(db, user):
    at = open_page()
    # All "Often" (4): CS = 10 x 4 = 40; STS = 10 x 4 = 40;
    # Burnout = 5 plain items x 4 + 5 reversed items (1, 4, 15, 17, 29) x (6 - 4) = 20 + 10 = 30.
    at = answer(at, "proqol5", {n: "Often" for n in range(1, 31)})
    assert not at.exception
    [table] = at.dataframe
    assert table.value.to_dict("records") == [
        {"Scale": "Compassion satisfaction", "Score": 40, "Band": "Moderate"},
        {"Scale": "Burnout", "Score": 30, "Band": "Moderate"},
        {"Scale": "Secondary traumatic stress", "Score": 40, "Band": "Moderate"},
    ]
    assert not any(i.startswith("Due: Professional") for i in texts(at.info))
    assert len(at.get("vega_lite_chart")) == 1
    saved = questionnaires.history(db, user, "proqol5")
    assert dict(zip(saved["scale"], saved["score"])) == {
        "compassion_satisfaction": 40.0, "burnout": 30.0, "secondary_traumatic_stress": 40.0}


def test_missing_proqol_items_are_named_and_nothing_saved(db, user):
    at = open_page()
    picks = {n: "Sometimes" for n in range(1, 31) if n not in (7, 22)}
    at = answer(at, "proqol5", picks)
    errors = texts(at.error)
    assert errors[0].startswith("Nothing was saved:")
    assert len(errors) == 3  # the summary, and one under each unanswered item
    assert questionnaires.history(db, user).empty
    # What was chosen is still there.
    assert at.radio(key="q_proqol5_1").value == "Sometimes"


def test_single_item(db, user):
    at = open_page()
    at.button_group(key="questionnaire_choice").set_value("Single-item burnout").run()
    option = instruments.load("single_item_burnout").options(1)[2]
    at = answer(at, "single_item_burnout", {1: option})
    [table] = at.dataframe
    assert table.value.to_dict("records") == [
        {"Scale": "Self-defined burnout", "Score": 3,
         "Band": "One or more burnout symptoms (3 or more)"}]


def test_cbi_with_too_few_answers_on_a_scale(db, user):
    at = open_page()
    at.button_group(key="questionnaire_choice").set_value("CBI").run()
    # Personal items 1-6 all "Often" (75); work 7-13 only two answered -> not scored;
    # client 14-19: three "Somewhat"/"Sometimes" (50) -> scored at exactly the minimum.
    picks = {n: "Often" for n in range(1, 7)}
    picks.update({7: "To a high degree", 8: "To a high degree"})
    picks.update({14: "Somewhat", 15: "Somewhat", 18: "Sometimes"})
    at = answer(at, "cbi", picks)
    rows = {r["Scale"]: r for r in at.dataframe[0].value.to_dict("records")}
    assert len(rows) == 3
    personal, work, client = rows.values()
    assert personal["Score"] == 75 and client["Score"] == 50
    assert work["Score"] is None or work["Score"] != work["Score"]  # not scored (NaN/None)


def test_cbi_with_too_few_answers_overall_is_refused_and_the_page_keeps_working(db, user):
    at = open_page()
    at.button_group(key="questionnaire_choice").set_value("CBI").run()
    at = answer(at, "cbi", {1: "Often"})
    assert not at.exception
    assert texts(at.error)[0].startswith("Nothing was saved: Too few answers to give any score")
    assert questionnaires.history(db, user).empty
    at.run()  # the message is shown once, not forever
    assert not at.exception and texts(at.error) == []


def test_band_source_is_always_shown(db, user):
    at = open_page()
    at.button_group(key="questionnaire_choice").set_value("CBI").run()
    assert any(c.startswith("About the bands:") and "convention" in c for c in texts(at.caption))
