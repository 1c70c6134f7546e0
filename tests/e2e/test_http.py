"""The HTTP layer of the real server (server.py): headers, cookie flags, uploads,
metrics, framing, and no request to any other host.

Plain HTTP from the standard library, as a script or an attacker would send it;
the browser where a browser matters.
"""
from __future__ import annotations

import http.client
import json
import re
import socket
import time
from urllib.parse import urlsplit

import pytest

from .support import DEMO_PASSWORD, expect, go_to, log_in, main, open_app, wait_for_app

pytestmark = pytest.mark.e2e

MB = 1024 * 1024
EVERY_PAGE = ["Check-in", "My trends", "My patterns", "Questionnaires", "Suggestions",
              "Supervision summary", "My account", "My team", "Organisation",
              "Teams and accounts", "Home"]


def request(app, method: str, path: str, body: bytes | None = None,
            headers: dict[str, str] | None = None) -> http.client.HTTPResponse:
    parts = urlsplit(app.url)
    conn = http.client.HTTPConnection(parts.hostname, parts.port, timeout=30)
    conn.request(method, path, body=body, headers=headers or {})
    answer = conn.getresponse()
    answer.body = answer.read()  # type: ignore[attr-defined]
    conn.close()
    return answer


def sign_in(app, username="alex.chen", **headers) -> tuple[http.client.HTTPResponse, str]:
    form = f"username={username}&password={DEMO_PASSWORD}".encode()
    answer = request(app, "POST", "/signin", form, {
        "Content-Type": "application/x-www-form-urlencoded", "Sec-Fetch-Site": "same-origin",
        **headers})
    cookie = answer.getheader("set-cookie") or ""
    return answer, cookie.split(";")[0]


def security_headers(answer) -> dict[str, str | None]:
    return {name: answer.getheader(name) for name in (
        "X-Frame-Options", "X-Content-Type-Options", "Referrer-Policy")}


SAFE = {"X-Frame-Options": "DENY", "X-Content-Type-Options": "nosniff",
        "Referrer-Policy": "no-referrer"}


def test_security_headers_on_real_responses(demo_app):
    _, cookie = sign_in(demo_app)
    page = request(demo_app, "GET", "/checkin", headers={"Cookie": cookie})
    assert page.status == 200
    assert security_headers(page) == SAFE
    assert page.getheader("Cache-Control") == "no-store"
    policy = page.getheader("Content-Security-Policy")
    assert "frame-ancestors 'none'" in policy and "default-src 'self'" in policy
    redirected = request(demo_app, "GET", "/checkin")
    assert (redirected.status, redirected.getheader("Location")) == (303, "/signin?next=%2Fcheckin")
    assert security_headers(redirected) == SAFE
    form = request(demo_app, "GET", "/signin")
    assert security_headers(form) == SAFE and form.getheader("Cache-Control") == "no-store"
    assert form.getheader("Content-Security-Policy").startswith("default-src 'none'")


def test_session_cookie_flags_over_http_and_https(demo_app):
    answer, _ = sign_in(demo_app)
    assert answer.status == 303
    flags = sorted(part.strip() for part in answer.getheader("Set-Cookie").split(";")[1:])
    assert flags == ["HttpOnly", "Path=/", "SameSite=strict"]
    # Behind the TLS proxy (which says so in X-Forwarded-Proto), the cookie is Secure.
    secure, _ = sign_in(demo_app, **{"X-Forwarded-Proto": "https"})
    assert "Secure" in [part.strip() for part in secure.getheader("Set-Cookie").split(";")]
    assert secure.getheader("Strict-Transport-Security") == "max-age=31536000"


def test_metrics_are_not_public(demo_app):
    assert request(demo_app, "GET", "/_stcore/metrics").status == 404
    _, cookie = sign_in(demo_app)
    assert request(demo_app, "GET", "/_stcore/metrics", headers={"Cookie": cookie}).status == 404


def test_no_other_site_may_control_the_app(demo_app):
    """Streamlit's default trusts *.streamlit.app to steer the app by postMessage."""
    config = request(demo_app, "GET", "/_stcore/host-config")
    assert config.status == 200 and json.loads(config.body)["allowedOrigins"] == []


def server_memory_kb(app) -> int:
    with open(f"/proc/{app.process.pid}/status", encoding="ascii") as status:
        return int(re.search(r"VmRSS:\s+(\d+) kB", status.read()).group(1))


def put_upload(app, total: int, *, chunked: bool) -> tuple[str, float]:
    """Send a ``total``-byte upload without a session, as fast as the server takes it;
    return the server's status line and the seconds until the answer."""
    parts = urlsplit(app.url)
    started = time.monotonic()
    with socket.create_connection((parts.hostname, parts.port), timeout=30) as sock:
        length = "Transfer-Encoding: chunked" if chunked else f"Content-Length: {total}"
        sock.sendall((f"PUT /_stcore/upload_file/some-session/some-file HTTP/1.1\r\n"
                      f"Host: {parts.netloc}\r\nContent-Type: multipart/form-data; boundary=x\r\n"
                      f"{length}\r\n\r\n").encode())
        piece, sent = b"x" * MB, 0
        sock.settimeout(0.5)
        try:
            while sent < total:
                data = (f"{len(piece):x}\r\n".encode() + piece + b"\r\n") if chunked else piece
                sock.sendall(data)
                sent += len(piece)
        except (BrokenPipeError, ConnectionResetError, socket.timeout):
            pass  # the server stopped taking it
        sock.settimeout(30)
        answer = b""
        try:
            while b"\r\n" not in answer:
                more = sock.recv(4096)
                if not more:
                    break
                answer += more
        except ConnectionResetError:
            pass
    return answer.split(b"\r\n")[0].decode(), time.monotonic() - started


