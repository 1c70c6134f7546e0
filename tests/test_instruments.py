"""The validated questionnaires: their data files and their published scoring keys.

Every expected score below is worked out by hand in the comment next to it.
"""
import tomllib

import pytest

from fatigue import instruments as inst
from fatigue.errors import ValidationError

PROQOL_KEYS = {
    "compassion_satisfaction": [3, 6, 12, 16, 18, 20, 22, 24, 27, 30],
    "burnout": [1, 4, 8, 10, 15, 17, 19, 21, 26, 29],
    "secondary_traumatic_stress": [2, 5, 7, 9, 11, 13, 14, 23, 25, 28],
}
PROQOL_REVERSED = [1, 4, 15, 17, 29]
CBI_KEYS = {
    "personal": [1, 2, 3, 4, 5, 6],
    "work": [7, 8, 9, 10, 11, 12, 13],
    "client": [14, 15, 16, 17, 18, 19],
}
CBI_DEGREE_ITEMS = [7, 8, 9, 14, 15, 16, 17]
FREQUENCY = ["Always", "Often", "Sometimes", "Seldom", "Never/almost never"]
DEGREE = ["To a very high degree", "To a high degree", "Somewhat", "To a low degree",
          "To a very low degree"]


def proqol(**overrides):
    """All 30 ProQOL items answered 3 (Sometimes), then ``item_N=position`` overrides."""
    answers = {n: 3 for n in range(1, 31)}
    answers.update({int(k.split("_")[1]): v for k, v in overrides.items()})
    return answers


def sub(result, name):
    return result[name]["score"], result[name]["band"]


# ---------------------------------------------------------------- data files

def test_files_exist_one_toml_each_and_proqol_has_its_own_folder_with_notice():
    assert (inst.INSTRUMENTS_DIR / "proqol5" / "proqol5.toml").is_file()
    assert (inst.INSTRUMENTS_DIR / "cbi.toml").is_file()
    assert (inst.INSTRUMENTS_DIR / "single_item_burnout.toml").is_file()
    notice = (inst.INSTRUMENTS_DIR / "proqol5" / "NOTICE").read_text()
    for phrase in ("Center for Victims of Torture", "https://proqol.org", "not sold",
                   '"adapted from the ProQOL"', '"[helper]"'):
        assert phrase in notice, phrase


@pytest.mark.parametrize("instrument_id, keys, total", [
    ("proqol5", PROQOL_KEYS, 30),
    ("cbi", CBI_KEYS, 19),
    ("single_item_burnout", {"burnout": [1]}, 1),
])
def test_toml_lists_the_published_items_per_subscale(instrument_id, keys, total):
    with inst.load(instrument_id).path.open("rb") as fh:
        raw = tomllib.load(fh)  # read the file itself, not only the parsed dataclass
    assert [entry["number"] for entry in raw["items"]] == list(range(1, total + 1))
    by_item = {name: sorted(e["number"] for e in raw["items"] if e["subscale"] == name)
               for name in keys}
    assert by_item == keys
    assert {s["id"]: s["items"] for s in raw["subscales"]} == keys
    for entry in raw["items"]:
        assert entry["text"].strip() == entry["text"] and entry["text"], entry["number"]
    for field in ("id", "name", "citation", "licence", "recall_period", "text_source",
                  "bands_source"):
        assert raw[field].strip(), field
    assert raw["scoring"]["source"].strip()


def test_proqol_subscale_sizes_reversals_and_options():
    proqol5 = inst.load("proqol5")
    assert [len(s.items) for s in proqol5.subscales] == [10, 10, 10]
    assert sorted(i.number for i in proqol5.items if i.reversed) == PROQOL_REVERSED
    for n in range(1, 31):
        assert proqol5.options(n) == ("Never", "Rarely", "Sometimes", "Often", "Very Often")
    assert proqol5.recall_period == "the last 30 days"


def test_cbi_subscale_sizes_reversal_and_response_scales():
    cbi = inst.load("cbi")
    assert [len(s.items) for s in cbi.subscales] == [6, 7, 6]
    assert [i.number for i in cbi.items if i.reversed] == [13]
    for n in range(1, 20):
        expected = DEGREE if n in CBI_DEGREE_ITEMS else FREQUENCY
        assert list(cbi.options(n)) == expected, n
    for scale in cbi.response_scales.values():
        assert scale.values == (100, 75, 50, 25, 0)


