"""My patterns page (AppTest): one usual, plain words, units, arrows, every comparison."""
import datetime as dt
import json
import re

import pytest

from fatigue import checkins
from fatigue.workload import formula_text

from conftest import RATINGS, RUN_DAY, log_in, texts

TODAY = RUN_DAY
pytestmark = pytest.mark.usefixtures("run_day")  # the pages read today from the clock
METHOD_NAMES = re.compile(r"EWMA|Theil|Sen\b|Newey|West\b|Holm|Benjamini|Hochberg|Welch|"
                          r"autocorrel|HAC|GLS|least squares|standard deviation|baseline|"
                          r"p-value|confidence|compassion fatigue", re.IGNORECASE)


def open_patterns():
    return log_in("casey").switch_page("fatigue/pages/insights.py").run()


def every_text(at) -> str:
    """All the words the page shows: text elements, tables, chart titles and axes."""
    parts = []
    for kind in ("title", "header", "subheader", "markdown", "caption", "info", "warning",
                 "success", "error", "text"):
        parts += texts(getattr(at, kind))
    parts += [e.label for e in at.expander] + [e.label for e in at.selectbox]
    for frame in at.dataframe:
        parts += [str(c) for c in frame.value.columns]
        parts += [str(v) for v in frame.value.to_numpy().ravel()]
    for chart in at.get("vega_lite_chart"):
        parts.append(json.dumps(json.loads(chart.proto.spec)))
    return " ".join(parts)


def test_new_user_sees_how_the_usual_builds(db, user):
    at = open_patterns()
    assert not at.exception
    assert ("Your usual builds up from check-ins that are more than two weeks old: 0 of the 20 "
            "needed so far.") in texts(at.info)
    assert len(at.get("vega_lite_chart")) == 0


@pytest.fixture
def long_history(db, user):
    """Fourteen weeks of weekday check-ins; crisis days are more exhausting; a hard last week:
    exhaustion and intrusion up, empathy down."""
    day = TODAY - dt.timedelta(days=98)
    n = 0
    while day <= TODAY:
        if day.weekday() < 5:
            crisis = n % 3
            recent = (TODAY - day).days < 7
            checkins.save_checkin(
                db, user, day, caseload=20, contacts=5, crisis_contacts=crisis, trauma_contacts=0,
                after_hours_minutes=0,
                **{**RATINGS, "exhaustion": (7 if recent else 3 + crisis),
                   "intrusion": 8 if recent else 2 + n % 2, "empathy": 2 if recent else 7 - n % 2})
            n += 1
        day += dt.timedelta(days=1)


def test_patterns_page_in_plain_words(db, user, long_history):
    at = open_patterns()
    assert not at.exception
    assert texts(at.header) == [
        "Your usual and the last two weeks", "Direction over the last two weeks",
        "Exhaustion and intrusion up, empathy down", "Workload",
        "What goes with heavier strain for me"]
    # One usual, said once, in words.
    usual = [m for m in texts(at.markdown) if m.startswith("Your usual is your average")]
    assert len(usual) == 1 and "12 weeks before the last two weeks" in usual[0]
    warnings = texts(at.warning)
    assert any(w.startswith("Your exhaustion has been above your usual range since") for w in warnings)
    assert any(w.startswith("Your empathy has been below your usual range since") for w in warnings)
    # No method names anywhere on the page: they belong in docs/analytics.md.
    found = METHOD_NAMES.findall(every_text(at))
    assert found == [], found


def test_numbers_carry_units_and_arrows_follow_the_value(db, user, long_history):
    at = open_patterns()
    usual_table, direction_table = (frame.value for frame in at.dataframe)
    assert list(usual_table.columns) == ["Rating", "Your usual (points)", "Last two weeks (points)",
                                         "Change", "Compared with your usual range"]
    rows = {row["Rating"]: row for row in usual_table.to_dict("records")}
    # exhaustion went up (the harder side), empathy went down (also the harder side):
    # each arrow points the way its number moved.
    assert rows["Exhaustion"]["Change"].startswith("↑ ") and rows["Exhaustion"]["Change"].endswith(" points")
    assert rows["Empathy"]["Change"].startswith("↓ ")
    assert rows["Empathy"]["Compared with your usual range"].startswith("below your usual range since")
    assert rows["Meaning"]["Change"] == "→ about the same"
    assert list(direction_table.columns) == ["Rating", "Direction", "Change (points a week)",
                                             "Likely range (points a week)", "Check-ins"]
    directions = dict(zip(direction_table["Rating"], direction_table["Direction"]))
    assert set(directions.values()) <= {"↗ rising", "↘ falling", "→ no clear change",
                                        "too few check-ins to tell"}
    assert "Ratings are points out of 10." in " ".join(texts(at.caption))


def test_every_workload_comparison_is_shown_with_its_range(db, user, long_history):
    at = open_patterns()
    # The crisis-contact link is found and worded as a link in the person's own data.
    clear = [m for m in texts(at.markdown) if m.startswith("- On your heavier crisis-contact days")]
    assert clear and "allowing for chance" in clear[0]
    assert "not proof that one thing causes another" in " ".join(texts(at.caption))
    comparisons = next(e for e in at.expander if e.label.startswith("All "))
    # 4 measures x 2 ratings x same day / next day, less the measures that never varied
    # (no trauma contacts, no after-hours work: said in a caption each)
    assert comparisons.label == "All 8 comparisons in words"
    assert len(texts(comparisons.markdown)) == 8
    assert sum("no variation in" in c for c in texts(at.caption)) == 8
    chart = json.loads(at.get("vega_lite_chart")[-1].proto.spec)
    assert chart["title"].startswith("Every comparison, with the range chance allows")


def test_workload_formula_is_shown(db, user, long_history):
    at = open_patterns()
    expander = next(e for e in at.expander if e.label == "How is this calculated?")
    assert [m.strip() for m in texts(expander.markdown)] == [formula_text(15).strip()]
