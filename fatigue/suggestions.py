"""Suggested actions: the catalogue, the trigger rules and :func:`evaluate`.

The catalogue is data (``data/suggestions.toml``): each suggestion names the
rule that triggers it. A rule is a named predicate in :data:`RULES` over a
:class:`Context` (the person's check-in history, the personal analytics from
:mod:`fatigue.analytics`, their questionnaire results and their team's caseload
standard). It returns ``None`` (not triggered) or a dict of the figures its
``why_now`` template is filled with, already formatted as text.

:func:`triggered` is pure (DataFrames in, suggestions out);
:func:`triggered_for` reads the person's data from the database.
:func:`fatigue.actions.evaluate` then hides what the person has put aside.
What the person has done with a suggestion lives in :mod:`fatigue.actions`,
which builds on this module (never the other way round).

All windows are calendar windows ending on ``today`` (included); days without
a check-in are simply absent. Thresholds are the module constants below.
"""
from __future__ import annotations

import datetime as dt
import functools
import math
import string
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable, Mapping

import numpy as np
import pandas as pd
from sqlite_utils import Database

from fatigue import accounts, analytics, checkins, questionnaires
from fatigue.analytics.frame import day_number as _day_number, recent_window, usual_window
from fatigue.analytics.card import HIGH_EXHAUSTION, HIGH_EXHAUSTION_MIN
from fatigue.analytics.usual_range import MIN_USUAL_CHECKINS
from fatigue.analytics.words import and_join, fmt_day as _fmt_day, num as _num
from fatigue.validation import LABELS, RATINGS
from fatigue.workload import DEFAULT_CASELOAD_STANDARD, workload_index

CATALOGUE_FILE = Path(__file__).resolve().parent.parent / "data" / "suggestions.toml"

CATEGORIES: dict[str, str] = {
    "urgent_support": "Urgent support",
    "workload": "Workload",
    "supervision": "Supervision",
    "peer_support": "Peer support",
    "boundary": "Boundaries",
    "recovery": "Recovery",
}
URGENT = "urgent_support"

# ----------------------------------------------------------------- thresholds
# Fixed numbers on our own 0-10 items are kept to two safety nets (the status
# card's HIGH_EXHAUSTION rule, and URGENT_* below); everything else compares the
# person with their own usual. docs/analytics.md lists every fixed number.
LAST_CHECKINS = 7  # "the last 7 check-ins" ...
LAST_SPAN_DAYS = 14  # ... within the last 14 calendar days
RECENT_DAYS = 7  # "the last 7 days": today-6 .. today

AFTER_HOURS_MIN_DAYS = 3  # of the last 7 check-ins with any after-hours minutes

CONTACT_SD_FLOOR = 1.0  # contacts per check-in
MIN_RECENT_CONTACT_CHECKINS = 5  # in the last two weeks

SUPERVISION_DAYS = 28
MIN_SUPERVISION_WINDOW_CHECKINS = 8  # fewer check-ins: absence of a tick says little

NO_BREAK_MIN_DAYS = 4  # of the last 7 check-ins without a real break

INTRUSION_SDS = 2.0  # intrusion this many usual SDs above the usual level ...
INTRUSION_MIN_DAYS = 2  # ... on this many check-ins in the last 7 days

QUESTIONNAIRE_DAYS = 35  # a ProQOL or CBI result counts for this many days
SINGLE_ITEM_DAYS = 14  # a single-item answer counts for this many days
SINGLE_ITEM_HIGHEST = 5

URGENT_EXHAUSTION = 9  # exhaustion at or above ...
URGENT_RECOVERY = 2  # ... with recovery at or below ...
URGENT_RUN = 3  # ... on this many consecutive check-ins,
URGENT_RUN_END_DAYS = 7  # the last of them within the last 7 days,
URGENT_RUN_SPAN_DAYS = 14  # all of them within the last 14 days.

GAP_WORKDAYS = 3  # weekdays without a check-in after a heavy day
GAP_RECENT_DAYS = 14  # the gap ended (or the last check-in was) within this many days
GAP_HEAVY_DAYS = 56  # "heavier" day: against the person's own last 8 weeks ...
GAP_HEAVY_MIN_CHECKINS = 10  # ... with at least this many check-ins
GAP_HEAVY_QUANTILE = 0.75  # at or above their own 75th percentile (and above the median)

LASTING_DAYS = 10  # an early warning whose run began this many days ago or more

