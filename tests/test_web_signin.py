"""Signing in and out over HTTP: the form, the cookie, lockout, single sign-on (fatigue.web.signin)."""
import json

import pytest

from fatigue import accounts, audit, sessions, settings
from fatigue.web import page, signin

from conftest import PASSWORD
from web_app import HOST, client

FIREFOX = "Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:133.0) Gecko/20100101 Firefox/133.0"


def post(browser, username="casey", password=PASSWORD, **fields):
    return browser.post("/signin", data={"username": username, "password": password, **fields},
                        headers={"User-Agent": FIREFOX})


def cookie_header(response) -> str:
    [header] = [v for k, v in response.headers.multi_items() if k == "set-cookie"
                and v.startswith(sessions.COOKIE + "=")]
    return header


def stored_sessions(db):
    return db.execute("SELECT user_id, method, kept, device FROM sessions ORDER BY id").fetchall()


def test_sign_in_page_is_a_plain_form_with_a_strict_policy(db, user):
    answer = client().get("/signin")
    assert answer.status_code == 200
    assert answer.headers["content-security-policy"] == page.CSP
    assert answer.headers["cache-control"] == "no-store"
    assert answer.headers["x-frame-options"] == "DENY"
    text = answer.text
    assert '<form method="post" action="/signin">' in text
    assert 'autocomplete="current-password"' in text and "<script" not in text
    assert "Keep me signed in on this device for 30 days" in text
    assert "after 30 minutes without activity" in text
    assert page.NOT_A_DIAGNOSIS in text


def test_sign_in_sets_an_httponly_strict_cookie_and_stores_only_its_hash(db, user):
    answer = post(client())
    assert answer.status_code == 303 and answer.headers["location"] == "/"
    header = cookie_header(answer)
    token = header.split(";")[0].split("=", 1)[1]
    attributes = sorted(part.strip() for part in header.split(";")[1:])
    assert attributes == ["HttpOnly", "Path=/", "SameSite=strict"]  # browser session: no expiry
    assert stored_sessions(db) == [(user, "password", 0, "Firefox on Windows")]
    assert db.execute("SELECT token_hash FROM sessions").fetchone() == (sessions.hash_token(token),)
    assert sessions.resolve(db, token).session.user_id == user
    assert [e["detail"] for e in audit.entries(db, action="login")] == [{"method": "password"}]


def test_keep_me_signed_in_lasts_the_setting_and_https_makes_the_cookie_secure(db, user):
    answer = post(client(https=True), keep="1")
    attributes = sorted(part.strip() for part in cookie_header(answer).split(";")[1:])
    assert attributes == ["HttpOnly", "Max-Age=2592000", "Path=/", "SameSite=strict", "Secure"]
    assert answer.headers["strict-transport-security"] == "max-age=31536000"
    assert stored_sessions(db)[0][2] == 1


def test_keeping_can_be_turned_off_by_the_admin(db, user):
    settings.set_remember_days(db, 0)
    browser = client()
    assert "Keep me signed in" not in browser.get("/signin").text
    answer = post(browser, keep="1")  # sent anyway: still a browser session
    assert "Max-Age" not in cookie_header(answer)
    assert stored_sessions(db)[0][2] == 0


def test_every_sign_in_gets_a_new_token_and_ends_the_old_session(db, user):
    browser = client()
    first = post(browser).cookies[sessions.COOKIE]
    browser.cookies.set(sessions.COOKIE, first, domain=HOST)
    second = post(browser).cookies[sessions.COOKIE]
    assert first != second
    assert sessions.resolve(db, first).session is None
    assert sessions.resolve(db, second).session is not None


@pytest.mark.parametrize("username, password", [
    ("casey", "not-the-password"),
    ("nobody-here", PASSWORD),
    ("", ""),
    ("x" * 5000, "y" * 5000),
    ("casey\x00; DROP TABLE users", PASSWORD),
    ("émile 🙂", "pässwörd"),
])
def test_failed_sign_in_says_the_same_for_everyone_and_sets_no_cookie(db, user, username, password):
    answer = post(client(), username, password)
    assert answer.status_code == 401
    assert '<p class="error" role="alert">Username or password is not right.</p>' in answer.text
    assert sessions.COOKIE not in answer.cookies
    assert stored_sessions(db) == []
    detail = audit.entries(db, action="login_failed")[0]["detail"]
    assert detail["username"] is None or len(detail["username"]) <= 40


