"""``python -m fatigue loadtest``: simulated people visiting the app through the proxy.

Each simulated person is a thread with a browser stand-in of its own
(:class:`~fatigue.loadtest.client.Browser`) and an account of its own, and
repeats what a case manager does at the end of a day, ``think`` seconds
apart (a person reading):

1. **sign in**: the sign-in form (argon2id checks the password); with
   ``keep_signed_in`` only on the person's first visit, as a kept cookie would;
2. **open**: load the app (a new Streamlit session on the process the cookie
   routes to) and its home page;
3. **check-in page**;
4. **save**: a check-in with a random exhaustion rating (the page must thank them);
5. **trends**: My trends.

A step is timed from the request to the end of the script run it caused. A
step that fails (an error on the page, an HTTP error, a lost connection, no
thanks after saving) counts as an error and ends that visit. Afterwards
every confirmed save is looked up in the database: the rating last confirmed
for each person must be the one stored (no lost save). Through a test proxy
that names its upstream (``show_upstream``), each visit's page load and
websocket must have reached one app process (sessions stick).

Bounded: at most :data:`MAX_PEOPLE` people for at most :data:`MAX_SECONDS`,
only against this host (:func:`fatigue.loadtest.harness.loopback_only`).
"""
from __future__ import annotations

import collections
import datetime as dt
import json
import random
import sqlite3
import tempfile
import threading
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any, Callable

from fatigue.loadtest.client import Browser, VisitError
from fatigue.loadtest.harness import Deployment, loopback_only, start

STEPS = ("sign in", "open", "check-in page", "save", "trends")
MAX_PEOPLE = 200
MAX_SECONDS = 3600
MAX_PROCESSES = 16
PERSON_SQL = (
    "SELECT u.username FROM users u JOIN team_members m ON m.user_id = u.id AND m.home = 1"
    " WHERE u.is_admin = 0 AND u.active = 1 AND NOT EXISTS"
    " (SELECT 1 FROM team_members l WHERE l.user_id = u.id AND l.lead = 1) ORDER BY u.id LIMIT ?"
)


def percentile(samples: list[float], q: float) -> float:
    """The ``q``-th percentile (0-100) by the nearest-rank method."""
    from fatigue.bench import percentile as nearest_rank

    return nearest_rank(samples, q)


@dataclass
class Outcome:
    """What the simulated people did and saw."""

    samples: dict[str, list[float]] = field(default_factory=lambda: {s: [] for s in STEPS})
    visits: int = 0
    elapsed: float = 0.0
    errors: list[str] = field(default_factory=list)
    saved: dict[str, tuple[str, int, bool]] = field(default_factory=dict)  # name -> day, value, sure
    sticky: int = 0  # visits whose page load and websocket reached one process
    routed: int = 0  # visits whose process was named by the proxy
    served: collections.Counter = field(default_factory=collections.Counter)  # process -> visits
    lock: threading.Lock = field(default_factory=threading.Lock, repr=False)


def option(widget: Any, value: int) -> str:
    """The text of the option for rating ``value`` (a segmented control's "7", a select
    slider's "0 not drained at all")."""
    chosen = widget.options[value]
    return getattr(chosen, "content", chosen)


def visit(browser: Browser, username: str, password: str, rng: random.Random, think: float,
          outcome: Outcome, *, sign_in: bool) -> None:
    """One visit (the module doc); raises on the first step that fails."""
    def step(name: str, work: Callable[[], float | None]) -> None:
        start = time.perf_counter()
        try:
            work()
        except Exception as exc:  # the report names the step that failed, and why
            cause = f" ({exc.__cause__!r})" if exc.__cause__ is not None else ""
            raise VisitError(f"{name}: {exc}{cause}") from exc
        taken = time.perf_counter() - start
        with outcome.lock:
            outcome.samples[name].append(taken)
        time.sleep(think)

    browser.upstreams.clear()
    if sign_in:
        step("sign in", lambda: browser.sign_in(username, password))
        browser.upstreams.clear()  # the form is not routed by a session yet
    step("open", lambda: browser.open("/"))
    if not browser.run.shows("Hello,"):
        raise VisitError("open: the home page did not greet the person")
    step("check-in page", lambda: browser.goto("checkin"))
    value = rng.randint(0, 10)
    button = "Update check-in" if browser.run.shows("Update check-in") else "Save check-in"
    day = dt.datetime.now(dt.timezone.utc).date().isoformat()
    with outcome.lock:  # unknown until the page says so: a failed save is not checked
        outcome.saved[username] = (day, value, False)
    step("save", lambda: browser.submit(button, {  # the two ratings the form needs
        label: option(browser.run.widget(label), value) for label in ("Exhaustion", "Empathy")}))
    if not browser.run.shows("Thank you."):
        raise VisitError("save: the page did not confirm the save")
    with outcome.lock:
        outcome.saved[username] = (day, value, True)
    step("trends", lambda: browser.goto("trends"))
    if not browser.run.shows("My trends"):
        raise VisitError("trends: the page did not show My trends")
    browser.close()
    with outcome.lock:
        outcome.visits += 1
        if browser.upstreams:
            outcome.routed += 1
            outcome.sticky += len(set(browser.upstreams)) == 1
            outcome.served[browser.upstreams[0]] += 1