@pytest.mark.parametrize("instrument_id, number, text", [
    # Spot checks of the verbatim text, where punctuation is easiest to lose.
    ("proqol5", 1, "I am happy."),
    ("proqol5", 11, 'Because of my [helping], I have felt "on edge" about various things.'),
    ("proqol5", 14, "I feel as though I am experiencing the trauma of someone I have [helped]."),
    ("proqol5", 20, "I have happy thoughts and feelings about those I [help] and how I could help them."),
    ("proqol5", 21, "I feel overwhelmed because my case [work] load seems endless."),
    ("proqol5", 26, 'I feel "bogged down" by the system.'),
    ("proqol5", 27, 'I have thoughts that I am a "success" as a [helper].'),
    ("proqol5", 28, "I can't recall important parts of my work with trauma victims."),
    ("cbi", 4, 'How often do you think: "I can\'t take it anymore"?'),
    ("cbi", 8, "Do you feel burnt out because of your work?"),
    ("cbi", 13, "Do you have enough energy for family and friends during leisure time?"),
    ("cbi", 17, "Do you feel that you give more than you get back when you work with clients?"),
    ("single_item_burnout", 1,
     "Overall, based on your definition of burnout, how would you rate your level of burnout?"),
])
def test_item_text_is_verbatim(instrument_id, number, text):
    assert inst.load(instrument_id).item(number).text == text


def test_single_item_options_are_the_published_five():
    assert inst.load("single_item_burnout").options(1) == (
        "I enjoy my work. I have no symptoms of burnout.",
        "Occasionally I am under stress, and I don't always have as much energy as I once did,"
        " but I don't feel burned out.",
        "I am definitely burning out and have one or more symptoms of burnout, such as physical"
        " and emotional exhaustion.",
        "The symptoms of burnout that I'm experiencing won't go away. I think about frustration"
        " at work a lot.",
        "I feel completely burned out and often wonder if I can go on. I am at the point where I"
        " may need some changes or may need to seek some sort of help.",
    )


def test_no_maslach_burnout_inventory_item_is_included():
    # The MBI is proprietary (Mind Garden): none of its well-known items may appear.
    mbi_phrases = ("emotionally drained from my work", "used up at the end of the workday",
                   "impersonal objects", "more callous toward people", "hardening me emotionally")
    for instrument in inst.all_instruments():
        texts = [i.text for i in instrument.items]
        texts += [o for s in instrument.response_scales.values() for o in s.options]
        for text in texts:
            assert not any(p in text.lower() for p in mbi_phrases), text
    for path in inst.INSTRUMENTS_DIR.rglob("*.toml"):
        assert "maslach burnout inventory item" not in path.read_text().lower()


def test_load_is_cached_and_all_instruments_in_order():
    assert inst.load("cbi") is inst.load("cbi")
    assert [i.id for i in inst.all_instruments()] == ["proqol5", "cbi", "single_item_burnout"]
    assert inst.INSTRUMENT_IDS == ("proqol5", "cbi", "single_item_burnout")


def test_every_toml_file_is_a_known_instrument():
    found = {p.stem for p in inst.INSTRUMENTS_DIR.rglob("*.toml")}
    assert found == set(inst.INSTRUMENT_IDS)


def test_cadence_constants():
    assert inst.PROQOL_EVERY_DAYS == 30
    assert inst.SINGLE_ITEM_EVERY_DAYS == 7
    assert dict(inst.CADENCE_DAYS) == {"proqol5": 30, "cbi": None, "single_item_burnout": 7}
    assert inst.load("proqol5").cadence_days == 30
    assert inst.load("cbi").cadence_days is None


# ------------------------------------------------------- replaceable words

