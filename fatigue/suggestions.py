"""Suggested actions: the catalogue, the trigger rules and :func:`evaluate`.

The catalogue is data (``data/suggestions.toml``): each suggestion names the
rule that triggers it. A rule is a named predicate in :data:`RULES` over a
:class:`Context` (the person's check-in history, the personal analytics from
:mod:`fatigue.analytics`, their questionnaire results and their team's caseload
standard). It returns ``None`` (not triggered) or a dict of the figures its
``why_now`` template is filled with, already formatted as text.

:func:`triggered` is pure (DataFrames in, suggestions out);
:func:`evaluate` reads the database and then hides what the person has put
aside (see :mod:`fatigue.actions`): "Not now" or "Done" for the suggestion's
cooldown, an open plan, a muted rule. The urgent-support item is never hidden.

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

from fatigue import analytics
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
LAST_CHECKINS = 7  # "the last 7 check-ins" ...
LAST_SPAN_DAYS = 14  # ... within the last 14 calendar days
RECENT_DAYS = analytics.RECENT_DAYS  # "the last 7 days": today-6 .. today

HIGH_EXHAUSTION = analytics.HIGH_EXHAUSTION  # 8
HIGH_EXHAUSTION_MIN = analytics.HIGH_EXHAUSTION_MIN  # 5 of the last 7 check-ins

AFTER_HOURS_MIN_DAYS = 3  # of the last 7 check-ins with any after-hours minutes

CONTACT_SD_FLOOR = 1.0  # contacts per check-in
MIN_RECENT_CONTACT_CHECKINS = 3

SUPERVISION_DAYS = 28
MIN_SUPERVISION_WINDOW_CHECKINS = 8  # fewer check-ins: absence of a tick says little

NO_BREAK_MIN_DAYS = 4  # of the last 7 check-ins without a real break

LOW_RECOVERY = 3.0  # mean recovery over the last 7 days at or below this
MIN_RECOVERY_CHECKINS = 3

HIGH_INTRUSION = 7
INTRUSION_MIN_DAYS = 2  # such check-ins in the last 7 days

QUESTIONNAIRE_DAYS = 35  # a ProQOL or CBI result counts for this many days
SINGLE_ITEM_DAYS = 14  # a single-item answer counts for this many days
SINGLE_ITEM_HIGHEST = 5

URGENT_EXHAUSTION = 9  # exhaustion at or above ...
URGENT_RECOVERY = 2  # ... with recovery at or below ...
URGENT_RUN = 3  # ... on this many consecutive check-ins,
URGENT_RUN_END_DAYS = 7  # the last of them within the last 7 days,
URGENT_RUN_SPAN_DAYS = 14  # all of them within the last 14 days.

GAP_WORKDAYS = 3  # weekdays without a check-in after a heavy day
GAP_HEAVY_EXHAUSTION = 7
GAP_HEAVY_TIME_PRESSURE = 8
GAP_RECENT_DAYS = 14  # the gap ended (or the last check-in was) within this many days
GAP_WORKLOAD_DAYS = 56  # "heavier" workload: against the person's own last 8 weeks
GAP_WORKLOAD_MIN_CHECKINS = 10

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
) -> Context:
    """A :class:`Context` from a history like :func:`fatigue.checkins.load_history`'s."""
    today = _as_date(today)
    frame = _prepare(history, today)
    summary = analytics.personal_summary(frame, today, caseload_standard)
    if questionnaires is None:
        questionnaires = pd.DataFrame(
            columns=["response_id", "instrument_id", "taken_on", "scale", "label", "score",
                     "band", "band_label", "scored", "answered", "reason"]
        )
    return Context(today, frame, summary, questionnaires, float(caseload_standard))


# ----------------------------------------------------------------- helpers
def _fmt_day(day: dt.date) -> str:
    return f"{day:%a} {day.day} {day:%b}"


def _num(value: float) -> str:
    text = f"{value:.1f}"
    return "0.0" if text == "-0.0" else text


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
    return frame[(frame["day"] >= start) & (frame["day"] <= end)]


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
    """Any early-warning signal (EWMA outside the usual range) on any rating."""
    signals = ctx.summary.warnings.signals
    if not signals:
        return None
    names = [_lower(s.rating) for s in signals]
    ratings = names[0] if len(names) == 1 else ", ".join(names[:-1]) + " and " + names[-1]
    top = max(signals, key=lambda s: abs(s.difference_sd))
    run_mean = getattr(top, "run_mean", math.nan)
    if math.isnan(run_mean):  # the run's mean; the 7-day mean as a fallback
        run_mean = top.recent_mean
    run = top.checkins_outside
    return {
        "ratings": ratings,
        "rating": _lower(top.rating),
        "run_mean": _num(run_mean),
        "run_n": f"{run} check-in{'' if run == 1 else 's'}",
        "level": f"{'was' if run == 1 else 'averaged'} {_num(run_mean)}",
        "recent_mean": _num(top.recent_mean),
        "recent_n": top.recent_n,
        "usual_mean": _num(top.baseline_mean),
        "since": _fmt_day(top.since),
    }


