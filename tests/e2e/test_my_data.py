"""My data in the browser: download it, import a history from CSV, delete it."""
from __future__ import annotations

import json
import re

import pytest

from .support import download, expect, go_to, log_in, main, notes_key, rerun, user_id

pytestmark = pytest.mark.e2e

PERSON = "alex.chen"  # a demo case manager; this module has a demo agency of its own
NOTE = "<script>alert(1)</script> [x](http://evil)"


@pytest.fixture(scope="module")
def app(start_app, browser):
    return start_app(demo=True)


def history(db_path, username, page=None):
    """Her check-ins in the database; notes read with the key open in ``page``'s session."""
    from fatigue import checkins
    from fatigue.db import connect

    uid = user_id(db_path, username)
    db = connect(db_path)
    try:
        return checkins.load_history(db, uid, key=notes_key(db, page))
    finally:
        db.close()


def test_download_import_and_delete_my_data(app, new_page, tmp_path):
    page = new_page(app)
    log_in(page, PERSON)
    go_to(page, "My account")
    before = len(history(app.db_path, PERSON))
    assert before > 0

    # Download: the JSON holds the check-ins, notes decrypted.
    saved = download(page, main(page).get_by_role("button", name="Download as JSON"))
    document = json.loads(open(saved.path(), encoding="utf-8").read())
    assert len(document["checkins"]) == before
    assert document["account"][0]["username"] == PERSON

    # Import: a bad file is reported by row and field, and nothing is written.
    bad = b"day,exhaustion,empathy,detachment,intrusion,meaning,recovery,time_pressure\n" \
          b"2001-05-02,11,6,2,3,7,4,6\n"
    with rerun(page):
        main(page).locator("input[type=file]").set_input_files(
            files=[{"name": "history.csv", "mimeType": "text/csv", "buffer": bad}])
    with rerun(page):
        main(page).get_by_role("button", name="Import", exact=True).click()
    expect(main(page).get_by_text("Nothing was imported: the file has 1 problem.")).to_be_visible()
    assert len(history(app.db_path, PERSON)) == before

    good = ("day,exhaustion,empathy,detachment,intrusion,meaning,recovery,time_pressure,note\n"
            f"2001-05-02,4,6,2,3,7,4,6,\"{NOTE}\"\n").encode()
    with rerun(page):
        main(page).locator("input[type=file]").set_input_files(
            files=[{"name": "history.csv", "mimeType": "text/csv", "buffer": good}])
    with rerun(page):
        main(page).get_by_role("button", name="Import", exact=True).click()
    expect(main(page).get_by_text("Imported 1 check-in.")).to_be_visible()
    saved = history(app.db_path, PERSON, page)
    assert len(saved) == before + 1 and saved.iloc[0]["note"] == NOTE

    # Delete: the typed username confirms; the account stays.
    form = page.get_by_test_id("stForm").filter(has_text="Delete all my data")
    form.get_by_role("textbox", name=re.compile("To confirm, type your username")).fill(PERSON)
    with rerun(page):
        form.get_by_role("button", name="Delete all my data").click()
    expect(main(page).get_by_text("Your data has been deleted.", exact=False)).to_be_visible()
    assert history(app.db_path, PERSON).empty
    expect(page.get_by_role("button", name=re.compile("Log out"))).to_be_attached()
