"""Daily check-in: seven 0-10 ratings, the day's workload and a private note."""
from __future__ import annotations

import datetime as dt

import streamlit as st

from fatigue import accounts, checkins, items
from fatigue.dates import day_text
from fatigue.errors import NotSaved, ValidationError
from fatigue.pages._private_notes import ensure_key, locked_note_line, notes_access
from fatigue.pages._session import get_db, local_today, require_session
from fatigue.validation import (
    BACKFILL_DAYS,
    DEFAULTS,
    FIELDS,
    LABELS,
    MAX_NOTE_CHARS,
    RATINGS,
)

ERRORS_KEY = "checkin_errors"

st.set_page_config(layout="wide")  # room for the form to fit one laptop screen
user, session = require_session()
db = get_db()
notes = notes_access(user, session)  # the person's own key, open in this session or not
earliest, today = checkins.form_window(db, local_today())

st.title("Daily check-in")
st.caption(
    "Private: only you ever see your answers and your note. Team leads see only "
    "anonymized team figures, never a person's answers."
)
flash = st.session_state.pop("checkin_flash", None)
if flash:
    st.success(flash, icon=":material/check_circle:")

day_column, state_column = st.columns([1, 2], vertical_alignment="bottom")
day = day_column.date_input(
    "Day",
    value=today,
    min_value=earliest,
    max_value=today,
    format="YYYY-MM-DD",
    help=f"Today, or up to {BACKFILL_DAYS} days back if you missed a day.",
    key="checkin_day",
)
try:  # the calendar offers only these days; anything else was not sent by it
    checkins.check_form_day(db, day, local_today())
except ValidationError as exc:
    st.error(f"Choose the day in the calendar: {exc.errors['day']}", icon=":material/error:")
    st.stop()
saved = checkins.get_checkin(db, user.id, day, key=notes.key)
if saved:
    state_column.info(
        f"You already checked in for {day_text(day)}. Saving again updates that check-in.",
        icon=":material/edit:",
    )
    values = saved
else:
    state_column.caption("One check-in per day: if you save again later the same day, it is updated.")
    values = {
        **{name: 5 for name in RATINGS},
        **DEFAULTS,
        "caseload": checkins.last_caseload(db, user.id, day + dt.timedelta(days=1)) or 0,
    }
# The last failed save's messages (shown once, on the rerun right after it), for this day only.
failed = st.session_state.pop(ERRORS_KEY, {})
errors: dict[str, str] = failed.get("errors", {}) if failed.get("day") == day.isoformat() else {}


def show_error(field: str) -> None:
    """The message for ``field``, right under it, if the last save failed on it."""
    if field in errors:
        st.error(errors[field], icon=":material/error:")


def key(field: str) -> str:
    """Widget keys include the day, so switching day loads that day's values."""
    return f"{field}@{day.isoformat()}"


label, rating_items = items.daily_items()
if NotSaved.FIELD in errors:  # the storage failed, not the answers: what was typed stays
    st.error(errors[NotSaved.FIELD], icon=":material/error:")
elif errors:
    st.error(
        f"Nothing was saved: please fix {len(errors)} field{'s' if len(errors) > 1 else ''} below.",
        icon=":material/error:",
    )
show_error("day")

