"""``python -m fatigue serve``: the app as several processes on one host, one database.

One Streamlit process runs Python on one core, so a host with several cores
runs one app process per core (``--processes``, default: the cores this
process may use), each on its own port from ``--port`` up (8501, 8502, ...)
at ``--address`` (127.0.0.1: only the reverse proxy on the same host reaches
them; ``deploy/nginx.conf`` sends each browser to one of them by its session
cookie). They share the one SQLite database: WAL mode, one writer at a time
across processes, never on a network file system.

Before any app process starts, once (:func:`prepare`):

1. the start-up health check of the database (:func:`fatigue.db.health`).
   When the file is sound the processes are told so (``FATIGUE_CHECKED_DB``)
   and skip their own: ``PRAGMA quick_check`` of a large database takes
   seconds, and every process would repeat it before serving anyone. A
   damaged file is left alone: every process then shows how to restore it.
2. the schema upgraded (:func:`fatigue.db.connect`) and the notes key file
   created or checked (:mod:`fatigue.crypto`), so no two processes do it at once.
3. what every process must share: the first-run set-up code
   (``FATIGUE_SETUP_CODE``: made here and printed once while the database has
   no accounts) and Streamlit's cookie secret (``STREAMLIT_SERVER_COOKIE_SECRET``),
   so that what one process signed, another accepts.

Then :class:`Supervisor` starts the processes, restarts one that ends
unexpectedly (the people it served reconnect through the proxy to another
process and are still signed in: sessions live in the database), and stops
them all on SIGTERM or Ctrl+C. Reminders are never sent from here: one
scheduler sends them (``deploy/fatigue-reminders.timer``), however many app
processes run.
"""
from __future__ import annotations

import os
import secrets
import signal
import subprocess
import sys
import time
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

from fatigue.db import ROOT, Problem, default_path

CHECKED_ENV = "FATIGUE_CHECKED_DB"
SETUP_CODE_ENV = "FATIGUE_SETUP_CODE"
COOKIE_SECRET_ENV = "STREAMLIT_SERVER_COOKIE_SECRET"
DEFAULT_PORT = 8501
DEFAULT_ADDRESS = "127.0.0.1"
MAX_PROCESSES = 64
STOP_SECONDS = 15.0  # how long a process may take to stop before it is killed
RESTART_SECONDS = 1.0
QUICK_EXIT_SECONDS = 15.0  # a process that ends sooner than this after starting...
MAX_QUICK_EXITS = 5  # ...this many times in a row is not restarted again: all stop


