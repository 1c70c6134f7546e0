"""A one-page supervision summary the person generates for their own meeting.

:func:`build` gathers the last 4 weeks (``today - 27`` .. ``today``) against
the 4 weeks before them: ratings, workload, questionnaire results, actions
planned and done, and the talking points the person typed. Only the sections
in ``include`` are gathered, and check-in notes only with
``include_notes=True``; what is not ticked is not even read into the summary.

:func:`to_markdown` and :func:`to_html` render it. Every piece of text typed
by a person (talking points, notes, display name) is escaped: ``html.escape``
in HTML, markdown syntax backslash-escaped in Markdown, so links, HTML and
emphasis show literally. The HTML page is self-contained and printable: inline
CSS, an inline SVG chart drawn here, no JavaScript, no external resources.
Nothing is stored or sent: the page offers the text for download, that is all.
"""
from __future__ import annotations

import datetime as dt
import html
import re
from dataclasses import dataclass, field
from typing import Iterable

import pandas as pd
from sqlite_utils import Database

from fatigue import accounts, actions, checkins, instruments, questionnaires
from fatigue.analytics import DISCLAIMER, HIGHER_IS_HARDER
from fatigue.errors import ValidationError
from fatigue.validation import LABELS, RATINGS
from fatigue.workload import workload_index

SECTIONS: tuple[str, ...] = ("ratings", "workload", "questionnaires", "actions", "talking_points")
SECTION_LABELS: dict[str, str] = {
    "ratings": "Ratings (last 4 weeks)",
    "workload": "Workload (last 4 weeks)",
    "questionnaires": "Questionnaire results",
    "actions": "Actions planned and done",
    "talking_points": "My talking points",
}
PERIOD_DAYS = 28
MAX_TALKING_POINTS = 4000
CHART_RATINGS: tuple[str, ...] = ("exhaustion", "intrusion", "recovery", "meaning")
CHART_COLOURS: dict[str, str] = {
    "exhaustion": "#b2432f",
    "intrusion": "#7b4fa0",
    "recovery": "#2f7f5f",
    "meaning": "#2f5f9f",
}
FILENAME_HTML = "supervision-summary.html"
FILENAME_MD = "supervision-summary.md"
PRIVACY_LINE = (
    "You made this summary yourself. It has not been stored or shared with anyone; "
    "bring it to supervision, change it, or leave it, as you wish."
)


# ----------------------------------------------------------------- data
@dataclass(frozen=True)
class RatingFigure:
    rating: str
    label: str
    mean: float | None  # last 4 weeks
    n: int
    previous_mean: float | None  # the 4 weeks before
    previous_n: int
    change: str  # "higher", "lower", "about the same", "" (no comparison)


@dataclass(frozen=True)
class WeekRow:
    start: dt.date
    end: dt.date
    checkins: int
    means: dict[str, float | None]  # rating -> mean
    workload_index: float | None


@dataclass(frozen=True)
class WorkloadFigures:
    checkins: int
    previous_checkins: int
    workload_index_mean: float | None
    previous_workload_index_mean: float | None
    caseload_latest: int | None
    caseload_standard: int
    # (total, check-ins that answered it): a value not answered is left out, never 0
    crisis_contacts: tuple[int, int]
    trauma_contacts: tuple[int, int]
    after_hours_minutes: int
    after_hours_days: int
    after_hours_answered: int
    supervision_days: tuple[int, int]
    break_days: tuple[int, int]


@dataclass(frozen=True)
class QuestionnaireResult:
    instrument_id: str
    instrument: str  # short name
    taken_on: dt.date
    scale: str  # subscale label
    score: float | None
    band_label: str | None
    reason: str  # why not scored, else ""


@dataclass(frozen=True)
class ActionItem:
    title: str
    status: str  # planned or done
    status_label: str
    acted_on: dt.date
    planned_for: dt.date | None


@dataclass(frozen=True)
class Note:
    day: dt.date
    text: str


