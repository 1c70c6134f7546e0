"""The HTTP guard in front of every request (fatigue.web.guard)."""
import base64
import datetime as dt
import hashlib
import re
from pathlib import Path

import pytest

from fatigue import accounts, sessions
from fatigue.web import guard

from conftest import PASSWORD
from web_app import HOST, Streamlit, client

SECURITY_HEADERS = {
    "x-frame-options": "DENY",
    "x-content-type-options": "nosniff",
    "referrer-policy": "no-referrer",
}


def signed_in(db, user, browser=None, **start):
    browser = browser or client()
    token, _ = sessions.start(db, user, **start)
    browser.cookies.set(sessions.COOKIE, token, domain=HOST)
    return browser, token


def idle_for(db, minutes):
    moment = dt.datetime.now(dt.timezone.utc) - dt.timedelta(minutes=minutes)
    db.execute("UPDATE sessions SET last_seen_at = ?", [moment.strftime("%Y-%m-%dT%H:%M:%SZ")])


@pytest.mark.parametrize("path", ["/", "/checkin", "/signin", "/_stcore/health", "/media/x.json",
                                  "/static/js/index.js", "/_stcore/metrics"])
def test_every_answer_carries_the_security_headers(db, user, path):
    browser, _ = signed_in(db, user)
    answer = browser.get(path)
    assert {k: answer.headers[k] for k in SECURITY_HEADERS} == SECURITY_HEADERS
    assert "frame-ancestors 'none'" in answer.headers["content-security-policy"]
    assert "strict-transport-security" not in answer.headers  # only over HTTPS


def test_the_page_policy_allows_nothing_from_another_host():
    policy = dict(part.strip().split(" ", 1) for part in guard.content_security_policy().split(";"))
    assert policy["frame-ancestors"] == "'none'" and policy["object-src"] == "'none'"
    assert policy["default-src"] == "'self'" and policy["connect-src"] == "'self'"
    for directive, sources in policy.items():
        assert "http" not in sources and "*" not in sources, directive
    assert "'unsafe-eval'" not in policy["script-src"]
    assert policy["script-src"].startswith("'self' 'sha256-")  # Streamlit's one inline script


def test_pages_and_downloads_are_not_stored_but_static_files_may_be(db, user):
    browser, _ = signed_in(db, user)
    assert browser.get("/checkin").headers["cache-control"] == "no-store"  # was no-cache
    assert browser.get("/media/my-data.json").headers["cache-control"] == "no-store"
    assert browser.get("/static/js/index.js").headers["cache-control"] == "public, max-age=31536000"


def test_metrics_and_the_agent_api_are_closed_to_everyone(db, user):
    browser, _ = signed_in(db, user)
    for path in ("/_stcore/metrics", "/_stcore/agent/openapi.json"):
        assert browser.get(path).status_code == 404
        assert client().get(path).status_code == 404


# --- pages -----------------------------------------------------------------------------

def test_a_page_without_a_session_goes_to_the_sign_in_page(db, user):
    answer = client().get("/checkin?day=2026-03-16")
    assert answer.status_code == 303
    assert answer.headers["location"] == "/signin?next=%2Fcheckin%3Fday%3D2026-03-16"
    assert client().get("/").headers["location"] == "/signin"


def test_before_the_first_account_the_first_run_screen_needs_no_session(db):
    assert client().get("/").status_code == 200


def test_a_page_with_a_live_session_opens(db, user):
    browser, _ = signed_in(db, user)
    page = browser.get("/checkin")
    assert page.status_code == 200 and '<div id="root"></div>' in page.text  # Streamlit's page
    assert browser.get("/manifest.json").text == "<p>the app</p>"  # not a page: Streamlit's


@pytest.mark.parametrize("path", ["/", "/organisation"])
def test_the_page_tells_streamlit_where_its_server_is_and_its_policy_allows_that(db, user, path):
    """Opened at /organisation, Streamlit would first look for its server under
    /organisation (a 404, then 100 ms of waiting): the page says it is at the origin."""
    browser, _ = signed_in(db, user)
    page = browser.get(path)
    ours = page.text.index("<script>window.__streamlit = {BACKEND_BASE_URL: "
                           "window.location.origin, MAIN_PAGE_BASE_URL: window.location.origin};")
    assert ours < page.text.index('<script type="module"')  # read before Streamlit's bundle
    allowed = page.headers["content-security-policy"].split("script-src ")[1].split(";")[0]
    for script in re.findall(r"<script>(.*?)</script>", page.text, flags=re.DOTALL):
        digest = base64.b64encode(hashlib.sha256(script.encode()).digest()).decode()
        assert f"'sha256-{digest}'" in allowed.split()


def test_an_ended_session_goes_to_the_sign_in_page_which_says_why(db, user):
    browser, token = signed_in(db, user)
    idle_for(db, 31)
    answer = browser.get("/trends")
    assert answer.headers["location"] == "/signin?next=%2Ftrends&ended=idle"
    cleared = [v for k, v in answer.headers.multi_items() if k == "set-cookie"]
    assert cleared and cleared[0].startswith(f'{sessions.COOKIE}=""') and "Max-Age=0" in cleared[0]


