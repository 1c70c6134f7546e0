"""How much one password guess costs: argon2id's parameters for the password hashes
(:mod:`fatigue.accounts`) and for note keys wrapped under a password or passphrase
(:mod:`fatigue.note_keys`). The two are the same, so a guess costs an attacker who
copied the database as much against either.

OWASP's Password Storage Cheat Sheet (cheatsheetseries.owasp.org, "Argon2id"):
"Use Argon2id with a minimum configuration of 19 MiB of memory, an iteration count
of 2, and 1 degree of parallelism", one of five settings it gives as equal
defences. RFC 9106 (section 4) recommends 2 GiB or 64 MiB; argon2-cffi's default
is the 64 MiB one (3 passes, 4 lanes).

Why not that default: a password sign-in runs argon2id twice (the password check,
then the key that opens the person's private notes), and at 64 MiB x 3 passes
that took 0.44 CPU-seconds, 60% of a whole visit (sign in, check in, My trends)
on the 2-core test machine; at OWASP's setting it takes 0.06 (measured
5 Dec 2026, docs/deploy.md). One lane, because a server signing several people
in at once gains nothing from splitting one check over its cores.

Stored hashes and wrapped keys carry the parameters they were made with: a
change here applies to each person at their next sign-in (password re-hashed,
notes key re-wrapped), and older ones keep working until then.
"""
from __future__ import annotations

TIME_COST = 2  # passes over the memory
MEMORY_KIB = 19 * 1024  # 19 MiB held while one check runs
PARALLELISM = 1  # lanes
COST = (TIME_COST, MEMORY_KIB, PARALLELISM)
