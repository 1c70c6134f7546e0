"""Teams, accounts, privacy settings and the audit log (admins only).

Shows no one's answers, scores or notes: accounts are listed with their
roles only.
"""
from __future__ import annotations

import datetime as dt

import pandas as pd
import streamlit as st

from fatigue import accounts, audit, erasure, settings, sso
from fatigue.dates import moment_text, period_text, zone_or_utc
from fatigue.errors import ValidationError
from fatigue.pages._reports import WHY_NOT_LEADS
from fatigue.pages._session import get_db, plain, require_admin
from fatigue.teamfigures import noise
from fatigue.teamfigures import rules
from fatigue.teamfigures.measures import NOISY_VALUES


def week_label(start: str) -> str:
    """``16 Nov - 22 Nov 2026`` for the week starting ``start`` (ISO)."""
    day = dt.date.fromisoformat(str(start)[:10])
    return period_text(day, day + dt.timedelta(days=6))


admin = require_admin()
db = get_db()

st.title("Teams and accounts")
flash = st.session_state.pop("admin_flash", None)
if flash:
    st.success(plain(flash))


def report(exc: ValidationError) -> None:
    for message in exc.errors.values():
        st.error(plain(message))


def done(message: str) -> None:
    st.session_state["admin_flash"] = message
    st.rerun()


# --- teams -------------------------------------------------------------------
teams = accounts.list_teams(db)
team_names = [team["name"] for team in teams]
st.header("Teams")
if teams:
    st.dataframe(
        pd.DataFrame(teams)[["name", "caseload_standard", "members"]].rename(
            columns={"name": "Team", "caseload_standard": "Caseload standard",
                     "members": "Active members"}
        ),
        hide_index=True,
        width="stretch",
    )
left, right = st.columns(2)
with left, st.form("add_team", clear_on_submit=True):
    st.write("**Add a team**")
    name = st.text_input("Team name", max_chars=80)
    standard = st.number_input(
        "Caseload standard", min_value=1, max_value=200, value=15, step=1,
        help="The caseload this team's work is planned for, e.g. CWLA: 12 active investigations "
        "or 17 ongoing families per worker (see docs/analytics.md).",
    )
    if st.form_submit_button("Add team"):
        try:
            accounts.create_team(db, name, caseload_standard=int(standard), actor_id=admin.id)
        except ValidationError as exc:
            report(exc)
        else:
            done(f"Team '{name.strip()}' added.")
if teams:
    with right, st.container(border=True):
        st.write("**Change a caseload standard**")
        which = st.selectbox("Team", team_names, key="standard_team")
        current_standard = next(t["caseload_standard"] for t in teams if t["name"] == which)
        new = st.number_input("New caseload standard", min_value=1, max_value=200,
                              value=int(current_standard), step=1, key=f"standard_value_{which}")
        if st.button("Save standard", key="save_standard"):
            try:
                accounts.set_caseload_standard(db, which, int(new), actor_id=admin.id)
            except ValidationError as exc:
                report(exc)
            else:
                done(f"Caseload standard of '{which}' set to {int(new)}.")

# --- accounts ------------------------------------------------------------------
st.header("Accounts")
users = accounts.list_users(db)
st.dataframe(
    pd.DataFrame(users, columns=["username", "display_name", "home_team", "leads", "is_admin", "active",
                                 "must_change_password", "sso_email"])
    .assign(is_admin=lambda f: f["is_admin"].astype(bool), active=lambda f: f["active"].astype(bool),
            must_change_password=lambda f: f["must_change_password"].astype(bool))
    .rename(columns={"username": "Username", "display_name": "Name", "home_team": "Home team",
                     "leads": "Leads", "is_admin": "Admin", "active": "Active",
                     "must_change_password": "Must choose new password",
                     "sso_email": "Single sign-on email"}),
    hide_index=True,
    width="stretch",
)
with st.form("add_user"):
    st.write("**Add an account**")
    username = st.text_input("Username", max_chars=40, key="new_username")
    display = st.text_input("Display name", max_chars=80, key="new_display")
    home = st.selectbox("Home team", team_names, index=None, placeholder="Choose a team",
                        key="new_team")
    leads = st.multiselect("Leads these teams", team_names, key="new_leads",
                           help="A lead sees anonymized aggregates of these teams only.")
    is_admin = st.checkbox("Admin", key="new_admin")
    password = st.text_input(
        "Initial password", type="password", key="new_password",
        help=f"At least {accounts.MIN_PASSWORD_CHARS} characters, not a common password. Give "
        "it to the person privately: they must choose their own at their first login.",
    )
    if st.form_submit_button("Add account"):
        if home is None:
            st.error("Choose a home team.")
        else:
            try:
                accounts.create_user(db, username, password, team=home, lead_of=leads,
                                     is_admin=is_admin, display_name=display,
                                     must_change_password=True, actor_id=admin.id)
            except ValidationError as exc:
                report(exc)
            else:
                done(f"Account '{accounts.normalize_username(username)}' added.")