def default_processes() -> int:
    """One app process per core this process may run on."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # not Linux
        return max(1, os.cpu_count() or 1)


def checked_before_start(path: str | os.PathLike) -> bool:
    """Whether :func:`prepare` found the database at ``path`` sound just before this
    process started (then the process need not check it again)."""
    marked = os.environ.get(CHECKED_ENV, "")
    return bool(marked) and marked == str(Path(path).resolve())


@dataclass
class Prepared:
    """What :func:`prepare` found and what the app processes are to share."""

    path: Path
    problem: Problem | str | None = None  # the database, or the notes key (in words), needs care
    env: dict[str, str] = field(default_factory=dict)  # for every app process
    setup_code: str | None = None  # made here for an empty database


def prepare(path: str | os.PathLike | None = None,
            environ: dict[str, str] | None = None) -> Prepared:
    """The once-only work before the app processes start (see the module doc)."""
    from fatigue import accounts, crypto
    from fatigue.db import connect, health

    environ = os.environ if environ is None else environ
    target = Path(path if path is not None else default_path()).resolve()
    prepared = Prepared(target, env={"FATIGUE_DB": str(target)})
    if not environ.get(COOKIE_SECRET_ENV):
        prepared.env[COOKIE_SECRET_ENV] = secrets.token_urlsafe(32)
    prepared.problem = health(target)
    if prepared.problem is not None:
        return prepared  # nothing is written to a damaged file; the pages say what to do
    db = connect(target)
    try:
        prepared.problem = crypto.check_key(db)
        empty = not accounts.has_users(db)
    finally:
        db.close()
    prepared.env[CHECKED_ENV] = str(target)
    if empty and not environ.get(SETUP_CODE_ENV, "").strip():
        prepared.setup_code = "-".join(secrets.token_hex(2) for _ in range(3))
        prepared.env[SETUP_CODE_ENV] = prepared.setup_code
    return prepared


def app_command(port: int, address: str) -> list[str]:
    """The command of one app process: ``streamlit run server.py`` on ``address:port``."""
    return [sys.executable, "-m", "streamlit", "run", str(ROOT / "server.py"),
            f"--server.port={port}", f"--server.address={address}"]


def _die_with_parent() -> None:  # pragma: no cover - runs in the child before exec
    """Ask Linux to end this app process if the supervisor dies without stopping it."""
    try:
        import ctypes

        ctypes.CDLL(None).prctl(1, signal.SIGTERM)  # PR_SET_PDEATHSIG
    except (OSError, AttributeError):
        pass


@dataclass
class Slot:
    """One app process: its port, the running process, and how it has been going."""

    port: int
    process: subprocess.Popen | None = None
    started: float = 0.0
    quick_exits: int = 0
    restart_at: float | None = None


class Supervisor:
    """Starts the app processes, restarts one that ends, stops them all (module doc)."""

    def __init__(self, ports: list[int], address: str, env: dict[str, str], *,
                 command: Callable[[int, str], list[str]] = app_command,
                 say: Callable[[str], None] | None = None) -> None:
        self.slots = [Slot(port) for port in ports]
        self.address = address
        self.env = env
        self.command = command
        self.say = say or (lambda text: print(text, file=sys.stderr, flush=True))
        self.stopping = False
        self.failed = False

    def start(self) -> None:
        for slot in self.slots:
            self._start(slot)

    def _start(self, slot: Slot) -> None:
        slot.process = subprocess.Popen(
            self.command(slot.port, self.address), cwd=ROOT, env=self.env,
            preexec_fn=_die_with_parent if sys.platform.startswith("linux") else None)
        slot.started = time.monotonic()
        slot.restart_at = None

    def pids(self) -> dict[int, int]:
        """Port -> process id of every running app process."""
        return {s.port: s.process.pid for s in self.slots
                if s.process is not None and s.process.poll() is None}

    def check(self) -> None:
        """Notice ended processes and restart them (after a pause); give up, stopping
        everything, when one keeps ending right after it starts."""
        now = time.monotonic()
        for slot in self.slots:
            if self.stopping or slot.process is None:
                continue
            if slot.restart_at is not None:
                if now >= slot.restart_at:
                    self._start(slot)
                continue
            code = slot.process.poll()
            if code is None:
                if now - slot.started >= QUICK_EXIT_SECONDS:
                    slot.quick_exits = 0
                continue
            quick = now - slot.started < QUICK_EXIT_SECONDS
            slot.quick_exits = slot.quick_exits + 1 if quick else 0
            if slot.quick_exits >= MAX_QUICK_EXITS:
                self.say(f"The app process on port {slot.port} ended {slot.quick_exits} times "
                         f"right after starting (exit code {code}); stopping all of them.")
                self.failed = True
                self.stop()
                return
            self.say(f"The app process on port {slot.port} ended (exit code {code}); "
                     "starting it again. Its people reconnect through the proxy.")
            slot.restart_at = now + RESTART_SECONDS

    def stop(self) -> None:
        """End every app process: SIGTERM, then SIGKILL after :data:`STOP_SECONDS`."""
        self.stopping = True
        running = [s.process for s in self.slots if s.process is not None and s.process.poll() is None]
        for process in running:
            process.terminate()
        deadline = time.monotonic() + STOP_SECONDS
        for process in running:
            try:
                process.wait(timeout=max(0.1, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()

    def wait_ready(self, timeout: float = 60.0) -> bool:
        """Until every process answers its health check (False if one did not in time)."""
        deadline = time.monotonic() + timeout
        waiting = {slot.port for slot in self.slots}
        while waiting and time.monotonic() < deadline and not self.stopping:
            for port in sorted(waiting):
                if healthy(self.address, port):
                    waiting.discard(port)
            if waiting:
                self.check()
                time.sleep(0.2)
        return not waiting

    def run(self, ready: Callable[[], None] | None = None) -> int:
        """Start the processes, call ``ready()`` once they all answer, and supervise
        until SIGTERM or SIGINT; the exit code (1 if a process kept failing)."""
        def handle(signum: int, _frame: object) -> None:
            self.stopping = True

        previous = {sig: signal.signal(sig, handle) for sig in (signal.SIGTERM, signal.SIGINT)}
        try:
            self.start()
            if self.wait_ready() and ready is not None:
                ready()
            while not self.stopping:
                self.check()
                time.sleep(0.2)
        finally:
            self.stop()
            for sig, handler in previous.items():
                signal.signal(sig, handler)
        return 1 if self.failed else 0


def healthy(address: str, port: int) -> bool:
    """Whether the app process at ``address:port`` answers its health check."""
    host = "127.0.0.1" if address in ("0.0.0.0", "") else ("[::1]" if address == "::" else address)
    try:
        with urllib.request.urlopen(f"http://{host}:{port}/_stcore/health", timeout=2) as answer:
            return answer.read().decode().strip() == "ok"
    except OSError:
        return False


def ports(first: int, count: int) -> list[int]:
    """``count`` consecutive ports from ``first``."""
    if not 1 <= count <= MAX_PROCESSES:
        raise ValueError(f"The number of processes must be from 1 to {MAX_PROCESSES}.")
    if not 1 <= first or first + count - 1 > 65535:
        raise ValueError("The ports must lie between 1 and 65535.")
    return list(range(first, first + count))


def warnings(path: Path) -> list[str]:
    """What the operator should fix about how the app runs (it still starts)."""
    out = []
    if hasattr(os, "geteuid") and os.geteuid() == 0:
        out.append("The app is running as root. Run it as an unprivileged account "
                   "(deploy/fatigue.service does).")
    folder = path.parent
    try:
        mode = folder.stat().st_mode & 0o777
    except OSError:
        return out
    if mode & 0o077:
        out.append(f"The database folder {folder} can be opened by other accounts (mode "
                   f"{mode:04o}); it holds everyone's answers. Make it owner-only: "
                   f"chmod 700 {folder}")
    return out


def serve(processes: int, port: int, address: str, path: str | os.PathLike | None = None,
          say: Callable[[str], None] | None = None) -> int:
    """``python -m fatigue serve``: prepare once, then run and supervise the processes."""
    from fatigue import files

    say = say or (lambda text: print(text, file=sys.stderr, flush=True))
    chosen = ports(port, processes)
    target = Path(path if path is not None else default_path()).resolve()
    target.parent.mkdir(parents=True, exist_ok=True)
    try:  # held while serve runs, as each app process holds it: restore and rotate-key
        # refuse meanwhile, also during the upgrade below and while a process restarts
        held = files.hold_for_app(target)  # noqa: F841 - kept open until serve returns
    except files.InUse as exc:
        say(f"error: {exc}")
        return 1
    prepared = prepare(target)
    for warning in warnings(prepared.path):
        say(f"Warning: {warning}")
    if prepared.problem is not None:
        say(f"Attention: {prepared.problem}\nThe app starts and shows this to everyone "
            "until it is fixed.")
    if prepared.setup_code is not None:
        say("\n  The database has no accounts yet. To set it up in the browser, enter this\n"
            f"  set-up code on the first-run screen: {prepared.setup_code}\n")
    where = ", ".join(f"{address}:{p}" for p in chosen)
    supervisor = Supervisor(chosen, address, {**os.environ, **prepared.env}, say=say)
    return supervisor.run(lambda: say(
        f"Ready: {len(chosen)} app process{'es' if len(chosen) > 1 else ''} on {where}, "
        f"database {prepared.path}."))
