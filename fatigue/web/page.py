"""The sign-in page: plain HTML and CSS, no script, readable on a phone; and the tab icon.

A real form posted to ``/signin``, so password managers and the keyboard work
as everywhere else, and so the answer can set an HttpOnly cookie (a
Streamlit script cannot set cookies). Every value shown is escaped.
"""
from __future__ import annotations

import base64
from html import escape
from pathlib import Path

TITLE = "Caseload check-in"
FAVICON = Path(__file__).with_name("favicon.png")  # served at /favicon.png
# The tab icon as a data: URL, for st.set_page_config (no request for it at all).
FAVICON_DATA_URL = "data:image/png;base64," + base64.b64encode(FAVICON.read_bytes()).decode()
NOT_A_DIAGNOSIS = (
    "This tool supports reflection and conversation. It does not diagnose anything: "
    "burnout is an occupational phenomenon, not a medical condition (WHO ICD-11 QD85)."
)
# Colours from .streamlit/config.toml's theme (contrast checked by the axe tests).
CSS = """
:root { color-scheme: light; }
body { margin: 0; font-family: "Source Sans Pro", "Segoe UI", system-ui, sans-serif;
       color: #191817; background: #fff; line-height: 1.5; }
main { max-width: 26rem; margin: 0 auto; padding: 3rem 1.25rem; }
h1 { font-size: 2rem; margin: 0 0 .25rem; }
.lede, .small { color: #4a4846; }
.small { font-size: .875rem; margin-top: 2rem; }
form { display: flex; flex-direction: column; gap: .35rem; margin-top: 1.5rem; }
label { font-weight: 600; margin-top: .6rem; }
input[type=text], input[type=password] { font: inherit; padding: .55rem .7rem;
       border: 1px solid #8a8886; border-radius: .5rem; }
input:focus-visible, button:focus-visible { outline: 3px solid #b0303e; outline-offset: 2px; }
.check { display: flex; gap: .5rem; align-items: flex-start; font-weight: 400; }
.check input { width: 1.25rem; height: 1.25rem; margin: .15rem 0 0; }
.hint { font-size: .875rem; color: #4a4846; margin: 0 0 .6rem 1.75rem; }
button { font: inherit; font-weight: 600; min-height: 2.75rem; border-radius: .5rem;
         cursor: pointer; border: 1px solid #b0303e; }
button.primary { background: #b0303e; color: #fff; margin-top: .8rem; }
button.secondary { background: #fff; color: #191817; border-color: #8a8886; }
.or { text-align: center; color: #4a4846; margin: .8rem 0 .2rem; }
.notice, .error, .warning { padding: .75rem 1rem; border-radius: .5rem; margin: 1rem 0 0; }
.notice { background: #e8f3ea; color: #173d1f; }
.warning { background: #fdf3e1; color: #4d3300; font-size: .875rem; }
.error { background: #fbe9eb; color: #6b1420; }
"""
# Only our own stylesheet and icon; nothing runs; the form posts here only.
CSP = ("default-src 'none'; style-src 'self'; img-src 'self'; form-action 'self'; "
       "frame-ancestors 'none'; base-uri 'none'")


def sign_in_page(
    *,
    next_path: str = "/",
    username: str = "",
    error: str | None = None,
    notice: str | None = None,
    remember_days: int = 30,
    idle_minutes: int = 30,
    providers: list[tuple[str | None, str]] | None = None,
    sso_problem: str | None = None,
) -> str:
    """The sign-in page; ``error`` (role=alert) or ``notice`` (role=status) above the form;
    ``sso_problem``: why single sign-on is switched off, below it."""
    message = ""
    if error:
        message = f'<p class="error" role="alert">{escape(error)}</p>'
    elif notice:
        message = f'<p class="notice" role="status">{escape(notice)}</p>'
    keep = ""
    if remember_days > 0:
        keep = f"""
      <label class="check"><input type="checkbox" name="keep" value="1" aria-describedby="keep-hint">
        Keep me signed in on this device for {remember_days} days</label>
      <p class="hint" id="keep-hint">Only on a device that is yours. Otherwise you are signed out
        when you close the browser, or after {idle_minutes} minutes without activity.</p>"""
    sso = ""
    if providers:
        buttons = "\n".join(
            f'      <button class="secondary" type="submit" name="provider" '
            f'value="{escape(name or "default")}" formnovalidate>Sign in with {escape(label)}</button>'
            for name, label in providers)
        sso = f'\n      <p class="or">or</p>\n{buttons}'
    problem = f'\n    <p class="warning" role="note">{escape(sso_problem)}</p>' if sso_problem else ""
    return f"""<!doctype html>
<html lang="en">
<head>
  <meta charset="utf-8">
  <meta name="viewport" content="width=device-width, initial-scale=1">
  <meta name="referrer" content="no-referrer">
  <title>Sign in · {TITLE}</title>
  <link rel="icon" href="/favicon.png">
  <link rel="stylesheet" href="/signin.css">
</head>
<body>
  <main>
    <h1>{TITLE}</h1>
    <p class="lede">A private self-monitoring tool for burnout and compassion fatigue.</p>
    {message}
    <form method="post" action="/signin">
      <input type="hidden" name="next" value="{escape(next_path)}">
      <label for="username">Username</label>
      <input type="text" id="username" name="username" value="{escape(username)}"
             autocomplete="username" autocapitalize="none" spellcheck="false" required>
      <label for="password">Password</label>
      <input type="password" id="password" name="password" autocomplete="current-password"
             required>{keep}
      <button class="primary" type="submit">Log in</button>{sso}
    </form>{problem}
    <p class="small">{escape(NOT_A_DIAGNOSIS)}</p>
  </main>
</body>
</html>
"""


def continue_page(url: str) -> str:
    """A page that opens ``url`` at once (same-site), for the hops where a redirect
    would not carry the SameSite=Strict cookie (back from another site)."""
    target = escape(url)
    return f"""<!doctype html>
<html lang="en">
<head>
  <meta charset="utf-8">
  <meta http-equiv="refresh" content="0; url={target}">
  <title>{TITLE}</title>
  <link rel="icon" href="/favicon.png">
</head>
<body><p><a href="{target}">Continue to {TITLE}</a></p></body>
</html>
"""
