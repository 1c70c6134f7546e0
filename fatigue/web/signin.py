"""Our routes: sign in, sign out, finish a single sign-on, and the tab icon.

* ``GET /signin``: the sign-in page (:mod:`fatigue.web.page`).
* ``POST /signin``: checks the password (:func:`fatigue.accounts.authenticate`:
  argon2id, lockout) and starts a session with a new token
  (:func:`fatigue.sessions.start`), set as the HttpOnly cookie; or, for a
  provider button, sends the person to the provider (``st.login``'s route).
  An account that must choose a new password gets its session too: the app
  then shows only the new-password screen.
* ``GET /signin/sso``: back from the provider; Streamlit's identity cookie
  becomes one of our sessions (:mod:`fatigue.web.sso`).
* ``POST /signout``: ends this browser's session and forgets the cookie.
* ``GET /favicon.png``, ``GET /signin.css``: served from here, so no page asks
  another host for anything.

The table of routes is :data:`fatigue.web.ROUTES` (this module is imported on the first
request to one of them).

Posts are refused unless they come from a page of this app (Origin checked).
Single sign-on follows the core's rules (:mod:`fatigue.sso`): no provider
while the cookie secret is unsafe (the page says why), a verified email on
first link, then the provider's issuer and subject. When the storage refuses
to record a sign-in (a full disk, a database locked too long or read-only),
the page says so plainly and nobody is signed in; signing out still forgets
the cookie.
"""
from __future__ import annotations

import logging
import sqlite3
from typing import Any

from starlette.requests import Request
from starlette.responses import FileResponse, HTMLResponse, PlainTextResponse, RedirectResponse, Response

from fatigue import accounts, note_keys, sessions, settings
from fatigue.errors import AuthError, NotSaved
from fatigue.sso import user_for
from fatigue.web import client, page, sso

log = logging.getLogger("fatigue")
SSO_KEEP_COOKIE = "fatigue_sso_keep"  # "keep me signed in", carried through the provider
MAX_NEXT_CHARS = 500
NOTICES = {
    "signed_out": "You have signed out.",
    "expired": "Your session has ended. Please log in again.",
}
SSO_INCOMPLETE = "Single sign-on did not complete. Please try again."
NOT_SIGNED_IN = f"You are not signed in. {NotSaved.MESSAGE}"
NO_DATABASE = ("You are not signed in: the app cannot use its database just now. Please try "
               "again later, or tell the person who runs the server (the details are in its log).")


def safe_next(value: Any) -> str:
    """Where to go after signing in: a path of this app, else the home page."""
    if (isinstance(value, str) and value.startswith("/") and not value.startswith("//")
            and len(value) <= MAX_NEXT_CHARS and "\\" not in value
            and value.isprintable() and not value.startswith(("/signin", "/signout"))):
        return value
    return "/"


def _page_settings(db: Any) -> dict[str, int]:
    return {"remember_days": settings.remember_days(db), "idle_minutes": settings.idle_minutes(db)}


async def _page(request: Request, status: int = 200, **fields: Any) -> HTMLResponse:
    """The sign-in page with the agency's settings and providers filled in."""
    try:
        known = await client.with_db(_page_settings)
    except Exception:  # noqa: BLE001 - the page itself must always show
        known = {}
    response = HTMLResponse(page.sign_in_page(providers=sso.providers(),
                                              sso_problem=sso.secret_problem(), **known, **fields),
                            status_code=status)
    response.headers["Content-Security-Policy"] = page.CSP
    return response


async def sign_in_form(request: Request) -> Response:
    ended = request.query_params.get("ended")
    notice = NOTICES.get("signed_out" if "signed_out" in request.query_params else ended or "")
    if ended == "idle":
        try:
            minutes = (await client.with_db(_page_settings))["idle_minutes"]
        except Exception:  # noqa: BLE001
            minutes = settings.DEFAULT_IDLE_MINUTES
        notice = f"You were signed out after {minutes} minutes without activity. Please log in again."
    return await _page(request, next_path=safe_next(request.query_params.get("next")),
                       notice=notice)


def _password_sign_in(db: Any, username: str, password: str, *, keep: bool, address: str,
                      device: str, replacing: str | None) -> tuple[str, sessions.Session]:
    user = accounts.authenticate(db, username, password, address=address)
    token, session = sessions.start(db, user.id, method="password", kept=keep, device=device,
                                    replacing=replacing)
    try:  # the password opens the private notes into this session (fatigue.note_keys)
        note_keys.signed_in_with_password(db, user.id, password, session.id, token)
    except NotSaved:  # a full disk: signed in, notes locked; the unlock form says why
        pass
    return token, session


