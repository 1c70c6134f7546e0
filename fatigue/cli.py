"""Command line for headless set-up: ``python -m fatigue COMMAND --db PATH``.

Passwords are read from standard input (``--password-stdin``) or typed at a
hidden prompt, never taken as an argument, so they stay out of shell history
and process lists.
"""
from __future__ import annotations

import argparse
import getpass
import os
import sqlite3
import sys
from pathlib import Path
from typing import Callable, Sequence

from fatigue import accounts, audit, serve
from fatigue.db import connect, default_path
from fatigue.errors import ValidationError

Handler = Callable[[argparse.Namespace], str]


def _read_password(args: argparse.Namespace) -> str:
    if args.password_stdin:
        line = sys.stdin.readline()
        return line.rstrip("\r\n")
    if not sys.stdin.isatty():
        raise ValidationError(
            {"password": "No terminal to ask for a password: pass --password-stdin and pipe it in."}
        )
    first = getpass.getpass("Password: ")
    if getpass.getpass("Repeat password: ") != first:
        raise ValidationError({"password": "The two passwords differ."})
    return first


def cmd_init(args: argparse.Namespace) -> str:
    connect(args.db).close()
    return f"Database ready at {args.db or default_path()}"


def cmd_add_team(args: argparse.Namespace) -> str:
    with connect(args.db) as db:
        accounts.create_team(db, args.name, caseload_standard=args.caseload_standard)
    return f"Team '{args.name.strip()}' added (caseload standard {args.caseload_standard})."


def cmd_add_user(args: argparse.Namespace) -> str:
    password = _read_password(args)
    with connect(args.db) as db:
        accounts.create_user(
            db,
            args.username,
            password,
            team=args.team,
            lead_of=([args.team] if args.lead else []) + list(args.lead_of or []),
            is_admin=args.admin,
            display_name=args.name or "",
        )
    roles = (["case manager"] + (["team lead"] if args.lead or args.lead_of else [])
             + (["admin"] if args.admin else []))
    return f"User '{accounts.normalize_username(args.username)}' added to {args.team} as {', '.join(roles)}."


def cmd_demo(args: argparse.Namespace) -> str:
    from fatigue import demo  # imported late: numpy-heavy and only needed here

    with connect(args.db) as db:
        if args.if_empty and accounts.has_users(db):
            return f"{args.db or default_path()} already has accounts; demo not loaded."
        counts = demo.build_demo(db, seed=args.seed, days=args.days)
    return (
        f"Demo agency loaded into {args.db or default_path()}: {counts['teams']} teams, "
        f"{counts['users']} people, {counts['checkins']} check-ins, "
        f"{counts['questionnaires']} questionnaires. "
        f"Every demo login uses the demo-only password '{demo.DEMO_PASSWORD}'."
    )


def cmd_bench(args: argparse.Namespace) -> str:
    from fatigue import bench  # imported late: builds a large synthetic agency

    progress = None if args.json else (lambda text: print(text, file=sys.stderr, flush=True))
    figures = bench.run(args.users, args.days, args.seed, runs=args.runs,
                        pages=not args.no_pages, progress=progress)
    return bench.json_lines(figures) if args.json else bench.table(figures)


def cmd_serve(args: argparse.Namespace) -> str:
    port = args.port
    if port is None:  # ./run.sh passes PORT through the environment
        try:
            port = _whole_number(1, 65535)(os.environ.get("PORT") or str(serve.DEFAULT_PORT))
        except argparse.ArgumentTypeError as exc:
            raise ValidationError({"port": f"PORT: {exc}"}) from None
    code = serve.serve(args.processes, port, args.address or serve.DEFAULT_ADDRESS, args.db)
    if code:
        raise SystemExit(code)
    return "The app processes have stopped."


def cmd_loadtest(args: argparse.Namespace) -> str:
    from fatigue.loadtest import run  # imported late: a websocket client and a harness

    progress = None if args.json else (lambda text: print(text, file=sys.stderr, flush=True))
    result = run.loadtest(args.people, args.processes, args.seconds, args.think,
                          staff=args.users, days=args.days, agency=args.agency,
                          proxy=not args.no_proxy, keep_signed_in=args.keep_signed_in,
                          progress=progress)
    out = run.as_json(result) if args.json else run.text(result)
    if not result.ok:  # an error, a lost save or a visit split between processes
        print(out)
        raise SystemExit(1)
    return out


