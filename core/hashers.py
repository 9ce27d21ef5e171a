"""The password hasher (settings.PASSWORD_HASHERS, first): Argon2id with the parameters of OWASP's Password
Storage Cheat Sheet (docs/sources.md [P2]): "Use Argon2id with a minimum configuration of 19 MiB of memory,
an iteration count of 2, and 1 degree of parallelism".

Measured on the 2-core server (medians of three runs while other work shared it): one hash takes 20–32 ms,
where Django 5.2's default, PBKDF2-SHA256 with 1,000,000 rounds, takes 0.24–0.41 s, twelve times as long. A
login checks one hash, so 200 grid workers logging in at once no longer queue for half a minute, and a sheet
of 400 new accounts is hashed in about 8–13 s. A hash stored with another hasher, or with other parameters,
is re-hashed with these at the person's next login (Django's ``check_password`` and ``must_update``; not a
password change: grids/credentials.py)."""

from __future__ import annotations

from django.contrib.auth.hashers import Argon2PasswordHasher


class OWASPArgon2idPasswordHasher(Argon2PasswordHasher):
    # The same algorithm name as Django's Argon2 hasher: a stored hash carries its own parameters
    # (argon2$argon2id$v=19$m=19456,t=2,p=1$…), so either hasher verifies it, and must_update compares them
    # with these.
    algorithm = "argon2"
    time_cost = 2
    memory_cost = 19456  # KiB: 19 MiB
    parallelism = 1
