"""The daily rating items: our own wording, one per rating field, in form order."""
from fatigue import items
from fatigue.validation import RATINGS


def test_items_match_the_rating_fields_and_say_what_they_are():
    label, rating_items = items.daily_items()
    assert "not a validated instrument" in label
    assert tuple(item.field for item in rating_items) == RATINGS
    for item in rating_items:
        assert item.question.endswith("?")
        assert item.low and item.high and item.help
        assert item.low != item.high


def test_exhaustion_wording():
    _, rating_items = items.daily_items()
    exhaustion = rating_items[0]
    assert (exhaustion.label, exhaustion.low, exhaustion.high) == (
        "Exhaustion", "not drained at all", "completely drained")
