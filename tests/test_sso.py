"""Single sign-on (fatigue/sso.py): the cookie secret, a verified email on first link,
then the provider's issuer and subject, and admins' changes shown to the person."""
import pytest

from fatigue import accounts, audit, sessions, sso
from fatigue.errors import AuthError, ValidationError

from conftest import PASSWORD

ISSUER = "https://login.microsoftonline.com/tenant-a/v2.0"
CASEY = {"is_logged_in": True, "iss": ISSUER, "sub": "casey-subject",
         "email": "casey@agency.org", "email_verified": True, "provider": "microsoft"}


def claims(**changes):
    return {**CASEY, **changes}


@pytest.fixture
def linked(db, user):
    sso.set_email(db, user, "casey@agency.org")
    return user


# --- the cookie secret -------------------------------------------------------------------

GOOD_SECRET = "q3Xv0bY7mN2pL9sK4tR8wZ1cF6hJ5gD0aE3uI7oP2yT"  # token_urlsafe(32)-shaped


@pytest.mark.parametrize("secret, reason", [
    (None, "is missing"),
    ("", "is missing"),
    ("a long random string", "is a placeholder"),  # the README's old example
    ("REPLACE-ME-with-the-output-of-the-command-below-9f8e7d", "is a placeholder"),
    ("9f8e7d6c5b4a3", "is too short (13 characters; at least 32)"),
    ("x" * 64, "is too predictable"),
    ("abababababababababababababababababababab", "is too predictable"),
])
def test_an_unsafe_cookie_secret_keeps_single_sign_on_off(secret, reason):
    problem = sso.cookie_secret_problem(secret)
    assert problem.startswith(f"Single sign-on is switched off: the cookie_secret in "
                              f".streamlit/secrets.toml {reason}")
    assert "import secrets; print(secrets.token_urlsafe(32))" in problem


def test_secrets_made_as_the_readme_says_are_accepted():
    import secrets

    assert sso.cookie_secret_problem(GOOD_SECRET) is None
    for _ in range(200):
        assert sso.cookie_secret_problem(secrets.token_urlsafe(32)) is None
        assert sso.cookie_secret_problem(secrets.token_hex(32)) is None


def test_the_readme_example_cannot_be_used_as_it_stands():
    import re
    import tomllib
    from pathlib import Path

    readme = (Path(__file__).resolve().parent.parent / "README.md").read_text()
    example = re.search(r"```toml\n(\[auth\].*?)```", readme, re.S).group(1)
    secret = tomllib.loads(example)["auth"]["cookie_secret"]
    assert sso.cookie_secret_problem(secret) is not None


# --- first link: a verified email -----------------------------------------------------------

def test_a_verified_email_links_its_account_and_binds_the_identity(db, linked):
    assert sso.user_for(db, CASEY).id == linked
    row = db.execute("SELECT sso_issuer, sso_subject FROM users WHERE id = ?", [linked]).fetchone()
    assert row == (ISSUER, "casey-subject")
    assert [e["action"] for e in audit.entries(db)][:2] == ["login", "sso_linked"]
    assert audit.entries(db, action="login")[0]["detail"] == {"method": "sso",
                                                             "provider": "microsoft"}


@pytest.mark.parametrize("verified", [
    "missing", False, 0, 1, "no", "false", "yes", None, [True],
])
def test_first_link_needs_an_email_the_provider_verified(db, linked, verified):
    given = claims() if verified != "missing" else {k: v for k, v in CASEY.items()
                                                      if k != "email_verified"}
    if verified != "missing":
        given["email_verified"] = verified
    with pytest.raises(AuthError, match="has not verified the email address casey@agency.org"):
        sso.user_for(db, given)
    assert db.execute("SELECT sso_subject FROM users").fetchone()[0] is None
    assert audit.entries(db, action="sso_refused")[0]["detail"]["reason"] == "email not verified"


@pytest.mark.parametrize("extra, accepted", [
    ({"email_verified": "true"}, True),  # some providers send a string
    ({"xms_edov": True}, True),  # Microsoft Entra: the email's domain is verified by its owner
    ({"xms_edov": False}, False),
    ({"email_verified": False, "xms_edov": True}, False),  # an explicit "no" wins
])
def test_verified_as_providers_say_it(db, linked, extra, accepted):
    given = {k: v for k, v in CASEY.items() if k != "email_verified"} | extra
    if accepted:
        assert sso.user_for(db, given).id == linked
    else:
        with pytest.raises(AuthError):
            sso.user_for(db, given)