NO_SUPPORT_TEXT = (
    "Your agency has not added its local support resources here yet (for example an "
    "employee assistance programme or a crisis line). Please ask your admin to add them in "
    "the admin settings. Until then, your supervisor, your GP or doctor, or someone you trust "
    "can help you find support. If you are in immediate danger, call your local emergency "
    "number."
)


# ----------------------------------------------------------------- catalogue
@dataclass(frozen=True)
class Source:
    """A piece of guidance or research a suggestion rests on."""

    id: str
    citation: str
    note: str
    url: str


@dataclass(frozen=True)
class Entry:
    """One catalogue entry as written in ``data/suggestions.toml`` (template unfilled)."""

    id: str
    category: str
    title: str
    steps: tuple[str, ...]
    why_now: str  # a format string
    rule: str
    targets: tuple[str, ...]
    sources: tuple[Source, ...]
    cooldown_days: int

    @property
    def fields(self) -> tuple[str, ...]:
        return tuple(name for _, name, _, _ in string.Formatter().parse(self.why_now) if name)


@dataclass(frozen=True)
class Suggestion:
    """A triggered suggestion, its "why now" filled from the person's figures."""

    id: str
    category: str  # key of CATEGORIES
    category_label: str
    title: str
    steps: tuple[str, ...]
    why_now: str
    source: str  # the citations, joined with "; "
    sources: tuple[Source, ...]
    rule: str
    targets: tuple[str, ...]  # ratings the before/after follow-up looks at
    cooldown_days: int
    urgent: bool
    figures: dict[str, Any] = field(default_factory=dict)
    # urgent: support_text, support_configured; caseload_review: request
    extra: dict[str, Any] = field(default_factory=dict)


class CatalogueError(ValueError):
    """The catalogue file breaks one of its rules."""


def _fail(message: str) -> None:
    raise CatalogueError(f"{CATALOGUE_FILE.name}: {message}")


@functools.cache
def catalogue() -> tuple[Entry, ...]:
    """The suggestions in ``data/suggestions.toml``, validated, in file order."""
    with CATALOGUE_FILE.open("rb") as handle:
        data = tomllib.load(handle)
    sources: dict[str, Source] = {}
    for key, value in data.get("sources", {}).items():
        if not value.get("citation"):
            _fail(f"source {key!r} has no citation")
        sources[key] = Source(key, value["citation"], value.get("note", ""), value.get("url", ""))
    entries: list[Entry] = []
    seen: set[str] = set()
    for raw in data.get("suggestions", []):
        sid = raw.get("id", "")
        if not sid or not sid.replace("_", "").isalnum() or not sid.islower() or len(sid) > 60:
            _fail(f"bad suggestion id {sid!r}")
        if sid in seen:
            _fail(f"duplicate suggestion id {sid!r}")
        seen.add(sid)
        if raw.get("category") not in CATEGORIES:
            _fail(f"{sid}: unknown category {raw.get('category')!r}")
        if raw.get("rule") not in RULES:
            _fail(f"{sid}: unknown rule {raw.get('rule')!r}")
        targets = tuple(raw.get("targets", ()))
        if not targets or any(t not in RATINGS for t in targets):
            _fail(f"{sid}: targets must be daily ratings, not {targets!r}")
        cited = tuple(raw.get("sources", ()))
        if not cited or any(s not in sources for s in cited):
            _fail(f"{sid}: unknown or missing sources {cited!r}")
        steps = tuple(raw.get("steps", ()))
        if not steps or not raw.get("title") or not raw.get("why_now"):
            _fail(f"{sid}: title, steps and why_now are required")
        cooldown = raw.get("cooldown_days")
        if isinstance(cooldown, bool) or not isinstance(cooldown, int) or not 1 <= cooldown <= 365:
            _fail(f"{sid}: cooldown_days must be a whole number from 1 to 365")
        entry = Entry(
            sid, raw["category"], raw["title"], steps, raw["why_now"], raw["rule"], targets,
            tuple(sources[s] for s in cited), cooldown,
        )
        try:
            entry.fields  # parses the template
        except ValueError as exc:
            _fail(f"{sid}: why_now is not a valid template ({exc})")
        entries.append(entry)
    if (raw_urgent := [e for e in entries if e.category == URGENT]) and any(
        e.rule != "urgent_support" for e in raw_urgent
    ):
        _fail("urgent-support suggestions must use the urgent_support rule")
    return tuple(entries)


def entry(suggestion_id: str) -> Entry | None:
    """The catalogue entry with this id, or None."""
    return next((e for e in catalogue() if e.id == suggestion_id), None)


def entries_for_rule(rule: str) -> tuple[Entry, ...]:
    return tuple(e for e in catalogue() if e.rule == rule)


