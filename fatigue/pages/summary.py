"""Supervision summary to download, and a calendar reminder to check in."""
from __future__ import annotations

import datetime as dt

import streamlit as st

from fatigue import reminder, summary
from fatigue.errors import ValidationError
from fatigue.pages._private_notes import notes_access
from fatigue.pages._session import get_db, local_today, require_session
from fatigue.validation import time_zone

WEEKDAYS = ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"]

user, session = require_session()
db = get_db()
notes = notes_access(user, session)
today = local_today()

st.title("Supervision summary")
st.caption(
    "A one-page summary of your last 4 weeks to take to your own supervision. It is only made "
    "for you to download: nothing is stored or shared automatically, and you decide what goes in."
)

talking_points = st.text_area(
    "Talking points (what I want to bring up)", max_chars=summary.MAX_TALKING_POINTS,
    key="talking_points", height=140,
)
st.write("**Include**")
columns = st.columns(3)
included = [
    section for index, section in enumerate(summary.SECTIONS)
    if columns[index % 3].checkbox(summary.SECTION_LABELS[section], value=True,
                                   key=f"include_{section}")
]
include_notes = st.checkbox(
    "My private notes from these 4 weeks", value=False, key="include_notes",
    help="Left out unless you tick this.",
)
if include_notes and notes.locked:
    st.info("Your private notes are locked in this session, so the summary says how many it "
            "leaves out. Open them under 'Private notes' on My account to include them.",
            icon=":material/lock:")

try:
    built = summary.build(db, user.id, today, talking_points=talking_points,
                          include_notes=include_notes, include=included, key=notes.key)
except ValidationError as exc:
    for message in exc.errors.values():
        st.error(message)
    st.stop()

left, right = st.columns(2)
left.download_button(
    "Download printable page (HTML)", summary.to_html(built), file_name=summary.FILENAME_HTML,
    mime="text/html", icon=":material/print:", key="download_html", on_click="ignore",
)
markdown = summary.to_markdown(built)
right.download_button(
    "Download as Markdown", markdown, file_name=summary.FILENAME_MD, mime="text/markdown",
    icon=":material/download:", key="download_md", on_click="ignore",
)
with st.expander("Preview"):
    st.markdown(markdown)

st.divider()
st.header("Check-in reminder")
st.caption(
    "A calendar file with a repeating reminder, for any calendar app (Outlook, Google, Apple). "
    "No streaks and no nagging: it only reminds you."
)
first, second = st.columns([1, 2])
at = first.time_input("Time", value=dt.time(16, 30), step=dt.timedelta(minutes=15),
                      key="reminder_time")
days = second.multiselect("Days", WEEKDAYS, default=WEEKDAYS[:5], key="reminder_days")
zone = st.context.timezone or "UTC"
if time_zone(zone) is None:  # unknown, or not a time zone name at all
    st.caption("Your browser reported a time zone this server does not know, so the reminder "
               "uses UTC.")
    zone = "UTC"
try:
    ics = reminder.calendar_file(at, [WEEKDAYS.index(d) for d in days], today, tz=zone)
except ValidationError as exc:
    for message in exc.errors.values():
        st.error(message)
else:
    st.write(reminder.describe(at, [WEEKDAYS.index(d) for d in days], zone))
    st.download_button("Download calendar reminder (.ics)", ics, file_name=reminder.FILENAME,
                       mime=reminder.MIME, icon=":material/event:", key="download_ics",
                       on_click="ignore")
