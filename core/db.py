"""Statement shapes the ORM does not write itself (docs/performance.md, "Rows by a list of ids", "Planning a
statement")."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from functools import cache

from django.db import connection
from django.db.models import BooleanField, Expression, F, Subquery
from django.shortcuts import get_object_or_404

# Sent with the statement, in the same query string: PostgreSQL runs the two as one implicit transaction, so the
# setting holds for that statement alone (and stays on one server connection behind a pooler such as PgBouncer).
AS_WRITTEN = "SET LOCAL join_collapse_limit = 1; "


@contextmanager
def joins_as_written() -> Iterator[None]:
    """The statements read in this block are planned with their joins in the order written: one row (or a
    page's rows) by primary key, then each related row by its key — the order PostgreSQL would choose, found
    without searching every other order. Searching them is most of such a statement's cost: a household with
    its village, grid, micro-grid, group, natural village and WeChat member took 3.2 ms to plan and 0.1 ms to
    run. Every statement read in the block is sent so: build the queryset before it (a scope read while
    building it is not such a statement) and only evaluate it inside. Only for statements that start from rows
    named by key; not inside a transaction (``SET LOCAL`` would hold until it ends) and not elsewhere than
    PostgreSQL, where the statements are sent as they are."""
    if connection.vendor != "postgresql":
        yield
        return

    def as_written(execute, sql, params, many, context):
        if not many and not connection.in_atomic_block:
            sql = AS_WRITTEN + sql
        return execute(sql, params, many, context)

    with connection.execute_wrapper(as_written):
        yield


def get_as_written_or_404(queryset, **lookup):
    """``get_object_or_404(queryset, **lookup)`` with the row's statement planned as written: the page's row by
    its key, then what it joins by theirs (a detail page's read). Build ``queryset`` first (its scope)."""
    with joins_as_written():
        return get_object_or_404(queryset, **lookup)


class InIds(Expression):
    """``column IN (subquery)`` that PostgreSQL reads as a list of ids: ``column = ANY(ARRAY(subquery))``.

    A join or ``IN (subquery)`` lets the planner pick a hash join, which reads the whole table (the coverage
    snapshots of every grid of the county, to keep a town's 200); ``ARRAY(...)`` runs the subquery once,
    first, and the ids it gives are looked up in the column's index. Elsewhere (SQLite) plain ``IN``."""

    output_field = BooleanField()
    conditional = True

    def __init__(self, column: str, ids) -> None:
        super().__init__()
        self.column = F(column)
        self.ids = Subquery(ids.order_by())  # the ids only: no order, no joins for it

    def get_source_expressions(self):
        return [self.column, self.ids]

    def set_source_expressions(self, exprs):
        self.column, self.ids = exprs

    def _parts(self, compiler):
        column, column_params = compiler.compile(self.column)
        ids, ids_params = compiler.compile(self.ids)  # "(SELECT …)"
        return column, ids, (*column_params, *ids_params)

    def as_sql(self, compiler, connection):
        column, ids, params = self._parts(compiler)
        return f"{column} IN {ids}", params

    def as_postgresql(self, compiler, connection):
        column, ids, params = self._parts(compiler)
        return f"{column} = ANY(ARRAY{ids})", params


def row_by_pk(model, pk, *, related: tuple[str, ...] = ()):
    """``model._default_manager.select_related(*related).get(pk=pk)`` for a model whose default manager (and
    those of the ``related`` foreign keys' models, one level) filters nothing, or None: the concrete columns by
    primary key in a statement written once per model, each value converted as the ORM converts it (SQLite's
    dates and booleans). For a read made on every request, where the ORM's building of the statement cost more
    than the database's answer (docs/performance.md, "What every page pays")."""
    sql, tables = _row_sql(model, related, connection.vendor)
    with connection.cursor() as cursor:
        cursor.execute(sql, [model._meta.pk.get_db_prep_value(pk, connection)])
        row = cursor.fetchone()
    if row is None:
        return None
    made, start = [], 0
    for table_model, fields in tables:
        values = []
        for (field, column), value in zip(fields, row[start : start + len(fields)], strict=True):
            for converter in connection.ops.get_db_converters(column) + field.get_db_converters(connection):
                value = converter(value, column, connection)
            values.append(value)
        start += len(fields)
        pk_value = values[[field for field, _column in fields].index(table_model._meta.pk)]
        attnames = [field.attname for field, _column in fields]
        made.append(None if pk_value is None else table_model.from_db(connection.alias, attnames, values))
    obj = made[0]
    for name, rel in zip(related, made[1:], strict=True):
        model._meta.get_field(name).set_cached_value(obj, rel)
    return obj


@cache
def _row_sql(model, related: tuple[str, ...], vendor: str) -> tuple[str, list]:
    qn = connection.ops.quote_name
    opts = model._meta
    tables = [(model, [(field, field.get_col(opts.db_table)) for field in opts.concrete_fields])]
    joins = []
    for n, name in enumerate(related):
        field = opts.get_field(name)
        other = field.related_model._meta
        alias = f"r{n}"
        tables.append((field.related_model, [(f, f.get_col(other.db_table)) for f in other.concrete_fields]))
        joins.append(
            f"LEFT OUTER JOIN {qn(other.db_table)} {alias} ON {alias}.{qn(field.target_field.column)} = "
            f"t.{qn(field.column)}"
        )
    aliases = ["t", *(f"r{n}" for n in range(len(related)))]
    columns = ", ".join(
        f"{alias}.{qn(field.column)}"
        for alias, (_m, fields) in zip(aliases, tables, strict=True)
        for field, _c in fields
    )
    where = f"WHERE t.{qn(opts.pk.column)} = %s"
    return f"SELECT {columns} FROM {qn(opts.db_table)} t {' '.join(joins)} {where}", tables  # noqa: S608