@dataclass(frozen=True)
class SupervisionSummary:
    """Everything one summary shows; sections not included are None."""

    name: str
    today: dt.date
    start: dt.date  # today - 27
    previous_start: dt.date  # today - 55
    previous_end: dt.date  # today - 28
    include: tuple[str, ...]
    include_notes: bool
    checkins: int  # in the last 4 weeks
    ratings: tuple[RatingFigure, ...] | None = None
    weeks: tuple[WeekRow, ...] | None = None
    chart: tuple[tuple[dt.date, dict[str, float]], ...] | None = None  # daily chart ratings
    workload: WorkloadFigures | None = None
    questionnaires: tuple[QuestionnaireResult, ...] | None = None
    attributions: tuple[str, ...] = ()
    actions: tuple[ActionItem, ...] | None = None
    talking_points: str | None = None
    notes: tuple[Note, ...] | None = None
    locked_notes: int = 0  # notes of the period sealed with a key not open here
    disclaimer: str = DISCLAIMER
    privacy: str = PRIVACY_LINE
    extra: dict[str, str] = field(default_factory=dict)


# ----------------------------------------------------------------- building
def _clean_text(text: str | None) -> str:
    if text is None:
        return ""
    if not isinstance(text, str):
        raise ValidationError({"talking_points": "Talking points must be text."})
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    text = "".join(ch for ch in text if ch in "\n\t" or ord(ch) >= 32)
    text = text.strip()
    if len(text) > MAX_TALKING_POINTS:
        raise ValidationError(
            {"talking_points": f"Talking points can be at most {MAX_TALKING_POINTS:,} characters "
                               f"(these are {len(text):,})."}
        )
    return text


def _check_include(include: Iterable[str] | None) -> tuple[str, ...]:
    if include is None:
        return SECTIONS
    if isinstance(include, str):
        include = [include]
    chosen = list(include)
    unknown = [s for s in chosen if s not in SECTIONS]
    if unknown:
        raise ValidationError(
            {"include": f"Unknown section(s): {', '.join(map(str, unknown))}. "
                        f"Choose from: {', '.join(SECTIONS)}."}
        )
    return tuple(s for s in SECTIONS if s in chosen)


def _mean(values: pd.Series) -> float | None:
    values = pd.to_numeric(values, errors="coerce").dropna()
    return float(values.mean()) if len(values) else None


def _answered(values: pd.Series) -> tuple[int, int]:
    """(the total, how many check-ins answered it) of a count or yes/no column."""
    given = pd.to_numeric(values.dropna()).astype(float)
    return int(given.sum()), len(given)


def _between(frame: pd.DataFrame, start: dt.date, end: dt.date) -> pd.DataFrame:
    return frame[(frame["day"] >= pd.Timestamp(start)) & (frame["day"] <= pd.Timestamp(end))]


def _change(rating: str, now: float | None, before: float | None) -> str:
    if now is None or before is None:
        return ""
    if f"{now:.1f}" == f"{before:.1f}":
        return "about the same"
    return "higher" if now > before else "lower"


