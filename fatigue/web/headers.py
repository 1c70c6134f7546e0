"""The security headers on every answer (see :mod:`fatigue.web.guard`).

Imports nothing of the core, so the health check of a process that has not loaded
the guard yet (:class:`fatigue.web.DeferredGuard`) carries them too.
"""
from __future__ import annotations

import base64
import functools
import hashlib

from starlette.datastructures import MutableHeaders
from starlette.requests import HTTPConnection
from starlette.types import Message, Send

from fatigue.web import app_page

CACHEABLE = ("/static/", "/component/", "/_stcore/bidi-components/", "/favicon.png",
             "/signin.css")


def is_https(conn: HTTPConnection) -> bool:
    """Whether the request came over HTTPS (directly or through the proxy)."""
    return conn.url.scheme in ("https", "wss")


def _inline_script_hashes() -> list[str]:
    """CSP hashes of the inline scripts of the page we serve (:mod:`fatigue.web.app_page`:
    Streamlit's tiny one and ours)."""
    try:
        scripts = app_page.inline_scripts()
    except OSError:
        return []
    return ["'sha256-" + base64.b64encode(hashlib.sha256(body.encode()).digest()).decode() + "'"
            for body in scripts]


@functools.cache
def content_security_policy() -> str:
    """The policy for Streamlit's pages: everything from this origin only."""
    scripts = " ".join(["'self'", *_inline_script_hashes()])
    return (
        f"default-src 'self'; script-src {scripts}; style-src 'self' 'unsafe-inline'; "
        "img-src 'self' data: blob:; font-src 'self' data:; connect-src 'self'; "
        "worker-src 'self' blob:; frame-src 'self'; object-src 'none'; base-uri 'self'; "
        "form-action 'self'; frame-ancestors 'none'"
    )


def adding(send: Send, path: str, https: bool) -> Send:
    """``send`` that adds the security headers to the response to ``path``."""

    async def with_headers(message: Message) -> None:
        if message["type"] == "http.response.start":
            headers = MutableHeaders(scope=message)
            headers.setdefault("Content-Security-Policy", content_security_policy())
            headers["X-Frame-Options"] = "DENY"
            headers["X-Content-Type-Options"] = "nosniff"
            headers["Referrer-Policy"] = "no-referrer"
            if https:
                headers["Strict-Transport-Security"] = "max-age=31536000"
            if not path.startswith(CACHEABLE):
                headers["Cache-Control"] = "no-store"
        await send(message)

    return with_headers
