"""My account: private notes; reminders; where I am signed in; change my password;
export, import and delete my data."""
from __future__ import annotations

import datetime as dt

import pandas as pd
import streamlit as st

from fatigue import (
    accounts, email_reminders, erasure, export, importer, mail, note_keys, sessions, settings,
)
from fatigue.db import connect, default_path
from fatigue.errors import AuthError, ValidationError
from fatigue.pages._private_notes import ensure_key, notes_access, unlock_form
from fatigue.pages._session import (
    FLASH_KEY,
    browser_token,
    get_db,
    local_time,
    local_today,
    plain,
    require_session,
)

FLASH = "account_flash"
UPLOAD_ROUND = "import_round"  # a new uploader key after each import empties the widget

user, this_session = require_session()
db = get_db()
notes = notes_access(user, this_session)

st.title("My account")
st.write(f"Username: **{plain(user.username)}**")
flash = st.session_state.pop(FLASH, None)
if flash is True:  # kept for the password change
    flash = "Your password has been changed."
if flash:
    st.success(plain(flash), icon=":material/check_circle:")

# --- private notes (fatigue.note_keys) -----------------------------------------------
st.subheader("Private notes")
if not notes.has_key:
    st.caption("Your first private note gets a key of your own, which only your password (or "
               "a recovery code you will be shown once) opens. Nobody else can read your notes: "
               "not a team lead, not an admin, not the people who run the server.")
elif notes.locked:
    unlock_form(user, this_session, notes)
else:
    st.caption("Your notes are locked with a key of your own and open in this session. Only "
               + {"password": "your password", "passphrase": "your notes passphrase",
                  "code": "your recovery code"}[notes.kind or "code"]
               + " or your recovery code opens them. If an admin resets your password, your "
               "notes stay locked until you enter your recovery code.")
    if st.button("Make a new recovery code", key="new_recovery_code",
                 icon=":material/key:",
                 help="If you lost your code or think someone saw it: the old one stops working."):
        note_keys.new_code(db, user.id, this_session.id, browser_token() or "")
        st.rerun()
    if this_session.method == "sso":
        with st.form("notes_passphrase_form", clear_on_submit=True):
            phrase = st.text_input("New notes passphrase", type="password", key="new_passphrase",
                                   help=f"At least {accounts.MIN_PASSWORD_CHARS} characters. It "
                                   "opens your notes when you sign in with single sign-on.")
            if st.form_submit_button("Set notes passphrase", key="set_passphrase"):
                try:
                    accounts.check_password(phrase)
                    note_keys.set_passphrase(db, user.id, phrase, this_session.id,
                                             browser_token() or "")
                except ValidationError as exc:
                    for message in exc.errors.values():
                        st.error(plain(message))
                else:
                    st.session_state[FLASH] = "Your notes passphrase is set."
                    st.rerun()

st.subheader("E-mail reminders")
reminders = email_reminders.get_preferences(db, user.id)
if mail.config(db, {}) is None and reminders is None:
    st.write("Your agency has not set up e-mail yet, so reminders cannot be sent. "
             "A calendar reminder (.ics) is on the Supervision summary page.")
else:
    if reminders is not None:
        st.write(email_reminders.describe(reminders, local_today()))
    st.caption("One short e-mail on the days you choose, only when you have not checked in "
               "yet, at most one a day. It holds no answers; its link opens the check-in, and "
               "it has one-click links to pause for a week or stop.")
    days = list(email_reminders.WEEKDAY_NAMES)
    with st.form("reminders"):
        address = st.text_input("Send to", value=reminders.email if reminders else "",
                                placeholder="name@agency.org", max_chars=254)
        chosen = st.multiselect(
            "On these days", days,
            default=[days[d] for d in (reminders.weekdays if reminders else range(5))])
        at_time = st.time_input("At", value=reminders.at_time if reminders else dt.time(16, 0),
                                step=dt.timedelta(minutes=15))
        zone = st.text_input(
            "In the time zone", max_chars=64,
            value=reminders.timezone if reminders else (st.context.timezone
                                                        or settings.agency_timezone(db)),
            help="Your own, for example Europe/London (taken from your browser).")
        if st.form_submit_button("Turn on" if not reminders or not reminders.active
                                 else "Save reminder times"):
            try:
                email_reminders.set_preferences(
                    db, user.id, email=address, weekdays=[days.index(d) for d in chosen],
                    at_time=at_time, timezone=zone)
            except ValidationError as exc:
                for message in exc.errors.values():
                    st.error(message, icon=":material/error:")
            else:
                st.session_state[FLASH] = "E-mail reminders are on."
                st.rerun()
    if reminders is not None and reminders.active:
        pause_column, stop_column = st.columns(2)
        if pause_column.button("Pause for a week", key="reminders_pause"):
            email_reminders.pause(db, user.id, local_today())
            st.session_state[FLASH] = "Reminders paused for a week."
            st.rerun()
        if stop_column.button("Stop reminders", key="reminders_stop"):
            email_reminders.stop(db, user.id)
            st.session_state[FLASH] = "Reminders are off."
            st.rerun()

