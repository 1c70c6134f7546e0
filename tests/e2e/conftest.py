"""Fixtures for the browser tests.

* ``browser``: Debian's Chromium (``/usr/bin/chromium``, or ``E2E_CHROMIUM``) driven
  by Playwright; Playwright's own downloaded browsers are never used. Without
  Chromium, Playwright or axe-core the tests are skipped with the reason, except in
  CI (``CI`` set), where they fail so a broken set-up cannot pass unnoticed.
* ``demo_app`` (one per session), ``pristine_demo_app`` (one for the screenshots, so
  no other test's check-ins or accounts show in them) and ``start_app`` (a new
  server on an empty database): the app as a subprocess on a free loopback port,
  ready once ``/_stcore/health`` answers ``ok``.
* ``new_page``: a fresh browser context and page (a new Streamlit session).
"""
from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from dataclasses import dataclass
from pathlib import Path

import pytest

from .support import AXE_JS, DESKTOP, PHONE, RUN_COUNTER_SCRIPT, ROOT, TIMEOUT_MS, in_ci, open_app

SETUP_CODE = "e2e-set-up-code"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
ARTIFACTS = ROOT / "test-results" / "e2e"  # git-ignored: failure screenshots, server logs


def unavailable(reason: str) -> None:
    """Skip locally; fail in CI, where the browser tests must run."""
    if in_ci():
        pytest.fail(f"{reason} (CI is set: the browser tests must run there)", pytrace=False)
    pytest.skip(reason)


def chromium_path() -> str | None:
    """``E2E_CHROMIUM`` if set (and only that), else Debian's Chromium."""
    override = os.environ.get("E2E_CHROMIUM")
    candidates = [override] if override else [
        "/usr/bin/chromium", shutil.which("chromium"), shutil.which("chromium-browser")]
    for candidate in candidates:
        if candidate and os.access(candidate, os.X_OK):
            return candidate
    return None


@pytest.fixture(scope="session")
def browser():
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        unavailable("Playwright is not installed (pip install -r requirements-dev.txt)")
    executable = chromium_path()
    if executable is None:
        unavailable(f"Chromium not found at {os.environ.get('E2E_CHROMIUM') or '/usr/bin/chromium'} "
                    "(apt-get install chromium, or set E2E_CHROMIUM)")
    if not AXE_JS.exists():
        unavailable(f"axe-core not installed at {AXE_JS} (run npm ci in the repository root)")
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=executable, args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


# --- the app as a subprocess ----------------------------------------------------------


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@dataclass
class App:
    url: str
    db_path: Path
    process: subprocess.Popen
    log: Path
    stopped: bool = False

    def stop(self) -> None:
        self.stopped = True
        self.process.terminate()
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait(timeout=10)


LAUNCHED: list[App] = []  # every app process started, for the check after each test


@pytest.fixture(autouse=True)
def no_app_died():
    """Fail the test during which an app process ended by itself (a crash), with the end
    of its log, rather than every later test that finds nobody listening."""
    yield
    for app in LAUNCHED:
        if not app.stopped and app.process.poll() is not None:
            app.stopped = True  # reported once
            pytest.fail(f"the app at {app.url} ended during this test (exit code "
                        f"{app.process.returncode}); the end of its log:\n"
                        f"{app.log.read_text(errors='replace')[-4000:]}", pytrace=False)


def app_env(db_path: Path) -> dict[str, str]:
    env = dict(os.environ)
    env.update(
        FATIGUE_DB=str(db_path),
        FATIGUE_SETUP_CODE=SETUP_CODE,
        TZ="UTC",  # the browser contexts run in UTC too, so "today" agrees
        PYTHONUNBUFFERED="1",
        PYTHONFAULTHANDLER="1",  # a crash of the app writes its threads' stacks to its log
    )
    return env