@rule("compassion_fatigue")
def compassion_fatigue(ctx: Context) -> dict[str, Any] | None:
    """The compassion-fatigue pattern of the analytics (5 of the last 7 check-ins)."""
    cf = ctx.summary.compassion_fatigue
    if not cf.present:
        return None
    return {"count": cf.count, "considered": cf.considered}


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

    The mean per check-in over the last 7 days (at least 3 check-ins) is above
    the mean over the analytics baseline window (today-34 .. today-7, at least
    10 check-ins) plus its SD, the SD floored at 1 contact.
    """
    recent = _window(ctx, RECENT_DAYS)
    base = _window(ctx, analytics.BASELINE_DAYS, end_offset=RECENT_DAYS)
    if len(recent) < MIN_RECENT_CONTACT_CHECKINS or len(base) < analytics.MIN_BASELINE_CHECKINS:
        return None
    best: tuple[float, dict[str, Any]] | None = None
    for column, words in (
        ("crisis_contacts", "crisis or high-intensity contacts"),
        ("trauma_contacts", "contacts involving traumatic material"),
    ):
        usual = _col(base, column).dropna()
        now = _col(recent, column).dropna()
        if len(usual) < analytics.MIN_BASELINE_CHECKINS or len(now) < MIN_RECENT_CONTACT_CHECKINS:
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
    rising over the last 14 days (Theil-Sen trend of the analytics)."""
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
        "(for example about 17 ongoing families per worker), and the NASW Standards for "
        "Social Work Case Management (2013) include workload sustainability.\n"
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
    """Mean recovery over the last 7 days of 3.0 or less (3+ check-ins)."""
    values = _col(_window(ctx, RECENT_DAYS), "recovery").dropna()
    if len(values) < MIN_RECOVERY_CHECKINS or float(values.mean()) > LOW_RECOVERY:
        return None
    return {"recovery_mean": _num(values.mean()), "n": len(values)}


@rule("intrusion_after_trauma")
def intrusion_after_trauma(ctx: Context) -> dict[str, Any] | None:
    """Intrusion 7+ on 2 or more check-ins in the last 7 days, each on a day with
    trauma contacts or the day after one (the previous calendar day's check-in)."""
    frame = ctx.history
    trauma_by_day = dict(zip(frame["day"], _col(frame, "trauma_contacts").fillna(0)))
    recent = _window(ctx, RECENT_DAYS)
    high_days = 0
    exposures: set[pd.Timestamp] = set()
    for day, intrusion in zip(recent["day"], _col(recent, "intrusion")):
        if not intrusion >= HIGH_INTRUSION:
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
        "threshold": HIGH_INTRUSION,
        "trauma_contacts": int(sum(trauma_by_day[d] for d in exposures)),
    }


@rule("meaning_falling")
def meaning_falling(ctx: Context) -> dict[str, Any] | None:
    """Meaning falling over the last 14 days (Theil-Sen trend)."""
    return _trend_figures(ctx, "meaning", "falling")


@rule("time_pressure_rising")
def time_pressure_rising(ctx: Context) -> dict[str, Any] | None:
    """Time pressure rising over the last 14 days (Theil-Sen trend)."""
    return _trend_figures(ctx, "time_pressure", "rising")


@rule("detachment_rising")
def detachment_rising(ctx: Context) -> dict[str, Any] | None:
    """Detachment rising over the last 14 days (Theil-Sen trend)."""
    return _trend_figures(ctx, "detachment", "rising")


@rule("long_drift")
def long_drift(ctx: Context) -> dict[str, Any] | None:
    """A long-term drift signal of the analytics (the last 4 weeks against the months
    before them, in the harder direction); the largest one is described."""
    drift = getattr(ctx.summary, "drift", None)
    if drift is None or not drift.signals:
        return None
    top = max(drift.signals, key=lambda d: abs(d.difference_sd))
    span = "months" if (top.reference_last - top.reference_first).days >= 56 else "weeks"
    return {
        "rating": _lower(top.rating),
        "recent_mean": _num(top.recent_mean),
        "long_mean": _num(top.reference_mean),
        "long_n": top.reference_n,
        "side": "above" if top.direction == "higher" else "below",
        "span": span,
    }


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
                      f"{_fmt_day(cbi['taken_on'])} was {_num(cbi['score'])}, at or above the "
                      "high-burnout cut-point of 50."))
    single = _latest_single_item(ctx)
    # 3 or 4; the highest option (5) brings the urgent-support panel instead
    if single is not None and 3 <= single["score"] < SINGLE_ITEM_HIGHEST:
        found.append((single["taken_on"],
                      f"In your single-item burnout answer on {_fmt_day(single['taken_on'])} "
                      f"you chose option {_whole(single['score'])} of 5, which the measure's "
                      "authors read as one or more symptoms of burnout."))
    if not found:
        return None
    day, text = max(found, key=lambda item: item[0])
    return {"result": text, "taken_on": _fmt_day(day)}


