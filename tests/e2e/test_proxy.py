"""The app behind a real nginx with TLS on loopback, configured as deploy/nginx.conf says.

Over HTTPS the session cookie is Secure and pages carry HSTS; the page's
websocket works through the proxy. (Which client address the app believes:
tests/test_deploy.py, no browser needed.)
"""
from __future__ import annotations

import pytest

from fatigue.loadtest.proxy import Nginx, nginx_binary

from .conftest import unavailable
from .support import RUN_COUNTER_SCRIPT, TIMEOUT_MS, log_in

pytestmark = pytest.mark.e2e


@pytest.fixture(scope="module")
def proxy(start_app, browser, tmp_path_factory):
    """nginx with the shipped configuration (deploy/nginx.conf), on a free port, in front
    of a demo agency served by one app process."""
    if nginx_binary() is None:
        unavailable("nginx not found (apt-get install nginx)")
    app = start_app(demo=True)
    nginx = Nginx(tmp_path_factory.mktemp("nginx"), [int(app.url.rsplit(":", 1)[1])])
    yield app, nginx.url
    nginx.stop()


def test_over_https_the_cookie_is_secure_and_the_app_works_through_the_proxy(proxy, browser):
    app, url = proxy
    context = browser.new_context(ignore_https_errors=True)  # our self-signed certificate
    context.set_default_timeout(TIMEOUT_MS)
    context.add_init_script(RUN_COUNTER_SCRIPT)
    try:
        page = context.new_page()
        page.goto(url)
        log_in(page, "alex.chen", keep=True)  # the page's websocket runs through nginx
        [cookie] = [c for c in context.cookies() if c["name"] == "fatigue_session"]
        assert cookie["secure"] and cookie["httpOnly"] and cookie["sameSite"] == "Strict"
        answer = page.request.get(url + "/")
        assert answer.headers["strict-transport-security"] == "max-age=31536000"
    finally:
        context.close()

