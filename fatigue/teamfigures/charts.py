"""Released report rows shaped for charts, and each chart's words.

Everything a chart receives reaches the browser whole, so these frames are
made from the shown (or hidden, blank) rows of a report only: group names,
measures, released figures and reasons, nothing about a person. Each chart
also gets a text alternative (:func:`trend_text`, :func:`heatmap_text`) that
says in words what it draws.
"""
from __future__ import annotations

import html
import math

import pandas as pd

from fatigue.errors import ValidationError
from fatigue.teamfigures import rules
from fatigue.teamfigures.changes import HIGHER_IS_WORSE
from fatigue.teamfigures.display import figure_text
from fatigue.teamfigures.measures import NUMERIC, SHARES
from fatigue.validation import LABELS

CHART_LABELS: dict[str, str] = {
    **LABELS,
    "high_strain_share_pct": "In high strain",
    "supervision_share_pct": "Had supervision or a debrief",
    "after_hours_share_pct": "Regular after-hours work",
    "caseload_vs_standard_pct": "Caseload vs standard",
    "crisis_contacts_per_day": "Crisis contacts",
    "trauma_contacts_per_day": "Trauma-exposed contacts",
    "contacts_per_day": "All contacts",
    "after_hours_minutes_per_day": "After-hours minutes",
}
# The organisation heatmap: column -> (short name for a phone's width, the
# range its colour spans). The full name is in the tooltip and the table.
HEATMAP: dict[str, tuple[str, tuple[float, float]]] = {
    "exhaustion": ("Exhaustion", (0.0, 10.0)),
    "empathy": ("Empathy", (0.0, 10.0)),
    "intrusion": ("Intrusion", (0.0, 10.0)),
    "high_strain_share_pct": ("High strain", (0.0, 100.0)),
    "caseload_vs_standard_pct": ("Caseload", (50.0, 150.0)),
    "supervision_share_pct": ("Supervision", (0.0, 100.0)),
    "after_hours_share_pct": ("After hours", (0.0, 100.0)),
}
HEATMAP_COLUMNS = ["group", "measure", "text", "strain"]
# The heatmap's colours, light (easiest for people) to amber (hardest): its dark text
# (#191817) stays above 4.5:1 on both ends (WCAG AA).
HEAT = ("#ede6d8", "#a67a3a")
HIDDEN_CELL = "hidden"  # said in the cell, never left to colour alone
HIDDEN_STYLE = ("background-color: #ffffff; color: #4a4640; font-style: italic; "
                "border: 1px dashed #b9b4aa")
_SHORT_SHARES = {"at most": "≤", "about": "≈", "at least": "≥"}


def long_for_chart(report: pd.DataFrame, columns: list[str]) -> pd.DataFrame:
    """Tidy rows (period_start, label, measure, value, pm95) of the shown rows
    only, for a chart: already released and suppressed, nothing else."""
    out = []
    shown = report[report["shown"]]
    for column in columns:
        if column not in NUMERIC and column not in SHARES:
            raise ValidationError({"columns": f"'{column}' is not a chartable report column."})
        pm = f"{column}_pm95"
        out.append(pd.DataFrame({
            "period_start": shown["period_start"],
            "label": shown["label"],
            "measure": CHART_LABELS.get(column, column.replace("_", " ").capitalize()),
            "value": shown[column],
            "pm95": shown[pm] if pm in shown else math.nan,
        }))
    if not out:
        return pd.DataFrame(columns=["period_start", "label", "measure", "value", "pm95"])
    return pd.concat(out, ignore_index=True)


def _short(text: str) -> str:
    """A share's words in a cell's width: ``about 40%`` -> ``≈40%``."""
    for words, sign in _SHORT_SHARES.items():
        if text.startswith(words + " "):
            return sign + text[len(words) + 1:]
    return text


def heatmap_frame(rows: pd.DataFrame) -> pd.DataFrame:
    """One period of the organisation report (a row per group) as heatmap cells, in the
    rows' order. Columns :data:`HEATMAP_COLUMNS`: ``group`` (team name, "Smaller teams
    combined", "Agency total"), ``measure`` (short name), ``text`` (the figure in the cell,
    short; empty when hidden) and ``strain`` (0 to 1, how hard for people within the
    measure's range; missing when hidden).
    """
    cells = []
    for _, row in rows.iterrows():
        name = row["team"]
        if row.get("group") == "team" and name in rules.GROUP_NAMES:  # named so before it was refused
            name = f"{name} (a team)"
        for column, (short, (low, high)) in HEATMAP.items():
            shown_as = figure_text(row, column) if row["shown"] else ""
            strain = math.nan
            if shown_as:
                position = min(max((float(row[column]) - low) / (high - low), 0.0), 1.0)
                strain = position if HIGHER_IS_WORSE[column] else 1.0 - position
            cells.append({"group": name, "measure": short,
                          "text": _short(shown_as.split(" ± ")[0]), "strain": strain})
    return pd.DataFrame(cells, columns=HEATMAP_COLUMNS)