def build(
    db: Database,
    user_id: int,
    today: dt.date,
    talking_points: str = "",
    include_notes: bool = False,
    include: Iterable[str] | None = None,
    key: bytes | None = None,
) -> SupervisionSummary:
    """The summary of ``user_id`` for the 4 weeks ending ``today``.

    ``include`` chooses sections from :data:`SECTIONS` (default: all); notes
    only with ``include_notes``, read with ``key`` (the person's open note
    key; notes it cannot open are counted in ``locked_notes``, never shown as
    missing). Raises :class:`ValidationError` for an unknown
    section or talking points over 4,000 characters. Reads only; stores nothing.
    """
    chosen = _check_include(include)
    points = _clean_text(talking_points)
    user = accounts.get_user(db, user_id)
    if user is None:
        raise ValidationError({"user_id": f"There is no user with id {user_id}."})
    start = today - dt.timedelta(days=PERIOD_DAYS - 1)
    previous_end = start - dt.timedelta(days=1)
    previous_start = previous_end - dt.timedelta(days=PERIOD_DAYS - 1)
    history = checkins.load_history(db, user_id, previous_start, today, key=key)
    current = _between(history, start, today)
    previous = _between(history, previous_start, previous_end)
    standard = accounts.caseload_standard(db, user_id)
    parts: dict = {}

    if "ratings" in chosen:
        figures = []
        for rating in RATINGS:
            now, before = _mean(current[rating]), _mean(previous[rating])
            figures.append(RatingFigure(
                rating, LABELS[rating], now, int(current[rating].notna().sum()), before,
                int(previous[rating].notna().sum()), _change(rating, now, before),
            ))
        parts["ratings"] = tuple(figures)
        parts["chart"] = tuple(
            (row["day"].date(), {r: float(row[r]) for r in CHART_RATINGS})
            for _, row in current.iterrows()
        )

    if "ratings" in chosen or "workload" in chosen:
        index = workload_index(current, standard) if len(current) else pd.Series(dtype=float)
        weeks = []
        for k in range(4):
            w_start = start + dt.timedelta(days=7 * k)
            w_end = w_start + dt.timedelta(days=6)
            rows = _between(current, w_start, w_end)
            weeks.append(WeekRow(
                w_start, w_end, len(rows),
                {r: _mean(rows[r]) for r in RATINGS} if "ratings" in chosen else {},
                _mean(index.loc[rows.index]) if "workload" in chosen and len(rows) else None,
            ))
        parts["weeks"] = tuple(weeks)

    if "workload" in chosen:
        prev_index = workload_index(previous, standard) if len(previous) else pd.Series(dtype=float)
        caseloads = current["caseload"].dropna()
        minutes = current["after_hours_minutes"].dropna()
        parts["workload"] = WorkloadFigures(
            checkins=len(current),
            previous_checkins=len(previous),
            workload_index_mean=_mean(index),
            previous_workload_index_mean=_mean(prev_index),
            caseload_latest=int(caseloads.iloc[-1]) if len(caseloads) else None,
            caseload_standard=standard,
            crisis_contacts=_answered(current["crisis_contacts"]),
            trauma_contacts=_answered(current["trauma_contacts"]),
            after_hours_minutes=int(minutes.sum()),
            after_hours_days=int((minutes > 0).sum()),
            after_hours_answered=len(minutes),
            supervision_days=_answered(current["supervision"]),
            break_days=_answered(current["break_taken"]),
        )

    if "questionnaires" in chosen:
        q = questionnaires.history(db, user_id)
        q = q[(q["taken_on"] >= pd.Timestamp(start)) & (q["taken_on"] <= pd.Timestamp(today))]
        results, seen = [], []
        for _, row in q.iterrows():
            instrument = instruments.load(row["instrument_id"])
            results.append(QuestionnaireResult(
                row["instrument_id"], instrument.short_name, row["taken_on"].date(),
                row["label"], None if pd.isna(row["score"]) else float(row["score"]),
                row["band_label"], row["reason"] or "",
            ))
            if instrument.attribution not in seen:
                seen.append(instrument.attribution)
        parts["questionnaires"] = tuple(results)
        parts["attributions"] = tuple(" ".join(a.split()) for a in seen)

    if "actions" in chosen:
        frame = actions.history(db, user_id)
        open_ids = {p["action_id"] for p in actions.open_plans(db, user_id)}
        items = []
        for _, row in frame.iloc[::-1].iterrows():  # oldest first
            in_period = start <= row["acted_on"].date() <= today
            keep = (row["status"] == "done" and in_period) or (
                row["status"] == "planned" and (in_period or row["id"] in open_ids)
            )
            if keep:
                items.append(ActionItem(
                    row["title"], row["status"], row["status_label"], row["acted_on"].date(),
                    None if pd.isna(row["planned_for"]) else row["planned_for"].date(),
                ))
        parts["actions"] = tuple(sorted(items, key=lambda a: a.acted_on))  # stable

    if "talking_points" in chosen:
        parts["talking_points"] = points

    if include_notes:
        parts["notes"] = tuple(
            Note(row["day"].date(), str(row["note"]).strip())
            for _, row in current.iterrows()
            if row["note"] is not None and str(row["note"]).strip()
        )
        parts["locked_notes"] = int(current["note"].isna().sum())

    return SupervisionSummary(
        name=user.name, today=today, start=start, previous_start=previous_start,
        previous_end=previous_end, include=chosen, include_notes=bool(include_notes),
        checkins=len(current), **parts,
    )


# ----------------------------------------------------------------- formatting helpers
def locked_sentence(count: int) -> str:
    """What a summary says about notes it could not read."""
    notes = "1 note" if count == 1 else f"{count} notes"
    return (f"{notes} from these 4 weeks {'is' if count == 1 else 'are'} locked and not in this "
            "summary: unlock your notes with your recovery code on My account to include them.")


def _week_header(summary: SupervisionSummary) -> list[str]:
    """Columns of the week-by-week table: the ratings and workload only if included."""
    header = ["Week", "Check-ins"]
    if summary.ratings is not None:
        header += [LABELS[r] for r in CHART_RATINGS]
    if summary.workload is not None:
        header += ["Workload index"]
    return header