def test_proqol_role_word_may_replace_only_the_bracketed_words():
    words = {"[helper]": "case manager"}
    assert inst.render_item("proqol5", 10, words) == "I feel trapped by my job as a case manager."
    # Nothing given: the generic published word, brackets dropped.
    assert inst.render_item("proqol5", 10) == "I feel trapped by my job as a helper."
    # The unbracketed "help" in item 20 is not replaceable and stays as printed.
    assert inst.render_item("proqol5", 20, {"[help]": "serve"}) == (
        "I have happy thoughts and feelings about those I serve and how I could help them.")
    assert inst.render_text("proqol5", inst.load("proqol5").instructions, words).endswith(
        "these things in the last 30 days.")
    # The stored text itself is never changed.
    assert inst.load("proqol5").item(10).text == "I feel trapped by my job as a [helper]."


def test_cbi_clients_may_be_replaced_by_the_agency_term():
    assert inst.render_item("cbi", 14, {"clients": "service users"}) == (
        "Do you find it hard to work with service users?")
    assert inst.render_item("cbi", 1, {"clients": "service users"}) == "How often do you feel tired?"


@pytest.mark.parametrize("instrument_id, words", [
    ("proqol5", {"happy": "glad"}),          # not a bracketed word
    ("proqol5", {"[helper]": "  "}),         # empty replacement
    ("cbi", {"[helper]": "case manager"}),   # not a CBI word
    ("single_item_burnout", {"burnout": "x"}),
])
def test_other_wording_changes_are_refused(instrument_id, words):
    with pytest.raises(ValidationError):
        inst.render_item(instrument_id, 1, words)


# ------------------------------------------------------------ ProQOL scoring

def test_proqol_known_answers_all_threes():
    result = inst.score("proqol5", proqol())
    # Every item 3; a reversed 3 stays 3 (6 - 3): each subscale 10 x 3 = 30, moderate.
    for name in PROQOL_KEYS:
        assert sub(result, name) == (30, "moderate")
        assert result[name]["scored"] is True and result[name]["answered"] == 10


@pytest.mark.parametrize("position, cs, bo, sts", [
    # All 1: CS 10 x 1 = 10; STS 10; BO: 5 forward items x 1 = 5, 5 reversed 1 -> 5 = 25; 30.
    (1, (10, "low"), (30, "moderate"), (10, "low")),
    # All 5: CS 10 x 5 = 50; STS 50; BO: 5 forward x 5 = 25, 5 reversed 5 -> 1 = 5; 30.
    (5, (50, "high"), (30, "moderate"), (50, "high")),
    # All 2: CS 20; STS 20; BO: 5 x 2 = 10 + 5 reversed 2 -> 4 = 20; 30.
    (2, (20, "low"), (30, "moderate"), (20, "low")),
])
def test_proqol_known_answers_uniform(position, cs, bo, sts):
    result = inst.score("proqol5", {n: position for n in range(1, 31)})
    assert sub(result, "compassion_satisfaction") == cs
    assert sub(result, "burnout") == bo
    assert sub(result, "secondary_traumatic_stress") == sts


def test_proqol_known_answers_mixed_pattern():
    # Item n answered ((n - 1) mod 5) + 1, i.e. 1, 2, 3, 4, 5, 1, 2, ...
    answers = {n: (n - 1) % 5 + 1 for n in range(1, 31)}
    result = inst.score("proqol5", answers)
    # CS: items 3,6,12,16,18,20,22,24,27,30 -> 3+1+2+1+3+5+2+4+2+5 = 28
    assert sub(result, "compassion_satisfaction") == (28, "moderate")
    # BO forward: 8,10,19,21,26 -> 3+5+4+1+1 = 14;
    # BO reversed: 1,4,15,17,29 answered 1,4,5,2,4 -> 5+2+1+4+2 = 14; total 28
    assert sub(result, "burnout") == (28, "moderate")
    # STS: items 2,5,7,9,11,13,14,23,25,28 -> 2+5+2+4+1+3+4+3+5+3 = 32
    assert sub(result, "secondary_traumatic_stress") == (32, "moderate")


