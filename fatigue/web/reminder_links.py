"""The pause and stop links of the reminder e-mails: one click, no sign-in.

``GET /reminders/pause?t=...`` and ``/reminders/stop?t=...`` (and ``POST`` to the
stop link, which mail programs send for RFC 8058's one-click unsubscribe) do only
what the signed token says (:func:`fatigue.email_reminders.apply_link`) and
answer with a plain page. They never start a session: the link in the e-mail
cannot sign anyone in.
"""
from __future__ import annotations

from html import escape

from starlette.requests import Request
from starlette.responses import HTMLResponse, Response
from starlette.routing import Route

from fatigue import email_reminders, settings
from fatigue.web import client, page

PATHS = ("/reminders/pause", "/reminders/stop")
BAD_LINK = ("This link does not work any more (reminders were changed since that e-mail). "
            "You can change reminders in My account.")


def _page(text: str, status: int) -> HTMLResponse:
    body = f"""<!doctype html>
<html lang="en">
<head>
  <meta charset="utf-8">
  <meta name="viewport" content="width=device-width, initial-scale=1">
  <title>Reminders - {page.TITLE}</title>
  <link rel="icon" href="/favicon.png">
  <link rel="stylesheet" href="/signin.css">
</head>
<body><main>
  <h1>Reminders</h1>
  <p class="{'notice' if status == 200 else 'error'}" role="status">{escape(text)}</p>
  <p><a href="/">Open {page.TITLE}</a></p>
</main></body>
</html>
"""
    response = HTMLResponse(body, status_code=status)
    response.headers["Content-Security-Policy"] = page.CSP
    return response


def _apply(db, action: str, token: str) -> str | None:
    return email_reminders.apply_link(db, action, token, settings.agency_today(db))


async def reminder_link(request: Request) -> Response:
    action = request.url.path.rsplit("/", 1)[-1]
    token = request.query_params.get("t", "")
    words = await client.with_db(_apply, action, token)
    if words is None:
        return _page(BAD_LINK, 400)
    return _page(words, 200)


def routes() -> list[Route]:
    return [Route(path, reminder_link, methods=["GET", "HEAD", "POST"]) for path in PATHS]