def _day(day: dt.date) -> str:
    return f"{day:%a} {day.day} {day:%b} {day.year}"


def _short(day: dt.date) -> str:
    return f"{day.day} {day:%b}"


def _n(value: float | None, digits: int = 1) -> str:
    return "–" if value is None else f"{value:.{digits}f}"


def _score(value: float | None) -> str:
    if value is None:
        return "not scored"
    return f"{value:g}" if float(value).is_integer() else f"{value:.1f}"


def _hours(minutes: int) -> str:
    return f"{minutes / 60:.1f} h"


def _plural(n: int, word: str) -> str:
    return f"{n} {word}{'' if n == 1 else 's'}"


def _count(summary: SupervisionSummary) -> str:
    """ " 12 check-ins in the last 4 weeks." when ratings or workload are included."""
    if summary.ratings is None and summary.workload is None:
        return ""
    return f" {_plural(summary.checkins, 'check-in')} in the last 4 weeks."


def _direction_note(rating: str, change: str) -> str:
    """ "higher" / "lower" plus whether that is the harder side, in plain words."""
    if change in ("", "about the same"):
        return change
    harder = (change == "higher") == HIGHER_IS_HARDER.get(rating, True)
    return f"{change} ({'harder' if harder else 'easier'} side)"


def _action_line(item: ActionItem) -> tuple[str, str]:
    when = f"on {_day(item.acted_on)}"
    if item.status == "planned" and item.planned_for is not None:
        when = f"planned on {_day(item.acted_on)} for {_day(item.planned_for)}"
    elif item.status == "planned":
        when = f"planned on {_day(item.acted_on)}"
    return item.status_label, when


def _workload_rows(w: WorkloadFigures) -> list[tuple[str, str]]:
    return [
        ("Check-ins", f"{w.checkins} (4 weeks before: {w.previous_checkins})"),
        ("Workload index, mean",
         f"{_n(w.workload_index_mean)} (4 weeks before: {_n(w.previous_workload_index_mean)})"),
        ("Active caseload (latest)",
         "–" if w.caseload_latest is None
         else f"{w.caseload_latest} (team standard {w.caseload_standard})"),
        ("Crisis or high-intensity contacts", _of(w.crisis_contacts, w.checkins)),
        ("Contacts involving traumatic material", _of(w.trauma_contacts, w.checkins)),
        ("Work outside scheduled hours",
         f"{_hours(w.after_hours_minutes)} on {_plural(w.after_hours_days, 'day')}"
         + _answered_note(w.after_hours_answered, w.checkins)),
        ("Days with supervision or a debrief", _of(w.supervision_days, w.checkins)),
        ("Days with a real break", f"{w.break_days[0]} of {w.break_days[1]}"
         + _answered_note(w.break_days[1], w.checkins, "answered")),
    ]


def _answered_note(answered: int, checkins: int, word: str = "answered on") -> str:
    """" (answered on 3 of 5 check-ins)" when some check-ins left it unanswered."""
    if answered == checkins:
        return ""
    return f" ({word} {answered} of {_plural(checkins, 'check-in')})"


def _of(figure: tuple[int, int], checkins: int) -> str:
    total, answered = figure
    return f"{total}{_answered_note(answered, checkins)}"


# ----------------------------------------------------------------- markdown
_MD_SPECIAL = re.compile(r"([\\`*_\[\]<>|~$:#&!@])")
_MD_LINE_START = re.compile(r"^([-+=]|\d+[.)])")
_MD_WWW = re.compile(r"(www)\.", re.IGNORECASE)


def escape_markdown(text: str) -> str:
    """``text`` with markdown syntax escaped, line by line, so it renders literally.

    Backslash-escapes the characters that start emphasis, code, links, images,
    HTML, tables, headings, maths, strikethrough and autolinks (``:`` breaks
    ``http://``, ``@`` e-mail links, ``www\\.`` bare web links), and a list or
    heading marker at the start of a line; leading spaces are dropped so no
    line becomes a code block. CommonMark allows a backslash before any ASCII
    punctuation, so the text reads as typed.
    """
    lines = []
    for line in str(text).split("\n"):
        line = line.replace("\t", " ").lstrip(" ")
        line = _MD_SPECIAL.sub(r"\\\1", line)
        line = _MD_WWW.sub(r"\1\\.", line)
        line = _MD_LINE_START.sub(lambda m: m.group(1)[:-1] + "\\" + m.group(1)[-1], line)
        lines.append(line)
    return "  \n".join(lines)  # a hard line break keeps the person's line breaks