others = [u for u in users if u["id"] != admin.id]
if others:
    with st.form("activation"):
        st.write("**Deactivate or reactivate an account**")
        st.caption("A deactivated person is signed out at once and can no longer log in; "
                   "their data stays theirs.")
        by_name = {u["username"]: u for u in others}
        picked = st.selectbox("Account", list(by_name), key="activation_user")
        chosen = by_name[picked]
        if st.form_submit_button("Switch active / deactivated"):
            accounts.set_active(db, chosen["id"], not chosen["active"], actor_id=admin.id)
            done(f"Account '{chosen['username']}' {'deactivated' if chosen['active'] else 'reactivated'}.")

if users:
    with st.container(border=True):
        st.write("**Change an account**")
        by_username = {u["username"]: u for u in users}
        picked = st.selectbox("Account", list(by_username), key="manage_user")
        chosen = by_username[picked]
        uid = chosen["id"]
        with st.form(f"leads_{uid}"):
            lead_of = st.multiselect(
                "Leads these teams", team_names, default=accounts.lead_teams(db, uid),
                key=f"leads_of_{uid}", help="A lead sees anonymized aggregates of these teams only.")
            if st.form_submit_button("Save teams led"):
                try:
                    accounts.set_leads(db, uid, lead_of, actor_id=admin.id)
                except ValidationError as exc:
                    report(exc)
                else:
                    done(f"'{picked}' now leads {', '.join(lead_of) or 'no team'}.")
        if uid != admin.id:
            with st.form(f"reset_{uid}", clear_on_submit=True):
                st.caption("A reset password must be changed at the next login. The reset "
                           "signs the person out everywhere and lifts a lockout after failed "
                           "logins. Their private notes stay locked: the password you set "
                           "cannot open them, only the recovery code the person keeps; "
                           "without it their notes are gone for good. They are told of the "
                           "reset at their next sign-in.")
                reset = st.text_input("New password", type="password", key=f"reset_password_{uid}")
                again = st.text_input("Repeat new password", type="password",
                                      key=f"reset_repeat_{uid}")
                if st.form_submit_button("Reset password"):
                    if reset != again:
                        st.error("The two passwords differ.")
                    else:
                        try:
                            accounts.reset_password(db, uid, reset, actor_id=admin.id)
                        except ValidationError as exc:
                            report(exc)
                        else:
                            done(f"Password of '{picked}' reset; they are signed out "
                                 "everywhere and must choose a new one at their next login. "
                                 "Their private notes stay locked until they enter their "
                                 "recovery code.")
        with st.form(f"sso_{uid}"):
            email = st.text_input(
                "Single sign-on email", value=chosen["sso_email"] or "", max_chars=254,
                key=f"sso_email_{uid}",
                help="The email your identity provider reports for this person; empty: none. "
                "Only linked, active accounts can sign in with single sign-on.")
            if st.form_submit_button("Save single sign-on email"):
                try:
                    linked = sso.set_email(db, uid, email, actor_id=admin.id)
                except ValidationError as exc:
                    report(exc)
                else:
                    done(f"Single sign-on email of '{picked}' set to {linked}." if linked
                         else f"'{picked}' has no single sign-on email now.")

# --- a departed person's data (fatigue.erasure) -----------------------------------
departed = {u["username"]: u for u in users if u["id"] != admin.id}
if departed:
    with st.form("delete_user_data", clear_on_submit=True):
        st.write("**Delete a departed person's data**")
        st.caption(
            "Deletes, for good, every check-in, private note, questionnaire and suggestion "
            "action of the person. Team figures already released stay as they are (anonymous "
            "figures of at least k people, never worked out again); weeks not yet released "
            "will not include them. The account is closed (deactivated, name removed; the "
            "username stays for the audit log). Type their username to confirm."
        )
        erase_user = st.selectbox("Account", list(departed), index=None,
                                  placeholder="Choose an account", key="erase_user")
        erase_typed = st.text_input("Type the username to confirm", key="erase_confirm")
        if st.form_submit_button("Delete this person's data", key="erase_submit"):
            if erase_user is None:
                st.error("Choose an account.")
            else:
                try:
                    erasure.delete_user_data(db, admin.id, departed[erase_user]["id"], erase_typed)
                except ValidationError as exc:
                    report(exc)
                else:
                    done(f"The data of '{erase_user}' has been deleted and the account closed.")