st.subheader("Change my password")
st.caption(
    "If an admin set your first password, change it here so that only you know it. "
    f"At least {accounts.MIN_PASSWORD_CHARS} characters; a few unrelated words work well."
)
with st.form("change_password", clear_on_submit=True):
    current = st.text_input("Current password", type="password", autocomplete="current-password")
    new = st.text_input("New password", type="password", autocomplete="new-password")
    repeat = st.text_input("Repeat new password", type="password", autocomplete="new-password")
    submitted = st.form_submit_button("Change password", type="primary", key="change_password_submit")
if submitted:
    if new != repeat:
        st.error("The two new passwords differ.")
    else:
        try:
            accounts.change_password(db, user.id, current, new, address=st.context.ip_address,
                                     keep_session=this_session.id, token=browser_token())
        except (AuthError, ValidationError) as exc:
            messages = exc.errors.values() if isinstance(exc, ValidationError) else [str(exc)]
            for message in messages:
                st.error(plain(message))
        else:
            st.session_state[FLASH] = ("Your password has been changed. Every other device "
                                       "and browser has been signed out.")
            st.rerun()

# --- where I am signed in -----------------------------------------------------------
st.subheader("Where you are signed in")
st.caption(
    "Each browser or device signed in to your account. One kept signed in stays so until the "
    "date shown; the others end when the browser closes or after a while without activity. "
    "If you do not recognise one, sign it out and change your password."
)
for other in sessions.for_user(db, user.id):
    here = other.id == this_session.id
    with st.container(border=True):
        words, action = st.columns([4, 1], vertical_alignment="center")
        words.markdown(f"**{plain(other.device or 'A browser')}**" + (" (this one)" if here else ""))
        lasts = (f"kept signed in until {local_time(other.expires_at)}" if other.kept
                 else "until the browser closes")
        words.caption(f"Signed in {local_time(other.created_at)} · last active "
                      f"{local_time(other.last_seen_at)} · {lasts}")
        if not here and action.button("Sign out", key=f"end_session_{other.id}"):
            sessions.end(db, other.id, user_id=user.id, reason="signed_out_device")
            st.session_state[FLASH] = f"{other.device or 'A browser'} has been signed out."
            st.rerun()
if st.button("Sign out everywhere", key="sign_out_everywhere", icon=":material/logout:",
             help="Every browser and device signed in to your account, this one too."):
    sessions.end_all(db, user.id, reason="signed_out_everywhere")
    st.session_state[FLASH_KEY] = ("You have signed out everywhere, here too. Log in again "
                                   "on the devices you use.")
    st.rerun()

# --- export ---------------------------------------------------------------------
st.subheader("Download my data")
st.caption(
    "Everything stored about you: your check-ins with your private notes, questionnaires, "
    "suggestions you acted on, rules you muted, your e-mail reminder settings and the days "
    "a reminder was sent. As one JSON file, or as CSV files "
    "(one per kind, zipped) for a spreadsheet. Only you can download this."
)
if notes.locked:
    st.info("Your private notes are locked in this session, so a download now marks them as "
            "locked instead of holding them. Open them above first to include them.",
            icon=":material/lock:")


def _collect(user_id: int = user.id, token: str | None = browser_token()) -> dict:
    """Run on Streamlit's download thread, so on a connection of its own; only while
    this browser's session is still live (the download itself is checked again)."""
    own = connect(default_path())
    try:
        session = sessions.resolve(own, token).session
        if session is None or session.user_id != user_id:
            raise PermissionError("Signed out: sign in again to download your data.")
        key = note_keys.access(own, user_id, session.id, token).key
        return export.collect(own, user_id, key=key)
    finally:
        own.close()


def _json() -> str:
    return export.to_json(_collect())


