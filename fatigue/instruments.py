"""Validated questionnaires, kept as data and scored exactly by their published keys.

Each instrument lives in ``data/instruments/`` as one TOML file (the ProQOL in its
own folder with its NOTICE): citation, licence, recall period, response scales,
the items with their published number and verbatim text, subscale and reversal,
and the bands with their sources. This module reads those files and scores
answers; it touches no database.

Answers map the published item number (``int``) to the 1-based position of the
chosen option in the order the form lists it (the order in the TOML file). An
item mapped to ``None`` counts as not answered.

:func:`score` returns one entry per subscale, in the instrument's order::

    {
        "burnout": {
            "label": "Burnout",          # the subscale's name
            "score": 27,                 # int (ProQOL sum, single item) or float (CBI
                                         #   mean, 0-100); None when not scored
            "band": "moderate",          # band id, None when not scored
            "band_label": "Moderate",    # band label, None when not scored
            "scored": True,              # False: too few items answered (CBI only)
            "answered": 10,              # items of this subscale answered
            "items": 10,                 # items in this subscale
            "reason": None,              # why it was not scored, else None
        },
        ...
    }

Subscales: ProQOL ``compassion_satisfaction``, ``burnout``,
``secondary_traumatic_stress``; CBI ``personal``, ``work``, ``client`` (no total
score); single item ``burnout``.
"""
from __future__ import annotations

import functools
import numbers
import re
import tomllib
from dataclasses import dataclass
from fractions import Fraction
from pathlib import Path
from types import MappingProxyType
from typing import Any, Callable, Mapping

from fatigue.errors import ValidationError

INSTRUMENTS_DIR = Path(__file__).resolve().parent.parent / "data" / "instruments"

PROQOL5 = "proqol5"
CBI = "cbi"
SINGLE_ITEM = "single_item_burnout"
# Also listed, literally, in the CHECK of migration 0002_questionnaires.
INSTRUMENT_IDS: tuple[str, ...] = (PROQOL5, CBI, SINGLE_ITEM)

# How often each is offered: the ProQOL asks about "the last 30 days", so once
# every 30 days; the single item weekly; the CBI only on request (None).
PROQOL_EVERY_DAYS = 30
SINGLE_ITEM_EVERY_DAYS = 7
CADENCE_DAYS: Mapping[str, int | None] = MappingProxyType(
    {PROQOL5: PROQOL_EVERY_DAYS, CBI: None, SINGLE_ITEM: SINGLE_ITEM_EVERY_DAYS}
)


@dataclass(frozen=True)
class ResponseScale:
    """The options of one response scale, in the order the form lists them."""

    id: str
    options: tuple[str, ...]
    values: tuple[int, ...]  # the published score of each option, same order


@dataclass(frozen=True)
class Item:
    number: int  # the published item number
    text: str  # verbatim, placeholders such as "[helper]" kept as printed
    subscale: str
    reversed: bool
    scale: str  # id of its ResponseScale


@dataclass(frozen=True)
class Subscale:
    id: str
    label: str
    items: tuple[int, ...]
    min_answered: int  # fewer answered items: not scored
    higher_is_better: bool = False  # ProQOL compassion satisfaction; else higher is harder


@dataclass(frozen=True)
class Band:
    id: str
    label: str
    start: float  # inclusive lower edge; the band runs up to the next one


@dataclass(frozen=True)
class Instrument:
    """One questionnaire as published, read from its TOML file."""

    id: str
    name: str
    short_name: str
    citation: str
    licence: str
    licence_url: str
    attribution: str
    recall_period: str
    instructions: str
    text_source: str
    substitution_note: str
    bands_source: str
    scoring_method: str  # "sum", "mean" or "single"
    scoring_source: str
    all_items_required: bool
    substitutions: Mapping[str, str]  # replaceable word -> its published default
    response_scales: Mapping[str, ResponseScale]
    items: tuple[Item, ...]
    subscales: tuple[Subscale, ...]
    bands: tuple[Band, ...]
    path: Path
    cadence_days: int | None

    @property
    def item_numbers(self) -> tuple[int, ...]:
        return tuple(item.number for item in self.items)

    def item(self, number: int) -> Item:
        for item in self.items:
            if item.number == number:
                return item
        raise KeyError(number)

    def options(self, number: int) -> tuple[str, ...]:
        """The options of item ``number``, in form order (position 1 first)."""
        return self.response_scales[self.item(number).scale].options

    @property
    def score_range(self) -> tuple[float, float]:
        """The lowest and highest score a subscale can have (sums: per 10 items)."""
        values = [v for scale in self.response_scales.values() for v in scale.values]
        low, high = min(values), max(values)
        if self.scoring_method == "sum":
            size = len(self.subscales[0].items)
            return float(low * size), float(high * size)
        return float(low), float(high)

    def band_meanings(self, subscale: Subscale) -> tuple[str, ...]:
        """What each band (in order) means for ``subscale``: "harder end", "middle" or
        "easier end". High compassion satisfaction is the good end; on every other scale
        a higher score is the harder end. Charts colour the bands by this, never by
        position alone."""
        low, high = ("harder end", "easier end") if subscale.higher_is_better \
            else ("easier end", "harder end")
        return (low,) + ("middle",) * (len(self.bands) - 2) + (high,)

    def band_for(self, value: float) -> Band:
        """The band holding ``value``: the last one whose start is not above it."""
        chosen = self.bands[0]
        for band in self.bands:
            if value >= band.start:
                chosen = band
        return chosen


