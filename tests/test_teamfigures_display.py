"""Released rows in words (fatigue/teamfigures/display.py): figures, tables, reasons."""
import math

import pandas as pd

from fatigue.teamfigures import display, rules

NAN = math.nan


def report() -> pd.DataFrame:
    return pd.DataFrame({
        "label": ["2 Nov - 8 Nov 2026", "9 Nov - 15 Nov 2026", "16 Nov - 22 Nov 2026"],
        "shown": [True, False, False],
        "hidden_code": [None, rules.TOO_FEW, rules.TOO_FEW],
        "hidden_reason": [None, "Fewer than 5 people ...", "Fewer than 5 people ..."],
        "respondents_band": ["5-9", None, None], "dp": [True, False, False],
        "exhaustion": [6.5, NAN, NAN], "exhaustion_pm95": [3.0, NAN, NAN],
        "caseload_vs_standard_pct": [120.0, NAN, NAN],
        "high_strain_share_pct": [40.0, NAN, NAN],
        "high_strain_share_text": ["about 40%", None, None],
    })


def test_a_table_of_words_with_nothing_where_nothing_is_shown():
    table = display.table_text(report(), {
        "label": "Period", "hidden_reason": "Hidden because", "respondents_band": "Respondents",
        "exhaustion": "Exhaustion", "high_strain_share_text": "In high strain",
        "caseload_vs_standard_pct": "Caseload vs standard"})
    assert table.to_dict("records") == [
        {"Period": "2 Nov - 8 Nov 2026", "Hidden because": "", "Respondents": "5-9",
         "Exhaustion": "6.5 ± 3.0", "In high strain": "about 40%", "Caseload vs standard": "120%"},
        {"Period": "9 Nov - 15 Nov 2026", "Hidden because": "Too few checked in",
         "Respondents": "", "Exhaustion": "", "In high strain": "", "Caseload vs standard": ""},
        {"Period": "16 Nov - 22 Nov 2026", "Hidden because": "Too few checked in",
         "Respondents": "", "Exhaustion": "", "In high strain": "", "Caseload vs standard": ""},
    ]
    words = " ".join(str(v) for v in table.to_numpy().ravel())
    assert "None" not in words and "nan" not in words


def test_each_reason_once_in_few_words_and_in_full():
    assert display.reasons_in(report()) == [
        ("Too few checked in", "2 periods", "Fewer than 5 people ...")]
    assert display.reasons_in(report().iloc[:2]) == [
        ("Too few checked in", "9 Nov - 15 Nov 2026", "Fewer than 5 people ...")]


def test_every_hidden_code_has_a_short_reason():
    for code in (rules.NOT_FINAL, rules.TEAM_TOO_SMALL, rules.TOO_FEW, rules.OVER_BUDGET,
                 rules.OWN_DATA, rules.NOTHING_TO_COMBINE, rules.NO_GROUPS_SHOWN, rules.NOT_KEPT,
                 display.NO_WEEK_SHOWN):
        assert display.short_reason(code) != "Hidden" and len(display.short_reason(code)) <= 24
    assert display.short_reason(None) == ""