# ----------------------------------------------------------------- context
@dataclass(frozen=True)
class Context:
    """Everything the rules look at, for one person on one day."""

    today: dt.date
    history: pd.DataFrame  # one row per check-in day up to today, ``day`` as datetime64
    summary: analytics.PersonalSummary
    questionnaires: pd.DataFrame  # questionnaires.history() columns
    caseload_standard: float


def _as_date(value: Any) -> dt.date:
    return pd.Timestamp(value).date()


def _prepare(history: pd.DataFrame, today: dt.date) -> pd.DataFrame:
    frame = history.copy()
    if "day" not in frame.columns:
        frame["day"] = pd.Series(dtype="datetime64[ns]")
    frame["day"] = pd.to_datetime(frame["day"]).astype("datetime64[ns]").dt.normalize()
    frame = frame[frame["day"].notna() & (frame["day"] <= pd.Timestamp(today))]
    frame = frame.sort_values("day", kind="stable").drop_duplicates("day", keep="last")
    return frame.reset_index(drop=True)


def make_context(
    history: pd.DataFrame,
    today: dt.date,
    *,
    questionnaires: pd.DataFrame | None = None,
    caseload_standard: float = DEFAULT_CASELOAD_STANDARD,
    summary: analytics.PersonalSummary | None = None,
) -> Context:
    """A :class:`Context` from a history like :func:`fatigue.checkins.load_history`'s;
    ``summary``, when given, is :func:`fatigue.analytics.personal_summary` of that history on
    ``today`` (a page has it already), used unless the history runs past ``today``."""
    today = _as_date(today)
    frame = _prepare(history, today)
    if summary is None or summary.today != today or len(frame) != len(history):
        summary = analytics.personal_summary(frame, today, caseload_standard)
    if questionnaires is None:
        questionnaires = pd.DataFrame(
            columns=["response_id", "instrument_id", "taken_on", "scale", "label", "score",
                     "band", "band_label", "scored", "answered", "reason"]
        )
    return Context(today, frame, summary, questionnaires, float(caseload_standard))


# ----------------------------------------------------------------- helpers
def _whole(value: float) -> str:
    return f"{value:g}" if float(value).is_integer() else _num(value)


def _lower(rating: str) -> str:
    return LABELS.get(rating, rating).lower()


def _col(frame: pd.DataFrame, name: str) -> pd.Series:
    return pd.to_numeric(frame[name], errors="coerce").astype(float)


def _flag(frame: pd.DataFrame, name: str) -> pd.Series:
    return frame[name].fillna(False).astype(bool)


def _window(ctx: Context, days: int, end_offset: int = 0) -> pd.DataFrame:
    """Check-ins from ``today - end_offset - days + 1`` to ``today - end_offset``."""
    end = pd.Timestamp(ctx.today) - pd.Timedelta(days=end_offset)
    start = end - pd.Timedelta(days=days - 1)
    frame = ctx.history
    sorted_days = frame["day"].to_numpy()  # one row per day, in order (_prepare)
    return frame.iloc[sorted_days.searchsorted(start.to_datetime64(), "left"):
                      sorted_days.searchsorted(end.to_datetime64(), "right")]


def _days_between(ctx: Context, start: int, end: int) -> pd.DataFrame:
    """Check-ins from day number ``start`` to ``end`` (see fatigue.analytics.frame)."""
    return _window(ctx, end - start + 1, end_offset=_day_number(ctx.today) - end)


def _last_checkins(ctx: Context, n: int = LAST_CHECKINS, span: int = LAST_SPAN_DAYS) -> pd.DataFrame:
    """The last ``n`` check-ins within the last ``span`` calendar days."""
    return _window(ctx, span).tail(n)


def _trend_figures(ctx: Context, rating: str, direction: str) -> dict[str, Any] | None:
    t = ctx.summary.trends.get(rating)
    if t is None or t.direction != direction or t.slope_per_week is None:
        return None
    return {"days": t.days, "n": t.n, "per_week": _num(abs(t.slope_per_week))}


def _latest_result(ctx: Context, instrument: str, scale: str, days: int) -> dict[str, Any] | None:
    """The latest scored result of ``instrument``/``scale`` taken within the last ``days``."""
    q = ctx.questionnaires
    if q is None or q.empty:
        return None
    rows = q[(q["instrument_id"] == instrument) & (q["scale"] == scale)]
    if rows.empty:
        return None
    taken = pd.to_datetime(rows["taken_on"]).dt.normalize()
    rows = rows[taken <= pd.Timestamp(ctx.today)]
    if rows.empty:
        return None
    row = rows.iloc[-1]  # history() is ordered by taken_on, then by when it was saved
    day = _as_date(row["taken_on"])
    if (ctx.today - day).days >= days or not bool(row["scored"]):
        return None
    return {
        "taken_on": day,
        "score": float(row["score"]),
        "band": row["band"],
        "band_label": row["band_label"],
        "label": row["label"],
    }


