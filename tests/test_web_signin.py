"""Signing in and out over HTTP: the form, the cookie, lockout, single sign-on (fatigue.web.signin)."""
import contextlib
import json

import pytest

from fatigue import accounts, audit, sessions, settings, sso
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
    # Max-Age counts from the moment the header is written: a second may have passed since
    # the session was stored with its 30 days.
    max_age = [a for a in attributes if a.startswith("Max-Age=")]
    assert len(max_age) == 1 and 2592000 - 2 <= int(max_age[0].split("=")[1]) <= 2592000
    assert [a for a in attributes if a not in max_age] == [
        "HttpOnly", "Path=/", "SameSite=strict", "Secure"]
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

SECRET = "q3Xv0bY7mN2pL9sK4tR8wZ1cF6hJ5gD0aE3uI7oP2yT"  # shaped like secrets.token_urlsafe(32)
AUTH = {"redirect_uri": f"https://{HOST}/oauth2callback", "cookie_secret": SECRET,
        "microsoft": {"client_id": "id", "client_secret": "secret",
                      "server_metadata_url": "https://idp.example/.well-known/openid-configuration"}}


@contextlib.contextmanager
def use_secrets(auth):
    from streamlit.runtime.secrets import secrets_singleton

    secrets_singleton.merge_programmatic_secrets({"auth": auth})
    try:
        yield
    finally:
        secrets_singleton._programmatic_secrets = None
        secrets_singleton._reset()


@pytest.fixture
def sso_secrets():
    with use_secrets(AUTH):
        yield


ISSUER = "https://login.microsoftonline.com/tenant-a/v2.0"
# What a provider vouches for: who (issuer and subject) and a verified email.
CLAIMS = {"iss": ISSUER, "sub": "casey-subject", "email_verified": True}


def identity_cookie(claims, origin=f"https://{HOST}", secret=AUTH["cookie_secret"]) -> str:
    """Streamlit's _streamlit_user cookie as its /oauth2callback sets it."""
    from streamlit.web.server.starlette.starlette_app_utils import create_signed_value

    value = json.dumps({**CLAIMS, **claims, "origin": origin, "is_logged_in": True,
                        "provider": "microsoft"})
    return create_signed_value(secret, "_streamlit_user", value).decode()


def back_from_the_provider(claims, **cookie):
    browser = client(https=True)
    browser.cookies.set("_streamlit_user", identity_cookie(claims, **cookie), domain=HOST)
    return browser.get("/signin/sso")


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
    sso.set_email(db, user, "casey@agency.org")
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
    sso.set_email(db, user, "casey@agency.org")
    browser = client(https=True)
    browser.cookies.set("_streamlit_user", cookie(), domain=HOST)
    answer = browser.get("/signin/sso")
    assert answer.status_code == 403 and message in answer.text
    assert stored_sessions(db) == []
    cleared = [v for k, v in answer.headers.multi_items() if k == "set-cookie"]
    assert any(v.startswith('_streamlit_user=""') for v in cleared)


# --- single sign-on: the core's rules on this path (fatigue.sso) --------------------------

@pytest.mark.parametrize("secret", ["a long random string", "x" * 40, "short-0123"])
def test_an_unsafe_cookie_secret_switches_single_sign_on_off(db, user, secret):
    """Whoever knows the README's old example secret could forge Streamlit's identity
    cookie for any linked account: no button, and no such cookie signs anyone in."""
    sso.set_email(db, user, "casey@agency.org")
    with use_secrets({**AUTH, "cookie_secret": secret}):
        text = client().get("/signin").text
        assert 'name="provider"' not in text
        assert "Single sign-on is switched off: the cookie_secret" in text
        assert "secrets.token_urlsafe(32)" in text
        assert client().post("/signin", data={"provider": "microsoft"}).status_code == 400
        answer = back_from_the_provider({"email": "casey@agency.org"}, secret=secret)
        assert answer.status_code == 403 and signin.SSO_INCOMPLETE in answer.text
    assert stored_sessions(db) == []
    assert not audit.entries(db, action="login")
    assert "Single sign-on is switched off" not in client().get("/signin").text  # no [auth]


def test_a_safe_secret_shows_no_warning(db, user, sso_secrets):
    assert "Single sign-on is switched off" not in client().get("/signin").text