@pytest.mark.parametrize("item", PROQOL_REVERSED)
def test_each_proqol_reverse_scored_item(item):
    # Base: all 3, burnout 30. Answering 1 on a reversed item scores 5 (+2): 32;
    # answering 5 scores 1 (-2): 28. So 1 vs 5 moves the sum by +4 = the reversed
    # amount (a forward item would move it by -4).
    low = inst.score("proqol5", proqol(**{f"item_{item}": 1}))
    high = inst.score("proqol5", proqol(**{f"item_{item}": 5}))
    assert low["burnout"]["score"] == 32
    assert high["burnout"]["score"] == 28
    assert low["burnout"]["score"] - high["burnout"]["score"] == 4
    # 2 <-> 4 as well: answering 2 scores 4 (31), answering 4 scores 2 (29).
    assert inst.score("proqol5", proqol(**{f"item_{item}": 2}))["burnout"]["score"] == 31
    assert inst.score("proqol5", proqol(**{f"item_{item}": 4}))["burnout"]["score"] == 29
    for other in ("compassion_satisfaction", "secondary_traumatic_stress"):
        assert low[other]["score"] == high[other]["score"] == 30


@pytest.mark.parametrize("item", [8, 10, 19, 21, 26])
def test_proqol_forward_burnout_items_are_not_reversed(item):
    # Base 30; answering 1 scores 1 (-2): 28; answering 5 scores 5 (+2): 32.
    assert inst.score("proqol5", proqol(**{f"item_{item}": 1}))["burnout"]["score"] == 28
    assert inst.score("proqol5", proqol(**{f"item_{item}": 5}))["burnout"]["score"] == 32


# Literal answers per subscale reaching each band edge; the other items stay 3.
CS_EDGES = [
    # 8 x 2 + 2 x 3 = 16 + 6 = 22
    (22, "low", [2, 2, 2, 2, 2, 2, 2, 2, 3, 3]),
    # 7 x 2 + 3 x 3 = 14 + 9 = 23
    (23, "moderate", [2, 2, 2, 2, 2, 2, 2, 3, 3, 3]),
    # 9 x 4 + 1 x 5 = 36 + 5 = 41
    (41, "moderate", [4, 4, 4, 4, 4, 4, 4, 4, 4, 5]),
    # 8 x 4 + 2 x 5 = 32 + 10 = 42
    (42, "high", [4, 4, 4, 4, 4, 4, 4, 4, 5, 5]),
]
# Burnout answers in key order 1, 4, 8, 10, 15, 17, 19, 21, 26, 29 (reversed: 1, 4, 15, 17, 29).
BO_EDGES = [
    # forward 8,10,19,21,26 = 2+2+2+2+2 = 10; reversed answers 4,4,4,3,3 score 2,2,2,3,3 = 12; 22
    (22, "low", [4, 4, 2, 2, 4, 3, 2, 2, 2, 3]),
    # forward 3+2+2+2+2 = 11; reversed as above 12; 23
    (23, "moderate", [4, 4, 3, 2, 4, 3, 2, 2, 2, 3]),
    # forward 4 x 5 = 20; reversed answers 2,2,2,2,1 score 4,4,4,4,5 = 21; 41
    (41, "moderate", [2, 2, 4, 4, 2, 2, 4, 4, 4, 1]),
    # forward 4+4+4+4+5 = 21; reversed 21 as above; 42
    (42, "high", [2, 2, 4, 4, 2, 2, 4, 4, 5, 1]),
]


@pytest.mark.parametrize("subscale, expected, band, values", [
    *[("compassion_satisfaction", *edge) for edge in CS_EDGES],
    *[("secondary_traumatic_stress", *edge) for edge in CS_EDGES],  # no reversed items either
    *[("burnout", *edge) for edge in BO_EDGES],
])
def test_proqol_band_edges(subscale, expected, band, values):
    answers = proqol()
    answers.update(dict(zip(PROQOL_KEYS[subscale], values)))
    result = inst.score("proqol5", answers)
    assert sub(result, subscale) == (expected, band)
    for other in set(PROQOL_KEYS) - {subscale}:
        assert sub(result, other) == (30, "moderate")


# --------------------------------------------------------------- CBI scoring

