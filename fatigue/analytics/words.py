"""How the personal figures are written: numbers, dates, names of ratings.

One decimal everywhere; a value that rounds to zero is "0.0", never "-0.0" or
"+0.0". Every number on the 0-10 scale carries its unit ("points").
"""
from __future__ import annotations

import datetime as dt
from typing import Iterable

from fatigue.validation import LABELS


def label(name: str) -> str:
    return LABELS.get(name, name.replace("_", " ").capitalize())


def lower(name: str) -> str:
    return label(name).lower()


def fmt_day(day: dt.date) -> str:
    return f"{day:%a} {day.day} {day:%b}"


def fmt_day_year(day: dt.date, today: dt.date) -> str:
    """Like :func:`fmt_day`, with the year when it is not today's year."""
    return fmt_day(day) if day.year == today.year else f"{fmt_day(day)} {day.year}"


def plural(n: int, word: str) -> str:
    return f"{n} {word}{'' if n == 1 else 's'}"


def num(value: float) -> str:
    """One decimal; a value that rounds to zero is "0.0", never "-0.0"."""
    text = f"{value:.1f}"
    return "0.0" if text == "-0.0" else text


def format_signed(value: float) -> str:
    """One decimal with its sign ("+0.4", "-1.2"); a value that rounds to zero is "0.0"."""
    text = f"{value:+.1f}"
    return "0.0" if text in ("+0.0", "-0.0") else text


def points(value: float) -> str:
    """ "2.5 points": the unit of the 0-10 ratings."""
    return f"{num(value)} points"


def and_join(words: Iterable[str]) -> str:
    """ "a", "a and b", "a, b and c"."""
    items = list(words)
    return items[0] if len(items) == 1 else ", ".join(items[:-1]) + " and " + items[-1]