def _workdays_between(a: dt.date, b: dt.date) -> int:
    """Weekdays strictly after ``a`` and strictly before ``b``."""
    if b <= a + dt.timedelta(days=1):
        return 0
    return int(np.busday_count(a + dt.timedelta(days=1), b))


def _heavy_workload(ctx: Context, day: pd.Timestamp) -> float | None:
    """The workload index of ``day`` when it is among the person's heavier days: at or
    above their 75th percentile, and above their median, over the 8 weeks up to it
    (10+ check-ins); else None."""
    frame = ctx.history
    window = frame[(frame["day"] > day - pd.Timedelta(days=GAP_WORKLOAD_DAYS)) & (frame["day"] <= day)]
    if len(window) < GAP_WORKLOAD_MIN_CHECKINS:
        return None
    index = workload_index(window, ctx.caseload_standard).dropna()
    if day not in set(window["day"]) or index.empty:
        return None
    value = float(index[window["day"] == day].iloc[-1])
    if value >= float(index.quantile(0.75)) and value > float(index.median()):
        return value
    return None


@rule("checkins_slip")
def checkins_slip(ctx: Context) -> dict[str, Any] | None:
    """3+ workdays without a check-in right after a heavy day: on the check-in before
    the gap, exhaustion 7+, time pressure 8+, or a workload index among the person's
    heavier days (see :func:`_heavy_workload`). The gap is the most recent one and
    ended within the last 14 days, or is still open with the last check-in within
    the last 14 days. Today counts as not yet missed. Never a count of missed days
    over time: no streaks."""
    frame = ctx.history
    if frame.empty:
        return None
    days = [d.date() for d in frame["day"]]
    gaps: list[tuple[int, dt.date, int]] = []  # (index of the check-in before, gap end, workdays)
    for i in range(len(days) - 1):
        gaps.append((i, days[i + 1], _workdays_between(days[i], days[i + 1])))
    gaps.append((len(days) - 1, ctx.today, _workdays_between(days[-1], ctx.today)))
    cutoff = ctx.today - dt.timedelta(days=GAP_RECENT_DAYS - 1)
    for index, end, workdays in reversed(gaps):
        if end < cutoff or (end == ctx.today and days[index] < cutoff):
            break
        if workdays < GAP_WORKDAYS:
            continue
        row = frame.iloc[index]
        exhaustion, pressure = float(row["exhaustion"]), float(row["time_pressure"])
        heavy: list[str] = []
        if exhaustion >= GAP_HEAVY_EXHAUSTION:
            heavy.append(f"exhaustion {_whole(exhaustion)}")
        if pressure >= GAP_HEAVY_TIME_PRESSURE:
            heavy.append(f"time pressure {_whole(pressure)}")
        load = _heavy_workload(ctx, row["day"])
        if load is not None:
            heavy.append(f"a workload index of {_num(load)}, one of your heavier days")
        if not heavy:
            return None  # the most recent gap followed a lighter day
        return {
            "heavy_day": _fmt_day(days[index]),
            "heavy_what": ", ".join(heavy),
            "exhaustion": _whole(exhaustion),
            "time_pressure": _whole(pressure),
            "gap_days": workdays,
        }
    return None


# ----------------------------------------------------------------- building suggestions
def _build(item: Entry, figures: dict[str, Any], support_text: str) -> Suggestion:
    extra: dict[str, Any] = {}
    if item.category == URGENT:
        configured = bool(support_text.strip())
        extra = {
            "support_configured": configured,
            "support_text": support_text.strip() if configured else NO_SUPPORT_TEXT,
        }
    if item.rule == "caseload_above_standard":
        extra["request"] = caseload_request(figures)
    return Suggestion(
        id=item.id,
        category=item.category,
        category_label=CATEGORIES[item.category],
        title=item.title,
        steps=item.steps,
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


def _context_from_db(db: Database, user_id: int, today: dt.date) -> Context:
    from fatigue import accounts, checkins, questionnaires

    return make_context(
        checkins.load_history(db, user_id, end=today),
        today,
        questionnaires=questionnaires.history(db, user_id),
        caseload_standard=accounts.caseload_standard(db, user_id),
    )


def evaluate(db: Database, user_id: int, today: dt.date) -> list[Suggestion]:
    """The suggestions to show ``user_id`` on ``today``: urgent first, then catalogue order.

    Hidden: suggestions marked "Not now" or "Done" within their cooldown, those
    with an open plan ("I'll do this"), and those whose rule the person muted
    ("Not relevant to me"). The urgent-support item is never hidden.
    """
    from fatigue import actions, settings

    found = triggered_in(_context_from_db(db, user_id, today), settings.support_resources(db))
    hidden = actions.hidden(db, user_id, today)
    return [s for s in found if s.urgent or s.id not in hidden]


def urgent(db: Database, user_id: int, today: dt.date) -> Suggestion | None:
    """The urgent-support item when it applies (for a prominent panel), else None."""
    return next((s for s in evaluate(db, user_id, today) if s.urgent), None)