def test_cbi_known_answers_first_option_everywhere():
    result = inst.score("cbi", {n: 1 for n in range(1, 20)})
    # Personal: 6 x 100 / 6 = 100
    assert sub(result, "personal") == (100.0, "high")
    # Work: 6 x 100 + item 13 "Always" reversed to 0 = 600 / 7 = 85.714...
    assert result["work"]["score"] == pytest.approx(600 / 7)
    assert result["work"]["band"] == "high"
    # Client: 6 x 100 / 6 = 100
    assert sub(result, "client") == (100.0, "high")
    assert "total" not in result and list(result) == ["personal", "work", "client"]


def test_cbi_known_answers_mixed():
    answers = {1: 2, 2: 3, 3: 3, 4: 4, 5: 5, 6: 3,       # 75+50+50+25+0+50 = 250 / 6
               7: 1, 8: 2, 9: 3, 10: 4, 11: 5, 12: 3, 13: 2,  # 100+75+50+25+0+50+(100-75) = 325 / 7
               14: 5, 15: 5, 16: 4, 17: 3, 18: 5, 19: 4}      # 0+0+25+50+0+25 = 100 / 6
    result = inst.score("cbi", answers)
    assert result["personal"]["score"] == pytest.approx(250 / 6)   # 41.67
    assert result["personal"]["band"] == "below_high"
    assert result["work"]["score"] == pytest.approx(325 / 7)       # 46.43
    assert result["work"]["band"] == "below_high"
    assert result["client"]["score"] == pytest.approx(100 / 6)     # 16.67
    assert result["client"]["band"] == "below_high"


@pytest.mark.parametrize("position, item13_value, mean", [
    # Items 7, 8, 9 answered "Somewhat" (50 each = 150) plus item 13:
    (1, 0, 37.5),      # "Always" -> reversed 0: (150 + 0) / 4
    (2, 25, 43.75),    # "Often" -> 25: 175 / 4
    (3, 50, 50.0),     # "Sometimes" -> 50: 200 / 4
    (4, 75, 56.25),    # "Seldom" -> 75: 225 / 4
    (5, 100, 62.5),    # "Never/almost never" -> 100: 250 / 4
])
def test_cbi_item_13_is_reversed(position, item13_value, mean):
    result = inst.score("cbi", {7: 3, 8: 3, 9: 3, 13: position})
    assert result["work"]["score"] == mean == (150 + item13_value) / 4
    # Same option on item 10 (same scale, not reversed) scores the other way round.
    forward = inst.score("cbi", {7: 3, 8: 3, 9: 3, 10: position})
    assert forward["work"]["score"] == (150 + 100 - item13_value) / 4


@pytest.mark.parametrize("answers, scale, score, band", [
    # Exactly 50: personal all "Sometimes" = 6 x 50 / 6 = 50 -> high
    ({n: 3 for n in range(1, 7)}, "personal", 50.0, "high"),
    # Just below: five "Sometimes" and one "Seldom" = (250 + 25) / 6 = 45.83 -> below
    ({1: 3, 2: 3, 3: 3, 4: 3, 5: 3, 6: 4}, "personal", 275 / 6, "below_high"),
    # Work, highest mean under 50 with 7 items: six 50 + one 25 = 325 / 7 = 46.43
    ({7: 3, 8: 3, 9: 3, 10: 3, 11: 3, 12: 3, 13: 2}, "work", 325 / 7, "below_high"),
    # Work exactly 50: item 13 "Sometimes" reversed is still 50: 350 / 7
    ({7: 3, 8: 3, 9: 3, 10: 3, 11: 3, 12: 3, 13: 3}, "work", 50.0, "high"),
    # Client exactly 50 with 3 answers: 75 + 50 + 25 = 150 / 3
    ({14: 2, 15: 3, 18: 4}, "client", 50.0, "high"),
    # Client 3 answers: 50 + 50 + 25 = 125 / 3 = 41.67
    ({14: 3, 15: 3, 18: 4}, "client", 125 / 3, "below_high"),
])
def test_cbi_band_edge_at_50(answers, scale, score, band):
    result = inst.score("cbi", answers)
    assert result[scale]["score"] == pytest.approx(score)
    assert result[scale]["band"] == band


@pytest.mark.parametrize("value, band", [
    # Answers are multiples of 25, so no mean of up to 7 items falls in 49.x;
    # the band rule itself is checked on those values directly.
    (49.0, "below_high"), (49.5, "below_high"), (49.99, "below_high"),
    (50.0, "high"), (50.01, "high"), (0.0, "below_high"), (100.0, "high"),
])
def test_cbi_band_rule_around_50(value, band):
    assert inst.load("cbi").band_for(value).id == band