@pytest.mark.parametrize("changes, message", [
    ({"is_logged_in": False}, "Single sign-on did not complete. Please try again."),
    ({"sub": None}, "Your identity provider did not say who you are (no issuer or subject), "
     "so you cannot be signed in. Ask your admin."),
    ({"iss": ""}, "Your identity provider did not say who you are (no issuer or subject), "
     "so you cannot be signed in. Ask your admin."),
    ({"email": None}, "Your identity provider did not share an email address, so no account "
     "here can be found for you. Ask your admin."),
    ({"email": "stranger@agency.org"}, "There is no active account here for "
     "stranger@agency.org. Accounts are not created automatically: ask your admin to link "
     "this email to your account."),
])
def test_refusals(db, linked, changes, message):
    with pytest.raises(AuthError) as info:
        sso.user_for(db, claims(**changes))
    assert str(info.value) == message
    assert db.execute("SELECT count(*) FROM users").fetchone()[0] == 1  # nothing created


def test_a_deactivated_account_is_refused_before_and_after_binding(db, linked):
    accounts.set_active(db, linked, False)
    with pytest.raises(AuthError, match="no active account"):
        sso.user_for(db, CASEY)
    accounts.set_active(db, linked, True)
    sso.user_for(db, CASEY)
    accounts.set_active(db, linked, False)
    with pytest.raises(AuthError, match="not active"):
        sso.user_for(db, CASEY)


# --- then the issuer and subject, whatever the email says -----------------------------------

def test_a_bound_account_signs_in_by_its_identity_even_if_the_email_claim_changes(db, linked):
    sso.user_for(db, CASEY)
    renamed = claims(email="casey.jones@agency.org", email_verified=False)
    assert sso.user_for(db, renamed).id == linked


def test_another_identity_asserting_the_linked_email_is_refused_after_binding(db, linked):
    """nOAuth: another tenant (or provider) asserting casey's email, even as verified."""
    sso.user_for(db, CASEY)
    for other in (claims(sub="attacker"), claims(iss="https://login.example/other-tenant")):
        with pytest.raises(AuthError, match="already signs in with another identity"):
            sso.user_for(db, other)
    assert audit.entries(db, action="sso_refused")[0]["detail"]["reason"] == (
        "bound to another identity")


# --- an admin changing the email --------------------------------------------------------------

def test_an_admin_changing_the_email_is_audited_unbinds_and_leaves_a_notice(db, linked, team):
    admin = accounts.create_user(db, "boss", PASSWORD, team=team, is_admin=True)
    sso.user_for(db, CASEY)
    token, _ = sessions.start(db, linked, method="sso")
    sso.set_email(db, linked, "c.jones@agency.org", actor_id=admin)
    assert sessions.resolve(db, token).session is None  # signed out, to meet the notice
    entry = audit.entries(db, action="sso_email_set")[0]
    assert entry["actor_id"] == admin
    assert entry["detail"] == {"user_id": linked, "username": "casey",
                               "from": "casey@agency.org", "to": "c.jones@agency.org"}
    with pytest.raises(AuthError):  # the old identity no longer signs in
        sso.user_for(db, CASEY)
    [notice] = sso.take_notices(db, linked)
    assert "the admin 'boss' changed the email you can sign in with through single sign-on " \
           "from casey@agency.org to c.jones@agency.org" in notice
    assert sso.take_notices(db, linked) == []  # shown once


def test_saving_the_same_email_changes_nothing(db, linked, team):
    admin = accounts.create_user(db, "boss", PASSWORD, team=team, is_admin=True)
    sso.user_for(db, CASEY)
    sso.set_email(db, linked, " CASEY@agency.org ", actor_id=admin)
    assert sso.user_for(db, claims(email_verified=False)).id == linked  # still bound
    assert sso.take_notices(db, linked) == []


@pytest.mark.parametrize("email", ["not-an-email", "a@b@c", "has space@x.org", "x" * 250 + "@x.org"])
def test_bad_emails_refused(db, user, email):
    with pytest.raises(ValidationError) as info:
        sso.set_email(db, user, email)
    assert info.value.field == "sso_email"


def test_an_email_links_one_account(db, user, team):
    other = accounts.create_user(db, "robin", PASSWORD, team=team)
    sso.set_email(db, user, "casey@agency.org")
    with pytest.raises(ValidationError) as info:
        sso.set_email(db, other, "CASEY@agency.org")
    assert info.value.errors == {
        "sso_email": "'casey@agency.org' is already linked to the account 'casey'."}
    assert sso.set_email(db, user, "") is None  # unlinking


@pytest.mark.parametrize("section, expected", [
    (None, []),
    ({}, []),
    ({"redirect_uri": "u", "cookie_secret": "s"}, []),
    ({"redirect_uri": "u", "client_id": "x"}, [(None, "your agency account")]),
    ({"redirect_uri": "u", "okta": {"client_id": "x"}, "google": {"client_id": "y"},
      "half": {"client_secret": "z"}, "bad_name": {"client_id": "w"}},
     [("google", "Google"), ("okta", "Okta")]),
])
def test_providers_from_the_auth_section(section, expected):
    assert sso.providers(section) == expected