def _md_cell(text: str) -> str:
    return escape_markdown(" ".join(str(text).split()))


def _md_table(header: list[str], rows: list[list[str]]) -> list[str]:
    lines = ["| " + " | ".join(header) + " |", "|" + "|".join("---" for _ in header) + "|"]
    lines += ["| " + " | ".join(row) + " |" for row in rows]
    return lines + [""]


def to_markdown(summary: SupervisionSummary) -> str:
    """The summary as Markdown; user-typed text is escaped (see :func:`escape_markdown`)."""
    s = summary
    out = [
        f"# Supervision summary: {escape_markdown(' '.join(s.name.split()))}",
        "",
        f"{_day(s.start)} to {_day(s.today)} (last 4 weeks), compared with "
        f"{_day(s.previous_start)} to {_day(s.previous_end)}.{_count(s)}",
        "",
    ]
    if s.ratings is not None:
        out += [f"## {SECTION_LABELS['ratings']}", "",
                "Daily ratings from 0 to 10, compared with my own previous 4 weeks.", ""]
        out += _md_table(
            ["Rating", "Mean, last 4 weeks", "Mean, 4 weeks before", "Change"],
            [[f.label, f"{_n(f.mean)} (n={f.n})", f"{_n(f.previous_mean)} (n={f.previous_n})",
              _direction_note(f.rating, f.change) or "–"] for f in s.ratings],
        )
    if s.weeks is not None:
        header = _week_header(s)
        rows = []
        for w in s.weeks:
            row = [f"{_short(w.start)} to {_short(w.end)}", str(w.checkins)]
            if s.ratings is not None:
                row += [_n(w.means.get(r)) for r in CHART_RATINGS]
            if s.workload is not None:
                row += [_n(w.workload_index)]
            rows.append(row)
        out += ["### Week by week", ""] + _md_table(header, rows)
    if s.workload is not None:
        out += [f"## {SECTION_LABELS['workload']}", ""]
        out += _md_table(["Figure", "Value"], [[a, b] for a, b in _workload_rows(s.workload)])
    if s.questionnaires is not None:
        out += [f"## {SECTION_LABELS['questionnaires']}", ""]
        if s.questionnaires:
            out += _md_table(
                ["Date", "Questionnaire", "Scale", "Score", "Band"],
                [[_day(q.taken_on), _md_cell(q.instrument), _md_cell(q.scale), _score(q.score),
                  _md_cell(q.band_label or q.reason or "–")] for q in s.questionnaires],
            )
            for attribution in s.attributions:
                out += [f"*{escape_markdown(attribution)}*", ""]
        else:
            out += ["No questionnaires taken in these 4 weeks.", ""]
    if s.actions is not None:
        out += [f"## {SECTION_LABELS['actions']}", ""]
        if s.actions:
            for item in s.actions:
                label, when = _action_line(item)
                out.append(f"- **{escape_markdown(label)}**: {_md_cell(item.title)} ({when})")
            out.append("")
        else:
            out += ["No actions planned or done in these 4 weeks.", ""]
    if s.talking_points is not None:
        out += [f"## {SECTION_LABELS['talking_points']}", ""]
        out += [escape_markdown(s.talking_points) if s.talking_points else "(none typed)", ""]
    if s.notes is not None:
        out += ["## My check-in notes", ""]
        if s.notes:
            for note in s.notes:
                body = escape_markdown(note.text).replace("  \n", "  \n  ")
                out.append(f"- **{_day(note.day)}**: {body}")
            out.append("")
        elif not s.locked_notes:
            out += ["No notes in these 4 weeks.", ""]
        if s.locked_notes:
            out += [locked_sentence(s.locked_notes), ""]
    out += ["---", "", escape_markdown(s.disclaimer), "", escape_markdown(s.privacy), ""]
    return "\n".join(out)


# ----------------------------------------------------------------- html
def _e(text: object) -> str:
    return html.escape(str(text), quote=True)


