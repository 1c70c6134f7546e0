"""My account page (AppTest): changing one's own password."""
import pytest

from fatigue import accounts
from fatigue.errors import AuthError

from conftest import PASSWORD, log_in, texts

NEW = "a-brand-new-passphrase"


def change(current, new, repeat=None):
    at = log_in("casey").switch_page("fatigue/pages/account.py").run()
    at.text_input[0].input(current)
    at.text_input[1].input(new)
    at.text_input[2].input(new if repeat is None else repeat)
    return at.button(key="change_password_submit").click().run()


def test_change_password(db, user):
    at = change(PASSWORD, NEW)
    assert texts(at.success) == ["Your password has been changed."]
    assert accounts.authenticate(db, "casey", NEW).id == user
    with pytest.raises(AuthError):
        accounts.authenticate(db, "casey", PASSWORD)


@pytest.mark.parametrize("current, new, repeat, message", [
    ("not-my-password", NEW, None, "Your current password is not right."),
    (PASSWORD, NEW, "something-else-again", "The two new passwords differ."),
    (PASSWORD, "short", None, "Password must be at least 12 characters."),
    (PASSWORD, PASSWORD, None, "The new password must differ from the current one."),
])
def test_refused_changes_keep_the_old_password(db, user, current, new, repeat, message):
    at = change(current, new, repeat)
    assert texts(at.error) == [message]
    assert accounts.authenticate(db, "casey", PASSWORD).id == user
