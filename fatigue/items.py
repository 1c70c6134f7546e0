"""The daily rating items (our own wording, kept as data in data/daily_items.toml)."""
from __future__ import annotations

import functools
import tomllib
from dataclasses import dataclass
from pathlib import Path

from fatigue.validation import RATINGS

ITEMS_FILE = Path(__file__).resolve().parent.parent / "data" / "daily_items.toml"


@dataclass(frozen=True)
class RatingItem:
    """One 0-10 self-rating: what it asks and what its two ends mean."""

    field: str
    label: str
    question: str
    help: str
    low: str
    high: str


@functools.cache
def daily_items() -> tuple[str, tuple[RatingItem, ...]]:
    """The set's label and its items, in form order (one per rating field)."""
    with ITEMS_FILE.open("rb") as fh:
        data = tomllib.load(fh)
    items = tuple(RatingItem(**entry) for entry in data["ratings"])
    if tuple(item.field for item in items) != RATINGS:
        raise ValueError(f"{ITEMS_FILE} must list exactly the ratings {RATINGS} in order")
    return data["label"], items