def _zip() -> bytes:
    return export.to_zip(_collect())


# No rerun on a download's click: Streamlit starts the rerun while it makes the file, and
# the start of a run empties the messages not yet sent, its answer with the file's address
# among them; the button then waited three minutes (about 1 click in 3 in the browser tests).
left, right = st.columns(2)
left.download_button(
    "Download as JSON", _json, file_name=export.FILENAME_JSON, mime="application/json",
    icon=":material/download:", key="export_json", on_click="ignore",
)
right.download_button(
    "Download as CSV files (zip)", _zip, file_name=export.FILENAME_ZIP, mime="application/zip",
    icon=":material/download:", key="export_zip", on_click="ignore",
)

# --- import ---------------------------------------------------------------------
st.subheader("Import my check-in history")
st.caption(
    "From a CSV file, for example the check-ins you kept elsewhere or checkins.csv from a "
    "download above. One row per day; the template has the columns (the form's words work as "
    "headers too). Only the date and the seven ratings are needed; empty cells take the form's "
    "defaults. Any past day from 2000 on, none in the future. Every row is checked as the "
    "form checks it: if any row has a problem, nothing is imported and each problem is listed "
    f"by row and field. At most {importer.MAX_ROWS:,} rows and "
    f"{importer.MAX_BYTES // 1_000_000} MB. Imported days are yours alone: they show in your "
    "own trends and summaries, never in any team figure."
)
st.download_button(
    "Download the template (CSV)", importer.template_csv(), file_name=importer.FILENAME_TEMPLATE,
    mime="text/csv", icon=":material/table_view:", key="import_template", on_click="ignore",
)
round_ = st.session_state.get(UPLOAD_ROUND, 0)
upload = st.file_uploader(
    "CSV file to import", type=["csv"], key=f"import_file_{round_}",
    max_upload_size=max(1, importer.MAX_BYTES // 1_000_000),
)
replace = st.checkbox(
    "Replace days I have already saved", value=False, key="import_replace",
    help="Without this, a row for a day that already has a check-in is refused, so nothing "
    "you saved is overwritten by accident. With it, the imported row replaces that day.",
)
if st.button("Import", type="primary", key="import_submit", disabled=upload is None):
    if not notes.has_key and notes.can_wrap_password:  # imported notes go under her own key
        notes = ensure_key(user, this_session)
    try:
        result = importer.import_history(db, user.id, upload.getvalue(), local_today(),
                                         replace=replace, key=notes.key)
    except ValidationError as exc:
        st.error(
            f"Nothing was imported: the file has {len(exc.errors)} problem"
            f"{'' if len(exc.errors) == 1 else 's'}. Fix them and upload it again.",
            icon=":material/error:",
        )
        st.dataframe(
            pd.DataFrame({"Where": list(exc.errors), "Problem": list(exc.errors.values())}),
            hide_index=True, width="stretch", key="import_report",
        )
    else:
        st.session_state[UPLOAD_ROUND] = round_ + 1
        st.session_state[FLASH] = (
            f"Imported {result.imported} check-in{'' if result.imported == 1 else 's'}"
            + (f" ({result.replaced} replaced a day already saved)." if result.replaced else ".")
        )
        st.rerun()

# --- delete ---------------------------------------------------------------------
st.subheader("Delete my data")
st.caption(
    "Deletes every check-in and private note, questionnaire, suggestion you acted on and rule "
    "you muted, at once and for good. Your account stays, so you can go on using the tool "
    "(ask an admin to close it). Download your data first if you want to keep it. Team "
    "figures already released stay as they are: they are anonymous averages of at least "
    f"{settings.get_k(db)} people, released once and never worked out again, so nobody can "
    "learn your answers by comparing them before and after. Weeks not yet released will not "
    "include your check-ins."
)
with st.form("delete_my_data", clear_on_submit=True):
    typed = st.text_input(f"To confirm, type your username ({user.username})", key="delete_confirm")
    delete = st.form_submit_button("Delete all my data", type="primary", key="delete_submit",
                                   icon=":material/delete_forever:")
if delete:
    try:
        erasure.delete_my_data(db, user.id, typed, keep_session=this_session.id)
    except ValidationError as exc:
        for message in exc.errors.values():
            st.error(plain(message))
    else:
        st.session_state[FLASH] = (
            "Your data has been deleted. Your account is still here; "
            "anything you check in from now on is stored as before."
        )
        st.rerun()