def test_the_first_sign_in_binds_the_identity_for_good(db, user, sso_secrets):
    sso.set_email(db, user, "casey@agency.org")
    assert back_from_the_provider({"email": "casey@agency.org"}).status_code == 303
    assert db.execute("SELECT sso_issuer, sso_subject FROM users WHERE id = ?",
                      [user]).fetchone() == (ISSUER, "casey-subject")
    [linked] = [e for e in audit.admin_entries(db) if e["action"] == "sso_linked"]
    assert linked["detail"] == {"issuer": ISSUER, "provider": "microsoft"}
    # Another identity asserting the same email (another tenant: "nOAuth") gets nothing;
    # the bound one signs in whatever email it asserts later.
    other = back_from_the_provider({"email": "casey@agency.org", "sub": "someone-else"})
    assert other.status_code == 403 and "already signs in with another identity" in other.text
    assert back_from_the_provider({"email": "casey@new-name.org"}).status_code == 303
    assert [row[:2] for row in stored_sessions(db)] == [(user, "sso"), (user, "sso")]


@pytest.mark.parametrize("changes", [{"email_verified": False}, {"email_verified": "no"},
                                     {"email_verified": None}])
def test_first_link_needs_an_email_the_provider_verified(db, user, sso_secrets, changes):
    sso.set_email(db, user, "casey@agency.org")
    answer = back_from_the_provider({"email": "casey@agency.org", **changes})
    assert answer.status_code == 403
    assert "has not verified the email address casey@agency.org" in answer.text
    assert stored_sessions(db) == []
    assert db.execute("SELECT sso_subject FROM users WHERE id = ?", [user]).fetchone() == (None,)


def test_no_issuer_or_subject_no_session(db, user, sso_secrets):
    sso.set_email(db, user, "casey@agency.org")
    answer = back_from_the_provider({"email": "casey@agency.org", "sub": None})
    assert answer.status_code == 403 and "no issuer or subject" in answer.text
    assert stored_sessions(db) == []


def test_an_admins_change_of_the_email_is_shown_after_the_next_single_sign_on(db, user, team,
                                                                             sso_secrets):
    from conftest import start_app, texts

    admin = accounts.create_user(db, "boss", PASSWORD, team=team, is_admin=True)
    sso.set_email(db, user, "casey@agency.org", actor_id=admin)
    answer = back_from_the_provider({"email": "casey@agency.org"})
    at = start_app(token=answer.cookies[sessions.COOKIE])
    assert texts(at.title) == ["Hello, Casey"]
    [notice] = [t for t in texts(at.text) if "changed the email you can sign in with" in t]
    assert "the admin 'boss'" in notice


# --- a storage that refuses writes (issue 16): plainly, and nobody signed in half-way ------

def fill_the_disk_up_to_the_sessions(db, user, monkeypatch):
    """A full disk (conftest.fill_the_disk) on which the sessions table has no room left
    either: a new session needs a new page, as it would once the disk is full."""
    from conftest import fill_the_disk
    from fatigue.errors import NotSaved

    fill_the_disk(db, monkeypatch)
    with pytest.raises(NotSaved):
        while True:
            sessions.start(db, user)

def test_while_the_disk_is_full_sign_in_says_not_saved_and_sign_out_still_works(
        db, user, monkeypatch):
    browser = client()
    token = post(browser).cookies[sessions.COOKIE]
    fill_the_disk_up_to_the_sessions(db, user, monkeypatch)
    answer = post(client())
    assert answer.status_code == 503
    assert f'<p class="error" role="alert">{signin.NOT_SIGNED_IN}</p>' in answer.text
    assert 'value="casey"' in answer.text  # what was typed stays (never the password)
    assert sessions.COOKIE not in answer.cookies
    wrong = post(client(), password="a-wrong-password-here")
    assert wrong.status_code == 401 and "Username or password is not right." in wrong.text
    browser.cookies.set(sessions.COOKIE, token, domain=HOST)
    out = browser.post("/signout")
    assert out.status_code == 303 and "Max-Age=0" in cookie_header(out)


def test_while_the_disk_is_full_single_sign_on_says_not_saved(db, user, sso_secrets, monkeypatch):
    sso.set_email(db, user, "casey@agency.org")
    back_from_the_provider({"email": "casey@agency.org"})  # bound now; the next one only signs in
    fill_the_disk_up_to_the_sessions(db, user, monkeypatch)
    answer = back_from_the_provider({"email": "casey@agency.org"})
    assert answer.status_code == 503 and signin.NOT_SIGNED_IN in answer.text
    assert sessions.COOKIE not in answer.cookies


def test_a_database_the_app_must_not_use_gets_a_plain_page_not_an_error(db, user, db_path):
    from test_db import make_newer

    make_newer(db)  # as a newer version of the tool would leave it
    answer = post(client())
    assert answer.status_code == 503
    assert signin.NO_DATABASE in answer.text and str(db_path) not in answer.text