def _path_for(instrument_id: str) -> Path:
    folder = INSTRUMENTS_DIR / instrument_id / f"{instrument_id}.toml"
    return folder if folder.exists() else INSTRUMENTS_DIR / f"{instrument_id}.toml"


def _check(path: Path, condition: bool, message: str) -> None:
    if not condition:
        raise ValueError(f"{path}: {message}")


def load(instrument_id: str) -> Instrument:
    """The instrument ``instrument_id`` (cached). Unknown id: ValidationError."""
    if not isinstance(instrument_id, str) or instrument_id not in INSTRUMENT_IDS:
        raise ValidationError({"instrument_id": f"Unknown questionnaire {instrument_id!r}."})
    return _load(instrument_id)


@functools.cache
def _load(instrument_id: str) -> Instrument:
    path = _path_for(instrument_id)
    with path.open("rb") as fh:
        data = tomllib.load(fh)
    _check(path, data.get("id") == instrument_id, f"id must be {instrument_id!r}")

    scales = {
        entry["id"]: ResponseScale(entry["id"], tuple(entry["options"]), tuple(entry["values"]))
        for entry in data["response_scales"]
    }
    items = tuple(
        Item(
            number=int(entry["number"]),
            text=str(entry["text"]),
            subscale=entry["subscale"],
            reversed=bool(entry["reversed"]),
            scale=entry["scale"],
        )
        for entry in data["items"]
    )
    subscales = tuple(
        Subscale(entry["id"], entry["label"], tuple(entry["items"]), int(entry["min_answered"]),
                 bool(entry.get("higher_is_better", False)))
        for entry in data["subscales"]
    )
    bands = tuple(Band(entry["id"], entry["label"], float(entry["from"])) for entry in data["bands"])
    scoring = data["scoring"]

    # The file must hold together: numbered 1..n in order, every item in exactly
    # the subscale that lists it, every scale known, bands ascending.
    numbers = [item.number for item in items]
    _check(path, numbers == list(range(1, len(items) + 1)), "items must be numbered 1..n in order")
    for item in items:
        _check(path, bool(item.text.strip()), f"item {item.number} has no text")
        _check(path, item.scale in scales, f"item {item.number}: unknown scale {item.scale!r}")
    for scale in scales.values():
        _check(path, len(scale.options) == len(scale.values) >= 2, f"scale {scale.id!r}: options/values")
    listed = sorted(n for sub in subscales for n in sub.items)
    _check(path, listed == numbers, "subscales must list every item exactly once")
    for sub in subscales:
        for n in sub.items:
            _check(path, items[n - 1].subscale == sub.id, f"item {n} is not marked {sub.id!r}")
        _check(path, 1 <= sub.min_answered <= len(sub.items), f"{sub.id}: min_answered")
    starts = [band.start for band in bands]
    _check(path, bool(bands) and starts == sorted(set(starts)), "bands must ascend")
    _check(path, scoring["method"] in _SCORERS, f"unknown scoring method {scoring['method']!r}")

    return Instrument(
        id=instrument_id,
        name=data["name"],
        short_name=data["short_name"],
        citation=data["citation"],
        licence=data["licence"],
        licence_url=data["licence_url"],
        attribution=data["attribution"],
        recall_period=data["recall_period"],
        instructions=data.get("instructions", ""),
        text_source=data["text_source"],
        substitution_note=data.get("substitution_note", ""),
        bands_source=data["bands_source"],
        scoring_method=scoring["method"],
        scoring_source=scoring["source"],
        all_items_required=bool(scoring["all_items_required"]),
        substitutions=MappingProxyType(dict(data.get("substitutions", {}))),
        response_scales=MappingProxyType(scales),
        items=items,
        subscales=subscales,
        bands=bands,
        path=path,
        cadence_days=CADENCE_DAYS[instrument_id],
    )