def cmd_backup(args: argparse.Namespace) -> str:
    from fatigue import backup

    source = args.db or default_path()
    found = backup.backup(source, args.dest, force=args.force)
    return (
        f"Backup of {source} written to {found.path} and verified (integrity ok, "
        f"schema {found.migrations[-1]}, {found.users} accounts, {found.checkins} check-ins)."
    )


def cmd_restore(args: argparse.Namespace) -> str:
    from fatigue import backup

    target = args.db or default_path()
    found = backup.verify(args.src)
    kept = backup.restore(args.src, target)
    before = f" The previous database was kept as {kept}." if kept else ""
    return (
        f"Restored {target} from {args.src} (schema {found.migrations[-1]}, {found.users} "
        f"accounts, {found.checkins} check-ins).{before} Start the app again; it upgrades "
        "the schema if the backup is older."
    )


def cmd_rotate_key(args: argparse.Namespace) -> str:
    from fatigue import crypto

    with connect(args.db, create=False) as db:  # a mistyped --db makes no database or key
        return crypto.rotate_key(db).message


def cmd_export(args: argparse.Namespace) -> str:
    from pathlib import Path

    from fatigue import export
    from fatigue.errors import NotSaved
    from fatigue.transactions import write_lock

    with connect(args.db, create=False) as db:  # a mistyped --db makes no database
        username = accounts.normalize_username(args.username)
        row = db.execute("SELECT id FROM users WHERE username = ?", [username]).fetchone()
        if row is None:
            raise ValidationError({"username": f"There is no account '{username}'."})
        data = export.collect(db, row[0])
        as_zip = args.out.lower().endswith(".zip")
        payload = export.to_zip(data) if as_zip else export.to_json(data).encode("utf-8")
        written = committed = False
        try:  # someone's notes leave the app by the shell: audited first, or not exported
            with write_lock(db):
                audit.record(db, None, "data_exported_by_operator",
                             {"user_id": row[0], "username": username,
                              "format": "csv" if as_zip else "json"})
                _write_owner_only(args.out, payload, force=args.force)
                written = True
            committed = True
        except NotSaved:
            raise ValidationError({"out": (
                "The export could not be recorded in the audit log (the reason is above), so "
                "nothing was exported.")}) from None
        finally:
            if written and not committed:  # the audit entry did not commit: no export
                Path(args.out).unlink(missing_ok=True)
    kind = "CSV files (zip)" if as_zip else "JSON"
    locked = len(export.locked_days(data))
    notes = (f"Their {locked} private notes sealed with their own key are exported as locked: "
             "only they can open them." if locked
             else "It holds their private notes not yet under their own key: hand it only to them.")
    return f"The data of '{username}' written to {args.out} as {kind}. {notes}"


def cmd_unlock(args: argparse.Namespace) -> str:
    with connect(args.db, create=False) as db:  # a mistyped --db makes no database
        removed = accounts.unlock(db, username=args.username, address=args.address)
    who = (f"'{accounts.throttle_key(args.username)}'" if args.username is not None
           else f"the address {args.address.strip()}")
    if not removed:
        return f"Nothing to unlock: {who} has no failed logins counted."
    return f"Unlocked {who}: the failed logins counted against it are forgotten."


def cmd_remind(args: argparse.Namespace) -> str:
    from fatigue import email_reminders

    with connect(args.db) as db:
        run = email_reminders.send_due(db)
    if run.problem:  # the mail server could not be used: said on stderr, exit code 2
        raise ValidationError({"smtp": str(run)})
    return str(run)


def _write_owner_only(path: str, payload: bytes, *, force: bool) -> None:
    """Write ``payload`` to a file only its owner can read (personal data), flushed."""
    flags = os.O_WRONLY | os.O_CREAT | (os.O_TRUNC if force else os.O_EXCL)
    try:
        fd = os.open(path, flags, 0o600)
    except FileExistsError:
        raise ValidationError({"out": f"{path} exists already; pass --force to overwrite it."}) from None
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(payload)
            handle.flush()
            os.fsync(handle.fileno())
    except BaseException:  # e.g. a full disk: no half-written export is left
        os.unlink(path)
        raise


