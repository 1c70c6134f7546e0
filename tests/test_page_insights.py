"""My patterns page (AppTest): baseline, signals, direction, workload, drivers."""
import datetime as dt

import pytest

from fatigue import checkins
from fatigue.workload import formula_text

from conftest import RATINGS, log_in, texts

TODAY = dt.date.today()


def open_patterns():
    return log_in("casey").switch_page("fatigue/pages/insights.py").run()


def test_new_user_sees_building_messages(db, user):
    at = open_patterns()
    assert not at.exception
    infos = texts(at.info)
    assert any(i.startswith("Building your baseline (0 of 10") for i in infos)
    assert len(at.get("vega_lite_chart")) == 0


@pytest.fixture
def long_history(db, user):
    """Ten weeks of weekday check-ins; crisis days are more exhausting; a hard last week."""
    day = TODAY - dt.timedelta(days=70)
    n = 0
    while day <= TODAY:
        if day.weekday() < 5:
            crisis = n % 3
            recent = (TODAY - day).days < 7
            checkins.save_checkin(
                db, user, day, caseload=20, contacts=5, crisis_contacts=crisis,
                **{**RATINGS, "exhaustion": (9 if recent else 3 + crisis),
                   "intrusion": 8 if recent else 2 + n % 2, "empathy": 2 if recent else 7 - n % 2})
            n += 1
        day += dt.timedelta(days=1)


def test_patterns_with_history(db, user, long_history):
    at = open_patterns()
    assert not at.exception
    headers = texts(at.header)
    assert headers == ["Your usual range", "Early warnings", "Direction over the last 14 days",
                       "Compassion-fatigue pattern", "Workload", "What goes with heavier strain for me"]
    warnings = texts(at.warning)
    assert any(w.startswith("Your exhaustion has been higher than your usual range since") for w in warnings)
    assert any("compassion fatigue" in w for w in warnings)
    # A crisis-contact association is found and worded as an association.
    markdown = " ".join(texts(at.markdown))
    assert "heavier crisis-contact days" in markdown
    assert "not proof that one thing causes another" in " ".join(texts(at.caption))
    # Every chart has words next to it: early-warning caption, workload sentence.
    assert len(at.get("vega_lite_chart")) == 3


def test_workload_formula_is_shown(db, user, long_history):
    at = open_patterns()
    expander = at.expander[0]
    assert expander.label == "How is this calculated?"
    assert [m.strip() for m in texts(expander.markdown)] == [formula_text(15).strip()]