def all_instruments() -> tuple[Instrument, ...]:
    """Every instrument, in the order of :data:`INSTRUMENT_IDS`."""
    return tuple(load(instrument_id) for instrument_id in INSTRUMENT_IDS)


def render_text(instrument_id: str, text: str, words: Mapping[str, str] | None = None) -> str:
    """``text`` with the instrument's replaceable words filled in.

    ``words`` maps a replaceable word as printed (ProQOL: ``"[helper]"``,
    ``"[help]"``, ``"[helping]"``, ``"[helped]"``, ``"[work]"``; CBI:
    ``"clients"``) to the term to show, e.g. ``{"[helper]": "case manager"}``.
    Words not given show their generic published form (``"[helper]"`` ->
    ``"helper"``). Only these words may change: the ProQOL permits replacing
    its bracketed words without labelling the measure "adapted from the ProQOL";
    any other change would need that label, so this function never makes one.
    """
    instrument = load(instrument_id)
    words = dict(words or {})
    errors = {
        f"words[{key!r}]": f"{key!r} is not a replaceable word of {instrument.short_name}."
        for key in words
        if key not in instrument.substitutions
    }
    for key, value in words.items():
        if key in instrument.substitutions and (not isinstance(value, str) or not value.strip()):
            errors[f"words[{key!r}]"] = "The replacement must be a non-empty word."
    if errors:
        raise ValidationError(errors)
    for key, default in instrument.substitutions.items():
        replacement = words.get(key, default).strip()
        pattern = re.escape(key) if key.startswith("[") else rf"\b{re.escape(key)}\b"
        text = re.sub(pattern, lambda _match: replacement, text)
    return text


def render_item(instrument_id: str, number: int, words: Mapping[str, str] | None = None) -> str:
    """The text of item ``number`` as the form shows it (see :func:`render_text`)."""
    return render_text(instrument_id, load(instrument_id).item(number).text, words)


def _clean_answers(instrument: Instrument, answers: Any) -> dict[int, int]:
    """The answered items as ``{number: position}``; every fault raises at once."""
    if not isinstance(answers, Mapping):
        raise ValidationError({"answers": "Answers must map item numbers to chosen options."})
    errors: dict[str, str] = {}
    clean: dict[int, int] = {}
    known = set(instrument.item_numbers)
    for key, value in answers.items():
        # numpy integers (from pandas) count as whole numbers; bools never do.
        if isinstance(key, bool) or not isinstance(key, numbers.Integral):
            errors[f"item {repr(key)[:20]}"] = "Item numbers must be whole numbers."
            continue
        key = int(key)
        if key not in known:
            shown = str(key) if abs(key) < 10**6 else "that large"
            errors[f"item {shown}"] = f"{instrument.short_name} has no item {shown}."
            continue
        if value is None:
            continue
        count = len(instrument.options(key))
        if isinstance(value, bool) or not isinstance(value, numbers.Integral):
            errors[f"item {key}"] = f"Choose one of the {count} options (a whole number 1-{count})."
        elif not 1 <= value <= count:
            shown = str(int(value)) if abs(value) < 10**6 else "that"
            errors[f"item {key}"] = f"Choose one of the {count} options (1-{count}), not {shown}."
        else:
            clean[key] = int(value)
    if instrument.all_items_required:
        missing = [n for n in instrument.item_numbers if n not in clean and f"item {n}" not in errors]
        for n in missing:
            errors[f"item {n}"] = f"Item {n} is required: {instrument.short_name} is scored only when every item is answered."
    if not errors and not clean:
        errors["answers"] = "Answer at least one item."
    if errors:
        raise ValidationError(errors)
    return clean


def _scale_result(
    instrument: Instrument, sub: Subscale, value: int | float | None, answered: int, reason: str | None
) -> dict[str, Any]:
    band = None if value is None else instrument.band_for(value)
    return {
        "label": sub.label,
        "score": value,
        "band": None if band is None else band.id,
        "band_label": None if band is None else band.label,
        "scored": value is not None,
        "answered": answered,
        "items": len(sub.items),
        "reason": reason,
    }


