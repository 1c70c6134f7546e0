"""Anonymized team aggregates for team leads and admins (see PRIVACY.md).

Nothing a lead or an admin sees is about one person. The rules are enforced
here, not in the pages:

1. **Fixed partitions.** A cell is a home team x an ISO week (Monday to
   Sunday), or a home team x a 4-week period: fixed blocks of 28 days counted
   from Monday 2024-01-01 (:data:`EPOCH`), so periods never shift. A person
   counts only in their home team; there are no filters, no subsets chosen by
   the viewer and no per-person rows.
2. **One contribution per person per cell.** Each person's check-ins in the
   period are averaged first (in SQLite, ``GROUP BY user, period``); the cell
   is then the mean over people.
3. **Minimum group size k** (agency setting, default 5, never below 5). A cell
   is shown only when at least k people answered *not counting the team's
   leads and admins* (who could otherwise subtract their own answers), and the
   team has more than k such members (otherwise a shown cell would tell that
   every one of them took part). Hidden cells keep their row, with missing
   values and a reason. Counts appear only as bands ("5-9"), team size only
   as "5 or more".
4. **No subtraction.** An agency total adds up exactly the groups shown next
   to it: the teams shown, plus the hidden teams and people without a home
   team pooled into one "smaller teams" group when that pool passes the same
   rules; otherwise they are left out of the total, and the row says so.
5. **No tails.** Shares read "at most 20%", "about 40%", "at least 80%":
   never "everyone" or "no one".
6. **Optional differential privacy** (OpenDP Laplace noise, :mod:`fatigue.dp`),
   drawn once per cell and metric and stored; the uncertainty is returned.
7. **No notes**: this module never selects the note column.
8. **Frozen cells.** A period is released only once it has ended and the
   7-day window for late check-ins has closed; its cells are then computed
   once and stored (``aggregate_cells``), so later changes (a person moving
   team, a late edit, a deactivation) cannot be read off as a difference
   between two views of the same cell.
9. **Audit.** Every report (and every refused attempt) is recorded in
   :mod:`fatigue.audit`.

Displayed values are rounded: ratings to 0.5 points, contacts per day to 0.5,
crisis and trauma contacts per day to 0.1, after-hours minutes to 5, caseload
to a whole case and caseload against the standard to 10 points.
"""
from __future__ import annotations

import datetime as dt
import functools
import itertools
import json
import math
import numbers
from dataclasses import dataclass, field
from typing import Any, Iterable

import numpy as np
import pandas as pd
from sqlite_utils import Database

from fatigue import audit, dp, settings
from fatigue.db import write_lock
from fatigue.errors import ValidationError
from fatigue.validation import BACKFILL_DAYS, LABELS, RATINGS

# ----------------------------------------------------------------- parameters
EPOCH = dt.date(2024, 1, 1)  # a Monday (ISO 2024-W01-1): 4-week periods count from here
PERIOD_DAYS: dict[str, int] = {"week": 7, "4week": 28}
PERIOD_NAMES: dict[str, str] = {"week": "week", "4week": "4-week period"}
DEFAULT_PERIODS: dict[str, int] = {"week": 26, "4week": 13}
MAX_PERIODS = 260
# A period is released once it has ended and late check-ins (accepted up to
# BACKFILL_DAYS back) can no longer change it.
RELEASE_DELAY_DAYS = BACKFILL_DAYS

HIGH_STRAIN_EXHAUSTION = 7.0  # a person-period mean exhaustion of 7 or more
REGULAR_AFTER_HOURS_MINUTES = 15.0  # a person-period mean of 15+ minutes per check-in day
DEFAULT_CASELOAD_STANDARD = 15  # for people without a home team (as fatigue.accounts)

# Person-level values: the rating means, the workload means, three yes/no
# indicators. Each has the bounds to which it is clamped for DP noise.
MEANS: tuple[str, ...] = (
    *RATINGS, "caseload", "caseload_ratio", "contacts", "crisis_contacts",
    "trauma_contacts", "after_hours_minutes",
)
INDICATORS: tuple[str, ...] = ("high_strain", "supervision", "after_hours_regular")
VALUES: tuple[str, ...] = (*MEANS, *INDICATORS)
BOUNDS: dict[str, tuple[float, float]] = {
    **{name: (0.0, 10.0) for name in RATINGS},
    "caseload": (0.0, 60.0),
    "caseload_ratio": (0.0, 3.0),
    "contacts": (0.0, 15.0),
    "crisis_contacts": (0.0, 5.0),
    "trauma_contacts": (0.0, 5.0),
    "after_hours_minutes": (0.0, 240.0),
    **{name: (0.0, 1.0) for name in INDICATORS},
}

# Report column -> (person-level value, multiplier, rounding step).
NUMERIC: dict[str, tuple[str, float, float]] = {
    **{name: (name, 1.0, 0.5) for name in RATINGS},
    "caseload_mean": ("caseload", 1.0, 1.0),
    "caseload_vs_standard_pct": ("caseload_ratio", 100.0, 10.0),
    "contacts_per_day": ("contacts", 1.0, 0.5),
    "crisis_contacts_per_day": ("crisis_contacts", 1.0, 0.1),
    "trauma_contacts_per_day": ("trauma_contacts", 1.0, 0.1),
    "after_hours_minutes_per_day": ("after_hours_minutes", 1.0, 5.0),
}
SHARES: dict[str, str] = {
    "high_strain_share": "high_strain",
    "after_hours_share": "after_hours_regular",
    "supervision_share": "supervision",
}
PM_COLUMNS: tuple[str, ...] = (
    *(f"{name}_pm95" for name in NUMERIC),
    *(f"{name}_pct_pm95" for name in SHARES),
)
REPORT_COLUMNS: tuple[str, ...] = (
    "period", "period_start", "period_end", "label",
    "shown", "hidden_code", "hidden_reason",
    "team_size_text", "respondents_band", "participation_text", "participation_pct",
    *RATINGS,
    "high_strain_share_text", "high_strain_share_pct",
    "caseload_mean", "caseload_standard", "caseload_vs_standard_pct",
    "contacts_per_day", "crisis_contacts_per_day", "trauma_contacts_per_day",
    "after_hours_minutes_per_day", "after_hours_share_text", "after_hours_share_pct",
    "supervision_share_text", "supervision_share_pct",
    "dp", *PM_COLUMNS,
)
ORG_COLUMNS: tuple[str, ...] = (
    *REPORT_COLUMNS[:4], "group", "team_id", "team", "scope_text", *REPORT_COLUMNS[4:],
)
NOTEAM = "noteam"

