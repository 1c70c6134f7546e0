"""Helpers shared by the pages: text typed by people is shown literally."""
import pytest

from fatigue.pages._session import plain


@pytest.mark.parametrize("text, expected", [
    ("Casey", "Casey"),
    ("check-ins (0 of 10).", "check-ins (0 of 10)."),
    ("[click](http://evil.example)", "\\[click\\](http\\://evil.example)"),
    ("**bold** _it_", "\\*\\*bold\\*\\* \\_it\\_"),
    ("<script>alert(1)</script>", "\\<script\\>alert(1)\\</script\\>"),
    ("# heading", "\\# heading"),
    ("- item\n1. two\n  + three", "\\- item\n1\\. two\n  \\+ three"),
    (":material/home: $x$", "\\:material/home\\: \\$x\\$"),
])
def test_plain_escapes_markdown(text, expected):
    assert plain(text) == expected
