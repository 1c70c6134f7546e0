"""The demo agency: a synthetic, fictional caseload with six months of check-ins.

:func:`generate` builds it in memory (pure: no database, deterministic for a
seed and an end date); :func:`load` writes it through the ordinary, validated
account and check-in functions; :func:`build_demo` does both, and refuses a
database that already has users so demo data never mixes into real data.

The model (also written up in ``data/demo/README.md``): every person has
stable traits; each workday brings a caseload, contacts, crisis and trauma
contacts, after-hours work, perhaps supervision and a break. A latent strain
is an exponential moving average of the day's load (rising with caseload over
the team's standard, crisis and trauma contacts and after-hours work, falling
with supervision and breaks) that decays on days off. The 0-10 ratings are
drawn from strain plus noise; empathy and meaning erode with a slow,
accumulated strain. Everything is vectorised over people (one short loop over
days for the two moving averages), so 2,000 people x 730 days stays cheap.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd
from sqlite_utils import Database

from fatigue import accounts, checkins, membership, questionnaires, settings
from fatigue.db import write_lock
from fatigue.errors import ValidationError
from fatigue.teamfigures.release import release_due
from fatigue.validation import FIELDS, FLAGS, RATINGS

DEMO_PASSWORD = "demo-password-2026"  # demo-only: printed in data/demo/README.md
ADMIN_USERNAME = "admin"
OVERLOADED_TEAM = "Family Support"
SURGE_DAYS = 42  # the overloaded team's load rises over the last six weeks
BURN_IN_DAYS = 42  # simulated before the first day so strain starts settled
# One named person shows what the personal analytics find: a steady check-in
# habit, then a run of crisis and trauma-heavy days over the last two weeks
# (as after a critical incident on a caseload), with empathy dipping.
SHOWCASE_USERNAME = "daniel.moreno"
INCIDENT_DAYS = 12


@dataclass(frozen=True)
class TeamSpec:
    """A team to generate: its size, caseload standard and how hard it is run.

    The ``*_factor`` fields scale the agency-wide defaults. ``surge`` is the
    extra relative load (caseload and crisis contacts) that ramps in over the
    last :data:`SURGE_DAYS` days for about 60% of the members (at least three).
    A team is led by its first member, or, if ``lead_from`` names another
    team, by that team's lead instead (as for a small team without a lead).
    """

    name: str
    size: int
    caseload_standard: int = 15
    caseload_factor: float = 1.0
    crisis_factor: float = 1.0
    trauma_factor: float = 1.0
    after_hours_factor: float = 1.0
    supervision_rate: float = 0.15
    surge: float = 0.0
    lead_from: str | None = None


DEFAULT_TEAMS: tuple[TeamSpec, ...] = (
    TeamSpec("Intake & Assessment", 8, caseload_standard=20, caseload_factor=0.95,
             crisis_factor=1.3),
    TeamSpec("Family Support", 11, caseload_standard=15, caseload_factor=1.45,
             crisis_factor=1.8, trauma_factor=1.6, after_hours_factor=3.5,
             supervision_rate=0.05, surge=0.5),
    TeamSpec("Adult Services", 7, caseload_standard=25, caseload_factor=0.95,
             crisis_factor=0.8, trauma_factor=0.9),
    TeamSpec("Housing Outreach", 3, caseload_standard=20, caseload_factor=1.0,
             crisis_factor=1.1, supervision_rate=0.12, lead_from="Adult Services"),
)


@dataclass(frozen=True)
class Person:
    """A demo account. ``team`` is the home team (None for the admin)."""

    username: str
    display_name: str
    team: str | None
    lead_of: tuple[str, ...] = ()
    is_admin: bool = False


@dataclass
class Agency:
    """A generated agency: teams, people and their check-ins.

    ``checkins`` has one row per check-in, sorted by person (in ``people``
    order) then day: ``username``, ``day`` (pandas datetime at midnight, as in
    :func:`fatigue.checkins.load_history`) and exactly the fields of
    :data:`fatigue.validation.FIELDS`.
    """

    teams: list[TeamSpec]
    people: list[Person]
    checkins: pd.DataFrame
    start: dt.date
    end: dt.date
    seed: int
    surging: list[str] = field(default_factory=list)  # usernames whose load rises at the end

    def team_of(self) -> dict[str, str | None]:
        """username -> home team name."""
        return {p.username: p.team for p in self.people}


# --- names ------------------------------------------------------------------
# Plain, common first and last names, combined by position (never by seed) so
# the list of logins is the same for every seed. 40 and 41 are coprime, so the
# first 1,640 combinations are all different.
_FIRST = (
    "sam", "alex", "priya", "jordan", "maria", "tomas", "aisha", "ben", "chloe",
    "daniel", "elena", "farid", "grace", "hannah", "ivan", "jade", "kofi", "lena",
    "marcus", "nadia", "oscar", "paula", "quinn", "rosa", "simon", "tara", "umar",
    "vera", "wes", "yara", "zoe", "amir", "bella", "carlos", "dana", "erin",
    "felix", "gemma", "hugo", "iris",
)
_LAST = (
    "rivera", "chen", "okafor", "nguyen", "schmidt", "patel", "kowalski", "dubois",
    "haddad", "moreno", "lindqvist", "osei", "tanaka", "murphy", "silva", "novak",
    "ibrahim", "walsh", "costa", "berg", "mensah", "romero", "fischer", "kaur",
    "levy", "petrov", "santos", "quinlan", "ahmed", "jansen", "ortiz", "brennan",
    "yilmaz", "holm", "abara", "ferreira", "reid", "sato", "varga", "wong", "lund",
)


def _names(count: int) -> list[tuple[str, str]]:
    """``count`` distinct (username, display name) pairs, the same every time."""
    out: list[tuple[str, str]] = []
    seen: set[str] = {ADMIN_USERNAME}
    for i in range(count):
        first, last = _FIRST[i % len(_FIRST)], _LAST[i % len(_LAST)]
        base = f"{first}.{last}"
        username, n = base, 1
        while username in seen:
            n += 1
            username = f"{base}{n}"
        seen.add(username)
        out.append((username, f"{first.title()} {last.title()}"))
    return out


# --- notes ------------------------------------------------------------------
# Short, plain and non-identifying: they never name or describe a client.
_NOTES_HEAVY = (
    "Long court day.",
    "Two urgent calls back to back.",
    "Hard visit this afternoon, still thinking about it.",
    "Stayed late to finish a safety plan.",
    "Emergency placement took most of the day.",
)
_NOTES_SUPERVISION = (
    "Supervision helped me sort out priorities.",
    "Good debrief with my supervisor.",
)
_NOTES_PLAIN = (
    "Paperwork backlog.",
    "Quiet day, caught up on case notes.",
    "Travel between visits took most of the day.",
    "Team meeting ran over.",
    "Covered for a colleague who is off.",
    "Took a proper lunch break for once.",
    "Training morning, fewer visits.",
)


# --- generation ---------------------------------------------------------------

def _people(specs: list[TeamSpec]) -> list[Person]:
    names = _names(sum(spec.size for spec in specs))
    leads: dict[str, str] = {}  # team -> username of its lead
    members: list[tuple[str, str, str]] = []
    position = 0
    for spec in specs:
        for k in range(spec.size):
            username, display = names[position]
            position += 1
            members.append((username, display, spec.name))
            if k == 0 and spec.lead_from is None:
                leads[spec.name] = username
    for spec in specs:
        if spec.lead_from is not None:
            if spec.lead_from not in leads:
                raise ValueError(f"Team {spec.name!r}: no lead in team {spec.lead_from!r}")
            leads[spec.name] = leads[spec.lead_from]
    lead_of: dict[str, list[str]] = {}
    for team, username in leads.items():
        lead_of.setdefault(username, []).append(team)
    people = [
        Person(u, d, team, tuple(lead_of.get(u, ()))) for u, d, team in members
    ]
    people.append(Person(ADMIN_USERNAME, "Demo administrator", None, (), True))
    return people


def _check_specs(specs: list[TeamSpec]) -> None:
    names = [spec.name.casefold() for spec in specs]
    if len(set(names)) != len(names):
        raise ValueError("Team names must be different (ignoring case).")
    for spec in specs:
        if spec.size < 1:
            raise ValueError(f"Team {spec.name!r} needs at least one member.")
        if not 1 <= spec.caseload_standard <= 200:
            raise ValueError(f"Team {spec.name!r}: caseload standard must be 1 to 200.")


def generate(
    seed: int = 7,
    days: int = 180,
    end: dt.date | None = None,
    teams: list[TeamSpec] | None = None,
) -> Agency:
    """Generate the demo agency in memory (no database).

    ``days`` calendar days ending on ``end`` (default: yesterday). The same
    ``seed``, ``end`` and ``teams`` always give an identical result; the
    usernames depend only on the team sizes, never on the seed.
    """
    if days < 1:
        raise ValueError("days must be at least 1")
    specs = list(DEFAULT_TEAMS if teams is None else teams)
    _check_specs(specs)
    end = end or (dt.date.today() - dt.timedelta(days=1))
    start = end - dt.timedelta(days=days - 1)
    people = _people(specs)
    workers = [p for p in people if p.team is not None]
    rng = np.random.default_rng(seed)

    n = len(workers)
    total = days + BURN_IN_DAYS
    first = np.datetime64(start, "D") - np.timedelta64(BURN_IN_DAYS, "D")
    calendar = first + np.arange(total)
    weekday = (calendar.astype("int64") + 3) % 7  # 1970-01-01 was a Thursday
    workday = np.broadcast_to(weekday < 5, (n, total))

    # Per-person team parameters.
    index = {spec.name: i for i, spec in enumerate(specs)}
    team_ix = np.array([index[p.team] for p in workers])

    def per_person(attr: str) -> np.ndarray:
        return np.array([float(getattr(spec, attr)) for spec in specs])[team_ix]

    standard = per_person("caseload_standard")
    caseload_factor = per_person("caseload_factor")
    crisis_factor = per_person("crisis_factor")
    trauma_factor = per_person("trauma_factor")
    after_factor = per_person("after_hours_factor")
    supervision_rate = per_person("supervision_rate")
    surge = per_person("surge")

    # Stable traits.
    base_exhaustion = rng.normal(2.6, 0.7, n)
    base_empathy = rng.normal(7.8, 0.7, n)
    base_detachment = rng.normal(1.6, 0.6, n)
    base_intrusion = rng.normal(1.4, 0.5, n)
    base_meaning = rng.normal(7.4, 0.8, n)
    base_recovery = rng.normal(7.0, 0.7, n)
    resilience = np.clip(rng.normal(1.0, 0.15, n), 0.7, 1.4)
    participation = rng.beta(12.0, 3.0, n)  # mean 0.8; leave brings it to ~0.75
    caseload_ratio = caseload_factor * np.exp(rng.normal(0.0, 0.08, n))
    contact_rate = rng.normal(3.6, 0.5, n).clip(2.0, 6.0)
    personal_crisis = np.exp(rng.normal(0.0, 0.2, n))
    personal_trauma = np.exp(rng.normal(0.0, 0.2, n))
    personal_after = np.exp(rng.normal(0.0, 0.3, n))

    # Who surges: ~60% of each surging team (at least three), chosen by seed.
    surging = np.zeros(n, dtype=bool)
    for t, spec in enumerate(specs):
        if spec.surge > 0:
            members = np.flatnonzero(team_ix == t)
            k = min(len(members), max(3, round(0.6 * len(members))))
            surging[rng.choice(members, size=k, replace=False)] = True
    ramp = np.clip((np.arange(total) - (total - SURGE_DAYS)) / SURGE_DAYS, 0.0, 1.0)
    extra = (surge * surging)[:, None] * ramp[None, :]  # (n, total)

    # Leave: a few blocks of 3-10 consecutive days per person.
    on_leave = np.zeros((n, total), dtype=bool)
    blocks = rng.poisson(1.4 * total / 180.0, n)
    for i in np.flatnonzero(blocks):
        starts = rng.integers(0, total, blocks[i])
        lengths = rng.integers(3, 11, blocks[i])
        for s, length in zip(starts, lengths):
            on_leave[i, s : s + length] = True
    working = workday & ~on_leave

    # The showcase person: checks in on most workdays, no leave in the last
    # two months, and a crisis-heavy stretch at the very end.
    incident = np.zeros((n, total))
    showcase = [i for i, p in enumerate(workers) if p.username == SHOWCASE_USERNAME]
    for i in showcase:
        participation[i] = 0.95
        on_leave[i, -60:] = False
        working[i] = workday[i] & ~on_leave[i]
        incident[i, -INCIDENT_DAYS:] = 1.0

    # Caseload: a slow random walk around each person's typical level.
    target = np.maximum(1.0, standard * caseload_ratio)
    # A change happens on ~7% of days (~25% while a surge is piling cases on);
    # it moves back towards the person's level once more than 2 cases away.
    chance = rng.random((n, total))
    sizes = rng.choice(np.array([-2, -1, -1, 1, 1, 2]), size=(n, total))
    caseload = np.empty((n, total))
    level = np.round(target * np.exp(rng.normal(0.0, 0.05, n)))
    for t in range(total):
        goal = target * (1.0 + extra[:, t])
        pull = np.sign(goal - level) * (np.abs(goal - level) > 2)
        step = np.where(pull != 0, pull * np.abs(sizes[:, t]), sizes[:, t])
        moves = chance[:, t] < np.where(extra[:, t] > 0, 0.25, 0.07)
        level = np.clip(np.where(moves, level + step, level), 1, 500)
        caseload[:, t] = level
    ratio = caseload / standard[:, None]

    # The day's work.
    lam = contact_rate[:, None] * np.sqrt(ratio) * working
    contacts = np.minimum(rng.poisson(lam), 30)
    p_crisis = np.clip(0.07 * crisis_factor * personal_crisis, 0, 0.6)[:, None] * (1 + extra + 2 * incident)
    crisis = rng.binomial(contacts, np.clip(p_crisis, 0, 0.9))
    p_trauma = np.clip(0.13 * trauma_factor * personal_trauma, 0, 0.6)[:, None] * (1 + extra + 2 * incident)
    trauma = rng.binomial(contacts, np.clip(p_trauma, 0, 0.9))
    hours = contacts * rng.normal(0.8, 0.15, (n, total)) + rng.normal(0.3, 0.3, (n, total))
    direct_hours = np.where(contacts > 0, np.clip(np.round(hours * 4) / 4, 0.5, 7.5), 0.0)
    p_after = np.clip(0.1 * after_factor * personal_after, 0, 0.85)[:, None] * (1 + extra)
    after = (rng.random((n, total)) < p_after) & working
    after_minutes = np.where(
        after, np.clip(np.round(rng.gamma(2.0, 25.0, (n, total)) / 5) * 5, 5, 480), 0
    ).astype(np.int64)
    supervision = (rng.random((n, total)) < supervision_rate[:, None]) & working
    p_break = np.clip(0.8 - 0.6 * (ratio - 1.0) - 0.08 * crisis, 0.1, 0.9)
    break_taken = (rng.random((n, total)) < p_break) & working

    # Latent strain (fast) and accumulated strain (slow).
    load = (
        0.7
        + 2.5 * np.maximum(ratio - 0.8, 0.0)
        + 0.6 * crisis
        + 0.3 * trauma
        + 0.012 * after_minutes
        - 0.8 * supervision
        - 0.3 * break_taken
    ) / resilience[:, None]
    load = np.maximum(load, 0.0)
    strain = np.empty((n, total))
    slow = np.empty((n, total))
    s = np.full(n, 1.0)
    c = np.full(n, 1.0)
    for t in range(total):
        s = np.where(working[:, t], 0.88 * s + 0.12 * load[:, t], 0.85 * s)
        c = 0.985 * c + 0.015 * s
        strain[:, t] = s
        slow[:, t] = c

    def noise(scale: float) -> np.ndarray:
        return rng.normal(0.0, scale, (n, total))

    trauma_yesterday = np.concatenate([np.zeros((n, 1), dtype=trauma.dtype), trauma[:, :-1]], axis=1)
    after_yesterday = np.concatenate([np.zeros((n, 1), dtype=np.int64), after_minutes[:, :-1]], axis=1)
    off_yesterday = np.concatenate([np.ones((n, 1), dtype=bool), ~working[:, :-1]], axis=1)
    accumulated = np.maximum(slow - 1.0, 0.0)

    def col(values: np.ndarray) -> np.ndarray:  # a per-person trait as a column
        return values[:, None]

    ratings = {
        "exhaustion": col(base_exhaustion) + 1.8 * strain + 0.3 * crisis + noise(0.9),
        "time_pressure": 2.0 + 2.5 * (ratio - 1.0) + 0.7 * strain + 0.15 * contacts + noise(1.0),
        "detachment": col(base_detachment) + 0.7 * strain + 0.8 * accumulated + noise(0.9),
        "intrusion": col(base_intrusion) + 0.5 * trauma + 0.35 * trauma_yesterday
        + 0.5 * strain + noise(0.9),
        "recovery": col(base_recovery) - 1.0 * strain + 1.0 * off_yesterday
        - 0.005 * after_yesterday + noise(1.0),
        "empathy": col(base_empathy) - 0.25 * strain - 1.5 * accumulated - 2.0 * incident
        + noise(0.7),
        "meaning": col(base_meaning) - 0.3 * strain - 0.8 * accumulated
        + 0.4 * supervision + noise(0.8),
    }

    # Who checks in: on working days, by personal propensity.
    checked = working & (rng.random((n, total)) < participation[:, None])
    checked[:, :BURN_IN_DAYS] = False
    rows_p, rows_t = np.nonzero(checked)

    # A few people keep short private notes on some days.
    writer = rng.random(n) < 0.25
    wants_note = writer[rows_p] & (rng.random(len(rows_p)) < 0.12)
    pick = rng.integers(0, 1 << 30, len(rows_p))
    note = np.full(len(rows_p), "", dtype=object)
    heavy = (crisis[rows_p, rows_t] >= 2) | (after_minutes[rows_p, rows_t] >= 60)
    supervised = supervision[rows_p, rows_t]
    for j in np.flatnonzero(wants_note):
        bank = _NOTES_HEAVY if heavy[j] else _NOTES_SUPERVISION if supervised[j] else _NOTES_PLAIN
        note[j] = bank[pick[j] % len(bank)]

    data: dict[str, Any] = {
        "username": np.array([p.username for p in workers], dtype=object)[rows_p],
        "day": pd.to_datetime(calendar[rows_t]).astype("datetime64[ns]"),
    }
    for name in RATINGS:
        data[name] = np.clip(np.rint(ratings[name][rows_p, rows_t]), 0, 10).astype(np.int64)
    data["caseload"] = caseload[rows_p, rows_t].astype(np.int64)
    data["contacts"] = contacts[rows_p, rows_t].astype(np.int64)
    data["crisis_contacts"] = crisis[rows_p, rows_t].astype(np.int64)
    data["trauma_contacts"] = trauma[rows_p, rows_t].astype(np.int64)
    data["direct_hours"] = direct_hours[rows_p, rows_t].astype(float)
    data["after_hours_minutes"] = after_minutes[rows_p, rows_t]
    data["supervision"] = supervision[rows_p, rows_t].astype(bool)
    data["break_taken"] = break_taken[rows_p, rows_t].astype(bool)
    data["note"] = note
    frame = pd.DataFrame(data, columns=["username", "day", *FIELDS])
    frame["note"] = frame["note"].astype(str)

    return Agency(
        teams=specs,
        people=people,
        checkins=frame,
        start=start,
        end=end,
        seed=seed,
        surging=[workers[i].username for i in np.flatnonzero(surging)],
    )


# --- questionnaires --------------------------------------------------------
PROQOL_REVERSED = (1, 4, 15, 17, 29)  # ProQOL 5 burnout items worded positively
PROQOL_ITEMS = {
    "compassion_satisfaction": (3, 6, 12, 16, 18, 20, 22, 24, 27, 30),
    "burnout": (1, 4, 8, 10, 15, 17, 19, 21, 26, 29),
    "secondary_traumatic_stress": (2, 5, 7, 9, 11, 13, 14, 23, 25, 28),
}


def questionnaire_answers(agency: Agency) -> list[dict[str, Any]]:
    """Synthetic questionnaire answers that follow each person's check-ins.

    Every 30 days a ProQOL 5 and every week the single burnout item, for each
    person with check-ins in the 30 (or 7) days before. Answers are option
    positions (1-5) drawn around a level set by the person's recent ratings:
    compassion satisfaction from meaning and empathy, burnout from exhaustion
    and detachment, secondary traumatic stress from intrusion. Deterministic.
    """
    rng = np.random.default_rng(agency.seed + 1)
    out: list[dict[str, Any]] = []
    end = pd.Timestamp(agency.end)
    for username, group in agency.checkins.groupby("username", sort=False):
        for offset in range(0, (agency.end - agency.start).days - 29, 30):
            taken = end - pd.Timedelta(days=offset)
            window = group[(group["day"] > taken - pd.Timedelta(days=30)) & (group["day"] <= taken)]
            if window.empty:
                continue
            level = {  # 1-5 on the ProQOL frequency scale
                "compassion_satisfaction": 1 + (window["meaning"].mean() + window["empathy"].mean()) / 5,
                "burnout": 1 + (window["exhaustion"].mean() + window["detachment"].mean()) / 5,
                "secondary_traumatic_stress": 1 + window["intrusion"].mean() / 2.5,
            }
            answers = {}
            for scale, numbers in PROQOL_ITEMS.items():
                for number in numbers:
                    value = int(np.clip(np.rint(level[scale] + rng.normal(0, 0.6)), 1, 5))
                    answers[number] = 6 - value if number in PROQOL_REVERSED else value
            out.append({"username": username, "instrument_id": "proqol5",
                        "taken_on": taken.date(), "answers": answers})
        for offset in range(0, (agency.end - agency.start).days - 6, 7):
            taken = end - pd.Timedelta(days=offset)
            window = group[(group["day"] > taken - pd.Timedelta(days=7)) & (group["day"] <= taken)]
            if window.empty or rng.random() < 0.3:  # not everyone answers every week
                continue
            value = 1 + window["exhaustion"].mean() / 2.5 + rng.normal(0, 0.4)
            out.append({"username": username, "instrument_id": "single_item_burnout",
                        "taken_on": taken.date(), "answers": {1: int(np.clip(np.rint(value), 1, 5))}})
    return out


# --- writing ----------------------------------------------------------------

def _records(frame: pd.DataFrame) -> list[dict[str, Any]]:
    """Check-in rows as plain Python values, ``day`` as an ISO date."""
    out = frame.drop(columns=["username"]).copy()
    out["day"] = out["day"].dt.strftime("%Y-%m-%d")
    records = out.to_dict("records")
    for record in records:
        for name in FLAGS:
            record[name] = bool(record[name])
    return records


# The demo's support resources: examples, and said to be (no real service has these numbers).
DEMO_SUPPORT = (
    "EXAMPLES ONLY (demo agency): these are not real services. Your agency puts its own here.\n"
    "Employee assistance programme (example): 0800 000 000, 24 hours, free and confidential.\n"
    "Crisis line (example): 000 000 000.\n"
    "In immediate danger: your local emergency number."
)


def load(db: Database, agency: Agency) -> dict[str, int]:
    """Write ``agency`` to ``db``: teams, users, check-ins; return the counts.

    Everything goes through the ordinary validated functions, in one
    transaction: if anything is refused, nothing is written. The demo password
    is hashed once and shared by every demo account.
    """
    hashed = accounts.hash_password(DEMO_PASSWORD)
    today = max(dt.date.today(), agency.end)
    by_user = {name: group for name, group in agency.checkins.groupby("username", sort=False)}
    counts = {"teams": 0, "users": 0, "checkins": 0, "questionnaires": 0}
    user_ids: dict[str, int] = {}
    with write_lock(db):
        for spec in agency.teams:
            accounts.create_team(db, spec.name, caseload_standard=int(spec.caseload_standard))
            counts["teams"] += 1
        for person in agency.people:
            user_id = accounts.create_user(
                db,
                person.username,
                DEMO_PASSWORD,
                team=person.team,
                lead_of=person.lead_of,
                is_admin=person.is_admin,
                display_name=person.display_name,
                password_hash=hashed,
            )
            counts["users"] += 1
            user_ids[person.username] = user_id
            group = by_user.get(person.username)
            if group is not None and len(group):
                counts["checkins"] += checkins.save_checkins(
                    db, user_id, _records(group), today=today
                )
        _as_if_lived(db, list(user_ids.values()), agency.start)
        settings.set_support_resources(db, DEMO_SUPPORT)
        for response in questionnaire_answers(agency):
            questionnaires.save_response(
                db, user_ids[response["username"]], response["instrument_id"],
                response["answers"], taken_on=response["taken_on"], today=today,
            )
            counts["questionnaires"] += 1
    release_due(db)  # release the weeks of the history once, now rather than at the first view
    return counts


def _as_if_lived(db: Database, user_ids: list[int], start: dt.date) -> None:
    """Make the generated history look as if it had been lived: every account
    stood as it stands now from a week before the history begins
    (:mod:`fatigue.membership`), and every check-in was saved through the daily
    form in time, so it counts in team figures (:mod:`fatigue.teamfigures.rules`)."""
    since = dt.datetime.combine(start - dt.timedelta(days=7), dt.time(0), tzinfo=dt.timezone.utc)
    for user_id in user_ids:
        membership.record_state(db, user_id, since)
    db.execute("UPDATE checkins SET counts_for_team = 1")


def build_demo(
    db: Database, seed: int = 7, days: int = 180, end: dt.date | None = None
) -> dict[str, int]:
    """Generate the demo agency and write it to ``db``; return the counts.

    Refuses, with :class:`ValidationError` and writing nothing, a database
    that already has users, so demo data never mixes into real data.
    """
    agency = generate(seed=seed, days=days, end=end)
    with write_lock(db):
        if accounts.has_users(db):
            raise ValidationError(
                {
                    "database": "This database already has accounts; the demo agency "
                    "can only be loaded into a new, empty database."
                }
            )
        return load(db, agency)


# --- bulk loading (benchmarks) ---------------------------------------------

def agency_teams(staff: int, team_size: int = 30) -> list[TeamSpec]:
    """``staff`` people in teams of ``team_size`` (the last one may be smaller).

    The teams cycle through the demo's team profiles (caseload standard and
    how hard each is run), so an agency of any size has the same mix.
    """
    if staff < 1 or team_size < 1:
        raise ValueError("staff and team_size must be at least 1")
    specs = []
    for i, start in enumerate(range(0, staff, team_size)):
        profile = DEFAULT_TEAMS[i % len(DEFAULT_TEAMS)]
        specs.append(TeamSpec(
            f"Team {i + 1:03d}", min(team_size, staff - start),
            caseload_standard=profile.caseload_standard,
            caseload_factor=profile.caseload_factor, crisis_factor=profile.crisis_factor,
            trauma_factor=profile.trauma_factor, after_hours_factor=profile.after_hours_factor,
            supervision_rate=profile.supervision_rate, surge=profile.surge,
        ))
    return specs


def bulk_load(db: Database, agency: Agency, *, chunk: int = 50_000) -> dict[str, int]:
    """Write ``agency`` fast, for benchmarks: accounts through :mod:`fatigue.accounts`,
    check-ins with ``executemany`` in the same single transaction.

    The check-ins are generated in range, so row-by-row validation is skipped
    (the table's CHECK constraints still apply); notes are written empty (they
    would otherwise have to go through the notes cipher); no questionnaires.
    Refuses a database that already has accounts, like :func:`build_demo`.
    """
    hashed = accounts.hash_password(DEMO_PASSWORD)
    frame = agency.checkins
    columns = [name for name in FIELDS if name != "note"]
    sql = (f"INSERT INTO checkins (user_id, day, {', '.join(columns)})"
           f" VALUES ({', '.join('?' for _ in range(len(columns) + 2))})")
    counts = {"teams": 0, "users": 0, "checkins": 0}
    with write_lock(db):
        if accounts.has_users(db):
            raise ValidationError({"database": "bulk_load needs a new, empty database."})
        for spec in agency.teams:
            accounts.create_team(db, spec.name, caseload_standard=int(spec.caseload_standard))
        counts["teams"] = len(agency.teams)
        user_ids = {
            person.username: accounts.create_user(
                db, person.username, DEMO_PASSWORD, team=person.team, lead_of=person.lead_of,
                is_admin=person.is_admin, display_name=person.display_name, password_hash=hashed,
            )
            for person in agency.people
        }
        counts["users"] = len(user_ids)
        ids = frame["username"].map(user_ids).to_numpy(dtype=np.int64)
        days = frame["day"].dt.strftime("%Y-%m-%d").to_numpy(dtype=object)
        values = [frame[name].to_numpy() for name in columns]
        for begin in range(0, len(frame), chunk):
            part = slice(begin, begin + chunk)
            cols = [ids[part].tolist(), days[part].tolist(),
                    *(v[part].astype(float if v.dtype.kind == "f" else np.int64).tolist()
                      for v in values)]
            db.conn.executemany(sql, zip(*cols))
            counts["checkins"] += len(cols[0])
        _as_if_lived(db, list(user_ids.values()), agency.start)
    return counts