# ----------------------------------------------------------------- rules
Rule = Callable[[Context], "dict[str, Any] | None"]
RULES: dict[str, Rule] = {}


def rule(name: str) -> Callable[[Rule], Rule]:
    def register(func: Rule) -> Rule:
        RULES[name] = func
        return func
    return register


@rule("urgent_support")
def urgent_support(ctx: Context) -> dict[str, Any] | None:
    """The latest single-item answer (within 14 days) is the highest option, or
    exhaustion 9+ with recovery 2 or less on 3 consecutive check-ins (the last of
    them within 7 days, all within 14)."""
    answer = _latest_single_item(ctx)
    if answer is not None and answer["score"] >= SINGLE_ITEM_HIGHEST:
        return {
            "trigger": "single_item",
            "reason": (
                f"In your single-item burnout answer on {_fmt_day(answer['taken_on'])} you chose "
                "the last option: feeling completely burned out and wondering if you can go "
                "on. Thank you for answering honestly; it matters that you get support now."
            ),
        }
    last = ctx.history.tail(URGENT_RUN)
    if len(last) == URGENT_RUN:
        first_day, last_day = last["day"].iloc[0].date(), last["day"].iloc[-1].date()
        hard = (_col(last, "exhaustion") >= URGENT_EXHAUSTION) & (
            _col(last, "recovery") <= URGENT_RECOVERY
        )
        if (
            bool(hard.all())
            and (ctx.today - last_day).days < URGENT_RUN_END_DAYS
            and (ctx.today - first_day).days < URGENT_RUN_SPAN_DAYS
        ):
            return {
                "trigger": "checkins",
                "reason": (
                    f"On your last {URGENT_RUN} check-ins (from {_fmt_day(first_day)} to "
                    f"{_fmt_day(last_day)}) exhaustion was {URGENT_EXHAUSTION} or more and "
                    f"recovery {URGENT_RECOVERY} or less. That is a lot to carry, and it is a "
                    "good moment to get support."
                ),
            }
    return None


def _latest_single_item(ctx: Context) -> dict[str, Any] | None:
    q = ctx.questionnaires
    if q is None or q.empty:
        return None
    rows = q[q["instrument_id"] == "single_item_burnout"]
    rows = rows[pd.to_datetime(rows["taken_on"]).dt.normalize() <= pd.Timestamp(ctx.today)]
    if rows.empty:
        return None
    row = rows.iloc[-1]
    day = _as_date(row["taken_on"])
    if (ctx.today - day).days >= SINGLE_ITEM_DAYS or not bool(row["scored"]):
        return None
    return {"taken_on": day, "score": float(row["score"])}


@rule("sustained_high_exhaustion")
def sustained_high_exhaustion(ctx: Context) -> dict[str, Any] | None:
    """Exhaustion 8+ on 5 or more of the last 7 check-ins (within 14 days)."""
    values = _col(_last_checkins(ctx), "exhaustion").dropna()
    high = int((values >= HIGH_EXHAUSTION).sum())
    if high < HIGH_EXHAUSTION_MIN:
        return None
    return {"high_days": high, "n": len(values), "threshold": HIGH_EXHAUSTION}


@rule("early_warning")
def early_warning(ctx: Context) -> dict[str, Any] | None:
    """Any early-warning signal (a rating beyond the usual range lately); the strongest
    one is described."""
    signals = ctx.summary.warnings.signals
    if not signals:
        return None
    top = signals[0]  # strongest first
    return _signal_figures(top) | {"ratings": and_join(_lower(s.rating) for s in signals)}


def _signal_figures(signal: analytics.EarlyWarning) -> dict[str, Any]:
    run = signal.checkins_outside
    return {
        "rating": _lower(signal.rating),
        "run_n": f"{run} check-in{'' if run == 1 else 's'}",
        "level": f"{'was' if run == 1 else 'averaged'} {_num(signal.run_mean)} out of 10",
        "usual_mean": _num(signal.usual_mean),
        "since": _fmt_day(signal.since),
        "side": "above" if signal.direction == "higher" else "below",
    }