@pytest.mark.parametrize("chunked, status", [(False, "413"), (True, "401")])
def test_a_50_mb_upload_without_a_session_is_refused_quickly(demo_app, chunked, status):
    before = server_memory_kb(demo_app)
    line, seconds = put_upload(demo_app, 50 * MB, chunked=chunked)
    assert line.startswith("HTTP/1.1 ") and line.split()[1] == status, line
    assert seconds < 5
    assert server_memory_kb(demo_app) - before < 10 * 1024  # kB: nothing was buffered


@pytest.mark.parametrize("path", ["/signin", "/"])
def test_the_app_cannot_be_framed_by_another_site(demo_app, new_page, path):
    page = new_page(demo_app)
    page.goto("about:blank")
    page.set_content(f'<iframe src="{demo_app.url}{path}" width="600" height="400"></iframe>')
    page.wait_for_timeout(2000)
    [frame] = [f for f in page.frames if f != page.main_frame]
    assert frame.url == "chrome-error://chromewebdata/"  # Chromium refused to show it
    assert "Log in" not in frame.content()


def test_no_page_asks_another_host_for_anything(demo_app, new_page):
    page = new_page(demo_app)
    requests, violations = [], []
    page.context.on("request", lambda r: requests.append(r.url))
    page.on("console", lambda m: violations.append(m.text)
            if "Content Security Policy" in m.text else None)
    page.reload()  # the sign-in page, recorded from its first request
    log_in(page, "admin")
    for title in EVERY_PAGE:  # the admin's navigation has every page
        go_to(page, title, re.compile(".+"))
    origin = demo_app.url
    elsewhere = [url for url in requests
                 if not url.startswith((origin + "/", "data:", "blob:", "about:"))]
    assert len(requests) > 20 and not elsewhere, elsewhere
    assert not violations, violations[:5]  # and the policy blocks nothing the app needs


def test_a_page_opened_at_its_own_address_finds_the_server_at_once(demo_app, new_page):
    """A bookmark or a reload of /checkin: Streamlit asks for its server once, at the
    origin (not first under /checkin, a 404 and 100 ms of waiting), and its page
    addresses, reload and the back button work as before."""
    page = new_page(demo_app)
    log_in(page, "alex.chen")
    asked = []
    page.context.on("request", lambda r: asked.append(urlsplit(r.url).path))
    open_app(page, demo_app.url + "/checkin")
    expect(main(page).get_by_role("heading", level=1)).to_have_text("Daily check-in")
    health = [path for path in asked if path.endswith("/_stcore/health")]
    assert health == ["/_stcore/health"], asked
    go_to(page, "My trends")
    assert urlsplit(page.url).path == "/trends"
    page.reload()
    wait_for_app(page)
    expect(main(page).get_by_role("heading", level=1)).to_have_text("My trends")
    page.go_back()
    expect(main(page).get_by_role("heading", level=1)).to_have_text("Daily check-in")
    assert urlsplit(page.url).path == "/checkin"


def test_started_without_server_py_the_app_says_how_to_start_it(start_app, new_page):
    """`streamlit run app.py` would serve the pages without the sign-in routes."""
    app = start_app(script="app.py")
    page = new_page(app)
    expect(main(page).get_by_role("heading", level=1)).to_have_text("Start the app with ./run.sh")
    assert request(app, "GET", "/signin").status == 200  # only Streamlit's own page, no form
    assert b"<form" not in request(app, "GET", "/signin").body


def test_restore_refuses_while_the_server_runs_even_with_no_page_open(start_app, tmp_path):
    """server.py holds the app lock from start-up (issue 16), before any browser connects."""
    import subprocess
    import sys

    from .conftest import app_env
    from .support import ROOT

    app = start_app()  # nobody has opened a page, nor signed in

    def fatigue(*argv: str) -> subprocess.CompletedProcess:
        return subprocess.run([sys.executable, "-m", "fatigue", *argv, "--db", str(app.db_path)],
                              cwd=ROOT, env=app_env(app.db_path), capture_output=True, text=True)

    assert fatigue("init").returncode == 0
    copy = tmp_path / "copy.db"
    assert fatigue("backup", str(copy)).returncode == 0  # a backup is safe while it runs
    refused = fatigue("restore", str(copy))
    assert refused.returncode == 2
    assert "Stop the app first, then restore; nothing was changed." in refused.stderr
    assert not list(app.db_path.parent.glob("*.before-restore-*"))
    app.stop()  # the kernel drops the lock with the process
    assert fatigue("restore", str(copy)).returncode == 0
