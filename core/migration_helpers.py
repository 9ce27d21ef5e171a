"""Helpers for migrations that move a model from one app to another (docs/architecture.md, "Moving a
model between apps"): the table stays, the state moves, and what names the model by its label follows."""

from __future__ import annotations

AUDIT_TABLE = "grids_auditentry"


def relabel(old_app: str, new_app: str, models: list[str]):
    """A RunPython step: the content types (and so the permissions granted on them) and the audit
    entries that name ``old_app.model`` are given the new app's label."""

    def run(apps, schema_editor):
        content_type = apps.get_model("contenttypes", "ContentType")
        for model in models:
            if not content_type.objects.filter(app_label=new_app, model=model).exists():
                content_type.objects.filter(app_label=old_app, model=model).update(app_label=new_app)
        connection = schema_editor.connection
        if AUDIT_TABLE not in connection.introspection.table_names():
            return
        postgresql = connection.vendor == "postgresql"
        with connection.cursor() as cursor:
            # Entries are final (a trigger refuses any UPDATE): only this relabelling may pass, in this
            # migration's transaction.
            if postgresql:
                cursor.execute(f"ALTER TABLE {AUDIT_TABLE} DISABLE TRIGGER grids_auditentry_final")
            for model in models:
                cursor.execute(
                    f"UPDATE {AUDIT_TABLE} SET model = %s WHERE model = %s",  # noqa: S608 (a constant table name)
                    [f"{new_app}.{model}", f"{old_app}.{model}"],
                )
            if postgresql:
                cursor.execute(f"ALTER TABLE {AUDIT_TABLE} ENABLE TRIGGER grids_auditentry_final")

    return run