def simulate(url: str, people: list[str], password: str, *, seconds: float, think: float,
             keep_signed_in: bool = False, seed: int = 1) -> Outcome:
    """``people`` visiting ``url`` again and again for ``seconds`` (the module doc)."""
    loopback_only(url)
    outcome = Outcome()
    begin = time.monotonic()
    end = begin + seconds

    def person(index: int, username: str) -> None:
        rng = random.Random(seed * 1000 + index)
        browser = Browser(url)
        time.sleep(rng.uniform(0, max(think, 0.2) * len(STEPS)))  # not all at once
        first = True
        while time.monotonic() < end:
            try:
                visit(browser, username, password, rng, think, outcome,
                      sign_in=first or not keep_signed_in)
                first = False
            except Exception as exc:  # noqa: BLE001 - every failure is reported
                with outcome.lock:
                    outcome.errors.append(f"{username}: {exc}")
                browser.close()
                first = True
                time.sleep(think)

    threads = [threading.Thread(target=person, args=(i, name), daemon=True)
               for i, name in enumerate(people)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=seconds + 600)
    outcome.elapsed = time.monotonic() - begin
    return outcome


def lost_saves(db_path: Path, saved: dict[str, tuple[str, int, bool]]) -> tuple[int, list[str]]:
    """How many confirmed saves were checked, and those not found in the database."""
    conn = sqlite3.connect(db_path)
    try:
        checked, lost = 0, []
        for username, (day, value, sure) in sorted(saved.items()):
            if not sure:
                continue
            row = conn.execute(
                "SELECT c.exhaustion FROM checkins c JOIN users u ON u.id = c.user_id"
                " WHERE u.username = ? AND c.day = ?", [username, day]).fetchone()
            checked += 1
            if row is None or row[0] != value:
                lost.append(f"{username} {day}: saved {value}, stored {row[0] if row else 'nothing'}")
        return checked, lost
    finally:
        conn.close()


def accounts(db_path: Path, count: int) -> list[str]:
    """``count`` case managers of the agency (not leads, not admins)."""
    conn = sqlite3.connect(db_path)
    try:
        names = [row[0] for row in conn.execute(PERSON_SQL, [count])]
    finally:
        conn.close()
    if len(names) < count:
        raise ValueError(f"The agency has {len(names)} case managers; {count} are needed.")
    return names


@dataclass
class Report:
    """A load test's figures (what :func:`text` prints)."""

    people: int
    processes: int
    proxy: bool
    seconds: float
    think: float
    keep_signed_in: bool
    visits: int
    visits_per_second: float
    steps: dict[str, dict[str, float]]  # step -> count, p50, p95, p99, max (seconds)
    errors: list[str]
    saves_checked: int
    saves_lost: list[str]
    sticky: int  # visits whose page load and websocket reached one process...
    routed: int  # ...of the visits whose process the (test) proxy named
    served: dict[str, int]  # process -> visits
    cpu_seconds_per_visit: float | None
    memory_mb: dict[str, float]  # port -> resident memory at the end
    peak_memory_mb: dict[str, float]

    @property
    def ok(self) -> bool:
        """Visits made, none failed, no save lost, every named visit on one process."""
        return (self.visits > 0 and not self.errors and not self.saves_lost
                and self.sticky == self.routed)


def report(outcome: Outcome, deployment: Deployment | None, before: dict, after: dict, *,
           people: int, processes: int, seconds: float, think: float,
           keep_signed_in: bool, checked: int, lost: list[str]) -> Report:
    steps = {}
    for name, samples in outcome.samples.items():
        if samples:
            steps[name] = {"count": len(samples), "p50": percentile(samples, 50),
                           "p95": percentile(samples, 95), "p99": percentile(samples, 99),
                           "max": max(samples)}
    cpu = sum(after[p].cpu_seconds - before[p].cpu_seconds for p in after if p in before)
    return Report(
        people=people, processes=processes, proxy=bool(deployment and deployment.nginx),
        seconds=round(outcome.elapsed, 1), think=think, keep_signed_in=keep_signed_in,
        visits=outcome.visits, visits_per_second=outcome.visits / outcome.elapsed if outcome.elapsed else 0.0,
        steps=steps, errors=outcome.errors, saves_checked=checked, saves_lost=lost,
        sticky=outcome.sticky, routed=outcome.routed,
        served=dict(outcome.served),
        cpu_seconds_per_visit=cpu / outcome.visits if outcome.visits and before else None,
        memory_mb={str(p): round(u.rss_mb, 1) for p, u in after.items()},
        peak_memory_mb={str(p): round(u.peak_rss_mb, 1) for p, u in after.items()},
    )


