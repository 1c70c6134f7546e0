"""Team-level suggestions from the shown rows of a team report (pure).

They are about the team's conditions of work (caseloads, exposure, after-hours
work, supervision), never about any person, and each says which released
figures led to it and the guidance it rests on.
"""
from __future__ import annotations

import math
from typing import Any

import pandas as pd

from fatigue.teamfigures.periods import VIEW_NAMES

HIGH_STRAIN_ALERT_PCT = 30  # share of respondents in high strain
CASELOAD_ALERT_PCT = 110  # mean caseload against the team's standard
EXPOSURE_RISE = 1.25  # latest period against the mean of up to 4 before it
EXPOSURE_MIN_RISE = {"crisis_contacts_per_day": 0.2, "trauma_contacts_per_day": 0.2}
AFTER_HOURS_COMMON_PCT = 40  # share with 15+ minutes after hours per check-in day
AFTER_HOURS_MEAN_MINUTES = 30
# Share of people with supervision or a debrief in a week, averaged over the
# weeks shown (monthly supervision for everyone is about a quarter a week).
SUPERVISION_TARGET_PCT = 30

SOURCES = {
    "caseload": (
        "CWLA recommended caseload standards (1999: 12 active investigations a month or 17 "
        "active ongoing families per worker); NASW Standards for Social Work Case Management "
        "(2013): workload sustainability."
    ),
    "sts": (
        "NCTSN guidance on secondary traumatic stress: reflective supervision, debriefing after "
        "exposure to distressing events, balancing traumatic cases within a workload, buddy systems."
    ),
    "after_hours": (
        "Blake et al. (2024), work-related smartphone use during off-job hours and work-life "
        "conflict: a scoping review (PLOS Digital Health); NASW Standards for Social Work Case "
        "Management (2013)."
    ),
    "supervision": (
        "NASW/ASWB Best Practice Standards in Social Work Supervision (2013): administrative, "
        "educational and supportive supervision; UK employer standards for social work "
        "supervision (at least monthly for experienced staff)."
    ),
}


# Each team suggestion: what it is, its steps, the report figures it aims to
# move (what a team action plan follows up, :mod:`fatigue.team_actions`) and
# the guidance it rests on. When it is offered, and why, is decided below.
CATALOGUE: dict[str, dict[str, Any]] = {
    "caseload_review": {
        "title": "Review the team's caseloads together",
        "steps": [
            "Compare current caseloads with the team's caseload standard and the "
            "complexity of the cases.",
            "Agree which work can be paused, shared or reallocated, and raise "
            "unallocated work with management.",
            "Protect time for recording and travel when planning allocations.",
            "Look at the team figures again after two more periods.",
        ],
        "aims": ["caseload_vs_standard_pct", "high_strain_share_pct", "exhaustion"],
        "source": SOURCES["caseload"],
    },
    "team_debrief": {
        "title": "Offer a team debrief or reflective group supervision",
        "steps": [
            "Offer a team debrief soon, led by someone trained in reflective practice.",
            "Check that recent crisis and trauma-heavy work is spread across the team.",
            "Pair people up (buddy system) after distressing visits.",
            "Remind everyone of the support available (EAP, peer support).",
        ],
        "aims": ["intrusion", "exhaustion", "supervision_share_pct"],
        "source": SOURCES["sts"],
    },
    "after_hours_policy": {
        "title": "Agree an after-hours contact policy or an on-call rota",
        "steps": [
            "Agree when messages and calls outside hours are expected, and when not.",
            "Set up or review an on-call rota so urgent contacts are covered by one "
            "person at a time.",
            "Make sure after-hours time is recorded and taken back as time off.",
        ],
        "aims": ["after_hours_share_pct", "after_hours_minutes_per_day", "exhaustion"],
        "source": SOURCES["after_hours"],
    },
    "supervision_coverage": {
        "title": "Make sure everyone gets regular supervision",
        "steps": [
            "Book regular supervision for everyone (at least monthly; more often for "
            "newly qualified staff), and protect the time.",
            "Include supportive supervision, not only case management.",
            "Offer short debriefs after difficult visits between sessions.",
        ],
        "aims": ["supervision_share_pct", "exhaustion"],
        "source": SOURCES["supervision"],
    },
}


def _suggestion(suggestion_id: str, reason: str) -> dict[str, Any]:
    entry = CATALOGUE[suggestion_id]
    return {"id": suggestion_id, "title": entry["title"], "reason": reason,
            "steps": list(entry["steps"]), "aims": list(entry["aims"]),
            "source": entry["source"]}


def _fmt(value: float, unit: str = "") -> str:
    return f"{value:g}{unit}"


def team_suggestions(report: pd.DataFrame) -> list[dict[str, Any]]:
    """Team-level suggestions from the shown rows of a report (pure).

    Each is a dict ``id``, ``title``, ``reason`` (the aggregates that led to
    it), ``steps`` (a list of practical steps), ``aims`` (the report figures
    it aims to move) and ``source``. They are about the team's conditions of
    work, never about any person.
    """
    if report is None or report.empty or "shown" not in report:
        return []
    shown = report[report["shown"].astype(bool)].sort_values("period_start")
    if shown.empty:
        return []
    period = str(shown["period"].iloc[-1])
    name = VIEW_NAMES.get(period, "period")
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
            out.append(_suggestion(
                "caseload_review",
                f"In the last two {name}s with results ({labels}), " + "; and ".join(parts)
                + ". This points to the amount of work, not to anyone's resilience."))

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
        out.append(_suggestion(
            "team_debrief",
            f"In {last['label']}, " + " and ".join(rising) + ". Exposure to distressing "
            "material adds up across a team, and talking it through together helps."))

    # 3. After-hours work is common.
    ah_share = float(last["after_hours_share_pct"])
    ah_mean = float(last["after_hours_minutes_per_day"])
    if ah_share >= AFTER_HOURS_COMMON_PCT or ah_mean >= AFTER_HOURS_MEAN_MINUTES:
        out.append(_suggestion(
            "after_hours_policy",
            f"In {last['label']}, {last['after_hours_share_text']} of the people checking in "
            "worked outside scheduled hours on a typical day (15 minutes or more), about "
            f"{_fmt(ah_mean)} minutes a day per person on average."))

    # 4. Supervision coverage below target.
    window = shown.tail(1 if period != "week" else 4)
    coverage = float(window["supervision_share_pct"].mean())
    if coverage < SUPERVISION_TARGET_PCT:
        out.append(_suggestion("supervision_coverage", (
            f"In {last['label']}, on average about {_fmt(round(coverage))}% of the people "
            "checking in had supervision or a debrief in a week"
            if period != "week" else
            f"Over the last {len(window)} weeks with results, on average about "
            f"{_fmt(round(coverage))}% of the people checking in had supervision or a "
            "debrief in a week"
        ) + f"; the target used here is {SUPERVISION_TARGET_PCT}% a week."))
    return out
