"""Daily check-in: seven 0-10 ratings, the day's workload and a private note."""
from __future__ import annotations

import datetime as dt

import streamlit as st

from fatigue import checkins, items
from fatigue.errors import ValidationError
from fatigue.pages._session import get_db, require_user
from fatigue.validation import (
    BACKFILL_DAYS,
    DEFAULTS,
    FIELDS,
    LABELS,
    MAX_NOTE_CHARS,
    RATINGS,
    check_day,
)

ERRORS_KEY = "checkin_errors"

user = require_user()
db = get_db()
today = dt.date.today()

st.title("Daily check-in")
st.caption(
    "Private: only you ever see your answers and your note. Team leads see only "
    "anonymized team figures, never a person's answers."
)
flash = st.session_state.pop("checkin_flash", None)
if flash:
    st.success(flash, icon=":material/check_circle:")

day = st.date_input(
    "Day",
    value=today,
    min_value=today - dt.timedelta(days=BACKFILL_DAYS),
    max_value=today,
    format="YYYY-MM-DD",
    help=f"Today, or up to {BACKFILL_DAYS} days back if you missed a day.",
    key="checkin_day",
)
saved = checkins.get_checkin(db, user.id, day)
if saved:
    st.info(
        f"You already checked in for {day:%A %d %B}. Saving again updates that check-in.",
        icon=":material/edit:",
    )
    values = saved
else:
    st.caption("One check-in per day: if you save again later the same day, it is updated.")
    values = {
        **{name: 5 for name in RATINGS},
        **DEFAULTS,
        "caseload": checkins.last_caseload(db, user.id, day + dt.timedelta(days=1)) or 0,
    }
# The last failed save's messages, for this day only.
failed = st.session_state.get(ERRORS_KEY, {})
errors: dict[str, str] = failed.get("errors", {}) if failed.get("day") == day.isoformat() else {}


def show_error(field: str) -> None:
    """The message for ``field``, right under it, if the last save failed on it."""
    if field in errors:
        st.error(errors[field], icon=":material/error:")


def key(field: str) -> str:
    """Widget keys include the day, so switching day loads that day's values."""
    return f"{field}@{day.isoformat()}"


label, rating_items = items.daily_items()
if errors:
    st.error(
        f"Nothing was saved: please fix {len(errors)} field{'s' if len(errors) > 1 else ''} below.",
        icon=":material/error:",
    )
show_error("day")

with st.form("checkin", enter_to_submit=False):
    st.subheader("How was the day?")
    st.caption(f"{label}. Higher always means more of the thing named.")
    for item in rating_items:
        # Plain string options (no format_func): the two ends carry their anchors.
        options = [f"0 {item.low}", *map(str, range(1, 10)), f"10 {item.high}"]
        st.select_slider(
            f"{item.label}: {item.question}",
            options=options,
            value=options[int(values[item.field])],
            help=item.help,
            key=key(item.field),
        )
        st.caption(f"0 = {item.low} · 10 = {item.high}")
        show_error(item.field)

    st.subheader("Workload")
    left, right = st.columns(2)
    with left:
        st.number_input(LABELS["caseload"], min_value=0, step=1, value=int(values["caseload"]),
                        help="Open cases you carry now. Carried forward from your last check-in.",
                        key=key("caseload"))
        show_error("caseload")
        st.number_input(LABELS["contacts"], min_value=0, step=1, value=int(values["contacts"]),
                        help="Calls, visits and meetings with or about clients.",
                        key=key("contacts"))
        show_error("contacts")
        st.number_input(LABELS["crisis_contacts"], min_value=0, step=1,
                        value=int(values["crisis_contacts"]),
                        help="Of today's contacts: crises, threats, safeguarding emergencies.",
                        key=key("crisis_contacts"))
        show_error("crisis_contacts")
        st.number_input(LABELS["trauma_contacts"], min_value=0, step=1,
                        value=int(values["trauma_contacts"]),
                        help="Of today's contacts: ones where you heard or saw traumatic material.",
                        key=key("trauma_contacts"))
        show_error("trauma_contacts")
    with right:
        st.number_input(LABELS["direct_hours"], min_value=0.0, step=0.5,
                        value=float(values["direct_hours"]), format="%.1f",
                        help="Time spent with clients, in person or remotely.",
                        key=key("direct_hours"))
        show_error("direct_hours")
        st.number_input(LABELS["after_hours_minutes"], min_value=0, step=15,
                        value=int(values["after_hours_minutes"]),
                        help="Work before or after your scheduled hours, including calls and messages.",
                        key=key("after_hours_minutes"))
        show_error("after_hours_minutes")
        st.checkbox(LABELS["supervision"], value=bool(values["supervision"]),
                    help="Supervision, reflective practice or a debrief with a colleague.",
                    key=key("supervision"))
        st.checkbox(LABELS["break_taken"], value=bool(values["break_taken"]),
                    help="At least 20 minutes away from work tasks.",
                    key=key("break_taken"))

    st.text_area(
        "Private note (optional)",
        value=values["note"],
        max_chars=MAX_NOTE_CHARS,
        help="Only you can ever read this. Please do not write client names.",
        key=key("note"),
    )
    show_error("note")
    submitted = st.form_submit_button(
        "Update check-in" if saved else "Save check-in", type="primary", key="save_checkin"
    )

if submitted:
    entered = {name: st.session_state[key(name)] for name in FIELDS}
    for name in RATINGS:  # "10 completely drained" -> 10
        entered[name] = int(str(entered[name]).split()[0])
    try:
        check_day(day, today, backfill_days=BACKFILL_DAYS)
        checkins.save_checkin(db, user.id, day, today=today, **entered)
    except ValidationError as exc:
        st.session_state[ERRORS_KEY] = {"day": day.isoformat(), "errors": exc.errors}
    else:
        st.session_state.pop(ERRORS_KEY, None)
        st.session_state["checkin_flash"] = (
            f"Check-in for {day:%A %d %B} {'updated' if saved else 'saved'}. Thank you."
        )
    st.rerun()