HIDDEN_NOT_FINAL = "not_final"
HIDDEN_TEAM_TOO_SMALL = "team_too_small"
HIDDEN_TOO_FEW = "too_few_respondents"
HIDDEN_NO_TEAMS = "no_groups_shown"
HIDDEN_NOTHING_TO_COMBINE = "nothing_to_combine"


# ------------------------------------------------------------------- periods

def _check_period(period: str) -> int:
    if period not in PERIOD_DAYS:
        raise ValidationError({"period": "The period must be 'week' or '4week'."})
    return PERIOD_DAYS[period]


def period_start(day: dt.date, period: str = "week") -> dt.date:
    """The first day (a Monday) of the fixed period containing ``day``."""
    length = _check_period(period)
    return EPOCH + dt.timedelta(days=length * ((day - EPOCH).days // length))


def period_bounds(day: dt.date, period: str = "week") -> tuple[dt.date, dt.date]:
    """First and last day (inclusive) of the fixed period containing ``day``."""
    start = period_start(day, period)
    return start, start + dt.timedelta(days=PERIOD_DAYS[period] - 1)


def release_date(start: dt.date, period: str) -> dt.date:
    """The first day on which the period starting at ``start`` is shown."""
    return start + dt.timedelta(days=PERIOD_DAYS[period] + RELEASE_DELAY_DAYS)


@functools.lru_cache(maxsize=4096)
def period_label(start: dt.date, period: str) -> str:
    """``2026-W10 (2 Mar - 8 Mar)`` or ``23 Feb - 22 Mar 2026``."""
    end = start + dt.timedelta(days=PERIOD_DAYS[period] - 1)
    if period == "week":
        year, week, _ = start.isocalendar()
        return f"{year}-W{week:02d} ({start.day} {start:%b} - {end.day} {end:%b})"
    first = f"{start.day} {start:%b}" + (f" {start.year}" if start.year != end.year else "")
    return f"{first} - {end.day} {end:%b} {end.year}"


def _starts(first: dt.date, today: dt.date, period: str, count: int) -> list[dt.date]:
    """Period starts from the one containing ``first`` (at most ``count`` back) to today's."""
    length = PERIOD_DAYS[period]
    current = period_start(today, period)
    earliest = current - dt.timedelta(days=length * (count - 1))
    begin = max(period_start(min(first, today), period), earliest)
    out: list[dt.date] = []
    start = begin
    while start <= current:
        out.append(start)
        start += dt.timedelta(days=length)
    return out


# ----------------------------------------------------------- text and rounding

def _round_to(value: float, step: float) -> float:
    """Round half up to a multiple of ``step`` (clean float)."""
    return round(math.floor(value / step + 0.5) * step, 6)


def share_text(share: float) -> tuple[str, int]:
    """A share (0-1) as words and a number, without tails.

    At most 20% -> ("at most 20%", 20); at least 80% -> ("at least 80%", 80);
    otherwise rounded to 10 points -> ("about 40%", 40). So "everyone" and
    "no one" are never stated, and one person more or less rarely shows.
    """
    pct = 100.0 * float(share)
    if pct <= 20.0:
        return "at most 20%", 20
    if pct >= 80.0:
        return "at least 80%", 80
    rounded = int(min(max(_round_to(pct, 10.0), 20.0), 80.0))
    return f"about {rounded}%", rounded


def count_band(n: float, k: int) -> str:
    """Respondents as a band that starts at ``k``: "5-9", "10-19", "20-49"..."""
    edges = [k, *(e for e in (10, 20, 50, 100, 250, 500, 1000) if e > k)]
    n = max(int(n), k)
    for low, high in zip(edges, edges[1:]):
        if low <= n < high:
            return f"{low}-{high - 1}"
    return f"{edges[-1]} or more"


def _band_low(n: float, k: int) -> int:
    return int(count_band(n, k).split("-")[0].split(" ")[0])


def team_size_text(members: int, k: int) -> str:
    """Team size only as "k or more" (or "fewer than k")."""
    return f"{k} or more" if members >= k else f"fewer than {k}"


# --------------------------------------------------------------------- cells

@dataclass
class Cell:
    """A group's sufficient statistics for one period (no per-person data).

    ``sums`` / ``clamped``: the sum over people of each person-level value
    (as reported, and clamped to :data:`BOUNDS`). ``eligible``: respondents
    who are neither a lead of the team nor an admin; ``members_eligible``
    likewise for members.
    """

    key: str
    members: int = 0
    members_eligible: int = 0
    respondents: int = 0
    eligible: int = 0
    sums: dict[str, float] = field(default_factory=lambda: {v: 0.0 for v in VALUES})
    clamped: dict[str, float] = field(default_factory=lambda: {v: 0.0 for v in VALUES})
    caseload_standard: int | None = None
    dp: bool = False

    @classmethod
    def combine(cls, key: str, cells: Iterable["Cell"]) -> "Cell":
        out = cls(key)
        for cell in cells:
            out.members += cell.members
            out.members_eligible += cell.members_eligible
            out.respondents += cell.respondents
            out.eligible += cell.eligible
            for name in VALUES:
                out.sums[name] += cell.sums[name]
                out.clamped[name] += cell.clamped[name]
            out.dp = out.dp or cell.dp
        return out


def _person_periods_sql(where: str) -> str:
    rating_avgs = ", ".join(f"avg(c.{name}) AS {name}" for name in RATINGS)
    return f"""
        SELECT c.user_id AS uid,
               CAST((julianday(c.day) - julianday(:start)) AS INTEGER) / :len AS p,
               {rating_avgs},
               avg(c.caseload) AS caseload, avg(c.contacts) AS contacts,
               avg(c.crisis_contacts) AS crisis_contacts,
               avg(c.trauma_contacts) AS trauma_contacts,
               avg(c.after_hours_minutes) AS after_hours_minutes,
               max(c.supervision) AS supervision
        FROM {where}
          AND c.day >= :start AND c.day <= :end
        GROUP BY c.user_id, p
    """


_TEAM_FROM = (
    "team_members m JOIN checkins c ON c.user_id = m.user_id"
    " WHERE m.team_id = :team AND m.home = 1"
)
_NOTEAM_FROM = (
    "users u JOIN checkins c ON c.user_id = u.id WHERE NOT EXISTS"
    " (SELECT 1 FROM team_members h WHERE h.user_id = u.id AND h.home = 1)"
)
# The same rows from the weekly rollup (migration 0007_performance): one row per
# person-week with the count and sums, kept in step with checkins by triggers.
ROLLUP_EPOCH = dt.date(1999, 6, 21)  # week 0 of checkin_weeks; EPOCH - 320 x 28 days
_ROLLED = (*RATINGS, "caseload", "contacts", "crisis_contacts", "trauma_contacts",
           "after_hours_minutes")
_TEAM_WEEKS = (
    "team_members m JOIN checkin_weeks r ON r.user_id = m.user_id"
    " WHERE m.team_id = :team AND m.home = 1"
)
_NOTEAM_WEEKS = (
    "users u JOIN checkin_weeks r ON r.user_id = u.id WHERE NOT EXISTS"
    " (SELECT 1 FROM team_members h WHERE h.user_id = u.id AND h.home = 1)"
)


# The rollup rows cross into Python packed: the cost of a read is making Python
# numbers (one per value), not SQLite's search, so the sums travel several to a
# 64-bit integer and numpy unpacks them. Widths follow from the CHECKs on
# checkins, for periods of at most 4 weeks (28 check-ins): a rating sum is at
# most 280 (9 bits, seven of them in 63 bits); the count and the other sums at
# most 40,320 (after-hours minutes; 21 bits, three in 63 bits).
_RATING_BITS, _WIDE_BITS, _MAX_WEEKS_PACKED = 9, 21, 4
_WIDE = ("n", "caseload", "contacts", "crisis_contacts", "trauma_contacts",
         "after_hours_minutes")


def _packed(terms: list[str], bits: int) -> str:
    return " + ".join(f"({term} << {bits * i})" for i, term in enumerate(terms))


def _rollup_sql(where: str, per: int) -> str:
    """uid, p, the 7 rating sums packed, the count and 5 sums packed in two, supervision."""
    if per == 1:  # weeks: a rollup row is already one person-period
        term, head, tail = "r.{}".format, "r.user_id, r.week - :w0", ""
    else:
        term = "sum(r.{})".format
        head, tail = "r.user_id AS uid, (r.week - :w0) / :per AS p", " GROUP BY uid, p"
    ratings = _packed([term(name) for name in RATINGS], _RATING_BITS)
    wide = [term(name) for name in _WIDE]
    return (f"SELECT {head}, {ratings}, {_packed(wide[:3], _WIDE_BITS)},"
            f" {_packed(wide[3:], _WIDE_BITS)}, {term('supervision')} FROM {where}"
            f" AND r.week BETWEEN :w0 AND :w1 AND r.n > 0{tail}")


def _unpack(packed: np.ndarray, bits: int, count: int) -> list[np.ndarray]:
    mask = (1 << bits) - 1
    return [(packed >> (bits * i)) & mask for i in range(count)]


def _person_periods(
    db: Database, group_key: str, params: dict[str, Any], first: dt.date, last: dt.date,
    length: int, *, rollup: bool = True,
) -> dict[str, np.ndarray]:
    """Person-period means: ``uid``, ``p`` (period index from ``first``), the
    rating and workload means and ``supervision`` (1 if any day had it).

    ``rollup=False`` groups the raw check-ins instead (the simple reference the
    tests compare with): the same values, exactly.
    """
    names = ["uid", "p", *_ROLLED, "supervision"]
    if not rollup:
        where = _NOTEAM_FROM if group_key == NOTEAM else _TEAM_FROM
        cursor = db.execute(_person_periods_sql(where), {
            **params, "start": first.isoformat(), "end": last.isoformat(), "len": length})
        raw = cursor.fetchall()
        data = np.array(raw, dtype=float) if raw else np.empty((0, len(names)))
        return {name: data[:, i] for i, name in enumerate(names)}
    where = _NOTEAM_WEEKS if group_key == NOTEAM else _TEAM_WEEKS
    per = length // 7
    if per > _MAX_WEEKS_PACKED:  # the packing widths hold for up to 4 weeks
        raise ValueError(f"periods of {per} weeks are too long for the packed rollup read")
    raw = db.execute(_rollup_sql(where, per), {
        **params, "w0": (first - ROLLUP_EPOCH).days // 7, "w1": (last - ROLLUP_EPOCH).days // 7,
        "per": per,
    }).fetchall()
    # fromiter over the flattened tuples: about a third faster than np.array(raw).
    packed = np.fromiter(itertools.chain.from_iterable(raw), dtype=np.int64,
                         count=len(raw) * 6).reshape(len(raw), 6)
    ratings = _unpack(packed[:, 2], _RATING_BITS, len(RATINGS))
    wide = _unpack(packed[:, 3], _WIDE_BITS, 3) + _unpack(packed[:, 4], _WIDE_BITS, 3)
    # The layout of the unpacked read: uid, p, n, the _ROLLED sums, supervision.
    data = np.column_stack([packed[:, 0], packed[:, 1], wide[0], *ratings, *wide[1:],
                            packed[:, 5]]) if len(raw) else np.empty((0, len(names) + 1), np.int64)
    n = data[:, 2].astype(float)
    out = {"uid": data[:, 0].astype(float), "p": data[:, 1].astype(float)}
    for i, name in enumerate(_ROLLED):
        out[name] = data[:, 3 + i] / n
    out["supervision"] = (data[:, -1] > 0).astype(float)
    return out


_FIRST_DAY = "(SELECT min(f.day) FROM checkins f WHERE f.user_id = u.id)"
_TEAM_MEMBERS = f"""
    SELECT u.id AS uid, u.active, u.is_admin, m.lead, substr(u.created_at, 1, 10) AS created,
           {_FIRST_DAY} AS first_day
    FROM team_members m JOIN users u ON u.id = m.user_id
    WHERE m.team_id = :team AND m.home = 1
"""
_NOTEAM_MEMBERS = f"""
    SELECT u.id AS uid, u.active, u.is_admin, 0 AS lead, substr(u.created_at, 1, 10) AS created,
           {_FIRST_DAY} AS first_day
    FROM users u
    WHERE NOT EXISTS (SELECT 1 FROM team_members h WHERE h.user_id = u.id AND h.home = 1)
"""


def _compute(
    db: Database, group_key: str, period: str, starts: list[dt.date], *, rollup: bool = True
) -> list[dict[str, Any]]:
    """Rows for ``aggregate_cells``: one per start, for one group (``rollup``: read
    the weekly rollup rather than every check-in; the result is the same)."""
    length = PERIOD_DAYS[period]
    first, last = min(starts), max(starts) + dt.timedelta(days=length - 1)
    if group_key == NOTEAM:
        team_id, standard = None, DEFAULT_CASELOAD_STANDARD
        members_sql, params = _NOTEAM_MEMBERS, {}
    else:
        team_id = int(group_key.split(":")[1])
        standard = int(db.execute(
            "SELECT caseload_standard FROM teams WHERE id = ?", [team_id]).fetchone()[0])
        members_sql, params = _TEAM_MEMBERS, {"team": team_id}
    column = _person_periods(db, group_key, params, first, last, length, rollup=rollup)
    uid = column["uid"].astype(np.int64)
    index = column["p"].astype(np.int64)
    # Person-level values, one row per person-period.
    column["caseload_ratio"] = column["caseload"] / standard
    column["high_strain"] = (column["exhaustion"] >= HIGH_STRAIN_EXHAUSTION).astype(float)
    column["after_hours_regular"] = (
        column["after_hours_minutes"] >= REGULAR_AFTER_HOURS_MINUTES
    ).astype(float)
    values = np.column_stack([column[name] for name in VALUES]) if len(uid) else np.empty((0, len(VALUES)))
    low = np.array([BOUNDS[name][0] for name in VALUES])
    high = np.array([BOUNDS[name][1] for name in VALUES])
    count = (last - first).days // length + 1
    # bincount per column: the same additions in the same (row) order as
    # np.add.at, several times faster.
    bounded = np.clip(values, low, high)
    sums = np.column_stack([np.bincount(index, weights=values[:, j], minlength=count)
                            for j in range(len(VALUES))]) if count else np.zeros((0, len(VALUES)))
    clamped = np.column_stack([np.bincount(index, weights=bounded[:, j], minlength=count)
                               for j in range(len(VALUES))]) if count else np.zeros((0, len(VALUES)))

    # Members: who belonged to the group in each period (joined by its end:
    # account created or first check-in; and still active, or answered in it).
    members = db.execute(members_sql, params).fetchall()
    never = dt.date.max.toordinal()
    member_uid = np.array([m[0] for m in members], dtype=np.int64)
    active = np.array([bool(m[1]) for m in members], dtype=bool)
    excluded = np.array([bool(m[2]) or bool(m[3]) for m in members], dtype=bool)  # admin or lead
    joined = np.array([
        min(dt.date.fromisoformat(m[4]).toordinal(),
            dt.date.fromisoformat(m[5]).toordinal() if m[5] else never)
        for m in members
    ], dtype=np.int64)
    ends = np.array([(first + dt.timedelta(days=length * (i + 1) - 1)).toordinal()
                     for i in range(count)], dtype=np.int64)
    order = np.argsort(member_uid)
    position = order[np.searchsorted(member_uid[order], uid)] if len(uid) else np.empty(0, np.int64)
    row_excluded = excluded[position]
    # Counted as a member already (active and joined by the period's end)?
    row_counted = active[position] & (joined[position] <= ends[index])

    def per_period(mask: np.ndarray) -> np.ndarray:
        return np.bincount(index[mask], minlength=count)

    def joined_by(mask: np.ndarray) -> np.ndarray:
        return np.searchsorted(np.sort(joined[mask]), ends, side="right")

    respondents = per_period(np.ones(len(uid), dtype=bool))
    eligible = per_period(~row_excluded)
    members_all = joined_by(active) + per_period(~row_counted)
    members_eligible = joined_by(active & ~excluded) + per_period(~row_counted & ~row_excluded)

    sums_list, clamped_list = sums.tolist(), clamped.tolist()  # Python floats, in one go
    rows = []
    for start in starts:
        i = (start - first).days // length
        rows.append({
            "group_key": group_key,
            "period": period,
            "period_start": start.isoformat(),
            "team_id": team_id,
            "caseload_standard": standard if team_id is not None else None,
            "members": int(members_all[i]),
            "members_eligible": int(members_eligible[i]),
            "respondents": int(respondents[i]),
            "eligible": int(eligible[i]),
        })
        rows[-1]["_stats"] = {  # also kept as a dict: the caller need not parse it back
            "sum": dict(zip(VALUES, sums_list[i])),
            "clamped": dict(zip(VALUES, clamped_list[i])),
        }
        rows[-1]["stats"] = json.dumps(rows[-1]["_stats"])
    return rows


def _load_cells(
    db: Database, period: str, starts: list[dt.date], group_keys: list[str]
) -> dict[tuple[str, dt.date], Cell]:
    """The frozen cells of ``group_keys`` x ``starts``, computing the missing ones."""
    if not starts or not group_keys:
        return {}

    def read() -> dict[tuple[str, dt.date], Cell]:
        found: dict[tuple[str, dt.date], Cell] = {}
        keys = ", ".join("?" for _ in group_keys)
        for row in db.execute(
            "SELECT group_key, period_start, caseload_standard, members, members_eligible,"
            " respondents, eligible, stats, dp FROM aggregate_cells"
            f" WHERE period = ? AND period_start BETWEEN ? AND ? AND group_key IN ({keys})",
            [period, min(starts).isoformat(), max(starts).isoformat(), *group_keys],
        ).fetchall():
            found[(row[0], dt.date.fromisoformat(row[1]))] = _cell(
                row[0], row[2], row[3], row[4], row[5], row[6], json.loads(row[7]), row[8])
        return found

    wanted = set(starts)
    cells = read()
    missing = {g: sorted(s for s in wanted if (g, s) not in cells) for g in group_keys}
    if any(missing.values()):
        with write_lock(db):
            cells = read()  # another session may have frozen them meanwhile
            use_dp = settings.dp_enabled(db)
            for group_key in group_keys:
                todo = sorted(s for s in wanted if (group_key, s) not in cells)
                if not todo:
                    continue
                rows = _compute(db, group_key, period, todo)
                db.conn.executemany(
                    "INSERT INTO aggregate_cells (group_key, period, period_start,"
                    " team_id, caseload_standard, members, members_eligible, respondents,"
                    " eligible, stats, dp) VALUES (:group_key, :period, :period_start,"
                    " :team_id, :caseload_standard, :members, :members_eligible,"
                    " :respondents, :eligible, :stats, :dp)",
                    [{**row, "dp": int(use_dp)} for row in rows],
                )
                # Under the write lock nobody else froze these meanwhile: what was
                # stored is exactly these rows, so they need not be read back.
                for row in rows:
                    cells[(group_key, dt.date.fromisoformat(row["period_start"]))] = _cell(
                        group_key, row["caseload_standard"], row["members"],
                        row["members_eligible"], row["respondents"], row["eligible"],
                        row["_stats"], use_dp)
    return cells


def _cell(key: str, standard: int | None, members: int, members_eligible: int,
          respondents: int, eligible: int, stats: dict[str, Any], use_dp: Any) -> Cell:
    return Cell(
        key=key, members=members, members_eligible=members_eligible,
        respondents=respondents, eligible=eligible,
        sums={name: float(stats["sum"].get(name, 0.0)) for name in VALUES},
        clamped={name: float(stats["clamped"].get(name, 0.0)) for name in VALUES},
        caseload_standard=standard, dp=bool(use_dp),
    )


# ------------------------------------------------------------------- display

def _visibility(cell: Cell, k: int, period: str) -> tuple[str | None, str | None]:
    """(hidden_code, hidden_reason), or (None, None) when the cell may be shown."""
    name = PERIOD_NAMES[period]
    if cell.members_eligible < k + 1:
        return HIDDEN_TEAM_TOO_SMALL, (
            f"Fewer than {k + 1} people (not counting team leads) belong to this group, so "
            f"its results are not shown on their own: they could reveal who took part. "
            f"They still count towards the agency's combined figures where those can be shown."
        )
    if cell.eligible < k:
        return HIDDEN_TOO_FEW, (
            f"Fewer than {k} people (not counting team leads) checked in this {name}, "
            f"so its results are hidden to protect individuals."
        )
    return None, None


def _blank() -> dict[str, Any]:
    row: dict[str, Any] = {column: None for column in REPORT_COLUMNS}
    for column in (*RATINGS, *NUMERIC, *PM_COLUMNS, "participation_pct",
                   *(f"{s}_pct" for s in SHARES), "caseload_standard"):
        row[column] = math.nan
    return row


_BLANK_ROW = _blank()  # copied for every row: cheaper than building it each time


def _empty_row(period: str, start: dt.date) -> dict[str, Any]:
    row = dict(_BLANK_ROW)
    row.update(
        period=period,
        period_start=start,
        period_end=start + dt.timedelta(days=PERIOD_DAYS[period] - 1),
        label=period_label(start, period),
        shown=False,
        dp=False,
    )
    return row


def _not_final_row(period: str, start: dt.date) -> dict[str, Any]:
    row = _empty_row(period, start)
    row["hidden_code"] = HIDDEN_NOT_FINAL
    row["hidden_reason"] = (
        f"This {PERIOD_NAMES[period]} is still open, or late check-ins can still be added "
        f"to it. It is shown from {release_date(start, period):%d %b %Y}."
    )
    return row


def _cell_row(
    db: Database, cell: Cell, period: str, start: dt.date, k: int, epsilon: float,
    dp_key: str, standard: int | None,
) -> dict[str, Any]:
    row = _empty_row(period, start)
    row["caseload_standard"] = float(standard) if standard is not None else math.nan
    row["team_size_text"] = team_size_text(cell.members, k)
    code, reason = _visibility(cell, k, period)
    if code is not None:
        row["hidden_code"], row["hidden_reason"] = code, reason
        return row
    n = cell.respondents
    row["shown"] = True
    row["respondents_band"] = count_band(n, k)
    means = {name: cell.sums[name] / n for name in VALUES}
    half: dict[str, float] = {}
    responded = float(n)
    if cell.dp:
        n_low = _band_low(n, k)
        requests = {
            name: dp.Request("mean", cell.clamped[name] / n, n_low, *BOUNDS[name])
            for name in VALUES
        }
        requests["respondents"] = dp.Request("count", float(n))
        releases = dp.release_cell(
            db, period=period, period_start=start, cell_key=dp_key, requests=requests,
            epsilon=epsilon,
        )
        means = {name: releases[name].value for name in VALUES}
        half = {name: releases[name].half_width for name in VALUES}
        responded = releases["respondents"].value
        row["dp"] = True
    members = max(cell.members, 1)
    row["participation_text"], row["participation_pct"] = share_text(min(responded / members, 1.0))
    for column, (name, multiplier, step) in NUMERIC.items():
        row[column] = _round_to(means[name] * multiplier, step)
        if name in half:  # rounded up, so the uncertainty is never understated
            pm_step = 0.1 if step < 1 else 1.0
            row[f"{column}_pm95"] = round(math.ceil(half[name] * multiplier / pm_step) * pm_step, 6)
    for column, name in SHARES.items():
        row[f"{column}_text"], row[f"{column}_pct"] = share_text(min(max(means[name], 0.0), 1.0))
        if name in half:
            row[f"{column}_pct_pm95"] = float(math.ceil(half[name] * 100.0))
    return row


_FLOAT_COLUMNS = frozenset((*RATINGS, *NUMERIC, *PM_COLUMNS, "participation_pct",
                            "caseload_standard", *(f"{s}_pct" for s in SHARES)))


def _frame(rows: list[dict[str, Any]], columns: tuple[str, ...]) -> pd.DataFrame:
    """The rows as a frame, each column built once with its final dtype."""
    data: dict[str, Any] = {}
    for column in columns:
        values = [row[column] for row in rows]
        if column in _FLOAT_COLUMNS:
            data[column] = np.array([math.nan if v is None else v for v in values], dtype=float)
        elif column in ("shown", "dp"):
            data[column] = np.array(values, dtype=bool)
        elif column in ("period_start", "period_end"):
            data[column] = np.array(values, dtype="datetime64[D]").astype("datetime64[ns]")
        else:
            data[column] = values
    return pd.DataFrame(data, columns=list(columns))


# -------------------------------------------------------------- authorization

def _viewer(db: Database, viewer_id: int) -> dict[str, Any] | None:
    if isinstance(viewer_id, bool) or not isinstance(viewer_id, numbers.Integral):
        return None
    row = db.execute(
        "SELECT id, is_admin FROM users WHERE id = ? AND active = 1", [int(viewer_id)]
    ).fetchone()
    return None if row is None else {"id": row[0], "is_admin": bool(row[1])}


def _denied(db: Database, viewer_id: Any, action: str, detail: dict[str, Any]) -> PermissionError:
    actor = (int(viewer_id) if isinstance(viewer_id, numbers.Integral)
             and not isinstance(viewer_id, bool) else None)
    audit.record(db, actor, f"denied_{action}", detail)
    return PermissionError("You do not have access to these team results.")


def can_view_team(db: Database, viewer_id: int, team_id: int) -> bool:
    """Whether ``viewer_id`` (an active account) leads ``team_id`` or is an admin."""
    viewer = _viewer(db, viewer_id)
    if viewer is None:
        return False
    if viewer["is_admin"]:
        return True
    if isinstance(team_id, bool) or not isinstance(team_id, numbers.Integral):
        return False
    return db.execute(
        "SELECT 1 FROM team_members WHERE user_id = ? AND team_id = ? AND lead = 1",
        [int(viewer_id), int(team_id)],
    ).fetchone() is not None


def viewable_teams(db: Database, viewer_id: int) -> list[dict[str, Any]]:
    """Teams whose report ``viewer_id`` may see (``id``, ``name``): the teams
    they lead, or every team for an admin. No sizes, no member names."""
    viewer = _viewer(db, viewer_id)
    if viewer is None:
        return []
    if viewer["is_admin"]:
        return list(db.query("SELECT id, name FROM teams ORDER BY name"))
    return list(db.query(
        "SELECT t.id, t.name FROM team_members m JOIN teams t ON t.id = m.team_id"
        " WHERE m.user_id = ? AND m.lead = 1 ORDER BY t.name",
        [int(viewer_id)],
    ))


def report_version(db: Database) -> tuple:
    """What a report depends on besides its frozen cells and the day: k, the
    privacy-noise settings and the teams' names and caseload standards. A
    cache of reports keyed by this (and the day) is never stale."""
    teams = db.execute(
        "SELECT group_concat(id || ':' || caseload_standard || ':' || name, '|')"
        " FROM (SELECT id, caseload_standard, name FROM teams ORDER BY id)"
    ).fetchone()[0]
    dropped = db.execute(  # bumped when frozen cells are dropped (forget_released_periods)
        "SELECT value FROM settings WHERE key = 'cells_generation'").fetchone()
    return (settings.get_k(db), settings.dp_enabled(db), settings.dp_epsilon(db), teams or "",
            dropped[0] if dropped else "")


def _check_args(period: str, today: dt.date | None, periods: int | None) -> tuple[dt.date, int]:
    _check_period(period)
    clock = dt.date.today()
    today = today or clock
    if not isinstance(today, dt.date) or isinstance(today, dt.datetime):
        raise ValidationError({"today": "today must be a date."})
    # Never later than the real date: a period must not be released (and frozen)
    # while check-ins can still change it.
    today = min(today, clock)
    count = DEFAULT_PERIODS[period] if periods is None else periods
    if isinstance(count, bool) or not isinstance(count, int) or not 1 <= count <= MAX_PERIODS:
        raise ValidationError({"periods": f"periods must be a whole number from 1 to {MAX_PERIODS}."})
    return today, count


def _date(text: str | None) -> dt.date | None:
    return None if text is None else dt.date.fromisoformat(str(text)[:10])


# ------------------------------------------------------------------- reports

def team_report(
    db: Database,
    team_id: int,
    period: str = "week",
    *,
    viewer_id: int,
    today: dt.date | None = None,
    periods: int | None = None,
) -> pd.DataFrame:
    """One row per period of one team, oldest first, already suppressed.

    Covers the last ``periods`` periods (default 26 weeks or 13 4-week
    periods) up to today's, from the team's first data on. Columns are
    :data:`REPORT_COLUMNS`; a hidden row has ``shown`` False, missing values
    and ``hidden_code`` / ``hidden_reason``. The viewer must lead the team or
    be an admin (:class:`PermissionError` otherwise, and the attempt is
    audited); every view is recorded in the audit log.
    """
    today, count = _check_args(period, today, periods)
    detail = {"team_id": team_id, "period": period}
    if not can_view_team(db, viewer_id, team_id):
        raise _denied(db, viewer_id, "team_report", detail)
    team_id = int(team_id)
    team = db.execute(
        "SELECT id, name, caseload_standard, substr(created_at, 1, 10) FROM teams WHERE id = ?",
        [team_id],
    ).fetchone()
    if team is None:
        raise ValidationError({"team": f"There is no team with id {team_id}."})
    first_checkin = db.execute(
        "SELECT min((SELECT min(c.day) FROM checkins c WHERE c.user_id = m.user_id))"
        " FROM team_members m WHERE m.team_id = ? AND m.home = 1",
        [team_id],
    ).fetchone()[0]
    history = min(d for d in (_date(team[3]), _date(first_checkin)) if d is not None)
    starts = _starts(history, today, period, count)
    final = [s for s in starts if release_date(s, period) <= today]
    key = f"team:{team_id}"
    cells = _load_cells(db, period, final, [key])
    k = settings.get_k(db)
    epsilon = settings.dp_epsilon(db)
    rows = []
    for start in starts:
        if (key, start) not in cells:
            rows.append(_not_final_row(period, start))
        else:
            rows.append(_cell_row(db, cells[(key, start)], period, start, k, epsilon, key, team[2]))
    frame = _frame(rows, REPORT_COLUMNS)
    audit.record(db, viewer_id, "view_team_report", {
        **detail, "team": team[1], "from": starts[0], "to": starts[-1],
        "periods": len(starts), "shown": int(frame["shown"].sum()),
    })
    return frame


def org_report(
    db: Database,
    period: str = "week",
    *,
    viewer_id: int,
    today: dt.date | None = None,
    periods: int | None = None,
) -> pd.DataFrame:
    """Every team side by side, the pooled smaller teams and the agency total.

    Per period (oldest first): one row per team (``group`` "team", by name),
    one "smaller_teams" row (hidden teams and people without a home team,
    pooled; shown only when the pool itself passes the rules) and one
    "agency" row that adds up exactly the groups shown, so no hidden group can
    be worked out by subtraction (``scope_text`` says what it leaves out).
    Admins only (:class:`PermissionError` otherwise); every view is audited.
    Default: the last 8 weeks or 6 4-week periods.
    """
    today, count = _check_args(period, today, periods if periods is not None else
                               (8 if period == "week" else 6))
    detail = {"period": period}
    viewer = _viewer(db, viewer_id)
    if viewer is None or not viewer["is_admin"]:
        raise _denied(db, viewer_id, "org_report", detail)
    teams = list(db.query("SELECT id, name, caseload_standard FROM teams ORDER BY name"))
    first_team = db.execute("SELECT min(substr(created_at, 1, 10)) FROM teams").fetchone()[0]
    first_checkin = db.execute("SELECT min(day) FROM checkins").fetchone()[0]
    dates = [d for d in (_date(first_team), _date(first_checkin)) if d is not None]
    starts = _starts(min(dates) if dates else today, today, period, count)
    final = [s for s in starts if release_date(s, period) <= today]
    keys = [f"team:{t['id']}" for t in teams] + [NOTEAM]
    cells = _load_cells(db, period, final, keys)
    k = settings.get_k(db)
    epsilon = settings.dp_epsilon(db)
    rows: list[dict[str, Any]] = []

    def org_row(base: dict[str, Any], group: str, team: dict[str, Any] | None, scope: str | None):
        return {**base, "group": group, "team_id": team["id"] if team else None,
                "team": team["name"] if team else (
                    "Smaller teams combined" if group == "smaller_teams" else "Agency total"),
                "scope_text": scope}

    for start in starts:
        if start not in final:
            base = _not_final_row(period, start)
            rows.extend(org_row(base, "team", t, None) for t in teams)
            rows.append(org_row(base, "smaller_teams", None, None))
            rows.append(org_row(base, "agency", None, None))
            continue
        shown_cells: list[Cell] = []
        pooled_cells: list[Cell] = []
        pooled_names: list[str] = []
        omitted_names: list[str] = []
        for team in teams:
            key = f"team:{team['id']}"
            cell = cells[(key, start)]
            row = _cell_row(db, cell, period, start, k, epsilon, key, team["caseload_standard"])
            rows.append(org_row(row, "team", team, None))
            if row["shown"]:
                shown_cells.append(cell)
            elif _visibility(cell, settings.MIN_K, period)[0] is not None:
                # Hidden even at the smallest k: pooled. Which groups are pooled must
                # not depend on k, or comparing views before and after a change of k
                # could isolate a group by subtraction.
                pooled_cells.append(cell)
                pooled_names.append(team["name"])
            else:
                omitted_names.append(team["name"])  # hidden only because k is above 5
        noteam = cells[(NOTEAM, start)]
        pool_parts = [*pooled_cells, noteam]
        pool = Cell.combine("pool", pool_parts)
        pool_key = "pool:" + dp.combined_key(c.key for c in pool_parts)
        pool_row = _cell_row(db, pool, period, start, k, epsilon, pool_key, None)
        in_pool = pooled_names + (["people without a home team"] if noteam.members_eligible else [])
        if pool_row["shown"]:
            pool_scope = "Combines: " + ", ".join(in_pool) + "."
            pool_row["team_size_text"] = None
        elif not in_pool:
            pool_scope = None
            pool_row["hidden_code"] = HIDDEN_NOTHING_TO_COMBINE
            pool_row["hidden_reason"] = "Every team is shown on its own: there is nothing to combine."
        else:
            pool_scope = None
            pool_row["hidden_reason"] = (
                "Too few people in the smaller teams, even combined, to show them "
                "without revealing individuals. They are left out of the agency total."
            )
        rows.append(org_row(pool_row, "smaller_teams", None, pool_scope))
        left_out = omitted_names + ([] if pool_row["shown"] else in_pool)
        parts = shown_cells + ([pool] if pool_row["shown"] else [])
        total_key = "agency:" + dp.combined_key(
            [c.key for c in shown_cells] + ([pool_key] if pool_row["shown"] else [])
        )
        total = Cell.combine("agency", parts)
        if not parts:
            agency = _empty_row(period, start)
            agency["hidden_code"] = HIDDEN_NO_TEAMS
            agency["hidden_reason"] = (
                "No team, nor the smaller teams combined, can be shown for this "
                f"{PERIOD_NAMES[period]}, so there is no agency total either."
            )
            scope = None
        else:
            agency = _cell_row(db, total, period, start, k, epsilon, total_key, None)
            agency["team_size_text"] = None
            if not left_out:
                scope = "All teams" + (" (smaller teams combined)." if pool_row["shown"] else ".")
            else:
                scope = ("Adds up the groups shown above; leaves out " + ", ".join(left_out)
                         + " (too few people to show).")
        rows.append(org_row(agency, "agency", None, scope))
    frame = _frame(rows, ORG_COLUMNS)
    frame["team_id"] = frame["team_id"].astype("Int64")
    audit.record(db, viewer_id, "view_org_report", {
        **detail, "from": starts[0], "to": starts[-1], "periods": len(starts),
        "teams": len(teams),
    })
    return frame


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


def long_for_chart(report: pd.DataFrame, columns: list[str]) -> pd.DataFrame:
    """Tidy rows (period_start, label, measure, value, pm95) of the shown rows
    only, for a chart: already aggregated and suppressed, nothing else."""
    out = []
    shown = report[report["shown"]]
    for column in columns:
        if column not in NUMERIC and column not in {f"{s}_pct" for s in SHARES}:
            raise ValidationError({"columns": f"'{column}' is not a chartable report column."})
        pm = f"{column}_pm95"
        part = pd.DataFrame({
            "period_start": shown["period_start"],
            "label": shown["label"],
            "measure": CHART_LABELS.get(column, column.replace("_", " ").capitalize()),
            "value": shown[column],
            "pm95": shown[pm] if pm in shown else math.nan,
        })
        out.append(part)
    if not out:
        return pd.DataFrame(columns=["period_start", "label", "measure", "value", "pm95"])
    return pd.concat(out, ignore_index=True)


# --------------------------------------------------------------- suggestions

HIGH_STRAIN_ALERT_PCT = 30  # share of respondents in high strain
CASELOAD_ALERT_PCT = 110  # mean caseload against the team's standard
EXPOSURE_RISE = 1.25  # latest period against the mean of up to 4 before it
EXPOSURE_MIN_RISE = {"crisis_contacts_per_day": 0.2, "trauma_contacts_per_day": 0.2}
AFTER_HOURS_COMMON_PCT = 40  # share with 15+ minutes after hours per check-in day
AFTER_HOURS_MEAN_MINUTES = 30
SUPERVISION_TARGET_PCT = {"4week": 80, "week": 30}

SOURCES = {
    "caseload": (
        "CWLA caseload standards (e.g. 12 active investigations or 17 ongoing families per "
        "worker); NASW Standards for Social Work Case Management (2013): workload sustainability."
    ),
    "sts": (
        "NCTSN guidance on secondary traumatic stress: reflective supervision, debriefing after "
        "exposure to distressing events, balancing traumatic cases within a workload, buddy systems."
    ),
    "after_hours": (
        "2024 scoping review on after-hours work smartphone use and work-home conflict "
        "(PLOS Digital Health); NASW Standards for Social Work Case Management (2013)."
    ),
    "supervision": (
        "NASW/ASWB Best Practice Standards in Social Work Supervision (2013): administrative, "
        "educational and supportive supervision; UK employer standards for social work "
        "supervision (at least monthly for experienced staff)."
    ),
}


def _fmt(value: float, unit: str = "") -> str:
    return f"{value:g}{unit}"


def team_suggestions(report: pd.DataFrame) -> list[dict[str, Any]]:
    """Team-level suggestions from the shown rows of a report (pure).

    Each is a dict ``id``, ``title``, ``reason`` (the aggregates that led to
    it), ``steps`` (a list of practical steps) and ``source``. They are about
    the team's conditions of work, never about any person.
    """
    if report is None or report.empty or "shown" not in report:
        return []
    shown = report[report["shown"].astype(bool)].sort_values("period_start")
    if shown.empty:
        return []
    period = str(shown["period"].iloc[-1])
    name = PERIOD_NAMES.get(period, "period")
    last = shown.iloc[-1]
    out: list[dict[str, Any]] = []

    # 1. Caseload review: high strain, or caseload over the standard, two periods running.
    recent = shown.tail(2)
    if len(recent) == 2:
        strain = bool((recent["high_strain_share_pct"] >= HIGH_STRAIN_ALERT_PCT).all())
        over = bool((recent["caseload_vs_standard_pct"] >= CASELOAD_ALERT_PCT).all())
        if strain or over:
            labels = " and ".join(recent["label"])
            parts = []
            if strain:
                parts.append(
                    "the share of people checking in with high strain (average exhaustion 7 or "
                    f"more) was {recent['high_strain_share_text'].iloc[0]} and then "
                    f"{recent['high_strain_share_text'].iloc[1]}"
                )
            if over:
                parts.append(
                    "the average caseload was "
                    f"{_fmt(recent['caseload_vs_standard_pct'].iloc[0], '%')} and "
                    f"{_fmt(recent['caseload_vs_standard_pct'].iloc[1], '%')} of the team's "
                    "caseload standard"
                )
            out.append({
                "id": "caseload_review",
                "title": "Review the team's caseloads together",
                "reason": f"In the last two {name}s with results ({labels}), "
                          + "; and ".join(parts) + ". This points to the amount of work, "
                          "not to anyone's resilience.",
                "steps": [
                    "Compare current caseloads with the team's caseload standard and the "
                    "complexity of the cases.",
                    "Agree which work can be paused, shared or reallocated, and raise "
                    "unallocated work with management.",
                    "Protect time for recording and travel when planning allocations.",
                    "Look at the team figures again after two more periods.",
                ],
                "source": SOURCES["caseload"],
            })

    # 2. Team debrief / reflective group supervision when exposure rises.
    before = shown.iloc[:-1].tail(4)
    rising = []
    if len(before) >= 1:
        for column, words in (("crisis_contacts_per_day", "crisis contacts"),
                              ("trauma_contacts_per_day", "contacts involving traumatic material")):
            base = float(before[column].mean())
            now = float(last[column])
            if (not math.isnan(now) and not math.isnan(base)
                    and now >= base * EXPOSURE_RISE and now - base >= EXPOSURE_MIN_RISE[column]):
                rising.append(f"{words} rose to {_fmt(now)} a day per person "
                              f"(from about {_fmt(round(base, 1))} before)")
    if rising:
        out.append({
            "id": "team_debrief",
            "title": "Offer a team debrief or reflective group supervision",
            "reason": f"In {last['label']}, " + " and ".join(rising) + ". Exposure to "
                      "distressing material adds up across a team, and talking it through "
                      "together helps.",
            "steps": [
                "Offer a team debrief soon, led by someone trained in reflective practice.",
                "Check that recent crisis and trauma-heavy work is spread across the team.",
                "Pair people up (buddy system) after distressing visits.",
                "Remind everyone of the support available (EAP, peer support).",
            ],
            "source": SOURCES["sts"],
        })

    # 3. After-hours work is common.
    ah_share = float(last["after_hours_share_pct"])
    ah_mean = float(last["after_hours_minutes_per_day"])
    if ah_share >= AFTER_HOURS_COMMON_PCT or ah_mean >= AFTER_HOURS_MEAN_MINUTES:
        out.append({
            "id": "after_hours_policy",
            "title": "Agree an after-hours contact policy or an on-call rota",
            "reason": f"In {last['label']}, {last['after_hours_share_text']} of the people "
                      "checking in worked outside scheduled hours on a typical day (15 minutes "
                      f"or more), about {_fmt(ah_mean)} minutes a day per person on average.",
            "steps": [
                "Agree when messages and calls outside hours are expected, and when not.",
                "Set up or review an on-call rota so urgent contacts are covered by one "
                "person at a time.",
                "Make sure after-hours time is recorded and taken back as time off.",
            ],
            "source": SOURCES["after_hours"],
        })

    # 4. Supervision coverage below target.
    target = SUPERVISION_TARGET_PCT.get(period, 80)
    window = shown.tail(1 if period == "4week" else 4)
    coverage = float(window["supervision_share_pct"].mean())
    if coverage < target:
        out.append({
            "id": "supervision_coverage",
            "title": "Make sure everyone gets regular supervision",
            "reason": (
                f"In {last['label']}, {last['supervision_share_text']} of the people checking "
                f"in had supervision or a debrief in the {name}"
                if period == "4week" else
                f"Over the last {len(window)} {name}s with results, on average about "
                f"{_fmt(round(coverage))}% of the people checking in had supervision or a "
                "debrief in a week"
            ) + f"; the target used here is {target}%.",
            "steps": [
                "Book regular supervision for everyone (at least monthly; more often for "
                "newly qualified staff), and protect the time.",
                "Include supportive supervision, not only case management.",
                "Offer short debriefs after difficult visits between sessions.",
            ],
            "source": SOURCES["supervision"],
        })
    return out


# ------------------------------------------------------------ deleted data

def forget_released_periods(db: Database, days: Iterable[dt.date]) -> int:
    """Drop the frozen cells of every group for the weeks and 4-week periods
    containing ``days``, with their stored DP draws; return how many cells.

    Used when a person's data is deleted (:mod:`fatigue.erasure`): the next
    view computes those cells again, under the same rules (k, bands, DP), from
    the data that is left. All groups, because the person may have counted in
    another team when a cell was frozen. Call inside the deleting transaction.
    """
    periods = sorted({(period, period_start(day, period)) for day in days for period in PERIOD_DAYS})
    # A new generation makes every cached report stale (report_version).
    db.execute(
        "INSERT INTO settings (key, value) VALUES ('cells_generation', lower(hex(randomblob(8))))"
        " ON CONFLICT (key) DO UPDATE SET value = excluded.value"
    )
    dropped = 0
    for period, start in periods:
        dropped += db.execute(
            "DELETE FROM aggregate_cells WHERE period = ? AND period_start = ?",
            [period, start.isoformat()],
        ).rowcount
        db.execute(
            "DELETE FROM dp_releases WHERE period = ? AND period_start = ?",
            [period, start.isoformat()],
        )
    return dropped
