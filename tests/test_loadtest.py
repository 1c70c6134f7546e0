"""The load test's parts that need no running app: the bounds, the nginx configuration
it derives from deploy/nginx.conf, what the browser stand-in reads from Streamlit's
messages, the save check and the report (tests/test_deploy.py runs it all for real)."""
from __future__ import annotations

import datetime as dt
import random

import pytest
from streamlit.proto.Element_pb2 import Element

from fatigue import checkins, cli
from fatigue.loadtest import harness, proxy, run
from fatigue.loadtest.client import Browser, Run, VisitError

from conftest import RATINGS


def test_only_this_host_is_ever_a_target():
    assert harness.loopback_only("https://127.0.0.1:8443") == "https://127.0.0.1:8443"
    assert harness.loopback_only("http://localhost:8501")
    for url in ("https://checkin.example.org", "http://10.0.0.5:8501", "http://127.0.0.2"):
        with pytest.raises(ValueError, match="only runs against this host"):
            harness.loopback_only(url)
    with pytest.raises(ValueError, match="only runs against this host"):
        run.simulate("https://example.org", ["casey"], "x", seconds=1, think=0)


@pytest.mark.parametrize("argv, message", [
    (["--people", "201"], "argument --people: must be a whole number from 1 to 200"),
    (["--processes", "17"], "argument --processes: must be a whole number from 1 to 16"),
    (["--seconds", "3601"], "argument --seconds: must be a whole number from 1 to 3,600"),
])
def test_the_command_is_bounded_in_people_processes_and_time(argv, message, capsys):
    with pytest.raises(SystemExit) as refused:
        cli.main(["loadtest", *argv])
    assert refused.value.code == 2
    assert capsys.readouterr().err.endswith(f"error: {message}\n")


@pytest.mark.parametrize("kwargs, message", [
    ({"people": 201}, "The number of people must be from 1 to 200."),
    ({"processes": 17}, "The number of processes must be from 1 to 16."),
    ({"seconds": 3601}, "The duration must be from 1 to 3600 seconds."),
])
def test_the_load_test_itself_is_bounded_too(kwargs, message):
    with pytest.raises(ValueError, match=message):
        run.loadtest(**kwargs)


def test_the_configuration_run_is_the_shipped_one_with_this_hosts_ports(tmp_path):
    cert, key = tmp_path / "cert.pem", tmp_path / "key.pem"
    shipped = proxy.SHIPPED.read_text()
    site = proxy.site([4001, 4002, 4003], 9443, cert, key)
    assert "listen 80;" not in site and "return 301" not in site and "[::]" not in site
    assert "    listen 127.0.0.1:9443 ssl;\n" in site
    assert f"ssl_certificate     {cert};" in site and f"ssl_certificate_key {key};" in site
    assert [line.strip() for line in site.splitlines() if "server 127.0.0.1:" in line] == [
        f"server 127.0.0.1:{port} max_fails=1 fail_timeout=10s;" for port in (4001, 4002, 4003)]
    upstream_onwards = shipped[shipped.index("    proxy_hide_header"):]
    assert site.endswith(upstream_onwards)  # TLS, HSTS, headers, websockets: as shipped
    assert "X-Fatigue-Upstream" not in site
    shown = proxy.site([4001], 9443, cert, key, show_upstream=True)
    assert ('add_header Strict-Transport-Security "max-age=31536000" always;\n'
            "    add_header X-Fatigue-Upstream $upstream_addr always;\n") in shown


def element(**fields) -> Element:
    out = Element()
    for kind, values in fields.items():
        inner = getattr(out, kind)
        for name, value in values.items():
            if isinstance(value, list) and value and isinstance(value[0], dict):
                for item in value:  # repeated messages (a segmented control's options)
                    getattr(inner, name).add(**item)
            elif isinstance(value, list):
                getattr(inner, name).extend(value)
            else:
                setattr(inner, name, value)
    return out