def test_a_page_opened_from_another_site_is_reloaded_from_here(db, user):
    """A SameSite=Strict cookie is not sent with a navigation another site started."""
    answer = client().get("/checkin", headers={"Sec-Fetch-Site": "cross-site",
                                               "Sec-Fetch-Mode": "navigate"})
    assert answer.status_code == 200
    assert '<meta http-equiv="refresh" content="0; url=/checkin">' in answer.text
    # Reloaded from here (same-origin now), it is an ordinary page load.
    again = client().get("/checkin", headers={"Sec-Fetch-Site": "same-origin",
                                              "Sec-Fetch-Mode": "navigate"})
    assert again.status_code == 303


def test_back_from_single_sign_on_the_identity_is_turned_into_a_session(db, user):
    browser = client()
    browser.cookies.set("_streamlit_user", "signed-identity", domain=HOST)
    assert browser.get("/").headers["location"] == "/signin/sso"


# --- downloads ---------------------------------------------------------------------------

def test_downloads_need_a_live_session(db, user):
    assert client().get("/media/my-data.json").status_code == 403
    browser, _ = signed_in(db, user)
    answer = browser.get("/media/my-data.json")
    assert answer.status_code == 200 and answer.content == b"private notes"


def test_a_download_after_the_idle_limit_is_refused(db, user):
    browser, token = signed_in(db, user)
    idle_for(db, 30)
    assert browser.get("/media/my-data.json").status_code == 200  # 30 minutes: still in time
    idle_for(db, 31)
    answer = browser.get("/media/my-data.json")
    assert answer.status_code == 403 and b"private" not in answer.content
    assert sessions.resolve(db, token).session is None  # and the session has ended


def test_downloads_stop_when_the_account_is_deactivated(db, user, team):
    browser, _ = signed_in(db, user)
    admin = accounts.create_user(db, "dana", PASSWORD, team=team, is_admin=True)
    accounts.set_active(db, user, False, actor_id=admin)
    assert browser.get("/media/my-data.json").status_code == 403


# --- uploads -----------------------------------------------------------------------------

UPLOAD = "/_stcore/upload_file/session-id/file-id"


def chunks(total: int, size: int = 64 * 1024):
    sent = 0
    while sent < total:
        yield b"x" * min(size, total - sent)
        sent += size


def test_an_upload_without_a_session_is_refused_before_it_is_read(db, user):
    app = Streamlit()
    answer = client(app).put(UPLOAD, content=chunks(1024 * 1024))  # no length announced
    assert answer.status_code == 401
    assert app.uploads_read == 0


def test_an_announced_oversized_upload_is_refused_at_once(db, user):
    app = Streamlit()
    browser, _ = signed_in(db, user, client(app))
    answer = browser.put(UPLOAD, content=b"x" * (guard.upload_limit() + 1))
    assert answer.status_code == 413 and app.uploads_read == 0


def test_an_upload_is_cut_off_once_it_passes_the_limit(db, user, monkeypatch):
    monkeypatch.setattr(guard, "upload_limit", lambda: 200 * 1024)
    app = Streamlit()
    browser, _ = signed_in(db, user, client(app))
    assert browser.put(UPLOAD, content=chunks(1024 * 1024)).status_code == 413
    assert app.uploads_read == 0
    answer = browser.put(UPLOAD, content=chunks(100 * 1024))
    assert answer.status_code == 200 and answer.text == str(100 * 1024)


def test_the_upload_limit_is_streamlits_max_upload_size():
    from streamlit import config

    assert guard.upload_limit() == config.get_option("server.maxUploadSize") * 1024 * 1024 + guard.MULTIPART_MARGIN


def test_other_request_bodies_are_capped(db, user):
    answer = client().post("/signin", content=b"username=" + b"x" * (guard.MAX_FORM_BYTES + 1),
                           headers={"Content-Type": "application/x-www-form-urlencoded"})
    assert answer.status_code == 413
    streamed = client().post("/signin", content=chunks(guard.MAX_FORM_BYTES * 2),
                             headers={"Content-Type": "application/x-www-form-urlencoded"})
    assert streamed.status_code == 413


def test_the_warm_up_starts_once_the_server_has_started(monkeypatch):
    """The deferred guard starts importing the core when the server reports its start-up
    complete (the health check answers from then on), not before."""
    from fatigue import web

    started = []
    monkeypatch.setattr(web, "warm_up", lambda: started.append("warm-up"))

    async def server(scope, receive, send):
        await send({"type": "lifespan.startup.complete"})
        started.append("sent")

    async def ignore(message):
        started.append(message["type"])

    running = web.DeferredGuard(server)({"type": "lifespan"}, None, ignore)
    with pytest.raises(StopIteration):  # nothing here waits: one step runs it to its end
        running.send(None)              # (no asyncio.run: another test's loop may be running)
    assert started == ["lifespan.startup.complete", "warm-up", "sent"]


def test_the_warm_up_imports_what_the_first_visit_needs(tmp_path):
    import os
    import subprocess
    import sys

    code = ("import sys; from fatigue import web; web.warm_up().join(); "
            "print(all(m in sys.modules for m in web.WARM_UP))")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          env={**os.environ, "FATIGUE_DB": str(tmp_path / "app.db")},
                          cwd=Path(__file__).resolve().parent.parent, timeout=120, check=True)
    assert done.stdout.strip().splitlines()[-1] == "True"
