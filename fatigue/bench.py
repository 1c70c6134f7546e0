"""``python -m fatigue bench``: timings at agency scale on a synthetic agency.

Builds the demo generator's agency (``staff`` people in teams of 30, ``days``
days, about 0.55 check-ins per person-day) in a temporary database with the
fast bulk loader, then times, each several times (median, min, max):

- saving one check-in (p50 and p99 over many saves, different people);
- a personal dashboard for one person with ``days`` days: history, baseline,
  signals, suggestions (:func:`fatigue.actions.evaluate`), computed afresh,
  and a rerun served from the data-version cache;
- releasing every week of the history once, for every group (part of the
  build: a week is released once, then only read), and per week;
- the team report of one team of 30 over all its weeks (reading released
  weeks); the organisation report (all teams, weekly and 4-weekly);
- an app process as ``python -m fatigue serve`` starts it: the once-only work
  before it, how soon it answers, its first page; then its pages (home,
  check-in, trends, team, organisation) as a browser sees them, driven over the
  real websocket (:mod:`fatigue.loadtest`), with the process's CPU time for
  each: garbage collection, websocket and all, which an AppTest run leaves out;
- peak memory (RSS) of this process;
- two reference points: a naive team report (the team's check-ins from SQL
  into pandas, then grouped per person-week and week, as one would write it
  without a release store) and the floor (a bare SQLite scan over the team's
  check-ins that the released weeks summarise).

The agency is built in a child process, so the generator's arrays do not count
towards this process's peak memory; that child's peak is reported on its own.
No streamlit import at module level (the browser stand-in is imported in
:func:`_pages`). Visits by many people at once: ``python -m fatigue loadtest``.
"""
from __future__ import annotations

import datetime as dt
import json
import math
import multiprocessing
import queue as queue_module
import os
import resource
import statistics
import subprocess
import tempfile
import time
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any, Callable

TEAM_SIZE = 30
TARGETS_MS: dict[str, float] = {
    "save_checkin_p99": 10.0,
    "personal_dashboard": 50.0,
    "team_report": 50.0,
    "org_report": 1000.0,
    "app_process_ready": 2000.0,
    "page_home": 1000.0,
    "page_checkin": 1000.0,
    "page_trends": 1000.0,
    "page_team": 1000.0,
    "page_organisation": 1000.0,
}
TARGET_RSS_MB = 400.0
TARGET_SPEEDUP = 10.0
TARGET_FLOOR_RATIO = 3.0
PAGES = {"page_home": "", "page_checkin": "checkin", "page_trends": "trends", "page_team": "team",
         "page_organisation": "organisation"}
PAGE_NOTES = {
    "page_home": "a page load as a lead: new session, home page",
    "page_checkin": "the lead moves to the check-in page",
    "page_trends": "then to My trends",
    "page_team": "then to My team",
    "page_organisation": "an admin, in a new session, opens Organisation",
}


@dataclass
class Figure:
    """One measured figure: ``value`` (the median, or the named percentile) in ``unit``."""

    name: str
    value: float
    unit: str = "ms"
    low: float | None = None  # min over the runs
    high: float | None = None  # max over the runs
    runs: int = 1
    target: float | None = None
    note: str = ""

    @property
    def ok(self) -> bool | None:
        if self.target is None:
            return None
        return self.value <= self.target

    def as_dict(self) -> dict[str, Any]:
        out = asdict(self)
        out["ok"] = self.ok
        return {k: (round(v, 3) if isinstance(v, float) else v) for k, v in out.items()}


def _timed(fn: Callable[[], Any], runs: int, setup: Callable[[], Any] | None = None) -> list[float]:
    """Milliseconds of ``fn()`` over ``runs`` runs (``setup`` before each, not timed)."""
    out = []
    for _ in range(runs):
        if setup is not None:
            setup()
        start = time.perf_counter()
        fn()
        out.append((time.perf_counter() - start) * 1000.0)
    return out


def _figure(name: str, samples: list[float], note: str = "", **kwargs: Any) -> Figure:
    return Figure(name, statistics.median(samples), low=min(samples), high=max(samples),
                  runs=len(samples), target=TARGETS_MS.get(name), note=note, **kwargs)


