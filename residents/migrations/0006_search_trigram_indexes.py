"""Trigram indexes for the lists' "contains" search (``residents.filters.by_trigram_index``).

A search by name or address is ``UPPER(col) LIKE UPPER('%…%')`` (Django's ``icontains``): no btree index
helps. pg_trgm's GIN index answers it for three characters or more, and pg_trgm makes trigrams of
Chinese characters too (checked under this cluster's C.UTF-8 locale). PostgreSQL only: the embedded
SQLite demo searches by scanning, which is fine at a village's size. pg_trgm is a trusted extension
(PostgreSQL 13+): the database's owner may create it.
"""

from django.db import migrations

INDEXES = [
    ("resident_name_trgm", "residents_resident", "name"),
    ("household_address_trgm", "residents_household", "address"),
]


def create(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    for name, table, column in INDEXES:
        schema_editor.execute(
            f"CREATE INDEX IF NOT EXISTS {name} ON {table} USING gin ((UPPER({column}::text)) gin_trgm_ops)"
        )


def drop(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for name, _table, _column in INDEXES:
        schema_editor.execute(f"DROP INDEX IF EXISTS {name}")


class Migration(migrations.Migration):
    dependencies = [("residents", "0005_list_order_indexes")]

    operations = [migrations.RunPython(create, drop)]