_CSS = """
body { font-family: -apple-system, "Segoe UI", Roboto, Helvetica, Arial, sans-serif;
       color: #222; max-width: 46rem; margin: 1.5rem auto; padding: 0 1rem; line-height: 1.4; }
h1 { font-size: 1.5rem; margin-bottom: .2rem; }
h2 { font-size: 1.15rem; margin-top: 1.4rem; border-bottom: 1px solid #ccc; padding-bottom: .15rem; }
h3 { font-size: 1rem; margin-top: 1rem; }
p.meta { color: #555; margin-top: 0; }
table { border-collapse: collapse; width: 100%; margin: .4rem 0 .8rem; font-size: .92rem; }
th, td { border: 1px solid #ccc; padding: .25rem .45rem; text-align: left; vertical-align: top; }
th { background: #f3f3f3; }
td.num { text-align: right; white-space: nowrap; }
.bar { background: #8aa6c8; height: .8rem; display: inline-block; vertical-align: middle; }
.typed { white-space: pre-wrap; overflow-wrap: anywhere; border-left: 3px solid #8aa6c8;
         padding: .3rem .6rem; background: #f7f9fc; }
.small { font-size: .85rem; color: #555; }
.legend span { display: inline-block; margin-right: 1rem; }
.legend i { display: inline-block; width: .9rem; height: .25rem; margin-right: .3rem;
            vertical-align: middle; }
svg { max-width: 100%; height: auto; }
@media print { body { margin: 0; max-width: none; } h2 { break-after: avoid; }
               table, svg, .typed { break-inside: avoid; } }
@page { margin: 1.5cm; }
"""


def _svg_chart(summary: SupervisionSummary) -> str:
    """An inline SVG line chart of the daily ratings over the 4 weeks (no script)."""
    width, height, left, right, top, bottom = 640, 210, 34, 10, 10, 28
    plot_w, plot_h = width - left - right, height - top - bottom
    days = PERIOD_DAYS - 1

    def x(day: dt.date) -> float:
        return left + plot_w * (day - summary.start).days / days

    def y(value: float) -> float:
        return top + plot_h * (1 - value / 10)

    parts = [
        f'<svg width="{width}" height="{height}" '
        f'viewBox="0 0 {width} {height}" role="img" aria-label="Daily ratings, last 4 weeks">',
        "<title>Daily ratings, last 4 weeks</title>",
    ]
    for value in (0, 5, 10):
        parts.append(
            f'<line x1="{left}" y1="{y(value):.1f}" x2="{width - right}" y2="{y(value):.1f}" '
            'stroke="#ddd" stroke-width="1"/>'
        )
        parts.append(
            f'<text x="{left - 6}" y="{y(value) + 4:.1f}" font-size="11" text-anchor="end" '
            f'fill="#555">{value}</text>'
        )
    for k in range(5):
        day = summary.start + dt.timedelta(days=7 * k if k < 4 else days)
        anchor = "end" if k == 4 else "middle"
        parts.append(
            f'<text x="{x(day):.1f}" y="{height - 8}" font-size="11" text-anchor="{anchor}" '
            f'fill="#555">{_e(_short(day))}</text>'
        )
    for rating in CHART_RATINGS:
        colour = CHART_COLOURS[rating]
        points = [(x(day), y(values[rating])) for day, values in summary.chart or ()
                  if rating in values and values[rating] == values[rating]]
        if len(points) > 1:
            coords = " ".join(f"{px:.1f},{py:.1f}" for px, py in points)
            parts.append(
                f'<polyline points="{coords}" fill="none" stroke="{colour}" stroke-width="2"/>'
            )
        for px, py in points:
            parts.append(f'<circle cx="{px:.1f}" cy="{py:.1f}" r="2.5" fill="{colour}"/>')
    parts.append("</svg>")
    legend = "".join(
        f'<span><i style="background:{CHART_COLOURS[r]}"></i>{_e(LABELS[r])}</span>'
        for r in CHART_RATINGS
    )
    return "\n".join(parts) + f'\n<div class="legend small">{legend}</div>'


def _html_table(header: list[str], rows: list[list[str]], numeric: Iterable[int] = ()) -> str:
    numeric = set(numeric)
    head = "".join(f"<th>{_e(h)}</th>" for h in header)
    body = "".join(
        "<tr>" + "".join(
            f'<td class="num">{cell}</td>' if i in numeric else f"<td>{cell}</td>"
            for i, cell in enumerate(row)
        ) + "</tr>"
        for row in rows
    )
    return f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"