def _score_sum(instrument: Instrument, answers: dict[int, int]) -> dict[str, dict[str, Any]]:
    """ProQOL 5: each subscale is the sum of its 10 items (10-50).

    Keys (Stamm 2010, The Concise ProQOL Manual; ProQOL 5 self-score sheet):
    compassion satisfaction 3, 6, 12, 16, 18, 20, 22, 24, 27, 30; burnout 1, 4, 8,
    10, 15, 17, 19, 21, 26, 29; secondary traumatic stress 2, 5, 7, 9, 11, 13, 14,
    23, 25, 28 (read from the TOML file, checked against these lists by the tests).
    """
    result = {}
    for sub in instrument.subscales:
        total = 0
        for number in sub.items:
            item = instrument.item(number)
            # Option position p scores 1-5 (1 Never ... 5 Very Often): Stamm 2010.
            raw = instrument.response_scales[item.scale].values[answers[number] - 1]
            # Items 1, 4, 15, 17, 29 are reverse-scored, 1<->5 and 2<->4 (3 stays),
            # i.e. 6 - raw: ProQOL 5 self-score sheet, "reverse the scores" (Stamm 2010).
            total += 6 - raw if item.reversed else raw
        # The sum of the 10 items is the subscale score; bands 22 or less low,
        # 23-41 moderate, 42 or more high (the revised ProQOL 5 self-score sheet;
        # the Concise Manual reports t-scores instead).
        result[sub.id] = _scale_result(instrument, sub, total, len(sub.items), None)
    return result


def _score_mean(instrument: Instrument, answers: dict[int, int]) -> dict[str, dict[str, Any]]:
    """CBI: each scale is the mean of its answered items (0-100); no total score."""
    result = {}
    for sub in instrument.subscales:
        values = []
        for number in sub.items:
            if number not in answers:
                continue
            item = instrument.item(number)
            # Options score 100, 75, 50, 25, 0 from the first listed to the last
            # (Kristensen et al. 2005, appendix: "Always: 100. Often: 75. ...").
            value = instrument.response_scales[item.scale].values[answers[number] - 1]
            # Item 13 ("enough energy for family and friends") is reversed:
            # "Reversed score for last question" (Kristensen et al. 2005, appendix).
            values.append(100 - value if item.reversed else value)
        # "If less than three [personal] / four [work-related] / three
        # [client-related] questions have been answered, the respondent is
        # classified as non-responder" (Kristensen et al. 2005, appendix).
        if len(values) < sub.min_answered:
            reason = (
                f"Not scored: {len(values)} of {len(sub.items)} items answered; "
                f"at least {sub.min_answered} are needed (Kristensen et al. 2005)."
            )
            result[sub.id] = _scale_result(instrument, sub, None, len(values), reason)
            continue
        # "Total score on the scale is the average of the scores on the items"
        # (Kristensen et al. 2005), who define no cut-point; the band at 50 is a
        # research convention, labelled as such (see cbi.toml).
        mean = float(Fraction(sum(values), len(values)))
        result[sub.id] = _scale_result(instrument, sub, mean, len(values), None)
    return result


def _score_single(instrument: Instrument, answers: dict[int, int]) -> dict[str, dict[str, Any]]:
    """Single-item burnout measure: the answer's position, 1-5."""
    result = {}
    for sub in instrument.subscales:
        (number,) = sub.items
        item = instrument.item(number)
        # Scored 1-5 in the order the options are listed; the authors read 3 or
        # more as describing burnout symptoms (Rohland et al. 2004; Dolan et al. 2015).
        value = instrument.response_scales[item.scale].values[answers[number] - 1]
        result[sub.id] = _scale_result(instrument, sub, value, 1, None)
    return result


_SCORERS: dict[str, Callable[[Instrument, dict[int, int]], dict[str, dict[str, Any]]]] = {
    "sum": _score_sum,
    "mean": _score_mean,
    "single": _score_single,
}


def validate_answers(instrument_id: str, answers: Any) -> dict[int, int]:
    """The answered items of ``answers`` as ``{number: position}``, or ValidationError."""
    return _clean_answers(load(instrument_id), answers)


def score(instrument_id: str, answers: Mapping[int, int | None]) -> dict[str, dict[str, Any]]:
    """Score ``answers`` by the instrument's published key (structure: module doc).

    Raises :class:`ValidationError` (naming every item at fault) for an unknown
    instrument, an unknown item, an answer outside 1..number of options or not a
    whole number, no answer at all, or a missing item where every item is
    required (ProQOL 5, single item).
    """
    instrument = load(instrument_id)
    clean = _clean_answers(instrument, answers)
    result = _SCORERS[instrument.scoring_method](instrument, clean)
    if not any(scale["scored"] for scale in result.values()):
        # Nothing could be scored (CBI: every scale under half answered): a
        # response without a single score is not worth storing.
        needs = [f"{s.min_answered} of the {len(s.items)} {s.label.lower()} questions"
                 for s in instrument.subscales]
        parts = ", ".join(needs[:-1]) + f" or {needs[-1]}" if len(needs) > 1 else needs[0]
        raise ValidationError(
            {"answers": f"Too few answers to give any score: answer at least {parts}."}
        )
    return result
