"""Statement shapes the ORM does not write itself (docs/performance.md, "Rows by a list of ids")."""

from __future__ import annotations

from django.db.models import BooleanField, Expression, F, Subquery


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