# --- privacy and support ---------------------------------------------------------
st.header("Privacy of team figures")
st.caption(
    "Team figures are released once a week, for the week that ended 8 days before, once late "
    "check-ins can no longer change it; a released week never changes. These settings apply to "
    f"weeks released from now on. {WHY_NOT_LEADS}"
)
current = settings.privacy_settings(db)
with st.form("privacy"):
    k = st.number_input(
        "Minimum group size (k)", min_value=settings.MIN_K, max_value=settings.MAX_K,
        value=int(current[settings.K_KEY]), step=1,
        help="A team's figures for a week are shown only when at least this many people "
        f"checked in. It cannot be set below {settings.MIN_K}.",
    )
    zone = st.text_input(
        "Agency time zone", value=current[settings.TIMEZONE_KEY], key="agency_timezone",
        help="An IANA name such as Europe/London or America/New_York. The daily form's 7 days "
        "back and the weekly release follow this date.",
    )
    dp_on = st.checkbox("Add differential-privacy noise to team figures",
                        value=bool(current[settings.DP_ENABLED_KEY]))
    epsilon = st.number_input(
        "Privacy budget per released value (epsilon)", min_value=settings.MIN_DP_EPSILON,
        max_value=settings.MAX_DP_EPSILON, value=float(current[settings.DP_EPSILON_KEY]),
        step=0.1, format="%.2f", help="Smaller means more noise and more privacy. See PRIVACY.md.",
    )
    cap = st.number_input(
        "Weekly privacy cap per person (epsilon)", min_value=settings.MIN_DP_CAP,
        max_value=settings.MAX_DP_CAP, value=float(current[settings.DP_CAP_KEY]), step=1.0,
        format="%.1f", key="dp_weekly_cap",
        help=f"A week's release puts each person in one noisy group, which releases "
        f"{NOISY_VALUES} values. A week whose cost ({NOISY_VALUES} x epsilon) is above this "
        "cap is released with no figures at all.",
    )
    if st.form_submit_button("Save privacy settings"):
        try:
            settings.set_k(db, int(k), actor_id=admin.id)
            settings.set_agency_timezone(db, zone, actor_id=admin.id)
            settings.set_dp_enabled(db, dp_on, actor_id=admin.id)
            settings.set_dp_epsilon(db, float(epsilon), actor_id=admin.id)
            settings.set_dp_weekly_cap(db, float(cap), actor_id=admin.id)
        except ValidationError as exc:
            report(exc)
        else:
            done("Privacy settings saved. They apply to weeks released from now on.")

if current[settings.DP_ENABLED_KEY]:
    cost = NOISY_VALUES * float(current[settings.DP_EPSILON_KEY])
    within = rules.within_budget(NOISY_VALUES, float(current[settings.DP_EPSILON_KEY]),
                                       float(current[settings.DP_CAP_KEY]))
    (st.info if within else st.warning)(
        f"Each week's release costs each person epsilon {cost:g} ({NOISY_VALUES} values x "
        f"{float(current[settings.DP_EPSILON_KEY]):g}); the weekly cap is "
        f"{float(current[settings.DP_CAP_KEY]):g}."
        + ("" if within else " That is over the cap: weeks will be released without figures "
           "until epsilon is lowered or the cap raised.")
    )
spent = noise.epsilon_by_cell(db)
if spent:
    names = {f"team:{team['id']}": team["name"] for team in teams}
    names.update(pool=rules.POOL_NAME)
    st.write(
        f"Privacy budget spent so far: epsilon {noise.epsilon_spent(db):g} in all, over "
        f"{len(spent)} released groups (each noisy value is drawn once, when its week is "
        "released, and stored)."
    )
    st.dataframe(
        pd.DataFrame(
            [{"Group": names.get(row["cell_key"], "Combined group"),
              "Week": week_label(row["period_start"]), "Values released": row["values_released"],
              "Epsilon": row["epsilon"]} for row in spent]
        ),
        hide_index=True,
        width="stretch",
    )

st.header("Sign-in")
with st.form("sessions"):
    idle = st.number_input(
        "Sign out after this many minutes without activity", min_value=settings.MIN_IDLE_MINUTES,
        max_value=settings.MAX_IDLE_MINUTES, value=settings.idle_minutes(db), step=5,
        key="idle_minutes",
        help="A session with no clicks for this long is signed out; the person sees why. "
        "Not for a device someone chose to keep signed in.")
    remember = st.number_input(
        "'Keep me signed in on this device' lasts this many days", min_value=0,
        max_value=settings.MAX_REMEMBER_DAYS, value=settings.remember_days(db), step=1,
        key="remember_days",
        help="0 takes the choice off the sign-in page: everyone is signed out when the browser "
        "closes or after the minutes above. Applies to sign-ins from now on.")
    if st.form_submit_button("Save sign-in settings"):
        try:
            settings.set_idle_minutes(db, int(idle), actor_id=admin.id)
            settings.set_remember_days(db, int(remember), actor_id=admin.id)
        except ValidationError as exc:
            report(exc)
        else:
            kept = f"kept sign-ins last {int(remember)} days" if remember else "no kept sign-ins"
            done(f"Idle sign-out set to {int(idle)} minutes; {kept}.")