@pytest.mark.parametrize("scale, enough, score", [
    # Personal: 3 of 6 answered (the minimum): 100 + 75 + 50 = 225 / 3 = 75
    ("personal", {1: 1, 2: 2, 3: 3}, 75.0),
    # Work: 4 of 7 answered: 4 x 75 / 4 = 75
    ("work", {7: 2, 8: 2, 10: 2, 11: 2}, 75.0),
    # Client: 3 of 6 answered: 0 + 0 + 0 = 0
    ("client", {14: 5, 15: 5, 18: 5}, 0.0),
])
def test_cbi_minimum_answered_per_scale(scale, enough, score):
    scored = inst.score("cbi", enough)[scale]
    assert (scored["score"], scored["scored"], scored["reason"]) == (score, True, None)
    assert scored["answered"] == len(enough)
    # One fewer: not scored, and the reason says why (another scale is answered
    # in full, so the response as a whole can still be scored).
    fewer = dict(list(enough.items())[:-1])
    other = {n: 3 for n in (range(1, 7) if scale == "work" else range(7, 14))}
    not_scored = inst.score("cbi", {**other, **fewer})[scale]
    assert not_scored["scored"] is False
    assert not_scored["score"] is None and not_scored["band"] is None
    assert not_scored["answered"] == len(fewer)
    needed = {"personal": 3, "work": 4, "client": 3}[scale]
    assert f"at least {needed}" in not_scored["reason"]
    assert f"{len(fewer)} of {len(CBI_KEYS[scale])}" in not_scored["reason"]


def test_cbi_with_no_scale_scoreable_is_refused():
    # 2 personal, 3 work and 2 client answers: every scale is under its minimum.
    with pytest.raises(ValidationError) as info:
        inst.score("cbi", {1: 1, 2: 1, 7: 2, 8: 2, 9: 2, 14: 3, 15: 3})
    assert info.value.errors == {"answers": (
        "Too few answers to give any score: answer at least 3 of the 6 personal burnout "
        "questions, 4 of the 7 work-related burnout questions or 3 of the 6 client-related "
        "burnout questions.")}


def test_cbi_none_counts_as_unanswered():
    result = inst.score("cbi", {1: 1, 2: 1, 3: 1, 4: None})
    # 3 answered: 100 x 3 / 3 = 100
    assert result["personal"]["answered"] == 3
    assert result["personal"]["score"] == 100.0


# ------------------------------------------------------ single item scoring

@pytest.mark.parametrize("position, band", [
    (1, "no_burnout_symptoms"), (2, "no_burnout_symptoms"),
    (3, "burnout_symptoms"), (4, "burnout_symptoms"), (5, "burnout_symptoms"),
])
def test_single_item(position, band):
    result = inst.score("single_item_burnout", {1: position})
    # The score is the option's position 1-5; 3 or more = burnout symptoms.
    assert result == {"burnout": {
        "label": "Self-defined burnout", "score": position, "band": band,
        "band_label": inst.load("single_item_burnout").band_for(position).label,
        "scored": True, "answered": 1, "items": 1, "reason": None,
    }}


# --------------------------------------------------------------- validation

def test_unknown_instrument():
    with pytest.raises(ValidationError) as caught:
        inst.score("mbi", {1: 1})
    assert caught.value.field == "instrument_id"
    with pytest.raises(ValidationError):
        inst.load("")


@pytest.mark.parametrize("instrument_id, answers, field", [
    ("proqol5", proqol(item_31=3), "item 31"),
    ("proqol5", {**proqol(), 0: 3}, "item 0"),
    ("cbi", {1: 3, 20: 3}, "item 20"),
    ("single_item_burnout", {1: 3, 2: 3}, "item 2"),
])
def test_unknown_item(instrument_id, answers, field):
    with pytest.raises(ValidationError) as caught:
        inst.score(instrument_id, answers)
    assert field in caught.value.errors


