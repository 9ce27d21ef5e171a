"""Writing many rows fast: ``COPY … FROM STDIN`` on PostgreSQL, ``bulk_create`` elsewhere (SQLite, small
sizes only). Rows go through the same code either way; no model is saved, so no signal (and no audit
entry) fires.

Primary keys are handed out before a row is written (``Table.new_id``), so rows can point at each
other without reading anything back: on PostgreSQL they are drawn from the table's own sequence, in
blocks, which leaves the sequence right for the application afterwards and is safe beside other
writers; on SQLite the transaction holds the database's write lock, so counting on from the largest id
is safe there.
"""

from __future__ import annotations

import io
import time
from collections import deque
from collections.abc import Sequence

from django.db import connection

BATCH = 50_000  # rows per COPY (or per bulk_create round); a batch of visits is ~15 MB of text
ID_BLOCK = 20_000

# COPY's text format: backslash, tab, newline and carriage return are escaped, NULL is \N.
_COPY_ESCAPES = str.maketrans({"\\": "\\\\", "\t": "\\t", "\n": "\\n", "\r": "\\r"})


def _copy_text(value) -> str:
    if value is None:
        return "\\N"
    if isinstance(value, str):
        return value.translate(_COPY_ESCAPES)
    # int; bool (PostgreSQL reads True/False); date and aware datetime (ISO, with the offset); Decimal
    return str(value)


class Table:
    """Rows of one model: ``columns`` are the attnames each ``add``-ed tuple holds, in order; every other
    column gets the field's default (``auto_now`` fields: the generation time)."""

    def __init__(self, writer: Writer, model, columns: Sequence[str]):
        self.writer = writer
        self.model = model
        self.columns = list(columns)
        self.rows = 0
        self.seconds = 0.0  # time spent in the database
        self._pending: list = []
        self._ids: deque[int] = deque()
        self._next_id: int | None = None
        meta = model._meta
        given = set(self.columns)
        rest = [f for f in meta.concrete_fields if f.attname not in given and not f.primary_key]
        columns = [meta.get_field(c).column for c in self.columns] + [f.column for f in rest]
        self._sql_columns = ", ".join(connection.ops.quote_name(c) for c in columns)
        constants = [
            writer.now if getattr(f, "auto_now", False) or getattr(f, "auto_now_add", False) else f.get_default()
            for f in rest
        ]
        self._suffix = "".join("\t" + _copy_text(v) for v in constants) + "\n"

    @property
    def count(self) -> int:
        return self.rows + len(self._pending)

    def new_id(self) -> int:
        if self.writer.copy:
            if not self._ids:
                table = self.model._meta.db_table
                with connection.cursor() as cursor:
                    cursor.execute(
                        "SELECT nextval(pg_get_serial_sequence(%s, 'id')) FROM generate_series(1, %s)",
                        [table, ID_BLOCK],
                    )
                    self._ids.extend(row[0] for row in cursor.fetchall())
            return self._ids.popleft()
        if self._next_id is None:
            table = connection.ops.quote_name(self.model._meta.db_table)
            with connection.cursor() as cursor:
                cursor.execute(f"SELECT COALESCE(MAX(id), 0) FROM {table}")  # noqa: S608 (a model's table name)
                largest = cursor.fetchone()[0]
                # AUTOINCREMENT never reuses an id, even one whose row is gone: start past both.
                cursor.execute("SELECT seq FROM sqlite_sequence WHERE name = %s", [self.model._meta.db_table])
                row = cursor.fetchone()
            self._next_id = max(largest, row[0] if row else 0) + 1
        self._next_id += 1
        return self._next_id - 1

    def add(self, row: tuple) -> None:
        if self.writer.copy:
            self._pending.append("\t".join(map(_copy_text, row)) + self._suffix)
        else:
            self._pending.append(row)
        if len(self._pending) >= BATCH:
            self.flush()

    def flush(self) -> None:
        if not self._pending:
            return
        # Foreign keys are checked as rows arrive (Writer.begin): the rows they point at go in first.
        self.writer.flush_before(self)
        start = time.perf_counter()
        if self.writer.copy:
            text = io.StringIO("".join(self._pending))
            table = connection.ops.quote_name(self.model._meta.db_table)
            with connection.cursor() as cursor:
                cursor.copy_expert(f"COPY {table} ({self._sql_columns}) FROM STDIN", text)
        else:
            objs = [self.model(**dict(zip(self.columns, row, strict=True))) for row in self._pending]
            self.model.objects.bulk_create(objs, batch_size=500)
        self.rows += len(self._pending)
        self._pending = []
        self.seconds += time.perf_counter() - start


class Writer:
    """The tables written by one run, in the order they were first used."""

    def __init__(self, now):
        self.now = now
        self.copy = connection.vendor == "postgresql"
        self.tables: dict[str, Table] = {}

    def begin(self) -> None:
        """Inside the run's transaction. PostgreSQL: check foreign keys row by row instead of at the commit
        (Django declares them deferred), where millions of queued checks would take the server's memory."""
        if self.copy:
            with connection.cursor() as cursor:
                cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")

    def table(self, model, columns: Sequence[str]) -> Table:
        key = model._meta.label
        if key not in self.tables:
            self.tables[key] = Table(self, model, columns)
        if self.tables[key].columns != list(columns):
            raise ValueError(f"{key} is written with one set of columns per run")
        return self.tables[key]

    def flush(self) -> None:
        for table in self.tables.values():
            table.flush()

    def flush_before(self, table: Table) -> None:
        """Write what the tables opened before ``table`` hold: tables are opened parents first."""
        for other in self.tables.values():
            if other is table:
                return
            other.flush()

    def counts(self) -> dict[str, int]:
        """Rows per table so far, written or waiting in a batch."""
        return {label: t.count for label, t in self.tables.items()}