def text(result: Report) -> str:
    """The report as a plain-text table."""
    how = "behind nginx" if result.proxy else "without a proxy"
    lines = [
        f"{result.people} people, {result.processes} app process"
        f"{'es' if result.processes > 1 else ''} {how}, {result.seconds:g} s, "
        f"{result.think:g} s between steps"
        + (", signed in once each" if result.keep_signed_in else ", signing in every visit"),
        f"visits: {result.visits} ({result.visits_per_second:.2f} a second); errors: "
        f"{len(result.errors)}; saves confirmed and found in the database: "
        f"{result.saves_checked - len(result.saves_lost)}/{result.saves_checked}",
        f"{'step':<14} {'count':>6} {'p50 s':>7} {'p95 s':>7} {'p99 s':>7} {'max s':>7}",
    ]
    for name, row in result.steps.items():
        lines.append(f"{name:<14} {row['count']:>6.0f} {row['p50']:>7.2f} {row['p95']:>7.2f} "
                     f"{row['p99']:>7.2f} {row['max']:>7.2f}")
    if result.cpu_seconds_per_visit is not None:
        lines.append(f"app CPU per visit: {result.cpu_seconds_per_visit:.3f} s")
    for port, rss in result.memory_mb.items():
        lines.append(f"app process on port {port}: memory {rss:.0f} MB "
                     f"(peak {result.peak_memory_mb[port]:.0f} MB)")
    if result.routed:
        lines.append(f"sessions stuck to one process: {result.sticky}/{result.routed} visits; "
                     "visits per process: "
                     + ", ".join(f"{k} {v}" for k, v in sorted(result.served.items())))
    for error in result.errors[:10]:
        lines.append(f"error: {error}")
    for missing in result.saves_lost[:10]:
        lines.append(f"lost save: {missing}")
    return "\n".join(lines)


def warm_up(deployment: Deployment, names: list[str], password: str) -> None:
    """One visit straight to each app process, all at once (a process's first page runs
    import the page modules, which a process that has served anyone did long ago);
    not measured. Raises if one fails."""
    failures: list[BaseException] = []

    def one(port: int, name: str) -> None:
        try:
            visit(Browser(f"http://127.0.0.1:{port}"), name, password, random.Random(port), 0.0,
                  Outcome(), sign_in=True)
        except BaseException as exc:  # noqa: BLE001 - raised below, in the caller's thread
            failures.append(exc)

    threads = [threading.Thread(target=one, args=pair) for pair in zip(deployment.ports, names)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    if failures:
        raise failures[0]


def measure(deployment: Deployment, people: list[str], seconds: float, think: float, *,
            keep_signed_in: bool = False, seed: int = 1) -> Report:
    """Warm the app processes up, run :func:`simulate` against ``deployment`` (the
    first ``len(people) - processes`` accounts visit; the rest warm up), check the saves."""
    from fatigue import demo

    processes = len(deployment.ports)
    visitors, warmers = people[:-processes], people[-processes:]
    warm_up(deployment, warmers, demo.DEMO_PASSWORD)
    before = deployment.usage()
    outcome = simulate(deployment.url, visitors, demo.DEMO_PASSWORD, seconds=seconds,
                       think=think, keep_signed_in=keep_signed_in, seed=seed)
    after = deployment.usage()
    checked, lost = lost_saves(deployment.db_path, outcome.saved)
    return report(outcome, deployment, before, after, people=len(visitors), processes=processes,
                  seconds=seconds, think=think, keep_signed_in=keep_signed_in,
                  checked=checked, lost=lost)


def loadtest(people: int = 10, processes: int = 1, seconds: float = 60.0, think: float = 1.0, *,
             staff: int = 2000, days: int = 730, agency: Path | None = None, proxy: bool = True,
             keep_signed_in: bool = False, seed: int = 1,
             progress: Callable[[str], None] | None = None) -> Report:
    """Build (or reuse) an agency, start ``processes`` app processes and nginx on this
    host, :func:`measure`, stop everything."""
    from fatigue import bench

    if not 1 <= people <= MAX_PEOPLE:
        raise ValueError(f"The number of people must be from 1 to {MAX_PEOPLE}.")
    if not 1 <= processes <= MAX_PROCESSES:
        raise ValueError(f"The number of processes must be from 1 to {MAX_PROCESSES}.")
    if not 1 <= seconds <= MAX_SECONDS:
        raise ValueError(f"The duration must be from 1 to {MAX_SECONDS} seconds.")
    say = progress or (lambda _text: None)
    with tempfile.TemporaryDirectory(prefix="fatigue-loadtest-") as temp:
        folder = Path(temp)
        db_path = agency or folder / "agency.db"
        if not db_path.exists():
            say(f"building {staff} staff x {days} days into {db_path} ...")
            bench.build_in_child(str(db_path), staff, days, seed)
        names = accounts(db_path, people + processes)
        say(f"starting {processes} app process{'es' if processes > 1 else ''}"
            + (" and nginx ..." if proxy else " ..."))
        deployment = start(db_path, processes, folder / "run", proxy=proxy)
        try:
            say(f"{people} people for {seconds:g} s ...")
            return measure(deployment, names, seconds, think, keep_signed_in=keep_signed_in,
                           seed=seed)
        finally:
            deployment.stop()


def as_json(result: Report) -> str:
    return json.dumps(asdict(result), indent=1)