def to_html(summary: SupervisionSummary) -> str:
    """A self-contained, printable HTML page; every dynamic text is ``html.escape``-d."""
    s = summary
    body: list[str] = [
        f"<h1>Supervision summary: {_e(' '.join(s.name.split()))}</h1>",
        f'<p class="meta">{_e(_day(s.start))} to {_e(_day(s.today))} (last 4 weeks), compared '
        f"with {_e(_day(s.previous_start))} to {_e(_day(s.previous_end))}.{_e(_count(s))}</p>",
    ]
    if s.ratings is not None:
        body.append(f"<h2>{_e(SECTION_LABELS['ratings'])}</h2>")
        body.append('<p class="small">Daily ratings from 0 to 10, compared with my own '
                    "previous 4 weeks.</p>")
        body.append(_html_table(
            ["Rating", "Mean, last 4 weeks", "Mean, 4 weeks before", "Change"],
            [[_e(f.label), _e(f"{_n(f.mean)} (n={f.n})"),
              _e(f"{_n(f.previous_mean)} (n={f.previous_n})"),
              _e(_direction_note(f.rating, f.change) or "–")] for f in s.ratings],
            numeric=(1, 2),
        ))
        body.append(_svg_chart(s))
    if s.weeks is not None:
        header = _week_header(s)
        top = max((w.workload_index or 0.0) for w in s.weeks) or 1.0
        rows = []
        for w in s.weeks:
            row = [_e(f"{_short(w.start)} to {_short(w.end)}"), _e(w.checkins)]
            if s.ratings is not None:
                row += [_e(_n(w.means.get(r))) for r in CHART_RATINGS]
            if s.workload is not None:
                share = 0 if w.workload_index is None else round(100 * w.workload_index / top)
                row += [f'<span class="bar" style="width:{share * 0.6:.0f}%"></span> '
                        f"{_e(_n(w.workload_index))}"]
            rows.append(row)
        body.append("<h3>Week by week</h3>")
        body.append(_html_table(header, rows, numeric=range(1, len(header) - 1)))
    if s.workload is not None:
        body.append(f"<h2>{_e(SECTION_LABELS['workload'])}</h2>")
        body.append(_html_table(
            ["Figure", "Value"], [[_e(a), _e(b)] for a, b in _workload_rows(s.workload)],
        ))
    if s.questionnaires is not None:
        body.append(f"<h2>{_e(SECTION_LABELS['questionnaires'])}</h2>")
        if s.questionnaires:
            body.append(_html_table(
                ["Date", "Questionnaire", "Scale", "Score", "Band"],
                [[_e(_day(q.taken_on)), _e(q.instrument), _e(q.scale), _e(_score(q.score)),
                  _e(q.band_label or q.reason or "–")] for q in s.questionnaires],
                numeric=(3,),
            ))
            body += [f'<p class="small">{_e(a)}</p>' for a in s.attributions]
        else:
            body.append("<p>No questionnaires taken in these 4 weeks.</p>")
    if s.actions is not None:
        body.append(f"<h2>{_e(SECTION_LABELS['actions'])}</h2>")
        if s.actions:
            items = []
            for item in s.actions:
                label, when = _action_line(item)
                items.append(f"<li><strong>{_e(label)}</strong>: {_e(item.title)} ({_e(when)})</li>")
            body.append("<ul>" + "".join(items) + "</ul>")
        else:
            body.append("<p>No actions planned or done in these 4 weeks.</p>")
    if s.talking_points is not None:
        body.append(f"<h2>{_e(SECTION_LABELS['talking_points'])}</h2>")
        body.append(f'<div class="typed">{_e(s.talking_points)}</div>' if s.talking_points
                    else "<p>(none typed)</p>")
    if s.notes is not None:
        body.append("<h2>My check-in notes</h2>")
        if s.notes:
            body.append("<ul>" + "".join(
                f'<li><strong>{_e(_day(n.day))}</strong>: <span class="typed">{_e(n.text)}</span></li>'
                for n in s.notes
            ) + "</ul>")
        elif not s.locked_notes:
            body.append("<p>No notes in these 4 weeks.</p>")
        if s.locked_notes:
            body.append(f"<p>{_e(locked_sentence(s.locked_notes))}</p>")
    body.append("<hr>")
    body.append(f'<p class="small">{_e(s.disclaimer)}</p>')
    body.append(f'<p class="small">{_e(s.privacy)}</p>')
    return (
        "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
        '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        f"<title>Supervision summary, {_e(_day(s.today))}</title>\n"
        f"<style>{_CSS}</style>\n</head>\n<body>\n" + "\n".join(body) + "\n</body>\n</html>\n"
    )