def launch(db_path: Path, log_dir: Path, script: str = "server.py") -> App:
    port = free_port()
    log = log_dir / f"streamlit-{port}.log"
    with open(log, "wb") as out:
        process = subprocess.Popen(
            [sys.executable, "-m", "streamlit", "run", script,
             "--server.headless=true", f"--server.port={port}", "--server.address=127.0.0.1",
             # The tests must not rerun half-edited sources, nor offer a "rerun" prompt.
             "--server.fileWatcherType=none", "--browser.gatherUsageStats=false"],
            cwd=ROOT, env=app_env(db_path), stdout=out, stderr=subprocess.STDOUT,
        )
    app = App(f"http://127.0.0.1:{port}", db_path, process, log)
    LAUNCHED.append(app)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if process.poll() is not None:
            break
        try:
            with urllib.request.urlopen(f"{app.url}/_stcore/health", timeout=2) as answer:
                if answer.read().decode().strip() == "ok":
                    return app
        except OSError:
            time.sleep(0.2)
    app.stop()
    raise RuntimeError(f"the app did not start; its output:\n{log.read_text()[-4000:]}")


def load_demo(db_path: Path) -> None:
    subprocess.run([sys.executable, "-m", "fatigue", "demo", "--db", str(db_path)],
                   cwd=ROOT, env=app_env(db_path), check=True, capture_output=True)


@pytest.fixture(scope="session")
def start_app(tmp_path_factory):
    """``start_app(demo=False, script="server.py")``: a new server on a new database
    (empty, or the demo agency), stopped at the end."""
    started: list[App] = []

    def start(demo: bool = False, script: str = "server.py") -> App:
        folder = tmp_path_factory.mktemp("app")
        db_path = folder / "e2e.db"
        if demo:
            load_demo(db_path)
        app = launch(db_path, folder, script)
        started.append(app)
        return app

    yield start
    for app in started:
        app.stop()


@pytest.fixture(scope="session")
def demo_app(start_app, browser) -> App:
    """The demo agency, shared by the flow and accessibility tests of the session."""
    return start_app(demo=True)


@pytest.fixture(scope="module")
def pristine_demo_app(start_app, browser) -> App:
    """A demo agency nobody else touches: what the screenshots show."""
    return start_app(demo=True)


# --- pages -------------------------------------------------------------------------------


@pytest.hookimpl(wrapper=True, tryfirst=True)
def pytest_runtest_makereport(item, call):
    report = yield
    setattr(item, f"e2e_{report.when}_failed", report.failed)
    return report


def make_page(browser, app: App, phone: bool = False, storage_state=None):
    """A page of ``app`` in a new browser context (a new Streamlit session): logged out
    (the sign-in page, or the first-run screen of an empty database) unless
    ``storage_state`` (Playwright's saved cookies) holds a session."""
    options = dict(viewport=PHONE, is_mobile=True, has_touch=True) if phone else dict(viewport=DESKTOP)
    context = browser.new_context(timezone_id="UTC", locale="en-GB", storage_state=storage_state,
                                  **options)
    context.set_default_timeout(TIMEOUT_MS)
    context.add_init_script(RUN_COUNTER_SCRIPT)
    page = context.new_page()
    open_app(page, app.url)
    return page


def keep_evidence(request, contexts) -> None:
    """After a failed test, screenshots of its pages into test-results/e2e/."""
    if not getattr(request.node, "e2e_call_failed", False):
        return
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    for number, context in enumerate(contexts):
        for page_number, page in enumerate(context.pages):
            name = f"{request.node.name}-{number}-{page_number}.png".replace("/", "_")
            try:
                page.screenshot(path=str(ARTIFACTS / name))
            except Exception:  # noqa: BLE001 - best effort, the test already failed
                pass


@pytest.fixture
def new_page(browser, request):
    """``new_page(app, phone=False, storage_state=None)``: a page of ``app`` in a new context."""
    contexts = []

    def make(app: App, phone: bool = False, storage_state=None):
        page = make_page(browser, app, phone, storage_state)
        contexts.append(page.context)
        return page

    yield make
    keep_evidence(request, contexts)
    for context in contexts:
        context.close()