@pytest.mark.parametrize("instrument_id, item", [
    ("proqol5", 1), ("proqol5", 30), ("cbi", 13), ("cbi", 7), ("single_item_burnout", 1),
])
@pytest.mark.parametrize("bad", [0, 6, -1])
def test_answer_out_of_range(instrument_id, item, bad):
    answers = proqol() if instrument_id == "proqol5" else {item: 1}
    answers[item] = bad
    with pytest.raises(ValidationError) as caught:
        inst.score(instrument_id, answers)
    assert list(caught.value.errors) == [f"item {item}"]


@pytest.mark.parametrize("bad", [2.5, 3.0, "3", True, [3]])
def test_answer_not_an_integer(bad):
    with pytest.raises(ValidationError) as caught:
        inst.score("proqol5", proqol(item_7=bad))
    assert list(caught.value.errors) == ["item 7"]


@pytest.mark.parametrize("key", ["1", 1.0, True, None])
def test_item_number_not_an_integer(key):
    answers = {k: v for k, v in proqol().items() if k != 1}
    answers[key] = 3
    with pytest.raises(ValidationError):
        inst.score("proqol5", answers)


@pytest.mark.parametrize("missing", [1, 15, 16, 30])
def test_missing_proqol_item(missing):
    answers = proqol()
    del answers[missing]
    with pytest.raises(ValidationError) as caught:
        inst.score("proqol5", answers)
    assert list(caught.value.errors) == [f"item {missing}"]
    answers[missing] = None  # an explicit "no answer" is missing too
    with pytest.raises(ValidationError):
        inst.score("proqol5", answers)


@pytest.mark.parametrize("instrument_id, answers", [
    ("single_item_burnout", {}),
    ("single_item_burnout", {1: None}),
    ("cbi", {}),
    ("cbi", {5: None}),
    ("cbi", [1, 2, 3]),
    ("proqol5", None),
])
def test_nothing_answered(instrument_id, answers):
    with pytest.raises(ValidationError):
        inst.score(instrument_id, answers)


def test_every_fault_is_reported_at_once():
    answers = proqol(item_2=0, item_3=9)
    answers[99] = 1
    del answers[4]
    with pytest.raises(ValidationError) as caught:
        inst.score("proqol5", answers)
    assert set(caught.value.errors) == {"item 2", "item 3", "item 99", "item 4"}


@pytest.mark.parametrize("instrument_id, expected", [
    ("proqol5", (10.0, 50.0)), ("cbi", (0.0, 100.0)), ("single_item_burnout", (1.0, 5.0)),
])
def test_score_range(instrument_id, expected):
    assert inst.load(instrument_id).score_range == expected


# --- property-based tests (hypothesis) ---------------------------------------------------
from hypothesis import given, strategies as st  # noqa: E402

IDS = [i.id for i in inst.all_instruments()]


def complete_answers(instrument_id):
    """A strategy: every item of the instrument answered with a valid option."""
    instrument = inst.load(instrument_id)
    return st.fixed_dictionaries(
        {n: st.integers(1, len(instrument.options(n))) for n in instrument.item_numbers})


@pytest.mark.parametrize("instrument_id", IDS)
def test_property_scores_stay_within_range_and_band(instrument_id):
    instrument = inst.load(instrument_id)
    low, high = instrument.score_range

    @given(complete_answers(instrument_id))
    def check(answers):
        result = inst.score(instrument_id, answers)
        assert list(result) == [s.id for s in instrument.subscales]
        for scale in result.values():
            assert scale["scored"] and low <= scale["score"] <= high
            assert scale["band"] == instrument.band_for(scale["score"]).id
            assert scale["answered"] == scale["items"]

    check()


@pytest.mark.parametrize("instrument_id", ["proqol5", "cbi"])
def test_property_mirrored_answers_mirror_every_score(instrument_id):
    """Reverse keying is an involution: choosing the mirror option (p -> 6 - p) on every
    item turns each subscale score into its mirror (ProQOL 10 items: 60 - s; CBI:
    100 - s), reversed items included; mirroring twice gives the answers back."""
    instrument = inst.load(instrument_id)
    top = {"proqol5": 60, "cbi": 100}[instrument_id]

    @given(complete_answers(instrument_id))
    def check(answers):
        mirrored = {n: 6 - p for n, p in answers.items()}
        assert {n: 6 - p for n, p in mirrored.items()} == answers
        first, second = inst.score(instrument_id, answers), inst.score(instrument_id, mirrored)
        for scale in instrument.subscales:
            assert first[scale.id]["score"] + second[scale.id]["score"] == top

    check()


