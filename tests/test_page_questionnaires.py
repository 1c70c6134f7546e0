"""Questionnaires page (AppTest): due list, a ProQOL taken and scored, errors, history."""

import json

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
    assert len(at.get("vega_lite_chart")) == 3  # one per subscale, each shaded its own way
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
         "Band": "3-5 (read by the authors as describing one or more symptoms of burnout)"}]


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


def test_proqol_has_one_chart_per_subscale_coloured_by_meaning(db, user):
    at = answer(open_page(), "proqol5", {n: "Often" for n in range(1, 31)})
    specs = [json.loads(chart.proto.spec) for chart in at.get("vega_lite_chart")]
    assert [spec["title"] for spec in specs] == [
        "Compassion satisfaction", "Burnout", "Secondary traumatic stress"]
    for spec in specs:
        colour = json.dumps(spec)
        assert '"domain": ["harder end", "middle", "easier end"]' in colour


def test_cbi_middle_answers_score_50_under_a_neutral_label(db, user):
    at = open_page()
    at.button_group(key="questionnaire_choice").set_value("CBI").run()
    middle = {item.number: item_options[2] for item in instruments.load("cbi").items
              for item_options in [instruments.load("cbi").options(item.number)]}
    at = answer(at, "cbi", middle)
    rows = at.dataframe[0].value.to_dict("records")
    assert {r["Score"] for r in rows} == {50}
    assert {r["Band"] for r in rows} == {
        "50 or more (the level many studies call high; a research convention, not a diagnosis)"}
    shown = " ".join(texts(at.markdown) + texts(at.caption) + texts(at.success))
    assert "High burnout" not in shown and "cut-point of 50" not in shown
    assert any(c.startswith("About the bands: Kristensen et al. (2005) define no cut-point")
               for c in texts(at.caption))


def test_proqol_bands_cite_the_self_score_sheet_and_the_caveat(db, user):
    caption = next(c for c in texts(open_page().caption) if c.startswith("About the bands:"))
    assert "revised ProQOL 5 self-score sheet" in caption
    assert "Concise ProQOL Manual (Stamm 2010) reports t-scores" in caption
    assert "PLoS ONE 13(2): e0193478" in caption and "Applied Nursing Research 39: 81-88" in caption


def test_band_source_is_always_shown(db, user):
    at = open_page()
    at.button_group(key="questionnaire_choice").set_value("CBI").run()
    assert any(c.startswith("About the bands:") and "convention" in c for c in texts(at.caption))
