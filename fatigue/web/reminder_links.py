"""The pause and stop links of the reminder e-mails: no sign-in, and nothing done by a GET.

``GET /reminders/pause?t=...`` and ``/reminders/stop?t=...`` only show a
confirmation with one button; the button POSTs the token in the form, and only
that POST acts (:func:`fatigue.email_reminders.apply_link`). Corporate mail
scanners and link previews fetch every link in an e-mail: a GET must change
nothing, or they would silently pause or stop someone's reminders.

RFC 8058 one-click unsubscribe: the e-mail's ``List-Unsubscribe`` header names
the stop link and ``List-Unsubscribe-Post: List-Unsubscribe=One-Click``; a POST
to that link (token in the URL) with the body ``List-Unsubscribe=One-Click``
stops reminders at once. Every answer is a plain page without script; a bad or
outdated token gets a page saying so; none of them starts a session: a link in
an e-mail cannot sign anyone in.
"""
from __future__ import annotations

import sqlite3
from html import escape

from starlette.requests import Request
from starlette.responses import HTMLResponse, Response
from starlette.routing import Route

from fatigue import email_reminders, settings
from fatigue.web import client, page

PATHS = ("/reminders/pause", "/reminders/stop")
ONE_CLICK = ("List-Unsubscribe", "One-Click")  # RFC 8058's body: List-Unsubscribe=One-Click
BAD_LINK = ("This link does not work any more (reminders were changed since that e-mail). "
            "Nothing was changed. You can change reminders in My account.")
NO_DATABASE = "Nothing was changed: the app could not reach its database. Try again in a minute."


def _page(text: str, status: int, form: str = "") -> HTMLResponse:
    kind = "notice" if status == 200 else "error"
    role = "status" if status == 200 else "alert"
    body = f"""<!doctype html>
<html lang="en">
<head>
  <meta charset="utf-8">
  <meta name="viewport" content="width=device-width, initial-scale=1">
  <meta name="referrer" content="no-referrer">
  <title>Reminders - {page.TITLE}</title>
  <link rel="icon" href="/favicon.png">
  <link rel="stylesheet" href="/signin.css">
</head>
<body><main>
  <h1>Reminders</h1>
  {f'<p>{escape(text)}</p>' if form else f'<p class="{kind}" role="{role}">{escape(text)}</p>'}{form}
  <p class="small"><a href="/">Open {page.TITLE}</a></p>
</main></body>
</html>
"""
    response = HTMLResponse(body, status_code=status)
    response.headers["Content-Security-Policy"] = page.CSP
    return response


def _confirmation(action: str, token: str, until: str) -> HTMLResponse:
    """The question and its one button, which posts the token (a GET never acts)."""
    if action == "pause":
        question = f"Pause your check-in reminders until {until}?"
        button = "Pause reminders for a week"
    else:
        question = "Stop your check-in reminders?"
        button = "Stop reminders"
    form = f"""
  <form method="post" action="/reminders/{action}">
    <input type="hidden" name="t" value="{escape(token)}">
    <button class="primary" type="submit">{button}</button>
  </form>"""
    return _page(question, 200, form)


def _check(db, action: str, token: str) -> str | None:
    """The end of a pause from today as words, if the token is good; None otherwise."""
    if email_reminders.link_user(db, action, token) is None:
        return None
    return f"{email_reminders.pause_end(settings.agency_today(db)):%A %-d %B}"


def _apply(db, action: str, token: str) -> str | None:
    return email_reminders.apply_link(db, action, token, settings.agency_today(db))


async def _token_to_act_on(request: Request, action: str) -> str | None:
    """The token a POST acts on: the confirmation's form field, or for a one-click
    unsubscribe (stop only) the link's own; None for a POST that asks for neither."""
    form = await request.form()
    posted = form.get("t")
    if isinstance(posted, str):
        return posted
    if action == "stop" and form.get(ONE_CLICK[0]) == ONE_CLICK[1]:
        return request.query_params.get("t", "")
    return None


async def reminder_link(request: Request) -> Response:
    action = request.url.path.rsplit("/", 1)[-1]
    token = request.query_params.get("t", "")
    try:
        if request.method == "POST":
            chosen = await _token_to_act_on(request, action)
            if chosen is not None:
                words = await client.with_db(_apply, action, chosen)
                return _page(words, 200) if words is not None else _page(BAD_LINK, 400)
        until = await client.with_db(_check, action, token)
    except sqlite3.Error:
        return _page(NO_DATABASE, 503)
    if until is None:
        return _page(BAD_LINK, 400)
    return _confirmation(action, token, until)


def routes() -> list[Route]:
    return [Route(path, reminder_link, methods=["GET", "HEAD", "POST"]) for path in PATHS]
