"""The deployment in deploy/, for real on loopback: ``python -m fatigue serve`` with two
app processes behind nginx with the shipped configuration (TLS, websockets, routing
by the session cookie), driven by the load test's browser stand-in
(:mod:`fatigue.loadtest`); and the systemd units, checked by systemd-analyze.

No browser needed. nginx is (``apt-get install nginx``; ``.ci/run`` installs it):
without it these tests skip locally and fail in CI.
"""
from __future__ import annotations

import http.client
import os
import shutil
import signal
import ssl
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from fatigue import audit, bench, demo
from fatigue.db import ROOT, connect
from fatigue.loadtest import harness, proxy, run
from fatigue.loadtest.client import Browser, VisitError

UNITS = sorted([*(ROOT / "deploy").glob("*.service"), *(ROOT / "deploy").glob("*.timer")])


def needed(tool: str | None, what: str) -> str:
    if tool is None:
        if os.environ.get("CI"):
            pytest.fail(f"{what} not found (CI is set: these tests must run there)", pytrace=False)
        pytest.skip(f"{what} not found")
    return tool


@pytest.fixture(scope="module")
def deployment(tmp_path_factory):
    """A small agency served by two app processes behind nginx that names, for these
    tests only, the process behind each answer."""
    needed(proxy.nginx_binary(), "nginx (apt-get install nginx)")
    folder = tmp_path_factory.mktemp("deploy")
    db_path = folder / "agency.db"
    bench.build(str(db_path), 31, 40, seed=5)
    running = harness.start(db_path, 2, folder / "run", show_upstream=True)
    yield running
    running.stop()


def test_the_shipped_nginx_configuration_is_accepted_as_it_is(tmp_path):
    nginx = needed(proxy.nginx_binary(), "nginx (apt-get install nginx)")
    cert, key = proxy.self_signed(tmp_path)
    site = (proxy.SHIPPED.read_text().replace("/etc/ssl/checkin/fullchain.pem", str(cert))
            .replace("/etc/ssl/checkin/privkey.pem", str(key)))
    conf = tmp_path / "nginx.conf"
    conf.write_text(f"pid {tmp_path}/nginx.pid; error_log {tmp_path}/error.log;\n"
                    f"events {{}}\nhttp {{ access_log off;\n{site}\n}}\n")
    checked = subprocess.run([nginx, "-t", "-c", str(conf), "-p", str(tmp_path)],
                             capture_output=True, text=True)
    assert checked.returncode == 0, checked.stderr
    assert "test is successful" in checked.stderr


def test_the_systemd_units_verify_and_run_unprivileged(tmp_path):
    analyze = needed(shutil.which("systemd-analyze"), "systemd-analyze")
    for unit in UNITS:  # this checkout and its Python stand in for /srv/fatigue
        (tmp_path / unit.name).write_text(
            unit.read_text().replace("/srv/fatigue/.venv/bin/python", sys.executable)
            .replace("WorkingDirectory=/srv/fatigue", f"WorkingDirectory={ROOT}"))
    checked = subprocess.run([analyze, "verify", *(p.name for p in UNITS)], cwd=tmp_path,
                             capture_output=True, text=True)
    assert (checked.returncode, checked.stdout + checked.stderr) == (0, "")
    assert [u.name for u in UNITS] == [
        "fatigue-backup.service", "fatigue-backup.timer", "fatigue-reminders.service",
        "fatigue-reminders.timer", "fatigue.service"]
    app = (ROOT / "deploy" / "fatigue.service").read_text().splitlines()
    for line in ("User=fatigue", "StateDirectoryMode=0700", "UMask=0077", "NoNewPrivileges=yes",
                 "ProtectSystem=strict",
                 "ExecStart=/srv/fatigue/.venv/bin/python -m fatigue serve --port 8501 "
                 "--address 127.0.0.1"):
        assert line in app
    reminders = (ROOT / "deploy" / "fatigue-reminders.service").read_text().splitlines()
    for line in ("User=fatigue", "UMask=0077", "Type=oneshot",
                 "ExecStart=/srv/fatigue/.venv/bin/python -m fatigue remind"):
        assert line in reminders


