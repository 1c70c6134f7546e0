"""Single sign-on: Streamlit's ``st.login`` routes do the OpenID Connect exchange.

The sign-in page sends the person to Streamlit's ``/auth/login`` (the URL
``st.login`` would use). After the provider, Streamlit's ``/oauth2callback``
keeps the identity in its signed ``_streamlit_user`` cookie. We read that
cookie once (:func:`identity`, signature and origin checked the way
Streamlit checks them), turn it into one of our sessions and delete
Streamlit's cookies (:func:`forget`), so the identity cookie never signs
anyone in by itself and the session table is the one place sessions live.

Streamlit has no public API for reading its identity cookie outside a
script; the helpers used here are Streamlit's own (``tests/test_web_sso.py``
makes a cookie with Streamlit's signing function, so an upgrade that changes
them fails a test rather than sign-ins).

The rules are the core's (:mod:`fatigue.sso`): no provider is offered, and no
identity cookie is read, while the ``cookie_secret`` is unsafe (whoever knows
it could forge the cookie); which account an identity signs in
(:func:`fatigue.sso.user_for`: a verified email on first link, then the
issuer and subject) is decided there too.
"""
from __future__ import annotations

import json
from typing import Any, Mapping
from urllib.parse import urlsplit

from starlette.requests import HTTPConnection
from starlette.responses import Response

from fatigue import sso as rules

USER_COOKIE = "_streamlit_user"
TOKENS_COOKIE = "_streamlit_user_tokens"


def _auth_section() -> Any:
    """Streamlit's ``[auth]`` secrets section, or None."""
    from streamlit.runtime.secrets import secrets_singleton

    try:
        if not secrets_singleton.load_if_toml_exists():
            return None
        return secrets_singleton.get("auth")
    except (FileNotFoundError, KeyError, TypeError, ValueError):
        return None


def secret_problem() -> str | None:
    """Why single sign-on is switched off although providers are configured (an unsafe
    ``cookie_secret``, :func:`fatigue.sso.cookie_secret_problem`), or None."""
    section = _auth_section()
    if not rules.providers(section):
        return None
    return rules.cookie_secret_problem(section.get("cookie_secret"))


def providers() -> list[tuple[str | None, str]]:
    """The configured providers, as ``(name, button label)`` (:func:`fatigue.sso.providers`);
    none while the cookie secret is unsafe (:func:`secret_problem`)."""
    found = rules.providers(_auth_section())
    if found and secret_problem() is not None:
        return []
    return found


def login_url(provider: str | None) -> str:
    """Streamlit's URL that starts the provider's sign-in (what ``st.login`` opens)."""
    from streamlit.user_info import generate_login_redirect_url

    return generate_login_redirect_url(provider or "default")


def has_identity(conn: HTTPConnection) -> bool:
    """Whether the browser came back from the provider with Streamlit's identity cookie."""
    return USER_COOKIE in conn.cookies


def identity(conn: HTTPConnection) -> dict[str, Any] | None:
    """The identity-provider claims in Streamlit's cookie, or None when there is
    none, its signature is wrong, or it was made for another origin."""
    from streamlit.auth_util import get_cookie_with_chunks, get_origin_from_redirect_uri
    from streamlit.web.server.server_util import get_cookie_secret
    from streamlit.web.server.starlette.starlette_app_utils import decode_signed_value

    if not providers():  # none configured, or an unsafe secret: no identity cookie is trusted
        return None
    secret, origin = get_cookie_secret(), get_origin_from_redirect_uri()
    if not secret or not origin:
        return None

    def single(name: str) -> bytes | None:
        raw = conn.cookies.get(name)
        return None if raw is None else decode_signed_value(secret, name, raw.encode("latin-1"))

    value = get_cookie_with_chunks(single, USER_COOKIE)
    if value is None:
        return None
    try:
        claims = json.loads(value.decode("utf-8"))
    except (UnicodeDecodeError, ValueError):
        return None
    expected = urlsplit(origin)
    if not isinstance(claims, dict) or claims.pop("origin", None) != f"{expected.scheme}://{expected.netloc}":
        return None
    return claims


def forget(response: Response, cookies: Mapping[str, str]) -> None:
    """Delete Streamlit's identity and token cookies (and their chunks)."""
    for name in cookies:
        for base in (USER_COOKIE, TOKENS_COOKIE):
            if name == base or (name.startswith(base + "_") and name[len(base) + 1:].isdigit()):
                response.delete_cookie(name, path="/")