def test_a_run_shows_its_texts_and_finds_widgets_by_label():
    page = Run(elements={
        (0, 0): element(heading={"body": "Daily check-in"}),
        (0, 1): element(alert={"body": "Check-in for Monday saved. Thank you."}),
        (0, 2): element(button_group={"id": "w1", "label": "Exhaustion (needed): 0 not drained "
                                      "at all, 10 ...", "options": [{"content": str(n)}
                                                                    for n in range(11)]}),
        (0, 3): element(button={"id": "w2", "label": "Save check-in"}),
    })
    assert page.shows("Thank you.") and not page.shows("Nothing was saved")
    assert page.widget("Save check-in").id == "w2"
    assert run.option(page.widget("Exhaustion"), 7) == "7"
    state = Browser._state(page.widget("Exhaustion"), "2")
    assert (state.id, list(state.string_array_value.data)) == ("w1", ["2"])
    with pytest.raises(VisitError, match="No widget labelled 'Caseload'"):
        page.widget("Caseload")


def test_the_browser_keeps_and_forgets_cookies_as_told():
    browser = Browser("https://127.0.0.1:9443")
    browser._keep_cookies([("Set-Cookie", "fatigue_session=abc; HttpOnly; Path=/; SameSite=strict"),
                           ("Set-Cookie", "_streamlit_xsrf=2|x|y|1; Path=/"), ("Content-Type", "x")])
    assert browser.cookies == {"fatigue_session": "abc", "_streamlit_xsrf": "2|x|y|1"}
    browser._keep_cookies([("set-cookie", 'fatigue_session=""; Max-Age=0; Path=/')])
    assert browser.cookies == {"_streamlit_xsrf": "2|x|y|1"}


def test_a_confirmed_save_missing_from_the_database_is_reported(db, db_path, user):
    today = dt.date.today()
    checkins.save_checkin(db, user, today, today=today, **{**RATINGS, "exhaustion": 7})
    day = today.isoformat()
    saved = {"casey": (day, 7, True), "nobody": (day, 3, True), "unsure": (day, 1, False)}
    assert run.lost_saves(db_path, saved) == (2, [f"nobody {day}: saved 3, stored nothing"])
    saved["casey"] = (day, 8, True)
    assert run.lost_saves(db_path, saved)[1][0] == f"casey {day}: saved 8, stored 7"


def test_the_report_gives_visits_a_second_and_percentiles_per_step():
    outcome = run.Outcome(visits=4, elapsed=8.0, sticky=4, routed=4,
                          served={"127.0.0.1:4001": 3, "127.0.0.1:4002": 1})
    for name in run.STEPS:
        outcome.samples[name] = [0.1, 0.2, 0.3, 0.4]
    usage = harness.Usage(pid=1, cpu_seconds=10.0, rss_mb=300.0, peak_rss_mb=350.0)
    result = run.report(outcome, None, {4001: usage}, {4001: harness.Usage(1, 12.0, 310.4, 360.0)},
                        people=2, processes=1, seconds=8, think=1.0, keep_signed_in=False,
                        checked=2, lost=[])
    assert result.ok
    assert run.text(result).splitlines() == [
        "2 people, 1 app process without a proxy, 8 s, 1 s between steps, signing in every visit",
        "visits: 4 (0.50 a second); errors: 0; saves confirmed and found in the database: 2/2",
        "step            count   p50 s   p95 s   p99 s   max s",
        *[f"{name:<14}      4    0.20    0.40    0.40    0.40" for name in run.STEPS],
        "app CPU per visit: 0.500 s",
        "app process on port 4001: memory 310 MB (peak 360 MB)",
        "sessions stuck to one process: 4/4 visits; visits per process: 127.0.0.1:4001 3, "
        "127.0.0.1:4002 1",
    ]
    for change in ({"errors": ["casey: open: HTTP 502"]}, {"saves_lost": ["x"]}, {"sticky": 3},
                   {"visits": 0}):
        assert not run.Report(**{**result.__dict__, **change}).ok


def test_free_ports_are_consecutive_and_free():
    random.seed(4)
    first, second = harness.free_ports(2)
    assert second == first + 1


def test_the_command_line_bounds_are_the_load_tests_own():
    from fatigue import cli

    assert (cli.MAX_LOADTEST_PEOPLE, cli.MAX_LOADTEST_PROCESSES, cli.MAX_LOADTEST_SECONDS) == (
        run.MAX_PEOPLE, run.MAX_PROCESSES, run.MAX_SECONDS)