MAX_DEMO_DAYS = 3650  # ten years of history
MAX_BENCH_USERS = 20_000  # the largest agency docs/deploy.md sizes one host for
# The load test's own bounds (fatigue.loadtest.run checks them again).
MAX_LOADTEST_PEOPLE, MAX_LOADTEST_PROCESSES, MAX_LOADTEST_SECONDS = 200, 16, 3600
MAX_BENCH_RUNS = 100
MAX_SEED = 2**32 - 1


def _whole_number(low: int, high: int) -> Callable[[str], int]:
    """An argparse type: a whole number from ``low`` to ``high``."""

    def parse(text: str) -> int:
        try:
            value = int(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"'{text[:40]}' is not a whole number") from None
        if not low <= value <= high:
            raise argparse.ArgumentTypeError(f"must be a whole number from {low:,} to {high:,}")
        return value

    return parse


def build_parser() -> argparse.ArgumentParser:
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument(
        "--db",
        metavar="PATH",
        help="database file (default: $FATIGUE_DB, else data/fatigue.db)",
    )
    parser = argparse.ArgumentParser(
        prog="python -m fatigue", description="Set up and look after the check-in database."
    )
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    p = sub.add_parser("init", parents=[common], help="create or upgrade the database")
    p.set_defaults(handler=cmd_init)

    p = sub.add_parser("add-team", parents=[common], help="add a team")
    p.add_argument("name", metavar="NAME")
    p.add_argument("--caseload-standard", type=_whole_number(1, 200), default=15,
                   metavar="N", help="the team's caseload standard (default 15)")
    p.set_defaults(handler=cmd_add_team)

    p = sub.add_parser("add-user", parents=[common], help="add an account")
    p.add_argument("username", metavar="USERNAME")
    p.add_argument("--team", required=True, metavar="NAME", help="home team")
    p.add_argument("--name", metavar="TEXT", help="display name")
    p.add_argument("--lead", action="store_true", help="also leads the home team")
    p.add_argument("--lead-of", action="append", metavar="NAME",
                   help="also leads this team (repeat for several teams)")
    p.add_argument("--admin", action="store_true", help="may manage accounts and teams")
    p.add_argument("--password-stdin", action="store_true",
                   help="read the password from standard input (one line)")
    p.set_defaults(handler=cmd_add_user)

    p = sub.add_parser("demo", parents=[common], help="load the synthetic demo agency")
    p.add_argument("--seed", type=_whole_number(0, MAX_SEED), default=7, metavar="N")
    p.add_argument("--days", type=_whole_number(1, MAX_DEMO_DAYS), default=180, metavar="N",
                   help=f"days of check-ins (default 180, at most {MAX_DEMO_DAYS:,})")
    p.add_argument("--if-empty", action="store_true",
                   help="do nothing (and succeed) if the database already has accounts")
    p.set_defaults(handler=cmd_demo)

    p = sub.add_parser("serve", parents=[common],
                       help="run the app: the database upgraded once, then one process per core")
    p.add_argument("--processes", type=_whole_number(1, serve.MAX_PROCESSES),
                   default=serve.default_processes(),
                   metavar="N", help="app processes (default: one per core, here "
                   f"{serve.default_processes()})")
    p.add_argument("--port", type=_whole_number(1, 65535), metavar="PORT",
                   help="port of the first process; the next ones follow (default: $PORT, else 8501)")
    p.add_argument("--address", default=os.environ.get("ADDRESS"),
                   metavar="ADDRESS", help="where the processes listen (default: $ADDRESS, "
                   "else 127.0.0.1: only the proxy on this host reaches them)")
    p.set_defaults(handler=cmd_serve)

    p = sub.add_parser("loadtest", help="simulated people visiting the app through nginx, "
                       "on this host only (sign in, check in, trends)")
    p.add_argument("--people", type=_whole_number(1, MAX_LOADTEST_PEOPLE), default=10, metavar="N",
                   help="people visiting at once (default 10, at most 200)")
    p.add_argument("--processes", type=_whole_number(1, MAX_LOADTEST_PROCESSES), default=1,
                   metavar="N", help="app processes behind the proxy (default 1)")
    p.add_argument("--seconds", type=_whole_number(1, MAX_LOADTEST_SECONDS), default=60, metavar="S",
                   help="how long they keep visiting (default 60, at most 3600)")
    p.add_argument("--think", type=float, default=1.0, metavar="S",
                   help="seconds between a person's steps (default 1)")
    p.add_argument("--users", type=_whole_number(2, MAX_BENCH_USERS), default=2000, metavar="N",
                   help="staff of the synthetic agency, in teams of 30 (default 2000)")
    p.add_argument("--days", type=_whole_number(1, MAX_DEMO_DAYS), default=730, metavar="D",
                   help="days of check-ins (default 730)")
    p.add_argument("--agency", type=Path, metavar="PATH",
                   help="keep the synthetic agency in this file and reuse it next time "
                   "(default: a temporary one); the visits' check-ins are saved in it")
    p.add_argument("--keep-signed-in", action="store_true",
                   help="sign in on a person's first visit only (a kept cookie)")
    p.add_argument("--no-proxy", action="store_true",
                   help="straight to the first app process, without nginx")
    p.add_argument("--json", action="store_true", help="the figures as JSON")
    p.set_defaults(handler=cmd_loadtest)

    p = sub.add_parser("bench", help="time the app on a synthetic agency (temporary database)")
    p.add_argument("--users", type=_whole_number(2, MAX_BENCH_USERS), default=2000, metavar="N",
                   help=f"staff, in teams of 30 (default 2000, at most {MAX_BENCH_USERS:,})")
    p.add_argument("--days", type=_whole_number(1, MAX_DEMO_DAYS), default=730, metavar="D",
                   help=f"days of check-ins (default 730, at most {MAX_DEMO_DAYS:,})")
    p.add_argument("--seed", type=_whole_number(0, MAX_SEED), default=7, metavar="S")
    p.add_argument("--runs", type=_whole_number(1, MAX_BENCH_RUNS), default=5, metavar="N",
                   help="repeats of each measurement (default 5)")
    p.add_argument("--no-pages", action="store_true",
                   help="skip the app process and its pages (timed over its websocket)")
    p.add_argument("--json", action="store_true", help="one JSON object per line per figure")
    p.set_defaults(handler=cmd_bench)

    p = sub.add_parser("rotate-key", parents=[common],
                       help="re-encrypt every private note under a new key")
    p.set_defaults(handler=cmd_rotate_key)

    p = sub.add_parser("export", parents=[common],
                       help="write one person's data to a file (JSON, or CSV files if it ends in .zip)")
    p.add_argument("username", metavar="USERNAME")
    p.add_argument("--out", required=True, metavar="PATH",
                   help="the file to write: .zip for CSV files, anything else for JSON")
    p.add_argument("--force", action="store_true", help="overwrite PATH if it exists")
    p.set_defaults(handler=cmd_export)

    p = sub.add_parser("backup", parents=[common],
                       help="copy the database safely while the app runs, and verify the copy")
    p.add_argument("dest", metavar="DEST",
                   help="backup file, or a folder (then a timestamped name is used)")
    p.add_argument("--force", action="store_true", help="overwrite DEST if it exists")
    p.set_defaults(handler=cmd_backup)

    p = sub.add_parser("unlock", parents=[common],
                       help="lift the lockout after failed logins from a username (or an address)")
    who = p.add_mutually_exclusive_group(required=True)
    who.add_argument("username", metavar="USERNAME", nargs="?",
                     help="the account's username, as typed at the sign-in page")
    who.add_argument("--address", metavar="ADDRESS",
                     help="a client network address instead (for example an office's)")
    p.set_defaults(handler=cmd_unlock)

    p = sub.add_parser("remind", parents=[common],
                       help="send the e-mail reminders due now (run every few minutes; "
                            "the mail server's login comes from FATIGUE_SMTP_USERNAME/"
                            "FATIGUE_SMTP_PASSWORD or FATIGUE_SMTP_SECRETS)")
    p.set_defaults(handler=cmd_remind)

    p = sub.add_parser("restore", parents=[common],
                       help="replace the database by a checked backup (stop the app first)")
    p.add_argument("src", metavar="SRC", help="the backup file to restore")
    p.set_defaults(handler=cmd_restore)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run one command; return the process exit code (2 for rejected input)."""
    args = build_parser().parse_args(argv)
    try:
        print(args.handler(args))
    except ValidationError as exc:
        for message in exc.errors.values():
            print(f"error: {message}", file=sys.stderr)
        return 2
    except (ValueError, OSError, sqlite3.Error) as exc:  # e.g. --db names a folder
        print(f"error: {exc}", file=sys.stderr)
        return 2
    return 0
