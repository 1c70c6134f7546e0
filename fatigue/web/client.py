"""What a request tells about its client, and the session cookie we answer with.

The client address and scheme are the ones uvicorn reports: behind a reverse
proxy on the same host, uvicorn trusts its ``X-Forwarded-For`` and
``X-Forwarded-Proto`` (``FORWARDED_ALLOW_IPS``, default 127.0.0.1), so the
address is the person's and the scheme says whether they came over HTTPS.
"""
from __future__ import annotations

from typing import Any, Callable, TypeVar
from urllib.parse import urlsplit

from starlette.concurrency import run_in_threadpool
from starlette.requests import HTTPConnection
from starlette.responses import Response

from fatigue import sessions
from fatigue.web.headers import is_https  # noqa: F401 - re-exported
from fatigue.db import connect, default_path

T = TypeVar("T")


def address(conn: HTTPConnection) -> str:
    """The client's network address ('' when the server does not know it)."""
    return conn.client.host if conn.client else ""


def token(conn: HTTPConnection) -> str | None:
    """The session token the browser sent, if any (checked by :func:`fatigue.sessions.resolve`)."""
    return conn.cookies.get(sessions.COOKIE)


def same_origin(conn: HTTPConnection) -> bool:
    """Whether a form post comes from a page of this app (not another site's form).

    Browsers say where a request comes from in ``Sec-Fetch-Site``, which no
    page can set; older ones only in ``Origin`` (``null`` under our
    ``Referrer-Policy: no-referrer``, so it only counts when it names a host).
    A client that sends neither is not a browser on another site, so it is
    let through (the session cookie is SameSite=Strict anyway).
    """
    site = conn.headers.get("sec-fetch-site")
    if site is not None:
        return site == "same-origin"
    origin = conn.headers.get("origin")
    if origin is not None:
        parts = urlsplit(origin)
        return parts.netloc == conn.headers.get("host") and parts.scheme in ("http", "https")
    return True


def set_session_cookie(response: Response, value: str, session: sessions.Session,
                       *, secure: bool) -> None:
    """The cookie holding ``value``: HttpOnly, SameSite=Strict, path /, Secure over
    HTTPS; kept until the session's end, or (browser session) until the browser closes."""
    response.set_cookie(sessions.COOKIE, value, max_age=sessions.cookie_max_age(session),
                        path="/", secure=secure, httponly=True, samesite="strict")


def clear_session_cookie(response: Response, *, secure: bool) -> None:
    """Tell the browser to forget its session cookie."""
    response.delete_cookie(sessions.COOKIE, path="/", secure=secure, httponly=True,
                           samesite="strict")


def _with_db(work: Callable[..., T], *args: Any, **kwargs: Any) -> T:
    db = connect(default_path())
    try:
        return work(db, *args, **kwargs)
    finally:
        db.close()


async def with_db(work: Callable[..., T], *args: Any, **kwargs: Any) -> T:
    """``work(db, *args, **kwargs)`` in a worker thread, on a connection of its own.

    Password hashing and database writes never block the event loop that
    carries every open page's websocket.
    """
    return await run_in_threadpool(_with_db, work, *args, **kwargs)