@rule("compassion_fatigue")  # the stored name of the rule (saved mutes use it)
def combined_pattern(ctx: Context) -> dict[str, Any] | None:
    """Exhaustion and intrusion up, empathy down, on 5 of the last 7 check-ins."""
    pattern = ctx.summary.pattern
    if not pattern.present:
        return None
    return {"count": pattern.count, "considered": pattern.considered}


@rule("after_hours_work")
def after_hours_work(ctx: Context) -> dict[str, Any] | None:
    """Work outside scheduled hours on 3 or more of the last 7 check-ins (within 14 days)."""
    last = _last_checkins(ctx)
    minutes = _col(last, "after_hours_minutes").fillna(0)
    days = int((minutes > 0).sum())
    if days < AFTER_HOURS_MIN_DAYS:
        return None
    return {"after_hours_days": days, "n": len(last), "hours": _num(minutes.sum() / 60)}


@rule("crisis_trauma_above_usual")
def crisis_trauma_above_usual(ctx: Context) -> dict[str, Any] | None:
    """Crisis or trauma contacts well above the person's usual.

    The mean per check-in over the last two weeks (at least 5 check-ins) is above
    the mean over the usual's window (the 12 weeks before them, at least 20
    check-ins) plus its SD, the SD floored at 1 contact.
    """
    today = _day_number(ctx.today)
    recent = _days_between(ctx, *recent_window(today))
    base = _days_between(ctx, *usual_window(today))
    best: tuple[float, dict[str, Any]] | None = None
    for column, words in (
        ("crisis_contacts", "crisis or high-intensity contacts"),
        ("trauma_contacts", "contacts involving traumatic material"),
    ):
        usual = _col(base, column).dropna()
        now = _col(recent, column).dropna()
        if len(usual) < MIN_USUAL_CHECKINS or len(now) < MIN_RECENT_CONTACT_CHECKINS:
            continue
        sd = max(float(usual.std(ddof=1)), CONTACT_SD_FLOOR)
        excess = (float(now.mean()) - float(usual.mean())) / sd
        if excess > 1.0 and (best is None or excess > best[0]):
            best = (excess, {
                "what": words,
                "measure": column,
                "recent_mean": _num(now.mean()),
                "recent_n": len(now),
                "usual_mean": _num(usual.mean()),
            })
    return None if best is None else best[1]


@rule("caseload_above_standard")
def caseload_above_standard(ctx: Context) -> dict[str, Any] | None:
    """Latest caseload (within 14 days) above the team standard while exhaustion is
    rising over the last 14 days (the trend of the analytics)."""
    last = _last_checkins(ctx)
    if last.empty:
        return None
    caseload = float(_col(last, "caseload").iloc[-1])
    standard = ctx.caseload_standard
    trend = _trend_figures(ctx, "exhaustion", "rising")
    if not caseload > standard or trend is None:
        return None
    fortnight = _window(ctx, 14)
    first_week = _col(_window(ctx, 7, end_offset=7), "exhaustion").dropna()
    second_week = _col(_window(ctx, 7), "exhaustion").dropna()
    figures = {
        "caseload": _whole(caseload),
        "standard": _whole(standard),
        "ratio": _num(caseload / standard),
        **trend,
        "first_week": _num(first_week.mean()) if len(first_week) else "",
        "second_week": _num(second_week.mean()) if len(second_week) else "",
        "crisis": int(_col(fortnight, "crisis_contacts").fillna(0).sum()),
        "trauma": int(_col(fortnight, "trauma_contacts").fillna(0).sum()),
        "after_hours": _num(_col(fortnight, "after_hours_minutes").fillna(0).sum() / 60),
        "checkins": len(fortnight),
    }
    return figures


def caseload_request(figures: Mapping[str, Any]) -> str:
    """A drafted caseload-review request to bring to supervision, filled with the figures."""
    weeks = ""
    if figures.get("first_week") and figures.get("second_week"):
        weeks = (
            f" (my average was {figures['first_week']} in the first of those weeks and "
            f"{figures['second_week']} in the second)"
        )
    return (
        "Caseload review request\n"
        "\n"
        "I would like us to look at my caseload together at our next supervision, or sooner "
        "if possible.\n"
        "\n"
        f"- My active caseload is {figures['caseload']}, against our team's standard of "
        f"{figures['standard']} ({figures['ratio']} times the standard).\n"
        f"- Over the last {figures['days']} days my exhaustion ratings have been rising, by "
        f"about {figures['per_week']} points a week{weeks}.\n"
        f"- In those {figures['days']} days ({figures['checkins']} check-ins) I logged "
        f"{figures['crisis']} crisis or high-intensity contacts, {figures['trauma']} contacts "
        f"involving traumatic material and {figures['after_hours']} hours of work outside my "
        "scheduled hours.\n"
        "\n"
        "Could we look at:\n"
        "- which cases could be reassigned, paused or shared for a while;\n"
        "- how crisis and trauma-heavy cases are balanced across the team;\n"
        "- a date to review my caseload again.\n"
        "\n"
        "For reference: the Child Welfare League of America recommends caseload limits "
        "(for example 17 active ongoing families per worker: CWLA Standards of Excellence for "
        "Services for Abused or Neglected Children and their Families, revised 1999), and the "
        "NASW Standards for Social Work Case Management (2013) include workload "
        "sustainability.\n"
    )