def test_every_visit_through_nginx_succeeds_and_stays_on_one_process(deployment):
    """The CI-sized load test: 4 people, two processes, real websockets through nginx."""
    names = run.accounts(deployment.db_path, 6)
    result = run.measure(deployment, names, seconds=12, think=0.2)
    assert result.errors == [] and result.saves_lost == []
    assert result.visits >= 4 and result.saves_checked == 4
    assert result.sticky == result.routed == result.visits  # each page on one process
    assert sorted(result.served) == sorted(f"127.0.0.1:{p}" for p in deployment.ports)
    assert set(result.steps) == set(run.STEPS)
    status, headers, _ = Browser(deployment.url).request("GET", "/signin")
    assert status == 200 and headers["strict-transport-security"] == "max-age=31536000"


def test_a_restore_refuses_while_the_app_processes_run(deployment, tmp_path):
    """Every app process holds the app lock (shared: they do not refuse each other)."""
    from fatigue import backup

    copy = backup.backup(deployment.db_path, tmp_path / "copy.db")
    assert len(deployment.app_pids()) == 2
    with pytest.raises(backup.BackupError, match="Stop the app first"):
        backup.restore(copy.path, deployment.db_path)


def test_a_killed_process_loses_only_its_own_connections_and_its_people_come_back_signed_in(
        deployment):
    people = run.accounts(deployment.db_path, 16)
    on: dict[str, list[Browser]] = {}
    for name in people:  # until each process holds the pages of at least two people
        browser = Browser(deployment.url)
        browser.sign_in(name, demo.DEMO_PASSWORD)
        browser.open("/")
        on.setdefault(browser.upstreams[-1], []).append(browser)
        if len(on) == 2 and min(len(group) for group in on.values()) >= 2:
            break
    assert len(on) == 2, "every sign-in went to the same process"
    (gone, victims), (_, bystanders) = sorted(on.items(), key=lambda item: -len(item[1]))[:2]
    pids = deployment.app_pids()
    killed = pids[int(gone.rsplit(":", 1)[1])]
    os.kill(killed, signal.SIGKILL)
    time.sleep(0.5)
    for browser in bystanders:  # the other process's pages go on as if nothing happened
        browser.goto("checkin")
        assert browser.run.shows("Daily check-in")
    for browser in victims:
        with pytest.raises(VisitError, match="connection to the app was lost"):
            browser.goto("checkin")
        browser.open("/")  # reload: the cookie signs them in again, elsewhere
        assert browser.run.shows("Hello,")
        serving = deployment.app_pids()[int(browser.upstreams[-1].rsplit(":", 1)[1])]
        assert serving != killed
        browser.goto("checkin")
        assert browser.run.shows("Daily check-in")
    for browser in victims + bystanders:
        browser.close()
    deployment.wait_until_ready()  # serve starts the killed process again
    assert killed not in deployment.app_pids().values()


def failed_sign_in_address(deployment, url: str, source: str) -> str:
    """A wrong password posted to ``url`` from the loopback address ``source``, claiming to
    come from 203.0.113.9: the address the app counted the failure under."""
    parts = urlsplit(url)
    kwargs = dict(timeout=30, source_address=(source, 0))
    conn = (http.client.HTTPSConnection(parts.hostname, parts.port,
                                        context=ssl._create_unverified_context(), **kwargs)
            if parts.scheme == "https" else http.client.HTTPConnection(parts.hostname, parts.port,
                                                                       **kwargs))
    try:
        conn.request("POST", "/signin", body="username=nobody.here&password=wrong",
                     headers={"Content-Type": "application/x-www-form-urlencoded",
                              "X-Forwarded-For": "203.0.113.9"})
        assert conn.getresponse().status == 401
    finally:
        conn.close()
    db = connect(deployment.db_path)
    try:
        [failed] = audit.entries(db, action="login_failed", limit=1)
    finally:
        db.close()
    return failed["detail"]["address"]


def test_the_app_believes_the_client_address_from_the_proxy_only(deployment):
    """The lockout counts failures per address: through nginx it is the person's (nginx
    replaces X-Forwarded-For), straight to an app process a made-up one is ignored,
    since only the proxy on 127.0.0.1 is trusted (FORWARDED_ALLOW_IPS)."""
    deployment.wait_until_ready()  # after the test that kills a process
    assert failed_sign_in_address(deployment, deployment.url, "127.0.0.5") == "127.0.0.5"
    direct = f"http://127.0.0.1:{deployment.ports[0]}"
    assert failed_sign_in_address(deployment, direct, "127.0.0.6") == "127.0.0.6"