st.header("E-mail reminders")
st.caption("People who ask for reminders get them through your agency's own mail server. "
           "The server's user name and password are not set here: give them to the "
           "reminder sender in the environment (FATIGUE_SMTP_USERNAME, FATIGUE_SMTP_PASSWORD) "
           "or in a file readable only by the app (FATIGUE_SMTP_SECRETS). Leave the server "
           "empty for no e-mail.")
with st.form("smtp"):
    host = st.text_input("Mail server (SMTP host)", value=settings.get_setting(db, settings.SMTP_HOST_KEY),
                         placeholder="smtp.agency.org", max_chars=253)
    port = st.number_input("Port", min_value=1, max_value=65535, step=1,
                           value=int(settings.get_setting(db, settings.SMTP_PORT_KEY)))
    tls = st.selectbox("Connection security", settings.SMTP_TLS_MODES,
                       index=settings.SMTP_TLS_MODES.index(settings.get_setting(db, settings.SMTP_TLS_KEY)),
                       help="starttls (port 587) or tls (port 465). none only for a relay on "
                       "this machine: otherwise e-mail and password cross the network readable.")
    sender = st.text_input("Sender address", value=settings.get_setting(db, settings.SMTP_SENDER_KEY),
                           placeholder="wellbeing@agency.org", max_chars=254)
    app_url = st.text_input("The app's address (opened by the reminder's link)",
                            value=settings.get_setting(db, settings.APP_URL_KEY),
                            placeholder="https://checkin.agency.org", max_chars=300)
    ca_file = st.text_input(
        "CA file for the mail server's certificate (optional)",
        value=settings.get_setting(db, settings.SMTP_CA_FILE_KEY),
        placeholder="/etc/ssl/certs/agency-ca.pem", max_chars=4096,
        help="Only if the mail server's certificate comes from your agency's own certificate "
        "authority: the full path of a PEM file with that CA's certificate, readable by the app. "
        "Empty: the certificate is checked against the system's trusted certificates.")
    if st.form_submit_button("Save e-mail settings"):
        chosen = ((settings.SMTP_HOST_KEY, host), (settings.SMTP_PORT_KEY, int(port)),
                  (settings.SMTP_TLS_KEY, tls), (settings.SMTP_SENDER_KEY, sender),
                  (settings.APP_URL_KEY, app_url), (settings.SMTP_CA_FILE_KEY, ca_file))
        try:
            settings.set_settings(db, chosen, actor_id=admin.id)
        except ValidationError as exc:
            report(exc)
        else:
            done("E-mail settings saved. Reminders go out when `python -m fatigue remind` runs "
                 "(see the README).")

st.header("Support resources")
with st.form("support"):
    text = st.text_area(
        "Shown to people when their check-ins suggest they may need support now",
        value=settings.support_resources(db), max_chars=settings.MAX_SUPPORT_CHARS,
        placeholder="e.g. Employee assistance programme: 0800 000 000 (24 hours). "
        "Crisis line: 000 000.",
    )
    if st.form_submit_button("Save support resources"):
        try:
            settings.set_support_resources(db, text, actor_id=admin.id)
        except ValidationError as exc:
            report(exc)
        else:
            done("Support resources saved.")

st.header("Audit log")
st.caption("Security events and admin actions, newest first: failed logins and lockouts, "
           "password changes and resets, account and team changes, views of team figures, refused "
           "attempts and settings changes. People's routine sign-ins, sign-outs, check-ins and "
           "what they do with their own data are not shown here: they would tell who uses the "
           "tool, and when.")
log = audit.admin_entries(db, limit=200)
zone = st.context.timezone or settings.agency_timezone(db)
when = f"When ({zone_or_utc(zone).key})"
st.dataframe(
    pd.DataFrame(
        [{when: moment_text(e["at"], zone), "Who": e["actor"] or "system", "Action": e["action"],
          "Detail": audit.detail_text(e["detail"])} for e in log],
        columns=[when, "Who", "Action", "Detail"], dtype=object,
    ),
    hide_index=True,
    width="stretch",
)