def heat_colour(strain: float) -> str:
    """The colour of a cell whose ``strain`` is 0 to 1: :data:`HEAT`'s light end to its
    dark end in equal steps of red, green and blue."""
    low, high = (tuple(int(colour[i:i + 2], 16) for i in (1, 3, 5)) for colour in HEAT)
    return "#" + "".join(f"{round(a + (b - a) * strain):02x}" for a, b in zip(low, high))


def heatmap_grid(cells: pd.DataFrame) -> tuple[pd.DataFrame, pd.DataFrame]:
    """:func:`heatmap_frame`'s cells as a table: a row per group (in their order), a column
    per figure (short name). Returns the words in each cell (the figure, or
    :data:`HIDDEN_CELL`) and each cell's style (its :func:`heat_colour`, or
    :data:`HIDDEN_STYLE`)."""
    grid = cells.assign(
        text=cells["text"].where(cells["text"] != "", HIDDEN_CELL),
        style=[HIDDEN_STYLE if math.isnan(strain) else
               f"background-color: {heat_colour(strain)}; color: #191817"
               for strain in cells["strain"]],
    ).pivot(index="group", columns="measure", values=["text", "style"])
    groups, measures = list(dict.fromkeys(cells["group"])), [s for s, _ in HEATMAP.values()]
    words, styles = (grid[part].reindex(index=groups, columns=measures)
                     .rename_axis(index=None, columns=None) for part in ("text", "style"))
    return words, styles


def heatmap_html(cells: pd.DataFrame, caption: str) -> str:
    """:func:`heatmap_grid` as an HTML table: ``caption`` (the words for screen readers),
    a header row of the figures' short names, then a row per group, its name first and each
    cell's words in the cell's colour. Every text is escaped (team names are typed by people)."""
    words, styles = heatmap_grid(cells)
    head = "".join(f'<th scope="col">{html.escape(name)}</th>' for name in words.columns)
    rows = "".join(
        f'<tr><th scope="row">{html.escape(group)}</th>'
        + "".join(f'<td style="{html.escape(styles.at[group, name])}">'
                  f"{html.escape(words.at[group, name])}</td>" for name in words.columns)
        + "</tr>"
        for group in words.index)
    return (f'<table class="heatmap"><caption>{html.escape(caption)}</caption>'
            f'<thead><tr><th scope="col">Group</th>{head}</tr></thead><tbody>{rows}</tbody></table>')


def hardest_teams(rows: pd.DataFrame, column: str, count: int) -> pd.DataFrame:
    """One period of the organisation report cut to the ``count`` teams shown where
    ``column`` is hardest for people (highest, or lowest where higher is better; ties
    by name), then its other groups (the smaller teams combined, the agency), for a
    heatmap that stays readable. Only rows of the report, so only released figures."""
    if column not in HEATMAP:
        raise ValidationError({"column": f"'{column}' is not in the organisation heatmap."})
    teams = rows[(rows["group"] == "team") & rows["shown"] & rows[column].notna()]
    teams = teams.sort_values(["team"]).sort_values(
        column, ascending=not HIGHER_IS_WORSE[column], kind="stable").head(count)
    return pd.concat([teams, rows[rows["group"] != "team"]])


def trend_text(tidy: pd.DataFrame, title: str) -> str:
    """A trend chart in words: per measure its first and latest shown figure
    and its range (``tidy`` from :func:`long_for_chart`)."""
    if tidy.empty:
        return f"{title}: no period can be shown yet."
    parts = []
    for measure, group in tidy.groupby("measure", sort=False):
        group = group.dropna(subset=["value"]).sort_values("period_start")
        if group.empty:
            continue
        first, last = group.iloc[0], group.iloc[-1]
        parts.append(
            f"{measure} {last['value']:g} in {last['label']}"
            + ("" if len(group) == 1 else
               f", from {first['value']:g} in {first['label']}; lowest {group['value'].min():g},"
               f" highest {group['value'].max():g}"))
    periods = tidy["label"].nunique()
    return f"{title}, {periods} period{'s' if periods != 1 else ''}: " + "; ".join(parts) + "."


def heatmap_text(cells: pd.DataFrame, period: str) -> str:
    """The heatmap in words: what it covers, and which groups have hidden cells."""
    groups = list(dict.fromkeys(cells["group"]))
    blank = list(dict.fromkeys(cells.loc[cells["text"] == "", "group"]))
    return (f"Heatmap of {period}: {len(groups)} groups ({', '.join(groups)}) by "
            f"{cells['measure'].nunique()} figures; darker cells are harder for people. "
            + (f"Groups with hidden cells: {', '.join(blank)}. " if blank else "")
            + "The table below gives every figure and each reason.")