def percentile(samples: list[float], q: float) -> float:
    """The ``q``-th percentile (0-100) by the nearest-rank method."""
    ordered = sorted(samples)
    rank = max(1, math.ceil(q / 100.0 * len(ordered)))
    return ordered[rank - 1]


def _peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0  # KiB on Linux


# --------------------------------------------------------------------- build

def build(path: str, staff: int, days: int, seed: int) -> dict[str, Any]:
    """Generate the agency and bulk-load it into a new database at ``path``."""
    from fatigue import demo
    from fatigue.db import connect
    from fatigue.teamfigures.release import release_due

    start = time.perf_counter()
    agency = demo.generate(seed=seed, days=days, teams=demo.agency_teams(staff, TEAM_SIZE))
    generated = time.perf_counter()
    db = connect(path)
    try:
        counts = demo.bulk_load(db, agency)
        db.execute("ANALYZE")
        loaded = time.perf_counter()
        weeks = release_due(db)
        released = time.perf_counter()
    finally:
        db.close()
    return {
        **counts,
        "generate_s": generated - start,
        "load_s": loaded - generated,
        "release_s": released - loaded,
        "weeks_released": weeks,
        "build_peak_rss_mb": _peak_rss_mb(),
    }


def _build_child(path: str, staff: int, days: int, seed: int, queue: Any) -> None:
    try:
        queue.put(build(path, staff, days, seed))
    except BaseException as exc:  # reported by the parent
        queue.put({"error": repr(exc)})


def build_in_child(path: str, staff: int, days: int, seed: int) -> dict[str, Any]:
    """:func:`build` in a fresh process (its memory is not this process's)."""
    ctx = multiprocessing.get_context("spawn")
    queue = ctx.Queue()
    child = ctx.Process(target=_build_child, args=(path, staff, days, seed, queue))
    child.start()
    while True:  # a child that dies without a word must not hang the parent
        try:
            result = queue.get(timeout=1.0)
            break
        except queue_module.Empty:
            if not child.is_alive():
                raise RuntimeError(
                    f"Building the benchmark agency failed: the child process ended "
                    f"with exit code {child.exitcode} and no result."
                ) from None
    child.join()
    if "error" in result:
        raise RuntimeError(f"Building the benchmark agency failed: {result['error']}")
    return result


# --------------------------------------------------------------- workloads

def _pick(db: Any) -> dict[str, Any]:
    """The first team, its lead, the admin and the member with the most check-ins."""
    team_id, lead_id = db.execute(
        "SELECT team_id, user_id FROM team_members WHERE lead = 1 AND home = 1"
        " ORDER BY team_id LIMIT 1").fetchone()
    admin_id = db.execute("SELECT id FROM users WHERE is_admin = 1 LIMIT 1").fetchone()[0]
    person_id = db.execute(
        "SELECT c.user_id FROM checkins c JOIN team_members m ON m.user_id = c.user_id"
        " WHERE m.team_id = ? AND m.home = 1 AND m.lead = 0"
        " GROUP BY c.user_id ORDER BY count(*) DESC, c.user_id LIMIT 1", [team_id]).fetchone()[0]
    first, last = db.execute(
        "SELECT min(c.day), max(c.day) FROM checkins c JOIN team_members m"
        " ON m.user_id = c.user_id WHERE m.team_id = ? AND m.home = 1", [team_id]).fetchone()
    return {"team_id": team_id, "lead_id": lead_id, "admin_id": admin_id,
            "person_id": person_id, "first": dt.date.fromisoformat(first),
            "last": dt.date.fromisoformat(last)}