def _text(form: Any, name: str) -> str:
    value = form.get(name)
    return value if isinstance(value, str) else ""


async def sign_in(request: Request) -> Response:
    if not client.same_origin(request):
        return PlainTextResponse("Sign in from this app's own page.", status_code=403)
    async with request.form(max_files=0, max_fields=10) as form:
        username, password = _text(form, "username"), _text(form, "password")
        keep, next_path = _text(form, "keep") == "1", safe_next(_text(form, "next"))
        provider = _text(form, "provider") if "provider" in form else None
    if provider is not None:
        return await _start_sso(request, provider, keep)
    try:
        token, session = await client.with_db(
            _password_sign_in, username, password, keep=keep, address=client.address(request),
            device=sessions.device_label(request.headers.get("user-agent")),
            replacing=client.token(request))
    except AuthError as exc:
        status = 429 if isinstance(exc, accounts.LockedOut) else 401
        return await _page(request, status, next_path=next_path, username=username[:80],
                           error=str(exc))
    except NotSaved:  # the session could not be stored (the log says why)
        return await _page(request, 503, next_path=next_path, username=username[:80],
                           error=NOT_SIGNED_IN)
    except sqlite3.DatabaseError:  # damaged, another program's, newer: the log says which
        log.exception("A sign-in could not use the database.")
        return await _page(request, 503, next_path=next_path, username=username[:80],
                           error=NO_DATABASE)
    response = RedirectResponse(next_path, status_code=303)
    client.set_session_cookie(response, token, session, secure=client.is_https(request))
    return response


async def _start_sso(request: Request, provider: str, keep: bool) -> Response:
    """To the provider through Streamlit's login route, remembering "keep me signed in"."""
    names = {name or "default" for name, _ in sso.providers()}
    if provider not in names:
        return await _page(request, 400, error="That single sign-on provider is not set up here.")
    try:
        url = sso.login_url(provider)
    except Exception:  # noqa: BLE001 - a misconfigured [auth] section
        return await _page(request, 500, error="Single sign-on is not set up correctly. Ask your admin.")
    # A page, not a redirect: form-action 'self' would stop a form post redirected to another host.
    response = HTMLResponse(page.continue_page(url))
    response.set_cookie(SSO_KEEP_COOKIE, "1" if keep else "0", max_age=600, path="/",
                        secure=client.is_https(request), httponly=True, samesite="lax")
    return response


def _sso_sign_in(db: Any, claims: dict[str, Any], *, keep: bool, device: str,
                 replacing: str | None) -> tuple[str, sessions.Session]:
    user = user_for(db, claims)
    token, session = sessions.start(db, user.id, method="sso", kept=keep, device=device,
                                    replacing=replacing)
    try:
        note_keys.signed_in_without_password(db, user.id, session.id, token)
    except NotSaved:
        pass
    return token, session


async def finish_sso(request: Request) -> Response:
    claims = sso.identity(request)
    try:
        if claims is None:
            raise AuthError(SSO_INCOMPLETE)
        token, session = await client.with_db(
            _sso_sign_in, claims, keep=request.cookies.get(SSO_KEEP_COOKIE) == "1",
            device=sessions.device_label(request.headers.get("user-agent")),
            replacing=client.token(request))
    except AuthError as exc:
        response: Response = await _page(request, 403, error=str(exc))
    except NotSaved:
        response = await _page(request, 503, error=NOT_SIGNED_IN)
    except sqlite3.DatabaseError:
        log.exception("A single sign-on could not use the database.")
        response = await _page(request, 503, error=NO_DATABASE)
    else:
        response = RedirectResponse("/", status_code=303)
        client.set_session_cookie(response, token, session, secure=client.is_https(request))
    sso.forget(response, request.cookies)  # the identity cookie never signs in by itself
    response.delete_cookie(SSO_KEEP_COOKIE, path="/")
    return response


async def sign_out(request: Request) -> Response:
    if not client.same_origin(request):
        return PlainTextResponse("Sign out from this app's own page.", status_code=403)
    try:
        await client.with_db(sessions.end_token, client.token(request), reason="logout")
    except NotSaved:  # the browser forgets the token all the same (the log says why)
        pass
    response = RedirectResponse("/signin?signed_out=1", status_code=303)
    client.clear_session_cookie(response, secure=client.is_https(request))
    sso.forget(response, request.cookies)
    return response


async def favicon(request: Request) -> Response:
    return FileResponse(page.FAVICON, media_type="image/png",
                        headers={"Cache-Control": "public, max-age=86400"})


async def stylesheet(request: Request) -> Response:
    return Response(page.CSS, media_type="text/css",
                    headers={"Cache-Control": "public, max-age=3600"})