@rule("no_supervision")
def no_supervision(ctx: Context) -> dict[str, Any] | None:
    """No supervision or debrief ticked in the last 28 days (today-27 .. today), for
    someone checking in since at least then with 8+ check-ins in that window."""
    if ctx.history.empty:
        return None
    window = _window(ctx, SUPERVISION_DAYS)
    start = ctx.today - dt.timedelta(days=SUPERVISION_DAYS - 1)
    if ctx.history["day"].iloc[0].date() > start or len(window) < MIN_SUPERVISION_WINDOW_CHECKINS:
        return None
    if bool(_flag(window, "supervision").any()):
        return None
    earlier = ctx.history[_flag(ctx.history, "supervision")]
    last = (
        f" The last one you logged was on {_fmt_day(earlier['day'].iloc[-1].date())}."
        if not earlier.empty else ""
    )
    return {"n": len(window), "days": SUPERVISION_DAYS, "last": last}


@rule("no_breaks")
def no_breaks(ctx: Context) -> dict[str, Any] | None:
    """No real break on 4 or more of the last 7 check-ins (within 14 days)."""
    last = _last_checkins(ctx)
    missed = int((~_flag(last, "break_taken")).sum())
    if missed < NO_BREAK_MIN_DAYS:
        return None
    return {"no_break_days": missed, "n": len(last)}


@rule("low_recovery")
def low_recovery(ctx: Context) -> dict[str, Any] | None:
    """Recovery below the usual range lately (the early warning on recovery)."""
    signal = next((s for s in ctx.summary.warnings.signals if s.rating == "recovery"), None)
    return None if signal is None else _signal_figures(signal)


@rule("intrusion_after_trauma")
def intrusion_after_trauma(ctx: Context) -> dict[str, Any] | None:
    """Intrusion well above the person's usual (INTRUSION_SDS usual SDs, the SD floored
    at 1 point) on 2 or more check-ins in the last 7 days, each on a day with trauma
    contacts or the day after one (the previous calendar day's check-in)."""
    usual = ctx.summary.usual.ratings.get("intrusion")
    if usual is None:
        return None
    threshold = usual.mean + INTRUSION_SDS * usual.sd_used
    frame = ctx.history
    trauma_by_day = dict(zip(frame["day"], _col(frame, "trauma_contacts").fillna(0)))
    recent = _window(ctx, RECENT_DAYS)
    high_days = 0
    exposures: set[pd.Timestamp] = set()
    for day, intrusion in zip(recent["day"], _col(recent, "intrusion")):
        if not intrusion >= threshold:
            continue
        previous = day - pd.Timedelta(days=1)
        exposed = [d for d in (day, previous) if trauma_by_day.get(d, 0) > 0]
        if exposed:
            high_days += 1
            exposures.update(exposed)
    if high_days < INTRUSION_MIN_DAYS:
        return None
    return {
        "high_days": high_days,
        "threshold": _num(threshold),
        "usual_mean": _num(usual.mean),
        "trauma_contacts": int(sum(trauma_by_day[d] for d in exposures)),
    }


@rule("meaning_falling")
def meaning_falling(ctx: Context) -> dict[str, Any] | None:
    """Meaning falling over the last 14 days (the trend of the analytics)."""
    return _trend_figures(ctx, "meaning", "falling")


@rule("time_pressure_rising")
def time_pressure_rising(ctx: Context) -> dict[str, Any] | None:
    """Time pressure rising over the last 14 days (the trend of the analytics)."""
    return _trend_figures(ctx, "time_pressure", "rising")


@rule("detachment_rising")
def detachment_rising(ctx: Context) -> dict[str, Any] | None:
    """Detachment rising over the last 14 days (the trend of the analytics)."""
    return _trend_figures(ctx, "detachment", "rising")