def _saves(db: Any, today: dt.date, count: int) -> list[float]:
    """Milliseconds per save: ``count`` saves of a full check-in for different
    people (half new days, half updates of the same days)."""
    from fatigue import checkins

    ids = [row[0] for row in db.execute(
        "SELECT id FROM users WHERE is_admin = 0 ORDER BY id LIMIT ?", [max(1, count // 2)])]
    values = {"exhaustion": 6, "empathy": 6, "detachment": 3, "intrusion": 2, "meaning": 7,
              "recovery": 5, "time_pressure": 6, "caseload": 18, "contacts": 4,
              "crisis_contacts": 1, "trauma_contacts": 1, "direct_hours": 3.5,
              "after_hours_minutes": 20, "supervision": False, "break_taken": True, "note": ""}
    out: list[float] = []
    for round_ in range(2):
        for user_id in ids:
            if len(out) >= count:
                break
            entered = {**values, "exhaustion": 4 + round_}
            out += _timed(lambda: checkins.save_checkin(db, user_id, today, today=today,
                                                        **entered), 1)
    return out


def naive_team_report(db: Any, team_id: int, first: dt.date, last: dt.date) -> Any:
    """The straightforward way: the team's check-ins from SQL into pandas, then
    person-week means and the mean over people per week. A reference point only."""
    import pandas as pd

    columns = ["exhaustion", "empathy", "detachment", "intrusion", "meaning", "recovery",
               "time_pressure", "caseload", "contacts", "crisis_contacts", "trauma_contacts",
               "after_hours_minutes", "supervision"]
    frame = pd.read_sql_query(
        f"SELECT c.user_id, c.day, {', '.join('c.' + name for name in columns)}"
        " FROM checkins c JOIN team_members m ON m.user_id = c.user_id AND m.home = 1"
        " WHERE m.team_id = ? AND c.day BETWEEN ? AND ?",
        db.conn, params=[team_id, first.isoformat(), last.isoformat()])
    frame["day"] = pd.to_datetime(frame["day"])
    team = frame.assign(week=frame["day"].dt.to_period("W-SUN"))
    person = team.groupby(["week", "user_id"])[columns].mean()
    return person.groupby(level="week").agg(["mean", "count"])


FLOOR_SQL = (
    "SELECT count(*), sum(c.exhaustion), sum(c.empathy), sum(c.detachment), sum(c.intrusion),"
    " sum(c.meaning), sum(c.recovery), sum(c.time_pressure), sum(c.caseload), sum(c.contacts),"
    " sum(c.crisis_contacts), sum(c.trauma_contacts), sum(c.after_hours_minutes),"
    " sum(c.supervision) FROM team_members m JOIN checkins c ON c.user_id = m.user_id"
    " WHERE m.team_id = ? AND m.home = 1 AND c.day >= ? AND c.day <= ?"
)


def _pages(path: str, lead: str, admin: str, password: str,
           runs: int) -> tuple[dict[str, list[float]], dict[str, list[float]]]:
    """Milliseconds of each page on a real app process, as a person's browser sees them
    (wall time from the request to the end of the script run) and as the process's CPU
    time; the home page includes the page load and the new Streamlit session.

    The process is ``streamlit run server.py`` as ``python -m fatigue serve`` starts it
    (production settings, :mod:`fatigue.loadtest.harness`), driven over its websocket by
    the load test's browser stand-in. Each run opens a new session for the lead (home,
    check-in, trends, team) and for the admin (organisation), as a visit does; a first
    run, not counted, warms the process up (its first page runs import the page modules).
    """
    from fatigue.loadtest import harness
    from fatigue.loadtest.client import Browser

    with tempfile.TemporaryDirectory(prefix="fatigue-bench-server-") as folder:
        deployment = harness.start(Path(path), 1, Path(folder), proxy=False)
        try:
            pid = deployment.app_pids()[deployment.ports[0]]

            def cpu() -> float:
                used = harness.usage(pid)
                return 0.0 if used is None else used.cpu_seconds

            people = {lead: Browser(deployment.url), admin: Browser(deployment.url)}
            for username, browser in people.items():
                browser.sign_in(username, password)
            wall: dict[str, list[float]] = {name: [] for name in PAGES}
            used: dict[str, list[float]] = {name: [] for name in PAGES}
            for round_ in range(runs + 1):
                people[admin].open("/")
                for name, page in PAGES.items():
                    browser = people[admin if page == "organisation" else lead]
                    before = cpu()
                    seconds = browser.open("/") if page == "" else browser.goto(page)
                    if round_:
                        wall[name].append(seconds * 1000.0)
                        used[name].append((cpu() - before) * 1000.0)
        finally:
            deployment.stop()
    return wall, used


def _start_up(path: str, username: str, password: str) -> list[Figure]:
    """What ``python -m fatigue serve`` does once before the app processes start
    (the health check and upgrade), then how soon one app process answers, and its
    first page (a sign-in and the home page, importing the page modules)."""
    from fatigue import serve
    from fatigue.db import ROOT
    from fatigue.loadtest.client import Browser
    from fatigue.loadtest.harness import free_ports

    start = time.perf_counter()
    prepared = serve.prepare(path)
    prepared_at = time.perf_counter()
    port = free_ports(1)[0]
    process = subprocess.Popen(serve.app_command(port, "127.0.0.1"), cwd=ROOT,
                               env={**os.environ, **prepared.env},
                               stdout=subprocess.DEVNULL, stderr=subprocess.STDOUT)
    try:
        launched = time.perf_counter()
        while not serve.healthy("127.0.0.1", port):
            if process.poll() is not None or time.perf_counter() - launched > 120:
                raise RuntimeError("The app process for the bench did not start.")
            time.sleep(0.02)
        ready = time.perf_counter()
        browser = Browser(f"http://127.0.0.1:{port}")
        browser.sign_in(username, password)
        first_page = browser.open("/")
        browser.close()
    finally:
        process.terminate()
        process.wait(timeout=30)
    return [
        Figure("serve_prepare", (prepared_at - start) * 1000.0,
               note="once before the processes start: health check, schema, key"),
        Figure("app_process_ready", (ready - launched) * 1000.0, target=TARGETS_MS["app_process_ready"],
               note="from starting an app process to its health check answering"),
        Figure("first_page", first_page * 1000.0,
               note="its first page: home, importing the page modules"),
    ]


def run(
    staff: int = 2000, days: int = 730, seed: int = 7, *, runs: int = 5, saves: int = 200,
    pages: bool = True, progress: Callable[[str], None] | None = None,
) -> list[Figure]:
    """Build the agency in a temporary folder, measure, return the figures."""
    from fatigue import actions, analytics, checkins, demo
    from fatigue.db import connect
    from fatigue.teamfigures import reports
    from fatigue.teamfigures.periods import MAX_PERIODS, week_start

    say = progress or (lambda _text: None)
    figures: list[Figure] = []
    with tempfile.TemporaryDirectory(prefix="fatigue-bench-") as folder:
        path = str(Path(folder) / "bench.db")
        say(f"building {staff} staff x {days} days ...")
        built = build_in_child(path, staff, days, seed)
        figures += [
            Figure("checkins", float(built["checkins"]), "rows", note=f"{built['users']} users, "
                   f"{built['teams']} teams"),
            Figure("build_generate", built["generate_s"] * 1000.0),
            Figure("build_load", built["load_s"] * 1000.0, note="bulk insert, one transaction"),
            Figure("build_release", built["release_s"] * 1000.0,
                   note=f"{built['weeks_released']} weeks released once, every group"),
            Figure("release_per_week", built["release_s"] * 1000.0 / max(built["weeks_released"], 1),
                   note="one week for every group, the work of the first view after a week closes"),
            Figure("build_peak_rss", built["build_peak_rss_mb"], "MB",
                   note="the child process that generated and loaded the agency"),
        ]
        db = connect(path)
        today = dt.date.today()
        picked = _pick(db)
        team_id, lead_id, person_id = picked["team_id"], picked["lead_id"], picked["person_id"]
        weeks = min(MAX_PERIODS, (today - picked["first"]).days // 7 + 2)

        say("saving check-ins ...")
        samples = _saves(db, today, saves)
        figures.append(Figure("save_checkin_p50", percentile(samples, 50), low=min(samples),
                              high=max(samples), runs=len(samples)))
        figures.append(Figure("save_checkin_p99", percentile(samples, 99), low=min(samples),
                              high=max(samples), runs=len(samples),
                              target=TARGETS_MS["save_checkin_p99"]))

        say("personal dashboard ...")
        history_days = len(checkins.load_history(db, person_id))
        figures.append(_figure(
            "personal_dashboard",
            _timed(lambda: actions.evaluate(db, person_id, today), runs),
            note=f"one person, {history_days} check-ins: history, baseline, signals, suggestions"))
        cache: dict[str, Any] = {}

        def cached_dashboard() -> None:  # what a page rerun does (fatigue.pages._cache)
            key = (person_id, analytics.data_version(db, person_id), today)
            if cache.get("key") != key:
                cache.update(key=key, value=actions.evaluate(db, person_id, today))

        cached_dashboard()
        figures.append(_figure("personal_dashboard_rerun", _timed(cached_dashboard, runs),
                               note="served from the cache keyed by the data version"))

        say("team and organisation reports ...")

        def team_report() -> None:
            reports.team_report(db, team_id, "week", viewer_id=lead_id, periods=weeks)

        figures.append(_figure("team_report", _timed(team_report, runs),
                               note=f"one team of {TEAM_SIZE}, {weeks} weeks, released weeks read"))

        def org_report() -> None:
            reports.org_report(db, "week", viewer_id=picked["admin_id"])
            reports.org_report(db, "4week", viewer_id=picked["admin_id"])

        figures.append(_figure("org_report", _timed(org_report, runs),
                               note="all teams, the last 8 weeks and 6 4-week periods"))

        if pages:
            say("an app process and its pages ...")
            names = dict(db.execute("SELECT id, username FROM users WHERE id IN (?, ?)",
                                    [lead_id, picked["admin_id"]]).fetchall())
            lead, admin = names[lead_id], names[picked["admin_id"]]
            # Closed meanwhile: serve's start-up check reads the file's header in this
            # process, and closing that file drops this connection's SQLite locks (POSIX
            # locks are per process): an app process could then remove the WAL under it.
            db.close()
            figures += _start_up(path, lead, demo.DEMO_PASSWORD)
            wall, used = _pages(path, lead, admin, demo.DEMO_PASSWORD, runs)
            for name in PAGES:
                figures.append(_figure(name, wall[name], note=PAGE_NOTES[name]))
                figures.append(_figure(f"{name}_cpu", used[name],
                                       note="the app process's CPU time for it"))
            db = connect(path)
        figures.append(Figure("peak_rss", _peak_rss_mb(), "MB", target=TARGET_RSS_MB,
                              note="this process, before the naive reference"))

        say("reference points ...")
        first = week_start(picked["first"])
        last = week_start(today) + dt.timedelta(days=6)
        naive = _timed(lambda: naive_team_report(db, team_id, first, last), max(1, min(runs, 3)))
        figures.append(_figure("naive_team_report", naive,
                               note="the team's check-ins into pandas, then grouped"))
        floor = _timed(lambda: db.execute(
            FLOOR_SQL, [team_id, first.isoformat(), last.isoformat()]).fetchall(), runs)
        figures.append(_figure("floor_scan", floor,
                               note="bare SQLite scan of the team's check-ins in the report's range"))
        figures.append(Figure("peak_rss_with_naive", _peak_rss_mb(), "MB"))
        db.close()
    team = next(f for f in figures if f.name == "team_report").value
    figures.append(Figure("team_report_speedup_vs_naive",
                          statistics.median(naive) / team, "x", note=f"target >= {TARGET_SPEEDUP:g}"))
    figures.append(Figure("team_report_ratio_to_floor", team / statistics.median(floor), "x",
                          target=TARGET_FLOOR_RATIO))
    return figures


def table(figures: list[Figure]) -> str:
    """The figures as a plain-text table."""
    lines = [f"{'figure':<30} {'median':>11} {'min':>9} {'max':>9} {'runs':>5} {'target':>8}  ok"]
    for f in figures:
        def num(value: float | None) -> str:
            return "" if value is None else f"{value:.1f}" if f.unit != "rows" else f"{value:.0f}"
        target = "" if f.target is None else f"{f.target:g}"
        if f.name == "team_report_speedup_vs_naive":
            target, ok = f">={TARGET_SPEEDUP:g}", ("yes" if f.value >= TARGET_SPEEDUP else "NO")
        else:
            ok = "" if f.ok is None else ("yes" if f.ok else "NO")
        lines.append(f"{f.name:<30} {num(f.value) + ' ' + f.unit:>11} {num(f.low):>9} "
                     f"{num(f.high):>9} {f.runs:>5} {target:>8}  {ok:<3} {f.note}")
    return "\n".join(lines)


def json_lines(figures: list[Figure]) -> str:
    """One JSON object per figure, then the summary object the issue asks for."""
    by_name = {f.name: f.value for f in figures}
    summary = {
        "team_report_speedup_vs_naive": round(by_name["team_report_speedup_vs_naive"], 2),
        "team_report_ratio_to_floor": round(by_name["team_report_ratio_to_floor"], 2),
    }
    rows = [json.dumps(f.as_dict()) for f in figures
            if f.name not in ("team_report_speedup_vs_naive", "team_report_ratio_to_floor")]
    return "\n".join([*rows, json.dumps(summary)])
