"""The demo town for tests that start from it, seeded once per test process and put back for each later test.

``demo.seed()`` with the registry takes 20–30 s; the browser tests that start from the demo would pay it
each. On PostgreSQL the first such test in a process seeds it for real and copies every table's rows
(``COPY ... TO STDOUT``) and the sequences into memory; each later test empties the tables and copies the
rows back (``COPY ... FROM STDIN``), well under a second, and starts from exactly the rows the seed left.
``tests/tooling/test_demo_state.py`` checks that the restored database is the seeded one, table by table.

With several test processes (pytest-xdist) the copy is shared: the first process to need it seeds and
writes it to a file in the run's temporary folder (``SHARED``, set in ``tests/conftest.py``), holding a
lock meanwhile; the others wait for the lock and read the file instead of seeding again. A copy whose rows
point at content types or permissions (which each database numbers anew after a flush) is not shared.

Elsewhere (SQLite) it seeds as before. What the seed depends on besides the database is part of the key
under which a copy is kept: the demo options, today's date (the visits are laid out up to today) and the
settings it reads (``DEBUG`` decides whether demo accounts must change their password).
"""

from __future__ import annotations

import fcntl
import hashlib
import io
import os
import pickle
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone

# Filled by migrate and by flush's post_migrate signal, not by the seed: left as they are (nothing the
# seed writes points at them).
KEPT_TABLES = frozenset({"django_content_type", "auth_permission"})


@dataclass(frozen=True)
class Snapshot:
    """Every table's rows (PostgreSQL's COPY text format) and the sequences' values, as taken."""

    tables: tuple[str, ...]
    rows: dict[str, bytes]
    sequences: dict[str, int]

    @classmethod
    def take(cls) -> Snapshot:
        tables = tuple(sorted(set(connection.introspection.django_table_names(only_existing=True)) - KEPT_TABLES))
        rows: dict[str, bytes] = {}
        names: list[str] = []
        with connection.cursor() as cursor:
            for table in tables:
                out = io.BytesIO()
                cursor.cursor.copy_expert(f"COPY {connection.ops.quote_name(table)} TO STDOUT", out)
                rows[table] = out.getvalue()
                names += [sequence["name"] for sequence in connection.introspection.get_sequences(cursor, table)]
            # last_value is null for a sequence never used: nothing to put back.
            cursor.execute(
                "SELECT sequencename, last_value FROM pg_sequences"
                " WHERE schemaname = current_schema() AND sequencename = ANY(%s) AND last_value IS NOT NULL",
                [names],
            )
            sequences = dict(cursor.fetchall())
        return cls(tables=tables, rows=rows, sequences=sequences)

    def restore(self) -> None:
        """Empty the tables and put the rows back. Sequences only move forward (never below a value a row
        outside a test's transaction may hold), and at least to where they were when taken."""
        quote = connection.ops.quote_name
        nested = connection.in_atomic_block
        with transaction.atomic(), connection.cursor() as cursor:
            # A test's database, thrown away afterwards: no need to wait for the disk.
            cursor.execute("SET LOCAL synchronous_commit = off")
            cursor.execute("SELECT current_setting('is_superuser') = 'on'")
            if cursor.fetchone()[0]:
                # The rows were consistent when taken: checking each foreign key again at commit (Django's
                # are deferred) would take seconds. Only a superuser may switch the checks off.
                cursor.execute("SET LOCAL session_replication_role = replica")
            # Emptied in the same transaction even when a flush has emptied them already: PostgreSQL then
            # appends every row in the order given, and the tables come back row for row in the seed's
            # physical order (what a query without ORDER BY sees); into a table emptied earlier, it may
            # place a short row into an earlier page's free space. Without CASCADE: a table pointing at
            # these that the snapshot does not hold is an error, not silently emptied.
            cursor.execute("TRUNCATE " + ", ".join(quote(table) for table in self.tables))
            for table, data in self.rows.items():
                if data:
                    cursor.cursor.copy_expert(f"COPY {quote(table)} FROM STDIN", io.BytesIO(data))
            cursor.execute(
                "SELECT setval(format('%%I.%%I', s.schemaname, s.sequencename)::regclass,"
                " GREATEST(v.value, COALESCE(s.last_value, 0)))"
                " FROM unnest(%s::text[], %s::bigint[]) AS v(name, value)"
                " JOIN pg_sequences s ON s.schemaname = current_schema() AND s.sequencename = v.name",
                [list(self.sequences), list(self.sequences.values())],
            )
            # Triggers are switched on again for what follows (inside a test's own transaction, as with
            # pytest-django's ``db``, that is the rest of the test); the rows copied above stay unchecked.
            cursor.execute("SET LOCAL session_replication_role = DEFAULT")
            if nested:
                cursor.execute("SET LOCAL synchronous_commit = DEFAULT")


_snapshots: dict[tuple, Snapshot] = {}
# The folder this run's test processes share the copies in (None: one process, kept in memory only).
SHARED: Path | None = None


def _key(registry: bool) -> tuple:
    return (
        connection.settings_dict["NAME"],
        registry,
        timezone.localdate(),
        settings.DEBUG,
        settings.DEMO_PASSWORD,
        tuple(settings.PASSWORD_HASHERS),
        repr(getattr(settings, "ID_NUMBER_HASH_KEY", None)),
        repr(getattr(settings, "ID_NUMBER_KEYS", None)),
    )


def seed_demo(*, registry: bool = True) -> None:
    """The database as ``restore_reference_data()`` then ``demo.seed(registry=registry)`` leave it."""
    from tests.conftest import restore_reference_data
    from tooling import demo

    if connection.vendor != "postgresql":
        restore_reference_data()
        demo.seed(registry=registry)
        return
    key = _key(registry)
    snapshot = _snapshots.get(key)
    if snapshot is not None:
        snapshot.restore()
        return

    def seeded() -> Snapshot:
        restore_reference_data()
        demo.seed(registry=registry)
        return Snapshot.take()

    if SHARED is None:
        _snapshots[key] = seeded()
        return
    # The database's name differs between processes; what its rows depend on does not.
    name = f"demo-{hashlib.sha256(repr(key[1:]).encode()).hexdigest()[:16]}"
    path = SHARED / f"{name}.pickle"
    with run_lock(name):  # another process may be seeding it: wait for its copy
        if path.exists():
            snapshot = pickle.loads(path.read_bytes())  # noqa: S301 — written by this run's own processes
            snapshot.restore()
        else:
            snapshot = seeded()
            if not any(snapshot.rows.get(table) for table in _pointing_at_kept_tables()):
                partial = path.with_suffix(".partial")
                partial.write_bytes(pickle.dumps(snapshot, protocol=pickle.HIGHEST_PROTOCOL))
                os.replace(partial, path)
    _snapshots[key] = snapshot


@contextmanager
def run_lock(name: str) -> Iterator[None]:
    """Held by one test process of the run at a time (``SHARED`` must be set)."""
    SHARED.mkdir(parents=True, exist_ok=True)
    with open(SHARED / f"{name}.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        yield


def _pointing_at_kept_tables() -> set[str]:
    """The tables whose rows may point at a content type or a permission."""
    from django.apps import apps

    return {
        model._meta.db_table
        for model in apps.get_models(include_auto_created=True)
        for field in model._meta.concrete_fields
        if field.is_relation and field.related_model._meta.db_table in KEPT_TABLES
    } - KEPT_TABLES