@rule("long_drift")
def long_drift(ctx: Context) -> dict[str, Any] | None:
    """A change that has lasted: an early-warning signal whose run began LASTING_DAYS
    or more days ago (the strongest such one is described)."""
    cutoff = ctx.today - dt.timedelta(days=LASTING_DAYS)
    lasting = [s for s in ctx.summary.warnings.signals if s.since <= cutoff]
    return _signal_figures(lasting[0]) if lasting else None


@rule("questionnaire_sts_high")
def questionnaire_sts_high(ctx: Context) -> dict[str, Any] | None:
    """The latest ProQOL (within 35 days) has secondary traumatic stress in the high band."""
    result = _latest_result(ctx, "proqol5", "secondary_traumatic_stress", QUESTIONNAIRE_DAYS)
    if result is None or result["band"] != "high":
        return None
    return {"taken_on": _fmt_day(result["taken_on"]), "score": _whole(result["score"])}


@rule("questionnaire_burnout_high")
def questionnaire_burnout_high(ctx: Context) -> dict[str, Any] | None:
    """The latest ProQOL burnout or CBI work-related burnout (within 35 days) in the
    high band, or the latest single-item answer (within 14 days) 3 or 4 (5 is urgent)."""
    found: list[tuple[dt.date, str]] = []
    proqol = _latest_result(ctx, "proqol5", "burnout", QUESTIONNAIRE_DAYS)
    if proqol is not None and proqol["band"] == "high":
        found.append((proqol["taken_on"],
                      f"Your ProQOL burnout score on {_fmt_day(proqol['taken_on'])} was "
                      f"{_whole(proqol['score'])}, in the high band (42 or more)."))
    cbi = _latest_result(ctx, "cbi", "work", QUESTIONNAIRE_DAYS)
    if cbi is not None and cbi["band"] == "high":
        found.append((cbi["taken_on"],
                      f"Your Copenhagen Burnout Inventory work-related burnout score on "
                      f"{_fmt_day(cbi['taken_on'])} was {_num(cbi['score'])} out of 100: 50 or "
                      "more, the level many studies call high (a research convention, not a "
                      "diagnosis)."))
    single = _latest_single_item(ctx)
    # 3 or 4; the highest option (5) brings the urgent-support panel instead
    if single is not None and 3 <= single["score"] < SINGLE_ITEM_HIGHEST:
        found.append((single["taken_on"],
                      f"In your single-item burnout answer on {_fmt_day(single['taken_on'])} "
                      f"you chose option {_whole(single['score'])} of 5; the measure's authors "
                      "read that answer as describing one or more symptoms of burnout."))
    if not found:
        return None
    day, text = max(found, key=lambda item: item[0])
    return {"result": text, "taken_on": _fmt_day(day)}


def _workdays_between(a: dt.date, b: dt.date) -> int:
    """Weekdays strictly after ``a`` and strictly before ``b``."""
    if b <= a + dt.timedelta(days=1):
        return 0
    return int(np.busday_count(a + dt.timedelta(days=1), b))


def _heavier_measures(ctx: Context, day: pd.Timestamp) -> list[str]:
    """Which of exhaustion, time pressure and the workload index made ``day`` one of
    the person's heavier days: at or above their own 75th percentile, and above their
    median, over the 8 weeks up to it (10+ check-ins). In words, e.g. "exhaustion 8"."""
    frame = ctx.history
    window = frame[(frame["day"] > day - pd.Timedelta(days=GAP_HEAVY_DAYS)) & (frame["day"] <= day)]
    if len(window) < GAP_HEAVY_MIN_CHECKINS or day not in set(window["day"]):
        return []
    measures = {
        "exhaustion": (_col(window, "exhaustion"), "exhaustion {}"),
        "time_pressure": (_col(window, "time_pressure"), "time pressure {}"),
        "workload_index": (workload_index(window, ctx.caseload_standard).astype(float),
                           "a workload index of {}"),
    }
    found = []
    for values, words in measures.values():
        value = float(values[window["day"] == day].iloc[-1])
        usual = values.dropna()
        if usual.empty or math.isnan(value):
            continue
        if value >= float(usual.quantile(GAP_HEAVY_QUANTILE)) and value > float(usual.median()):
            found.append(words.format(_whole(value) if value.is_integer() else _num(value)))
    return found


