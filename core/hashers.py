"""The password hasher (settings.PASSWORD_HASHERS, first): Argon2id with one of the five configurations OWASP's
Password Storage Cheat Sheet recommends (docs/sources.md [P2]): 7 MiB of memory, 5 iterations, 1 degree of
parallelism. The cheat sheet lists m=46 MiB/t=1, 19 MiB/t=2, 12 MiB/t=3, 9 MiB/t=4 and 7 MiB/t=5, all with
p=1, and says "These configuration settings provide an equal level of defense, and the only difference is a
trade off between CPU and RAM usage".

Measured on the 2-core server (docs/performance.md, "Logins"): the 19 MiB configuration took 18.4–19.0 ms a
hash one at a time and 10.6–15.0 ms a hash with two at once; this one 14.3–14.5 and 7.4–7.7 (three rounds of
twenty each, alternated): a fresh 19 MiB block is faulted in and zeroed for every hash, 7 MiB much less so, and
two logins at once share the machine's memory bandwidth. Eight logins in flight hold 56 MiB instead of 152.
Django 5.2's default, PBKDF2-SHA256 with 1,000,000 rounds, takes 0.24–0.41 s. A hash stored with another
hasher, or with other parameters (the 19 MiB ones stored before included), is re-hashed with these at the
person's next login (Django's ``check_password`` and ``must_update``; not a password change:
grids/credentials.py)."""

from __future__ import annotations

from django.contrib.auth.hashers import Argon2PasswordHasher


class OWASPArgon2idPasswordHasher(Argon2PasswordHasher):
    # The same algorithm name as Django's Argon2 hasher: a stored hash carries its own parameters
    # (argon2$argon2id$v=19$m=7168,t=5,p=1$…), so either hasher verifies it, and must_update compares them
    # with these.
    algorithm = "argon2"
    time_cost = 5
    memory_cost = 7168  # KiB: 7 MiB
    parallelism = 1