def test_the_page_shows_back_what_was_typed_only_as_text(db, user):
    answer = post(client(), '"><script>alert(1)</script>', "wrong", next='/"><img src=x>')
    assert "<script>alert(1)" not in answer.text and "<img src=x>" not in answer.text
    assert 'value="&quot;&gt;&lt;script&gt;alert(1)&lt;/script&gt;"' in answer.text
    assert "wrong" not in answer.text  # never the password


def test_lockout_over_http_counts_the_client_address(db, user):
    attacker = client(address="203.0.113.66")
    for _ in range(4):
        assert post(attacker, password="not-the-password").status_code == 401
    locked = post(attacker, password="not-the-password")
    assert locked.status_code == 429
    assert "Too many failed logins for this username. Try again in 3" in locked.text
    assert post(attacker).status_code == 429  # the right password waits out the lock there
    assert post(client(address="198.51.100.7")).status_code == 303  # the owner, elsewhere
    [entry] = audit.entries(db, action="login_locked")
    assert entry["detail"]["address"] == "203.0.113.66"


@pytest.mark.parametrize("headers", [
    {"Sec-Fetch-Site": "cross-site"},
    {"Sec-Fetch-Site": "same-site"},
    {"Origin": "https://evil.example"},
    {"Origin": "null"},
])
def test_a_form_on_another_site_cannot_sign_in_or_out(db, user, headers):
    browser = client()
    answer = browser.post("/signin", data={"username": "casey", "password": PASSWORD},
                          headers=headers)
    assert answer.status_code == 403 and stored_sessions(db) == []
    token, _ = sessions.start(db, user)
    browser.cookies.set(sessions.COOKIE, token, domain=HOST)
    assert browser.post("/signout", headers=headers).status_code == 403
    assert sessions.resolve(db, token).session is not None


def test_same_origin_posts_from_browsers_are_accepted(db, user):
    for headers in ({"Sec-Fetch-Site": "same-origin", "Origin": "null"},
                    {"Origin": f"http://{HOST}"}):
        answer = client().post("/signin", data={"username": "casey", "password": PASSWORD},
                               headers=headers)
        assert answer.status_code == 303


@pytest.mark.parametrize("wanted, lands", [
    ("/checkin", "/checkin"),
    ("/team?period=week", "/team?period=week"),
    ("https://evil.example/", "/"),
    ("//evil.example/", "/"),
    ("/\\evil.example", "/"),
    ("/signout", "/"),
    ("/signin?next=/x", "/"),
    ("javascript:alert(1)", "/"),
    ("/x\r\nSet-Cookie: a=b", "/"),
])
def test_after_signing_in_only_a_page_of_this_app_opens(db, user, wanted, lands):
    assert post(client(), next=wanted).headers["location"] == lands


def test_an_account_that_must_change_its_password_still_gets_a_session(db, user, team):
    admin = accounts.create_user(db, "dana", PASSWORD, team=team, is_admin=True)
    accounts.reset_password(db, user, "temporary-garden-words", actor_id=admin)
    answer = post(client(), password="temporary-garden-words")
    assert answer.status_code == 303  # the app shows only "Choose a new password"
    assert accounts.get_user(db, user).must_change_password


def test_sign_out_ends_the_session_and_forgets_the_cookie(db, user):
    browser = client()
    token = post(browser).cookies[sessions.COOKIE]
    browser.cookies.set(sessions.COOKIE, token, domain=HOST)
    answer = browser.post("/signout")
    assert answer.status_code == 303 and answer.headers["location"] == "/signin?signed_out=1"
    assert 'Max-Age=0' in cookie_header(answer)
    assert sessions.resolve(db, token).session is None
    assert [e["action"] for e in audit.entries(db)][:2] == ["logout", "login"]
    assert "You have signed out." in client().get("/signin?signed_out=1").text


def test_sign_in_page_says_why_a_session_ended(db, user):
    settings.set_idle_minutes(db, 45)
    idle = client().get("/signin?ended=idle&next=/checkin").text
    assert "You were signed out after 45 minutes without activity." in idle
    assert '<input type="hidden" name="next" value="/checkin">' in idle
    assert "Your session has ended." in client().get("/signin?ended=expired").text


