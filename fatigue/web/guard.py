"""Middleware in front of every HTTP request (:class:`Guard`), before Streamlit's own.

* **Headers on every answer**: a Content-Security-Policy with
  ``frame-ancestors 'none'`` (and nothing from another host),
  ``X-Frame-Options: DENY``, ``X-Content-Type-Options: nosniff``,
  ``Referrer-Policy: no-referrer``, HSTS over HTTPS, and
  ``Cache-Control: no-store`` on everything but Streamlit's versioned static
  files and our icon and stylesheet (pages, downloads, API answers).
* **Downloads** (``/media/``) only for a live session (:func:`fatigue.sessions.resolve`,
  so the idle and absolute limits hold for them too).
* **Uploads** (``/_stcore/upload_file/``) refused before a byte of the body is
  read unless the sender has a live session, and capped at
  ``server.maxUploadSize`` (.streamlit/config.toml) by the announced length
  and by counting what arrives; any other request body is capped at 64 kB.
* **Closed**: ``/_stcore/metrics`` and the agent API (``/_stcore/agent/``).
* **Pages**: loading a page without a live session goes to the sign-in page
  (once there are accounts; the first-run screen needs none); with one, the page is
  Streamlit's, told where its server is (:mod:`fatigue.web.app_page`). A page opened
  from another site (a link in an e-mail or a calendar reminder) is reloaded
  once from here, because browsers do not send a SameSite=Strict cookie with
  a navigation that another site started.

The websocket is left to Streamlit (which checks its Origin): every script
run resolves the session from the cookie itself (:mod:`fatigue.pages._session`).
"""
from __future__ import annotations

import sqlite3
from typing import Any
from urllib.parse import quote, urlencode

from starlette.exceptions import HTTPException
from starlette.requests import HTTPConnection
from starlette.responses import HTMLResponse, PlainTextResponse, RedirectResponse, Response
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from fatigue import accounts, sessions
from fatigue.web import app_page, client, headers, page, sso
from fatigue.web.headers import content_security_policy  # noqa: F401 - re-exported

MEDIA = "/media/"
UPLOAD = "/_stcore/upload_file/"
CLOSED = ("/_stcore/metrics", "/_stcore/agent/")
# Answered without a session: Streamlit's start-up calls, its websocket, its
# OpenID Connect routes, its assets, and our own sign-in routes.
OPEN_PREFIXES = ("/_stcore/", "/static/", "/component/", "/auth/")
OPEN_PATHS = frozenset({"/oauth2callback", "/signin", "/signin/sso", "/signin.css", "/signout",
                        "/favicon.png", "/reminders/pause", "/reminders/stop"})
MAX_FORM_BYTES = 64 * 1024
MULTIPART_MARGIN = 64 * 1024  # boundaries and part headers around an uploaded file


def upload_limit() -> int:
    """Largest upload body accepted: ``server.maxUploadSize`` MB and the multipart framing."""
    from streamlit import config

    return int(config.get_option("server.maxUploadSize")) * 1024 * 1024 + MULTIPART_MARGIN


def _resolve(db: Any, token: str | None) -> sessions.Resolved:
    return sessions.resolve(db, token)


def _page_gate(db: Any, token: str | None) -> tuple[sessions.Resolved, bool]:
    """The session of a page load, and whether signing in is needed without one."""
    resolved = sessions.resolve(db, token)
    return resolved, resolved.session is None and accounts.has_users(db)


def _capped(receive: Receive, limit: int) -> Receive:
    """``receive`` that stops a request body once more than ``limit`` bytes arrived."""
    seen = 0

    async def counted() -> Message:
        nonlocal seen
        message = await receive()
        if message["type"] == "http.request":
            seen += len(message.get("body", b""))
            if seen > limit:
                raise HTTPException(status_code=413, detail="Too large.")
        return message

    return counted


def _declared_length(conn: HTTPConnection) -> int | None:
    value = conn.headers.get("content-length")
    return int(value) if value is not None and value.isdigit() else None


class Guard:
    """The ASGI middleware (see the module doc)."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        conn = HTTPConnection(scope)
        answer = await self._answer_first(conn)
        if answer is not None:
            await answer(scope, receive, self._headers(conn, send))
            return
        path, method = conn.url.path, scope["method"]
        if path.startswith(UPLOAD):
            receive = _capped(receive, upload_limit())
        elif method not in ("GET", "HEAD", "OPTIONS"):
            receive = _capped(receive, MAX_FORM_BYTES)
        await self.app(scope, receive, self._headers(conn, send))

    async def _answer_first(self, conn: HTTPConnection) -> Response | None:
        """An answer of ours instead of the app's, or None to let the request through."""
        path, method = conn.url.path, conn.scope["method"]
        if path.startswith(CLOSED):
            return PlainTextResponse("Not found.", status_code=404)
        length = _declared_length(conn)
        if path.startswith(UPLOAD) and method != "OPTIONS":
            if length is not None and length > upload_limit():
                return PlainTextResponse("The file is too large.", status_code=413)
            if not await self._live(conn):
                return PlainTextResponse("Sign in first.", status_code=401)
            return None
        if method not in ("GET", "HEAD", "OPTIONS") and length is not None and length > MAX_FORM_BYTES:
            return PlainTextResponse("Too large.", status_code=413)
        if path.startswith(MEDIA):
            if method != "OPTIONS" and not await self._live(conn):
                return PlainTextResponse("You are signed out: sign in again to download.",
                                         status_code=403)
            return None
        if path.startswith(OPEN_PREFIXES) or path in OPEN_PATHS or method not in ("GET", "HEAD"):
            return None
        return await self._page(conn)

    async def _live(self, conn: HTTPConnection) -> bool:
        token = client.token(conn)
        if token is None:
            return False
        try:
            return (await client.with_db(_resolve, token)).session is not None
        except sqlite3.Error:
            return False  # a database that cannot be read lets nothing through

    async def _page(self, conn: HTTPConnection) -> Response | None:
        """A page load: the app's page (:mod:`.app_page`) with a live session (or before
        the first account), else to the sign-in page (or to finish a single sign-on)."""
        token = client.token(conn)
        if (token is None and conn.headers.get("sec-fetch-site") == "cross-site"
                and conn.headers.get("sec-fetch-mode") == "navigate"):
            return HTMLResponse(page.continue_page(str(conn.url.path)
                                                   + (f"?{conn.url.query}" if conn.url.query else "")))
        try:
            resolved, needed = await client.with_db(_page_gate, token)
        except sqlite3.Error:
            needed = False  # the app's own start-up check explains a damaged database
        if not needed:
            return app_page.response() if app_page.is_page(conn.url.path) else None
        if sso.has_identity(conn):
            target = "/signin/sso"
        else:
            wanted = conn.url.path + (f"?{conn.url.query}" if conn.url.query else "")
            query = {"next": wanted} if wanted != "/" else {}
            if resolved.ended:
                query["ended"] = resolved.ended
            target = "/signin" + (f"?{urlencode(query, quote_via=quote)}" if query else "")
        response = RedirectResponse(target, status_code=303)
        if token is not None:
            client.clear_session_cookie(response, secure=client.is_https(conn))
        return response

    def _headers(self, conn: HTTPConnection, send: Send) -> Send:
        """``send`` that adds the security headers to the response."""
        return headers.adding(send, conn.url.path, client.is_https(conn))