@pytest.mark.parametrize("instrument_id", ["proqol5", "single_item_burnout"])
def test_property_any_missing_or_invalid_answer_is_refused(instrument_id):
    instrument = inst.load(instrument_id)
    bad_values = st.one_of(st.integers().filter(lambda v: not 1 <= v <= 5), st.booleans(),
                           st.floats(), st.text(max_size=3), st.just(None))

    @given(complete_answers(instrument_id), st.data(), bad_values)
    def check(answers, data, bad):
        number = data.draw(st.sampled_from(instrument.item_numbers))
        broken = dict(answers)
        if bad is None:
            del broken[number]  # missing (None counts as missing too)
        else:
            broken[number] = bad
        with pytest.raises(ValidationError) as info:
            inst.score(instrument_id, broken)
        assert set(info.value.errors) == {f"item {number}"}

    check()


@given(st.dictionaries(st.one_of(st.integers(), st.text(max_size=3), st.floats(), st.booleans()),
                       st.one_of(st.integers(), st.none(), st.floats(), st.text(max_size=3)),
                       max_size=8))
def test_property_cbi_answers_are_scored_or_refused_never_crash(answers):
    try:
        result = inst.score("cbi", answers)
    except ValidationError as exc:
        assert exc.errors and all(isinstance(m, str) and m for m in exc.errors.values())
        return
    for scale in result.values():
        assert scale["score"] is None or 0 <= scale["score"] <= 100


# ----------------------------------------------------------------- honest labels (issue 13)
def test_cbi_band_labels_are_neutral_and_sourced_as_a_convention():
    cbi = inst.load("cbi")
    labels = {band.id: band.label for band in cbi.bands}
    assert labels == {
        "below_high": "Under 50",
        "high": "50 or more (the level many studies call high; a research convention, not a "
                "diagnosis)",
    }
    # The middle option everywhere scores exactly 50: the label must not call that a finding.
    middle = {item.number: 3 for item in cbi.items}
    assert {r["band_label"] for r in inst.score("cbi", middle).values()} == {labels["high"]}
    assert cbi.bands_source.startswith("Kristensen et al. (2005) define no cut-point")
    assert "Borritz" not in cbi.bands_source
    assert "public domain" not in cbi.licence.lower()


def test_single_item_bands_are_the_authors_reading_of_an_answer():
    labels = [band.label for band in inst.load("single_item_burnout").bands]
    assert labels == ["1-2 (read by the authors as describing no symptoms of burnout)",
                      "3-5 (read by the authors as describing one or more symptoms of burnout)"]


def test_proqol_bands_cite_the_revised_self_score_sheet_with_the_caveat():
    source = inst.load("proqol5").bands_source
    assert source.startswith("The revised ProQOL 5 self-score sheet")
    assert "The Concise ProQOL Manual (Stamm 2010) reports t-scores" in source
    assert "Heritage, Rees & Hegney 2018, PLoS ONE 13(2): e0193478" in source
    assert "Hemsworth, Baregheh, Aoun & Kazanjian 2018, Applied Nursing Research 39: 81-88" in source


@pytest.mark.parametrize("instrument_id, subscale, meanings", [
    ("proqol5", "compassion_satisfaction", ("harder end", "middle", "easier end")),
    ("proqol5", "burnout", ("easier end", "middle", "harder end")),
    ("proqol5", "secondary_traumatic_stress", ("easier end", "middle", "harder end")),
    ("cbi", "work", ("easier end", "harder end")),
    ("single_item_burnout", "burnout", ("easier end", "harder end")),
])
def test_bands_are_coloured_by_direction(instrument_id, subscale, meanings):
    instrument = inst.load(instrument_id)
    sub = next(s for s in instrument.subscales if s.id == subscale)
    assert instrument.band_meanings(sub) == meanings