def test_icon_and_stylesheet_are_served_here(db):
    browser = client()
    icon = browser.get("/favicon.png")
    assert icon.status_code == 200 and icon.content.startswith(b"\x89PNG")
    assert icon.headers["cache-control"] == "public, max-age=86400"
    assert browser.get("/signin.css").headers["content-type"].startswith("text/css")


# --- single sign-on ----------------------------------------------------------------------

AUTH = {"redirect_uri": f"https://{HOST}/oauth2callback", "cookie_secret": "test-cookie-secret-0123456789",
        "microsoft": {"client_id": "id", "client_secret": "secret",
                      "server_metadata_url": "https://idp.example/.well-known/openid-configuration"}}


@pytest.fixture
def sso_secrets():
    from streamlit.runtime.secrets import secrets_singleton

    secrets_singleton.merge_programmatic_secrets({"auth": AUTH})
    yield
    secrets_singleton._programmatic_secrets = None
    secrets_singleton._reset()


def identity_cookie(claims, origin=f"https://{HOST}", secret=AUTH["cookie_secret"]) -> str:
    """Streamlit's _streamlit_user cookie as its /oauth2callback sets it."""
    from streamlit.web.server.starlette.starlette_app_utils import create_signed_value

    value = json.dumps({**claims, "origin": origin, "is_logged_in": True, "provider": "microsoft"})
    return create_signed_value(secret, "_streamlit_user", value).decode()


def test_provider_buttons_only_when_configured(db, user, sso_secrets):
    text = client().get("/signin").text
    assert ('<button class="secondary" type="submit" name="provider" value="microsoft" '
            'formnovalidate>Sign in with Microsoft</button>') in text


def test_no_provider_buttons_without_an_auth_section(db, user):
    assert 'name="provider"' not in client().get("/signin").text


def test_provider_button_goes_to_streamlits_login_remembering_keep(db, user, sso_secrets):
    answer = client(https=True).post("/signin", data={"provider": "microsoft", "keep": "1"})
    assert answer.status_code == 200
    assert '<meta http-equiv="refresh" content="0; url=/auth/login?provider=' in answer.text
    keep = [v for k, v in answer.headers.multi_items() if k == "set-cookie"][0]
    assert keep.startswith(f"{signin.SSO_KEEP_COOKIE}=1;") and "HttpOnly" in keep
    assert client().post("/signin", data={"provider": "google"}).status_code == 400


def test_back_from_the_provider_a_linked_account_gets_a_session(db, user, sso_secrets):
    accounts.set_sso_email(db, user, "casey@agency.org")
    browser = client(https=True)
    browser.cookies.set("_streamlit_user", identity_cookie({"email": "Casey@agency.org"}), domain=HOST)
    browser.cookies.set(signin.SSO_KEEP_COOKIE, "1", domain=HOST)
    answer = browser.get("/signin/sso")
    assert answer.status_code == 303 and answer.headers["location"] == "/"
    assert "Max-Age=2592000" in cookie_header(answer) and "Secure" in cookie_header(answer)
    cleared = [v for k, v in answer.headers.multi_items() if k == "set-cookie"]
    assert any(v.startswith('_streamlit_user=""') and "Max-Age=0" in v for v in cleared)
    assert [row[:3] for row in stored_sessions(db)] == [(user, "sso", 1)]


@pytest.mark.parametrize("cookie, message", [
    (lambda: identity_cookie({"email": "stranger@agency.org"}),
     "There is no active account here for stranger@agency.org."),
    (lambda: identity_cookie({"email": "casey@agency.org"}, secret="not-the-secret-at-all-0123"),
     signin.SSO_INCOMPLETE),
    (lambda: identity_cookie({"email": "casey@agency.org"}, origin="https://evil.example"),
     signin.SSO_INCOMPLETE),
    (lambda: "garbage", signin.SSO_INCOMPLETE),
])
def test_unlinked_or_forged_identities_get_no_session(db, user, sso_secrets, cookie, message):
    accounts.set_sso_email(db, user, "casey@agency.org")
    browser = client(https=True)
    browser.cookies.set("_streamlit_user", cookie(), domain=HOST)
    answer = browser.get("/signin/sso")
    assert answer.status_code == 403 and message in answer.text
    assert stored_sessions(db) == []
    cleared = [v for k, v in answer.headers.multi_items() if k == "set-cookie"]
    assert any(v.startswith('_streamlit_user=""') for v in cleared)
