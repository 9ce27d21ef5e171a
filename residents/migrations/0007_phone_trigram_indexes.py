"""Trigram indexes on the phone columns: a search with digits (a phone number or part of one)
was a scan of the list's rows and every member's row; at a million residents a town's household search by
phone took 670 ms. With these, every branch of a search of three characters or more is answered by an
index (``residents.filters.by_trigram_index``): name and address (0006), phone (here), ID number and its
last four characters (keyed hashes, btree). ``phone LIKE '%…%'`` (Django's ``contains``) is case-sensitive,
so the index is on the column itself. PostgreSQL only, as 0006.
"""

from django.db import migrations

INDEXES = [
    ("resident_phone_trgm", "residents_resident", "phone"),
    ("household_phone_trgm", "residents_household", "phone"),
]


def create(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    for name, table, column in INDEXES:
        schema_editor.execute(f"CREATE INDEX IF NOT EXISTS {name} ON {table} USING gin ({column} gin_trgm_ops)")


def drop(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for name, _table, _column in INDEXES:
        schema_editor.execute(f"DROP INDEX IF EXISTS {name}")


class Migration(migrations.Migration):
    dependencies = [("residents", "0006_search_trigram_indexes")]

    operations = [migrations.RunPython(create, drop)]