@rule("checkins_slip")
def checkins_slip(ctx: Context) -> dict[str, Any] | None:
    """3+ workdays without a check-in right after a heavy day: on the check-in before
    the gap, exhaustion, time pressure or the workload index among the person's own
    heavier days (see :func:`_heavier_measures`). The gap is the most recent one and
    ended within the last 14 days, or is still open with the last check-in within
    the last 14 days. Today counts as not yet missed. Never a count of missed days
    over time: no streaks."""
    frame = ctx.history
    if frame.empty:
        return None
    cutoff = ctx.today - dt.timedelta(days=GAP_RECENT_DAYS - 1)
    # Gaps that end before the cutoff stop the search: only the check-ins from the last one
    # before the cutoff on matter.
    first = max(0, int(frame["day"].to_numpy().searchsorted(
        pd.Timestamp(cutoff).to_datetime64(), "left")) - 1)
    days = [None] * first + [d.date() for d in frame["day"].iloc[first:]]
    gaps: list[tuple[int, dt.date, int]] = []  # (index of the check-in before, gap end, workdays)
    for i in range(first, len(days) - 1):
        gaps.append((i, days[i + 1], _workdays_between(days[i], days[i + 1])))
    gaps.append((len(days) - 1, ctx.today, _workdays_between(days[-1], ctx.today)))
    for index, end, workdays in reversed(gaps):
        if end < cutoff or (end == ctx.today and days[index] < cutoff):
            break
        if workdays < GAP_WORKDAYS:
            continue
        heavy = _heavier_measures(ctx, frame["day"].iloc[index])
        if not heavy:
            return None  # the most recent gap followed a lighter day
        return {
            "heavy_day": _fmt_day(days[index]),
            "heavy_what": and_join(heavy),
            "gap_days": workdays,
        }
    return None


# ----------------------------------------------------------------- building suggestions
# With no support resources set, the urgent steps point to none that is not there.
SUPPORT_STEP = "Contact one of the support options below today, or someone you trust."
NO_SUPPORT_STEP = ("Contact someone today: your supervisor, your GP or doctor, or someone you "
                   "trust.")


def _build(item: Entry, figures: dict[str, Any], support_text: str) -> Suggestion:
    extra: dict[str, Any] = {}
    if item.category == URGENT:
        configured = bool(support_text.strip())
        extra = {
            "support_configured": configured,
            "support_text": support_text.strip() if configured else NO_SUPPORT_TEXT,
        }
    steps = item.steps
    if extra.get("support_configured") is False:
        steps = tuple(NO_SUPPORT_STEP if step == SUPPORT_STEP else step for step in steps)
    if item.rule == "caseload_above_standard":
        extra["request"] = caseload_request(figures)
    return Suggestion(
        id=item.id,
        category=item.category,
        category_label=CATEGORIES[item.category],
        title=item.title,
        steps=steps,
        why_now=item.why_now.format(**figures),
        source="; ".join(s.citation.rstrip(".") for s in item.sources) + ".",
        sources=item.sources,
        rule=item.rule,
        targets=item.targets,
        cooldown_days=item.cooldown_days,
        urgent=item.category == URGENT,
        figures=dict(figures),
        extra=extra,
    )


def triggered_in(ctx: Context, support_text: str = "") -> list[Suggestion]:
    """Every catalogue suggestion whose rule fires, urgent first, then catalogue order."""
    results: dict[str, dict[str, Any] | None] = {}
    found: list[Suggestion] = []
    for item in catalogue():
        if item.rule not in results:
            results[item.rule] = RULES[item.rule](ctx)
        figures = results[item.rule]
        if figures is not None:
            found.append(_build(item, figures, support_text))
    return sorted(found, key=lambda s: not s.urgent)  # stable: catalogue order otherwise


def triggered(
    history: pd.DataFrame,
    today: dt.date,
    *,
    questionnaires: pd.DataFrame | None = None,
    caseload_standard: float = DEFAULT_CASELOAD_STANDARD,
    support_text: str = "",
) -> list[Suggestion]:
    """:func:`triggered_in` from DataFrames (no database, nothing hidden)."""
    ctx = make_context(
        history, today, questionnaires=questionnaires, caseload_standard=caseload_standard
    )
    return triggered_in(ctx, support_text)


def triggered_for(db: Database, user_id: int, today: dt.date, support_text: str = "", *,
                  history: pd.DataFrame | None = None,
                  summary: analytics.PersonalSummary | None = None) -> list[Suggestion]:
    """:func:`triggered_in` for ``user_id`` on ``today``, from the database (nothing hidden:
    see :func:`fatigue.actions.evaluate` for what the person sees); ``history`` and
    ``summary``, when a page has them already, as :func:`make_context` takes them."""
    context = make_context(
        checkins.load_history(db, user_id, end=today) if history is None else history,
        today,
        questionnaires=questionnaires.history(db, user_id),
        caseload_standard=accounts.caseload_standard(db, user_id),
        summary=summary,
    )
    return triggered_in(context, support_text)