with st.form("checkin", enter_to_submit=False):
    st.subheader("How was the day?")
    st.caption(f"{label}. Higher always means more of the thing named.")
    # Two columns of ratings and three of workload keep the form to about one
    # laptop screen; on a phone the columns stack into one.
    # Rows of three (so the order stays right when a phone stacks the columns).
    for row_start in range(0, len(rating_items), 3):
        row = st.columns(3, gap="medium")
        for column, item in zip(row, rating_items[row_start:row_start + 3]):
            with column:
                # Plain string options (no format_func); the label carries both anchors
                # and the question is the help text.
                options = [f"0 {item.low}", *map(str, range(1, 10)), f"10 {item.high}"]
                st.select_slider(
                    f"{item.label} (0 = {item.low}, 10 = {item.high})",
                    options=options,
                    value=options[int(values[item.field])],
                    help=f"{item.question} {item.help}",
                    key=key(item.field),
                )
                show_error(item.field)

    st.subheader("Workload")
    numbers = [
        ("caseload", 1, "Open cases you carry now. Carried forward from your last check-in."),
        ("contacts", 1, "Calls, visits and meetings with or about clients."),
        ("crisis_contacts", 1, "Of today's contacts: crises, threats, safeguarding emergencies."),
        ("trauma_contacts", 1, "Of today's contacts: ones where you heard or saw traumatic material."),
        ("direct_hours", 0.5, "Time spent with clients, in person or remotely."),
        ("after_hours_minutes", 15,
         "Work before or after your scheduled hours, including calls and messages."),
    ]
    for index, (field, step, help_text) in enumerate(numbers):
        if index % 3 == 0:
            number_columns = st.columns(3, gap="medium")
        with number_columns[index % 3]:
            fractional = field == "direct_hours"
            st.number_input(
                LABELS[field],
                min_value=0.0 if fractional else 0,
                step=step,
                value=float(values[field]) if fractional else int(values[field]),
                format="%.1f" if fractional else None,
                help=help_text,
                key=key(field),
            )
            show_error(field)
    flag_columns = st.columns(3, gap="medium")
    flag_columns[0].checkbox(LABELS["supervision"], value=bool(values["supervision"]),
                             help="Supervision, reflective practice or a debrief with a colleague.",
                             key=key("supervision"))
    flag_columns[1].checkbox(LABELS["break_taken"], value=bool(values["break_taken"]),
                             help="At least 20 minutes away from work tasks.",
                             key=key("break_taken"))

    if notes.locked:  # the note cannot be read or written until the key is open
        locked_note_line(notes)
    else:
        st.text_area(
            "Private note (optional)",
            value=values["note"] or "",
            max_chars=MAX_NOTE_CHARS,
            help="Only you can ever read this: it is locked with a key that only your password "
            "(or your recovery code) opens. Please do not write client names.",
            height=80,
            key=key("note"),
        )
    if not notes.has_key and not notes.can_wrap_password:  # single sign-on, first note
        st.text_input(
            "Notes passphrase (for your first note)", type="password", key="notes_passphrase",
            help="You signed in with single sign-on, so your password cannot lock your notes. "
            "Choose a passphrase to open them in later sessions, or leave it empty to use only "
            f"the recovery code you will be shown. At least {accounts.MIN_PASSWORD_CHARS} "
            "characters.",
        )
    show_error("note")
    submitted = st.form_submit_button(
        "Update check-in" if saved else "Save check-in", type="primary", key="save_checkin"
    )

if submitted:
    entered = {name: st.session_state.get(key(name)) for name in FIELDS}
    for name in RATINGS:  # "10 completely drained" -> 10
        entered[name] = int(str(entered[name]).split()[0])
    try:
        checkins.check_form_day(db, day, local_today())
        if (entered["note"] or "").strip() and not notes.has_key:  # the first note: a key
            passphrase = st.session_state.get("notes_passphrase") or ""
            if passphrase:
                try:
                    accounts.check_password(passphrase)
                except ValidationError as exc:
                    raise ValidationError({"note": "Notes passphrase: " + exc.errors["password"]})
            notes = ensure_key(user, session, passphrase)
        checkins.save_checkin(db, user.id, day, today=today, key=notes.key, **entered)
    except ValidationError as exc:
        st.session_state[ERRORS_KEY] = {"day": day.isoformat(), "errors": exc.errors}
    else:
        st.session_state.pop(ERRORS_KEY, None)
        st.session_state["checkin_flash"] = (
            f"Check-in for {day_text(day)} {'updated' if saved else 'saved'}. Thank you."
        )
    st.rerun()
